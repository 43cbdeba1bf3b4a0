// The narrow interface PSRP pipelines need from a PowerShell engine (architecture.md §1:
// src/shell/psrp drives it, src/sandbox/powershell implements it). Values cross it in the
// CLIXML value model (clixml.ts), so what an engine returns is exactly what goes on the wire.
// Sans-I/O: time comes from the injected clock; stopping is an AbortSignal.
import type { Clock } from '../../core/clock.js';
import type { HostFacts } from '../backend.js';
import type { PsObject, PsValue } from './clixml.js';
import type { HostMethodName } from './host.js';
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
  /** The pool's AES-256 session key once the client exchanged keys (SecureString `<SS>`, psrp.md §3.6). */
  readonly sessionKey?: () => Uint8Array | undefined;
  /**
   * The key for a SecureString when there may be none yet (psrp.md §3.6): for output ('encrypt')
   * the pool's, made on the spot for clients of protocol 2.2 or later; otherwise — and to read a
   * client's `<SS>` ('decrypt') — after a PUBLIC_KEY_REQUEST, once the client's PUBLIC_KEY has been
   * answered (the promise rejects when the pool closes first).
   */
  readonly secureStringKey?: (purpose: 'encrypt' | 'decrypt') => Uint8Array | Promise<Uint8Array>;
  /** Protocol 2.4 on both sides: SecureStrings travel as base64 of UTF-16LE, not encrypted. */
  readonly plainSecureStrings?: () => boolean;
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

/**
 * The client's PSHost as a running pipeline sees it (psrp.md §3.4). Present only when the
 * pipeline's HostInfo has a host (not `_isHostNull`, or `_useRunspaceHost` with a pool host):
 * without it, Write-Host stays an information record and value methods fail with
 * HostException (`hostNotInteractive` in ./host.ts), as on Windows. Void methods queue a host
 * call and return (a promise only for output back-pressure); value methods block until the
 * client's host response and reject with HostCallError when it answers with an error.
 */
export interface InvocationHost {
  /** HostDefaultData BufferSize width (key 5): the width Out-Default formats for. */
  readonly bufferWidth: number | undefined;
  /** The host's default colours (HostDefaultData 0 and 1), when the client sent its RawUI. */
  readonly foregroundColor: number | undefined;
  readonly backgroundColor: number | undefined;
  /** Write1 (13) or, with colours, Write2 (14). */
  write(text: string, colors?: { readonly foreground: number; readonly background: number }): Promise<void>;
  /** WriteLine1 (15) with no text, WriteLine2 (16), or WriteLine3 (17) with colours. */
  writeLine(text?: string, colors?: { readonly foreground: number; readonly background: number }): Promise<void>;
  writeErrorLine(text: string): Promise<void>;
  writeDebugLine(text: string): Promise<void>;
  writeVerboseLine(text: string): Promise<void>;
  writeWarningLine(text: string): Promise<void>;
  writeProgress(sourceId: number, record: ProgressSpec): Promise<void>;
  readLine(): Promise<string>;
  /** The SecureString as the client sent it (`<SS>`, encrypted with the session key). */
  readLineAsSecureString(): Promise<PsValue>;
  /** Prompt (23): FieldDescription objects in, the answers out as Dictionary<string, PSObject>. */
  prompt(caption: string, message: string, fields: readonly PsValue[]): Promise<PsValue>;
  /** PromptForCredential2 (25); types/options default to PSCredentialTypes/UIOptions.Default (3, 1). */
  promptForCredential(caption: string, message: string, userName: string | null, targetName: string, allowed?: { readonly types: number; readonly options: number }): Promise<PsValue>;
  promptForChoice(caption: string, message: string, choices: readonly PsValue[], defaultChoice: number): Promise<number>;
  /** Exit-PSSession: the void PopRunspace (53) call. */
  popRunspace(): Promise<void>;
  /** Any other method, by name; void methods resolve to null once queued. */
  call(method: HostMethodName, params: readonly PsValue[]): Promise<PsValue>;
}

export interface Invocation {
  /** Statements in order; each a pipeline of commands (ExtraCmds, psrp.md §3.2). */
  readonly statements: ReadonlyArray<readonly PipelineCommand[]>;
  /** Pipeline input (NoInput false), ending at END_OF_PIPELINE_INPUT; undefined: no input. */
  readonly input: AsyncIterable<PsValue> | undefined;
  readonly sink: InvocationSink;
  /** Aborted when the client stops the pipeline; the engine should return promptly. */
  readonly signal: AbortSignal;
  /** The client's host, when the pipeline has one (see InvocationHost). */
  readonly host?: InvocationHost;
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
