// The narrow interface PSRP pipelines need from a PowerShell engine (architecture.md §1:
// src/shell/psrp drives it, src/sandbox/powershell implements it). Values cross it in the
// CLIXML value model (clixml.ts), so what an engine returns is exactly what goes on the wire.
// Sans-I/O: time comes from the injected clock; stopping is an AbortSignal.
import type { Clock } from '../../core/clock.js';
import type { HostFacts } from '../backend.js';
import type { PsObject, PsValue } from './clixml.js';
import type { CommandMetadata, ErrorRecordSpec, InformationalKind, ProgressSpec, PipelineCommand, PsVersionTable } from './records.js';

/** PowerShell language modes [about_Language_Modes]. */
export type LanguageMode = 'FullLanguage' | 'ConstrainedLanguage' | 'RestrictedLanguage' | 'NoLanguage';

/** What a session configuration lets the connecting user see and do (psrp.md §6). */
export interface EndpointProfile {
  /** The session configuration's name (`Microsoft.PowerShell`, a JEA endpoint…). */
  readonly configurationName: string;
  readonly languageMode: LanguageMode;
  /**
   * Commands the user may run (names or wildcards, case-insensitive); undefined: everything the
   * engine has (a default session).
   */
  readonly visibleCommands: readonly string[] | undefined;
  /** Providers the user may use (`FileSystem`, `Registry`…); undefined: all. */
  readonly visibleProviders: readonly string[] | undefined;
}

export interface RunspaceOptions {
  readonly host: HostFacts;
  readonly clock: Clock;
  readonly profile: EndpointProfile;
  /** INIT_RUNSPACEPOOL ApplicationArguments ($PSSenderInfo.ApplicationArguments). */
  readonly applicationArguments: PsValue;
}

/** Where a running invocation writes; a returned promise is back-pressure (wait before going on). */
export interface InvocationSink {
  output(value: PsValue): void | Promise<void>;
  /** A non-terminating error (Write-Error, a failed item of a cmdlet…). */
  error(record: ErrorRecordSpec | PsObject): void | Promise<void>;
  informational(kind: InformationalKind, message: string): void | Promise<void>;
  information(data: { readonly messageData: PsValue; readonly source: string; readonly tags: readonly string[] }): void | Promise<void>;
  progress(record: ProgressSpec): void | Promise<void>;
}

export interface Invocation {
  /** Statements in order; each a pipeline of commands (ExtraCmds, psrp.md §3.2). */
  readonly statements: ReadonlyArray<readonly PipelineCommand[]>;
  /** Pipeline input (NoInput false), ending at END_OF_PIPELINE_INPUT; undefined: no input. */
  readonly input: AsyncIterable<PsValue> | undefined;
  readonly sink: InvocationSink;
  /** Aborted when the client stops the pipeline; the engine should return promptly. */
  readonly signal: AbortSignal;
}

/** A terminating error fails the pipeline; its record goes out as ExceptionAsErrorRecord. */
export type InvocationResult = { readonly state: 'Completed' } | { readonly state: 'Failed'; readonly error: ErrorRecordSpec | PsObject };

/** The session's file system, for what the PSRP layer carries out natively (pypsrp copy/fetch). */
export interface PsrpFiles {
  /** An absolute path for `p` from the session's current location (GetUnresolvedProviderPathFromPSPath). */
  resolve(p: string): string;
  kind(path: string): 'file' | 'directory' | undefined;
  read(path: string): Uint8Array;
  /** Create or replace a file. Throws with the reason when it cannot. */
  write(path: string, data: Uint8Array): void;
  /** Environment variables for `%NAME%` expansion. */
  environment(): ReadonlyMap<string, string>;
}

/** One runspace pool's session state in the engine. */
export interface PsrpRunspace {
  /** The session's file system, when the engine has one. */
  files?(): PsrpFiles | undefined;
  invoke(invocation: Invocation): Promise<InvocationResult>;
  /** Commands visible in this session (Get-Command), for GET_COMMAND_METADATA. */
  commands(): readonly CommandMetadata[];
  /** RESET_RUNSPACE_STATE: variables and session state back to their initial values. */
  reset(): void;
  /** $PSVersionTable fields the engine wants to advertise over the defaults. */
  psVersionTable?(): Partial<PsVersionTable>;
  close(): void;
}

export interface PsrpEngine {
  /** Named in logs and in the journal of what ran. */
  readonly name: string;
  openRunspace(options: RunspaceOptions): PsrpRunspace;
}

/** An async queue of pipeline input objects, fed by PIPELINE_INPUT and closed by END_OF_PIPELINE_INPUT. */
export class InputQueue implements AsyncIterable<PsValue> {
  private readonly items: PsValue[] = [];
  private ended = false;
  private waiter: (() => void) | undefined;

  push(v: PsValue): void {
    if (this.ended) return;
    this.items.push(v);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<PsValue> {
    for (;;) {
      if (this.items.length > 0) {
        yield this.items.shift() as PsValue;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }
}

/** `*` and `?` wildcards, case-insensitive, as PowerShell's WildcardPattern. */
export function wildcardMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

/** Is `name` visible under the profile (psrp.md §6.2: invisible = not found)? */
export function isCommandVisible(profile: EndpointProfile, name: string): boolean {
  if (profile.visibleCommands === undefined) return true;
  return profile.visibleCommands.some((p) => wildcardMatch(p, name));
}
