// How cmdlets are declared and what they get when they run. A cmdlet is a table entry with its
// parameters (name, aliases, type, position, pipeline binding) and begin/process/end steps, as in
// PowerShell's Cmdlet class; the binder (binder.ts) fills `params` from the command line and from
// each pipeline object.
import type { Extent, ScriptSource } from '../language/position.js';
import type { ErrorSpec } from './errors.js';
import type { Engine, Frame } from './interpreter.js';
import type { ErrorInvocation, PSErrorRecord, PSValue } from './values.js';

export type ParamType =
  | 'string'
  | 'string[]'
  | 'int'
  | 'long'
  | 'double'
  | 'switch'
  | 'bool'
  | 'object'
  | 'object[]'
  | 'scriptblock'
  | 'hashtable'
  | 'datetime'
  | 'encoding';

export interface ParamDef {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly type: ParamType;
  readonly position?: number;
  /** ValueFromPipeline / ValueFromPipelineByPropertyName. */
  readonly pipeline?: 'value' | 'property' | 'both';
  readonly mandatory?: boolean;
  /** ValidateSet values (case-insensitive). */
  readonly validateSet?: readonly string[];
  /** Parameter .NET type name for binding error messages (`System.String[]`). */
  readonly typeName?: string;
  /** ValueFromRemainingArguments: collects every unbound positional argument. */
  readonly remaining?: boolean;
}

export type StreamPreference = 'Stop' | 'Continue' | 'SilentlyContinue' | 'Ignore' | 'Inquire' | 'Suspend';

/** Where a command's non-output streams go (PowerShell's host or a redirection). */
export interface Streams {
  error(rec: PSErrorRecord): Promise<void>;
  warning(message: string): Promise<void>;
  verbose(message: string): Promise<void>;
  debug(message: string): Promise<void>;
  /** Write-Host / host output (text, no trailing newline added). */
  host(text: string): Promise<void>;
  /**
   * One Write-Host call or one Out-Host line, for a receiver that tells them apart (a remoting
   * session: psrp.md §3.4); without it they reach `host` as text (see CmdletContext.hostWrite).
   */
  hostWrite?(w: HostWrite): Promise<void>;
  information(message: PSValue, tags: readonly string[]): Promise<void>;
}

/**
 * What Write-Host (one HostInformationMessage per call, NoNewLine from -NoNewline) or Out-Host
 * (one formatted line, written to the host UI only) hands to the host
 * [pwsh:Microsoft.PowerShell.Commands.Utility/commands/utility/WriteConsoleCmdlet.cs ProcessRecord].
 */
export interface HostWrite {
  readonly source: 'Write-Host' | 'Out-Host';
  readonly text: string;
  /** Write-Host -NoNewline; Out-Host lines always end. */
  readonly noNewline: boolean;
  /**
   * Write-Host's -ForegroundColor / -BackgroundColor as given (ConsoleColor values); an unset one
   * is the host RawUI's colour, which only the host knows (ConsoleColorCmdlet).
   */
  readonly foregroundColor?: number;
  readonly backgroundColor?: number;
}

/** The text a HostWrite is for a plain host text stream: Write-Host's text and its line end as two writes (fx pypsrp/test_winrs_operation_timeout). */
export function hostWriteTexts(w: HostWrite): string[] {
  if (w.source === 'Out-Host') return [`${w.text}\n`];
  return w.noNewline ? [w.text] : [w.text, '\n'];
}

/** Invocation details of the running command, for error records. */
export interface CommandInvocation {
  readonly name: string;
  /** Name as typed (alias). */
  readonly invocationName: string;
  readonly implementingType: string;
  readonly extent: Extent | undefined;
  readonly source: ScriptSource | undefined;
}

export interface CmdletContext {
  /** Bound parameters by canonical name (switches: true/false). */
  readonly params: ReadonlyMap<string, PSValue>;
  has(name: string): boolean;
  /** Parameter value as given, or undefined. */
  get(name: string): PSValue | undefined;
  str(name: string): string | undefined;
  strs(name: string): string[] | undefined;
  switch(name: string): boolean;
  readonly invocation: CommandInvocation;
  /** True when the command has upstream pipeline input. */
  readonly expectingInput: boolean;
  /** WriteObject(v): one object, not enumerated. */
  write(v: PSValue): Promise<void>;
  /** WriteObject(v, enumerateCollection: true). */
  writeEnumerated(v: PSValue): Promise<void>;
  /** WriteError with this cmdlet's invocation info (non-terminating). */
  writeError(spec: ErrorSpec | PSErrorRecord): Promise<void>;
  /** ThrowTerminatingError. */
  terminate(spec: ErrorSpec): never;
  warning(message: string): Promise<void>;
  verbose(message: string): Promise<void>;
  debug(message: string): Promise<void>;
  host(text: string): Promise<void>;
  /** Write-Host's call / Out-Host's line (Streams.hostWrite, else its text to `host`). */
  hostWrite(w: HostWrite): Promise<void>;
  /** Stop upstream commands (Select-Object -First). */
  stopUpstream(): never;
  /** Effective -WhatIf. */
  readonly whatIf: boolean;
  readonly engine: Engine;
  /** The caller's frame (scope, streams). */
  readonly frame: Frame;
  /** $MyInvocation of the caller (Write-Error reports errors against it). */
  readonly scriptInvocation: ErrorInvocation;
}

export interface CmdletDef {
  readonly name: string;
  /** Full name of the implementing class, for FullyQualifiedErrorId (`…,Microsoft.PowerShell.Commands.GetChildItemCommand`). */
  readonly implementingType: string;
  readonly module: string;
  readonly params: readonly ParamDef[];
  /** Supports -WhatIf / -Confirm. */
  readonly shouldProcess?: boolean;
  begin?(c: CmdletContext): Promise<void>;
  /** Called per pipeline object (`input`), or once with undefined when there is no upstream. */
  process?(c: CmdletContext, input: PSValue | undefined): Promise<void>;
  end?(c: CmdletContext): Promise<void>;
}

export const COMMON_PARAMETERS: readonly ParamDef[] = [
  { name: 'Verbose', aliases: ['vb'], type: 'switch' },
  { name: 'Debug', aliases: ['db'], type: 'switch' },
  { name: 'ErrorAction', aliases: ['ea'], type: 'string' },
  { name: 'WarningAction', aliases: ['wa'], type: 'string' },
  { name: 'InformationAction', aliases: ['infa'], type: 'string' },
  { name: 'ErrorVariable', aliases: ['ev'], type: 'string' },
  { name: 'WarningVariable', aliases: ['wv'], type: 'string' },
  { name: 'InformationVariable', aliases: ['iv'], type: 'string' },
  { name: 'OutVariable', aliases: ['ov'], type: 'string' },
  { name: 'OutBuffer', aliases: ['ob'], type: 'int' },
  { name: 'PipelineVariable', aliases: ['pv'], type: 'string' },
];

export const SHOULD_PROCESS_PARAMETERS: readonly ParamDef[] = [
  { name: 'WhatIf', aliases: ['wi'], type: 'switch' },
  { name: 'Confirm', aliases: ['cf'], type: 'switch' },
];
