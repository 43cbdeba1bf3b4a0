// Loading the configuration (architecture.md §2.5). Layers, lowest to highest precedence:
//   schema defaults (Windows' own) < embedded default (config/default.yaml) < YAML file
//   (--config / WINRM_EMU_CONFIG) < WINRM_EMU_* environment < command line overrides.
// Plain objects merge deeply; arrays and scalars replace. The merged object is validated once;
// every problem is reported at once, naming its source, key path and what is wrong. The result is
// deep-frozen.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { isLoopbackListenerAddress } from './address.js';
import { isDefaultLabNtHash, isDefaultLabPassword } from './defaults.js';
import { ConfigError, formatPath, type ConfigProblem } from './errors.js';
import { EmulatorConfigSchema, EmulatorConfigShape } from './schema.js';
import { canonicaliseKeys, closestKey, isPlainRecord, knownKeysAt, setOwn, type KeyProblem } from './schema-walk.js';
import type { EmulatorConfig, LoadedConfig } from './types.js';
import { MAX_CONFIG_BYTES, parseConfigYaml, type Position } from './yaml.js';

export { ConfigError, type ConfigProblem } from './errors.js';

/** A partial configuration: any key may be left out; array items may be partial too. */
export type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly DeepPartial<U>[]
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> | undefined }
    : T;

export interface LoadConfigOptions {
  /** A YAML file layered over the embedded default. Default: `env.WINRM_EMU_CONFIG`, else none. */
  readonly file?: string | undefined;
  /** Environment to read WINRM_EMU_* from. Default: `process.env`. Pass `{}` to ignore it. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Command-line values; win over everything else. Keys under `winrm` may be in any case. */
  readonly overrides?: DeepPartial<EmulatorConfig> | undefined;
}

/** Environment variables read by `loadConfig`, and the key each one sets. */
export const ENVIRONMENT_VARIABLES: Readonly<Record<string, readonly string[]>> = {
  WINRM_EMU_COMPUTER_NAME: ['computerName'],
  WINRM_EMU_LOG_LEVEL: ['logging', 'level'],
  WINRM_EMU_ALLOW_DEFAULT_PASSWORDS_ON_NETWORK: ['server', 'allowDefaultPasswordsOnNetwork'],
  WINRM_EMU_CERTIFICATE_STORE: ['certificateStore'],
};

export const EMBEDDED_DEFAULT_SOURCE = '<embedded default>';
const CLI_SOURCE = 'command line';

// ---------------------------------------------------------------------------------------------
// Package root and the embedded default

let cachedRoot: string | undefined;

/**
 * The folder holding this package's package.json, found upwards from this module, so it works
 * from src/config/ (tsx, vitest) and from dist/src/config/ (after tsc).
 */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'winrm-emulator') return (cachedRoot = dir);
    } catch {
      // no package.json here: keep climbing
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('winrm-emulator: cannot find the package root (package.json) above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** Absolute path of config/default.yaml, the embedded default configuration. */
export function embeddedDefaultPath(): string {
  return join(packageRoot(), 'config', 'default.yaml');
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Layers

interface Layer {
  readonly kind: 'default' | 'file' | 'env' | 'cli';
  /** How problems name this source. */
  readonly source: string;
  /** Data with `winrm` keys already in canonical spelling. */
  readonly data: Record<string, unknown>;
  /** Folder relative paths in this layer resolve against. */
  readonly baseDir: string;
  locate?(path: readonly PropertyKey[]): Position | undefined;
  /** For the environment layer: which variable set a path. */
  describe?(path: readonly PropertyKey[]): string;
}

function readYamlLayer(kind: 'default' | 'file', path: string, source: string, namedBy: string, problems: ConfigProblem[]): Layer | undefined {
  let text: string;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) {
      problems.push({ source, path: '', message: `cannot read the configuration file (${namedBy}): not a regular file` });
      return undefined;
    }
    if (stat.size > MAX_CONFIG_BYTES) {
      problems.push({ source, path: '', message: `the configuration file is ${String(stat.size)} bytes; more than ${String(MAX_CONFIG_BYTES)} is refused` });
      return undefined;
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : e instanceof Error ? e.message : String(e);
    problems.push({ source, path: '', message: `cannot read the configuration file (${namedBy}): ${why}` });
    return undefined;
  }
  const parsed = parseConfigYaml(text, source);
  if (!parsed.ok) {
    problems.push(...parsed.problems);
    return undefined;
  }
  const { data, locate } = parsed.yaml;
  if (!isPlainRecord(data)) {
    problems.push({ source, line: 1, column: 1, path: '', message: 'the top level must be a mapping of settings (computerName:, winrm:, users:, …)' });
    return undefined;
  }
  return { kind, source, data, baseDir: dirname(path), locate };
}

function environmentLayer(env: Readonly<Record<string, string | undefined>>): Layer | undefined {
  const data: Record<string, unknown> = {};
  const setBy: [readonly string[], string][] = [];
  for (const [name, path] of Object.entries(ENVIRONMENT_VARIABLES)) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    let value: unknown = raw.trim();
    if (name === 'WINRM_EMU_ALLOW_DEFAULT_PASSWORDS_ON_NETWORK') {
      // Environment habit: 1/0, yes/no, on/off as well as true/false.
      const lower = raw.trim().toLowerCase();
      if (['1', 'yes', 'on'].includes(lower)) value = 'true';
      else if (['0', 'no', 'off'].includes(lower)) value = 'false';
    }
    let target = data;
    path.forEach((segment, index) => {
      if (index === path.length - 1) {
        setOwn(target, segment, value);
      } else {
        const next = target[segment];
        const child = isPlainRecord(next) ? next : {};
        setOwn(target, segment, child);
        target = child;
      }
    });
    setBy.push([path, name]);
  }
  if (setBy.length === 0) return undefined;
  return {
    kind: 'env',
    source: 'environment',
    data,
    baseDir: process.cwd(),
    describe: (path) => {
      const hit = setBy.find(([p]) => p.every((segment, i) => path[i] === segment));
      return hit === undefined ? 'environment' : `environment ${hit[1]}`;
    },
  };
}

function canonicalLayer(layer: Layer, problems: ConfigProblem[]): Layer {
  const keyProblems: KeyProblem[] = [];
  const data = canonicaliseKeys(layer.data, EmulatorConfigShape, [], keyProblems) as Record<string, unknown>;
  for (const p of keyProblems) problems.push(problemAt(layer, p.path, p.message));
  return { ...layer, data };
}

function problemAt(layer: Layer, path: readonly PropertyKey[], message: string): ConfigProblem {
  const source = layer.describe?.(path) ?? layer.source;
  const position = layer.locate?.(path);
  return position === undefined ? { source, path: formatPath(path), message } : { source, line: position.line, column: position.column, path: formatPath(path), message };
}

/** Deep merge: plain objects merge key by key; arrays and scalars from `over` replace; undefined keeps `base`. */
function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (isPlainRecord(base) && isPlainRecord(over)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(base)) setOwn(out, key, value);
    for (const [key, value] of Object.entries(over)) setOwn(out, key, merge(Object.hasOwn(base, key) ? base[key] : undefined, value));
    return out;
  }
  return over;
}

/**
 * How far `path` goes into a layer. `owns` when the layer supplies the value there: the whole
 * path exists, or an array or scalar sits on it (arrays and scalars replace what lies below).
 */
function reach(data: unknown, path: readonly PropertyKey[]): { depth: number; owns: boolean } {
  let current = data;
  for (let i = 0; i < path.length; i++) {
    if (Array.isArray(current) || !isPlainRecord(current)) return { depth: i, owns: i > 0 };
    const segment = path[i];
    if (typeof segment !== 'string' || !Object.hasOwn(current, segment) || current[segment] === undefined) return { depth: i, owns: false };
    current = current[segment];
  }
  return { depth: path.length, owns: true };
}

/** The layer a value at `path` came from: the highest-precedence one that supplies it. */
function layerFor(layers: readonly Layer[], path: readonly PropertyKey[]): Layer | undefined {
  let best: Layer | undefined;
  let bestDepth = -1;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    if (layer === undefined) continue;
    const { depth, owns } = reach(layer.data, path);
    if (owns) return layer;
    if (depth > bestDepth) {
      best = layer;
      bestDepth = depth;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Issue → problem

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment] as unknown;
    else if (isPlainRecord(current) && typeof segment === 'string' && Object.hasOwn(current, segment)) current = current[segment];
    else return undefined;
  }
  return current;
}

function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
};

/** Paths whose values must never be echoed into a message. */
function isSecretPath(path: readonly PropertyKey[]): boolean {
  return path.some((s) => s === 'password' || s === 'ntHash');
}

function issueMessages(issue: z.core.$ZodIssue, merged: unknown): { path: PropertyKey[]; message: string }[] {
  const path = [...issue.path];
  const value = valueAt(merged, path);
  const got = isSecretPath(path) ? '' : `; got ${describeValue(value)}`;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(EmulatorConfigShape, path) ?? [];
      return issue.keys.map((key) => {
        const suggestion = closestKey(key, known);
        const hint = suggestion !== undefined ? `did you mean '${suggestion}'?` : `known keys here: ${known.join(', ')}`;
        return { path: [...path, key], message: `unknown key '${key}'; ${hint}` };
      });
    }
    case 'invalid_type': {
      if (value === undefined) return [{ path, message: 'is required' }];
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      const quote = issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean') ? ' (put the value in quotes so YAML reads it as text)' : '';
      const shown = isSecretPath(path) && value !== null ? typeof value : describeValue(value);
      return [{ path, message: `expected ${expected}, got ${shown}${quote}` }];
    }
    case 'custom':
      return [{ path, message: issue.message }];
    default:
      return [{ path, message: `${issue.message}${got}` }];
  }
}

/** Group problems by source (in order of first appearance), then by position in that source. */
function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const order = new Map<string, number>();
  for (const p of problems) if (!order.has(p.source)) order.set(p.source, order.size);
  return problems
    .map((p, index) => ({ p, index }))
    .sort(
      (a, b) =>
        (order.get(a.p.source) ?? 0) - (order.get(b.p.source) ?? 0) ||
        (a.p.line ?? 0) - (b.p.line ?? 0) ||
        (a.p.column ?? 0) - (b.p.column ?? 0) ||
        a.index - b.index,
    )
    .map(({ p }) => p);
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Load, merge, validate and freeze the configuration. Throws `ConfigError` listing every problem
 * (source file:line:col or environment / command line, key path, what is wrong).
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const layers: Layer[] = [];

  const defaultLayer = readYamlLayer('default', embeddedDefaultPath(), EMBEDDED_DEFAULT_SOURCE, 'config/default.yaml in the package', problems);
  if (defaultLayer !== undefined) layers.push({ ...defaultLayer, baseDir: packageRoot() });

  const namedFile = options.file ?? (env.WINRM_EMU_CONFIG?.trim() ? env.WINRM_EMU_CONFIG.trim() : undefined);
  const file = namedFile === undefined ? undefined : resolve(namedFile);
  if (file !== undefined) {
    const namedBy = options.file !== undefined ? 'given by --config' : 'named by WINRM_EMU_CONFIG';
    const fileLayer = readYamlLayer('file', file, file, namedBy, problems);
    // config/default.yaml loaded as a file means what it means embedded: ./certs of the package.
    if (fileLayer !== undefined) layers.push(sameFile(file, embeddedDefaultPath()) ? { ...fileLayer, baseDir: packageRoot() } : fileLayer);
  }

  const envLayer = environmentLayer(env);
  if (envLayer !== undefined) layers.push(envLayer);

  if (options.overrides !== undefined) {
    const data = merge({}, options.overrides);
    if (isPlainRecord(data)) layers.push({ kind: 'cli', source: CLI_SOURCE, data, baseDir: process.cwd() });
    else problems.push({ source: CLI_SOURCE, path: '', message: 'overrides must be an object' });
  }

  const canonical = layers.map((layer) => canonicalLayer(layer, problems));
  const merged = canonical.reduce<unknown>((acc, layer) => merge(acc, layer.data), {});

  const result = EmulatorConfigSchema.safeParse(merged, { reportInput: true });
  if (!result.success) {
    for (const issue of result.error.issues) {
      for (const { path, message } of issueMessages(issue, merged)) {
        const layer = layerFor(canonical, path);
        problems.push(layer === undefined ? { source: 'configuration', path: formatPath(path), message } : problemAt(layer, path, message));
      }
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(sortProblems(problems));

  // Relative certificateStore: against the folder of the layer that set it.
  const storeLayer = layerFor(canonical, ['certificateStore']);
  const baseDir = storeLayer?.baseDir ?? (file !== undefined ? dirname(file) : packageRoot());
  const certificateStore = isAbsolute(result.data.certificateStore) ? result.data.certificateStore : resolve(baseDir, result.data.certificateStore);
  // Relative Kerberos files, likewise against the folder of the layer that set them.
  const relative = (key: 'keytab' | 'krb5Config'): string => {
    const value = result.data.kerberos[key];
    if (value === '' || isAbsolute(value)) return value;
    const layer = layerFor(canonical, ['kerberos', key]);
    return resolve(layer?.baseDir ?? (file !== undefined ? dirname(file) : packageRoot()), value);
  };
  const kerberos = { ...result.data.kerberos, keytab: relative('keytab'), krb5Config: relative('krb5Config') };
  const config: EmulatorConfig = { ...result.data, certificateStore, kerberos };

  const usesDefaultPasswords = config.users.some(
    (u) => (u.password !== undefined && isDefaultLabPassword(u.password)) || (u.ntHash !== undefined && isDefaultLabNtHash(u.ntHash)),
  );
  return deepFreeze({ config, file, baseDir, usesDefaultPasswords });
}

/** Object.freeze, recursively (zod's readonly() already froze some levels; the walk goes on below them). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * When enabled listeners reach beyond loopback (`*`, or an IP outside 127.0.0.0/8 and ::1) while
 * a user still has a documented default password and `server.allowDefaultPasswordsOnNetwork` is
 * false: an explanation of the refusal and how to fix it. Otherwise undefined.
 */
export function checkExposure(loaded: LoadedConfig): string | undefined {
  const { config } = loaded;
  if (!loaded.usesDefaultPasswords || config.server.allowDefaultPasswordsOnNetwork) return undefined;
  const exposed = config.winrm.Listener.map((listener, index) => ({ listener, index })).filter(
    ({ listener }) => listener.Enabled && !isLoopbackListenerAddress(listener.Address),
  );
  if (exposed.length === 0) return undefined;
  const users = config.users
    .filter((u) => (u.password !== undefined && isDefaultLabPassword(u.password)) || (u.ntHash !== undefined && isDefaultLabNtHash(u.ntHash)))
    .map((u) => u.name);
  const where = loaded.file ?? EMBEDDED_DEFAULT_SOURCE;
  return [
    'refusing to listen beyond loopback while users have the documented default passwords:',
    ...exposed.map(({ listener, index }) => `  winrm.Listener[${String(index)}]: Address '${listener.Address}', ${listener.Transport} port ${String(listener.Port)} is reachable from the network`),
    `  users with a documented (public) password: ${users.join(', ')}`,
    'Anyone who has read the README could log on. Do one of:',
    `  - give those users passwords of your own (users[].password or users[].ntHash) in your config file (${where}; --config FILE or WINRM_EMU_CONFIG);`,
    "  - bind the listeners to loopback only: winrm.Listener[].Address 'IP:127.0.0.1' or 'IP:::1';",
    '  - on a network you trust, accept the risk: pass --allow-default-passwords-on-network, or set server.allowDefaultPasswordsOnNetwork: true',
    '    (environment WINRM_EMU_ALLOW_DEFAULT_PASSWORDS_ON_NETWORK=true).',
  ].join('\n');
}
