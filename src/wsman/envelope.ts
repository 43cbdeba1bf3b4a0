// Reads the addressing and WS-Management headers of a request (wsman-protocol.md §3), liberally as
// §2.3 asks: any prefixes, any header order, trimmed values, case-insensitive booleans, selector
// and option names compared case-insensitively. Violations become the fault Windows sends.
import { NS, ANONYMOUS } from './ns.js';
import { WsmanFault, type FaultKey } from './faults.js';
import { attr, child, childrenNamed, isElement, parseXml, textOf, XmlSyntaxError, XML_NS, type XmlElement } from './xml.js';

export interface Selector {
  readonly name: string;
  readonly value: string;
}

export interface OptionValue {
  readonly name: string;
  readonly value: string;
  readonly mustComply: boolean;
  readonly type: string | undefined;
}

export interface WsmanRequest {
  readonly envelope: XmlElement;
  readonly header: XmlElement | undefined;
  readonly body: XmlElement | undefined;
  /** True for `wsmid:Identify` bodies, which carry no Action (wsman-protocol.md §4.1). */
  readonly isIdentify: boolean;
  readonly action: string;
  readonly messageId: string | undefined;
  readonly to: string | undefined;
  readonly resourceUri: string | undefined;
  /** Keyed by lower-cased name. */
  readonly selectors: ReadonlyMap<string, Selector>;
  /** Keyed by lower-cased name. */
  readonly options: ReadonlyMap<string, OptionValue>;
  /** OperationTimeout in ms, already capped by MaxTimeoutms [WSMV 3.1.4.1.6]. */
  readonly operationTimeoutMs: number;
  /** Response size bound: min(request header, MaxEnvelopeSizekb×1024) [WSMV 3.1.4.1.7]. */
  readonly maxEnvelopeSize: number;
  readonly locale: string | undefined;
  readonly dataLocale: string | undefined;
  readonly sessionId: string | undefined;
  readonly operationId: string | undefined;
}

export interface EnvelopeLimits {
  readonly maxEnvelopeSizeBytes: number;
  readonly maxTimeoutMs: number;
}

/** The header blocks this service reads, found in one pass (the first of each name counts). */
interface Headers {
  action?: XmlElement;
  to?: XmlElement;
  replyTo?: XmlElement;
  faultTo?: XmlElement;
  messageId?: XmlElement;
  resourceUri?: XmlElement;
  selectorSet?: XmlElement;
  optionSet?: XmlElement;
  operationTimeout?: XmlElement;
  maxEnvelopeSize?: XmlElement;
  locale?: XmlElement;
  dataLocale?: XmlElement;
  sessionId?: XmlElement;
  operationId?: XmlElement;
  /** The first header this service does not understand that is marked mustUnderstand. */
  mustUnderstand?: XmlElement;
}

/**
 * One pass over the Header's children: the blocks this service understands go to their slots;
 * any other with mustUnderstand="true" is remembered for the MustUnderstand fault. (One scan per
 * header name, or a Map keyed by "{ns} local", each cost more per request: decisions 0006, 0007.)
 */
function readHeaders(header: XmlElement | undefined): Headers {
  const h: Headers = {};
  if (header === undefined) return h;
  for (const c of header.children) {
    if (!isElement(c)) continue;
    let known = true;
    if (c.ns === NS.a) {
      switch (c.local) {
        case 'Action': h.action ??= c; break;
        case 'To': h.to ??= c; break;
        case 'ReplyTo': h.replyTo ??= c; break;
        case 'FaultTo': h.faultTo ??= c; break;
        case 'MessageID': h.messageId ??= c; break;
        default: known = false;
      }
    } else if (c.ns === NS.w) {
      switch (c.local) {
        case 'ResourceURI': h.resourceUri ??= c; break;
        case 'SelectorSet': h.selectorSet ??= c; break;
        case 'OptionSet': h.optionSet ??= c; break;
        case 'OperationTimeout': h.operationTimeout ??= c; break;
        case 'MaxEnvelopeSize': h.maxEnvelopeSize ??= c; break;
        case 'Locale': h.locale ??= c; break;
        case 'RequestEPR':
        case 'RequestTotalItemsCountEstimate':
        case 'FragmentTransfer':
          break;
        default: known = false;
      }
    } else if (c.ns === NS.p) {
      switch (c.local) {
        case 'DataLocale': h.dataLocale ??= c; break;
        case 'SessionId': h.sessionId ??= c; break;
        case 'OperationID': h.operationId ??= c; break;
        case 'SequenceId':
        case 'CompressionType':
        case 'ActivityId':
          break;
        default: known = false;
      }
    } else known = false;
    if (!known && h.mustUnderstand === undefined && mustUnderstand(c)) h.mustUnderstand = c;
  }
  return h;
}

const MAX_MESSAGE_ID = 2048; // [WSMV <47>]
const MIN_ENVELOPE = 8192; // [WSMV 3.1.4.1.7]

export function isTrue(v: string | undefined): boolean {
  return v !== undefined && v.trim().toLowerCase() === 'true';
}

function mustUnderstand(el: XmlElement): boolean {
  // Qualified (pypsrp) or unqualified (pywinrm, masterzen, Ruby), any case of true (§2.3).
  return isTrue(attr(el, 'mustUnderstand', NS.s) ?? attr(el, 'mustUnderstand', ''));
}

/** Decode the body by BOM or the Content-Type charset; only UTF-8 and UTF-16 exist for WinRM. */
export function decodeBody(body: Buffer, contentType: string | undefined): { text: string; charset: 'utf-8' | 'utf-16le' | 'utf-16be' } {
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return { text: body.subarray(2).toString('utf16le'), charset: 'utf-16le' };
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return { text: swap16(body.subarray(2)).toString('utf16le'), charset: 'utf-16be' };
  const m = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '');
  const cs = m?.[1]?.toLowerCase();
  if (cs === undefined || cs === 'utf-8' || cs === 'utf8') {
    const start = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
    return { text: body.subarray(start).toString('utf8'), charset: 'utf-8' };
  }
  if (cs === 'utf-16' || cs === 'utf-16le') return { text: body.toString('utf16le'), charset: 'utf-16le' };
  if (cs === 'utf-16be') return { text: swap16(body).toString('utf16le'), charset: 'utf-16be' };
  throw new WsmanFault('UnsupportedEncoding');
}

function swap16(b: Buffer): Buffer {
  const c = Buffer.from(b.subarray(0, b.length - (b.length % 2)));
  c.swap16();
  return c;
}

/** xs:duration → ms; undefined when not a valid non-negative duration. */
export function parseDuration(v: string): number | undefined {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?$/.exec(v.trim());
  if (!m || v.trim() === 'P' || v.trim().endsWith('T')) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const days = Number(y ?? 0) * 365 + Number(mo ?? 0) * 30 + Number(d ?? 0);
  const ms = ((days * 24 + Number(h ?? 0)) * 60 + Number(mi ?? 0)) * 60_000 + Math.round(Number(s ?? 0) * 1000);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Parse and check an envelope. Throws WsmanFault (with `relatesTo` when the MessageID was readable). */
export function readEnvelope(xml: string, limits: EnvelopeLimits): WsmanRequest {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw new WsmanFault('InvalidXml', { why: e.message });
    throw e;
  }
  if (root.ns !== NS.s || root.local !== 'Envelope') {
    throw new WsmanFault('SchemaValidationError', {
      text: `The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry. The root element is {${root.ns}}${root.local}, not a SOAP 1.2 Envelope. `,
    });
  }
  const header = child(root, NS.s, 'Header');
  const body = child(root, NS.s, 'Body');
  const h = readHeaders(header);
  const val = (e: XmlElement | undefined) => (e ? textOf(e).trim() : undefined);

  const isIdentify = child(body, NS.wsmid, 'Identify') !== undefined && h.action === undefined;
  const messageId = val(h.messageId);
  const fault = (key: FaultKey, args: Record<string, string> = {}, detail?: string) =>
    new WsmanFault(key, args, detail === undefined ? { relatesTo: messageId } : { relatesTo: messageId, detail });

  const selectors = new Map<string, Selector>();
  const options = new Map<string, OptionValue>();
  let operationTimeoutMs = limits.maxTimeoutMs;
  let maxEnvelopeSize = limits.maxEnvelopeSizeBytes;

  if (!isIdentify) {
    if (header === undefined) throw fault('MessageInformationHeaderRequired', { header: 'Header' });
    if (h.mustUnderstand) throw fault('MustUnderstand', { header: `{${h.mustUnderstand.ns}}${h.mustUnderstand.local}` });
    if (h.action === undefined) throw fault('MessageInformationHeaderRequired', { header: 'Action' });
    if (messageId === undefined || messageId === '') throw fault('InvalidMessageInformationHeader', { why: 'The MessageID header is missing or empty. ' });
    if (messageId.length > MAX_MESSAGE_ID) throw fault('InvalidMessageInformationHeader', { why: 'The MessageID header is longer than 2048 characters. ' });
    const replyTo = h.replyTo;
    if (replyTo === undefined) throw fault('MessageInformationHeaderRequired', { header: 'ReplyTo' });
    const replyAddress = textOf(child(replyTo, NS.a, 'Address')).trim();
    if (replyAddress !== ANONYMOUS) throw fault('UnsupportedFeature', { why: 'Only the anonymous ReplyTo address is supported. ' }, 'AddressingMode');
    const faultTo = h.faultTo;
    if (faultTo !== undefined && textOf(child(faultTo, NS.a, 'Address')).trim() !== ANONYMOUS) {
      throw fault('UnsupportedFeature', { why: 'Only the anonymous FaultTo address is supported. ' }, 'AddressingMode');
    }
    const locale = h.locale;
    if (locale && mustUnderstand(locale)) throw fault('UnsupportedFeature', { why: 'Locale must not be marked mustUnderstand. ' }, 'Locale');
    const dataLocale = h.dataLocale;
    if (dataLocale && mustUnderstand(dataLocale)) throw fault('UnsupportedFeature', { why: 'DataLocale must not be marked mustUnderstand. ' }, 'DataLocale');

    const timeout = val(h.operationTimeout);
    if (timeout !== undefined) {
      const ms = parseDuration(timeout);
      if (ms === undefined) throw fault('InvalidTimeoutHeader', { value: timeout });
      operationTimeoutMs = Math.min(ms, limits.maxTimeoutMs); // clamp, never fault [WSMV 3.1.4.1.6]
    }
    const mes = val(h.maxEnvelopeSize);
    if (mes !== undefined) {
      const n = Number(mes);
      if (!/^\d+$/.test(mes) || !Number.isSafeInteger(n)) throw fault('InvalidMessageInformationHeader', { why: `The MaxEnvelopeSize value ${mes} is not a number. ` });
      if (n < MIN_ENVELOPE) throw fault('EnvelopeSizeTooSmall');
      maxEnvelopeSize = Math.min(n, limits.maxEnvelopeSizeBytes);
    }
    for (const s of childrenNamed(h.selectorSet, NS.w, 'Selector')) {
      const name = (attr(s, 'Name', '') ?? '').trim();
      selectors.set(name.toLowerCase(), { name, value: textOf(s).trim() });
    }
  }
  // winrm-rs puts its Create OptionSet between Header and Body (wsman-protocol.md §2.3): accept it.
  const optionSets = [h.optionSet, child(root, NS.w, 'OptionSet')];
  for (const set of optionSets) {
    for (const o of childrenNamed(set, NS.w, 'Option')) {
      const name = (attr(o, 'Name', '') ?? '').trim();
      options.set(name.toLowerCase(), { name, value: textOf(o).trim(), mustComply: isTrue(attr(o, 'MustComply', '')), type: attr(o, 'Type', '') });
    }
  }
    return {
    envelope: root,
    header,
    body,
    isIdentify,
    action: val(h.action) ?? '',
    messageId,
    to: val(h.to),
    resourceUri: val(h.resourceUri),
    selectors,
    options,
    operationTimeoutMs,
    maxEnvelopeSize,
    locale: h.locale ? attr(h.locale, 'lang', XML_NS) : undefined,
    dataLocale: h.dataLocale ? attr(h.dataLocale, 'lang', XML_NS) : undefined,
    sessionId: val(h.sessionId),
    operationId: val(h.operationId),
  };
}
