// Host calls [MS-PSRP 2.2.2.15-16, 2.2.2.27-28, 2.2.3.17] (psrp.md §3.4): how the server asks
// the client's PSHost to write a line, read one, prompt, or pop the runspace. A call is
// PIPELINE_HOST_CALL (or RUNSPACEPOOL_HOST_CALL when the pipeline uses the pool's host) with
// `ci` (call id), `mi` (RemoteHostMethodId as an enum object) and `mp` (ArrayList of arguments).
// Void calls carry ci = -100 and get no answer; a value-returning call gets a positive,
// increasing ci and blocks its pipeline until PIPELINE_HOST_RESPONSE / RUNSPACEPOOL_HOST_RESPONSE
// arrives on the `pr` stream with the same ci and `mr` (result) or `me` (an ErrorRecord)
// (recorded: test_psrp_pshost_ui_mocked_methods.yml #6-#16). Sans-I/O: this module builds and
// reads message bodies and keeps the calls waiting; pool.ts queues and routes them.
import { ClixmlError, PsObject, PsPrim, asNumber, asString, bag, enumValue, i64, type PsValue } from './clixml.js';
import type { InvocationHost } from './engine.js';
import { progressRecordData, type ErrorRecordSpec, type HostInfo } from './records.js';

/** RemoteHostMethodId [MS-PSRP 2.2.3.17], [psrpcore types/_host.py HostMethodIdentifier]. */
export const HOST_METHOD_IDS = {
  GetName: 1,
  GetVersion: 2,
  GetInstanceId: 3,
  GetCurrentCulture: 4,
  GetCurrentUICulture: 5,
  SetShouldExit: 6,
  EnterNestedPrompt: 7,
  ExitNestedPrompt: 8,
  NotifyBeginApplication: 9,
  NotifyEndApplication: 10,
  ReadLine: 11,
  ReadLineAsSecureString: 12,
  Write1: 13,
  Write2: 14,
  WriteLine1: 15,
  WriteLine2: 16,
  WriteLine3: 17,
  WriteErrorLine: 18,
  WriteDebugLine: 19,
  WriteProgress: 20,
  WriteVerboseLine: 21,
  WriteWarningLine: 22,
  Prompt: 23,
  PromptForCredential1: 24,
  PromptForCredential2: 25,
  PromptForChoice: 26,
  GetForegroundColor: 27,
  SetForegroundColor: 28,
  GetBackgroundColor: 29,
  SetBackgroundColor: 30,
  GetCursorPosition: 31,
  SetCursorPosition: 32,
  GetWindowPosition: 33,
  SetWindowPosition: 34,
  GetCursorSize: 35,
  SetCursorSize: 36,
  GetBufferSize: 37,
  SetBufferSize: 38,
  GetWindowSize: 39,
  SetWindowSize: 40,
  GetWindowTitle: 41,
  SetWindowTitle: 42,
  GetMaxWindowSize: 43,
  GetMaxPhysicalWindowSize: 44,
  GetKeyAvailable: 45,
  ReadKey: 46,
  FlushInputBuffer: 47,
  SetBufferContents1: 48,
  SetBufferContents2: 49,
  GetBufferContents: 50,
  ScrollBufferContents: 51,
  PushRunspace: 52,
  PopRunspace: 53,
  GetIsRunspacePushed: 54,
  GetRunspace: 55,
  PromptForChoiceMultipleSelection: 56,
} as const;

export type HostMethodName = keyof typeof HOST_METHOD_IDS;

/** The `ci` of a call that expects no response [MS-PSRP 2.2.2.27]. */
export const VOID_CALL_ID = -100n;

/** Methods whose result the server waits for (psrp.md §3.4 step 8); everything else is void. */
export const VALUE_METHODS: ReadonlySet<HostMethodName> = new Set<HostMethodName>([
  'GetName',
  'GetVersion',
  'GetInstanceId',
  'GetCurrentCulture',
  'GetCurrentUICulture',
  'ReadLine',
  'ReadLineAsSecureString',
  'Prompt',
  'PromptForCredential1',
  'PromptForCredential2',
  'PromptForChoice',
  'GetForegroundColor',
  'GetBackgroundColor',
  'GetCursorPosition',
  'GetWindowPosition',
  'GetCursorSize',
  'GetBufferSize',
  'GetWindowSize',
  'GetWindowTitle',
  'GetMaxWindowSize',
  'GetMaxPhysicalWindowSize',
  'GetKeyAvailable',
  'ReadKey',
  'GetBufferContents',
  'GetIsRunspacePushed',
  'GetRunspace',
  'PromptForChoiceMultipleSelection',
]);

const METHOD_NAMES = new Map<number, HostMethodName>((Object.entries(HOST_METHOD_IDS) as Array<[HostMethodName, number]>).map(([k, v]) => [v, k]));

export function hostMethodName(id: number): HostMethodName | undefined {
  return METHOD_NAMES.get(id);
}

const ARRAY_LIST = ['System.Collections.ArrayList', 'System.Object'];

/** `mi`: the RemoteHostMethodId enum object, ToString + I32 (fixture). */
export function methodIdObject(method: HostMethodName): PsObject {
  return enumValue('System.Management.Automation.Remoting.RemoteHostMethodId', method, HOST_METHOD_IDS[method]);
}

/** PIPELINE_HOST_CALL / RUNSPACEPOOL_HOST_CALL body: `ci`, `mi`, `mp` in that order. */
export function hostCallData(ci: bigint, method: HostMethodName, params: readonly PsValue[]): PsObject {
  return bag([
    ['ci', i64(ci)],
    ['mi', methodIdObject(method)],
    ['mp', new PsObject({ typeNames: ARRAY_LIST, list: [...params] })],
  ]);
}

export interface HostResponse {
  readonly ci: bigint;
  readonly methodId: number;
  /** `mr`; undefined when the response carries no result (a void method, or `me`). */
  readonly result: PsValue | undefined;
  /** `me`: the ErrorRecord the client's host raised. */
  readonly error: PsValue | undefined;
}

function callId(v: PsValue | undefined): bigint {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'bigint') return v;
  if (v instanceof PsPrim && /^-?\d+$/.test(v.text.trim())) return BigInt(v.text.trim());
  throw new ClixmlError('a host response needs an integer ci');
}

/** PIPELINE_HOST_RESPONSE / RUNSPACEPOOL_HOST_RESPONSE [MS-PSRP 2.2.2.16, 2.2.2.28]. */
export function parseHostResponse(o: PsObject): HostResponse {
  const mi = o.get('mi');
  const id = mi instanceof PsObject ? asNumber(mi.baseValue ?? null) : asNumber(mi ?? null);
  if (id === undefined) throw new ClixmlError('a host response needs the method id mi');
  return { ci: callId(o.get('ci')), methodId: id, result: o.has('mr') ? (o.get('mr') ?? null) : undefined, error: o.has('me') ? (o.get('me') ?? null) : undefined };
}

/** The client's host answered with `me`: the method throws this (its ErrorRecord as sent). */
export class HostCallError extends Error {
  constructor(
    readonly method: HostMethodName,
    readonly record: PsValue,
  ) {
    super(`${method}: ${errorText(record)}`);
    this.name = 'HostCallError';
  }
}

function errorText(v: PsValue): string {
  if (v instanceof PsObject) {
    const ex = v.get('Exception');
    const m = ex instanceof PsObject ? asString(ex.get('Message') ?? null) : undefined;
    return m ?? v.toStringText ?? 'the host method failed';
  }
  return asString(v) ?? 'the host method failed';
}

/** A call that could not be made: over a bound, or the pipeline went away while it waited. */
export class HostCallAborted extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostCallAborted';
  }
}

export interface HostCallSender {
  /** Queue one host call message (ci, method, params already encoded by the channel). */
  send(data: PsObject): void | Promise<void>;
}

interface Waiting {
  readonly method: HostMethodName;
  resolve(v: PsValue): void;
  reject(e: Error): void;
}

/**
 * The host calls of one target (a pipeline, or the pool for `_useRunspaceHost`): void calls go
 * out with ci -100, value calls with 1, 2, 3… and wait for their response. A response for a ci
 * nobody waits for is a protocol error; at most `maxPending` calls wait at once (a pipeline makes
 * one at a time, as PowerShell's blocks on each).
 */
export class HostCallChannel {
  private nextCallId = 1n;
  private readonly waiting = new Map<bigint, Waiting>();
  private closed: string | undefined;

  constructor(
    private readonly sender: HostCallSender,
    private readonly maxPending = 4,
  ) {}

  /** Calls sent and not yet answered. */
  get pending(): number {
    return this.waiting.size;
  }

  async voidCall(method: HostMethodName, params: readonly PsValue[] = []): Promise<void> {
    if (this.closed !== undefined) throw new HostCallAborted(this.closed);
    await this.sender.send(hostCallData(VOID_CALL_ID, method, params));
  }

  call(method: HostMethodName, params: readonly PsValue[] = []): Promise<PsValue> {
    if (!VALUE_METHODS.has(method)) return this.voidCall(method, params).then(() => null);
    if (this.closed !== undefined) return Promise.reject(new HostCallAborted(this.closed));
    if (this.waiting.size >= this.maxPending) return Promise.reject(new HostCallAborted(`more than ${this.maxPending} host calls are waiting for the client`));
    const ci = this.nextCallId++;
    return new Promise<PsValue>((resolve, reject) => {
      this.waiting.set(ci, { method, resolve, reject });
      Promise.resolve(this.sender.send(hostCallData(ci, method, params))).catch((e: unknown) => {
        this.waiting.delete(ci);
        reject(e instanceof Error ? e : new Error(String(e)));
      });
    });
  }

  /** A host response arrived; throws (a protocol error) when no call waits for its ci. */
  respond(r: HostResponse): void {
    const w = this.waiting.get(r.ci);
    if (!w) throw new ClixmlError(`host response for call ${r.ci}, which is not waiting for one`);
    if (r.methodId !== HOST_METHOD_IDS[w.method]) throw new ClixmlError(`host response for call ${r.ci} names method ${r.methodId}, the call was ${w.method} (${HOST_METHOD_IDS[w.method]})`);
    this.waiting.delete(r.ci);
    if (r.error !== undefined) w.reject(new HostCallError(w.method, r.error));
    else w.resolve(r.result ?? null);
  }

  /** The pipeline stopped or went away: every waiting call fails, no more are made. */
  close(reason: string): void {
    this.closed = reason;
    for (const [ci, w] of [...this.waiting]) {
      this.waiting.delete(ci);
      w.reject(new HostCallAborted(reason));
    }
  }
}

/** Whether a pipeline with `pipelineHost` may make host calls, and through which target. */
export function hostTarget(pipelineHost: HostInfo, poolHost: HostInfo): 'pipeline' | 'pool' | undefined {
  if (pipelineHost.useRunspaceHost) return poolHost.isHostNull || poolHost.isHostUINull ? undefined : 'pool';
  return pipelineHost.isHostNull || pipelineHost.isHostUINull ? undefined : 'pipeline';
}

/** The console width for server-side formatting: HostDefaultData BufferSize (key 5) width. */
export function bufferWidth(host: HostInfo): number | undefined {
  const v = host.defaultData.get(5);
  if (v instanceof PsObject) {
    const w = asNumber(v.get('width') ?? v.get('Width') ?? null);
    if (w !== undefined && w > 0) return Math.min(w, 4096);
  }
  return undefined;
}

/** A ConsoleColor from HostDefaultData (0 foreground, 1 background), when the client sent it. */
export function defaultColor(host: HostInfo, key: 0 | 1): number | undefined {
  if (host.isHostRawUINull) return undefined;
  const v = host.defaultData.get(key);
  const n = v instanceof PsObject ? asNumber(v.baseValue ?? null) : asNumber(v ?? null);
  return n !== undefined && n >= 0 && n <= 15 ? n : undefined;
}

/**
 * What PowerShell's InternalHostUserInterface throws for a value method when the client has no
 * host UI (`_isHostNull`, pypsrp's default): HostException "HostFunctionNotImplemented",
 * NotImplemented [pwsh:SMA/engine/hostifaces/InternalHostUserInterface.cs ThrowNotInteractive;
 * the text is HostInterfaceExceptionsStrings.HostFunctionNotImplemented of Windows PowerShell 5.1].
 * Not in the recordings. For prompts PowerShell uses HostFunctionPromptNotImplemented ("… The
 * host was attempting to request confirmation with the following message: {0}",
 * ThrowPromptNotInteractive), which the emulated PowerShell gives (sandbox/powershell/host/session-host.ts);
 * the stand-in engine keeps this text for every method.
 */
export function hostNotInteractive(activity = ''): ErrorRecordSpec {
  const message =
    'A command that prompts the user failed because the host program or the command type does not support user interaction. Try a host program that supports user interaction, such as the Windows PowerShell Console or Windows PowerShell ISE, and remove prompt-related commands from command types that do not support user interaction, such as Windows PowerShell workflows.';
  return {
    message,
    exceptionTypes: ['System.Management.Automation.Host.HostException', 'System.Management.Automation.RuntimeException', 'System.SystemException', 'System.Exception', 'System.Object'],
    exceptionProps: [
      ['ErrorRecord', message],
      ['WasThrownFromThrowStatement', false],
    ],
    fullyQualifiedErrorId: activity === 'Read-Host' ? 'HostFunctionNotImplemented,Microsoft.PowerShell.Commands.ReadHostCommand' : 'HostFunctionNotImplemented',
    category: 'NotImplemented',
    activity,
    reason: 'HostException',
    targetName: '',
    targetType: '',
    targetObject: null,
  };
}

// ---- argument shapes of the prompts (fixture #10, #12, #14) ---------------------------------

const STRING_ASSEMBLY = 'mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089';

export interface FieldSpec {
  readonly name: string;
  readonly label?: string;
  /** `String` (default), `SecureString`, `PSCredential`. */
  readonly type?: 'String' | 'SecureString' | 'PSCredential';
  /** Another type set with SetParameterType (Int32…): its name, full name and assembly-qualified name. */
  readonly parameterType?: { readonly name: string; readonly fullName: string; readonly assemblyFullName: string };
  readonly helpMessage?: string;
  readonly isMandatory?: boolean;
}

/** A FieldDescription as the Prompt call carries it: its fields by their camelCase names (fixture #10). */
export function fieldDescription(f: FieldSpec): PsObject {
  const type = f.type ?? 'String';
  const full = type === 'String' ? 'System.String' : type === 'SecureString' ? 'System.Security.SecureString' : 'System.Management.Automation.PSCredential';
  const assembly = type === 'PSCredential' ? 'System.Management.Automation, Version=3.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35' : STRING_ASSEMBLY;
  const t = f.parameterType ?? { name: type, fullName: full, assemblyFullName: `${full}, ${assembly}` };
  return bag([
    ['name', f.name],
    ['label', f.label ?? ''],
    ['parameterTypeName', t.name],
    ['parameterTypeFullName', t.fullName],
    ['parameterAssemblyFullName', t.assemblyFullName],
    ['helpMessage', f.helpMessage ?? ''],
    ['isMandatory', f.isMandatory ?? true],
    ['metadata', new PsObject({ typeNames: ARRAY_LIST, list: [] })],
    ['modifiedByRemotingProtocol', false],
    ['isFromRemoteHost', false],
  ]);
}

/** A ChoiceDescription as PromptForChoice carries it (fixture #14). */
export function choiceDescription(label: string, helpMessage = ''): PsObject {
  return bag([
    ['label', label],
    ['helpMessage', helpMessage],
  ]);
}

export function arrayList(items: readonly PsValue[]): PsObject {
  return new PsObject({ typeNames: ARRAY_LIST, list: [...items] });
}

// ---- the engine's view: an InvocationHost over a channel --------------------------------------

const DICT_STRING_PSOBJECT =
  'System.Collections.Generic.Dictionary`2[[System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089],[System.Management.Automation.PSObject, System.Management.Automation, Version=3.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]';

type Colors = { readonly foreground: number; readonly background: number };

/** The InvocationHost a pipeline's engine gets when its client has a host (engine.ts). */
export function invocationHost(channel: HostCallChannel, info: HostInfo): InvocationHost {
  const str = (v: PsValue): string => (v === null ? '' : (asString(v) ?? (v instanceof PsObject ? (v.toStringText ?? '') : String(v))));
  return {
    bufferWidth: bufferWidth(info),
    foregroundColor: defaultColor(info, 0),
    backgroundColor: defaultColor(info, 1),
    write: (text, c?: Colors) => (c ? channel.voidCall('Write2', [c.foreground, c.background, text]) : channel.voidCall('Write1', [text])),
    writeLine: (text?: string, c?: Colors) =>
      text === undefined ? channel.voidCall('WriteLine1', []) : c ? channel.voidCall('WriteLine3', [c.foreground, c.background, text]) : channel.voidCall('WriteLine2', [text]),
    writeErrorLine: (text) => channel.voidCall('WriteErrorLine', [text]),
    writeDebugLine: (text) => channel.voidCall('WriteDebugLine', [text]),
    writeVerboseLine: (text) => channel.voidCall('WriteVerboseLine', [text]),
    writeWarningLine: (text) => channel.voidCall('WriteWarningLine', [text]),
    writeProgress: (sourceId, record) => channel.voidCall('WriteProgress', [i64(sourceId), progressRecordData(record)]),
    readLine: async () => str(await channel.call('ReadLine')),
    readLineAsSecureString: () => channel.call('ReadLineAsSecureString'),
    // The client answers a Hashtable; PowerShell hands the caller a Dictionary<string, PSObject> (fixture #11-#12).
    prompt: async (caption, message, fields) => {
      const r = await channel.call('Prompt', [caption, message, arrayList(fields)]);
      return r instanceof PsObject && r.dict ? new PsObject({ typeNames: [DICT_STRING_PSOBJECT, 'System.Object'], dict: r.dict }) : r;
    },
    // The four-argument PromptForCredential goes out as PromptForCredential2 with
    // PSCredentialTypes.Default (3) and PSCredentialUIOptions.Default (1) (fixture #12).
    promptForCredential: (caption, message, userName, targetName, allowed) => channel.call('PromptForCredential2', [caption, message, userName, targetName, allowed?.types ?? 3, allowed?.options ?? 1]),
    promptForChoice: async (caption, message, choices, defaultChoice) => asNumber((await channel.call('PromptForChoice', [caption, message, arrayList(choices), defaultChoice])) ?? null) ?? defaultChoice,
    popRunspace: () => channel.voidCall('PopRunspace', []),
    call: (method, params) => channel.call(method, params),
  };
}
