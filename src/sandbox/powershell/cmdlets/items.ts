// The FileSystem provider over the virtual file system (and the Env: drive): Get-ChildItem,
// Get-Item, Get-Content, Set-Content, Add-Content, New-Item, Remove-Item, Copy-Item, Move-Item,
// Rename-Item, Test-Path, Get-Location, Set-Location, Push/Pop-Location, Resolve-Path,
// Split-Path, Join-Path. Items are FileInfo / DirectoryInfo objects with PowerShell's PS*
// properties; error texts and ids are Windows PowerShell 5.1's.
import { VfsError, type VfsStat } from '../../vfs/types.js';
import type { CmdletContext, CmdletDef, ParamDef } from '../runtime/command.js';
import { toStr } from '../runtime/convert.js';
import type { ErrorSpec } from '../runtime/errors.js';
import { dictionaryEntry, enumValue } from '../runtime/members.js';
import { hasWildcard, wildcardToRegExp } from '../runtime/operators.js';
import { decodeText, encodeText } from '../runtime/statics.js';
import { PSDateTime, PSObject, type PSValue } from '../runtime/values.js';

const MGMT = 'Microsoft.PowerShell.Management';
const FS_PREFIX = 'Microsoft.PowerShell.Core\\FileSystem::';

function def(name: string, params: ParamDef[], impl: Partial<Pick<CmdletDef, 'begin' | 'process' | 'end' | 'shouldProcess'>>): CmdletDef {
  const noun = name.replace('-', '');
  return { name, implementingType: `Microsoft.PowerShell.Commands.${noun}Command`, module: MGMT, params, ...impl };
}

// ---- content encodings --------------------------------------------------------------------

/** Bytes of text in a -Encoding of Windows PowerShell 5.1 (UTF8 and Unicode get a BOM). */
export function encodeContent(text: string, encoding: string, bom = true): Uint8Array {
  const enc = encoding.toLowerCase();
  const withBom = (pre: number[], body: Uint8Array): Uint8Array => {
    if (!bom) return body;
    const out = new Uint8Array(pre.length + body.length);
    out.set(pre, 0);
    out.set(body, pre.length);
    return out;
  };
  switch (enc) {
    case 'unicode':
    case 'string':
    case 'unknown':
      return withBom([0xff, 0xfe], encodeText(text, 'Unicode'));
    case 'bigendianunicode':
      return withBom([0xfe, 0xff], encodeText(text, 'BigEndianUnicode'));
    case 'utf8':
      return withBom([0xef, 0xbb, 0xbf], encodeText(text, 'UTF8'));
    case 'utf7':
      return encodeText(text, 'UTF8');
    case 'utf32': {
      const cps = [...text].map((c) => c.codePointAt(0) ?? 0);
      const b = new Uint8Array(cps.length * 4);
      cps.forEach((cp, i) => {
        b[i * 4] = cp & 0xff;
        b[i * 4 + 1] = (cp >> 8) & 0xff;
        b[i * 4 + 2] = (cp >> 16) & 0xff;
        b[i * 4 + 3] = (cp >> 24) & 0xff;
      });
      return withBom([0xff, 0xfe, 0, 0], b);
    }
    case 'ascii':
      return encodeText(text, 'ASCII');
    default:
      // Default (ANSI code page 1252) and OEM: one byte per character, '?' beyond
      return encodeText(text, 'Default');
  }
}

/** Text of file bytes: BOM detection, else UTF-8 when valid, else the ANSI code page. */
export function decodeContent(b: Uint8Array): string {
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return new TextDecoder().decode(b.subarray(3));
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) {
    let s = '';
    for (let i = 4; i + 3 < b.length; i += 4) s += String.fromCodePoint((b[i] ?? 0) | ((b[i + 1] ?? 0) << 8) | ((b[i + 2] ?? 0) << 16));
    return s;
  }
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return decodeText(b.subarray(2), 'Unicode');
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return decodeText(b.subarray(2), 'BigEndianUnicode');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return decodeText(b, 'Default');
  }
}

/** Lines as StreamReader.ReadLine returns them (\r\n, \n, \r; no empty last line). */
export function contentLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\n|\r/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// ---- items --------------------------------------------------------------------------------

function parentOf(path: string): string | undefined {
  const m = /^([A-Za-z]:)\\(.*)$/.exec(path);
  if (m === null) return undefined;
  const rest = m[2] ?? '';
  if (rest === '') return undefined;
  const i = rest.lastIndexOf('\\');
  return i < 0 ? `${m[1] ?? 'C:'}\\` : `${m[1] ?? 'C:'}\\${rest.slice(0, i)}`;
}

function joinPath(dir: string, name: string): string {
  return dir.endsWith('\\') ? dir + name : `${dir}\\${name}`;
}

function modeOf(st: VfsStat): string {
  const d = st.type === 'directory' ? 'd' : '-';
  const a = st.type === 'file' ? 'a' : '-';
  const r = st.readOnly ? 'r' : '-';
  const h = st.hidden ? 'h' : '-';
  return `${d}${a}${r}${h}--`;
}

function attributesOf(st: VfsStat): string {
  const parts: string[] = [];
  if (st.readOnly) parts.push('ReadOnly');
  if (st.hidden) parts.push('Hidden');
  if (st.type === 'directory') parts.push('Directory');
  else parts.push('Archive');
  return parts.join(', ');
}

export interface ItemOptions {
  /** FileInfo.ToString() gives the name for Get-ChildItem results, the full path for Get-Item. */
  readonly nameToString: boolean;
}

/** A FileInfo or DirectoryInfo object for a VFS entry. */
export function fsItem(c: CmdletContext, st: VfsStat, opts: ItemOptions): PSObject {
  const isDir = st.type === 'directory';
  const full = st.path;
  const parent = parentOf(full);
  const name = parent === undefined ? full : st.name;
  const o = new PSObject(isDir ? ['System.IO.DirectoryInfo', 'System.IO.FileSystemInfo', 'System.MarshalByRefObject', 'System.Object'] : ['System.IO.FileInfo', 'System.IO.FileSystemInfo', 'System.MarshalByRefObject', 'System.Object']);
  const vfs = c.engine.vfs;
  o.native = { path: full };
  o.setNote('PSPath', FS_PREFIX + full);
  o.setNote('PSParentPath', parent === undefined ? '' : FS_PREFIX + parent);
  o.setNote('PSChildName', name);
  o.setNote('PSDrive', full.slice(0, 1).toUpperCase());
  o.setNote('PSProvider', 'Microsoft.PowerShell.Core\\FileSystem');
  o.setNote('PSIsContainer', isDir);
  o.addProperty({ name: 'Mode', kind: 'CodeProperty', value: modeOf(st) });
  if (!isDir) o.addProperty({ name: 'VersionInfo', kind: 'ScriptProperty', value: null });
  const ext = /(\.[^.]*)$/.exec(name)?.[1] ?? '';
  o.addProperty({ name: 'BaseName', kind: 'ScriptProperty', value: isDir ? name : ext === '' ? name : name.slice(0, -ext.length) });
  o.addProperty({ name: 'Target', kind: 'CodeProperty', value: [] });
  o.addProperty({ name: 'LinkType', kind: 'CodeProperty', value: null });
  o.addProperty({ name: 'Name', kind: 'Property', value: name });
  if (!isDir) {
    o.addProperty({ name: 'Length', kind: 'Property', value: st.size });
    o.addProperty({ name: 'DirectoryName', kind: 'Property', value: parent ?? null });
    o.addProperty({
      name: 'Directory',
      kind: 'Property',
      getter: () => {
        if (parent === undefined) return null;
        const ps = vfs.stat(parent);
        return ps === undefined ? null : fsItem(c, ps, { nameToString: false });
      },
    });
    o.addProperty({ name: 'IsReadOnly', kind: 'Property', value: st.readOnly });
  }
  o.addProperty({ name: 'Exists', kind: 'Property', getter: () => vfs.stat(full) !== undefined });
  o.addProperty({ name: 'FullName', kind: 'Property', value: full });
  if (isDir) {
    o.addProperty({
      name: 'Parent',
      kind: 'Property',
      getter: () => {
        if (parent === undefined) return null;
        const ps = vfs.stat(parent);
        return ps === undefined ? null : fsItem(c, ps, { nameToString: true });
      },
    });
    o.addProperty({ name: 'Root', kind: 'Property', getter: () => fsItem(c, vfs.stat(`${full.slice(0, 2)}\\`) ?? st, { nameToString: false }) });
  }
  o.addProperty({ name: 'Extension', kind: 'Property', value: isDir ? ext : ext });
  o.addProperty({ name: 'CreationTime', kind: 'Property', value: new PSDateTime(st.created, 'Local') });
  o.addProperty({ name: 'CreationTimeUtc', kind: 'Property', value: new PSDateTime(st.created, 'Utc') });
  o.addProperty({ name: 'LastAccessTime', kind: 'Property', value: new PSDateTime(st.modified, 'Local') });
  o.addProperty({ name: 'LastAccessTimeUtc', kind: 'Property', value: new PSDateTime(st.modified, 'Utc') });
  o.addProperty({ name: 'LastWriteTime', kind: 'Property', value: new PSDateTime(st.modified, 'Local') });
  o.addProperty({ name: 'LastWriteTimeUtc', kind: 'Property', value: new PSDateTime(st.modified, 'Utc') });
  o.addProperty({ name: 'Attributes', kind: 'Property', value: enumValue('System.IO.FileAttributes', [], attributesOf(st)) });
  o.toStringFn = () => (opts.nameToString ? name : full);
  o.addMethod('Delete', () => {
    vfs.remove(full, { recursive: false });
    return undefined as unknown as PSValue;
  });
  o.addMethod('ToString', () => (opts.nameToString ? name : full));
  if (isDir) {
    const list = (filter: (e: VfsStat) => boolean): PSValue[] => vfs.readdir(full).filter(filter).map((e) => fsItem(c, e, { nameToString: true }));
    o.addMethod('GetFiles', () => list((e) => e.type === 'file'));
    o.addMethod('GetDirectories', () => list((e) => e.type === 'directory'));
    o.addMethod('GetFileSystemInfos', () => list(() => true));
    o.addMethod('EnumerateFiles', () => list((e) => e.type === 'file'));
    o.addMethod('CreateSubdirectory', (a) => {
      const p = joinPath(full, toStr(a[0] ?? null));
      vfs.mkdir(p, { recursive: true });
      const ns = vfs.stat(p);
      return ns === undefined ? null : fsItem(c, ns, { nameToString: true });
    });
  }
  return o;
}

// ---- path resolution ---------------------------------------------------------------------

type Resolved = { kind: 'fs'; path: string; stat: VfsStat | undefined } | { kind: 'env'; name: string | undefined };

/** Normalise what the user typed: provider prefixes, `~`, forward slashes. */
function normaliseTyped(c: CmdletContext, typed: string): string {
  let t = typed.replace(/^(Microsoft\.PowerShell\.Core\\)?FileSystem::/i, '');
  if (t === '~' || t.startsWith('~\\') || t.startsWith('~/')) {
    const home = toStr(c.frame.scope.lookup('HOME')?.value ?? `C:\\Users\\${c.engine.userName}`);
    t = home + t.slice(1);
  }
  return t;
}

function isEnvPath(t: string): boolean {
  return /^env:/i.test(t);
}

function pathNotFound(c: CmdletContext, path: string): ErrorSpec {
  return {
    message: `Cannot find path '${path}' because it does not exist.`,
    errorId: 'PathNotFound',
    category: 'ObjectNotFound',
    target: path,
    exceptionType: 'System.Management.Automation.ItemNotFoundException',
  };
}

function driveNotFound(drive: string): ErrorSpec {
  return {
    message: `Cannot find drive. A drive with the name '${drive}' does not exist.`,
    errorId: 'DriveNotFound',
    category: 'ObjectNotFound',
    target: drive,
    exceptionType: 'System.Management.Automation.DriveNotFoundException',
  };
}

/** The full path a typed path means (no wildcards), or an error spec. */
function fullPath(c: CmdletContext, typed: string): string | ErrorSpec {
  const t = normaliseTyped(c, typed);
  const drive = /^([A-Za-z][A-Za-z0-9]+):/.exec(t);
  if (drive !== null) return driveNotFound(drive[1] ?? '');
  try {
    return c.engine.resolvePath(t === '' ? '.' : t);
  } catch (e) {
    if (e instanceof VfsError) return pathNotFound(c, joinPath(c.engine.location, t));
    throw e;
  }
}

/**
 * Resolve a -Path value: wildcards expand to the matching items (none is not an error), a plain
 * path resolves to one item (stat undefined when it does not exist).
 */
function resolvePaths(c: CmdletContext, typed: string, literal: boolean): Resolved[] | ErrorSpec {
  const t = normaliseTyped(c, typed);
  if (isEnvPath(t)) {
    const name = t.replace(/^env:\\?/i, '');
    return [{ kind: 'env', name: name === '' ? undefined : name }];
  }
  if (literal || !hasWildcard(t)) {
    const p = fullPath(c, t);
    if (typeof p !== 'string') return p;
    return [{ kind: 'fs', path: p, stat: c.engine.vfs.stat(p) }];
  }
  const segs = t.replace(/\//g, '\\').split('\\');
  const firstWild = segs.findIndex((s) => hasWildcard(s));
  let prefix = segs.slice(0, firstWild).join('\\');
  if (prefix === '' && t.startsWith('\\')) prefix = '\\';
  if (/^[A-Za-z]:$/.test(prefix)) prefix += '\\';
  const base = prefix === '' ? c.engine.location : fullPath(c, prefix);
  if (typeof base !== 'string') return base;
  let current = [base];
  for (const seg of segs.slice(firstWild)) {
    if (seg === '' || seg === '.') continue;
    const next: string[] = [];
    for (const dir of current) {
      if (seg === '..') {
        next.push(parentOf(dir) ?? dir);
        continue;
      }
      if (hasWildcard(seg)) {
        const re = wildcardToRegExp(seg);
        let entries: VfsStat[] = [];
        try {
          const st = c.engine.vfs.stat(dir);
          if (st?.type === 'directory') entries = c.engine.vfs.readdir(dir);
        } catch {
          entries = [];
        }
        for (const e of entries) if (re.test(e.name) && (!e.hidden || c.switch('Force'))) next.push(e.path);
      } else {
        const p = joinPath(dir, seg);
        if (c.engine.vfs.stat(p) !== undefined) next.push(p);
      }
    }
    current = next;
  }
  return current.map((p) => ({ kind: 'fs' as const, path: p, stat: c.engine.vfs.stat(p) }));
}

function envEntries(c: CmdletContext, name: string | undefined): PSValue[] {
  const all = c.engine.env.entries().sort((a, b) => a[0].toLowerCase().localeCompare(b[0].toLowerCase()));
  if (name === undefined) return all.map(([k, v]) => envEntry(k, v));
  const re = wildcardToRegExp(name);
  return all.filter(([k]) => re.test(k)).map(([k, v]) => envEntry(k, v));
}

function envEntry(k: string, v: string): PSObject {
  const e = dictionaryEntry(k, v);
  e.setNote('PSPath', `Microsoft.PowerShell.Core\\Environment::${k}`);
  e.setNote('PSDrive', 'Env');
  e.setNote('PSProvider', 'Microsoft.PowerShell.Core\\Environment');
  e.setNote('PSIsContainer', false);
  return e;
}

function pathArgs(c: CmdletContext, input: PSValue | undefined): { paths: string[]; literal: boolean } {
  const lit = c.strs('LiteralPath');
  if (lit !== undefined) return { paths: lit, literal: true };
  const p = c.strs('Path');
  if (p !== undefined) return { paths: p, literal: false };
  void input;
  return { paths: ['.'], literal: false };
}

function vfsError(c: CmdletContext, e: unknown, path: string, errorId: string): ErrorSpec {
  if (e instanceof VfsError) {
    switch (e.code) {
      case 'ENOENT':
        return pathNotFound(c, path);
      case 'EACCES':
      case 'EISDIR':
        return { message: `Access to the path '${path}' is denied.`, errorId: `${errorId}UnauthorizedAccessError`, category: 'PermissionDenied', target: path, exceptionType: 'System.UnauthorizedAccessException' };
      case 'ENOTDIR':
        return { message: `Could not find a part of the path '${path}'.`, errorId: `${errorId}DirectoryNotFoundError`, category: 'ObjectNotFound', target: path, exceptionType: 'System.IO.DirectoryNotFoundException' };
      case 'ENOSPC':
        return { message: 'There is not enough space on the disk.', errorId: `${errorId}IOError`, category: 'WriteError', target: path, exceptionType: 'System.IO.IOException' };
      case 'EEXIST':
        return { message: `The file '${path}' already exists.`, errorId: `${errorId}IOError`, category: 'WriteError', target: path, exceptionType: 'System.IO.IOException' };
      default:
        return { message: e.message, errorId: `${errorId}IOError`, category: 'WriteError', target: path, exceptionType: 'System.IO.IOException' };
    }
  }
  throw e;
}

// ---- Get-ChildItem ---------------------------------------------------------------------------

const PATH_PARAMS: ParamDef[] = [
  { name: 'Path', type: 'string[]', position: 0, pipeline: 'both' },
  { name: 'LiteralPath', aliases: ['PSPath'], type: 'string[]', pipeline: 'property' },
];

async function listChildren(c: CmdletContext, dir: string, recurse: boolean, depth: number, filter: RegExp | undefined, include: RegExp[], exclude: RegExp[], relBase: string): Promise<void> {
  let entries: VfsStat[];
  try {
    entries = c.engine.vfs.readdir(dir);
  } catch (e) {
    await c.writeError(vfsError(c, e, dir, 'DirIOError'));
    return;
  }
  const force = c.switch('Force');
  const visible = entries.filter((e) => force || !e.hidden);
  const dirs = visible.filter((e) => e.type === 'directory');
  const files = visible.filter((e) => e.type === 'file');
  const ordered = [...dirs, ...files];
  const onlyFiles = c.switch('File');
  const onlyDirs = c.switch('Directory');
  for (const e of ordered) {
    c.engine.step();
    if (onlyFiles && e.type !== 'file') continue;
    if (onlyDirs && e.type !== 'directory') continue;
    if (filter !== undefined && !filter.test(e.name)) continue;
    if (include.length > 0 && !include.some((r) => r.test(e.name))) continue;
    if (exclude.some((r) => r.test(e.name))) continue;
    if (c.switch('Name')) await c.write(relBase === '' ? e.name : `${relBase}\\${e.name}`);
    else await c.write(fsItem(c, e, { nameToString: true }));
  }
  if (recurse && depth !== 0) {
    for (const d of dirs) await listChildren(c, d.path, recurse, depth - 1, filter, include, exclude, relBase === '' ? d.name : `${relBase}\\${d.name}`);
  }
}

function patterns(c: CmdletContext, name: string): RegExp[] {
  return (c.strs(name) ?? []).map((p) => wildcardToRegExp(p));
}

export const getChildItem = def('Get-ChildItem', [
  ...PATH_PARAMS,
  { name: 'Filter', type: 'string', position: 1 },
  { name: 'Include', type: 'string[]' },
  { name: 'Exclude', type: 'string[]' },
  { name: 'Recurse', aliases: ['s'], type: 'switch' },
  { name: 'Depth', type: 'int' },
  { name: 'Force', type: 'switch' },
  { name: 'Name', type: 'switch' },
  { name: 'File', type: 'switch' },
  { name: 'Directory', aliases: ['ad', 'd'], type: 'switch' },
  { name: 'Hidden', aliases: ['ah', 'h'], type: 'switch' },
  { name: 'ReadOnly', type: 'switch' },
  { name: 'System', type: 'switch' },
  { name: 'Attributes', type: 'string' },
], {
  process: async (c, input) => {
    const { paths, literal } = pathArgs(c, input);
    const recurse = c.switch('Recurse') || c.has('Depth');
    const depth = c.has('Depth') ? Number(c.get('Depth')) : -1;
    const filterStr = c.str('Filter');
    const filter = filterStr !== undefined ? wildcardToRegExp(filterStr) : undefined;
    for (const p of paths) {
      const segs = normaliseTyped(c, p).replace(/\//g, '\\').split('\\');
      const lastWild = !literal && hasWildcard(segs[segs.length - 1] ?? '');
      if (lastWild && recurse && !isEnvPath(p)) {
        // `dir C:\x\*.txt -Recurse`: the last segment filters a recursive listing
        const baseTyped = segs.slice(0, -1).join('\\');
        const base = baseTyped === '' ? c.engine.location : fullPath(c, /^[A-Za-z]:$/.test(baseTyped) ? baseTyped + '\\' : baseTyped);
        if (typeof base !== 'string') {
          await c.writeError(base);
          continue;
        }
        const re = wildcardToRegExp(segs[segs.length - 1] ?? '*');
        await listChildren(c, base, true, depth, filter ?? re, [...patterns(c, 'Include'), ...(filter !== undefined ? [re] : [])], patterns(c, 'Exclude'), '');
        continue;
      }
      const r = resolvePaths(c, p, literal);
      if (!Array.isArray(r)) {
        await c.writeError(r);
        continue;
      }
      for (const item of r) {
        if (item.kind === 'env') {
          for (const e of envEntries(c, item.name)) await c.write(e);
          continue;
        }
        if (item.stat === undefined) {
          await c.writeError(pathNotFound(c, item.path));
          continue;
        }
        if (item.stat.type === 'directory' && !lastWild) {
          await listChildren(c, item.path, recurse, depth, filter, patterns(c, 'Include'), patterns(c, 'Exclude'), '');
          continue;
        }
        if (filter !== undefined && !filter.test(item.stat.name)) continue;
        if (c.switch('Directory') && item.stat.type !== 'directory') continue;
        if (c.switch('File') && item.stat.type !== 'file') continue;
        if (c.switch('Name')) await c.write(item.stat.name);
        else await c.write(fsItem(c, item.stat, { nameToString: lastWild }));
      }
    }
  },
});

export const getItem = def('Get-Item', [
  { name: 'Path', type: 'string[]', position: 0, pipeline: 'both', mandatory: true },
  { name: 'LiteralPath', aliases: ['PSPath'], type: 'string[]', pipeline: 'property' },
  { name: 'Force', type: 'switch' },
  { name: 'Filter', type: 'string' },
  { name: 'Include', type: 'string[]' },
  { name: 'Exclude', type: 'string[]' },
], {
  process: async (c, input) => {
    const { paths, literal } = pathArgs(c, input);
    for (const p of paths) {
      const r = resolvePaths(c, p, literal);
      if (!Array.isArray(r)) {
        await c.writeError(r);
        continue;
      }
      for (const item of r) {
        if (item.kind === 'env') {
          const entries = envEntries(c, item.name);
          if (entries.length === 0 && item.name !== undefined && !hasWildcard(item.name)) await c.writeError(pathNotFound(c, item.name));
          for (const e of entries) await c.write(e);
          continue;
        }
        if (item.stat === undefined) {
          if (!hasWildcard(p) || literal) await c.writeError(pathNotFound(c, item.path));
          continue;
        }
        if (item.stat.hidden && !c.switch('Force') && !(hasWildcard(p) && !literal)) {
          await c.writeError({ message: `Could not find item ${item.path}.`, errorId: 'ItemNotFound', category: 'ObjectNotFound', target: item.path, exceptionType: 'System.IO.IOException' });
          continue;
        }
        await c.write(fsItem(c, item.stat, { nameToString: false }));
      }
    }
  },
});

// ---- content ------------------------------------------------------------------------------------

export const getContent = def('Get-Content', [
  { name: 'Path', type: 'string[]', position: 0, pipeline: 'property', mandatory: true },
  { name: 'LiteralPath', aliases: ['PSPath'], type: 'string[]', pipeline: 'property' },
  { name: 'TotalCount', aliases: ['First', 'Head'], type: 'long' },
  { name: 'Tail', aliases: ['Last'], type: 'int' },
  { name: 'ReadCount', type: 'long' },
  { name: 'Raw', type: 'switch' },
  { name: 'Encoding', type: 'string' },
  { name: 'Delimiter', type: 'string' },
  { name: 'Wait', type: 'switch' },
  { name: 'Force', type: 'switch' },
  { name: 'Filter', type: 'string' },
  { name: 'Include', type: 'string[]' },
  { name: 'Exclude', type: 'string[]' },
], {
  process: async (c, input) => {
    const { paths, literal } = pathArgs(c, input);
    for (const p of paths) {
      const r = resolvePaths(c, p, literal);
      if (!Array.isArray(r)) {
        await c.writeError(r);
        continue;
      }
      for (const item of r) {
        if (item.kind === 'env') {
          const v = item.name === undefined ? undefined : c.engine.env.get(item.name);
          if (v === undefined) await c.writeError(pathNotFound(c, item.name ?? 'env:'));
          else await c.write(v);
          continue;
        }
        if (item.stat === undefined) {
          if (!hasWildcard(p) || literal) await c.writeError(pathNotFound(c, item.path));
          continue;
        }
        if (item.stat.type === 'directory') {
          await c.writeError({ message: `Access to the path '${item.path}' is denied.`, errorId: 'GetContentReaderUnauthorizedAccessError', category: 'PermissionDenied', target: item.path, exceptionType: 'System.UnauthorizedAccessException' });
          continue;
        }
        let bytes: Uint8Array;
        try {
          bytes = c.engine.vfs.readFile(item.path);
        } catch (e) {
          await c.writeError(vfsError(c, e, item.path, 'GetContentReader'));
          continue;
        }
        const enc = c.str('Encoding')?.toLowerCase();
        if (enc === 'byte') {
          const arr = Array.from(bytes);
          for (const b of arr) await c.write(b);
          continue;
        }
        const text = decodeContent(bytes);
        c.engine.limits.checkString(text.length);
        if (c.switch('Raw')) {
          if (text !== '') await c.write(text);
          continue;
        }
        let lines = c.has('Delimiter') ? splitDelimited(text, c.str('Delimiter') ?? '\n') : contentLines(text);
        if (c.has('TotalCount')) {
          const n = Number(c.get('TotalCount'));
          if (n >= 0) lines = lines.slice(0, n);
        }
        if (c.has('Tail')) lines = lines.slice(Math.max(0, lines.length - Number(c.get('Tail'))));
        const readCount = c.has('ReadCount') ? Number(c.get('ReadCount')) : 1;
        if (readCount === 0) {
          await c.write(lines);
          continue;
        }
        if (readCount > 1) {
          for (let i = 0; i < lines.length; i += readCount) await c.write(lines.slice(i, i + readCount));
          continue;
        }
        for (const l of lines) await c.write(l);
      }
    }
  },
});

function splitDelimited(text: string, delim: string): string[] {
  if (delim === '') return [text];
  const out: string[] = [];
  let i = 0;
  for (;;) {
    const j = text.indexOf(delim, i);
    if (j < 0) {
      if (i < text.length) out.push(text.slice(i));
      break;
    }
    out.push(text.slice(i, j + delim.length));
    i = j + delim.length;
  }
  return out;
}

function contentWriter(name: 'Set-Content' | 'Add-Content'): CmdletDef {
  const append = name === 'Add-Content';
  return def(name, [
    { name: 'Path', type: 'string[]', position: 0, pipeline: 'property', mandatory: true },
    { name: 'LiteralPath', aliases: ['PSPath'], type: 'string[]', pipeline: 'property' },
    { name: 'Value', type: 'object[]', position: 1, pipeline: 'value', mandatory: true },
    { name: 'Encoding', type: 'string', validateSet: ['Unknown', 'String', 'Unicode', 'Byte', 'BigEndianUnicode', 'UTF8', 'UTF7', 'UTF32', 'Ascii', 'Default', 'Oem', 'BigEndianUTF32'] },
    { name: 'NoNewline', type: 'switch' },
    { name: 'PassThru', type: 'switch' },
    { name: 'Force', type: 'switch' },
    { name: 'Filter', type: 'string' },
    { name: 'Include', type: 'string[]' },
    { name: 'Exclude', type: 'string[]' },
  ], {
    shouldProcess: true,
    begin: async (c) => {
      (c as CmdletContext & { _values?: PSValue[] })._values = [];
    },
    process: async (c, input) => {
      const bag = c as CmdletContext & { _values?: PSValue[] };
      const v = input !== undefined ? input : (c.get('Value') ?? null);
      const items = Array.isArray(v) ? v : [v];
      bag._values?.push(...items);
      c.engine.limits.checkArray(bag._values?.length ?? 0);
    },
    end: async (c) => {
      const values = (c as CmdletContext & { _values?: PSValue[] })._values ?? [];
      const { paths, literal } = pathArgs(c, undefined);
      const enc = (c.str('Encoding') ?? 'Default').toLowerCase();
      const noNewline = c.switch('NoNewline');
      for (const p of paths) {
        const targets: string[] = [];
        const t = normaliseTyped(c, p);
        if (isEnvPath(t)) {
          const n = t.replace(/^env:\\?/i, '');
          const text = values.map((x) => toStr(x)).join('');
          c.engine.env.set(n, append ? (c.engine.env.get(n) ?? '') + text : text);
          continue;
        }
        if (!literal && hasWildcard(p)) {
          const r = resolvePaths(c, p, false);
          if (!Array.isArray(r)) {
            await c.writeError(r);
            continue;
          }
          for (const item of r) if (item.kind === 'fs') targets.push(item.path);
        } else {
          const f = fullPath(c, p);
          if (typeof f !== 'string') {
            await c.writeError(f);
            continue;
          }
          targets.push(f);
        }
        for (const target of targets) {
          if (c.whatIf) {
            await c.host(`What if: Performing the operation "${append ? 'Add Content' : 'Set Content'}" on target "Path: ${target}".\n`);
            continue;
          }
          const st = c.engine.vfs.stat(target);
          if (st?.type === 'directory') {
            await c.writeError({ message: `Access to the path '${target}' is denied.`, errorId: `${append ? 'Add' : 'Set'}ContentWriterUnauthorizedAccessError`, category: 'PermissionDenied', target, exceptionType: 'System.UnauthorizedAccessException' });
            continue;
          }
          let data: Uint8Array;
          if (enc === 'byte') data = Uint8Array.from(values.map((x) => Number(x) & 0xff));
          else {
            const text = noNewline ? values.map((x) => toStr(x)).join('') : values.map((x) => toStr(x) + '\r\n').join('');
            const exists = st !== undefined;
            data = encodeContent(text, enc, !(append && exists));
          }
          try {
            if (st?.readOnly === true && c.switch('Force')) {
              /* -Force writes read-only files: the VFS has no attribute API here, write anyway */
            }
            c.engine.vfs.writeFile(target, data, append ? { append: true } : {});
          } catch (e) {
            if (e instanceof VfsError && (e.code === 'ENOENT' || e.code === 'ENOTDIR')) {
              await c.writeError({
                message: `Could not find a part of the path '${target}'.`,
                errorId: `${append ? 'Add' : 'Get'}ContentWriterDirectoryNotFoundError`,
                category: 'ObjectNotFound',
                target,
                exceptionType: 'System.IO.DirectoryNotFoundException',
              });
              continue;
            }
            await c.writeError(vfsError(c, e, target, `${append ? 'Add' : 'Set'}ContentWriter`));
            continue;
          }
          if (c.switch('PassThru')) for (const v of values) await c.write(v);
        }
      }
    },
  });
}

export const setContent = contentWriter('Set-Content');
export const addContent = contentWriter('Add-Content');

export const clearContent = def('Clear-Content', [...PATH_PARAMS, { name: 'Force', type: 'switch' }], {
  shouldProcess: true,
  process: async (c, input) => {
    const { paths, literal } = pathArgs(c, input);
    for (const p of paths) {
      const r = resolvePaths(c, p, literal);
      if (!Array.isArray(r)) {
        await c.writeError(r);
        continue;
      }
      for (const item of r) {
        if (item.kind !== 'fs' || item.stat === undefined) {
          await c.writeError(pathNotFound(c, item.kind === 'fs' ? item.path : p));
          continue;
        }
        c.engine.vfs.writeFile(item.path, new Uint8Array(0));
      }
    }
  },
});

// ---- New-Item / Remove-Item / Copy-Item / Move-Item / Rename-Item -----------------------------------

export const newItem = def('New-Item', [
  { name: 'Path', type: 'string[]', position: 0, pipeline: 'property' },
  { name: 'Name', type: 'string', pipeline: 'property' },
  { name: 'ItemType', aliases: ['Type'], type: 'string', pipeline: 'property' },
  { name: 'Value', aliases: ['Target'], type: 'object', pipeline: 'both' },
  { name: 'Force', type: 'switch' },
], {
  shouldProcess: true,
  process: async (c) => {
    const bases = c.strs('Path') ?? ['.'];
    const name = c.str('Name');
    const type = (c.str('ItemType') ?? 'File').toLowerCase();
    const isDir = type === 'directory' || type === 'container' || type === 'd';
    if (!isDir && type !== 'file' && type !== 'f') {
      c.terminate({ message: 'The type is not a known type for the file system. Only "file","directory" or "symboliclink" can be specified.', errorId: 'NewItemIOError', category: 'WriteError', exceptionType: 'System.IO.IOException' });
    }
    for (const b of bases) {
      const typed = name !== undefined ? (b === '.' && c.strs('Path') === undefined ? name : `${b.replace(/[\\/]+$/, '')}\\${name}`) : b;
      const target = fullPath(c, typed);
      if (typeof target !== 'string') {
        await c.writeError(target);
        continue;
      }
      const force = c.switch('Force');
      if (c.whatIf) {
        await c.host(`What if: Performing the operation "${isDir ? 'Create Directory' : 'Create File'}" on target "Destination: ${target}".\n`);
        continue;
      }
      const existing = c.engine.vfs.stat(target);
      try {
        if (isDir) {
          if (existing !== undefined) {
            if (!force || existing.type !== 'directory') {
              await c.writeError({ message: `An item with the specified name ${target} already exists.`, errorId: 'DirectoryExist', category: 'ResourceExists', target, exceptionType: 'System.IO.IOException' });
              continue;
            }
          } else c.engine.vfs.mkdir(target, { recursive: true });
        } else {
          if (existing !== undefined && (!force || existing.type === 'directory')) {
            await c.writeError(
              existing.type === 'directory'
                ? { message: `Access to the path '${target}' is denied.`, errorId: 'NewItemUnauthorizedAccessError', category: 'PermissionDenied', target, exceptionType: 'System.UnauthorizedAccessException' }
                : { message: `The file '${target}' already exists.`, errorId: 'NewItemIOError', category: 'WriteError', target, exceptionType: 'System.IO.IOException' },
            );
            continue;
          }
          const parent = parentOf(target);
          if (parent !== undefined && c.engine.vfs.stat(parent) === undefined) {
            if (force) c.engine.vfs.mkdir(parent, { recursive: true });
            else {
              await c.writeError({ message: `Could not find a part of the path '${target}'.`, errorId: 'NewItemIOError', category: 'WriteError', target, exceptionType: 'System.IO.DirectoryNotFoundException' });
              continue;
            }
          }
          const v = c.get('Value');
          const text = v === undefined || v === null ? '' : Array.isArray(v) ? v.map((x) => toStr(x)).join('\r\n') : toStr(v);
          c.engine.vfs.writeFile(target, encodeContent(text, 'Default'));
        }
      } catch (e) {
        await c.writeError(vfsError(c, e, target, 'NewItem'));
        continue;
      }
      const st = c.engine.vfs.stat(target);
      if (st !== undefined) await c.write(fsItem(c, st, { nameToString: false }));
    }
  },
});

export const removeItem = def('Remove-Item', [
  ...PATH_PARAMS.map((p) => (p.name === 'Path' ? { ...p, mandatory: true } : p)),
  { name: 'Recurse', aliases: ['r'], type: 'switch' },
  { name: 'Force', type: 'switch' },
  { name: 'Filter', type: 'string' },
  { name: 'Include', type: 'string[]' },
  { name: 'Exclude', type: 'string[]' },
], {
  shouldProcess: true,
  process: async (c, input) => {
    const { paths, literal } = pathArgs(c, input);
    for (const p of paths) {
      const r = resolvePaths(c, p, literal);
      if (!Array.isArray(r)) {
        await c.writeError(r);
        continue;
      }
      if (r.length === 0 && hasWildcard(p) && !literal) continue;
      for (const item of r) {
        if (item.kind === 'env') {
          if (item.name !== undefined) c.engine.env.set(item.name, undefined);
          continue;
        }
        if (item.stat === undefined) {
          await c.writeError(pathNotFound(c, item.path));
          continue;
        }
        const inc = patterns(c, 'Include');
        const exc = patterns(c, 'Exclude');
        if (inc.length > 0 && !inc.some((x) => x.test(item.stat?.name ?? ''))) continue;
        if (exc.some((x) => x.test(item.stat?.name ?? ''))) continue;
        if (c.whatIf) {
          await c.host(`What if: Performing the operation "${item.stat.type === 'directory' ? 'Remove Directory' : 'Remove File'}" on target "${item.path}".\n`);
          continue;
        }
        if ((item.stat.hidden || item.stat.readOnly) && !c.switch('Force')) {
          await c.writeError({
            message: `You do not have sufficient access rights to perform this operation.`,
            errorId: item.stat.type === 'directory' ? 'RemoveFileSystemItemUnAuthorizedAccess' : 'RemoveFileSystemItemUnAuthorizedAccess',
            category: 'PermissionDenied',
            target: item.path,
            exceptionType: 'System.IO.IOException',
          });
          continue;
        }
        if (item.stat.type === 'directory' && !c.switch('Recurse')) {
          let children: VfsStat[] = [];
          try {
            children = c.engine.vfs.readdir(item.path);
          } catch {
            children = [];
          }
          if (children.length > 0) {
            // Windows PowerShell asks for confirmation here; a non-interactive host cannot.
            await c.writeError({
              message: 'Windows PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.',
              errorId: 'System.Management.Automation.Host.HostException',
              category: 'NotSpecified',
              target: item.path,
              exceptionType: 'System.Management.Automation.Host.HostException',
            });
            continue;
          }
        }
        try {
          c.engine.vfs.remove(item.path, { recursive: c.switch('Recurse') || item.stat.type === 'file' ? true : false });
        } catch (e) {
          if (e instanceof VfsError && e.code === 'ENOTEMPTY') {
            await c.writeError({ message: `Directory ${item.path} cannot be removed because it is not empty.`, errorId: 'DirectoryNotEmpty', category: 'WriteError', target: item.path, exceptionType: 'System.IO.IOException' });
            continue;
          }
          await c.writeError(vfsError(c, e, item.path, 'RemoveFileSystemItem'));
        }
      }
    }
  },
});

function copyTree(c: CmdletContext, from: string, to: string): void {
  const st = c.engine.vfs.stat(from);
  if (st === undefined) return;
  c.engine.step();
  if (st.type === 'file') {
    c.engine.vfs.copyFile(from, to);
    return;
  }
  if (c.engine.vfs.stat(to) === undefined) c.engine.vfs.mkdir(to, { recursive: true });
  for (const e of c.engine.vfs.readdir(from)) copyTree(c, e.path, joinPath(to, e.name));
}

function transfer(name: 'Copy-Item' | 'Move-Item'): CmdletDef {
  const move = name === 'Move-Item';
  return def(name, [
    ...PATH_PARAMS.map((p) => (p.name === 'Path' ? { ...p, mandatory: true } : p)),
    { name: 'Destination', type: 'string', position: 1, pipeline: 'property' },
    { name: 'Recurse', type: 'switch' },
    { name: 'Force', type: 'switch' },
    { name: 'PassThru', type: 'switch' },
    { name: 'Container', type: 'switch' },
    { name: 'Filter', type: 'string' },
    { name: 'Include', type: 'string[]' },
    { name: 'Exclude', type: 'string[]' },
  ], {
    shouldProcess: true,
    process: async (c, input) => {
      const { paths, literal } = pathArgs(c, input);
      const destTyped = c.str('Destination') ?? '.';
      const dest = fullPath(c, destTyped);
      if (typeof dest !== 'string') {
        await c.writeError(dest);
        return;
      }
      for (const p of paths) {
        const r = resolvePaths(c, p, literal);
        if (!Array.isArray(r)) {
          await c.writeError(r);
          continue;
        }
        for (const item of r) {
          if (item.kind !== 'fs') continue;
          if (item.stat === undefined) {
            await c.writeError(pathNotFound(c, item.path));
            continue;
          }
          const destStat = c.engine.vfs.stat(dest);
          const target = destStat?.type === 'directory' ? joinPath(dest, item.stat.name) : dest;
          if (c.whatIf) {
            await c.host(`What if: Performing the operation "${move ? 'Move' : 'Copy'} ${item.stat.type === 'directory' ? 'Directory' : 'File'}" on target "Item: ${item.path} Destination: ${target}".\n`);
            continue;
          }
          if (target.toLowerCase() === item.path.toLowerCase()) {
            await c.writeError({ message: `Cannot overwrite the item ${item.path} with itself.`, errorId: move ? 'MoveItemIOError' : 'CopyError', category: 'WriteError', target: item.path, exceptionType: 'System.IO.IOException' });
            continue;
          }
          try {
            if (move) {
              const existing = c.engine.vfs.stat(target);
              if (existing !== undefined) {
                if (c.switch('Force') && existing.type === 'file') c.engine.vfs.remove(target);
                else {
                  await c.writeError({ message: 'Cannot create a file when that file already exists.', errorId: item.stat.type === 'directory' ? 'MoveDirectoryItemIOError' : 'MoveFileInfoItemIOError', category: 'WriteError', target: item.path, exceptionType: 'System.IO.IOException' });
                  continue;
                }
              }
              c.engine.vfs.rename(item.path, target);
            } else if (item.stat.type === 'directory') {
              if (c.switch('Recurse')) copyTree(c, item.path, target);
              else if (c.engine.vfs.stat(target) === undefined) c.engine.vfs.mkdir(target);
            } else {
              c.engine.vfs.copyFile(item.path, target);
            }
          } catch (e) {
            await c.writeError(vfsError(c, e, target, move ? 'MoveFileInfoItem' : 'CopyFileInfoItem'));
            continue;
          }
          if (c.switch('PassThru')) {
            const st = c.engine.vfs.stat(target);
            if (st !== undefined) await c.write(fsItem(c, st, { nameToString: false }));
          }
        }
      }
    },
  });
}

export const copyItem = transfer('Copy-Item');
export const moveItem = transfer('Move-Item');

export const renameItem = def('Rename-Item', [
  { name: 'Path', type: 'string', position: 0, pipeline: 'both', mandatory: true },
  { name: 'LiteralPath', aliases: ['PSPath'], type: 'string', pipeline: 'property' },
  { name: 'NewName', type: 'string', position: 1, mandatory: true },
  { name: 'Force', type: 'switch' },
  { name: 'PassThru', type: 'switch' },
], {
  shouldProcess: true,
  process: async (c) => {
    const typed = c.str('LiteralPath') ?? c.str('Path') ?? '';
    const src = fullPath(c, typed);
    if (typeof src !== 'string') {
      await c.writeError(src);
      return;
    }
    if (c.engine.vfs.stat(src) === undefined) {
      await c.writeError({ message: `Cannot rename because item at '${typed}' does not exist.`, errorId: 'InvalidOperation', category: 'InvalidOperation', exceptionType: 'System.Management.Automation.PSInvalidOperationException' });
      return;
    }
    const newName = c.str('NewName') ?? '';
    if (/[\\/]/.test(newName)) {
      await c.writeError({ message: 'Cannot rename the specified target, because it represents a path or device name.', errorId: 'Argument', category: 'InvalidArgument', target: newName, exceptionType: 'System.ArgumentException' });
      return;
    }
    const parent = parentOf(src) ?? src;
    const target = joinPath(parent, newName);
    try {
      c.engine.vfs.rename(src, target);
    } catch (e) {
      await c.writeError(vfsError(c, e, target, 'RenameItem'));
      return;
    }
    if (c.switch('PassThru')) {
      const st = c.engine.vfs.stat(target);
      if (st !== undefined) await c.write(fsItem(c, st, { nameToString: false }));
    }
  },
});

// ---- Test-Path / locations / path helpers --------------------------------------------------------

export const testPath = def('Test-Path', [
  { name: 'Path', type: 'string[]', position: 0, pipeline: 'both', mandatory: true },
  { name: 'LiteralPath', aliases: ['PSPath'], type: 'string[]', pipeline: 'property' },
  { name: 'PathType', aliases: ['Type'], type: 'string', validateSet: ['Any', 'Container', 'Leaf'] },
  { name: 'IsValid', type: 'switch' },
  { name: 'Filter', type: 'string' },
  { name: 'Include', type: 'string[]' },
  { name: 'Exclude', type: 'string[]' },
  { name: 'OlderThan', type: 'datetime' },
  { name: 'NewerThan', type: 'datetime' },
], {
  process: async (c, input) => {
    const { paths, literal } = pathArgs(c, input);
    const want = (c.str('PathType') ?? 'Any').toLowerCase();
    for (const p of paths) {
      if (p === '') {
        c.terminate({ message: "Cannot bind argument to parameter 'Path' because it is an empty string.", errorId: 'ParameterArgumentValidationErrorEmptyStringNotAllowed', category: 'InvalidData', exceptionType: 'System.Management.Automation.ParameterBindingValidationException' });
      }
      if (c.switch('IsValid')) {
        await c.write(typeof fullPath(c, p) === 'string');
        continue;
      }
      const r = resolvePaths(c, p, literal);
      if (!Array.isArray(r)) {
        await c.write(false);
        continue;
      }
      let ok = false;
      for (const item of r) {
        if (item.kind === 'env') {
          ok = item.name === undefined || envEntries(c, item.name).length > 0;
          if (want === 'container') ok = item.name === undefined;
          if (want === 'leaf') ok = ok && item.name !== undefined;
          continue;
        }
        if (item.stat === undefined) continue;
        if (want === 'container' && item.stat.type !== 'directory') continue;
        if (want === 'leaf' && item.stat.type !== 'file') continue;
        ok = true;
      }
      await c.write(ok);
    }
  },
});

export const getLocation = def('Get-Location', [{ name: 'PSProvider', type: 'string[]' }, { name: 'PSDrive', type: 'string[]' }, { name: 'Stack', type: 'switch' }, { name: 'StackName', type: 'string[]' }], {
  process: async (c) => {
    await c.write(c.engine.pathInfo(c.engine.location));
  },
});

const locationStack: WeakMap<object, string[]> = new WeakMap();

async function setLocationTo(c: CmdletContext, typed: string | undefined): Promise<boolean> {
  const t = typed === undefined ? toStr(c.frame.scope.lookup('HOME')?.value ?? c.engine.location) : normaliseTyped(c, typed);
  let target: string;
  if (!hasWildcard(t)) {
    const f = fullPath(c, t);
    if (typeof f !== 'string') {
      await c.writeError(f);
      return false;
    }
    target = f;
  } else {
    const r = resolvePaths(c, t, false);
    if (!Array.isArray(r) || r.length === 0 || r[0]?.kind !== 'fs') {
      await c.writeError(pathNotFound(c, t));
      return false;
    }
    target = r[0].path;
  }
  const st = c.engine.vfs.stat(target);
  if (st === undefined || st.type !== 'directory') {
    await c.writeError(pathNotFound(c, target));
    return false;
  }
  c.engine.location = st.path;
  return true;
}

export const setLocation = def('Set-Location', [
  { name: 'Path', type: 'string', position: 0, pipeline: 'both' },
  { name: 'LiteralPath', aliases: ['PSPath'], type: 'string', pipeline: 'property' },
  { name: 'PassThru', type: 'switch' },
  { name: 'StackName', type: 'string' },
], {
  process: async (c) => {
    const ok = await setLocationTo(c, c.str('LiteralPath') ?? c.str('Path'));
    if (ok && c.switch('PassThru')) await c.write(c.engine.pathInfo(c.engine.location));
  },
});

export const pushLocation = def('Push-Location', [{ name: 'Path', type: 'string', position: 0, pipeline: 'both' }, { name: 'LiteralPath', aliases: ['PSPath'], type: 'string' }, { name: 'PassThru', type: 'switch' }, { name: 'StackName', type: 'string' }], {
  process: async (c) => {
    const stack = locationStack.get(c.engine) ?? [];
    locationStack.set(c.engine, stack);
    const before = c.engine.location;
    const typed = c.str('LiteralPath') ?? c.str('Path');
    if (typed === undefined) {
      stack.push(before);
      return;
    }
    if (await setLocationTo(c, typed)) stack.push(before);
  },
});

export const popLocation = def('Pop-Location', [{ name: 'PassThru', type: 'switch' }, { name: 'StackName', type: 'string' }], {
  process: async (c) => {
    const stack = locationStack.get(c.engine) ?? [];
    const p = stack.pop();
    if (p !== undefined) c.engine.location = p;
    if (c.switch('PassThru')) await c.write(c.engine.pathInfo(c.engine.location));
  },
});

export const resolvePath = def('Resolve-Path', [...PATH_PARAMS, { name: 'Relative', type: 'switch' }], {
  process: async (c, input) => {
    const { paths, literal } = pathArgs(c, input);
    for (const p of paths) {
      const r = resolvePaths(c, p, literal);
      if (!Array.isArray(r)) {
        await c.writeError(r);
        continue;
      }
      for (const item of r) {
        if (item.kind !== 'fs') continue;
        if (item.stat === undefined) {
          await c.writeError(pathNotFound(c, item.path));
          continue;
        }
        if (c.switch('Relative')) {
          const base = c.engine.location.endsWith('\\') ? c.engine.location : c.engine.location + '\\';
          await c.write(item.stat.path.toLowerCase().startsWith(base.toLowerCase()) ? `.\\${item.stat.path.slice(base.length)}` : item.stat.path);
        } else await c.write(c.engine.pathInfo(item.stat.path));
      }
    }
  },
});

export const splitPath = def('Split-Path', [
  { name: 'Path', type: 'string[]', position: 0, pipeline: 'both', mandatory: true },
  { name: 'LiteralPath', aliases: ['PSPath'], type: 'string[]', pipeline: 'property' },
  { name: 'Parent', type: 'switch' },
  { name: 'Leaf', type: 'switch' },
  { name: 'Qualifier', type: 'switch' },
  { name: 'NoQualifier', type: 'switch' },
  { name: 'IsAbsolute', type: 'switch' },
  { name: 'Resolve', type: 'switch' },
], {
  process: async (c, input) => {
    const { paths } = pathArgs(c, input);
    for (const raw of paths) {
      const p = raw.replace(/\//g, '\\');
      if (c.switch('IsAbsolute')) {
        await c.write(/^[A-Za-z]:\\/.test(p) || p.startsWith('\\\\'));
        continue;
      }
      if (c.switch('Qualifier')) {
        const m = /^([A-Za-z][A-Za-z0-9]*:)/.exec(p);
        if (m === null) {
          await c.writeError({ message: `Cannot parse path because path '${raw}' does not have a qualifier specified.`, errorId: 'ParsePathFormatError', category: 'InvalidArgument', target: raw, exceptionType: 'System.Management.Automation.PSArgumentException' });
        } else await c.write(m[1] ?? '');
        continue;
      }
      if (c.switch('NoQualifier')) {
        await c.write(p.replace(/^[A-Za-z][A-Za-z0-9]*:/, ''));
        continue;
      }
      const trimmed = p.length > 3 ? p.replace(/\\+$/, '') : p;
      const i = trimmed.lastIndexOf('\\');
      if (c.switch('Leaf')) {
        await c.write(i < 0 ? trimmed.replace(/^[A-Za-z]:/, '') : trimmed.slice(i + 1));
        continue;
      }
      if (i < 0) {
        await c.write('');
        continue;
      }
      let parent = trimmed.slice(0, i);
      if (/^[A-Za-z]:$/.test(parent)) parent += '\\';
      await c.write(parent);
    }
  },
});

export const joinPathCmd = def('Join-Path', [
  { name: 'Path', aliases: ['PSPath'], type: 'string[]', position: 0, pipeline: 'both', mandatory: true },
  { name: 'ChildPath', type: 'string', position: 1, mandatory: true },
  { name: 'Resolve', type: 'switch' },
], {
  process: async (c) => {
    for (const p of c.strs('Path') ?? []) {
      const child = (c.str('ChildPath') ?? '').replace(/\//g, '\\').replace(/^\\+/, '');
      const base = p.replace(/\//g, '\\').replace(/\\+$/, '');
      await c.write(child === '' ? (base.endsWith(':') ? base + '\\' : base + '\\') : `${base}\\${child}`);
    }
  },
});

export const ITEM_CMDLETS: CmdletDef[] = [
  getChildItem, getItem, getContent, setContent, addContent, clearContent, newItem, removeItem, copyItem, moveItem, renameItem, testPath, getLocation, setLocation, pushLocation, popLocation, resolvePath, splitPath, joinPathCmd,
];
