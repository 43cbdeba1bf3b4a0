// Terminating errors and flow control of the evaluator. Texts are Windows PowerShell 5.1's
// (resource strings in System.Management.Automation and the cmdlet assemblies).
import type { Extent, ScriptSource } from '../language/position.js';
import { PSErrorRecord, PSException, type ErrorCategory, type ErrorInvocation, type PSValue } from './values.js';

/**
 * A terminating error. `scriptTerminating` (throw, -ErrorAction Stop, exit of the budget) stops
 * the script; otherwise only the current statement fails and the next one runs, as in PowerShell.
 */
export class PSRuntimeError extends Error {
  constructor(
    readonly record: PSErrorRecord,
    public scriptTerminating = false,
  ) {
    super(record.message);
    this.name = 'PSRuntimeError';
  }
}

export class BreakSignal extends Error {
  constructor(readonly label: string | undefined) {
    super('break');
  }
}
export class ContinueSignal extends Error {
  constructor(readonly label: string | undefined) {
    super('continue');
  }
}
export class ReturnSignal extends Error {
  constructor() {
    super('return');
  }
}
export class ExitSignal extends Error {
  constructor(readonly code: number) {
    super('exit');
  }
}
/** The pipeline was stopped (Select-Object -First satisfied, or Ctrl+C). */
export class StopPipelineSignal extends Error {
  constructor(readonly owner: object | undefined) {
    super('stop');
  }
}

export interface ErrorSpec {
  readonly message: string;
  readonly errorId: string;
  readonly category: ErrorCategory;
  readonly exceptionType?: string;
  readonly target?: PSValue;
  readonly extent?: Extent;
  readonly source?: ScriptSource;
  readonly invocation?: ErrorInvocation;
}

/** An ErrorRecord for a RuntimeException-like error at a script position. */
export function makeRecord(spec: ErrorSpec): PSErrorRecord {
  const ex = new PSException(spec.exceptionType ?? 'System.Management.Automation.RuntimeException', spec.message);
  let inv = spec.invocation;
  if (inv === undefined && spec.extent !== undefined && spec.source !== undefined) {
    inv = { extent: spec.extent, source: spec.source, invocationName: '' };
  }
  return new PSErrorRecord(ex, spec.errorId, spec.category, spec.target ?? null, inv);
}

export function runtimeError(spec: ErrorSpec, scriptTerminating = false): PSRuntimeError {
  return new PSRuntimeError(makeRecord(spec), scriptTerminating);
}

/** Message texts used by the evaluator. */
export const Msg = {
  InvokeMethodOnNull: 'You cannot call a method on a null-valued expression.',
  NullArray: 'Cannot index into a null array.',
  DivideByZero: 'Attempted to divide by zero.',
  MethodNotFound: (type: string, name: string): string => `Method invocation failed because [${type}] does not contain a method named '${name}'.`,
  PropertyNotFound: (name: string): string => `The property '${name}' cannot be found on this object. Verify that the property exists and can be set.`,
  TypeNotFound: (name: string): string => `Unable to find type [${name}].`,
  ConvertTo: (value: string, type: string, reason: string): string => `Cannot convert value "${value}" to type "${type}". Error: "${reason}"`,
  ConvertToNoReason: (value: string, fromType: string, type: string): string => `Cannot convert the "${value}" value of type "${fromType}" to type "${type}".`,
  OpNotDefined: (op: string, type: string): string => `Method invocation failed because [${type}] does not contain a method named '${op}'.`,
  CommandNotFound: (name: string): string =>
    `The term '${name}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
  VariableNotSet: (name: string): string => `The variable '$${name}' cannot be retrieved because it has not been set.`,
  ReadOnlyVariable: (name: string): string => `Cannot overwrite variable ${name} because it is read-only or constant.`,
  IndexOutOfRange: 'Index was outside the bounds of the array.',
  ActionPreferenceStop: (msg: string): string => `The running command stopped because the preference variable "ErrorActionPreference" or common parameter is set to Stop: ${msg}`,
  BudgetExceeded: (n: number): string =>
    `The script was stopped because it exceeded the emulator's instruction budget of ${n} steps (winrm-emulator bounds every loop).`,
  NotEmulated: (what: string): string => `${what} is not supported by the winrm-emulator PowerShell emulation.`,
} as const;
