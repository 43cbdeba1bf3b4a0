// WinRS response bodies in Windows' exact shape (wsman-protocol.md §4.2–§4.6; fx pypsrp/test_winrs_*).
import { el, escapeText, type OutElement } from '../../wsman/xml.js';
import type { OutputChunk } from './command.js';

const STATE = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/';

/** Envelope bytes around a ReceiveResponse body (headers, namespaces), with room to spare. */
export const RECEIVE_ENVELOPE_OVERHEAD = 1200;
/** One `<rsp:Stream Name="stdout" CommandId="…"></rsp:Stream>` wrapper. */
export const STREAM_OVERHEAD = 100;
/** End markers plus a Done CommandState with its ExitCode. */
export const DONE_OVERHEAD = 400;

export interface ShellFields {
  readonly shellId: string;
  readonly resourceUri: string;
  readonly owner: string;
  readonly clientIp: string;
  readonly environment: ReadonlyArray<readonly [string, string]>;
  readonly workingDirectory: string | undefined;
  readonly idleTimeOut: string;
  readonly inputStreams: string;
  readonly outputStreams: string;
  readonly shellRunTime: string;
  readonly shellInactivity: string;
}

/** Windows escapes quotes in the echoed Environment text as &quot; and &apos; (fx pypsrp/test_winrs_environment). */
function envText(v: string): string {
  return escapeText(v).replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export function shellElement(f: ShellFields): string {
  const t = (name: string, v: string) => `<rsp:${name}>${escapeText(v)}</rsp:${name}>`;
  let env = '';
  if (f.environment.length > 0) {
    env = '<rsp:Environment>';
    for (const [k, v] of f.environment) env += `<rsp:Variable Name="${escapeText(k).replace(/"/g, '&quot;')}">${envText(v)}</rsp:Variable>`;
    env += '</rsp:Environment>';
  }
  return (
    '<rsp:Shell xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell">' +
    t('ShellId', f.shellId) +
    t('ResourceUri', f.resourceUri) +
    t('Owner', f.owner) +
    t('ClientIP', f.clientIp) +
    env +
    (f.workingDirectory !== undefined ? t('WorkingDirectory', f.workingDirectory) : '') +
    t('IdleTimeOut', f.idleTimeOut) +
    t('InputStreams', f.inputStreams) +
    t('OutputStreams', f.outputStreams) +
    t('ShellRunTime', f.shellRunTime) +
    t('ShellInactivity', f.shellInactivity) +
    '</rsp:Shell>'
  );
}

export function createResponse(f: ShellFields & { readonly address: string }): Array<OutElement | string> {
  const created = el(
    'x:ResourceCreated',
    undefined,
    el('a:Address', undefined, f.address),
    el(
      'a:ReferenceParameters',
      undefined,
      el('w:ResourceURI', undefined, f.resourceUri),
      el('w:SelectorSet', undefined, el('w:Selector', [['Name', 'ShellId']], f.shellId)),
    ),
  );
  return [created, shellElement(f)];
}

export function commandResponse(commandId: string): OutElement[] {
  return [el('rsp:CommandResponse', undefined, el('rsp:CommandId', undefined, commandId))];
}

export function sendResponse(): OutElement {
  return { name: 'rsp:SendResponse', selfClose: true };
}

export function signalResponse(): OutElement {
  return { name: 'rsp:SignalResponse', selfClose: true };
}

/** Each chunk base64 on its own; End markers then CommandState last (wsman-protocol.md §4.5). */
export function receiveResponse(commandId: string, chunks: readonly OutputChunk[], done: { exitCode: number; endStreams: readonly string[] } | undefined): string {
  let out = '<rsp:ReceiveResponse>';
  for (const c of chunks) out += `<rsp:Stream Name="${c.stream}" CommandId="${commandId}">${c.data.toString('base64')}</rsp:Stream>`;
  if (done) {
    for (const s of done.endStreams) out += `<rsp:Stream Name="${s}" CommandId="${commandId}" End="true"></rsp:Stream>`;
    out += `<rsp:CommandState CommandId="${commandId}" State="${STATE}Done"><rsp:ExitCode>${done.exitCode}</rsp:ExitCode></rsp:CommandState>`;
  } else {
    out += `<rsp:CommandState CommandId="${commandId}" State="${STATE}Running"></rsp:CommandState>`;
  }
  return out + '</rsp:ReceiveResponse>';
}
