// The virtual file system of one emulated host (issue: the sandbox). In memory, Windows path
// semantics; no path, however built, reaches the real file system. Implementations live beside
// this file; programs (cmd.exe, PowerShell) use only this interface.

export interface VfsStat {
  readonly type: 'file' | 'directory';
  /** The path with the case it was created with, e.g. `C:\Users\Administrator`. */
  readonly path: string;
  readonly name: string;
  readonly size: number;
  readonly created: number;
  readonly modified: number;
  readonly readOnly: boolean;
  readonly hidden: boolean;
}

/** Errors carry the Win32 code that cmd.exe and PowerShell turn into their own messages. */
export class VfsError extends Error {
  constructor(
    readonly code: 'ENOENT' | 'ENOTDIR' | 'EISDIR' | 'EEXIST' | 'ENOTEMPTY' | 'EINVAL' | 'EACCES' | 'ENOSPC',
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'VfsError';
  }
}

export interface Vfs {
  /** Resolve `p` against `cwd` into a canonical absolute path (`C:\A\b.txt`); throws EINVAL. */
  resolve(cwd: string, p: string): string;
  stat(path: string): VfsStat | undefined;
  readdir(path: string): VfsStat[];
  readFile(path: string): Uint8Array;
  writeFile(path: string, data: Uint8Array, opts?: { append?: boolean }): void;
  mkdir(path: string, opts?: { recursive?: boolean }): void;
  remove(path: string, opts?: { recursive?: boolean }): void;
  rename(from: string, to: string): void;
  copyFile(from: string, to: string): void;
  /** Bytes in use and the configured bound. */
  usage(): { readonly bytes: number; readonly limit: number };
}
