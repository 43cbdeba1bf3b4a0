// Safe YAML reading for configuration files: YAML 1.2 core schema, no custom or exotic tags, no
// merge keys, a small alias budget (alias bombs fail), one document, unique keys. Positions of
// values are kept so validation errors can point at file:line:col.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { ConfigProblem } from './errors.js';

/** Alias resolutions allowed while converting a document (yaml's own default is 100). */
export const MAX_ALIAS_COUNT = 100;
/** Configuration files are small; refuse anything larger before parsing. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Explicit tags allowed: the YAML 1.2 core schema's own (e.g. `!!str 0123` to keep a string). */
const ALLOWED_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface ParsedYaml {
  /** The document as plain data ({} for an empty document). */
  readonly data: unknown;
  /** Where the value at a key path is written (the key, for a mapping entry), or the nearest enclosing one. */
  locate(path: readonly PropertyKey[]): Position | undefined;
}

export type YamlResult = { readonly ok: true; readonly yaml: ParsedYaml } | { readonly ok: false; readonly problems: ConfigProblem[] };

/** Parse YAML text; `source` names it in problems (a file path or '<embedded default>'). */
export function parseConfigYaml(text: string, source: string): YamlResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    version: '1.2',
    schema: 'core',
    customTags: [],
    merge: false,
    uniqueKeys: true,
    strict: true,
    prettyErrors: false,
    lineCounter,
  });
  const at = (offset: number | undefined): Position => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { line: pos.line, column: pos.col };
  };
  const problems: ConfigProblem[] = [];
  for (const error of [...doc.errors, ...doc.warnings]) {
    problems.push({ source, ...at(error.pos[0]), path: '', message: `YAML ${error.name === 'YAMLWarning' ? 'problem' : 'syntax error'}: ${error.message}` });
  }
  visit(doc, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.value === '<<') {
        problems.push({ source, ...at(pair.key.range?.[0]), path: '', message: 'YAML merge keys (<<) are not supported in configuration files; write the keys out' });
      }
    },
    Node(_key, node) {
      if (node.tag !== undefined && !ALLOWED_TAGS.has(node.tag)) {
        problems.push({
          source,
          ...at(node.range?.[0]),
          path: '',
          message: `YAML tag '${node.tag.replace('tag:yaml.org,2002:', '!!')}' is not allowed in configuration files (only !!str, !!int, !!float, !!bool, !!null, !!map, !!seq)`,
        });
      }
    },
  });
  if (problems.length > 0) return { ok: false, problems: dedupe(problems) };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    const message = /alias count/i.test(detail)
      ? `YAML aliases expand to too many values (limit ${String(MAX_ALIAS_COUNT)} alias resolutions): refused as a possible alias bomb`
      : `YAML error: ${detail}`;
    return { ok: false, problems: [{ source, path: '', message }] };
  }
  return { ok: true, yaml: { data: data ?? {}, locate: (path) => locate(doc, path, at) } };
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${String(p.line)}:${String(p.column)}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function locate(doc: Document, path: readonly PropertyKey[], at: (offset: number | undefined) => Position): Position | undefined {
  let node: unknown = doc.contents;
  let found: Position | undefined = isNodeWithRange(node) ? at(node.range[0]) : undefined;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node) && typeof segment === 'string') {
      const pairs = node.items.filter(isPair);
      const keyOf = (p: (typeof pairs)[number]): unknown => (isScalar(p.key) ? p.key.value : p.key);
      const pair = pairs.find((p) => keyOf(p) === segment) ?? pairs.find((p) => String(keyOf(p)).toLowerCase() === segment.toLowerCase());
      if (pair === undefined) return found;
      const keyNode = pair.key;
      if (isNodeWithRange(keyNode)) found = at(keyNode.range[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item === undefined) return found;
      if (isNodeWithRange(item)) found = at(item.range[0]);
      node = item;
    } else {
      return found;
    }
  }
  return found;
}

function isNodeWithRange(value: unknown): value is Node & { range: [number, number, number] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { range?: unknown }).range);
}
