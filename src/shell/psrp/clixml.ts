// CLIXML, the serialisation PSRP messages carry [MS-PSRP 2.2.5], in Windows PowerShell's exact
// layout (psrp.md §4): `<Obj N=".." RefId="..">`, `<TN RefId>`/`<TNRef RefId />`, `<Nil />`,
// empty strings as `<S></S>`, empty collections self-closed, and PowerShell's `_xHHHH_` string
// escaping (§4.3). RefIds and TN RefIds restart at 0 in every message (a fresh serializer each).
import { attr, childElements, isElement, parseXml, textOf, type XmlElement } from '../../wsman/xml.js';

/** Primitive element names other than S, B, I32 and Nil, which map to JS values. */
export type PrimTag =
  | 'C'
  | 'DT'
  | 'TS'
  | 'By'
  | 'SB'
  | 'U16'
  | 'I16'
  | 'U32'
  | 'I64'
  | 'U64'
  | 'Sg'
  | 'Db'
  | 'D'
  | 'G'
  | 'URI'
  | 'Version'
  | 'SemanticVersion'
  | 'BA'
  | 'SBK'
  | 'SS'
  | 'XD';

const PRIM_TAGS: ReadonlySet<string> = new Set<PrimTag>(['C', 'DT', 'TS', 'By', 'SB', 'U16', 'I16', 'U32', 'I64', 'U64', 'Sg', 'Db', 'D', 'G', 'URI', 'Version', 'SemanticVersion', 'BA', 'SBK', 'SS', 'XD']);

/** A primitive kept with its CLIXML element name and text, so it round-trips unchanged. */
export class PsPrim {
  constructor(
    readonly tag: PrimTag,
    /** The element's text, unescaped (`5.1.14393.2248`, `0`, `2018-06-13T23:45:29.4583203+00:00`). */
    readonly text: string,
  ) {}
}

export type CollectionKind = 'LST' | 'IE' | 'STK' | 'QUE';

/**
 * A complex object [MS-PSRP 2.2.5.2]. `props` are adapted (.NET) properties (`<Props>`),
 * `members` extended/note properties (`<MS>`); both keep their order.
 */
export class PsObject {
  typeNames: readonly string[] | undefined;
  toStringText: string | undefined;
  /** The base value written inside the Obj (an enum's `<I32>`, an adapted object's inner Obj). */
  baseValue: PsValue | undefined;
  collection: { kind: CollectionKind; items: PsValue[] } | undefined;
  dict: Array<[PsValue, PsValue]> | undefined;
  readonly props = new Map<string, PsValue>();
  readonly members = new Map<string, PsValue>();

  constructor(init: {
    typeNames?: readonly string[];
    toStringText?: string;
    baseValue?: PsValue;
    list?: PsValue[];
    collectionKind?: CollectionKind;
    dict?: Array<[PsValue, PsValue]>;
    props?: Iterable<readonly [string, PsValue]>;
    members?: Iterable<readonly [string, PsValue]>;
  } = {}) {
    this.typeNames = init.typeNames;
    this.toStringText = init.toStringText;
    this.baseValue = init.baseValue;
    this.collection = init.list !== undefined ? { kind: init.collectionKind ?? 'LST', items: init.list } : undefined;
    this.dict = init.dict;
    for (const [k, v] of init.props ?? []) this.props.set(k, v);
    for (const [k, v] of init.members ?? []) this.members.set(k, v);
  }

  /** A property by name, case-insensitively, from MS then Props (PowerShell's lookup). */
  get(name: string): PsValue | undefined {
    for (const bag of [this.members, this.props]) {
      const exact = bag.get(name);
      if (exact !== undefined || bag.has(name)) return exact;
      const lower = name.toLowerCase();
      for (const [k, v] of bag) if (k.toLowerCase() === lower) return v;
    }
    return undefined;
  }

  has(name: string): boolean {
    const lower = name.toLowerCase();
    for (const bag of [this.members, this.props]) for (const k of bag.keys()) if (k.toLowerCase() === lower) return true;
    return false;
  }
}

/**
 * A deserialised or to-be-serialised value: null → Nil, string → S, boolean → B, number → I32
 * (or I64/Db when it does not fit), bigint → I64, PsPrim → its own tag, PsObject → Obj.
 */
export type PsValue = null | string | boolean | number | bigint | PsPrim | PsObject;

export class ClixmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClixmlError';
  }
}

// ---- helpers for building values ------------------------------------------------------------

export const i64 = (n: number | bigint): PsPrim => new PsPrim('I64', String(n));
export const version = (v: string): PsPrim => new PsPrim('Version', v);
export const guid = (g: string): PsPrim => new PsPrim('G', g.toLowerCase());
export const u32 = (n: number): PsPrim => new PsPrim('U32', String(n >>> 0));

/** System.Double as XmlConvert writes it (`1.5`, `1E+21`, `INF`, `NaN`). */
export function double(n: number): PsPrim {
  if (Number.isNaN(n)) return new PsPrim('Db', 'NaN');
  if (n === Infinity) return new PsPrim('Db', 'INF');
  if (n === -Infinity) return new PsPrim('Db', '-INF');
  return new PsPrim('Db', String(n).replace('e', 'E'));
}

/** `XmlConvert.ToString(dt, RoundtripKind)` for a UTC instant written as Local (+00:00), 7 digits max. */
export function dateTime(ms: number, extraTicks = 0): PsPrim {
  const d = new Date(ms);
  const base = d.toISOString().slice(0, 19);
  let frac = (String(d.getUTCMilliseconds()).padStart(3, '0') + String(extraTicks).padStart(4, '0')).replace(/0+$/, '');
  if (frac !== '') frac = '.' + frac;
  return new PsPrim('DT', `${base}${frac}+00:00`);
}

/** An enum value: `[EnumType, System.Enum, System.ValueType, System.Object]`, ToString and I32. */
export function enumValue(typeName: string, name: string, value: number): PsObject {
  return new PsObject({ typeNames: [typeName, 'System.Enum', 'System.ValueType', 'System.Object'], toStringText: name, baseValue: value });
}

/** A typeless property bag `<Obj><MS>…</MS></Obj>` (most PSRP message bodies). */
export function bag(members: Iterable<readonly [string, PsValue]>): PsObject {
  return new PsObject({ members });
}

export function list(items: PsValue[], typeNames: readonly string[] = ['System.Object[]', 'System.Array', 'System.Object']): PsObject {
  return new PsObject({ typeNames, list: items });
}

/** A number from any numeric CLIXML form; undefined for anything else. */
export function asNumber(v: PsValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof PsPrim && /^(?:By|SB|U16|I16|U32|I64|U64|Sg|Db|D)$/.test(v.tag)) {
    const n = Number(v.text);
    return Number.isNaN(n) ? undefined : n;
  }
  if (v instanceof PsObject && v.baseValue !== undefined) return asNumber(v.baseValue);
  return undefined;
}

export function asString(v: PsValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof PsPrim && v.tag !== 'SS' && v.tag !== 'BA') return v.text;
  return undefined;
}

export function asBool(v: PsValue | undefined): boolean | undefined {
  if (typeof v === 'boolean') return v;
  return undefined;
}

// ---- string escaping (psrp.md §4.3) ---------------------------------------------------------

function hex4(c: number): string {
  return `_x${c.toString(16).toUpperCase().padStart(4, '0')}_`;
}

/** PowerShell's EncodeString: control chars, surrogates and `_x` become `_xHHHH_`; then XML escaping. */
export function encodeString(s: string, attribute = false): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff)) out += hex4(c);
    else if (c === 0x5f && (s[i + 1] === 'x' || s[i + 1] === 'X')) out += '_x005F_';
    else if (c === 0x26) out += '&amp;';
    else if (c === 0x3c) out += '&lt;';
    else if (c === 0x3e) out += '&gt;';
    else if (c === 0x22 && attribute) out += '&quot;';
    else out += s[i];
  }
  return out;
}

/** Undo `_xHHHH_` escapes (any case), after XML unescaping. */
export function decodeString(s: string): string {
  if (!s.includes('_')) return s;
  return s.replace(/_[xX]([0-9A-Fa-f]{4})_/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

// ---- serialisation --------------------------------------------------------------------------

class Writer {
  private refIds = new Map<PsObject, number>();
  private tnIds = new Map<string, number>();
  out = '';

  value(v: PsValue, name?: string): void {
    const n = name !== undefined ? ` N="${encodeString(name, true)}"` : '';
    if (v === null) {
      this.out += `<Nil${n} />`;
    } else if (typeof v === 'string') {
      this.out += `<S${n}>${encodeString(v)}</S>`;
    } else if (typeof v === 'boolean') {
      this.out += `<B${n}>${v ? 'true' : 'false'}</B>`;
    } else if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) this.out += `<I32${n}>${v}</I32>`;
      else if (Number.isSafeInteger(v)) this.out += `<I64${n}>${v}</I64>`;
      else this.value(double(v), name);
    } else if (typeof v === 'bigint') {
      this.out += `<I64${n}>${v}</I64>`;
    } else if (v instanceof PsPrim) {
      this.out += `<${v.tag}${n}>${encodeString(v.text)}</${v.tag}>`;
    } else {
      this.object(v, n);
    }
  }

  private object(o: PsObject, n: string): void {
    const seen = this.refIds.get(o);
    if (seen !== undefined) {
      this.out += `<Ref${n} RefId="${seen}" />`;
      return;
    }
    const id = this.refIds.size;
    this.refIds.set(o, id);
    this.out += `<Obj${n} RefId="${id}">`;
    if (o.typeNames !== undefined) {
      const key = o.typeNames.join('\u0000');
      const tn = this.tnIds.get(key);
      if (tn !== undefined) this.out += `<TNRef RefId="${tn}" />`;
      else {
        const tid = this.tnIds.size;
        this.tnIds.set(key, tid);
        this.out += `<TN RefId="${tid}">${o.typeNames.map((t) => `<T>${encodeString(t)}</T>`).join('')}</TN>`;
      }
    }
    if (o.toStringText !== undefined) this.out += `<ToString>${encodeString(o.toStringText)}</ToString>`;
    if (o.baseValue !== undefined) this.value(o.baseValue);
    if (o.collection !== undefined) {
      const k = o.collection.kind;
      if (o.collection.items.length === 0) this.out += `<${k} />`;
      else {
        this.out += `<${k}>`;
        for (const item of o.collection.items) this.value(item);
        this.out += `</${k}>`;
      }
    }
    if (o.dict !== undefined) {
      if (o.dict.length === 0) this.out += '<DCT />';
      else {
        this.out += '<DCT>';
        for (const [k, v] of o.dict) {
          this.out += '<En>';
          this.value(k, 'Key');
          this.value(v, 'Value');
          this.out += '</En>';
        }
        this.out += '</DCT>';
      }
    }
    if (o.props.size > 0) {
      this.out += '<Props>';
      for (const [k, v] of o.props) this.value(v, k);
      this.out += '</Props>';
    }
    if (o.members.size > 0) {
      this.out += '<MS>';
      for (const [k, v] of o.members) this.value(v, k);
      this.out += '</MS>';
    }
    this.out += '</Obj>';
  }
}

/** Serialise one value as a PSRP message body (no `<Objs>` root, RefIds from 0). */
export function serialize(v: PsValue): string {
  const w = new Writer();
  w.value(v);
  return w.out;
}

// ---- deserialisation ------------------------------------------------------------------------

export interface DeserializeOptions {
  /**
   * Prefix type names with `Deserialized.` as PowerShell does for objects it receives
   * (pipeline input echoed back keeps the prefix, fixture test_psrp_with_input.yml).
   */
  readonly markDeserialized?: boolean;
}

class Reader {
  private objs = new Map<string, PsObject>();
  private tns = new Map<string, readonly string[]>();
  constructor(private readonly opts: DeserializeOptions) {}

  value(e: XmlElement): PsValue {
    const text = () => decodeString(textOf(e));
    switch (e.local) {
      case 'Nil':
        return null;
      case 'S':
        return text();
      case 'B': {
        const t = textOf(e).trim().toLowerCase();
        if (t === 'true' || t === '1') return true;
        if (t === 'false' || t === '0') return false;
        throw new ClixmlError(`<B> holds '${t}', not a boolean`);
      }
      case 'I32': {
        const n = Number(textOf(e).trim());
        if (!Number.isInteger(n)) throw new ClixmlError(`<I32> holds '${textOf(e)}', not an integer`);
        return n;
      }
      case 'Obj':
        return this.object(e);
      case 'Ref': {
        const id = attr(e, 'RefId', '') ?? '';
        const o = this.objs.get(id);
        if (!o) throw new ClixmlError(`<Ref RefId="${id}"> names no earlier object`);
        return o;
      }
      default:
        if (PRIM_TAGS.has(e.local)) return new PsPrim(e.local as PrimTag, text());
        // PR (legacy ProgressRecord) and anything unknown: keep the text.
        return new PsPrim('SBK', text());
    }
  }

  private typeNames(tn: XmlElement): readonly string[] {
    const names = childElements(tn)
      .filter((t) => t.local === 'T')
      .map((t) => decodeString(textOf(t)));
    if (!this.opts.markDeserialized) return names;
    return names.map((n) => (n.startsWith('Deserialized.') ? n : `Deserialized.${n}`));
  }

  private object(e: XmlElement): PsObject {
    const o = new PsObject();
    const id = attr(e, 'RefId', '');
    if (id !== undefined) this.objs.set(id, o);
    for (const c of e.children) {
      if (!isElement(c)) continue;
      switch (c.local) {
        case 'TN': {
          const names = this.typeNames(c);
          const tid = attr(c, 'RefId', '');
          if (tid !== undefined) this.tns.set(tid, names);
          o.typeNames = names;
          break;
        }
        case 'TNRef': {
          const tid = attr(c, 'RefId', '') ?? '';
          const names = this.tns.get(tid);
          if (!names) throw new ClixmlError(`<TNRef RefId="${tid}"> names no earlier <TN>`);
          o.typeNames = names;
          break;
        }
        case 'ToString':
          o.toStringText = decodeString(textOf(c));
          break;
        case 'LST':
        case 'IE':
        case 'STK':
        case 'QUE':
          o.collection = { kind: c.local, items: childElements(c).map((x) => this.value(x)) };
          break;
        case 'DCT': {
          o.dict = [];
          for (const en of childElements(c)) {
            if (en.local !== 'En') continue;
            let key: PsValue = null;
            let val: PsValue = null;
            for (const kv of childElements(en)) {
              const n = attr(kv, 'N', '');
              if (n === 'Key') key = this.value(kv);
              else if (n === 'Value') val = this.value(kv);
            }
            o.dict.push([key, val]);
          }
          break;
        }
        case 'Props':
        case 'MS': {
          const bagMap = c.local === 'Props' ? o.props : o.members;
          for (const p of childElements(c)) bagMap.set(decodeString(attr(p, 'N', '') ?? ''), this.value(p));
          break;
        }
        default:
          o.baseValue = this.value(c);
      }
    }
    return o;
  }
}

/** Parse one CLIXML element (a PSRP message body). A leading BOM and surrounding space are ignored. */
export function deserialize(xml: string, opts: DeserializeOptions = {}): PsValue {
  const text = xml.replace(/^\uFEFF/, '').trim();
  if (text === '') return null;
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (e) {
    throw new ClixmlError(`CLIXML is not well-formed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return new Reader(opts).value(root);
}

/** Deserialise a message body that must be an object (most control messages). */
export function deserializeObject(xml: string): PsObject {
  const v = deserialize(xml);
  if (!(v instanceof PsObject)) throw new ClixmlError('expected an <Obj> message body');
  return v;
}
