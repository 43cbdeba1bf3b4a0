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

/** Colours a Write-Host call asks for: ConsoleColor values, unset ones left undefined. */
export interface HostColorRequest {
  readonly foreground?: number | undefined;
  readonly background?: number | undefined;
}

/**
 * The colours of one Write-Host call as PowerShell settles them: WriteHostCommand reads
 * ForegroundColor, then BackgroundColor; an unset one is the host RawUI's, whose getter throws
 * HostException without a RawUI (a null host, `_isHostRawUINull`), which WriteHostCommand
 * swallows, leaving that colour and any after it unset [pwsh:Microsoft.PowerShell.Commands.Utility/commands/utility/ConsoleColorCmdlet.cs,
 * WriteConsoleCmdlet.cs ProcessRecord, SMA/engine/hostifaces/InternalHostRawUserInterface.cs].
 */
export function writeHostColors(host: InvocationHost | undefined, given: HostColorRequest = {}): { readonly foreground: number | undefined; readonly background: number | undefined } {
  const foreground = given.foreground ?? host?.foregroundColor;
  if (foreground === undefined) return { foreground: undefined, background: undefined };
  return { foreground, background: given.background ?? host?.backgroundColor };
}

/** Write-Host's HostInformationMessage with the colours the call settled on (null when unset). */
export function hostMessage(text: string, colors: { readonly foreground: number | undefined; readonly background: number | undefined }, noNewLine = false): PsObject {
  return new PsObject({
    typeNames: ['System.Management.Automation.HostInformationMessage', 'System.Object'],
    toStringText: text,
    props: [
      ['Message', text],
      ['ForegroundColor', colorValue(colors.foreground)],
      ['BackgroundColor', colorValue(colors.background)],
      ['NoNewLine', noNewLine],
    ],
  });
}

/**
 * One Write-Host call, sent as it happens: with a host, WriteLine3 (Write2 for -NoNewline) when
 * either colour is set — the unset one Gray or Black, as MshCommandRuntime fills it in — else
 * WriteLine2 (Write1); then its PSHOST information record either way, NoNewLine set from
 * -NoNewline — WriteHostCommand writes one HostInformationMessage per call and
 * MshCommandRuntime.WriteInformation writes it to the host UI as well as to the information
 * stream; clients tag the record FORWARDED so it is not shown twice [pwsh:Microsoft.PowerShell.Commands.Utility/commands/utility/WriteConsoleCmdlet.cs ProcessRecord,
 * SMA/engine/MshCommandRuntime.cs WriteInformation, remoting/commands/PSRemotingCmdlet.cs HandleInformationAdded].
 * ConsoleColor arguments travel as plain I32 (recorded: test_psrp_pshost_ui_mocked_methods.yml #10).
 */
export async function writeHostCall(sink: InvocationSink, host: InvocationHost | undefined, text: string, noNewLine: boolean, given: HostColorRequest = {}): Promise<void> {
  const settled = writeHostColors(host, given);
  if (host) {
    const colors = settled.foreground !== undefined || settled.background !== undefined ? { foreground: settled.foreground ?? 7, background: settled.background ?? 0 } : undefined;
    if (noNewLine) await host.write(text, colors);
    else await host.writeLine(text, colors);
  }
  await sink.information({ messageData: hostMessage(text, settled, noNewLine), source: 'Write-Host', tags: ['PSHOST'] });
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
  /** A host answer as an engine value (async: a `<SS>` in it may need the session key first). */
  readonly fromClixml: (v: PsValue) => Promise<PSValue>;
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
    // The PROGRESS_RECORD, then the WriteProgress host call (the pipeline's sink sends both, as for Write-Progress).
    writeProgress: (_sourceId, r) => call(async () => void (await sink.progress(r))),
    readLine: () => call(() => h.readLine()),
    readLineAsSecureString: async () => await fromClixml(await call(() => h.readLineAsSecureString())),
    prompt: async (caption, message, fields) =>
      await fromClixml(
        await call(() =>
          h.prompt(
            caption,
            message,
            fields.map((f) =>
              fieldDescription({
                name: f.name,
                label: f.label,
                type: f.type,
                ...(f.parameterType ? { parameterType: f.parameterType } : {}),
                ...(f.helpMessage !== undefined ? { helpMessage: f.helpMessage } : {}),
                ...(f.isMandatory !== undefined ? { isMandatory: f.isMandatory } : {}),
              }),
            ),
          ),
        ),
      ),
    promptForChoice: (caption, message, choices, defaultChoice) => call(() => h.promptForChoice(caption, message, choices.map((c) => choiceDescription(c.label, c.helpMessage)), defaultChoice)),
    // The client's PSCredential comes back rehydrated, its password under the session key (recorded #13-#14).
    promptForCredential: async (caption, message, userName, targetName, allowed) => await fromClixml(await call(() => h.promptForCredential(caption, message, userName, targetName, allowed))),
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
