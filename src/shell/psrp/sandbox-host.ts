// The client's host for the emulated PowerShell (psrp.md §3.4): what ./sandbox-engine.ts needs to
// make Enter-PSSession work on src/sandbox/powershell. Write-Host goes to the host (WriteLine2/3,
// Write1/2) as well as out as its PSHOST information record; Read-Host and `$host.UI` reach the
// client through the session host of src/sandbox/powershell/host/session-host.ts; the Out-Default
// the client appends renders the objects as text server-side (WriteLine2 per line, errors with
// WriteErrorLine); `prompt` is Windows PowerShell's default prompt function; Exit-PSSession is the
// PopRunspace host call.
import type { Clock } from '../../core/clock.js';
import { OutDefault, errorViewLines, type PSErrorRecord, type PSValue } from '../../sandbox/powershell/index.js';
import { runtimeError } from '../../sandbox/powershell/runtime/errors.js';
import type { SessionHost } from '../../sandbox/powershell/host/session-host.js';
import { PsObject, type PsValue } from './clixml.js';
import type { InvocationHost, InvocationSink } from './engine.js';
import { HostCallAborted, HostCallError, choiceDescription, fieldDescription } from './host.js';
import { streamRoutes } from './pool.js';
import { ResultType, type PipelineCommand } from './records.js';

/**
 * Windows PowerShell 5.1's default prompt, with Get-Location for
 * `$executionContext.SessionState.Path.CurrentLocation` (not in the emulated PowerShell):
 * `PS C:\Users\<user>\Documents> `.
 */
export const PROMPT_FUNCTION = `function prompt { "PS $((Get-Location).Path)$('>' * ($NestedPromptLevel + 1)) " }`;

const isCommand = (c: PipelineCommand | undefined, name: string): boolean => c !== undefined && !c.isScript && c.command.toLowerCase() === name.toLowerCase();

/** `Exit-PSSession` (what the client sends for `exit`, psrp.md §3.4 step 6). */
export const isExitPSSession = (statement: readonly PipelineCommand[]): boolean => statement.length > 0 && statement.every((c, i) => (i === 0 ? isCommand(c, 'Exit-PSSession') : isCommand(c, 'Out-Default')));

/** Does the statement's Out-Default take the error stream (MergePreviousResults Output|Error, or errors merged to output)? */
export function errorsToOutDefault(statement: readonly PipelineCommand[]): boolean {
  const last = statement[statement.length - 1];
  const mpr = last?.mergePreviousResults ?? 0;
  // MergeUnclaimedPreviousCommandResults is sent as flags: Output|Error = 3 (psrp.md §3.4 step 4).
  if (mpr === ResultType.Error || mpr === 3 || mpr === ResultType.All) return true;
  return streamRoutes(statement).error === 'output';
}

/**
 * Out-Default on the server (psrp.md §3.4 step 4): objects become the 5.1 console text at the
 * client's BufferSize width (120 when it sent none), one WriteLine2 per line; error records
 * become the error view, one WriteErrorLine per line.
 */
export class HostRenderer {
  private readonly od: OutDefault;
  private readonly width: number;

  constructor(
    private readonly host: InvocationHost,
    readonly takesErrors: boolean,
    clock: Clock,
  ) {
    this.width = host.bufferWidth ?? 120;
    this.od = new OutDefault({ columns: this.width - 1, bufferWidth: this.width, now: () => clock.now() });
  }

  async output(v: PSValue): Promise<void> {
    for (const line of this.od.push(v)) await this.host.writeLine(line);
  }

  async error(e: PSErrorRecord): Promise<void> {
    // What Out-Default has collected goes out before the error, as the console shows it.
    for (const line of this.od.end()) await this.host.writeLine(line);
    for (const line of errorViewLines(e, this.width)) await this.host.writeErrorLine(line);
  }

  async end(): Promise<void> {
    for (const line of this.od.end()) await this.host.writeLine(line);
  }
}

/** With a host, an Out-Default at the end of a statement is carried out here (undefined: leave it). */
export function outDefaultOf(statement: readonly PipelineCommand[], host: InvocationHost | undefined, clock: Clock): { statement: readonly PipelineCommand[]; render: HostRenderer | undefined } {
  if (!host || statement.length < 2 || !isCommand(statement[statement.length - 1], 'Out-Default')) return { statement, render: undefined };
  return { statement: statement.slice(0, -1), render: new HostRenderer(host, errorsToOutDefault(statement), clock) };
}

const CONSOLE_COLORS = ['Black', 'DarkBlue', 'DarkGreen', 'DarkCyan', 'DarkRed', 'DarkMagenta', 'DarkYellow', 'Gray', 'DarkGray', 'Blue', 'Green', 'Cyan', 'Red', 'Magenta', 'Yellow', 'White'];

function colorValue(n: number | undefined): PsValue {
  return n === undefined ? null : new PsObject({ typeNames: ['System.ConsoleColor', 'System.Enum', 'System.ValueType', 'System.Object'], toStringText: CONSOLE_COLORS[n] ?? String(n), baseValue: n });
}

/** Write-Host's HostInformationMessage; colours are the host's RawUI ones when it has a RawUI. */
export function hostMessage(text: string, host?: InvocationHost, noNewLine = false): PsObject {
  return new PsObject({
    typeNames: ['System.Management.Automation.HostInformationMessage', 'System.Object'],
    toStringText: text,
    props: [
      ['Message', text],
      ['ForegroundColor', colorValue(host?.foregroundColor)],
      ['BackgroundColor', colorValue(host?.backgroundColor)],
      ['NoNewLine', noNewLine],
    ],
  });
}

/**
 * One Write-Host call, sent as it happens: with a host, WriteLine3 with the host's colours
 * (WriteLine2 without a RawUI), or Write2/Write1 for -NoNewline; then its PSHOST information
 * record either way, NoNewLine set from -NoNewline — WriteHostCommand writes one
 * HostInformationMessage per call and MshCommandRuntime.WriteInformation writes it to the host
 * UI (Write for NoNewLine, else WriteLine) as well as to the information stream; clients tag the
 * record FORWARDED so it is not shown twice [pwsh:Microsoft.PowerShell.Commands.Utility/commands/utility/WriteConsoleCmdlet.cs ProcessRecord,
 * SMA/engine/MshCommandRuntime.cs WriteInformation, remoting/commands/PSRemotingCmdlet.cs HandleInformationAdded].
 * -ForegroundColor/-BackgroundColor do not reach here (the emulated Write-Host passes text only).
 */
export async function writeHostCall(sink: InvocationSink, host: InvocationHost | undefined, text: string, noNewLine: boolean): Promise<void> {
  if (host) {
    const colors = host.foregroundColor !== undefined && host.backgroundColor !== undefined ? { foreground: host.foregroundColor, background: host.backgroundColor } : undefined;
    if (noNewLine) await host.write(text, colors);
    else await host.writeLine(text, colors);
  }
  await sink.information({ messageData: hostMessage(text, host, noNewLine), source: 'Write-Host', tags: ['PSHOST'] });
}

/** Other host text (WhatIf messages, Write-Information shown): a line as Write-Host would write it. */
export function writeHostLine(sink: InvocationSink, host: InvocationHost | undefined, line: string, newLine = true): Promise<void> {
  return writeHostCall(sink, host, line, !newLine);
}

/** A host method failed on the client (`me`) or the pipeline went away while it waited. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof HostCallError || e instanceof HostCallAborted) {
      throw runtimeError({ message: e.message, errorId: 'RemoteHostCallFailed', category: 'InvalidOperation', exceptionType: 'System.Management.Automation.Remoting.PSRemotingDataStructureException' });
    }
    throw e;
  }
}

export interface ClientHostOptions {
  readonly fromClixml: (v: PsValue) => PSValue;
  /**
   * Runs before every host call: what the script wrote before it (a held error record) goes
   * out first, so everything leaves in the order the script produced it.
   */
  readonly before: () => Promise<void>;
  readonly clock: Clock;
}

/** The session host the emulated PowerShell's `$host.UI`, Read-Host, Out-Default and Out-Host use for this invocation. */
export function clientHost(h: InvocationHost, sink: InvocationSink, o: ClientHostOptions): SessionHost {
  const { fromClixml, before } = o;
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    await before();
    return guarded(fn);
  };
  return {
    foregroundColor: h.foregroundColor,
    backgroundColor: h.backgroundColor,
    write: (t, c) => call(() => h.write(t, c)),
    writeLine: (t, c) => call(() => h.writeLine(t, c)),
    writeErrorLine: (t) => call(() => h.writeErrorLine(t)),
    // PowerShell's host UI keeps the record for its stream, then calls the client's host
    // (fixture test_psrp_pshost_ui_mocked_methods.yml #10): the pipeline's sink sends both.
    writeDebugLine: (t) => call(async () => void (await sink.informational('Debug', t))),
    writeVerboseLine: (t) => call(async () => void (await sink.informational('Verbose', t))),
    writeWarningLine: (t) => call(async () => void (await sink.informational('Warning', t))),
    readLine: () => call(() => h.readLine()),
    readLineAsSecureString: async () => fromClixml(await call(() => h.readLineAsSecureString())),
    prompt: async (caption, message, fields) => fromClixml(await call(() => h.prompt(caption, message, fields.map((f) => fieldDescription({ name: f.name, label: f.label, type: f.type }))))),
    promptForChoice: (caption, message, choices, defaultChoice) => call(() => h.promptForChoice(caption, message, choices.map((c) => choiceDescription(c.label, c.helpMessage)), defaultChoice)),
    // Out-Default / Out-Host in the script: formatted here and written to the client's host, as
    // the Out-Default the client appends (psrp.md §3.4 step 4).
    render: () => {
      const r = new HostRenderer(h, true, o.clock);
      return {
        output: (v) => call(() => r.output(v)),
        error: (e) => call(() => r.error(e)),
        end: () => call(() => r.end()),
      };
    },
  };
}
