// The remote client's PSHost as a remoting session sees it (psrp.md §3.4): what `$host.UI`'s
// methods and Read-Host reach when a PSRP pipeline has a client host. The PSRP layer
// (src/shell/psrp/sandbox-engine.ts) binds one per invocation; the session's `$Host` object gets
// the UI methods once. Without a bound host (pypsrp's null host, powershell.exe under WinRS)
// writes are dropped and reads fail as PowerShell's InternalHostUserInterface does: HostException
// "HostFunctionNotImplemented" (ThrowNotInteractive).
import type { CmdletDef } from '../runtime/command.js';
import { runtimeError } from '../runtime/errors.js';
import { displayString } from '../runtime/convert.js';
import { PSHashtable, PSObject, PSTypeRef, type PSErrorRecord, type PSMethod, type PSValue } from '../runtime/values.js';
import { convertTo, resolveType } from '../runtime/types.js';
import { CHOICE_DESCRIPTION, FIELD_DESCRIPTION, choiceOf, fieldOf, isProgressRecord, progressOf, type ParameterType, type ProgressFields } from './descriptions.js';

export interface HostColors {
  readonly foreground: number;
  readonly background: number;
}

/** A prompt field (FieldDescription) as Read-Host and `$host.UI.Prompt` build it. */
export interface PromptField {
  readonly name: string;
  readonly label: string;
  readonly type: 'String' | 'SecureString' | 'PSCredential';
  /** SetParameterType's type when it is none of `type`'s (Int32…): names as FieldDescription keeps them. */
  readonly parameterType?: ParameterType;
  readonly helpMessage?: string;
  readonly isMandatory?: boolean;
}

/** PSCredentialTypes / PSCredentialUIOptions of the six-argument PromptForCredential. */
export interface CredentialOptions {
  readonly types: number;
  readonly options: number;
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
  /** WriteProgress(sourceId, record): the progress record, then the host's WriteProgress. */
  writeProgress?(sourceId: number, record: ProgressFields): Promise<void>;
  readLine(): Promise<string>;
  readLineAsSecureString(): Promise<PSValue>;
  /** Prompt: the answers by field name. */
  prompt(caption: string, message: string, fields: readonly PromptField[]): Promise<PSHashtable | PSValue>;
  promptForChoice(caption: string, message: string, choices: ReadonlyArray<{ readonly label: string; readonly helpMessage: string }>, defaultChoice: number): Promise<number>;
  /** PromptForCredential (the host's PSCredential, or null when the user gave none). */
  promptForCredential(caption: string, message: string, userName: string | null, targetName: string, allowed?: CredentialOptions): Promise<PSValue>;
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

/**
 * HostException from a prompt without a host UI: InternalHostUserInterface.ThrowPromptNotInteractive,
 * errorId HostFunctionNotImplemented [pwsh:SMA/engine/hostifaces/InternalHostUserInterface.cs,
 * HostInterfaceExceptionsStrings.resx HostFunctionPromptNotImplemented].
 */
export function promptNotInteractiveText(message: string): string {
  return `A command that prompts the user failed because the host program or the command type does not support user interaction. The host was attempting to request confirmation with the following message: ${message}`;
}

function promptNotInteractive(message: string): never {
  throw runtimeError({ message: promptNotInteractiveText(message), errorId: 'HostFunctionNotImplemented', category: 'NotImplemented', exceptionType: 'System.Management.Automation.Host.HostException' });
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
  // WriteProgress(long sourceId, ProgressRecord): InternalHostUserInterface keeps the record for the
  // progress stream and calls the client's host (recorded #10: PROGRESS_RECORD, then WriteProgress).
  // Without a client host nothing is written here.
  uiObj.addMethod(
    'WriteProgress',
    write(async (h, args) => {
      if (args.length !== 2) overloadError('WriteProgress', args.length);
      const record = args[1] ?? null;
      if (!isProgressRecord(record)) {
        throw runtimeError({ message: `Cannot convert argument "record", with value: "${text(record)}", for "WriteProgress" to type "System.Management.Automation.ProgressRecord".`, errorId: 'MethodArgumentConversionInvalidCastArgument', category: 'NotSpecified', exceptionType: 'System.Management.Automation.MethodException' });
      }
      await h.writeProgress?.(Number(text(args[0])), progressOf(record));
    }),
  );
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
  // PromptForChoice(caption, message, Collection<ChoiceDescription>, int): PromptForChoice (26); the
  // client's Int32 answer is the result (recorded #14-#16).
  uiObj.addMethod(
    'PromptForChoice',
    asyncMethod(async (args) => {
      if (args.length !== 4) overloadError('PromptForChoice', args.length);
      const message = text(args[1]);
      const choices = descriptions('PromptForChoice', args, 2, CHOICE_DESCRIPTION).map(choiceOf);
      const defaultChoice = toInt('PromptForChoice', args, 3);
      const h = sessionHostOf(engine);
      if (!h) promptNotInteractive(message);
      return h.promptForChoice(nullableText(args[0]), message, choices, defaultChoice);
    }),
  );
  // Prompt(caption, message, Collection<FieldDescription>): Prompt (23); the answers come back as
  // Dictionary<string, PSObject>, each converted to its field's type where it can be, as
  // ServerRemoteHostUserInterface.Prompt does [pwsh:remoting/server/ServerRemoteHostUserInterface.cs].
  uiObj.addMethod(
    'Prompt',
    asyncMethod(async (args) => {
      if (args.length !== 3) overloadError('Prompt', args.length);
      const message = text(args[1]);
      const fields = descriptions('Prompt', args, 2, FIELD_DESCRIPTION).map((f) => promptField(fieldOf(f)));
      const h = sessionHostOf(engine);
      if (!h) promptNotInteractive(message);
      const answers = await h.prompt(nullableText(args[0]), message, fields);
      if (answers instanceof PSHashtable) {
        answers.dictionaryType = DICTIONARY_STRING_PSOBJECT;
        for (const f of fields) {
          const want = f.parameterType?.fullName;
          const t = want === undefined ? undefined : resolveType(want);
          if (t === undefined || !answers.has(f.name)) continue;
          try {
            answers.set(f.name, convertTo(answers.get(f.name) ?? null, t));
          } catch {
            // "it is okay to fail the cast and return the original object"
          }
        }
      }
      return answers;
    }),
  );
  // PromptForCredential(caption, message, userName, targetName[, PSCredentialTypes, PSCredentialUIOptions]):
  // both go out as PromptForCredential2, the four-argument one with Default (3) and Default (1) (recorded #12).
  uiObj.addMethod(
    'PromptForCredential',
    asyncMethod(async (args) => {
      if (args.length !== 4 && args.length !== 6) overloadError('PromptForCredential', args.length);
      const message = text(args[1]);
      const allowed = args.length === 6 ? { types: flags(args[4], CREDENTIAL_TYPES), options: flags(args[5], CREDENTIAL_UI_OPTIONS) } : undefined;
      const h = sessionHostOf(engine);
      if (!h) promptNotInteractive(message);
      return h.promptForCredential(nullableText(args[0]), message, args[2] === undefined || args[2] === null ? null : text(args[2]), text(args[3]), allowed);
    }),
  );
}

const DICTIONARY_STRING_PSOBJECT =
  'System.Collections.Generic.Dictionary`2[[System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089],[System.Management.Automation.PSObject, System.Management.Automation, Version=3.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]';

/** PSCredentialTypes and PSCredentialUIOptions flags by name [SMA/security/CredentialParameter… PSCredentialTypes.cs]. */
const CREDENTIAL_TYPES: Readonly<Record<string, number>> = { generic: 1, domain: 2, default: 3 };
const CREDENTIAL_UI_OPTIONS: Readonly<Record<string, number>> = { none: 0, default: 1, validateusernamesyntax: 1, alwaysprompt: 2, readonlyusername: 4 };

function flags(v: PSValue | undefined, names: Readonly<Record<string, number>>): number {
  if (typeof v === 'number') return v;
  const n = (v as { value?: unknown } | null | undefined)?.value;
  if (typeof n === 'number') return n;
  return text(v)
    .split(',')
    .map((x) => x.trim().toLowerCase())
    .filter((x) => x !== '')
    .reduce((acc, x) => acc | (names[x] ?? (/^\d+$/.test(x) ? Number(x) : 0)), 0);
}

const nullableText = (v: PSValue | undefined): string => (v === undefined || v === null ? '' : text(v));

function overloadError(name: string, count: number): never {
  throw runtimeError({ message: `Cannot find an overload for "${name}" and the argument count: "${count}".`, errorId: 'MethodCountCouldNotFindBest', category: 'NotSpecified', exceptionType: 'System.Management.Automation.MethodException' });
}

/** A method argument converted as PowerShell's method binder does, or its MethodArgumentConversionInvalidCastArgument error. */
function argument<T>(method: string, args: readonly PSValue[], i: number, convert: () => T, type: string): T {
  try {
    return convert();
  } catch (e) {
    const v = args[i] ?? null;
    const reason = e instanceof Error ? e.message : String(e);
    throw runtimeError({
      message: `Cannot convert argument "${['caption', 'message', 'choices', 'defaultChoice'][i] ?? `arg${i}`}", with value: "${text(v)}", for "${method}" to type "${type}": "${reason}"`,
      errorId: 'MethodArgumentConversionInvalidCastArgument',
      category: 'NotSpecified',
      exceptionType: 'System.Management.Automation.MethodException',
    });
  }
}

/** A Collection<ChoiceDescription / FieldDescription> argument: one or many, strings through the constructor. */
function descriptions(method: string, args: readonly PSValue[], i: number, type: string): PSObject[] {
  const v = args[i] ?? null;
  const items = v === null ? [] : Array.isArray(v) ? v : [v];
  const t = new PSTypeRef(type);
  return argument(method, args, i, () => items.map((x) => convertTo(x, t) as PSObject), `System.Collections.ObjectModel.Collection\`1[${type}]`);
}

function toInt(method: string, args: readonly PSValue[], i: number): number {
  return argument(method, args, i, () => convertTo(args[i] ?? null, new PSTypeRef('System.Int32')) as number, 'System.Int32');
}

/** A FieldDescription as the host call carries it. */
function promptField(f: ReturnType<typeof fieldOf>): PromptField {
  const type = f.parameterType.fullName === 'System.Security.SecureString' ? 'SecureString' : f.parameterType.fullName === 'System.Management.Automation.PSCredential' ? 'PSCredential' : 'String';
  return {
    name: f.name,
    label: f.label,
    type,
    ...(type === 'String' && f.parameterType.fullName !== 'System.String' ? { parameterType: f.parameterType } : {}),
    helpMessage: f.helpMessage,
    isMandatory: f.isMandatory,
  };
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
    const secure = c.switch('AsSecureString');
    const prompt = c.get('Prompt');
    // Without a host UI: ReadLine's HostException, or with -Prompt the one of Prompt("", "", …).
    const message = prompt !== undefined && prompt !== null ? promptNotInteractiveText('') : HOST_NOT_INTERACTIVE;
    if (!h) return c.terminate({ message, errorId: 'HostFunctionNotImplemented', category: 'NotImplemented', exceptionType: 'System.Management.Automation.Host.HostException' });
    if (prompt !== undefined && prompt !== null) {
      const name = Array.isArray(prompt) ? prompt.map((p) => text(p)).join(' ') : text(prompt);
      const answers = await h.prompt('', '', [{ name, label: '', type: secure ? 'SecureString' : 'String' }]);
      if (answers instanceof PSHashtable) for (const [, v] of answers.entries()) await c.write(v);
      return;
    }
    await c.write(secure ? await h.readLineAsSecureString() : await h.readLine());
  },
};

/** Windows PowerShell 5.1's default caption and message of Get-Credential and the [Credential] attribute [UtilsStrings.resx, CredentialAttributeStrings.resx PromptForCredential_Default*; 7.x drops "Windows "]. */
export const CREDENTIAL_CAPTION = 'Windows PowerShell credential request';
export const CREDENTIAL_MESSAGE = 'Enter your credentials.';

const isCredential = (v: PSValue | undefined): boolean => v instanceof PSObject && v.typeNames[0]?.replace(/^Deserialized\./, '') === 'System.Management.Automation.PSCredential';

/**
 * Get-Credential [[-Credential] <PSCredential>] | [[-UserName] <String>] [-Message <String>] [-Title <String>]
 * (GetCredentialCommand.BeginProcessing): a credential given is written back; otherwise the host's
 * PromptForCredential(title, message, userName, "") — a user name given as -Credential goes through
 * the [Credential] attribute's prompt — and the credential the host returns, if any, is written
 * [pwsh:Microsoft.PowerShell.Security/security/CredentialCommands.cs, SMA/security/CredentialParameter.cs].
 * Without a host UI the prompt's HostException ends the command (the attribute's: a
 * ParameterArgumentTransformationError on -Credential).
 */
export const getCredentialCmdlet: CmdletDef = {
  name: 'Get-Credential',
  implementingType: 'Microsoft.PowerShell.Commands.GetCredentialCommand',
  module: 'Microsoft.PowerShell.Security',
  params: [
    { name: 'Credential', type: 'object', position: 0, typeName: 'System.Management.Automation.PSCredential' },
    { name: 'Message', type: 'string' },
    { name: 'UserName', type: 'string' },
    { name: 'Title', type: 'string' },
  ],
  process: async (c) => {
    const given = c.get('Credential');
    if (isCredential(given)) return c.write(given ?? null);
    const h = sessionHostOf(c.engine);
    const viaAttribute = given !== undefined && given !== null;
    const title = viaAttribute ? CREDENTIAL_CAPTION : (c.str('Title') ?? CREDENTIAL_CAPTION);
    const message = viaAttribute ? CREDENTIAL_MESSAGE : (c.str('Message') ?? CREDENTIAL_MESSAGE);
    const userName = viaAttribute ? text(given) : (c.str('UserName') ?? null);
    if (!h) {
      const hostText = promptNotInteractiveText(message);
      if (viaAttribute) {
        return c.terminate({
          message: `Cannot process argument transformation on parameter 'Credential'. ${hostText}`,
          errorId: 'ParameterArgumentTransformationError',
          category: 'InvalidData',
          exceptionType: 'System.Management.Automation.ParameterBindingArgumentTransformationException',
        });
      }
      return c.terminate({ message: hostText, errorId: 'HostFunctionNotImplemented', category: 'NotImplemented', exceptionType: 'System.Management.Automation.Host.HostException' });
    }
    const credential = await h.promptForCredential(title, message, userName, '');
    if (credential !== null && credential !== undefined) await c.write(credential);
  },
};
