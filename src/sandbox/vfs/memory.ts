// The in-memory virtual file system of one emulated host (issue: the sandbox, item 4). Windows
// path semantics (path.ts), case-insensitive and case-preserving names, bounded total size and
// entry count, timestamps from the injected clock. Nothing here touches the real file system:
// a path is only ever a key into the maps below.
import type { Clock } from '../../core/clock.js';
import { VfsError, type Vfs, type VfsStat } from './types.js';
import { baseName, compareNames, deviceOf, formatPath, nameKey, parseAbsolute, resolvePath, type ParsedPath } from './path.js';
import { defaultTree } from './default-tree.js';

/** A plain description of files and directories to create (config `files`, tests). */
export interface VfsSeed {
  readonly directories?: readonly string[];
  readonly files?: readonly { readonly path: string; readonly text?: string; readonly base64?: string }[];
}

export interface HostVfsOptions {
  readonly clock: Clock;
  /** Local users: each gets `C:\Users\<name>` with Desktop, Documents, Downloads… */
  readonly users: readonly string[];
  /** Applied after the default tree. */
  readonly seed?: VfsSeed;
  /** Leave out the default Windows Server 2019 tree (only the seed and `C:\`). */
  readonly bare?: boolean;
  /** Total bytes of file content; ENOSPC beyond. */
  readonly limitBytes?: number;
  /** Files and directories together; ENOSPC beyond. */
  readonly maxFiles?: number;
}

/** JSON-able image of a VFS, for optional persistence (snapshot/restore). */
export interface VfsSnapshot {
  readonly version: 1;
  readonly drives: readonly { readonly letter: string; readonly root: SnapshotNode }[];
}

export interface SnapshotNode {
  readonly type: 'file' | 'directory';
  readonly name: string;
  readonly created: number;
  readonly modified: number;
  readonly readOnly?: boolean;
  readonly hidden?: boolean;
  /** File content, base64. */
  readonly data?: string;
  readonly children?: readonly SnapshotNode[];
}

export interface HostVfs extends Vfs {
  snapshot(): VfsSnapshot;
  restore(snapshot: VfsSnapshot): void;
  /** `attrib +r +h`: the VFS interface has no such call, the default tree and seeds need it. */
  setAttributes(path: string, attrs: { readonly readOnly?: boolean; readonly hidden?: boolean }): void;
  /** Apply a seed: parents are created as needed, existing files are replaced. */
  seed(seed: VfsSeed): void;
  /** Files and directories in use and the bound. */
  entries(): { readonly count: number; readonly limit: number };
}

export const DEFAULT_LIMIT_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_FILES = 20_000;

interface DirNode {
  type: 'directory';
  name: string;
  created: number;
  modified: number;
  readOnly: boolean;
  hidden: boolean;
  children: Map<string, Node>;
}

interface FileNode {
  type: 'file';
  name: string;
  created: number;
  modified: number;
  readOnly: boolean;
  hidden: boolean;
  data: Uint8Array;
}

type Node = DirNode | FileNode;

const EMPTY = new Uint8Array(0);

function err(code: VfsError['code'], path: string): VfsError {
  const text: Record<VfsError['code'], string> = {
    ENOENT: 'The system cannot find the file specified.',
    ENOTDIR: 'The directory name is invalid.',
    EISDIR: 'Access is denied.',
    EEXIST: 'Cannot create a file when that file already exists.',
    ENOTEMPTY: 'The directory is not empty.',
    EINVAL: 'The filename, directory name, or volume label syntax is incorrect.',
    EACCES: 'Access is denied.',
    ENOSPC: 'There is not enough space on the disk.',
  };
  return new VfsError(code, path, text[code]);
}

export class MemoryVfs implements HostVfs {
  private drives = new Map<string, DirNode>();
  private bytes = 0;
  private count = 0;
  private readonly clock: Clock;
  readonly limitBytes: number;
  readonly maxFiles: number;

  constructor(opts: { clock: Clock; limitBytes?: number; maxFiles?: number }) {
    this.clock = opts.clock;
    this.limitBytes = opts.limitBytes ?? DEFAULT_LIMIT_BYTES;
    this.maxFiles = opts.maxFiles ?? DEFAULT_MAX_FILES;
    this.drives.set('C', this.newDir(''));
  }

  private newDir(name: string): DirNode {
    const t = this.clock.now();
    return { type: 'directory', name, created: t, modified: t, readOnly: false, hidden: false, children: new Map() };
  }

  resolve(cwd: string, p: string): string {
    return resolvePath(cwd, p);
  }

  /** Canonical parse of a path given to an operation; devices are handled by the callers. */
  private parse(path: string): ParsedPath {
    return parseAbsolute(resolvePath('C:\\', path));
  }

  private lookup(p: ParsedPath): Node | undefined {
    let node: Node | undefined = this.drives.get(p.drive);
    for (const part of p.parts) {
      if (node === undefined || node.type !== 'directory') return undefined;
      node = node.children.get(nameKey(part));
    }
    return node;
  }

  /** The directory that holds the last component, or the error Windows gives. */
  private parentDir(p: ParsedPath, path: string): DirNode {
    if (p.parts.length === 0) throw err('EACCES', path);
    const parent = this.lookup({ drive: p.drive, parts: p.parts.slice(0, -1) });
    if (parent === undefined) throw err('ENOENT', path);
    if (parent.type !== 'directory') throw err('ENOTDIR', path);
    return parent;
  }

  private canonical(p: ParsedPath): string {
    // Rebuild with the case each component was created with.
    const names: string[] = [];
    let node: Node | undefined = this.drives.get(p.drive);
    for (const part of p.parts) {
      const next: Node | undefined = node?.type === 'directory' ? node.children.get(nameKey(part)) : undefined;
      names.push(next?.name ?? part);
      node = next;
    }
    return formatPath({ drive: p.drive, parts: names });
  }

  private statOf(node: Node, p: ParsedPath): VfsStat {
    const path = this.canonical(p);
    return {
      type: node.type,
      path,
      name: p.parts.length === 0 ? path : node.name,
      size: node.type === 'file' ? node.data.length : 0,
      created: node.created,
      modified: node.modified,
      readOnly: node.readOnly,
      hidden: node.hidden,
    };
  }

  stat(path: string): VfsStat | undefined {
    if (deviceOf(path) !== undefined) return undefined;
    const p = this.parse(path);
    const node = this.lookup(p);
    return node === undefined ? undefined : this.statOf(node, p);
  }

  readdir(path: string): VfsStat[] {
    const p = this.parse(path);
    const node = this.lookup(p);
    if (node === undefined) throw err('ENOENT', path);
    if (node.type !== 'directory') throw err('ENOTDIR', path);
    const out: VfsStat[] = [];
    for (const child of node.children.values()) out.push(this.statOf(child, { drive: p.drive, parts: [...p.parts, child.name] }));
    out.sort((a, b) => compareNames(a.name, b.name));
    return out;
  }

  readFile(path: string): Uint8Array {
    const dev = deviceOf(path);
    if (dev === 'NUL') return EMPTY;
    if (dev !== undefined) throw err('ENOENT', path);
    const node = this.lookup(this.parse(path));
    if (node === undefined) throw err('ENOENT', path);
    if (node.type !== 'file') throw err('EISDIR', path);
    return node.data.slice();
  }

  writeFile(path: string, data: Uint8Array, opts?: { append?: boolean }): void {
    const dev = deviceOf(path);
    if (dev === 'NUL') return; // NUL swallows everything
    if (dev !== undefined) throw err('ENOENT', path);
    const p = this.parse(path);
    const parent = this.parentDir(p, path);
    const name = p.parts[p.parts.length - 1] ?? '';
    const existing = parent.children.get(nameKey(name));
    const now = this.clock.now();
    if (existing !== undefined) {
      if (existing.type === 'directory') throw err('EISDIR', path);
      if (existing.readOnly) throw err('EACCES', path);
      const next = opts?.append === true ? concat(existing.data, data) : data.slice();
      this.reserve(next.length - existing.data.length, 0, path);
      existing.data = next;
      existing.modified = now;
      return;
    }
    this.reserve(data.length, 1, path);
    parent.children.set(nameKey(name), { type: 'file', name, created: now, modified: now, readOnly: false, hidden: false, data: data.slice() });
    parent.modified = now;
  }

  /** Account for a change in bytes and entries, refusing it (ENOSPC) over a bound. */
  private reserve(bytes: number, entries: number, path: string): void {
    if (this.bytes + bytes > this.limitBytes || this.count + entries > this.maxFiles) throw err('ENOSPC', path);
    this.bytes += bytes;
    this.count += entries;
  }

  mkdir(path: string, opts?: { recursive?: boolean }): void {
    if (deviceOf(path) !== undefined) throw err('EINVAL', path);
    const p = this.parse(path);
    if (p.parts.length === 0) {
      if (this.drives.has(p.drive)) {
        if (opts?.recursive === true) return;
        throw err('EEXIST', path);
      }
      throw err('ENOENT', path);
    }
    if (opts?.recursive === true) {
      let node: DirNode | undefined = this.drives.get(p.drive);
      if (node === undefined) throw err('ENOENT', path);
      for (const part of p.parts) {
        const next: Node | undefined = node.children.get(nameKey(part));
        if (next === undefined) {
          this.reserve(0, 1, path);
          const dir = this.newDir(part);
          node.children.set(nameKey(part), dir);
          node.modified = dir.created;
          node = dir;
        } else if (next.type === 'file') {
          throw err('EEXIST', path);
        } else {
          node = next;
        }
      }
      return;
    }
    const parent = this.parentDir(p, path);
    const name = p.parts[p.parts.length - 1] ?? '';
    if (parent.children.has(nameKey(name))) throw err('EEXIST', path);
    this.reserve(0, 1, path);
    const dir = this.newDir(name);
    parent.children.set(nameKey(name), dir);
    parent.modified = dir.created;
  }

  remove(path: string, opts?: { recursive?: boolean }): void {
    if (deviceOf(path) !== undefined) throw err('EACCES', path);
    const p = this.parse(path);
    const parent = this.parentDir(p, path);
    const key = nameKey(p.parts[p.parts.length - 1] ?? '');
    const node = parent.children.get(key);
    if (node === undefined) throw err('ENOENT', path);
    if (node.readOnly) throw err('EACCES', path);
    if (node.type === 'directory' && node.children.size > 0) {
      if (opts?.recursive !== true) throw err('ENOTEMPTY', path);
      if (containsReadOnly(node)) throw err('EACCES', path);
    }
    const { bytes, entries } = measure(node);
    parent.children.delete(key);
    parent.modified = this.clock.now();
    this.bytes -= bytes;
    this.count -= entries;
  }

  rename(from: string, to: string): void {
    if (deviceOf(from) !== undefined || deviceOf(to) !== undefined) throw err('EACCES', to);
    const a = this.parse(from);
    const b = this.parse(to);
    const srcParent = this.parentDir(a, from);
    const srcKey = nameKey(a.parts[a.parts.length - 1] ?? '');
    const node = srcParent.children.get(srcKey);
    if (node === undefined) throw err('ENOENT', from);
    const dstParent = this.parentDir(b, to);
    const dstName = b.parts[b.parts.length - 1] ?? '';
    const dstKey = nameKey(dstName);
    const sameEntry = srcParent === dstParent && srcKey === dstKey;
    if (!sameEntry && dstParent.children.has(dstKey)) throw err('EEXIST', to);
    if (node.type === 'directory') {
      // A directory cannot move into itself or below itself.
      const fromKey = a.parts.map(nameKey);
      const toKey = b.parts.map(nameKey);
      if (a.drive === b.drive && toKey.length > fromKey.length && fromKey.every((k, i) => toKey[i] === k)) throw err('EINVAL', to);
    }
    srcParent.children.delete(srcKey);
    node.name = dstName;
    dstParent.children.set(dstKey, node);
    const now = this.clock.now();
    srcParent.modified = now;
    dstParent.modified = now;
  }

  copyFile(from: string, to: string): void {
    const data = this.readFile(from);
    const dst = this.stat(to);
    if (dst?.type === 'directory') throw err('EISDIR', to);
    this.writeFile(to, data);
  }

  usage(): { readonly bytes: number; readonly limit: number } {
    return { bytes: this.bytes, limit: this.limitBytes };
  }

  entries(): { readonly count: number; readonly limit: number } {
    return { count: this.count, limit: this.maxFiles };
  }

  setAttributes(path: string, attrs: { readonly readOnly?: boolean; readonly hidden?: boolean }): void {
    const p = this.parse(path);
    const node = this.lookup(p);
    if (node === undefined) throw err('ENOENT', path);
    if (attrs.readOnly !== undefined) node.readOnly = attrs.readOnly;
    if (attrs.hidden !== undefined) node.hidden = attrs.hidden;
  }

  seed(seed: VfsSeed): void {
    // A seed may name other drives (D:\data): they come into being with it.
    const ensureDrive = (path: string): void => {
      const letter = path.slice(0, 1).toUpperCase();
      if (/^[A-Z]$/.test(letter) && !this.drives.has(letter)) this.drives.set(letter, this.newDir(''));
    };
    for (const dir of seed.directories ?? []) ensureDrive(this.resolve('C:\\', dir));
    for (const f of seed.files ?? []) ensureDrive(this.resolve('C:\\', f.path));
    for (const dir of seed.directories ?? []) this.mkdir(this.resolve('C:\\', dir), { recursive: true });
    for (const f of seed.files ?? []) {
      const path = this.resolve('C:\\', f.path);
      if (deviceOf(path) !== undefined) throw err('EINVAL', f.path);
      const parent = path.slice(0, path.lastIndexOf('\\'));
      this.mkdir(parent.endsWith(':') ? `${parent}\\` : parent, { recursive: true });
      const data = f.base64 !== undefined ? fromBase64(f.base64) : new TextEncoder().encode(f.text ?? '');
      this.writeFile(path, data);
    }
  }

  snapshot(): VfsSnapshot {
    const dump = (node: Node): SnapshotNode => {
      const base = { name: node.name, created: node.created, modified: node.modified, ...(node.readOnly ? { readOnly: true } : {}), ...(node.hidden ? { hidden: true } : {}) };
      if (node.type === 'file') return { type: 'file', ...base, data: toBase64(node.data) };
      const children = [...node.children.values()].sort((x, y) => compareNames(x.name, y.name)).map(dump);
      return { type: 'directory', ...base, children };
    };
    return { version: 1, drives: [...this.drives.entries()].map(([letter, root]) => ({ letter, root: dump(root) })) };
  }

  restore(snapshot: VfsSnapshot): void {
    if (snapshot.version !== 1) throw new VfsError('EINVAL', '', `unsupported VFS snapshot version ${String(snapshot.version)}`);
    const drives = new Map<string, DirNode>();
    let bytes = 0;
    let count = 0;
    const load = (s: SnapshotNode, isRoot: boolean): Node => {
      if (!isRoot) {
        // Names come from a file: hold them to the same rules as typed paths.
        const ok = typeof s.name === 'string' && s.name !== '' && !s.name.includes('\\') && !s.name.includes('/');
        const canonical = ok ? resolvePath('C:\\', s.name) : '';
        if (!ok || baseName(canonical) !== s.name || deviceOf(canonical) !== undefined) {
          throw new VfsError('EINVAL', s.name, `invalid name in VFS snapshot: ${JSON.stringify(s.name)}`);
        }
        count++;
      }
      const attrs = { created: Number(s.created) || 0, modified: Number(s.modified) || 0, readOnly: s.readOnly === true, hidden: s.hidden === true };
      if (s.type === 'file') {
        const data = fromBase64(s.data ?? '');
        bytes += data.length;
        return { type: 'file', name: s.name, ...attrs, data };
      }
      const dir: DirNode = { type: 'directory', name: isRoot ? '' : s.name, ...attrs, children: new Map() };
      for (const c of s.children ?? []) {
        const child = load(c, false);
        if (dir.children.has(nameKey(child.name))) throw new VfsError('EINVAL', child.name, `duplicate name in VFS snapshot: ${child.name}`);
        dir.children.set(nameKey(child.name), child);
      }
      return dir;
    };
    for (const d of snapshot.drives) {
      if (!/^[A-Za-z]$/.test(d.letter)) throw new VfsError('EINVAL', d.letter, `invalid drive in VFS snapshot: ${d.letter}`);
      const root = load(d.root, true);
      if (root.type !== 'directory') throw new VfsError('EINVAL', d.letter, 'a drive root must be a directory');
      drives.set(d.letter.toUpperCase(), root);
    }
    if (bytes > this.limitBytes || count > this.maxFiles) throw err('ENOSPC', 'snapshot');
    this.drives = drives;
    this.bytes = bytes;
    this.count = count;
  }
}

function measure(node: Node): { bytes: number; entries: number } {
  if (node.type === 'file') return { bytes: node.data.length, entries: 1 };
  let bytes = 0;
  let entries = 1;
  for (const c of node.children.values()) {
    const m = measure(c);
    bytes += m.bytes;
    entries += m.entries;
  }
  return { bytes, entries };
}

function containsReadOnly(node: Node): boolean {
  if (node.readOnly) return true;
  if (node.type === 'file') return false;
  for (const c of node.children.values()) if (containsReadOnly(c)) return true;
  return false;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function toBase64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/**
 * The VFS of one emulated host: the default Windows Server 2019 tree (C:\Windows, C:\Users\<user>
 * for each user, …) unless `bare`, then the seed.
 */
export function createHostVfs(opts: HostVfsOptions): HostVfs {
  const vfs = new MemoryVfs({
    clock: opts.clock,
    ...(opts.limitBytes !== undefined ? { limitBytes: opts.limitBytes } : {}),
    ...(opts.maxFiles !== undefined ? { maxFiles: opts.maxFiles } : {}),
  });
  if (opts.bare !== true) {
    const tree = defaultTree(opts.users);
    vfs.seed(tree.seed);
    for (const h of tree.hidden) if (vfs.stat(h) !== undefined) vfs.setAttributes(h, { hidden: true });
  }
  if (opts.seed !== undefined) vfs.seed(opts.seed);
  return vfs;
}
