// The interface between the WinRS shell layer and whatever "runs" a command (architecture.md §1:
// src/shell/winrs drives it, src/sandbox implements it). Sans-I/O: a program is an async
// function over this context; time comes from the injected clock, bytes never touch the host.
import type { Clock } from '../core/clock.js';

/** Facts about the emulated machine and the caller that programs may show (hostname, whoami…). */
export interface HostFacts {
  readonly computerName: string;
  readonly machineSid: string;
  readonly os: { readonly version: string; readonly productName: string; readonly servicePack: string };
  /** The caller: `name`, its RID, SID and local groups (canonical names). */
  readonly user: { readonly name: string; readonly rid: number; readonly sid: string; readonly groups: readonly string[] };
  /** How the caller logged on (whoami's token differs with it). */
  readonly authPackage?: 'NTLM' | 'Kerberos' | 'Basic' | 'Certificate' | 'CredSSP';
}

export interface CommandSpec {
  readonly shellId: string;
  readonly commandId: string;
  /** `rsp:Command` as received (trimmed); with WINRS_SKIP_CMD_SHELL false it runs as `cmd.exe /c <line>`. */
  readonly command: string;
  /** `rsp:Arguments`, in order. */
  readonly arguments: readonly string[];
  /** The command line cmd.exe would see: command and arguments joined with spaces. */
  readonly commandLine: string;
  /** Environment of the shell (Windows' defaults plus `rsp:Environment`); names case-insensitive. */
  readonly environment: ReadonlyMap<string, string>;
  readonly workingDirectory: string;
  /** WINRS_CODEPAGE: 437 (OEM) or 65001 (UTF-8); output text is encoded with it. */
  readonly codepage: number;
  readonly skipCmdShell: boolean;
  readonly noProfile: boolean;
  readonly host: HostFacts;
}

export type StreamName = 'stdout' | 'stderr';

/** Why a command was asked to stop (WinRS Signal codes, wsman-protocol.md §4.6). */
export type SignalKind = 'terminate' | 'ctrl_c' | 'ctrl_break';

export interface ProcessContext {
  readonly spec: CommandSpec;
  readonly clock: Clock;
  /** Aborted on Signal; `abort.reason` is the SignalKind. */
  readonly abort: AbortSignal;
  /** The next stdin chunk as decoded text, or null once the client sent End="true". */
  readStdin(): Promise<string | null>;
  /** All stdin until End="true". */
  readAllStdin(): Promise<string>;
  /**
   * Write output. Text is encoded with the shell's code page, bytes pass as they are. Resolves
   * when the output buffer is below its bound again (back-pressure): a program that awaits its
   * writes is paused, never truncated, while the client does not Receive.
   */
  write(stream: StreamName, data: string | Uint8Array): Promise<void>;
  /** Wait on the injected clock; rejects when aborted. */
  sleep(ms: number): Promise<void>;
}

/** Which backend (and scripted rule) answered: recorded in the journal of what ran. */
export interface ProgramInfo {
  readonly backend?: string;
  readonly rule?: string;
}

/** A program returns its exit code. Throwing ends it with exit code 1 and the message on stderr. */
export type Program = ((ctx: ProcessContext) => Promise<number>) & ProgramInfo;

/** Decides what runs for a command (scripted rules, emulated cmd.exe, …). */
export interface CommandBackend {
  /** `undefined` means "no such program"; the shell answers as Windows does for that case. */
  resolve(spec: CommandSpec): Program | undefined;
}

/** Exit code Windows reports for a process ended by Ctrl+C: STATUS_CONTROL_C_EXIT as unsigned. */
export const STATUS_CONTROL_C_EXIT = 0xc000013a;
