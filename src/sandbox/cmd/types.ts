// Shared types of the emulated cmd.exe and the console programs it runs.
import type { AccessToken } from '../../authz/token.js';
import type { CommandSpec, ProcessContext } from '../../shell/backend.js';
import type { Vfs } from '../vfs/types.js';
import type { Environment } from './env.js';
import type { CmdProcess } from './interpreter.js';
import type { Io } from './io.js';

/** Options powershell.exe was started with, as the PowerShell engine needs them. */
export interface PowerShellRunOptions {
  /** The script came from -EncodedCommand (UTF-16LE base64, already decoded). */
  readonly encoded: boolean;
  /** `-` / `-Command -`: read the script from stdin (ctx.readStdin), `script` is empty. */
  readonly fromStdin: boolean;
  readonly noProfile: boolean;
}

/** The PowerShell engine, run as powershell.exe would run `script`. Returns the exit code. */
export type PowerShellRunner = (script: string, ctx: ProcessContext, opts: PowerShellRunOptions) => Promise<number>;

/** The one network adapter ipconfig and systeminfo show (no real interface is ever read). */
export interface NetworkFacts {
  readonly adapterName: string;
  readonly description: string;
  readonly mac: string;
  readonly ipv4: string;
  readonly subnetMask: string;
  readonly gateway: string;
  readonly linkLocalIpv6: string;
  readonly interfaceIndex: number;
}

export interface CmdDeps {
  readonly vfs: Vfs;
  readonly powershell?: PowerShellRunner;
  /**
   * The caller's access token for whoami. Default: a network logon built from spec.host.user
   * with NTLM and Windows' default UAC policy (buildNetworkLogonToken).
   */
  readonly token?: (spec: CommandSpec) => AccessToken;
  readonly network?: Partial<NetworkFacts>;
  /** Volume label of C: (`dir`, `vol`); default none ("has no label"). */
  readonly volumeLabel?: string;
  /** `7869-2C66`; default derived from the computer name. */
  readonly volumeSerial?: string;
  /** Update build revision shown by `ver` when HostFacts.os.version has three parts. */
  readonly buildRevision?: number;
  /** Boot time for systeminfo (ms since epoch); default: when the cmd factory was created. */
  readonly bootTime?: number;
}

/** Where a command's output goes. */
export interface Sink {
  write(data: string | Uint8Array): Promise<void>;
}

/** Where a command's input comes from. */
export interface Source {
  read(): Promise<string | null>;
  readAll(): Promise<string>;
}

/** The mutable state of one cmd.exe process. */
export interface CmdState {
  env: Environment;
  cwd: string;
  errorlevel: number;
  echo: boolean;
  readonly dirStack: string[];
}

/** What an internal command or program is handed. */
export interface Invocation {
  /** The command name as typed (without quotes). */
  readonly name: string;
  /** Argument text after the name, raw (quotes kept, redirections removed). */
  readonly args: string;
  /** I/O of this command (redirections applied); spec carries the current environment and directory. */
  readonly ctx: ProcessContext;
  readonly state: CmdState;
  readonly rt: CmdRuntime;
  /** The cmd.exe process running the command (stdin line reader, program lookup, nested lines). */
  readonly proc: CmdProcess;
  /** The handles behind ctx (for nested lines and line-wise stdin). */
  readonly io: Io;
}

export interface CmdRuntime {
  readonly deps: CmdDeps;
  readonly vfs: Vfs;
  /** Resolve a typed path against the current directory (quotes removed); throws VfsError. */
  resolve(state: CmdState, typed: string): string;
  /** Run a `cmd /c` line in a new cmd.exe process with `ctx`'s environment and directory. */
  runChildCmd(ctx: ProcessContext, argsText: string): Promise<number>;
  /** The token for whoami. */
  token(spec: CommandSpec): AccessToken;
  network(): NetworkFacts;
  volume(spec: CommandSpec): { readonly label: string | undefined; readonly serial: string };
  /** Boot time systeminfo shows (ms since epoch). */
  bootTime(ctx: ProcessContext): number;
  buildRevision(spec: CommandSpec): string;
}

/** An internal command or a console program; returns its exit code. */
export type CmdProgram = (inv: Invocation) => Promise<number>;
