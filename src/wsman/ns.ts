// Namespace URIs and the prefixes Windows emits (wsman-protocol.md §2.1).
export const NS = {
  s: 'http://www.w3.org/2003/05/soap-envelope',
  a: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  x: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
  w: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  p: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  rsp: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  n: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration',
  e: 'http://schemas.xmlsoap.org/ws/2004/08/eventing',
  f: 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
  // "identity", not "identify": the spec table's spelling is a typo (wsman-protocol.md §2.1).
  wsmid: 'http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd',
  cfg: 'http://schemas.microsoft.com/wbem/wsman/1/config',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

export type Prefix = keyof typeof NS;

export const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';

/** Action URIs (wsman-protocol.md §4). */
export const ACTIONS = {
  Create: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  Delete: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete',
  Get: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Get',
  Put: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Put',
  Command: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command',
  Send: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send',
  Receive: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive',
  Signal: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal',
  Disconnect: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Disconnect',
  Reconnect: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Reconnect',
  Connect: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Connect',
  Enumerate: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate',
  Pull: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull',
  Release: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Release',
} as const;

export type ActionName = keyof typeof ACTIONS;

export const ACTION_BY_URI: ReadonlyMap<string, ActionName> = new Map(
  (Object.entries(ACTIONS) as Array<[ActionName, string]>).map(([k, v]) => [v, k]),
);

export const RESOURCE_URIS = {
  cmdShell: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd',
  shell: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  config: 'http://schemas.microsoft.com/wbem/wsman/1/config',
  powershellPrefix: 'http://schemas.microsoft.com/powershell/',
} as const;
