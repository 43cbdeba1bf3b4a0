// PSRP shell response bodies in Windows' exact shape (psrp.md §1.3–§1.9; recorded fixtures in
// shared/fixtures/psrp): the rsp:Shell description with the PowerShell fields, Receive with one
// fragment per rsp:Stream and no CommandState unless Done, Connect and Enumerate replies.
import { el, escapeText, type OutElement } from '../../wsman/xml.js';

const STATE = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/';

/** Envelope bytes around a ReceiveResponse body (headers, namespaces), with room to spare. */
export const RECEIVE_ENVELOPE_OVERHEAD = 1200;
/** A Done CommandState with its ExitCode. */
export const DONE_OVERHEAD = 300;

export interface PsrpShellFields {
  readonly shellId: string;
  readonly resourceUri: string;
  readonly owner: string;
  readonly clientIp: string;
  readonly processId: number;
  readonly idleTimeOut: string;
  readonly inputStreams: string;
  readonly outputStreams: string;
  readonly maxIdleTimeOut: string;
  readonly locale: string;
  readonly dataLocale: string;
  readonly state: 'Connected' | 'Disconnected';
  readonly shellRunTime: string;
  readonly shellInactivity: string;
  /** Get and Enumerate add these two; Create does not (fixtures). */
  readonly memoryUsed?: string;
  readonly childProcesses?: number;
}

export function psrpShellElement(f: PsrpShellFields): string {
  const t = (name: string, v: string | number) => `<rsp:${name}>${escapeText(String(v))}</rsp:${name}>`;
  return (
    '<rsp:Shell xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell">' +
    t('ShellId', f.shellId) +
    t('ResourceUri', f.resourceUri) +
    t('Owner', f.owner) +
    t('ClientIP', f.clientIp) +
    t('ProcessId', f.processId) +
    t('IdleTimeOut', f.idleTimeOut) +
    t('InputStreams', f.inputStreams) +
    t('OutputStreams', f.outputStreams) +
    t('MaxIdleTimeOut', f.maxIdleTimeOut) +
    t('Locale', f.locale) +
    t('DataLocale', f.dataLocale) +
    t('CompressionMode', 'NoCompression') +
    t('ProfileLoaded', 'Yes') +
    t('Encoding', 'UTF8') +
    t('BufferMode', 'Block') +
    t('State', f.state) +
    t('ShellRunTime', f.shellRunTime) +
    t('ShellInactivity', f.shellInactivity) +
    (f.memoryUsed !== undefined ? t('MemoryUsed', f.memoryUsed) : '') +
    (f.childProcesses !== undefined ? t('ChildProcesses', f.childProcesses) : '') +
    '</rsp:Shell>'
  );
}

export function createResponse(f: PsrpShellFields & { readonly address: string }): Array<OutElement | string> {
  const created = el(
    'x:ResourceCreated',
    undefined,
    el('a:Address', undefined, f.address),
    el('a:ReferenceParameters', undefined, el('w:ResourceURI', undefined, f.resourceUri), el('w:SelectorSet', undefined, el('w:Selector', [['Name', 'ShellId']], f.shellId))),
  );
  return [created, psrpShellElement(f)];
}

/** One `<rsp:Stream>` per fragment; CommandState only with Done (fixture test_client_execute_ps.yml #4). */
export function receiveResponse(commandId: string | undefined, fragments: readonly Buffer[], done: boolean, pending = false): string {
  const cid = commandId !== undefined ? ` CommandId="${escapeText(commandId)}"` : '';
  let out = '<rsp:ReceiveResponse>';
  for (const f of fragments) out += `<rsp:Stream Name="stdout"${cid}>${f.toString('base64')}</rsp:Stream>`;
  if (done && commandId !== undefined) out += `<rsp:CommandState CommandId="${escapeText(commandId)}" State="${STATE}Done"><rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState>`;
  // Blocked in a host call that waits for the client (fixture test_psrp_pshost_ui_mocked_methods.yml #6).
  else if (pending && commandId !== undefined) out += `<rsp:CommandState CommandId="${escapeText(commandId)}" State="${STATE}Pending"></rsp:CommandState>`;
  return out + '</rsp:ReceiveResponse>';
}

/** Pool-level Connect: the streams and the PSRP reply (fixture test_psrp_disconnect_runspaces.yml #14). */
export function connectResponse(inputStreams: string, outputStreams: string, reply: Buffer): string {
  return (
    `<rsp:ConnectResponse><rsp:InputStreams>${escapeText(inputStreams)}</rsp:InputStreams><rsp:OutputStreams>${escapeText(outputStreams)}</rsp:OutputStreams>` +
    `<connectResponseXml xmlns="http://schemas.microsoft.com/powershell">${reply.toString('base64')}</connectResponseXml></rsp:ConnectResponse>`
  );
}

/** Enumerate with OptimizeEnumeration: everything at once, empty context, EndOfSequence (§1.1). */
export function enumerateResponse(items: readonly string[]): string {
  return `<n:EnumerateResponse><n:EnumerationContext></n:EnumerationContext>${items.length > 0 ? `<w:Items>${items.join('')}</w:Items>` : ''}<w:EndOfSequence/></n:EnumerateResponse>`;
}

export function commandItem(commandId: string): string {
  return `<rsp:Command xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"><rsp:CommandId>${escapeText(commandId)}</rsp:CommandId><rsp:CommandLine></rsp:CommandLine><rsp:CommandState>Running</rsp:CommandState></rsp:Command>`;
}
