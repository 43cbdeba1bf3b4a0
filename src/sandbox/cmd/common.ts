// Helpers shared by the interpreter, the internal commands and the programs (no cycles).
import type { VfsError } from '../vfs/types.js';
import { LineReader } from './io.js';
import type { CmdRuntime, Invocation } from './types.js';

export const SYNTAX_ERROR = 'The syntax of the command is incorrect.\r\n';

/** Line-wise stdin of a command, sharing the process's buffer when it reads the process's stdin. */
export function lineReaderOf(inv: Invocation): LineReader {
  return inv.io.stdin instanceof LineReader ? inv.io.stdin : new LineReader(inv.io.stdin);
}

/** Thrown by `exit`: ends the cmd.exe process with `code`. */
export class ExitSignal {
  constructor(readonly code: number) {}
}

export const NOT_RECOGNIZED_EXIT = 9009;

export function notRecognized(name: string): string {
  return `'${name}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`;
}

/** The Win32 message cmd prints for a VFS error on a path. */
export function messageFor(e: VfsError, rt: CmdRuntime, path?: string): string {
  switch (e.code) {
    case 'ENOENT': {
      if (path !== undefined) {
        const slash = path.lastIndexOf('\\');
        const parent = slash > 2 ? path.slice(0, slash) : path.slice(0, 3);
        const st = rt.vfs.stat(parent);
        if (st?.type !== 'directory') return 'The system cannot find the path specified.';
      }
      return 'The system cannot find the file specified.';
    }
    case 'ENOTDIR':
      return 'The directory name is invalid.';
    case 'EISDIR':
    case 'EACCES':
      return 'Access is denied.';
    case 'EEXIST':
      return 'Cannot create a file when that file already exists.';
    case 'ENOTEMPTY':
      return 'The directory is not empty.';
    case 'EINVAL':
      return 'The filename, directory name, or volume label syntax is incorrect.';
    case 'ENOSPC':
      return 'There is not enough space on the disk.';
  }
}

export function wildcardRegExp(pattern: string): RegExp {
  // `*.*` matches names without a dot too; a trailing `.*` is optional as in Windows.
  let p = pattern;
  if (p === '*.*') p = '*';
  const body = [...p].map((c) => (c === '*' ? '.*' : c === '?' ? '.?' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'is');
}

/** cmd's number syntax: decimal, 0x hex, 0 octal, optional sign. */
export function strictInt(s: string): number | undefined {
  const m = /^([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i.exec(s.trim());
  if (m === null) return undefined;
  const digits = m[2] ?? '0';
  let v: number;
  if (/^0x/i.test(digits)) v = Number.parseInt(digits.slice(2), 16);
  else if (digits.length > 1 && digits.startsWith('0')) v = Number.parseInt(digits.slice(1), 8);
  else v = Number.parseInt(digits, 10);
  return m[1] === '-' ? -v : v;
}

