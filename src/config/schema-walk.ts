// Reading the shape of a zod schema at run time: which keys an object accepts, its defaults and
// descriptions. Used to canonicalise the case of Windows setting names, to suggest the closest
// key for a typo, and to generate docs/configuration.md.
import { z } from 'zod';

type Path = readonly PropertyKey[];

/** The parts of zod 4's internal `def` that the walker reads (stable across zod 4 minors). */
interface LooseDef {
  readonly type: string;
  readonly innerType?: z.core.$ZodType;
  readonly in?: z.core.$ZodType;
  readonly out?: z.core.$ZodType;
  readonly shape?: Record<string, z.core.$ZodType>;
  readonly element?: z.core.$ZodType;
  readonly defaultValue?: unknown;
  readonly entries?: Record<string, string | number>;
  readonly values?: readonly unknown[];
}

export function defOf(schema: z.core.$ZodType): LooseDef {
  return (schema as unknown as { _zod: { def: LooseDef } })._zod.def;
}

export interface Unwrapped {
  /** The innermost schema: object, array, string, number, boolean, enum, literal… */
  readonly schema: z.core.$ZodType;
  readonly type: string;
  /** The outermost description found while unwrapping. */
  readonly description: string | undefined;
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
  readonly optional: boolean;
}

/** Strip default / prefault / optional / readonly / pipe wrappers (a preprocess or a transform). */
export function unwrap(schema: z.core.$ZodType): Unwrapped {
  let current = schema;
  let description: string | undefined;
  let hasDefault = false;
  let defaultValue: unknown;
  let optional = false;
  for (let depth = 0; depth < 32; depth++) {
    description ??= z.globalRegistry.get(current)?.description;
    const def = defOf(current);
    if (def.type === 'default' || def.type === 'prefault') {
      if (!hasDefault) {
        hasDefault = true;
        defaultValue = def.defaultValue;
      }
      current = def.innerType ?? current;
    } else if (def.type === 'optional') {
      optional = true;
      current = def.innerType ?? current;
    } else if (def.type === 'readonly' || def.type === 'nullable' || def.type === 'catch') {
      current = def.innerType ?? current;
    } else if (def.type === 'pipe' && def.in !== undefined && def.out !== undefined) {
      // z.preprocess(fn, s) is pipe(transform, s); s.transform(fn) is pipe(s, transform).
      current = defOf(def.out).type === 'transform' ? def.in : def.out;
    } else {
      break;
    }
  }
  return { schema: current, type: defOf(current).type, description, hasDefault, defaultValue, optional };
}

/** The accepted keys of an object schema (after unwrapping), or undefined when it is not an object. */
export function objectShape(schema: z.core.$ZodType): Record<string, z.core.$ZodType> | undefined {
  const inner = unwrap(schema);
  return inner.type === 'object' ? defOf(inner.schema).shape : undefined;
}

/** The schema found at `path` from `root` (string segments for keys, numbers for array items). */
export function schemaAt(root: z.core.$ZodType, path: Path): z.core.$ZodType | undefined {
  let current: z.core.$ZodType | undefined = root;
  for (const segment of path) {
    if (current === undefined) return undefined;
    const inner = unwrap(current);
    if (inner.type === 'object' && typeof segment === 'string') {
      current = defOf(inner.schema).shape?.[segment];
    } else if (inner.type === 'array' && typeof segment === 'number') {
      current = defOf(inner.schema).element;
    } else {
      return undefined;
    }
  }
  return current;
}

/** Keys accepted by the object at `path`, or undefined. */
export function knownKeysAt(root: z.core.$ZodType, path: Path): string[] | undefined {
  const at = schemaAt(root, path);
  const shape = at === undefined ? undefined : objectShape(at);
  return shape === undefined ? undefined : Object.keys(shape);
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min(above + 1, (prev[j - 1] ?? 0) + 1, diag + cost);
      diag = above;
    }
  }
  return prev[b.length] ?? 0;
}

/** The known key closest to `key` (case-insensitive edit distance), if it is close enough. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = levenshtein(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(2, Math.ceil(key.length / 3));
  return bestDistance <= limit ? best : undefined;
}

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Define a property without ever invoking the `__proto__` setter. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export interface KeyProblem {
  readonly path: PropertyKey[];
  readonly message: string;
}

/** Windows setting names are case-insensitive: the `winrm` subtree is matched that way. */
export function isCaseInsensitivePath(path: Path): boolean {
  return path[0] === 'winrm';
}

/**
 * Copy `value`, renaming keys under the `winrm` subtree to the schema's canonical spelling
 * (`maxenvelopesizekb` → `MaxEnvelopeSizekb`). Unknown keys are kept for the schema to reject.
 * Two spellings of one key in the same mapping are reported in `problems`. An empty (null)
 * section that should be a mapping is dropped, so its defaults apply.
 */
export function canonicaliseKeys(value: unknown, schema: z.core.$ZodType | undefined, path: PropertyKey[], problems: KeyProblem[]): unknown {
  if (Array.isArray(value)) {
    const inner = schema === undefined ? undefined : unwrap(schema);
    const element = inner?.type === 'array' ? defOf(inner.schema).element : undefined;
    return value.map((item, index) => canonicaliseKeys(item, element, [...path, index], problems));
  }
  if (!isPlainRecord(value)) return value;
  const shape = schema === undefined ? undefined : objectShape(schema);
  const byLower = new Map<string, string>();
  for (const key of Object.keys(shape ?? {})) byLower.set(key.toLowerCase(), key);
  const out: Record<string, unknown> = {};
  const seenFrom = new Map<string, string>();
  for (const [key, child] of Object.entries(value)) {
    let canonical = key;
    if (shape !== undefined && !(key in shape) && isCaseInsensitivePath([...path, key])) {
      canonical = byLower.get(key.toLowerCase()) ?? key;
    }
    const earlier = seenFrom.get(canonical);
    if (earlier !== undefined) {
      problems.push({
        path: [...path, canonical],
        message: `'${key}' and '${earlier}' are the same setting (WinRM setting names are case-insensitive); give it once`,
      });
      continue;
    }
    seenFrom.set(canonical, key);
    const childSchema = shape === undefined ? undefined : Object.hasOwn(shape, canonical) ? shape[canonical] : undefined;
    // An empty section (`policy:` with everything below commented out) is the same as leaving it out.
    if (child === null && childSchema !== undefined && unwrap(childSchema).type === 'object') continue;
    setOwn(out, canonical, canonicaliseKeys(child, childSchema, [...path, canonical], problems));
  }
  return out;
}
