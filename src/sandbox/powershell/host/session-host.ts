// The remote client's PSHost as a remoting session sees it (psrp.md §3.4): what `$host.UI`'s
// methods and Read-Host reach when a PSRP pipeline has a client host. The PSRP layer
// (src/shell/psrp/sandbox-engine.ts) binds one per invocation; the session's `$Host` object gets
// the UI methods once. Without a bound host (pypsrp's null host, powershell.exe under WinRS)
// writes are dropped and reads fail as PowerShell's InternalHostUserInterface does: HostException
// "HostFunctionNotImplemented" (ThrowNotInteractive).
import type { CmdletDef } from '../runtime/command.js';
import { runtimeError } from '../runtime/errors.js';
import { displayString } from '../runtime/convert.js';
import { PSHashtable, PSObject, type PSErrorRecord, type PSMethod, type PSValue } from '../runtime/values.js';

export interface HostColors {
  readonly foreground: number;
  readonly background: number;
}

/** A prompt field (FieldDescription) as Read-Host and `$host.UI.Prompt` build it. */
export interface PromptField {
  readonly name: string;
  readonly label: string;
  readonly type: 'String' | 'SecureString' | 'PSCredential';
}

/** Out-Default / Out-Host on the client's host: objects formatted as text, error records as the error view. */
export interface HostRender {
  output(v: PSValue): Promise<void>;
  error(e: PSErrorRecord): Promise<void>;
  end(): Promise<void>;
}

export interface SessionHost {
  /** The host's default colours (RawUI), when the client sent them. */
  readonly foregroundColor: number | undefined;
  readonly backgroundColor: number | undefined;
  write(text: string, colors?: HostColors): Promise<void>;
  writeLine(text?: string, colors?: HostColors): Promise<void>;
  writeErrorLine(text: string): Promise<void>;
  writeDebugLine(text: string): Promise<void>;
  writeVerboseLine(text: string): Promise<void>;
  writeWarningLine(text: string): Promise<void>;
  readLine(): Promise<string>;
  readLineAsSecureString(): Promise<PSValue>;
  /** Prompt: the answers by field name. */
  prompt(caption: string, message: string, fields: readonly PromptField[]): Promise<PSHashtable | PSValue>;
  promptForChoice(caption: string, message: string, choices: ReadonlyArray<{ readonly label: string; readonly helpMessage: string }>, defaultChoice: number): Promise<number>;
  /** A formatter writing to this host, for Out-Default and Out-Host; none: they do not render here. */
  render?(): HostRender;
}

const bound = new WeakMap<object, SessionHost>();

/** Bind `host` to an engine for one invocation; returns the undo. */
export function bindSessionHost(engine: object, host: SessionHost | undefined): () => void {
  const before = bound.get(engine);
  if (host) bound.set(engine, host);
  else bound.delete(engine);
  return () => {
    if (before) bound.set(engine, before);
    else bound.delete(engine);
  };
}

export function sessionHostOf(engine: object): SessionHost | undefined {
  return bound.get(engine);
}

/** HostException HostFunctionNotImplemented [HostInterfaceExceptionsStrings, Windows PowerShell 5.1]. */
export const HOST_NOT_INTERACTIVE =
  'A command that prompts the user failed because the host program or the command type does not support user interaction. Try a host program that supports user interaction, such as the Windows PowerShell Console or Windows PowerShell ISE, and remove prompt-related commands from command types that do not support user interaction, such as Windows PowerShell workflows.';

function notInteractive(): never {
  throw runtimeError({ message: HOST_NOT_INTERACTIVE, errorId: 'HostFunctionNotImplemented', category: 'NotImplemented', exceptionType: 'System.Management.Automation.Host.HostException' });
}

/** `invokeMethod` (runtime/members.ts) awaits what a method returns, so a method may be async. */
const asyncMethod = (fn: (args: PSValue[]) => Promise<PSValue | undefined>): PSMethod => fn as unknown as PSMethod;

const text = (v: PSValue | undefined): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : displayString(v));

const CONSOLE_COLORS = ['Black', 'DarkBlue', 'DarkGreen', 'DarkCyan', 'DarkRed', 'DarkMagenta', 'DarkYellow', 'Gray', 'DarkGray', 'Blue', 'Green', 'Cyan', 'Red', 'Magenta', 'Yellow', 'White'];

/** A ConsoleColor argument: a number, an enum value or a colour name. */
export function consoleColor(v: PSValue | undefined): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v >= 0 && v < 16 ? v : undefined;
  const value = (v as { value?: unknown }).value;
  if (typeof value === 'number') return value >= 0 && value < 16 ? value : undefined;
  const i = CONSOLE_COLORS.findIndex((c) => c.toLowerCase() === text(v).toLowerCase());
  return i >= 0 ? i : undefined;
}

/**
 * `$host.UI`'s methods for a remoting session: Write, WriteLine, WriteErrorLine, Write*Line,
 * ReadLine, ReadLineAsSecureString. `hostVar` is the session's `$Host` object.
 */
export function attachSessionHostUi(hostVar: PSValue | undefined, engine: object): void {
  if (!(hostVar instanceof PSObject)) return;
  const ui = hostVar.property('UI');
  const uiObj = ui?.value;
  if (!(uiObj instanceof PSObject)) return;
  const colorsOf = (args: PSValue[]): HostColors | undefined => {
    const fg = consoleColor(args[0]);
    const bg = consoleColor(args[1]);
    return fg !== undefined && bg !== undefined ? { foreground: fg, background: bg } : undefined;
  };
  // Without a client host UI, PowerShell drops writes (InternalHostUserInterface.Write).
  const write = (fn: (h: SessionHost, args: PSValue[]) => Promise<void>): PSMethod =>
    asyncMethod(async (args) => {
      const h = sessionHostOf(engine);
      if (h) await fn(h, args);
      return undefined;
    });
  uiObj.addMethod(
    'Write',
    write((h, args) => (args.length >= 3 ? h.write(text(args[2]), colorsOf(args)) : h.write(text(args[0])))),
  );
  uiObj.addMethod(
    'WriteLine',
    write((h, args) => (args.length === 0 ? h.writeLine() : args.length >= 3 ? h.writeLine(text(args[2]), colorsOf(args)) : h.writeLine(text(args[0])))),
  );
  uiObj.addMethod('WriteErrorLine', write((h, args) => h.writeErrorLine(text(args[0]))));
  uiObj.addMethod('WriteDebugLine', write((h, args) => h.writeDebugLine(text(args[0]))));
  uiObj.addMethod('WriteVerboseLine', write((h, args) => h.writeVerboseLine(text(args[0]))));
  uiObj.addMethod('WriteWarningLine', write((h, args) => h.writeWarningLine(text(args[0]))));
  uiObj.addMethod(
    'ReadLine',
    asyncMethod(async () => {
      const h = sessionHostOf(engine);
      if (!h) notInteractive();
      return h.readLine();
    }),
  );
  uiObj.addMethod(
    'ReadLineAsSecureString',
    asyncMethod(async () => {
      const h = sessionHostOf(engine);
      if (!h) notInteractive();
      return h.readLineAsSecureString();
    }),
  );
}

/**
 * Read-Host [[-Prompt] <Object>] [-AsSecureString] (ReadHostCommand): with -Prompt, the host's
 * Prompt("", "", [field]) and each answer out; without it, ReadLine / ReadLineAsSecureString.
 */
export const readHostCmdlet: CmdletDef = {
  name: 'Read-Host',
  implementingType: 'Microsoft.PowerShell.Commands.ReadHostCommand',
  module: 'Microsoft.PowerShell.Utility',
  params: [
    { name: 'Prompt', type: 'object', position: 0, remaining: true },
    { name: 'AsSecureString', type: 'switch' },
  ],
  process: async (c) => {
    const h = sessionHostOf(c.engine);
    if (!h) return c.terminate({ message: HOST_NOT_INTERACTIVE, errorId: 'HostFunctionNotImplemented', category: 'NotImplemented', exceptionType: 'System.Management.Automation.Host.HostException' });
    const secure = c.switch('AsSecureString');
    const prompt = c.get('Prompt');
    if (prompt !== undefined && prompt !== null) {
      const name = Array.isArray(prompt) ? prompt.map((p) => text(p)).join(' ') : text(prompt);
      const answers = await h.prompt('', '', [{ name, label: '', type: secure ? 'SecureString' : 'String' }]);
      if (answers instanceof PSHashtable) for (const [, v] of answers.entries()) await c.write(v);
      return;
    }
    await c.write(secure ? await h.readLineAsSecureString() : await h.readLine());
  },
};
