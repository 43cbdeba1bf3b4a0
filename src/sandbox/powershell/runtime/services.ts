// What the value layer needs from the running session (time, environment, files, the host),
// kept as an interface so members.ts and statics.ts do not depend on the interpreter.
import type { Vfs } from '../../vfs/types.js';
import type { Limits } from './operators.js';
import type { PSErrorRecord, PSScriptBlock, PSValue } from './values.js';

/** What one invocation in a nested runspace gave (a subset of the engine's InvokeResult). */
export interface NestedInvokeResult {
  readonly output: PSValue[];
  readonly errors: PSErrorRecord[];
  readonly hadErrors: boolean;
  readonly exitCode: number | undefined;
  readonly terminatingError: PSErrorRecord | undefined;
}

/** A runspace of its own ([PowerShell]::Create()): a PowerShellSession seen from the value layer. */
export interface NestedRunspace {
  invoke(script: string): Promise<NestedInvokeResult>;
  invokeCommands(statement: readonly { readonly command: string; readonly isScript: boolean; readonly useLocalScope?: boolean; readonly args: readonly { readonly name: string | undefined; readonly value: PSValue; readonly switchPresent?: boolean }[] }[]): Promise<NestedInvokeResult>;
}

export interface EnvStore {
  get(name: string): string | undefined;
  set(name: string, value: string | undefined): void;
  entries(): [string, string][];
}

export interface RuntimeServices {
  readonly limits: Limits;
  /** Current time, ms since epoch (the injected clock). */
  now(): number;
  readonly env: EnvStore;
  readonly computerName: string;
  readonly userName: string;
  /** `COMPUTER\user` */
  readonly qualifiedUser: string;
  readonly osVersion: string;
  readonly vfs: Vfs;
  /** The current file-system location (`C:\Users\x`). */
  cwd(): string;
  /** Resolve a path typed by the user against the current location (throws VfsError). */
  resolvePath(p: string): string;
  /** Run a script block with `$_` set (for .Where / .ForEach / script properties). */
  invokeScriptBlock(sb: PSScriptBlock, dollarUnder: PSValue | undefined, args: readonly PSValue[]): Promise<PSValue[]>;
  /** A new GUID (deterministic per session). */
  newGuid(): string;
  /** The emulated powershell.exe process object. */
  currentProcess(): PSValue;
  /** Count one step of work against the budget (long-running methods call it). */
  step(n?: number): void;
  /** A new runspace on the same host (undefined where the engine offers none). */
  createRunspace?(): NestedRunspace | undefined;
  /** `$host.SetShouldExit(code)`: the exit code powershell.exe ends with. */
  setShouldExit?(code: number): void;
}
