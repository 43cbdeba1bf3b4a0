// The one fault catalogue (architecture.md §2.4). Codes, subcodes, texts and HTTP statuses follow
// the recorded Windows faults in shared/fixtures and wsman-protocol.md §6–§7; texts keep Windows'
// trailing spaces. Only render.ts turns these into bytes.

export type FaultAction = 'wsman' | 'addressing' | 'enumeration' | 'transfer';

export interface ProviderInfo {
  readonly provider: string;
  readonly path: string;
  /** Windows nests a second WSManFault inside the ProviderFault (fx pypsrp/test_psrp_is_alive_invalid_selectors). */
  readonly nested?: boolean;
}

export interface FaultSpec {
  /** s:Code/s:Value: s:Sender or s:Receiver; `MustUnderstand` is itself a top-level SOAP code. */
  readonly code: 'Sender' | 'Receiver' | 'MustUnderstand';
  /** Subcode QName with the prefix Windows declares on fault envelopes (s a x e n w p). */
  readonly subcode?: string;
  readonly action: FaultAction;
  /** Last segment of a `…/wsman/faultDetail/` URI. */
  readonly detail?: string;
  readonly wsmanCode: number;
  /** s:Reason text; defaults to the message. */
  readonly reason?: string;
  readonly message: (args: FaultArgs) => string;
  readonly provider?: ProviderInfo;
}

export type FaultArgs = Readonly<Record<string, string>>;

const INVALID_SELECTORS_REASON =
  'The WS-Management service cannot process the request because the request contained invalid selectors for the resource. ';
const INVALID_HEADERS_REASON =
  'The WS-Management service cannot process the request. The request contains one or more invalid SOAP headers. ';
const CMD_PLUGIN: ProviderInfo = { provider: 'Shell cmd plugin', path: '%systemroot%\\system32\\winrscmd.dll' };
const PSRP_PLUGIN: ProviderInfo = { provider: 'microsoft.powershell', path: 'C:\\Windows\\system32\\pwrshplugin.dll' };
const UNSUPPORTED_FEATURE =
  'The WS-Management service does not support the specified feature. Remove the unsupported feature from the request and retry. ';

const fixed = (text: string) => () => text;

export const FAULTS = {
  // fx pypsrp/test_winrs_operation_timeout: Reason and Message identical, two trailing spaces.
  TimedOut: {
    code: 'Receiver',
    subcode: 'w:TimedOut',
    action: 'wsman',
    wsmanCode: 2150858793,
    message: fixed('The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  '),
  },
  // fx pypsrp/test_winrs_bad_cmd_id
  CommandNotFound: {
    code: 'Sender',
    subcode: 'w:InvalidSelectors',
    action: 'wsman',
    detail: 'UnexpectedSelectors',
    wsmanCode: 2150858843,
    reason: INVALID_SELECTORS_REASON,
    message: fixed(
      'The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist. Either the command has completed execution or the client specified an invalid command identifier. ',
    ),
  },
  // wsman-protocol.md §7 (issues WinRb/WinRM#146, #253)
  ShellNotFound: {
    code: 'Sender',
    subcode: 'w:InvalidSelectors',
    action: 'wsman',
    detail: 'UnexpectedSelectors',
    wsmanCode: 2150858843,
    reason: INVALID_SELECTORS_REASON,
    message: (a) =>
      `The request for the Windows Remote Shell with ShellId ${a.shellId ?? ''} failed because the shell was not found on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. Provide the correct ShellId or create a new shell and retry the operation. `,
  },
  // fx pypsrp/test_psrp_is_alive_invalid_selectors (Get on the generic shell URI)
  ShellNotFoundGet: {
    code: 'Sender',
    subcode: 'w:InvalidSelectors',
    action: 'wsman',
    detail: 'UnexpectedSelectors',
    wsmanCode: 2150858843,
    reason: INVALID_SELECTORS_REASON,
    message: fixed(INVALID_SELECTORS_REASON),
    provider: { provider: 'Shell provider', path: '%systemroot%\\system32\\WsmSvc.dll', nested: true },
  },
  // issue Openwsman/openwsman#83
  ShellIdRequired: {
    code: 'Sender',
    subcode: 'w:InvalidSelectors',
    action: 'wsman',
    detail: 'UnexpectedSelectors',
    wsmanCode: 2150858843,
    reason: INVALID_SELECTORS_REASON,
    message: fixed('The Windows Remote Shell cannot process the request because it requires the following selector: ShellId. Retry with the correct selector.'),
  },
  // fx pypsrp/test_winrs_fail_poll_process
  InvalidParameter: {
    code: 'Sender',
    subcode: 'w:InvalidParameter',
    action: 'wsman',
    detail: 'InvalidValue',
    wsmanCode: 87,
    message: fixed('The parameter is incorrect. '),
    provider: CMD_PLUGIN,
  },
  // fx pypsrp/test_winrs_no_cmd_shell
  FileNotFound: {
    code: 'Receiver',
    subcode: 'w:InternalError',
    action: 'wsman',
    wsmanCode: 2147942402,
    message: fixed('The system cannot find the file specified. '),
    provider: CMD_PLUGIN,
  },
  // fx masterzen/command_fault_filename_too_long.xml
  FilenameTooLong: {
    code: 'Receiver',
    subcode: 'w:InternalError',
    action: 'wsman',
    wsmanCode: 2147942606,
    message: fixed('The filename or extension is too long. '),
    provider: CMD_PLUGIN,
  },
  // auth.md §8.2: authenticated but not admitted by the resource's security descriptor.
  AccessDenied: {
    code: 'Sender',
    subcode: 'w:AccessDenied',
    action: 'wsman',
    wsmanCode: 5,
    message: fixed('Access is denied. '),
  },
  // fx pypsrp/test_psrp_is_alive_other_wsman_error
  InvalidTimeoutHeader: {
    code: 'Sender',
    subcode: 'a:InvalidMessageInformationHeader',
    action: 'addressing',
    wsmanCode: 2150858767,
    reason: INVALID_HEADERS_REASON,
    message: (a) => `The WS-Management service cannot process the request. The XML contains an invalid timeout field in the SOAP header: ${a.value ?? ''}. `,
  },
  // [WSMV 3.1.4.1.5]: an empty or oversized MessageID, or another malformed addressing header.
  InvalidMessageInformationHeader: {
    code: 'Sender',
    subcode: 'a:InvalidMessageInformationHeader',
    action: 'addressing',
    wsmanCode: 2150858767,
    reason: INVALID_HEADERS_REASON,
    message: (a) => `${INVALID_HEADERS_REASON}${a.why ?? ''}`,
  },
  // [WSMV 3.1.4.1.3], wsmerror.h ERROR_WSMAN_MESSAGE_INFORMATION_HEADER_REQUIRED
  MessageInformationHeaderRequired: {
    code: 'Sender',
    subcode: 'a:MessageInformationHeaderRequired',
    action: 'addressing',
    wsmanCode: 2150858769,
    reason: 'The WS-Management service cannot process the request. The request does not have all the expected SOAP headers. ',
    message: (a) => `The WS-Management service cannot process the request. The request does not have all the expected SOAP headers. ${a.header ? `The ${a.header} header is missing. ` : ''}`,
  },
  // wsmerror.h ERROR_WSMAN_ACTION_NOT_SUPPORTED (wsa ActionNotSupported)
  ActionNotSupported: {
    code: 'Sender',
    subcode: 'a:ActionNotSupported',
    action: 'addressing',
    wsmanCode: 2150858771,
    reason: 'The WS-Management service does not support the action specified in the request. ',
    message: (a) => `The WS-Management service does not support the action specified in the request. ${a.action ? `The action is ${a.action}. ` : ''}`,
  },
  // issue jborean93/pypsrp#192 for code and text; subcode and detail as DSP0226 (not captured).
  ResourceNotInCatalog: {
    code: 'Sender',
    subcode: 'a:DestinationUnreachable',
    action: 'addressing',
    detail: 'InvalidResourceURI',
    wsmanCode: 2150858811,
    message: (a) =>
      `The WS-Management service cannot process the request. The resource URI (${a.uri ?? ''}) was not found in the WS-Management catalog. The catalog contains the metadata that describes resources, or logical endpoints. `,
  },
  // wsmerror.h ERROR_WSMAN_INVALID_RESOURCE_URI: no ResourceURI header at all.
  ResourceUriRequired: {
    code: 'Sender',
    subcode: 'a:DestinationUnreachable',
    action: 'addressing',
    detail: 'InvalidResourceURI',
    wsmanCode: 2150858811,
    message: fixed(
      'The WS-Management service cannot process the request. The resource URI is missing or it has an incorrect format. Check the documentation or use the following command for information on how to construct a resource URI: "winrm help uris". ',
    ),
  },
  // wsmerror.h ERROR_WSMAN_SCHEMA_VALIDATION_ERROR
  SchemaValidationError: {
    code: 'Sender',
    subcode: 'w:SchemaValidationError',
    action: 'wsman',
    wsmanCode: 2150858817,
    reason: 'The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry. ',
    message: (a) => a.text ?? 'The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry. ',
  },
  // wsmerror.h ERROR_WSMAN_INVALID_XML. The subcode for a body that is not well-formed XML was not
  // captured; SchemaValidationError is the nearest WS-Management subcode. DTDs land here too.
  InvalidXml: {
    code: 'Sender',
    subcode: 'w:SchemaValidationError',
    action: 'wsman',
    wsmanCode: 2150858819,
    reason: 'The WS-Management service cannot process the request because the XML is invalid. ',
    message: fixed('The WS-Management service cannot process the request because the XML is invalid. '),
  },
  // wsmerror.h ERROR_WSMAN_UNSUPPORTED_ENCODING; DSP0226 EncodingLimit/CharacterSet.
  UnsupportedEncoding: {
    code: 'Sender',
    subcode: 'w:EncodingLimit',
    action: 'wsman',
    detail: 'CharacterSet',
    wsmanCode: 2150858796,
    message: fixed(
      'The request contains character encoding that is unsupported. WS-Management only supports requests that are encoded in UTF-8 or UTF-16. Change the character encoding in the request and try the request again. ',
    ),
  },
  // [WSMV 3.1.4.1.7] MaxEnvelopeSize below 8192.
  EnvelopeSizeTooSmall: {
    code: 'Sender',
    subcode: 'w:EncodingLimit',
    action: 'wsman',
    detail: 'MinimumEnvelopeLimit',
    wsmanCode: 2150858805,
    reason:
      'The WS-Management service cannot process the request because the encoding of the request exceeds an internal encoding limit. Reconfigure the client to send messages which fit the encoding limits of the service. ',
    message: fixed('The WS-Management service cannot process the request because the envelope size in the request is too small. '),
  },
  // wsmerror.h ERROR_WSMAN_MAX_ENVELOPE_SIZE_EXCEEDED
  MaxEnvelopeSizeExceeded: {
    code: 'Sender',
    subcode: 'w:EncodingLimit',
    action: 'wsman',
    detail: 'MaxEnvelopeSize',
    wsmanCode: 2150858824,
    message: fixed('The response that the WS-Management service computed exceeds the maximum envelope size in the request. '),
  },
  // [WSMV 3.1.4.1.3/8/9, 3.1.4.2.1]
  UnsupportedFeature: {
    code: 'Sender',
    subcode: 'w:UnsupportedFeature',
    action: 'wsman',
    wsmanCode: 2150858818,
    reason: UNSUPPORTED_FEATURE,
    message: (a) => `${UNSUPPORTED_FEATURE}${a.why ?? ''}`,
  },
  // What the emulator does not emulate yet: Windows' UnsupportedFeature, saying so in the text.
  NotEmulated: {
    code: 'Sender',
    subcode: 'w:UnsupportedFeature',
    action: 'wsman',
    wsmanCode: 2150858818,
    reason: UNSUPPORTED_FEATURE,
    message: (a) => `${UNSUPPORTED_FEATURE}winrm-emulator does not emulate ${a.what ?? 'this operation'} yet.`,
  },
  // [WSMV <50>]
  InvalidOptions: {
    code: 'Sender',
    subcode: 'w:InvalidOptions',
    action: 'wsman',
    wsmanCode: 2150858809,
    message: (a) =>
      `The WS-Management service cannot process the request because one or more options are not valid. The option names or values may not be valid or they are used in incorrect combinations. Retrieve the catalog entry for the resource and determine how to correct the invalid option values. ${a.option ? `The option ${a.option} is not supported. ` : ''}`,
  },
  // A header marked mustUnderstand that the service does not know; SOAP 1.2 top-level code.
  MustUnderstand: {
    code: 'MustUnderstand',
    action: 'wsman',
    wsmanCode: 2150858768,
    message: (a) =>
      `The WS-Management service cannot process a SOAP header in the request that is marked as mustUnderstand by the client. This could be caused by the use of a version of the protocol which is not supported, or may be an incompatibility between the client and server implementations. ${a.header ? `The header is ${a.header}. ` : ''}`,
  },
  // [WSMV 3.1.4.1.31.8]: shell verbs sent with chunked transfer encoding.
  ChunkedNotSupported: {
    code: 'Receiver',
    subcode: 'w:InternalError',
    action: 'wsman',
    wsmanCode: 50,
    message: fixed('The request is not supported. '),
  },
  // wsmerror.h ERROR_WSMAN_QUOTA_MAX_SHELLS; fx winrb/wmi_error_v2.xml (Reason text, trailing space).
  QuotaMaxShells: {
    code: 'Sender',
    subcode: 'w:QuotaLimit',
    action: 'wsman',
    wsmanCode: 2150859173,
    message: fixed('The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user. '),
  },
  // wsmerror.h ERROR_WSMAN_QUOTA_MAX_SHELLUSERS
  QuotaMaxShellUsers: {
    code: 'Sender',
    subcode: 'w:QuotaLimit',
    action: 'wsman',
    wsmanCode: 2150859179,
    message: fixed('The WS-Management service cannot process the request. The maximum number of users executing shell operations has been exceeded. Retry after some time or raise the quota for concurrent shell users. '),
  },
  // wsmerror.h ERROR_WSMAN_QUOTA_MAX_COMMANDS_PER_SHELL_PPQ, for Winrs/MaxProcessesPerShell.
  QuotaMaxCommandsPerShell: {
    code: 'Sender',
    subcode: 'w:QuotaLimit',
    action: 'wsman',
    wsmanCode: 2150859241,
    message: fixed('The WS-Management service cannot process the request. The maximum number of concurrent commands per shell has been exceeded. Retry the request later or raise the Maximum Commands per Shell quota. '),
  },
  // wsmerror.h ERROR_WSMAN_QUOTA_MAX_OPERATIONS (the Ruby gem resets its shell on this code).
  QuotaMaxOperations: {
    code: 'Sender',
    subcode: 'w:QuotaLimit',
    action: 'wsman',
    wsmanCode: 2150859174,
    message: fixed('The WS-Management service cannot process the request. The maximum number of concurrent operations for this user has been exceeded. Close existing operations for this user, or raise the quota for this user. '),
  },
  // wsmerror.h ERROR_WSMAN_REMOTESHELLS_NOT_ALLOWED; subcode per [WSMV 2.2.4.42].
  RemoteShellsNotAllowed: {
    code: 'Receiver',
    subcode: 'w:InternalError',
    action: 'wsman',
    wsmanCode: 2150859180,
    message: fixed('The WS-Management service cannot process the request. The service is configured to not accept any remote shell requests. '),
  },
  // wsmerror.h ERROR_WINRS_SHELL_CLIENTID_NOT_VALID / _RESOURCE_CONFLICT and the command equivalents.
  ShellIdNotGuid: {
    code: 'Sender',
    subcode: 'w:InvalidParameter',
    action: 'wsman',
    wsmanCode: 2150859221,
    message: fixed('The WinRM service cannot process the request because the shell ID specified by the client is not a valid GUID. Provide a valid ID and try again. '),
  },
  ShellIdConflict: {
    code: 'Sender',
    subcode: 'w:AlreadyExists',
    action: 'wsman',
    wsmanCode: 2150859223,
    message: fixed('The WinRM service cannot process the request. A resource already exists with the shell ID specified by the client. '),
  },
  CommandIdNotGuid: {
    code: 'Sender',
    subcode: 'w:InvalidParameter',
    action: 'wsman',
    wsmanCode: 2150859220,
    message: fixed('The WinRM service cannot process the request because the command ID specified by the client is not a valid GUID. Modify the request and retry the request. '),
  },
  CommandIdConflict: {
    code: 'Sender',
    subcode: 'w:AlreadyExists',
    action: 'wsman',
    wsmanCode: 2150859222,
    message: fixed('The WinRM service cannot process the request. A command already exists with the command ID specified by the client. '),
  },
  // wsmerror.h ERROR_WINRS_IDLETIMEOUT_OUTOFBOUNDS
  IdleTimeoutOutOfBounds: {
    code: 'Sender',
    subcode: 'w:InvalidParameter',
    action: 'wsman',
    wsmanCode: 2150859250,
    message: fixed('The WS-Management service cannot process the request. The requested IdleTimeout is outside the allowed range. '),
  },
  // PowerShell's plugin refuses a Create without the protocolversion option (pwsh WSManPlugin.cs
  // ProtocolVersionNotFound, psrp.md §1.3); the wire text was not captured, so it says what is wrong.
  PsrpProtocolVersionRequired: {
    code: 'Receiver',
    subcode: 'w:InternalError',
    action: 'wsman',
    wsmanCode: 2147942487,
    message: fixed('The WinRM client sent a request to create a PowerShell shell without the protocolversion option. The PowerShell plugin needs it to negotiate the remoting protocol. '),
    provider: PSRP_PLUGIN,
  },
  // A client option PowerShell's plugin must comply with but does not know (PS_* with MustComply).
  PsrpOptionNotUnderstood: {
    code: 'Receiver',
    subcode: 'w:InternalError',
    action: 'wsman',
    wsmanCode: 2147942487,
    message: (a) => `The option ${a.option ?? ''} is marked MustComply but the PowerShell plugin does not understand it. `,
    provider: PSRP_PLUGIN,
  },
  // PSRP data the server cannot decode (bad fragments, CLIXML, an unexpected message); the
  // plugin's own wording was not captured: the text names the problem.
  PsrpInvalidData: {
    code: 'Receiver',
    subcode: 'w:InternalError',
    action: 'wsman',
    wsmanCode: 2147942413,
    message: (a) => `The PowerShell Remoting data received from the client is not valid: ${a.why ?? ''} `,
    provider: PSRP_PLUGIN,
  },
  // wsmerror.h ERROR_WINRS_SHELL_DISCONNECTED: an operation other than Reconnect/Connect/Delete on a disconnected shell.
  ShellDisconnected: {
    code: 'Sender',
    subcode: 'w:InvalidParameter',
    action: 'wsman',
    wsmanCode: 2150859204,
    message: fixed('The WinRM service cannot process the request because the WinRS shell instance is currently disconnected. '),
  },
  // wsmerror.h ERROR_WINRS_SHELL_DISCONNECT_OPERATION_NOT_VALID
  DisconnectNotValid: {
    code: 'Sender',
    subcode: 'w:InvalidParameter',
    action: 'wsman',
    wsmanCode: 2150859215,
    message: fixed('The WinRM client cannot process the request. A disconnect operation cannot be performed on a WinRS shell instance that is already disconnected. '),
  },
  // wsmerror.h ERROR_WINRS_SHELL_RECONNECT_OPERATION_NOT_VALID (Reconnect or Connect on a connected shell)
  ReconnectNotValid: {
    code: 'Sender',
    subcode: 'w:InvalidParameter',
    action: 'wsman',
    wsmanCode: 2150859216,
    message: fixed('The WinRM client cannot process the request. A reconnect operation cannot be performed on a WinRS shell instance that is currently connected. '),
  },
  // wsmerror.h ERROR_WSMAN_ENUMERATE_SHELLCOMAMNDS_FILTER_EXPECTED: commands are enumerated per shell.
  EnumerateCommandsFilterExpected: {
    code: 'Sender',
    subcode: 'w:InvalidParameter',
    action: 'wsman',
    wsmanCode: 2150859200,
    message: fixed('The WinRM service cannot process the request. The enumeration request expects a selector based filter to specify the shell identifier. '),
  },
  // A Receive still pending when its shell is deleted: ERROR_OPERATION_ABORTED (subcode not captured).
  OperationAborted: {
    code: 'Receiver',
    subcode: 'w:InternalError',
    action: 'wsman',
    wsmanCode: 995,
    message: fixed('The I/O operation has been aborted because of either a thread exit or an application request. '),
  },
  // Configuration resources (winrm-config.md §2.4, §5; wsmerror.h).
  ConfigDeprecatedSetting: {
    code: 'Sender',
    subcode: 'w:InvalidParameter',
    action: 'wsman',
    wsmanCode: 2150859182,
    message: (a) => `The WinRM service cannot process the request because it is trying to update a deprecated setting. Remove this setting from the command and try again. ${a.setting ? `The setting is ${a.setting}. ` : ''}`,
  },
  ConfigInternalSetting: {
    code: 'Receiver',
    subcode: 'w:InternalError',
    action: 'wsman',
    wsmanCode: 2150859071,
    message: (a) => `The WinRM service cannot process the request because it is trying to update a read-only setting. Remove this setting from the command and try again. ${a.setting ? `The setting is ${a.setting}. ` : ''}`,
  },
  ConfigInvalidValue: {
    code: 'Sender',
    subcode: 'w:SchemaValidationError',
    action: 'wsman',
    wsmanCode: 2150858817,
    reason: 'The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry. ',
    message: (a) => `The WS-Management service cannot process the request because a value is not valid: ${a.why ?? ''} `,
  },
  // wsmerror.h ERROR_WSMAN_RESOURCE_NOT_FOUND; shape of the 2012 R2 fault kept in OMI's tests.
  ResourceNotFound: {
    code: 'Sender',
    subcode: 'a:DestinationUnreachable',
    action: 'addressing',
    detail: 'InvalidResourceURI',
    wsmanCode: 2150858752,
    reason: 'The WS-Management service cannot process the request. The service cannot find the resource identified by the resource URI and selectors. ',
    message: fixed('The WS-Management service cannot process the request. The service cannot find the resource identified by the resource URI and selectors. '),
  },
  // wsmerror.h ERROR_WSMAN_INVALID_SELECTORS (missing or wrong selectors on a config item).
  InvalidSelectorsForResource: {
    code: 'Sender',
    subcode: 'w:InvalidSelectors',
    action: 'wsman',
    detail: 'InsufficientSelectors',
    wsmanCode: 2150858813,
    message: (a) => `The WS-Management service cannot process the request because the selectors for the resource are not valid. ${a.why ?? ''}`,
  },
  // wsmerror.h ERROR_WSMAN_ALREADY_EXISTS
  AlreadyExists: {
    code: 'Sender',
    subcode: 'w:AlreadyExists',
    action: 'wsman',
    wsmanCode: 2150858803,
    message: fixed('The WS-Management service cannot create the resource because it already exists. '),
  },
  // wsmerror.h ERROR_WSMAN_ACTION_MISMATCH; ProviderFault text from PR ansible/ansible#32531.
  ActionMismatch: {
    code: 'Sender',
    subcode: 'w:ActionMismatch',
    action: 'wsman',
    wsmanCode: 2150858801,
    reason: 'The WS-Management service cannot process the request because the WS-Addressing Action URI in the request is not compatible with the resource. ',
    message: (a) => `The WS-Management service cannot process the request. The resource URI does not support the ${a.operation ?? 'requested'} operation. `,
  },
  // wsmerror.h ERROR_WSMAN_ENUMERATE_INVALID_ENUMERATION_CONTEXT (wsen, Receiver)
  InvalidEnumerationContext: {
    code: 'Receiver',
    subcode: 'n:InvalidEnumerationContext',
    action: 'enumeration',
    wsmanCode: 2150858779,
    message: fixed('The WS-Enumeration context in the enumeration is not valid. Enumeration may have been completed or canceled. You cannot use this enumeration context anymore. Start a new enumeration. '),
  },
  // wsmerror.h ERROR_WSMAN_ENUMERATE_CANNOT_PROCESS_FILTER; fx winrb/soap_fault_v2.xml (two trailing spaces).
  CannotProcessFilter: {
    code: 'Sender',
    subcode: 'n:CannotProcessFilter',
    action: 'enumeration',
    wsmanCode: 2150858778,
    reason: 'The data source could not process the filter. The filter might be missing or it might be invalid. Change the filter and try the request again.  ',
    message: (a) => a.why ?? 'The specified class does not exist in the given namespace. ',
    provider: { provider: 'WMI Provider', path: '%systemroot%\\system32\\WsmWmiPl.dll', nested: true },
  },
  // Anything unexpected: the stack goes to the log, never to the wire (architecture.md §2.4).
  InternalError: {
    code: 'Receiver',
    subcode: 'w:InternalError',
    action: 'wsman',
    // Win32 ERROR_INTERNAL_ERROR; Windows prints Win32 codes as small integers (5, 50, 87).
    wsmanCode: 1359,
    message: fixed('An internal error occurred. '),
  },
} as const satisfies Record<string, FaultSpec>;

export type FaultKey = keyof typeof FAULTS;

/** Thrown by cores; caught and rendered at the edge. */
export class WsmanFault extends Error {
  readonly key: FaultKey;
  readonly args: FaultArgs;
  /** FaultDetail other than the catalogue's (e.g. UnsupportedFeature → AddressingMode / Locale). */
  readonly detail: string | undefined;
  /** The request's MessageID when the fault was raised while reading it. */
  readonly relatesTo: string | undefined;
  constructor(key: FaultKey, args: FaultArgs = {}, opts: { detail?: string; relatesTo?: string | undefined } = {}) {
    const spec: FaultSpec = FAULTS[key];
    super(`${spec.subcode ?? spec.code}: ${spec.message(args)}`);
    this.name = 'WsmanFault';
    this.key = key;
    this.args = args;
    this.detail = opts.detail ?? spec.detail;
    this.relatesTo = opts.relatesTo;
  }
  get spec(): FaultSpec {
    return FAULTS[this.key];
  }
  /** Every WS-Man fault Windows sends travels with HTTP 500 (wsman-protocol.md §1.3). */
  get httpStatus(): number {
    return 500;
  }
}

export const FAULT_ACTIONS: Record<FaultAction, string> = {
  wsman: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/fault',
  addressing: 'http://schemas.xmlsoap.org/ws/2004/08/addressing/fault',
  enumeration: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/fault',
  transfer: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/fault',
};
