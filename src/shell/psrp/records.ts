// The bodies of the PSRP messages the server sends, and readers for those the client sends,
// in the shapes a Windows PowerShell 5.1 server uses (psrp.md §3–§4, recorded fixtures in
// shared/fixtures/psrp). Property order follows the recordings.
import {
  ClixmlError,
  PsObject,
  PsPrim,
  asBool,
  asNumber,
  asString,
  bag,
  dateTime,
  enumValue,
  i64,
  u32,
  version,
  type PsValue,
} from './clixml.js';

// ---- enums ----------------------------------------------------------------------------------

/** RunspacePoolState as PowerShell writes it on the wire (.NET enum; psrp.md §2.3 review note). */
export const RunspacePoolStateValue = { BeforeOpen: 0, Opening: 1, Opened: 2, Closed: 3, Closing: 4, Broken: 5 } as const;
export const PipelineStateValue = { NotStarted: 0, Running: 1, Stopping: 2, Stopped: 3, Completed: 4, Failed: 5, Disconnected: 6 } as const;

/** ErrorCategory [MS-PSRP 2.2.3.9 / psrpcore], index = value. */
export const ERROR_CATEGORIES = [
  'NotSpecified',
  'OpenError',
  'CloseError',
  'DeviceError',
  'DeadlockDetected',
  'InvalidArgument',
  'InvalidData',
  'InvalidOperation',
  'InvalidResult',
  'InvalidType',
  'MetadataError',
  'NotImplemented',
  'NotInstalled',
  'ObjectNotFound',
  'OperationStopped',
  'OperationTimeout',
  'SyntaxError',
  'ParserError',
  'PermissionDenied',
  'ResourceBusy',
  'ResourceExists',
  'ResourceUnavailable',
  'ReadError',
  'WriteError',
  'FromStdErr',
  'SecurityError',
  'ProtocolError',
  'ConnectionError',
  'AuthenticationError',
  'LimitsExceeded',
  'QuotaExceeded',
  'NotEnabled',
] as const;
export type ErrorCategoryName = (typeof ERROR_CATEGORIES)[number];

/** PipelineResultTypes, the values of the Merge* properties. */
export const ResultType = { None: 0, Output: 1, Error: 2, Warning: 3, Verbose: 4, Debug: 5, Information: 6, All: 7, Null: 8 } as const;

// ---- session capability and pool messages -----------------------------------------------------

export interface SessionCapability {
  readonly protocolVersion: string;
  readonly psVersion: string;
  readonly serializationVersion: string;
}

export function sessionCapabilityData(c: SessionCapability): PsObject {
  return bag([
    ['protocolversion', version(c.protocolVersion)],
    ['PSVersion', version(c.psVersion)],
    ['SerializationVersion', version(c.serializationVersion)],
  ]);
}

function requireProp(o: PsObject, name: string): PsValue {
  if (!o.has(name)) throw new ClixmlError(`missing property ${name}`);
  return o.get(name) ?? null;
}

export function parseSessionCapability(o: PsObject): SessionCapability {
  const v = (n: string) => {
    const s = asString(requireProp(o, n));
    if (s === undefined) throw new ClixmlError(`${n} is not a version`);
    return s;
  };
  return { protocolVersion: v('protocolversion'), psVersion: v('PSVersion'), serializationVersion: v('SerializationVersion') };
}

/** HostInfo [MS-PSRP 2.2.3.14]: whether the client has a host, and its default RawUI data. */
export interface HostInfo {
  readonly isHostNull: boolean;
  readonly isHostUINull: boolean;
  readonly isHostRawUINull: boolean;
  readonly useRunspaceHost: boolean;
  /** `_hostDefaultData.data` keyed 0..9 (BufferSize is 5), each `{T, V}`. */
  readonly defaultData: ReadonlyMap<number, PsValue>;
}

export const NULL_HOST: HostInfo = { isHostNull: true, isHostUINull: true, isHostRawUINull: true, useRunspaceHost: true, defaultData: new Map() };

export function parseHostInfo(v: PsValue | undefined): HostInfo {
  if (!(v instanceof PsObject)) return NULL_HOST;
  const b = (n: string, d: boolean) => asBool(v.get(n)) ?? d;
  const data = new Map<number, PsValue>();
  const hdd = v.get('_hostDefaultData');
  const dict = hdd instanceof PsObject ? hdd.get('data') : undefined;
  if (dict instanceof PsObject && dict.dict) {
    for (const [k, val] of dict.dict) {
      const key = asNumber(k);
      if (key !== undefined) data.set(key, val instanceof PsObject ? (val.get('V') ?? null) : val);
    }
  }
  return { isHostNull: b('_isHostNull', true), isHostUINull: b('_isHostUINull', true), isHostRawUINull: b('_isHostRawUINull', true), useRunspaceHost: b('_useRunspaceHost', true), defaultData: data };
}

export interface InitRunspacePool {
  readonly minRunspaces: number;
  readonly maxRunspaces: number;
  readonly host: HostInfo;
  readonly applicationArguments: PsValue;
}

export function parseInitRunspacePool(o: PsObject): InitRunspacePool {
  const min = asNumber(requireProp(o, 'MinRunspaces'));
  const max = asNumber(requireProp(o, 'MaxRunspaces'));
  if (min === undefined || max === undefined) throw new ClixmlError('MinRunspaces/MaxRunspaces are not numbers');
  return { minRunspaces: min, maxRunspaces: max, host: parseHostInfo(o.get('HostInfo')), applicationArguments: o.get('ApplicationArguments') ?? null };
}

/** The `ci` call id of SET_MAX/MIN_RUNSPACES, GET_AVAILABLE_RUNSPACES, RESET_RUNSPACE_STATE (pypsrp sends `CI`). */
export function parseCallId(o: PsObject): bigint {
  const v = o.get('ci');
  if (typeof v === 'number') return BigInt(v);
  if (v instanceof PsPrim && /^-?\d+$/.test(v.text)) return BigInt(v.text);
  throw new ClixmlError('missing call id ci');
}

export function runspacePoolStateData(state: number, error?: PsObject): PsObject {
  const o = bag([['RunspaceState', state]]);
  if (error) o.members.set('ExceptionAsErrorRecord', error);
  return o;
}

export function runspacePoolInitData(min: number, max: number): PsObject {
  return bag([
    ['MinRunspaces', min],
    ['MaxRunspaces', max],
  ]);
}

/** RUNSPACE_AVAILABILITY: `B` for SET_MAX/MIN and RESET, `I32` count for GET_AVAILABLE (psrp.md §3.7). */
export function runspaceAvailabilityData(response: boolean | number, ci: bigint): PsObject {
  return bag([
    ['SetMinMaxRunspacesResponse', response],
    ['ci', i64(ci)],
  ]);
}

export function encryptedSessionKeyData(base64: string): PsObject {
  return bag([['EncryptedSessionKey', base64]]);
}

/** $PSVersionTable as the server advertises it in APPLICATION_PRIVATE_DATA (psrp.md §3.1). */
export interface PsVersionTable {
  readonly PSVersion: string;
  readonly PSEdition: string;
  readonly PSCompatibleVersions: readonly string[];
  readonly CLRVersion: string;
  readonly BuildVersion: string;
  readonly WSManStackVersion: string;
  readonly PSRemotingProtocolVersion: string;
  readonly SerializationVersion: string;
}

const PRIMITIVE_DICTIONARY = ['System.Management.Automation.PSPrimitiveDictionary', 'System.Collections.Hashtable', 'System.Object'];

/** Both levels typed PSPrimitiveDictionary, PSVersion a `Version`; no debugger keys (§3.1). */
export function applicationPrivateData(t: PsVersionTable): PsObject {
  const table = new PsObject({
    typeNames: PRIMITIVE_DICTIONARY,
    dict: [
      ['PSVersion', version(t.PSVersion)],
      ['PSEdition', t.PSEdition],
      ['PSCompatibleVersions', new PsObject({ typeNames: ['System.Version[]', 'System.Array', 'System.Object'], list: t.PSCompatibleVersions.map(version) })],
      ['CLRVersion', version(t.CLRVersion)],
      ['BuildVersion', version(t.BuildVersion)],
      ['WSManStackVersion', version(t.WSManStackVersion)],
      ['PSRemotingProtocolVersion', version(t.PSRemotingProtocolVersion)],
      ['SerializationVersion', version(t.SerializationVersion)],
    ],
  });
  const data = new PsObject({ typeNames: PRIMITIVE_DICTIONARY, dict: [['PSVersionTable', table]] });
  return bag([['ApplicationPrivateData', data]]);
}

// ---- error records (psrp.md §4.6) -----------------------------------------------------------

export interface InvocationSpec {
  readonly myCommand: string;
  readonly invocationName: string;
  readonly scriptLineNumber?: number;
  readonly offsetInLine?: number;
  readonly line?: string;
  readonly positionMessage?: string;
  readonly pipelineLength?: number;
  readonly pipelinePosition?: number;
  readonly commandOrigin?: 'Runspace' | 'Internal';
}

export interface ErrorRecordSpec {
  /** Exception.Message; also the record's ToString unless `errorDetailsMessage` is set. */
  readonly message: string;
  /** Exception type chain, most specific first, ending in System.Object. */
  readonly exceptionTypes: readonly string[];
  readonly fullyQualifiedErrorId: string;
  readonly category: ErrorCategoryName;
  readonly activity: string;
  readonly reason: string;
  readonly targetName: string;
  readonly targetType: string;
  readonly targetObject: PsValue;
  readonly errorDetailsMessage?: string;
  readonly recommendedAction?: string;
  readonly scriptStackTrace?: string;
  readonly invocation?: InvocationSpec;
  /** Extra .NET properties of the exception written before Message (ErrorRecord, CommandName…). */
  readonly exceptionProps?: ReadonlyArray<readonly [string, PsValue]>;
}

/** `Name` shortened as ErrorCategoryInfo does: over 40 characters, first 15 + `...` + last 15. */
export function ellipsize(s: string): string {
  return s.length > 40 ? `${s.slice(0, 15)}...${s.slice(-15)}` : s;
}

/** The ErrorCategory_Message line: `ObjectNotFound: (x:String) [Get-Item], ItemNotFoundException`. */
export function categoryMessage(s: Pick<ErrorRecordSpec, 'category' | 'targetName' | 'targetType' | 'activity' | 'reason'>): string {
  return `${s.category}: (${ellipsize(s.targetName)}:${ellipsize(s.targetType)}) [${ellipsize(s.activity)}], ${ellipsize(s.reason)}`;
}

const DICT_STRING_OBJECT =
  'System.Collections.Generic.Dictionary`2[[System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089],[System.Object, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089]]';
const LIST_OBJECT = 'System.Collections.Generic.List`1[[System.Object, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089]]';

function invocationInfo(i: InvocationSpec): PsObject {
  return new PsObject({
    typeNames: ['System.Management.Automation.InvocationInfo', 'System.Object'],
    toStringText: 'System.Management.Automation.InvocationInfo',
    props: [
      ['MyCommand', i.myCommand],
      ['BoundParameters', new PsObject({ typeNames: [DICT_STRING_OBJECT, 'System.Object'], dict: [] })],
      ['UnboundArguments', new PsObject({ typeNames: [LIST_OBJECT, 'System.Object'], list: [] })],
      ['ScriptLineNumber', i.scriptLineNumber ?? 0],
      ['OffsetInLine', i.offsetInLine ?? 0],
      ['HistoryId', i64(1)],
      ['ScriptName', ''],
      ['Line', i.line ?? ''],
      ['PositionMessage', i.positionMessage ?? ''],
      ['PSScriptRoot', ''],
      ['PSCommandPath', null],
      ['InvocationName', i.invocationName],
      ['PipelineLength', i.pipelineLength ?? 0],
      ['PipelinePosition', i.pipelinePosition ?? 0],
      ['ExpectingInput', false],
      ['CommandOrigin', i.commandOrigin ?? 'Internal'],
      ['DisplayScriptPosition', null],
    ],
  });
}

/**
 * An ErrorRecord object. `SerializeExtendedInfo` is false, so the client needs none of the
 * InvocationInfo_* set (§4.6); `writeErrorStream` marks records written to the error stream.
 */
export function errorRecord(s: ErrorRecordSpec, opts: { writeErrorStream?: boolean } = {}): PsObject {
  const exception = new PsObject({
    typeNames: s.exceptionTypes,
    toStringText: `${s.exceptionTypes[0] ?? 'System.Exception'}: ${s.message}`,
    props: [
      ...(s.exceptionProps ?? []),
      ['Message', s.message],
      ['Data', new PsObject({ typeNames: ['System.Collections.ListDictionaryInternal', 'System.Object'], dict: [] })],
      ['InnerException', null],
      ['TargetSite', null],
      ['StackTrace', null],
      ['HelpLink', null],
      ['Source', null],
      ['HResult', -2146233087],
    ],
  });
  const members: Array<[string, PsValue]> = [];
  if (opts.writeErrorStream) members.push(['writeErrorStream', true]);
  members.push(
    ['Exception', exception],
    ['TargetObject', s.targetObject],
    ['FullyQualifiedErrorId', s.fullyQualifiedErrorId],
    ['InvocationInfo', s.invocation ? invocationInfo(s.invocation) : null],
    ['ErrorCategory_Category', ERROR_CATEGORIES.indexOf(s.category)],
    ['ErrorCategory_Activity', s.activity],
    ['ErrorCategory_Reason', s.reason],
    ['ErrorCategory_TargetName', s.targetName],
    ['ErrorCategory_TargetType', s.targetType],
    ['ErrorCategory_Message', categoryMessage(s)],
  );
  if (s.errorDetailsMessage !== undefined) members.push(['ErrorDetails_Message', s.errorDetailsMessage]);
  if (s.recommendedAction !== undefined) members.push(['ErrorDetails_RecommendedAction', s.recommendedAction]);
  members.push(['SerializeExtendedInfo', false]);
  if (s.scriptStackTrace !== undefined) members.push(['ErrorDetails_ScriptStackTrace', s.scriptStackTrace]);
  return new PsObject({
    typeNames: ['System.Management.Automation.ErrorRecord', 'System.Object'],
    toStringText: s.errorDetailsMessage ?? s.message,
    members,
  });
}

/** Windows PowerShell 5.1's texts for the errors the PSRP layer raises itself. */
export const Errors = {
  /** §6.2: a command that does not exist or is not visible. */
  commandNotFound(name: string, activity = ''): ErrorRecordSpec {
    const message = `The term '${name}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`;
    return {
      message,
      exceptionTypes: ['System.Management.Automation.CommandNotFoundException', 'System.Management.Automation.RuntimeException', 'System.SystemException', 'System.Exception', 'System.Object'],
      exceptionProps: [
        ['ErrorRecord', message],
        ['CommandName', name],
        ['WasThrownFromThrowStatement', false],
      ],
      fullyQualifiedErrorId: 'CommandNotFoundException',
      category: 'ObjectNotFound',
      activity,
      reason: 'CommandNotFoundException',
      targetName: name,
      targetType: 'String',
      targetObject: name,
    };
  },
  /** §6.2: script text in a NoLanguage session (fixture test_psrp_with_jea_configuration.yml #7). */
  scriptsNotAllowed(script: string): ErrorRecordSpec {
    const message = 'The syntax is not supported by this runspace. This can occur if the runspace is in no-language mode.';
    return {
      message,
      exceptionTypes: ['System.Management.Automation.ParseException', 'System.Management.Automation.RuntimeException', 'System.SystemException', 'System.Exception', 'System.Object'],
      exceptionProps: [
        ['Errors', null],
        ['ErrorRecord', message],
        ['WasThrownFromThrowStatement', false],
      ],
      fullyQualifiedErrorId: 'ScriptsNotAllowed',
      category: 'ParserError',
      activity: '',
      reason: 'ParseException',
      targetName: script,
      targetType: 'String',
      targetObject: script,
    };
  },
  /** §3.2: the state a stopped pipeline reports (psrpcore ServerPipeline.stop). */
  pipelineStopped(): ErrorRecordSpec {
    const message = 'The pipeline has been stopped.';
    return {
      message,
      exceptionTypes: ['System.Management.Automation.PipelineStoppedException', 'System.Management.Automation.RuntimeException', 'System.SystemException', 'System.Exception', 'System.Object'],
      exceptionProps: [
        ['ErrorRecord', message],
        ['WasThrownFromThrowStatement', false],
      ],
      fullyQualifiedErrorId: 'PipelineStopped',
      category: 'OperationStopped',
      activity: '',
      reason: 'PipelineStoppedException',
      targetName: '',
      targetType: '',
      targetObject: null,
    };
  },
  /** Something the emulated engine failed at unexpectedly: a RuntimeException the client can show. */
  internal(message: string): ErrorRecordSpec {
    return {
      message,
      exceptionTypes: ['System.Management.Automation.RuntimeException', 'System.SystemException', 'System.Exception', 'System.Object'],
      fullyQualifiedErrorId: 'WinRMEmulatorEngineError',
      category: 'NotSpecified',
      activity: '',
      reason: 'RuntimeException',
      targetName: '',
      targetType: '',
      targetObject: null,
    };
  },
} as const;

export function pipelineStateData(state: number, error?: PsObject): PsObject {
  const o = bag([['PipelineState', state]]);
  if (error) o.members.set('ExceptionAsErrorRecord', error);
  return o;
}

// ---- stream records (psrp.md §4.7–§4.8) ------------------------------------------------------

export type InformationalKind = 'Warning' | 'Verbose' | 'Debug';

/** WARNING/VERBOSE/DEBUG_RECORD, or the same record merged into output (`Write<Kind>Stream` true). */
export function informationalRecord(kind: InformationalKind, message: string, opts: { merged?: boolean } = {}): PsObject {
  const members: Array<[string, PsValue]> = [];
  if (opts.merged) members.push([`Write${kind}Stream`, true]);
  members.push(['InformationalRecord_Message', message], ['InformationalRecord_SerializeInvocationInfo', false]);
  return new PsObject({
    typeNames: [`System.Management.Automation.${kind}Record`, 'System.Management.Automation.InformationalRecord', 'System.Object'],
    toStringText: message,
    members,
  });
}

export interface ProgressSpec {
  readonly activity: string;
  readonly activityId: number;
  readonly statusDescription: string;
  readonly currentOperation?: string;
  readonly parentActivityId?: number;
  readonly percentComplete?: number;
  readonly completed?: boolean;
  readonly secondsRemaining?: number;
}

export function progressRecordData(p: ProgressSpec): PsObject {
  return bag([
    ['Activity', p.activity],
    ['ActivityId', p.activityId],
    ['StatusDescription', p.statusDescription],
    ['CurrentOperation', p.currentOperation ?? null],
    ['ParentActivityId', p.parentActivityId ?? -1],
    ['PercentComplete', p.percentComplete ?? -1],
    ['Type', p.completed ? enumValue('System.Management.Automation.ProgressRecordType', 'Completed', 1) : enumValue('System.Management.Automation.ProgressRecordType', 'Processing', 0)],
    ['SecondsRemaining', p.secondsRemaining ?? -1],
  ]);
}

export interface InformationSpec {
  readonly messageData: PsValue;
  readonly source: string;
  readonly timeGenerated: number;
  readonly tags: readonly string[];
  readonly user: string;
  readonly computer: string;
  readonly processId: number;
  readonly nativeThreadId?: number;
  readonly managedThreadId?: number;
}

const LIST_STRING = 'System.Collections.Generic.List`1[[System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089]]';

/** INFORMATION_RECORD body (MS only), or the record merged into output (Props + WriteInformationStream). */
export function informationRecord(i: InformationSpec, opts: { merged?: boolean } = {}): PsObject {
  const fields: Array<[string, PsValue]> = [
    ['MessageData', i.messageData],
    ['Source', i.source],
    ['TimeGenerated', dateTime(i.timeGenerated)],
    ['Tags', new PsObject({ typeNames: [LIST_STRING, 'System.Object'], list: [...i.tags] })],
    ['User', i.user],
    ['Computer', i.computer],
    ['ProcessId', u32(i.processId)],
    ['NativeThreadId', u32(i.nativeThreadId ?? i.processId + 56)],
    ['ManagedThreadId', u32(i.managedThreadId ?? 1)],
  ];
  if (!opts.merged) return bag(fields);
  const text = typeof i.messageData === 'string' ? i.messageData : (asString(i.messageData as PsValue) ?? '');
  return new PsObject({
    typeNames: ['System.Management.Automation.InformationRecord', 'System.Object'],
    toStringText: text,
    props: fields,
    members: [['WriteInformationStream', true]],
  });
}

// ---- CREATE_PIPELINE and GET_COMMAND_METADATA (psrp.md §3.2–§3.3) ----------------------------

export interface PipelineArgument {
  /** Parameter name without the dash; undefined for a positional argument. */
  readonly name: string | undefined;
  /** The value; a Nil value on a named argument means a present switch. */
  readonly value: PsValue;
}

export interface PipelineCommand {
  /** Command name, or script text when `isScript`. */
  readonly command: string;
  readonly isScript: boolean;
  readonly useLocalScope: boolean | undefined;
  readonly args: readonly PipelineArgument[];
  readonly mergeMyResult: number;
  readonly mergeToResult: number;
  readonly mergePreviousResults: number;
  readonly mergeError: number;
  readonly mergeWarning: number;
  readonly mergeVerbose: number;
  readonly mergeDebug: number;
  readonly mergeInformation: number;
}

export interface CreatePipeline {
  readonly noInput: boolean;
  readonly addToHistory: boolean;
  readonly history: string | undefined;
  readonly isNested: boolean;
  readonly remoteStreamOptions: number;
  readonly redirectShellErrorOutputPipe: boolean;
  readonly host: HostInfo;
  /** The statements to run in order; each is a pipeline of commands (ExtraCmds, else Cmds). */
  readonly statements: ReadonlyArray<readonly PipelineCommand[]>;
}

function listItems(v: PsValue | undefined): PsValue[] {
  if (v instanceof PsObject && v.collection) return v.collection.items;
  return [];
}

function parseCommand(v: PsValue): PipelineCommand {
  if (!(v instanceof PsObject)) throw new ClixmlError('a Cmds entry is not an object');
  const command = asString(requireProp(v, 'Cmd'));
  if (command === undefined) throw new ClixmlError('Cmd is not a string');
  const merge = (n: string) => asNumber(v.get(n)) ?? 0;
  const args = listItems(v.get('Args')).map((a): PipelineArgument => {
    if (!(a instanceof PsObject)) throw new ClixmlError('an Args entry is not an object');
    const n = a.get('N');
    return { name: n === null || n === undefined ? undefined : (asString(n) ?? String(n)), value: a.get('V') ?? null };
  });
  const scope = v.get('UseLocalScope');
  return {
    command,
    isScript: asBool(v.get('IsScript')) ?? false,
    useLocalScope: typeof scope === 'boolean' ? scope : undefined,
    args,
    mergeMyResult: merge('MergeMyResult'),
    mergeToResult: merge('MergeToResult'),
    mergePreviousResults: merge('MergePreviousResults'),
    mergeError: merge('MergeError'),
    mergeWarning: merge('MergeWarning'),
    mergeVerbose: merge('MergeVerbose'),
    mergeDebug: merge('MergeDebug'),
    mergeInformation: merge('MergeInformation'),
  };
}

export function parseCreatePipeline(o: PsObject): CreatePipeline {
  const ps = requireProp(o, 'PowerShell');
  if (!(ps instanceof PsObject)) throw new ClixmlError('PowerShell is not an object');
  const cmds = listItems(requireProp(ps, 'Cmds')).map(parseCommand);
  const extra = ps.get('ExtraCmds');
  // ExtraCmds holds every statement; Cmds then repeats the first and must not run twice (§3.2).
  const statements = extra instanceof PsObject && extra.collection ? extra.collection.items.map((s) => listItems(s instanceof PsObject ? s.get('Cmds') : undefined).map(parseCommand)) : [cmds];
  const history = ps.get('History');
  return {
    noInput: asBool(o.get('NoInput')) ?? true,
    addToHistory: asBool(o.get('AddToHistory')) ?? false,
    history: typeof history === 'string' ? history : undefined,
    isNested: asBool(o.get('IsNested')) ?? asBool(ps.get('IsNested')) ?? false,
    remoteStreamOptions: asNumber(o.get('RemoteStreamOptions')) ?? 0,
    redirectShellErrorOutputPipe: asBool(ps.get('RedirectShellErrorOutputPipe')) ?? false,
    host: parseHostInfo(o.get('HostInfo')),
    statements: statements.filter((s) => s.length > 0),
  };
}

/** CommandTypes flags [psrpcore CommandTypes]; pypsrp sends 511 for all (unknown bits masked). */
export const CommandTypes = { Alias: 1, Function: 2, Filter: 4, Cmdlet: 8, ExternalScript: 16, Application: 32, Script: 64, Configuration: 256 } as const;

export interface GetCommandMetadata {
  readonly names: readonly string[];
  readonly commandType: number;
  readonly namespaces: readonly string[];
  readonly argumentList: readonly PsValue[];
}

export function parseGetCommandMetadata(o: PsObject): GetCommandMetadata {
  const names = listItems(o.get('Name'))
    .map((n) => asString(n))
    .filter((n): n is string => n !== undefined);
  const namespaces = listItems(o.get('Namespace'))
    .map((n) => asString(n))
    .filter((n): n is string => n !== undefined);
  return {
    names: names.length > 0 ? names : ['*'],
    commandType: (asNumber(o.get('CommandType')) ?? 271) & 0x17f,
    namespaces,
    argumentList: listItems(o.get('ArgumentList')),
  };
}

/** The count object GET_COMMAND_METADATA answers first (psrp.md §3.3, fixture). */
export function commandMetadataCount(n: number): PsObject {
  return new PsObject({
    typeNames: ['Selected.Microsoft.PowerShell.Commands.GenericMeasureInfo', 'System.Management.Automation.PSCustomObject', 'System.Object'],
    members: [['Count', n]],
  });
}

export interface ParameterMetadata {
  readonly name: string;
  /** .NET type name, e.g. `System.String[]`, `System.Management.Automation.SwitchParameter`. */
  readonly type: string;
  readonly aliases?: readonly string[];
  readonly isDynamic?: boolean;
}

export interface CommandMetadata {
  readonly name: string;
  readonly commandType: 'Alias' | 'Function' | 'Filter' | 'Cmdlet';
  /** Module name (Microsoft.PowerShell.Management…). */
  readonly namespace: string;
  readonly helpUri?: string;
  readonly resolvedCommandName?: string;
  readonly outputType?: readonly string[];
  readonly parameters: readonly ParameterMetadata[];
}

const COMMON_PARAMETERS: readonly ParameterMetadata[] = [
  { name: 'Verbose', type: 'System.Management.Automation.SwitchParameter', aliases: ['vb'] },
  { name: 'Debug', type: 'System.Management.Automation.SwitchParameter', aliases: ['db'] },
  { name: 'ErrorAction', type: 'System.Management.Automation.ActionPreference', aliases: ['ea'] },
  { name: 'WarningAction', type: 'System.Management.Automation.ActionPreference', aliases: ['wa'] },
  { name: 'InformationAction', type: 'System.Management.Automation.ActionPreference', aliases: ['infa'] },
  { name: 'ErrorVariable', type: 'System.String', aliases: ['ev'] },
  { name: 'WarningVariable', type: 'System.String', aliases: ['wv'] },
  { name: 'InformationVariable', type: 'System.String', aliases: ['iv'] },
  { name: 'OutVariable', type: 'System.String', aliases: ['ov'] },
  { name: 'OutBuffer', type: 'System.Int32', aliases: ['ob'] },
  { name: 'PipelineVariable', type: 'System.String', aliases: ['pv'] },
];

/** One command object of the GET_COMMAND_METADATA reply; cmdlets get the common parameters (§3.5). */
export function commandMetadataObject(c: CommandMetadata): PsObject {
  const infoType = c.commandType === 'Cmdlet' ? 'CmdletInfo' : c.commandType === 'Alias' ? 'AliasInfo' : 'FunctionInfo';
  const params = c.commandType === 'Cmdlet' ? [...c.parameters, ...COMMON_PARAMETERS.filter((p) => !c.parameters.some((q) => q.name.toLowerCase() === p.name.toLowerCase()))] : c.parameters;
  const parameters = new PsObject({
    typeNames: [
      'System.Collections.Generic.Dictionary`2[[System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089],[System.Management.Automation.ParameterMetadata, System.Management.Automation, Version=3.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]',
      'System.Object',
    ],
    dict: params.map((p): [PsValue, PsValue] => [
      p.name,
      new PsObject({
        typeNames: ['System.Management.Automation.ParameterMetadata', 'System.Object'],
        toStringText: 'System.Management.Automation.ParameterMetadata',
        props: [
          ['Name', p.name],
          ['ParameterType', p.type],
          ['Aliases', new PsObject({ typeNames: ['System.Collections.ObjectModel.Collection`1[[System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089]]', 'System.Object'], list: [...(p.aliases ?? [])] })],
          ['IsDynamic', p.isDynamic ?? false],
          ['SwitchParameter', p.type === 'System.Management.Automation.SwitchParameter'],
        ],
      }),
    ]),
  });
  const typeValue = CommandTypes[c.commandType];
  return new PsObject({
    typeNames: [`Selected.System.Management.Automation.${infoType}`, 'System.Management.Automation.PSCustomObject', 'System.Object'],
    members: [
      ['Name', c.name],
      ['Namespace', c.namespace],
      ['HelpUri', c.helpUri ?? ''],
      ['CommandType', enumValue('System.Management.Automation.CommandTypes', c.commandType, typeValue)],
      ['ResolvedCommandName', c.resolvedCommandName ?? null],
      ['OutputType', new PsObject({ typeNames: ['System.Collections.ObjectModel.ReadOnlyCollection`1[[System.Management.Automation.PSTypeName, System.Management.Automation, Version=3.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]', 'System.Object'], list: [...(c.outputType ?? [])] })],
      ['Parameters', parameters],
    ],
  });
}
