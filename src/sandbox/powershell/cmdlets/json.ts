// ConvertTo-Json and ConvertFrom-Json as Windows PowerShell 5.1 does them: objects serialised by
// JavaScriptSerializer (HTML-sensitive characters escaped as \u003c…, dates as "\/Date(ms)\/"),
// -Depth cut-off converting deeper objects to strings, then the 5.1 "prettifier" that indents by
// four spaces and aligns nested values after "key":  (two spaces) — ConvertToJsonCommand.cs.
import type { CmdletContext, CmdletDef } from '../runtime/command.js';
import { objectToString, toStr, customObjectString } from '../runtime/convert.js';
import { getMember } from '../runtime/members.js';
import { PSDateTime, PSEnum, PSErrorRecord, PSException, PSHashtable, PSObject, PSScriptBlock, PSTimeSpan, PSTypeRef, PSVersion, propertyValue, type PSValue } from '../runtime/values.js';
import { propertyNamesOf } from '../format/views.js';

const UTIL = 'Microsoft.PowerShell.Utility';

/** The serializer's intermediate form. */
type J = null | boolean | number | string | { date: number } | J[] | Map<string, J>;

function jsonEscape(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '<':
      case '>':
      case "'":
      case '&':
        out += `\\u${c.toString(16).padStart(4, '0')}`;
        break;
      default:
        if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
        else out += ch;
    }
  }
  return out + '"';
}

function serialize(v: J): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return '"NaN"';
    if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
    return String(v).replace('e+', 'E+').replace('e-', 'E-');
  }
  if (typeof v === 'string') return jsonEscape(v);
  if (Array.isArray(v)) return `[${v.map(serialize).join(',')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${jsonEscape(k)}:${serialize(x)}`).join(',')}}`;
  return `"\\/Date(${Math.round(v.date)})\\/"`;
}

/** 5.1's ConvertToPrettyJsonString: a character scanner over the compact JSON. */
function pretty(json: string): string {
  if (!json.startsWith('{') && !json.startsWith('[')) return json;
  let i = 1;
  let out = json[0] ?? '';
  const spaces = (n: number): string => ' '.repeat(n);
  const quoted = (start: number): number => {
    for (let k = start; k < json.length; k++) {
      out += json[k];
      if (json[k] === '"') {
        let j = k;
        let escaped = false;
        while (j > 0 && json[--j] === '\\') escaped = !escaped;
        if (!escaped) return k;
      }
    }
    return json.length;
  };
  const list = (index: number, pad: string, num: number): number => {
    out += '\r\n';
    const newPad = pad + spaces(num) + spaces(4);
    let head = true;
    for (let k = index; k < json.length; k++) {
      const c = json[k] ?? '';
      switch (c) {
        case '{':
          out += newPad + c;
          k = dict(k + 1, newPad, 0);
          head = false;
          break;
        case '[':
          out += newPad + c;
          k = list(k + 1, newPad, 0);
          head = false;
          break;
        case ']':
          out += '\r\n' + pad + spaces(num) + c;
          return k;
        case '"':
          if (head) out += newPad;
          out += c;
          k = quoted(k + 1);
          head = false;
          break;
        case ',':
          out += c + '\r\n';
          head = true;
          break;
        default:
          if (head) out += newPad;
          out += c;
          head = false;
      }
    }
    return json.length;
  };
  const dict = (index: number, pad: string, num: number): number => {
    out += '\r\n';
    const newPad = pad + spaces(num) + spaces(4);
    let head = true;
    let beforeQuote = true;
    let newSpaceCount = 0;
    for (let k = index; k < json.length; k++) {
      const c = json[k] ?? '';
      switch (c) {
        case '{':
          out += c;
          k = dict(k + 1, newPad, newSpaceCount);
          head = false;
          break;
        case '[':
          out += c;
          k = list(k + 1, newPad, newSpaceCount);
          head = false;
          break;
        case '}':
          out += '\r\n' + pad + spaces(num) + c;
          return k;
        case '"': {
          if (head) out += newPad;
          out += c;
          const end = quoted(k + 1);
          if (beforeQuote) newSpaceCount += end - k + 1;
          k = end;
          head = false;
          break;
        }
        case ':':
          out += c + '  ';
          newSpaceCount += 3;
          head = false;
          beforeQuote = false;
          break;
        case ',':
          out += c + '\r\n';
          head = true;
          beforeQuote = true;
          newSpaceCount = 0;
          break;
        default:
          if (head) out += newPad;
          out += c;
          if (beforeQuote) newSpaceCount += 1;
          head = false;
      }
    }
    return json.length;
  };
  if (out === '{') dict(i, '', 0);
  else list(i, '', 0);
  void i;
  i = 0;
  return out;
}

/** ProcessValue of ConvertToJsonCommand. */
function processValue(v: PSValue, depth: number, maxDepth: number, c: CmdletContext): J {
  c.engine.step();
  if (v === null) return null;
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (v instanceof PSDateTime) return { date: v.ms };
  if (v instanceof PSEnum) return v.value >= 0 ? v.value : v.name;
  if (depth > maxDepth) {
    if (v instanceof PSObject && v.isCustom) return customObjectString(v);
    if (Array.isArray(v)) return v.map((x) => toStr(x)).join(' ');
    return objectToString(v);
  }
  if (v instanceof PSHashtable) {
    const m = new Map<string, J>();
    for (const [k, x] of v.entries()) {
      if (typeof k !== 'string') {
        c.terminate({
          message: `The type '${v.typeName}' is not supported for serialization or deserialization of a dictionary. Keys must be strings.`,
          errorId: 'NonStringKeyInDictionary',
          category: 'InvalidOperation',
          target: v,
          exceptionType: 'System.InvalidOperationException',
        });
      }
      m.set(k, processValue(x, depth + 1, maxDepth, c));
    }
    return m;
  }
  if (Array.isArray(v)) return v.map((x) => processValue(x, depth + 1, maxDepth, c));
  if (v instanceof PSObject) {
    const m = new Map<string, J>();
    for (const p of v.properties(true)) {
      let pv: PSValue;
      try {
        pv = propertyValue(p);
      } catch {
        pv = null;
      }
      if (pv instanceof PSScriptBlock) continue;
      if (!m.has(p.name)) m.set(p.name, processValue(pv, depth + 1, maxDepth, c));
    }
    return m;
  }
  if (v instanceof PSScriptBlock) return v.text;
  if (v instanceof PSTimeSpan || v instanceof PSVersion || v instanceof PSErrorRecord || v instanceof PSException || v instanceof PSTypeRef) {
    const m = new Map<string, J>();
    for (const n of v instanceof PSException ? ['Message', 'Data', 'InnerException', 'TargetSite', 'StackTrace', 'HelpLink', 'Source', 'HResult'] : propertyNamesOf(v)) {
      const x = getMember(v, n);
      m.set(n, processValue(x ?? null, depth + 1, maxDepth, c));
    }
    return m;
  }
  return objectToString(v);
}

export const convertToJson: CmdletDef = {
  name: 'ConvertTo-Json',
  implementingType: 'Microsoft.PowerShell.Commands.ConvertToJsonCommand',
  module: UTIL,
  params: [
    { name: 'InputObject', type: 'object', position: 0, pipeline: 'value', mandatory: true },
    { name: 'Depth', type: 'int' },
    { name: 'Compress', type: 'switch' },
  ],
  begin: async (c) => {
    const depth = c.has('Depth') ? Number(c.get('Depth')) : 2;
    if (depth > 100) {
      c.terminate({ message: 'The maximum depth allowed for serialization is 100.', errorId: 'ReachedMaximumDepthAllowed', category: 'InvalidOperation', exceptionType: 'System.InvalidOperationException' });
    }
    if (depth < 1) {
      c.terminate({ message: "Cannot validate argument on parameter 'Depth'. The 0 argument is less than the minimum allowed range of 1. Supply an argument that is greater than or equal to 1 and then try the command again.", errorId: 'ParameterArgumentValidationError', category: 'InvalidData', exceptionType: 'System.Management.Automation.ParameterBindingValidationException' });
    }
    (c as CmdletContext & { _items?: PSValue[] })._items = [];
  },
  process: async (c, input) => {
    const v = input !== undefined ? input : (c.get('InputObject') ?? null);
    if (v !== null) (c as CmdletContext & { _items?: PSValue[] })._items?.push(v);
  },
  end: async (c) => {
    const items = (c as CmdletContext & { _items?: PSValue[] })._items ?? [];
    if (items.length === 0) return;
    const obj = items.length > 1 ? items : (items[0] ?? null);
    const depth = c.has('Depth') ? Number(c.get('Depth')) : 2;
    const json = serialize(processValue(obj, 0, depth, c));
    c.engine.limits.checkString(json.length);
    await c.write(c.switch('Compress') ? json : pretty(json));
  },
};

// ---- ConvertFrom-Json -------------------------------------------------------------------------------

class JsonParseError extends Error {}

function parseJson(text: string): PSValue {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  };
  const primitiveError = (): never => {
    let j = i;
    while (j < text.length && !/[\s,:\]}]/.test(text[j] ?? '')) j++;
    throw new JsonParseError(`Invalid JSON primitive: ${text.slice(i, j)}.`);
  };
  let depth = 0;
  const value = (): PSValue => {
    ws();
    const c = text[i] ?? '';
    if (c === '{') {
      if (++depth > 100) throw new JsonParseError('RecursionLimit exceeded.');
      i++;
      const o = new PSObject();
      ws();
      if (text[i] === '}') {
        i++;
        depth--;
        return o;
      }
      for (;;) {
        ws();
        if (text[i] !== '"' && text[i] !== "'") throw new JsonParseError(`Invalid object passed in, member name expected. (${i}): ${text}`);
        const k = str();
        ws();
        if (text[i] !== ':') throw new JsonParseError(`Invalid object passed in, ':' or '}' expected. (${i}): ${text}`);
        i++;
        const v = value();
        if (o.property(k) !== undefined) o.removeProperty(k);
        o.setNote(k, v);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          break;
        }
        throw new JsonParseError(`Invalid object passed in, ':' or '}' expected. (${i}): ${text}`);
      }
      depth--;
      return o;
    }
    if (c === '[') {
      if (++depth > 100) throw new JsonParseError('RecursionLimit exceeded.');
      i++;
      const arr: PSValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        depth--;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          break;
        }
        throw new JsonParseError(`Invalid array passed in, ',' expected. (${i}): ${text}`);
      }
      depth--;
      return arr;
    }
    if (c === '"' || c === "'") {
      const s = str();
      const m = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(s);
      if (m !== null) return new PSDateTime(Number(m[1]), 'Utc');
      return s;
    }
    const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i));
    if (m !== null && m[0] !== '-') {
      i += m[0].length;
      return Number(m[0]);
    }
    for (const [lit, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return v;
      }
    }
    return primitiveError();
  };
  const str = (): string => {
    const q = text[i];
    i++;
    let s = '';
    for (;;) {
      if (i >= text.length) throw new JsonParseError(`Invalid string passed in, '"' expected. (${i}): ${text}`);
      const c = text[i] ?? '';
      if (c === q) {
        i++;
        return s;
      }
      if (c === '\\') {
        const e = text[i + 1] ?? '';
        i += 2;
        switch (e) {
          case 'n':
            s += '\n';
            break;
          case 'r':
            s += '\r';
            break;
          case 't':
            s += '\t';
            break;
          case 'b':
            s += '\b';
            break;
          case 'f':
            s += '\f';
            break;
          case 'u':
            s += String.fromCharCode(parseInt(text.slice(i, i + 4), 16));
            i += 4;
            break;
          default:
            s += e;
        }
        continue;
      }
      s += c;
      i++;
    }
  };
  const v = value();
  ws();
  if (i < text.length) primitiveError();
  return v;
}

export const convertFromJson: CmdletDef = {
  name: 'ConvertFrom-Json',
  implementingType: 'Microsoft.PowerShell.Commands.ConvertFromJsonCommand',
  module: UTIL,
  params: [{ name: 'InputObject', type: 'string', position: 0, pipeline: 'value', mandatory: true }],
  begin: async (c) => {
    (c as CmdletContext & { _items?: string[] })._items = [];
  },
  process: async (c, input) => {
    const v = input !== undefined ? toStr(input) : (c.str('InputObject') ?? '');
    (c as CmdletContext & { _items?: string[] })._items?.push(v);
  },
  end: async (c) => {
    const items = (c as CmdletContext & { _items?: string[] })._items ?? [];
    if (items.length === 0) return;
    const one = async (text: string): Promise<boolean> => {
      c.engine.limits.checkString(text.length);
      let v: PSValue;
      try {
        v = parseJson(text);
      } catch (e) {
        if (e instanceof JsonParseError) {
          throw e;
        }
        throw e;
      }
      await c.write(v);
      return true;
    };
    const fail = (e: JsonParseError): never =>
      c.terminate({ message: e.message, errorId: 'System.ArgumentException', category: 'NotSpecified', exceptionType: 'System.ArgumentException' });
    if (items.length === 1) {
      try {
        await one(items[0] ?? '');
      } catch (e) {
        if (e instanceof JsonParseError) fail(e);
        throw e;
      }
      return;
    }
    let ok = false;
    try {
      ok = await one(items[0] ?? '');
    } catch (e) {
      if (!(e instanceof JsonParseError)) throw e;
    }
    try {
      if (ok) for (const t of items.slice(1)) await one(t);
      else await one(items.join('\r\n'));
    } catch (e) {
      if (e instanceof JsonParseError) fail(e);
      throw e;
    }
  },
};

export const JSON_CMDLETS: CmdletDef[] = [convertToJson, convertFromJson];
