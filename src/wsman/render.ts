// Renders response envelopes exactly as Windows lays them out (wsman-protocol.md §2.2): one line,
// no XML declaration, `xml:lang` first, then the namespace set for the response type, headers in
// the order Action, MessageID, To, RelatesTo. The only module that renders faults.
import { ANONYMOUS, NS, type Prefix } from './ns.js';
import { FAULT_ACTIONS, type FaultSpec, type WsmanFault } from './faults.js';
import { el, escapeText, writeXml, type OutElement } from './xml.js';

/** Namespace sets per response type, in Windows' order (wsman-protocol.md §2.2 table). */
export const RESPONSE_NAMESPACES = {
  shell: ['s', 'a', 'x', 'w', 'rsp', 'p'],
  receive: ['s', 'a', 'w', 'rsp', 'p'],
  delete: ['s', 'a', 'w', 'p'],
  get: ['s', 'a', 'x', 'w', 'p'],
  enumerate: ['s', 'a', 'n', 'w', 'p'],
  fault: ['s', 'a', 'x', 'e', 'n', 'w', 'p'],
} as const satisfies Record<string, readonly Prefix[]>;

export type NamespaceSet = keyof typeof RESPONSE_NAMESPACES;

export interface ResponseEnvelope {
  readonly action: string;
  readonly namespaces: NamespaceSet;
  /** Request's MessageID, byte for byte; omitted when the request had none. */
  readonly relatesTo: string | undefined;
  readonly messageId: string;
  /** Body children, already built; empty means `<s:Body></s:Body>`. */
  readonly body: ReadonlyArray<OutElement | string>;
}

function envelopeOpen(set: NamespaceSet): string {
  let out = '<s:Envelope xml:lang="en-US"';
  for (const p of RESPONSE_NAMESPACES[set]) out += ` xmlns:${p}="${NS[p]}"`;
  return out + '>';
}

function headers(action: string, messageId: string, relatesTo: string | undefined): string {
  let out = `<s:Header><a:Action>${escapeText(action)}</a:Action><a:MessageID>${escapeText(messageId)}</a:MessageID><a:To>${ANONYMOUS}</a:To>`;
  if (relatesTo !== undefined) out += `<a:RelatesTo>${escapeText(relatesTo)}</a:RelatesTo>`;
  return out + '</s:Header>';
}

export function renderEnvelope(r: ResponseEnvelope): string {
  let body = '';
  for (const b of r.body) body += typeof b === 'string' ? b : writeXml(b);
  return `${envelopeOpen(r.namespaces)}${headers(r.action, r.messageId, r.relatesTo)}<s:Body>${body}</s:Body></s:Envelope>`;
}

export interface FaultContext {
  readonly relatesTo: string | undefined;
  readonly messageId: string;
  /** The host the client addressed (recordings show the Host header's name or IP). */
  readonly machine: string;
}

function wsmanFaultElement(spec: FaultSpec, text: string, machine: string, withProvider: boolean): OutElement {
  const attrs: Array<[string, string]> = [
    ['xmlns:f', NS.f],
    ['Code', String(spec.wsmanCode)],
    ['Machine', machine],
  ];
  let message: OutElement;
  if (withProvider && spec.provider) {
    const p = spec.provider;
    const inner: OutElement | string = p.nested ? wsmanFaultElement(spec, text, machine, false) : text;
    message = el('f:Message', undefined, el('f:ProviderFault', [['provider', p.provider], ['path', p.path]], inner));
  } else {
    message = el('f:Message', undefined, text);
  }
  return el('f:WSManFault', attrs, message);
}

export function renderFault(fault: WsmanFault, ctx: FaultContext): string {
  const spec: FaultSpec = fault.spec;
  const message = spec.message(fault.args);
  const reason = spec.reason ?? message;
  const code =
    spec.subcode === undefined
      ? el('s:Code', undefined, el('s:Value', undefined, `s:${spec.code}`))
      : el('s:Code', undefined, el('s:Value', undefined, `s:${spec.code}`), el('s:Subcode', undefined, el('s:Value', undefined, spec.subcode)));
  const detail = el(
    's:Detail',
    undefined,
    fault.detail !== undefined && el('w:FaultDetail', undefined, `http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/${fault.detail}`),
    wsmanFaultElement(spec, message, ctx.machine, true),
  );
  const faultEl = el('s:Fault', undefined, code, el('s:Reason', undefined, el('s:Text', [['xml:lang', 'en-US']], reason)), detail);
  return renderEnvelope({
    action: FAULT_ACTIONS[spec.action],
    namespaces: 'fault',
    relatesTo: ctx.relatesTo,
    messageId: ctx.messageId,
    body: [faultEl],
  });
}

export interface IdentifyFacts {
  /** `OS: 10.0.17763 SP: 0.0 Stack: 3.0`; unauthenticated requests get `OS: 0.0.0 SP: 0.0 Stack: 3.0`. */
  readonly productVersion: string;
  /** SecurityProfileName URIs; omitted entirely for unauthenticated requests [WSMV 3.1.4.1.23]. */
  readonly securityProfiles: readonly string[] | undefined;
}

/** IdentifyResponse: no Action/MessageID/RelatesTo, `<s:Header></s:Header>` (wsman-protocol.md §4.1). */
export function renderIdentify(facts: IdentifyFacts): string {
  const w = (name: string, text: string) => el(`wsmid:${name}`, undefined, text);
  const body = el(
    'wsmid:IdentifyResponse',
    [['xmlns:wsmid', NS.wsmid]],
    w('ProtocolVersion', 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd'),
    w('ProductVendor', 'Microsoft Corporation'),
    w('ProductVersion', facts.productVersion),
    facts.securityProfiles !== undefined &&
      el('wsmid:SecurityProfiles', undefined, ...facts.securityProfiles.map((p) => w('SecurityProfileName', p))),
  );
  return `<s:Envelope xml:lang="en-US" xmlns:s="${NS.s}"><s:Header></s:Header><s:Body>${writeXml(body)}</s:Body></s:Envelope>`;
}
