// A namespace-aware view of a request envelope, built on fast-xml-parser, and a small writer for
// responses. Clients choose their own prefixes (env:, s:, wsman:, wsmv:…), so everything here is
// matched by namespace URI and local name, never by prefix (wsman-protocol.md §2.1, §2.3).
// DTDs and entity declarations are refused before parsing and never expanded.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlAttr {
  readonly ns: string;
  readonly local: string;
  readonly value: string;
}

export interface XmlElement {
  readonly ns: string;
  readonly local: string;
  readonly prefix: string;
  readonly attrs: readonly XmlAttr[];
  readonly children: readonly XmlNode[];
}

/** A text node keeps whether it came from CDATA (masterzen wraps commands in CDATA, §2.3). */
export interface XmlText {
  readonly text: string;
}

export type XmlNode = XmlElement | XmlText;

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** Limits that keep a hostile envelope from costing more than a bounded amount of work. */
export const XML_LIMITS = {
  maxDepth: 64,
  maxNodes: 200_000,
  maxAttributesPerElement: 64,
} as const;

export class XmlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  removeNSPrefix: false,
  cdataPropName: '#cdata',
  commentPropName: false,
  // Only the five predefined entities and character references are decoded; DOCTYPE entities are
  // refused before we get here (see rejectDtd).
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/** DTDs are refused outright: no entity can ever be declared, so none can be expanded. */
function rejectDtd(xml: string): void {
  // A DOCTYPE is only legal in the prolog; ENTITY only inside a DOCTYPE. Scan the prolog, and
  // refuse any '<!DOCTYPE' / '<!ENTITY' markup that is not inside a CDATA section anywhere.
  const re = /<!\[CDATA\[[\s\S]*?\]\]>|<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST)\b/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml)) !== null) {
    if (m[1] !== undefined) throw new XmlSyntaxError(`DTD markup (<!${m[1].toUpperCase()}) is not allowed`);
  }
}

type FxpNode = Record<string, unknown>;

/** Parse a decoded envelope into a namespace-resolved element tree. Throws XmlSyntaxError. */
export function parseXml(xml: string): XmlElement {
  rejectDtd(xml);
  const valid = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (valid !== true) {
    throw new XmlSyntaxError(`${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  let raw: unknown;
  try {
    raw = parser.parse(xml);
  } catch (e) {
    throw new XmlSyntaxError(e instanceof Error ? e.message : String(e));
  }
  if (!Array.isArray(raw)) throw new XmlSyntaxError('no root element');
  const roots = (raw as FxpNode[]).filter((n) => elementName(n) !== undefined);
  if (roots.length !== 1) throw new XmlSyntaxError(`expected exactly one root element, found ${roots.length}`);
  const budget = { nodes: 0 };
  return resolve(roots[0]!, new Map([['xml', XML_NS]]), 0, budget);
}

function elementName(n: FxpNode): string | undefined {
  for (const k of Object.keys(n)) {
    if (k !== ':@' && k !== '#text' && k !== '#cdata') return k;
  }
  return undefined;
}

function resolve(node: FxpNode, scope: Map<string, string>, depth: number, budget: { nodes: number }): XmlElement {
  if (depth > XML_LIMITS.maxDepth) throw new XmlSyntaxError(`elements nested deeper than ${XML_LIMITS.maxDepth}`);
  if (++budget.nodes > XML_LIMITS.maxNodes) throw new XmlSyntaxError(`more than ${XML_LIMITS.maxNodes} nodes`);
  const qname = elementName(node)!;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  const attrNames = Object.keys(rawAttrs);
  if (attrNames.length > XML_LIMITS.maxAttributesPerElement) throw new XmlSyntaxError(`element <${qname}> has too many attributes`);

  let local = scope;
  for (const name of attrNames) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (local === scope) local = new Map(scope);
      local.set(name === 'xmlns' ? '' : name.slice(6), rawAttrs[name]!);
    }
  }
  const [prefix, lname] = splitQName(qname);
  const ns = local.get(prefix);
  if (ns === undefined) {
    if (prefix !== '') throw new XmlSyntaxError(`undeclared namespace prefix '${prefix}' on <${qname}>`);
  }
  const attrs: XmlAttr[] = [];
  for (const name of attrNames) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const [ap, al] = splitQName(name);
    let ans = '';
    if (ap !== '') {
      const found = local.get(ap);
      if (found === undefined) throw new XmlSyntaxError(`undeclared namespace prefix '${ap}' on attribute ${name}`);
      ans = found;
    }
    attrs.push({ ns: ans, local: al, value: rawAttrs[name]! });
  }
  const children: XmlNode[] = [];
  const kids = node[qname];
  if (Array.isArray(kids)) {
    for (const k of kids as FxpNode[]) {
      if ('#text' in k) children.push({ text: String(k['#text']) });
      else if ('#cdata' in k) {
        const parts = k['#cdata'] as FxpNode[];
        children.push({ text: parts.map((p) => String(p['#text'] ?? '')).join('') });
      } else if (elementName(k) !== undefined) children.push(resolve(k, local, depth + 1, budget));
    }
  }
  return { ns: ns ?? '', local: lname, prefix, attrs, children };
}

function splitQName(q: string): [string, string] {
  const i = q.indexOf(':');
  return i < 0 ? ['', q] : [q.slice(0, i), q.slice(i + 1)];
}

// ---- navigation helpers -------------------------------------------------------------------

export function isElement(n: XmlNode): n is XmlElement {
  return (n as XmlElement).local !== undefined;
}

export function childElements(el: XmlElement): XmlElement[] {
  return el.children.filter(isElement);
}

export function child(el: XmlElement | undefined, ns: string, local: string): XmlElement | undefined {
  if (!el) return undefined;
  for (const c of el.children) if (isElement(c) && c.local === local && c.ns === ns) return c;
  return undefined;
}

export function childrenNamed(el: XmlElement | undefined, ns: string, local: string): XmlElement[] {
  if (!el) return [];
  return el.children.filter((c): c is XmlElement => isElement(c) && c.local === local && c.ns === ns);
}

/** All text content, concatenated (CDATA included), untrimmed. */
export function textOf(el: XmlElement | undefined): string {
  if (!el) return '';
  let out = '';
  for (const c of el.children) out += isElement(c) ? textOf(c) : c.text;
  return out;
}

/** Attribute by local name; namespace '' means unqualified. With ns undefined, any namespace. */
export function attr(el: XmlElement | undefined, local: string, ns?: string): string | undefined {
  if (!el) return undefined;
  for (const a of el.attrs) if (a.local === local && (ns === undefined || a.ns === ns)) return a.value;
  return undefined;
}

// ---- writing --------------------------------------------------------------------------------

/** Escape text content. \r and control characters are written as character references. */
export function escapeText(s: string): string {
  return s.replace(/[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, escapeChar);
}

/** Escape an attribute value (double-quoted). */
export function escapeAttr(s: string): string {
  return s.replace(/[&<>"\r\n\t\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, escapeChar);
}

function escapeChar(c: string): string {
  switch (c) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '"':
      return '&quot;';
    default:
      return `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
  }
}

/**
 * A node to write. Windows writes empty value elements as start/end pairs
 * (`<cfg:TrustedHosts></cfg:TrustedHosts>`, `<s:Body></s:Body>`) but some empty responses
 * self-closed (`<rsp:SendResponse/>`) [fixtures/pypsrp]: `selfClose` picks which.
 */
export interface OutElement {
  readonly name: string;
  readonly attrs?: ReadonlyArray<readonly [string, string]>;
  readonly children?: ReadonlyArray<OutElement | string>;
  readonly selfClose?: boolean;
}

export function el(name: string, attrs?: ReadonlyArray<readonly [string, string]>, ...children: Array<OutElement | string | undefined | false>): OutElement {
  const kids = children.filter((c): c is OutElement | string => c !== undefined && c !== false);
  return attrs ? { name, attrs, children: kids } : { name, children: kids };
}

export function writeXml(node: OutElement): string {
  let out = '<' + node.name;
  if (node.attrs) for (const [k, v] of node.attrs) out += ` ${k}="${escapeAttr(v)}"`;
  const kids = node.children ?? [];
  if (kids.length === 0 && node.selfClose) return out + '/>';
  out += '>';
  for (const k of kids) out += typeof k === 'string' ? escapeText(k) : writeXml(k);
  return out + `</${node.name}>`;
}
