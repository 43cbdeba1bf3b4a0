// System.IO streams over the virtual file system: [System.IO.File]::Create / Open / OpenRead /
// OpenWrite return a FileStream (Write, Read, Seek, Flush, Close, Dispose, Length, Position), as
// Ansible's winrm put_file uses (`$fd = [System.IO.File]::Create($path); $fd.Write($bytes, 0,
// $bytes.Length); $fd.Close()`), and System.IO.StringWriter over a StringBuilder. Writes go to the
// VFS as they happen, so its size bounds apply to each Write (ENOSPC → IOException "There is not
// enough space on the disk.") [.NET FileStream, File; mscorlib.resx texts].
import { VfsError } from '../../vfs/types.js';
import { toNumber, toStr } from './convert.js';
import { methodException, overloadError } from './members.js';
import type { RuntimeServices } from './services.js';
import { PSEnum, PSObject, type PSValue } from './values.js';

/** FileMode values as .NET numbers them. */
const FILE_MODES = ['', 'CreateNew', 'Create', 'Open', 'OpenOrCreate', 'Truncate', 'Append'] as const;
type FileMode = Exclude<(typeof FILE_MODES)[number], ''>;

function modeOf(v: PSValue, method: string, count: number): FileMode {
  const raw = v instanceof PSEnum ? v.name : typeof v === 'number' ? (FILE_MODES[v] ?? '') : toStr(v).trim();
  const m = FILE_MODES.find((x) => x !== '' && x.toLowerCase() === raw.toLowerCase());
  if (m === undefined || m === '') throw methodException(method, count, `Enum value was out of legal range.\r\nParameter name: mode`, 'ArgumentOutOfRangeException');
  return m;
}

function accessOf(v: PSValue | undefined, mode: FileMode): { read: boolean; write: boolean } {
  if (v === undefined) return mode === 'Append' ? { read: false, write: true } : { read: true, write: true };
  const n = v instanceof PSEnum ? v.value : typeof v === 'number' ? v : /^readwrite$/i.test(toStr(v).trim()) ? 3 : /^write$/i.test(toStr(v).trim()) ? 2 : 1;
  return { read: (n & 1) !== 0, write: (n & 2) !== 0 };
}

/** The .NET exception a VFS failure becomes, as `Exception calling "M" with "N" argument(s)`. */
export function ioMethodError(method: string, count: number, e: unknown, fullPath: string, svc?: RuntimeServices): never {
  if (e instanceof VfsError) {
    if (e.code === 'ENOENT') {
      // the file is missing (FileNotFound) or a folder on its way is (DirectoryNotFound)
      const parent = fullPath.slice(0, Math.max(fullPath.lastIndexOf('\\'), 0));
      let parentIsDir = false;
      try {
        parentIsDir = svc !== undefined && (/^[A-Za-z]:$/.test(parent) || svc.vfs.stat(parent)?.type === 'directory');
      } catch {
        parentIsDir = false;
      }
      if (parentIsDir) throw methodException(method, count, `Could not find file '${fullPath}'.`, 'FileNotFoundException');
      throw methodException(method, count, `Could not find a part of the path '${fullPath}'.`, 'DirectoryNotFoundException');
    }
    if (e.code === 'ENOTDIR') throw methodException(method, count, `Could not find a part of the path '${fullPath}'.`, 'DirectoryNotFoundException');
    if (e.code === 'EACCES' || e.code === 'EISDIR') throw methodException(method, count, `Access to the path '${fullPath}' is denied.`, 'UnauthorizedAccessException');
    if (e.code === 'ENOSPC') throw methodException(method, count, 'There is not enough space on the disk.\r\n', 'IOException');
    if (e.code === 'EEXIST') throw methodException(method, count, `The file '${fullPath}' already exists.`, 'IOException');
    throw methodException(method, count, e.message, 'IOException');
  }
  throw e;
}

function resolveOrThrow(svc: RuntimeServices, p: PSValue, method: string, count: number): string {
  if (p === null || toStr(p) === '') {
    throw methodException(method, count, p === null ? 'Value cannot be null.\r\nParameter name: path' : 'Empty path name is not legal.', p === null ? 'ArgumentNullException' : 'ArgumentException');
  }
  try {
    return svc.resolvePath(toStr(p));
  } catch (e) {
    return ioMethodError(method, count, e, toStr(p));
  }
}

/** Checks .NET's (buffer, offset, count) arguments; returns the array. */
function bufferArgs(method: string, args: PSValue[]): { buf: PSValue[]; off: number; cnt: number } {
  if (args.length !== 3) overloadError(method, args.length);
  const b = args[0] ?? null;
  if (b === null) throw methodException(method, 3, 'Buffer cannot be null.\r\nParameter name: buffer', 'ArgumentNullException');
  const buf = Array.isArray(b) ? b : [b];
  const off = toNumber(args[1] ?? null);
  const cnt = toNumber(args[2] ?? null);
  if (off < 0) throw methodException(method, 3, 'Non-negative number required.\r\nParameter name: offset', 'ArgumentOutOfRangeException');
  if (cnt < 0) throw methodException(method, 3, 'Non-negative number required.\r\nParameter name: count', 'ArgumentOutOfRangeException');
  if (buf.length - off < cnt) {
    throw methodException(method, 3, 'Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection.', 'ArgumentException');
  }
  return { buf, off, cnt };
}

/**
 * A FileStream on `fullPath`, opened per `mode` (the file is created or truncated now, as
 * .NET does). Reads see the VFS content at open time plus this stream's own writes.
 */
export function openFileStream(svc: RuntimeServices, fullPath: string, mode: FileMode, access: { read: boolean; write: boolean }, method: string, count: number): PSObject {
  let data: Uint8Array;
  try {
    const st = svc.vfs.stat(fullPath);
    if (st?.type === 'directory') throw new VfsError('EACCES', fullPath, 'Access is denied.');
    if (mode === 'CreateNew' && st !== undefined) throw new VfsError('EEXIST', fullPath, 'exists');
    if ((mode === 'Open' || mode === 'Truncate') && st === undefined) throw new VfsError('ENOENT', fullPath, 'not found');
    if (mode === 'Create' || mode === 'CreateNew' || mode === 'Truncate' || st === undefined) {
      svc.vfs.writeFile(fullPath, new Uint8Array(0));
      data = new Uint8Array(0);
    } else {
      data = svc.vfs.readFile(fullPath);
    }
  } catch (e) {
    return ioMethodError(method, count, e, fullPath, svc);
  }
  let pos = mode === 'Append' ? data.length : 0;
  let closed = false;
  const o = new PSObject(['System.IO.FileStream', 'System.IO.Stream', 'System.MarshalByRefObject', 'System.Object']);
  const open = (m: string, n: number) => {
    if (closed) throw methodException(m, n, 'Cannot access a closed file.', 'ObjectDisposedException');
  };
  o.addProperty({ name: 'CanRead', kind: 'Property', getter: () => !closed && access.read });
  o.addProperty({ name: 'CanWrite', kind: 'Property', getter: () => !closed && access.write });
  o.addProperty({ name: 'CanSeek', kind: 'Property', getter: () => !closed });
  o.addProperty({ name: 'IsAsync', kind: 'Property', value: false });
  o.addProperty({ name: 'Length', kind: 'Property', getter: () => data.length });
  o.addProperty({ name: 'Name', kind: 'Property', value: fullPath });
  o.addProperty({ name: 'Position', kind: 'Property', getter: () => pos, setter: (v) => void (pos = Math.max(0, toNumber(v))) });
  o.toStringFn = () => 'System.IO.FileStream';
  o.addMethod('Write', (args) => {
    const { buf, off, cnt } = bufferArgs('Write', args);
    open('Write', 3);
    if (!access.write) throw methodException('Write', 3, 'Stream does not support writing.', 'NotSupportedException');
    const chunk = Uint8Array.from(buf.slice(off, off + cnt), (x) => toNumber(x) & 0xff);
    const next = new Uint8Array(Math.max(data.length, pos + cnt));
    next.set(data);
    next.set(chunk, pos);
    try {
      if (pos === data.length) svc.vfs.writeFile(fullPath, chunk, { append: true });
      else svc.vfs.writeFile(fullPath, next);
    } catch (e) {
      return ioMethodError('Write', 3, e, fullPath);
    }
    svc.step(Math.ceil(cnt / 4096));
    data = next;
    pos += cnt;
    return null;
  });
  o.addMethod('WriteByte', (args) => {
    open('WriteByte', args.length);
    return invokeSync(o, 'Write', [[toNumber(args[0] ?? null) & 0xff], 0, 1]);
  });
  o.addMethod('Read', (args) => {
    const { buf, off, cnt } = bufferArgs('Read', args);
    open('Read', 3);
    if (!access.read) throw methodException('Read', 3, 'Stream does not support reading.', 'NotSupportedException');
    const n = Math.max(0, Math.min(cnt, data.length - pos));
    for (let i = 0; i < n; i++) buf[off + i] = data[pos + i] ?? 0;
    svc.step(Math.ceil(n / 4096));
    pos += n;
    return n;
  });
  o.addMethod('ReadByte', () => {
    open('ReadByte', 0);
    return pos < data.length ? (data[pos++] ?? 0) : -1;
  });
  o.addMethod('Seek', (args) => {
    if (args.length !== 2) overloadError('Seek', args.length);
    open('Seek', 2);
    const off = toNumber(args[0] ?? null);
    const origin = toStr(args[1] ?? null).toLowerCase();
    const base = origin === 'current' || origin === '1' ? pos : origin === 'end' || origin === '2' ? data.length : 0;
    if (base + off < 0) throw methodException('Seek', 2, 'An attempt was made to move the file pointer before the beginning of the file.\r\n', 'IOException');
    pos = base + off;
    return pos;
  });
  o.addMethod('SetLength', (args) => {
    open('SetLength', 1);
    const n = toNumber(args[0] ?? null);
    const next = new Uint8Array(n);
    next.set(data.subarray(0, Math.min(n, data.length)));
    try {
      svc.vfs.writeFile(fullPath, next);
    } catch (e) {
      return ioMethodError('SetLength', 1, e, fullPath);
    }
    data = next;
    pos = Math.min(pos, n);
    return null;
  });
  o.addMethod('Flush', () => {
    open('Flush', 0);
    return null;
  });
  const close = () => {
    closed = true;
    return null;
  };
  o.addMethod('Close', close);
  o.addMethod('Dispose', close);
  return o;
}

function invokeSync(o: PSObject, name: string, args: PSValue[]): PSValue {
  const m = o.methods.get(name.toLowerCase());
  return m === undefined ? null : m.fn(args);
}

type StaticFn = (args: PSValue[], svc: RuntimeServices) => PSValue | undefined;

/** Stream-returning statics merged into [System.IO.File]'s. */
export const FILE_STREAM_METHODS: Record<string, StaticFn> = {
  create: (a, s) => {
    if (a.length < 1 || a.length > 4) overloadError('Create', a.length);
    return openFileStream(s, resolveOrThrow(s, a[0] ?? null, 'Create', a.length), 'Create', { read: true, write: true }, 'Create', a.length);
  },
  open: (a, s) => {
    if (a.length < 2 || a.length > 4) overloadError('Open', a.length);
    const full = resolveOrThrow(s, a[0] ?? null, 'Open', a.length);
    const mode = modeOf(a[1] ?? null, 'Open', a.length);
    return openFileStream(s, full, mode, accessOf(a[2], mode), 'Open', a.length);
  },
  openread: (a, s) => {
    if (a.length !== 1) overloadError('OpenRead', a.length);
    return openFileStream(s, resolveOrThrow(s, a[0] ?? null, 'OpenRead', 1), 'Open', { read: true, write: false }, 'OpenRead', 1);
  },
  openwrite: (a, s) => {
    if (a.length !== 1) overloadError('OpenWrite', a.length);
    return openFileStream(s, resolveOrThrow(s, a[0] ?? null, 'OpenWrite', 1), 'OpenOrCreate', { read: false, write: true }, 'OpenWrite', 1);
  },
};

/** [System.IO.FileMode] and friends as their member names (casts and comparisons see the text). */
export const FILE_ENUM_STATICS: Record<string, Record<string, (svc: RuntimeServices) => PSValue>> = {
  'System.IO.FileMode': Object.fromEntries(FILE_MODES.filter((m) => m !== '').map((m) => [m.toLowerCase(), () => new PSEnum('System.IO.FileMode', m, FILE_MODES.indexOf(m))])),
  'System.IO.FileAccess': { read: () => new PSEnum('System.IO.FileAccess', 'Read', 1), write: () => new PSEnum('System.IO.FileAccess', 'Write', 2), readwrite: () => new PSEnum('System.IO.FileAccess', 'ReadWrite', 3) },
  'System.IO.FileShare': {
    none: () => new PSEnum('System.IO.FileShare', 'None', 0),
    read: () => new PSEnum('System.IO.FileShare', 'Read', 1),
    write: () => new PSEnum('System.IO.FileShare', 'Write', 2),
    readwrite: () => new PSEnum('System.IO.FileShare', 'ReadWrite', 3),
    delete: () => new PSEnum('System.IO.FileShare', 'Delete', 4),
  },
};
