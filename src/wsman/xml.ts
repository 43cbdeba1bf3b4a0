// A namespace-aware view of a request envelope, and a small writer for responses. Clients choose
// their own prefixes (env:, s:, wsman:, wsmv:…), so everything here is matched by namespace URI
// and local name, never by prefix (wsman-protocol.md §2.1, §2.3).
//
// The reader is a single-pass, non-validating XML 1.0 + Namespaces parser written for this hot
// path (docs/decisions/0005-hot-path.md): it checks well-formedness itself (tags nest and match,
// attributes are quoted and unique, `&` only in references, no `<` in attribute values, no `]]>`
// in text, nothing but comments, PIs and white space outside the one root element, names are
// QNames, prefixes are declared) and builds the resolved tree in the same pass. DTDs are refused
// outright, so no entity can ever be declared, let alone expanded: only the five predefined
// entities and character references are decoded. Line ends are normalised (\r\n and \r → \n) and
// white space in attribute values becomes spaces, as XML 1.0 §2.11 and §3.3.3 say.
import { NS } from './ns.js';

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

/** A text node: character data, with references decoded, or the content of a CDATA section. */
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

/**
 * The namespace URIs the service compares against, kept as the very strings of ns.ts: a parsed
 * element's `ns === NS.a` is then a pointer comparison, not a character-by-character one.
 */
const INTERNED_BY_LENGTH: ReadonlyArray<readonly string[] | undefined> = (() => {
  const byLength: string[][] = [];
  for (const u of [...Object.values(NS), XML_NS]) (byLength[u.length] ??= []).push(u);
  return byLength;
})();

/** The ns.ts string equal to `uri`, else `uri`. By length, then compared: no hash of a fresh slice. */
function intern(uri: string): string {
  const candidates = INTERNED_BY_LENGTH[uri.length];
  if (candidates !== undefined) for (const c of candidates) if (c === uri) return c;
  return uri;
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const DTD_KEYWORDS = /^<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)\b/i;
/** XML 1.0 NameStartChar beyond ASCII (§2.3); UTF-16 surrogates stand for the planes above. */
function nameStartNonAscii(c: number): boolean {
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    c === 0x200c ||
    c === 0x200d ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xdfff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd)
  );
}

/** ASCII name characters (§2.3): 1 NameStartChar, 2 NameChar only (digits, '-', '.'), 0 neither. */
const ASCII_NAME = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58) t[c] = 1;
    else if ((c >= 48 && c <= 57) || c === 45 || c === 46) t[c] = 2;
  }
  return t;
})();

function isNameStart(s: string, k: number): boolean {
  const c = s.charCodeAt(k);
  return c < 0x80 ? ASCII_NAME[c] === 1 : nameStartNonAscii(c);
}

function isNameChar(s: string, k: number): boolean {
  const c = s.charCodeAt(k);
  if (c < 0x80) return ASCII_NAME[c] !== 0;
  return c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040 || nameStartNonAscii(c);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

/** A character reference's code point must be a Char (§2.2); &#0; and lone surrogates are not. */
function charFromReference(digits: string, hex: boolean): string | undefined {
  if (digits === '' || !(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits) || digits.length > 8) return undefined;
  const cp = parseInt(digits, hex ? 16 : 10);
  if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0xfffe || cp === 0xffff) return undefined;
  return String.fromCodePoint(cp);
}

/** What a start tag says; attrs and scope are never mutated (a root's may be shared, see ROOT_TAGS). */
interface StartTag {
  readonly qname: string;
  readonly prefix: string;
  readonly local: string;
  readonly ns: string;
  readonly attrs: readonly XmlAttr[];
  readonly scope: Map<string, string>;
  readonly selfClose: boolean;
  /** It declares namespaces (worth remembering when it is a root's). */
  readonly declares: boolean;
}

/**
 * Root start tags parsed lately, most recent first. A client sends the same Envelope start tag,
 * with the same dozen namespace declarations, on every request (pywinrm declares twelve): the same
 * characters parse to the same result, so a match skips the work. Bounded in entries and size.
 */
const ROOT_TAGS: Array<{ readonly text: string; readonly tag: StartTag }> = [];
const ROOT_TAG_ENTRIES = 8;
const ROOT_TAG_MAX_CHARS = 4096;

/** An element whose end tag is still to come. */
interface Open {
  readonly qname: string;
  readonly children: XmlNode[];
  readonly scope: Map<string, string>;
}

const ROOT_SCOPE: ReadonlyMap<string, string> = new Map([['xml', XML_NS]]);

class Reader {
  private i = 0;
  private nodes = 0;

  constructor(private readonly s: string) {}

  private fail(message: string, at = this.i): never {
    let line = 1;
    let col = 1;
    for (let k = 0; k < at && k < this.s.length; k++) {
      if (this.s.charCodeAt(k) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    throw new XmlSyntaxError(`${message} (line ${line}, column ${col})`);
  }

  document(): XmlElement {
    const s = this.s;
    if (s.charCodeAt(0) === 0xfeff) this.i = 1;
    if (s.startsWith('<?xml', this.i) && isSpace(s.charCodeAt(this.i + 5))) this.pi();
    let root: XmlElement | undefined;
    for (;;) {
      this.skipSpace();
      if (this.i >= s.length) break;
      if (s.charCodeAt(this.i) !== 60) this.fail(root ? 'text after the root element' : 'expected a start tag');
      if (s.startsWith('<!--', this.i)) this.comment();
      else if (s.startsWith('<?', this.i)) this.pi();
      else if (s.startsWith('<!', this.i)) this.bang();
      else if (root) this.fail('more than one root element');
      else root = this.element();
    }
    if (!root) this.fail('no root element');
    return root;
  }

  private skipSpace(): void {
    const s = this.s;
    while (this.i < s.length && isSpace(s.charCodeAt(this.i))) this.i++;
  }

  /** `<!` that is neither a comment nor CDATA: a DTD (refused) or malformed. */
  private bang(): never {
    const m = DTD_KEYWORDS.exec(this.s.slice(this.i, this.i + 12));
    if (m) this.fail(`DTD markup (<!${m[1]!.toUpperCase()}) is not allowed`);
    this.fail("unexpected '<!'");
  }

  private comment(): void {
    const end = this.s.indexOf('--', this.i + 4);
    if (end < 0) this.fail('unterminated comment');
    if (this.s.charCodeAt(end + 2) !== 62) this.fail("'--' inside a comment", end);
    this.i = end + 3;
  }

  private pi(): void {
    const start = this.i;
    this.i += 2;
    const target = this.name();
    if (target.toLowerCase() === 'xml' && start !== (this.s.charCodeAt(0) === 0xfeff ? 1 : 0)) this.fail('XML declaration allowed only at the start of the document', start);
    const end = this.s.indexOf('?>', this.i);
    if (end < 0) this.fail('unterminated processing instruction', start);
    if (end > this.i && !isSpace(this.s.charCodeAt(this.i))) this.fail('malformed processing instruction', start);
    this.i = end + 2;
  }

  private name(): string {
    const s = this.s;
    const start = this.i;
    if (start >= s.length || !isNameStart(s, start)) this.fail('expected a name');
    let k = start + 1;
    while (k < s.length && isNameChar(s, k)) k++;
    this.i = k;
    return s.slice(start, k);
  }

  /** The prefix of the name localPart last split (a field, not a tuple per name). */
  private prefix = '';

  /** The local part of a QName; its prefix ('' for none) goes to `this.prefix`. */
  private localPart(q: string, at: number): string {
    const c = q.indexOf(':');
    if (c < 0) {
      this.prefix = '';
      return q;
    }
    if (c === 0 || c === q.length - 1 || q.indexOf(':', c + 1) >= 0) this.fail(`'${q}' is not a qualified name`, at);
    this.prefix = q.slice(0, c);
    return q.slice(c + 1);
  }

  /** Decode references and normalise line ends in character data or an attribute value. */
  private decode(raw: string, at: number, attribute: boolean): string {
    let out = raw;
    if (out.indexOf('&') >= 0) {
      let res = '';
      let last = 0;
      for (let amp = out.indexOf('&'); amp >= 0; amp = out.indexOf('&', last)) {
        const semi = out.indexOf(';', amp + 1);
        if (semi < 0) this.fail("'&' not part of a reference (write &amp;)", at + amp);
        const ref = out.slice(amp + 1, semi);
        let ch: string | undefined;
        if (ref.charCodeAt(0) === 35) ch = ref.charCodeAt(1) === 120 ? charFromReference(ref.slice(2), true) : charFromReference(ref.slice(1), false);
        else ch = PREDEFINED[ref];
        if (ch === undefined) this.fail(ref.charCodeAt(0) === 35 ? `invalid character reference '&${ref};'` : `undeclared entity '&${ref};'`, at + amp);
        // A reference's \r or white space stays as written (§2.11, §3.3.3).
        res += normalise(out.slice(last, amp), attribute) + ch;
        last = semi + 1;
      }
      return res + normalise(out.slice(last), attribute);
    }
    out = normalise(out, attribute);
    return out;
  }

  /**
   * The start tag at this.i in `scope`: its names resolved, its attributes decoded (namespace
   * declarations first, then the names, Namespaces §5). Leaves this.i after its '>'.
   */
  private startTag(scope: ReadonlyMap<string, string>, depth: number): StartTag {
    const s = this.s;
    const tagAt = this.i;
    this.i++;
    if (isSpace(s.charCodeAt(this.i))) this.fail("white space after '<'");
    const qname = this.name();
    if (depth > XML_LIMITS.maxDepth) this.fail(`elements nested deeper than ${XML_LIMITS.maxDepth}`, tagAt);
    if (++this.nodes > XML_LIMITS.maxNodes) this.fail(`more than ${XML_LIMITS.maxNodes} nodes`, tagAt);
    const rawNames: string[] = [];
    const rawValues: string[] = [];
    let selfClose = false;
    for (;;) {
      const hadSpace = isSpace(s.charCodeAt(this.i));
      this.skipSpace();
      const c = s.charCodeAt(this.i);
      if (c === 62) {
        this.i++;
        break;
      }
      if (c === 47) {
        if (s.charCodeAt(this.i + 1) !== 62) this.fail("expected '>' after '/'");
        this.i += 2;
        selfClose = true;
        break;
      }
      if (Number.isNaN(c)) this.fail(`unterminated start tag <${qname}>`, tagAt);
      if (!hadSpace) this.fail(`expected white space before attribute in <${qname}>`);
      const nameAt = this.i;
      const an = this.name();
      this.skipSpace();
      if (s.charCodeAt(this.i) !== 61) this.fail(`attribute '${an}' has no value`, nameAt);
      this.i++;
      this.skipSpace();
      const q = s.charCodeAt(this.i);
      if (q !== 34 && q !== 39) this.fail(`the value of attribute '${an}' is not quoted`);
      const close = s.indexOf(q === 34 ? '"' : "'", this.i + 1);
      if (close < 0) this.fail(`unterminated value of attribute '${an}'`);
      const raw = s.slice(this.i + 1, close);
      if (raw.indexOf('<') >= 0) this.fail(`'<' in the value of attribute '${an}'`, this.i + 1 + raw.indexOf('<'));
      if (rawNames.includes(an)) this.fail(`attribute '${an}' is repeated`, nameAt);
      rawNames.push(an);
      rawValues.push(this.decode(raw, this.i + 1, true));
      this.i = close + 1;
    }
    if (rawNames.length > XML_LIMITS.maxAttributesPerElement) this.fail(`element <${qname}> has too many attributes`, tagAt);
    // Namespace declarations first, then the element's and attributes' names (Namespaces §5).
    let local = scope as Map<string, string>;
    let declares = false;
    for (let k = 0; k < rawNames.length; k++) {
      const n = rawNames[k]!;
      if (n === 'xmlns' || n.startsWith('xmlns:')) {
        if (local === scope) local = new Map(scope);
        declares = true;
        const uri = rawValues[k]!;
        local.set(n === 'xmlns' ? '' : n.slice(6), intern(uri));
      }
    }
    const lname = this.localPart(qname, tagAt);
    const prefix = this.prefix;
    const ns = local.get(prefix);
    if (ns === undefined && prefix !== '') this.fail(`undeclared namespace prefix '${prefix}' on <${qname}>`, tagAt);
    const attrs: XmlAttr[] = [];
    for (let k = 0; k < rawNames.length; k++) {
      const n = rawNames[k]!;
      if (n === 'xmlns' || n.startsWith('xmlns:')) continue;
      const al = this.localPart(n, tagAt);
      const ap = this.prefix;
      let ans = '';
      if (ap !== '') {
        const found = local.get(ap);
        if (found === undefined) this.fail(`undeclared namespace prefix '${ap}' on attribute ${n}`, tagAt);
        ans = found;
      }
      attrs.push({ ns: ans, local: al, value: rawValues[k]! });
    }
    return { qname, prefix, local: lname, ns: ns ?? '', attrs, scope: local, selfClose, declares };
  }

  /** The root's start tag: from ROOT_TAGS when these very characters were parsed before. */
  private rootTag(): StartTag {
    const at = this.i;
    for (const t of ROOT_TAGS) {
      // A slice compared whole: V8's startsWith goes character by character, 30 times slower here.
      if (this.s.slice(at, at + t.text.length) === t.text) {
        this.i = at + t.text.length;
        this.nodes++;
        return t.tag;
      }
    }
    const tag = this.startTag(ROOT_SCOPE, 0);
    const length = this.i - at;
    if (tag.declares && length <= ROOT_TAG_MAX_CHARS) {
      // Parsed again from a copy, so the entry holds no slice of this envelope's string.
      const text = Buffer.from(this.s.slice(at, this.i), 'utf16le').toString('utf16le');
      ROOT_TAGS.unshift({ text, tag: new Reader(text).startTag(ROOT_SCOPE, 0) });
      if (ROOT_TAGS.length > ROOT_TAG_ENTRIES) ROOT_TAGS.pop();
    }
    return tag;
  }

  private element(): XmlElement {
    const s = this.s;
    const stack: Open[] = [];
    let scope: ReadonlyMap<string, string> = ROOT_SCOPE;
    let result: XmlElement | undefined;
    for (;;) {
      // ---- a start tag at this.i
      const tag = stack.length === 0 ? this.rootTag() : this.startTag(scope, stack.length);
      const children: XmlNode[] = [];
      const node: XmlElement = { ns: tag.ns, local: tag.local, prefix: tag.prefix, attrs: tag.attrs, children };
      if (stack.length > 0) stack[stack.length - 1]!.children.push(node);
      else result = node;
      if (!tag.selfClose) {
        stack.push({ qname: tag.qname, children, scope: tag.scope });
        scope = tag.scope;
      }
      // ---- content until the next start tag, or the end of the root
      for (;;) {
        if (stack.length === 0) return result!;
        const top = stack[stack.length - 1]!;
        const lt = s.indexOf('<', this.i);
        if (lt < 0) this.fail(`unclosed element <${top.qname}>`, this.s.length);
        if (lt > this.i) {
          const raw = s.slice(this.i, lt);
          if (raw.indexOf(']]>') >= 0) this.fail("']]>' in text", this.i + raw.indexOf(']]>'));
          top.children.push({ text: this.decode(raw, this.i, false) });
          this.i = lt;
        }
        const c = s.charCodeAt(lt + 1);
        if (c === 47) {
          // end tag: the open element's name compared whole first (a slice compare is a memcmp),
          // else read as a name for the error message
          this.i = lt + 2;
          const q = top.qname;
          const after = this.i + q.length;
          let name: string;
          if (s.slice(this.i, after) === q && !isNameChar(s, after)) {
            name = q;
            this.i = after;
          } else name = this.name();
          this.skipSpace();
          if (s.charCodeAt(this.i) !== 62) this.fail(`malformed end tag </${name}>`, lt);
          if (name !== top.qname) this.fail(`end tag </${name}> does not match <${top.qname}>`, lt);
          this.i++;
          stack.pop();
          scope = stack.length > 0 ? stack[stack.length - 1]!.scope : ROOT_SCOPE;
          continue;
        }
        if (c === 33) {
          if (s.startsWith('<!--', lt)) {
            this.comment();
            continue;
          }
          if (s.startsWith('<![CDATA[', lt)) {
            const end = s.indexOf(']]>', lt + 9);
            if (end < 0) this.fail('unterminated CDATA section', lt);
            top.children.push({ text: normalise(s.slice(lt + 9, end), false) });
            this.i = end + 3;
            continue;
          }
          this.bang();
        }
        if (c === 63) {
          this.pi();
          continue;
        }
        break; // a start tag
      }
    }
  }
}

/** \r\n and lone \r become \n (§2.11); in attribute values, tab, CR and LF become spaces (§3.3.3). */
function normalise(t: string, attribute: boolean): string {
  if (attribute) return /[\t\n\r]/.test(t) ? t.replace(/\r\n|[\t\n\r]/g, ' ') : t;
  return t.indexOf('\r') >= 0 ? t.replace(/\r\n?/g, '\n') : t;
}

/** Parse a decoded envelope into a namespace-resolved element tree. Throws XmlSyntaxError. */
export function parseXml(xml: string): XmlElement {
  return new Reader(xml).document();
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

// A test before the replace: most values (ids, URIs, base64) need no escaping, and a regex test
// that finds nothing costs less than half a replace that changes nothing (decision 0008).
const TEXT_SPECIAL = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
const TEXT_SPECIALS = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;
const ATTR_SPECIAL = /[&<>"\r\n\t\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
const ATTR_SPECIALS = /[&<>"\r\n\t\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;

/** Escape text content. \r and control characters are written as character references. */
export function escapeText(s: string): string {
  return TEXT_SPECIAL.test(s) ? s.replace(TEXT_SPECIALS, escapeChar) : s;
}

/** Escape an attribute value (double-quoted). */
export function escapeAttr(s: string): string {
  return ATTR_SPECIAL.test(s) ? s.replace(ATTR_SPECIALS, escapeChar) : s;
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
