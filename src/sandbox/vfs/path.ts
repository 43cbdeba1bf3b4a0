// Windows path semantics for the virtual file system: drive letters, `\` and `/`, `.`/`..`,
// trailing dots and spaces, reserved device names. Pure string functions, no I/O.
//
// Sources: learn.microsoft.com "File path formats on Windows systems" (normalisation steps) and
// "Naming Files, Paths, and Namespaces" (reserved names, invalid characters).
import { VfsError } from './types.js';

/** Longest path the VFS accepts (the \\?\ limit; ordinary Win32 paths stop at 260). */
export const MAX_PATH_CHARS = 32_767;
/** Longest single name NTFS accepts. */
export const MAX_NAME_CHARS = 255;

const RESERVED = /^(CON|PRN|AUX|NUL|COM[1-9¹²³]|LPT[1-9¹²³])$/i;
// Characters Windows refuses in a file name (besides the separators, handled before).
const INVALID_NAME_CHAR = /[<>:"|?*\u0000-\u001f]/;

/** The device a name refers to when it is a reserved DOS device (`nul.txt`, `CON `, `aux`), else undefined. */
export function reservedDevice(name: string): string | undefined {
  // Windows ignores an extension and trailing spaces/dots after a device name: `NUL.txt` is NUL.
  const base = name.replace(/[ .]+$/, '');
  const dot = base.indexOf('.');
  const stem = (dot >= 0 ? base.slice(0, dot) : base).replace(/ +$/, '');
  return RESERVED.test(stem) ? stem.toUpperCase() : undefined;
}

/** `\\.\NUL` and friends: the canonical form resolve() gives a reserved device name. */
export function devicePath(device: string): string {
  return `\\\\.\\${device}`;
}

/** The device of a canonical device path, or undefined. */
export function deviceOf(path: string): string | undefined {
  const m = /^\\\\\.\\([A-Za-z0-9¹²³]+)$/.exec(path);
  if (m === null) return undefined;
  const dev = m[1] ?? '';
  return RESERVED.test(dev) ? dev.toUpperCase() : undefined;
}

export interface ParsedPath {
  /** Upper-case drive letter. */
  readonly drive: string;
  /** Path components below the drive root, as typed after normalisation (case preserved). */
  readonly parts: readonly string[];
}

function invalid(path: string, why: string): VfsError {
  return new VfsError('EINVAL', path, `The filename, directory name, or volume label syntax is incorrect. (${why})`);
}

/** Parse an absolute canonical or typed path like `C:\A\b` (already resolved). */
export function parseAbsolute(path: string): ParsedPath {
  const m = /^([A-Za-z]):(.*)$/s.exec(path);
  if (m === null) throw invalid(path, 'not an absolute path');
  const rest = (m[2] ?? '').replace(/\//g, '\\');
  if (rest !== '' && !rest.startsWith('\\')) throw invalid(path, 'not an absolute path');
  return { drive: (m[1] ?? 'C').toUpperCase(), parts: normaliseParts(path, rest.split('\\'), []) };
}

/** Join the canonical string for a parsed path. */
export function formatPath(p: ParsedPath): string {
  return `${p.drive}:\\${p.parts.join('\\')}`;
}

function normaliseParts(whole: string, input: readonly string[], base: readonly string[]): string[] {
  const out = [...base];
  for (let i = 0; i < input.length; i++) {
    let part = input[i] ?? '';
    if (part === '' || part === '.') continue;
    if (part === '..') {
      out.pop();
      continue;
    }
    // Windows strips trailing dots and spaces from the last component (and one trailing dot
    // from the others). Here every component is stripped, so that each stored name can be
    // addressed again as a last component: `a \b` and `...\b` do not create `a ` or `...`.
    part = part.replace(/[. ]+$/, '');
    if (part === '') continue;
    if (INVALID_NAME_CHAR.test(part)) throw invalid(whole, 'invalid character in a name');
    if (part.length > MAX_NAME_CHARS) throw invalid(whole, 'name too long');
    out.push(part);
  }
  return out;
}

/**
 * Resolve `p` against `cwd` (an absolute `X:\…` path) into a canonical absolute path, Windows
 * style. UNC paths (`\\server\share`), device paths (`\\.\`, `\\?\`, `\??\`) and anything with
 * characters Windows refuses throw EINVAL. A reserved device name in the last component
 * (`nul`, `C:\x\con.txt`) resolves to `\\.\NUL`, as GetFullPathName does.
 */
export function resolvePath(cwd: string, p: string): string {
  if (p.length > MAX_PATH_CHARS || cwd.length > MAX_PATH_CHARS) throw invalid(p, 'path too long');
  if (p.includes('\u0000')) throw invalid(p, 'NUL character');
  const dev = deviceOf(p);
  if (dev !== undefined) return devicePath(dev);
  const s = p.replace(/\//g, '\\');
  if (s.startsWith('\\\\') || s.startsWith('\\??\\')) throw invalid(p, 'UNC and device paths are not supported');
  if (s === '') throw invalid(p, 'empty path');
  const base = parseAbsolute(cwd);
  let drive = base.drive;
  let baseParts: readonly string[] = base.parts;
  let rest = s;
  const m = /^([A-Za-z]):(.*)$/s.exec(s);
  if (m !== null) {
    drive = (m[1] ?? 'C').toUpperCase();
    rest = m[2] ?? '';
    // `D:foo` is relative to the current directory of D:; only the current drive's is known.
    if (drive !== base.drive) baseParts = [];
    if (rest.startsWith('\\')) baseParts = [];
  } else if (rest.startsWith('\\')) {
    baseParts = [];
  } else if (/^[A-Za-z]?:/.test(rest) || rest.includes(':')) {
    // A colon anywhere else is an alternate data stream or garbage: not emulated.
    throw invalid(p, 'invalid character in a name');
  }
  const parts = normaliseParts(p, rest.split('\\'), baseParts);
  const last = parts[parts.length - 1];
  if (last !== undefined) {
    const device = reservedDevice(last);
    if (device !== undefined) return devicePath(device);
  }
  // A device name inside a path (`C:\nul\x`) names nothing Win32 can create.
  if (parts.some((part) => reservedDevice(part) !== undefined)) throw invalid(p, 'a reserved device name inside a path');
  const out = formatPath({ drive, parts });
  if (out.length > MAX_PATH_CHARS) throw invalid(p, 'path too long');
  return out;
}

/** Parent of a canonical path (`C:\A\b` → `C:\A`), or undefined for a root. */
export function parentPath(path: string): string | undefined {
  const p = parseAbsolute(path);
  if (p.parts.length === 0) return undefined;
  return formatPath({ drive: p.drive, parts: p.parts.slice(0, -1) });
}

/** Last component of a canonical path (`C:\A\b.txt` → `b.txt`; `C:\` → ``). */
export function baseName(path: string): string {
  const i = path.lastIndexOf('\\');
  return i >= 0 ? path.slice(i + 1) : path;
}

/** Case-insensitive key of a name, as NTFS compares names (upcase table). */
export function nameKey(name: string): string {
  return name.toUpperCase();
}

/** NTFS directory order: by upper-cased UTF-16 code units. */
export function compareNames(a: string, b: string): number {
  const x = nameKey(a);
  const y = nameKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
