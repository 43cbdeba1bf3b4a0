// PowerShell's operators (about_Operators, about_Comparison_Operators, about_Arithmetic_Operators):
// the left operand decides the conversion, comparisons are case-insensitive unless `-c…`, and
// with a collection on the left, comparison operators filter it.
import { compositeFormat, FormatError, formatDate, formatNumber, dateParts, IndexFormatError, formatTimeSpan } from './dotnet-format.js';
import { Msg, runtimeError } from './errors.js';
import { displayString, isEnumerable, parseNumber, toBool, toNumber, toStr, typeNameOf } from './convert.js';
import { convertTo, isOfType, requireType } from './types.js';
import { PSDateTime, PSEnum, PSHashtable, PSObject, PSTimeSpan, PSTypeRef, PSVersion, type PSValue } from './values.js';

// ---- regex and wildcard -------------------------------------------------------------------

const regexCache = new Map<string, RegExp>();

/** A .NET regular expression as a JavaScript RegExp (inline (?i) and \A \z \Z supported). */
export function toRegExp(pattern: string, caseSensitive: boolean, global = false): RegExp {
  const key = `${caseSensitive ? 'c' : 'i'}${global ? 'g' : ''}:${pattern}`;
  const cached = regexCache.get(key);
  if (cached !== undefined) {
    cached.lastIndex = 0;
    return cached;
  }
  let p = pattern;
  let flags = caseSensitive ? '' : 'i';
  const inline = /^\(\?([imsx]+)\)/.exec(p);
  if (inline !== null) {
    const f = inline[1] ?? '';
    if (f.includes('i') && !flags.includes('i')) flags += 'i';
    if (f.includes('m')) flags += 'm';
    if (f.includes('s')) flags += 's';
    p = p.slice(inline[0].length);
  }
  p = p.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$').replace(/\(\?<([A-Za-z_]\w*)>/g, '(?<$1>').replace(/\\p\{Lu\}/g, '\\p{Lu}');
  if (global) flags += 'g';
  let re: RegExp;
  try {
    re = new RegExp(p, flags + 'u');
  } catch {
    try {
      re = new RegExp(p, flags);
    } catch (e) {
      throw runtimeError({
        message: `The regular expression pattern ${pattern} is not valid.`,
        errorId: 'InvalidRegularExpression',
        category: 'InvalidOperation',
        target: pattern,
        exceptionType: 'System.Management.Automation.RuntimeException',
      });
      void e;
    }
  }
  if (regexCache.size > 500) regexCache.clear();
  regexCache.set(key, re);
  return re;
}

/** A PowerShell wildcard (`*`, `?`, `[a-z]`, backtick escape) as an anchored RegExp. */
export function wildcardToRegExp(pattern: string, caseSensitive = false): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '`' && i + 1 < pattern.length) {
      re += escapeRegex(pattern[i + 1] ?? '');
      i++;
    } else if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        const body = pattern.slice(i + 1, close).replace(/\\/g, '\\\\').replace(/\^/g, '\\^');
        re += `[${body}]`;
        i = close;
      }
    } else re += escapeRegex(c);
  }
  re += '$';
  try {
    return new RegExp(re, caseSensitive ? 's' : 'is');
  } catch {
    return new RegExp(`^${escapeRegex(pattern)}$`, caseSensitive ? '' : 'i');
  }
}

export function hasWildcard(s: string): boolean {
  return /[*?[]/.test(s);
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** .NET replacement syntax ($1, ${name}, $0, $$) to JavaScript's. */
function toJsReplacement(r: string): string {
  return r.replace(/\$(\$|\{(\w+)\}|(\d+)|&|_|`|')/g, (m, all: string, name: string | undefined, num: string | undefined) => {
    if (all === '$') return '$$';
    if (name !== undefined) return /^\d+$/.test(name) ? `$${name}` : `$<${name}>`;
    if (num !== undefined) return num === '0' ? '$&' : `$${num}`;
    return m;
  });
}

// ---- comparison ------------------------------------------------------------------------------

/** Compare two scalars; returns <0, 0, >0, or undefined when not comparable. */
export function compareValues(a: PSValue, b: PSValue, caseSensitive: boolean): number | undefined {
  if (a === null && b === null) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' || typeof a === 'boolean' || a instanceof PSEnum) {
    const x = typeof a === 'boolean' ? (a ? 1 : 0) : a instanceof PSEnum ? a.value : a;
    let y: number | undefined;
    if (b instanceof PSEnum) y = b.value;
    else if (typeof b === 'string' && a instanceof PSEnum) {
      const bs = b.toLowerCase();
      if (a.name.toLowerCase() === bs) return 0;
      return a.name.toLowerCase() < bs ? -1 : 1;
    } else {
      try {
        y = typeof b === 'string' ? parseNumber(b) : toNumber(b);
      } catch {
        y = undefined;
      }
    }
    if (y === undefined) return undefined;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string') {
    const bs = toStr(b);
    if (caseSensitive) return a === bs ? 0 : a.localeCompare(bs, 'en-US', { sensitivity: 'variant' }) || (a < bs ? -1 : 1);
    const r = a.localeCompare(bs, 'en-US', { sensitivity: 'accent' });
    return r;
  }
  if (a instanceof PSDateTime) {
    let bd: PSValue = b;
    if (!(b instanceof PSDateTime)) {
      try {
        bd = convertTo(b, requireType('datetime'));
      } catch {
        return undefined;
      }
    }
    const x = a.ms;
    const y = (bd as PSDateTime).ms;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a instanceof PSTimeSpan && b instanceof PSTimeSpan) return a.ms < b.ms ? -1 : a.ms > b.ms ? 1 : 0;
  if (a instanceof PSVersion) {
    const bv = b instanceof PSVersion ? b : PSVersion.parse(toStr(b));
    if (bv === undefined) return undefined;
    const pa = [a.major, a.minor, a.build, a.revision];
    const pb = [bv.major, bv.minor, bv.build, bv.revision];
    for (let i = 0; i < 4; i++) {
      const d = (pa[i] ?? -1) - (pb[i] ?? -1);
      if (d !== 0) return d < 0 ? -1 : 1;
    }
    return 0;
  }
  return undefined;
}

/** -eq between two scalars (left decides). */
export function equalsValues(a: PSValue, b: PSValue, caseSensitive: boolean): boolean {
  if (a === null) return b === null;
  if (b === null) return false;
  if (typeof a === 'string') {
    const bs = typeof b === 'string' ? b : toStr(b);
    return caseSensitive ? a === bs : a.toLowerCase() === bs.toLowerCase() || a.localeCompare(bs, 'en-US', { sensitivity: 'accent' }) === 0;
  }
  if (typeof a === 'number' || typeof a === 'boolean' || a instanceof PSEnum || a instanceof PSDateTime || a instanceof PSVersion || a instanceof PSTimeSpan) {
    if (typeof a === 'boolean') return a === toBool(b);
    return compareValues(a, b, caseSensitive) === 0;
  }
  // reference types: identity (PSCustomObject, hashtables…)
  return a === b;
}

export type ComparisonOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'like' | 'notlike' | 'match' | 'notmatch';

function scalarCompare(op: ComparisonOp, a: PSValue, b: PSValue, cs: boolean, setMatches?: (m: PSHashtable | undefined) => void): boolean {
  switch (op) {
    case 'eq':
      return equalsValues(a, b, cs);
    case 'ne':
      return !equalsValues(a, b, cs);
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le': {
      const c = compareValues(a, b, cs);
      if (c === undefined) {
        if (a !== null && typeof a === 'object' && !(a instanceof PSDateTime)) {
          throw runtimeError({
            message: `Cannot compare "${toStr(a)}" because it is not IComparable.`,
            errorId: 'NotIcomparable',
            category: 'InvalidOperation',
            exceptionType: 'System.Management.Automation.RuntimeException',
          });
        }
        return false;
      }
      return op === 'gt' ? c > 0 : op === 'ge' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
    }
    case 'like':
    case 'notlike': {
      const r = wildcardToRegExp(toStr(b), cs).test(toStr(a));
      return op === 'like' ? r : !r;
    }
    case 'match':
    case 'notmatch': {
      const re = toRegExp(toStr(b), cs);
      const m = re.exec(toStr(a));
      if (m !== null && setMatches !== undefined) setMatches(matchesTable(m, toStr(b)));
      return op === 'match' ? m !== null : m === null;
    }
    default:
      return false;
  }
}

/** The capture groups of a pattern in order: undefined for unnamed, the name for named ones. */
function groupLayout(pattern: string): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      continue;
    }
    if (c !== '(') continue;
    if (pattern[i + 1] !== '?') {
      out.push(undefined);
      continue;
    }
    const m = /^\(\?(?:<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')/.exec(pattern.slice(i));
    if (m !== null) out.push(m[1] ?? m[2]);
  }
  return out;
}

/** `$matches` for a successful -match: unnamed groups numbered first, then named ones (.NET). */
export function matchesTable(m: RegExpExecArray, pattern: string): PSHashtable {
  const h = new PSHashtable();
  const layout = groupLayout(pattern);
  const named: [string, string][] = [];
  const numbered: [number, string][] = [];
  let n = 0;
  for (let i = 1; i < m.length; i++) {
    const v = m[i];
    const name = layout[i - 1];
    if (name === undefined) n++;
    if (v === undefined) continue;
    if (name !== undefined) named.push([name, v]);
    else numbered.push([n, v]);
  }
  // Windows PowerShell lists $matches in hash order: names, then numbers from the highest down
  for (const [k, v] of named) h.set(k, v);
  for (let i = numbered.length - 1; i >= 0; i--) {
    const e = numbered[i];
    if (e !== undefined) h.set(e[0], e[1]);
  }
  h.set(0, m[0]);
  return h;
}

/** A comparison operator, with collection filtering when the left side is an array. */
export function comparison(op: ComparisonOp, left: PSValue, right: PSValue, cs: boolean, setMatches?: (m: PSHashtable | undefined) => void): PSValue {
  if (isEnumerable(left)) {
    const out: PSValue[] = [];
    for (const x of left) if (scalarCompare(op, x, right, cs)) out.push(x);
    return out;
  }
  return scalarCompare(op, left, right, cs, setMatches);
}

export function containsOp(collection: PSValue, item: PSValue, cs: boolean): boolean {
  const items = isEnumerable(collection) ? collection : [collection];
  return items.some((x) => equalsValues(x, item, cs));
}

// ---- arithmetic ------------------------------------------------------------------------------

function opError(op: string, v: PSValue): never {
  throw runtimeError({
    message: Msg.MethodNotFound(typeNameOf(v), op),
    errorId: 'MethodNotFound',
    category: 'InvalidOperation',
    exceptionType: 'System.Management.Automation.RuntimeException',
  });
}

function numericOperand(v: PSValue, op: string): number {
  if (v instanceof PSObject || v instanceof PSHashtable) opError(op, v);
  return toNumber(v, 'System.Int32');
}

export function add(a: PSValue, b: PSValue, limits: Limits): PSValue {
  if (a === null) {
    if (b === null) return null;
    return Array.isArray(b) ? [...b] : b;
  }
  if (Array.isArray(a)) {
    const out = [...a, ...(Array.isArray(b) ? b : [b])];
    limits.checkArray(out.length);
    return out;
  }
  if (typeof a === 'string') {
    const s = a + toStr(b);
    limits.checkString(s.length);
    return s;
  }
  if (a instanceof PSHashtable) {
    if (!(b instanceof PSHashtable)) {
      throw runtimeError({ message: 'A hash table can only be added to another hash table.', errorId: 'AddHashTableToNonHashTable', category: 'InvalidOperation' });
    }
    const h = a.clone();
    for (const [k, v] of b.entries()) {
      if (h.has(k)) {
        throw runtimeError({
          message: `Item has already been added. Key in dictionary: '${toStr(k)}'  Key being added: '${toStr(k)}'`,
          errorId: 'ArgumentException',
          category: 'NotSpecified',
          exceptionType: 'System.ArgumentException',
        });
      }
      h.set(k, v);
    }
    return h;
  }
  if (a instanceof PSDateTime) {
    if (b instanceof PSTimeSpan) return new PSDateTime(a.ms + b.ms, a.kind);
    return new PSDateTime(a.ms + toNumber(b) / 10000, a.kind);
  }
  if (a instanceof PSTimeSpan) {
    if (b instanceof PSTimeSpan) return new PSTimeSpan(a.ms + b.ms);
    if (b instanceof PSDateTime) return new PSDateTime(b.ms + a.ms, b.kind);
    opError('op_Addition', a);
  }
  return numericOperand(a, 'op_Addition') + (b instanceof PSDateTime ? opError('op_Addition', a) : numericRight(b));
}

function numericRight(b: PSValue): number {
  if (Array.isArray(b) && b.length !== 1) {
    throw runtimeError({
      message: Msg.ConvertToNoReason(toStr(b), typeNameOf(b), 'System.Int32'),
      errorId: 'ConvertToFinalInvalidCastException',
      category: 'InvalidArgument',
      exceptionType: 'System.Management.Automation.PSInvalidCastException',
    });
  }
  return toNumber(b);
}

export function subtract(a: PSValue, b: PSValue): PSValue {
  if (a instanceof PSDateTime) {
    if (b instanceof PSDateTime) return new PSTimeSpan(a.ms - b.ms);
    if (b instanceof PSTimeSpan) return new PSDateTime(a.ms - b.ms, a.kind);
    opError('op_Subtraction', a);
  }
  if (a instanceof PSTimeSpan && b instanceof PSTimeSpan) return new PSTimeSpan(a.ms - b.ms);
  if (Array.isArray(a) || typeof a === 'string' && parseNumber(a) === undefined) opError('op_Subtraction', a);
  return numericOperand(a, 'op_Subtraction') - numericRight(b);
}

export function multiply(a: PSValue, b: PSValue, limits: Limits): PSValue {
  if (typeof a === 'string') {
    const n = Math.trunc(toNumber(b));
    if (n < 0) return '';
    limits.checkString(a.length * n);
    return a.repeat(n);
  }
  if (Array.isArray(a)) {
    const n = Math.trunc(toNumber(b));
    limits.checkArray(a.length * Math.max(0, n));
    const out: PSValue[] = [];
    for (let i = 0; i < n; i++) out.push(...a);
    return out;
  }
  return numericOperand(a, 'op_Multiply') * numericRight(b);
}

function divideByZero(): never {
  throw runtimeError({ message: Msg.DivideByZero, errorId: 'RuntimeException', category: 'NotSpecified', exceptionType: 'System.Management.Automation.RuntimeException' });
}

export function divide(a: PSValue, b: PSValue): PSValue {
  if (a instanceof PSTimeSpan) return new PSTimeSpan(a.ms / toNumber(b));
  const x = numericOperand(a, 'op_Division');
  const y = numericRight(b);
  if (y === 0) {
    if (Number.isInteger(x) && Number.isInteger(y)) divideByZero();
    return x === 0 ? NaN : x > 0 ? Infinity : -Infinity;
  }
  return x / y;
}

export function remainder(a: PSValue, b: PSValue): PSValue {
  const x = numericOperand(a, 'op_Modulus');
  const y = numericRight(b);
  if (y === 0 && Number.isInteger(x)) divideByZero();
  return x % y;
}

function toBig(n: number): bigint {
  return BigInt(Math.trunc(n));
}
function fromBig(b: bigint, wide: boolean): number {
  if (!wide) return Number(BigInt.asIntN(32, b));
  return Number(BigInt.asIntN(64, b));
}

export function bitwise(op: '-band' | '-bor' | '-bxor' | '-shl' | '-shr', a: PSValue, b: PSValue): PSValue {
  const x = a instanceof PSEnum ? a.value : toNumber(a);
  const y = b instanceof PSEnum ? b.value : toNumber(b);
  const wide = Math.abs(x) > 2147483647 || Math.abs(y) > 2147483647;
  const bx = toBig(x);
  const by = toBig(y);
  switch (op) {
    case '-band':
      return fromBig(bx & by, wide);
    case '-bor':
      return fromBig(bx | by, wide);
    case '-bxor':
      return fromBig(bx ^ by, wide);
    case '-shl':
      return fromBig(bx << (by & (wide ? 63n : 31n)), wide);
    case '-shr':
      return fromBig(bx >> (by & (wide ? 63n : 31n)), wide);
  }
}

/** Bounds on values the evaluator may build (string length, array length). */
export interface Limits {
  checkString(len: number): void;
  checkArray(len: number): void;
}

export function range(a: PSValue, b: PSValue, limits: Limits): PSValue[] {
  const from = Math.trunc(toNumber(a));
  const to = Math.trunc(toNumber(b));
  const n = Math.abs(to - from) + 1;
  limits.checkArray(n);
  const out: PSValue[] = new Array<PSValue>(n);
  const step = from <= to ? 1 : -1;
  for (let i = 0; i < n; i++) out[i] = from + i * step;
  return out;
}

// ---- string operators --------------------------------------------------------------------------

export function replaceOp(input: PSValue, args: PSValue, cs: boolean): PSValue {
  const list = Array.isArray(args) ? args : [args];
  const pattern = toStr(list[0] ?? null);
  const replacement = list.length > 1 ? toStr(list[1] ?? null) : '';
  const re = toRegExp(pattern, cs, true);
  const one = (s: PSValue): string => toStr(s).replace(re, toJsReplacement(replacement));
  if (isEnumerable(input)) return input.map(one);
  return one(input);
}

export function splitOp(input: PSValue, args: PSValue | undefined, cs: boolean): PSValue[] {
  const items = isEnumerable(input) ? input : [input];
  const out: PSValue[] = [];
  for (const item of items) {
    const s = toStr(item);
    if (args === undefined) {
      // unary -split: on whitespace, dropping empty entries
      for (const part of s.trim().split(/\s+/)) if (part !== '') out.push(part);
      continue;
    }
    const list = Array.isArray(args) ? args : [args];
    const sep = list[0] ?? ' ';
    const max = list.length > 1 ? Math.trunc(toNumber(list[1] ?? 0)) : 0;
    const options = list.length > 2 ? toStr(list[2] ?? '').toLowerCase() : '';
    const simple = options.includes('simplematch');
    const caseSens = cs || options.includes('ignorecase') === false && false;
    const pattern = simple ? escapeRegex(toStr(sep)) : toStr(sep);
    const re = toRegExp(pattern, options.includes('ignorecase') ? false : caseSens || cs, true);
    const parts: string[] = [];
    let last = 0;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    let guard = 0;
    while ((m = re.exec(s)) !== null) {
      if (++guard > s.length + 2) break;
      if (max > 0 && parts.length >= max - 1) break;
      if (m[0] === '' ) {
        if (m.index >= s.length) break;
        if (m.index === last && m.index === 0) {
          re.lastIndex++;
          continue;
        }
      }
      parts.push(s.slice(last, m.index));
      for (let g = 1; g < m.length; g++) if (m[g] !== undefined) parts.push(m[g] ?? '');
      last = m.index + m[0].length;
      if (m[0] === '') re.lastIndex++;
    }
    parts.push(s.slice(last));
    out.push(...parts);
  }
  return out;
}

export function joinOp(input: PSValue, sep: PSValue | undefined): string {
  const items = isEnumerable(input) ? input : [input];
  return items.map((x) => toStr(x)).join(sep === undefined ? '' : toStr(sep));
}

/** The -f operator. */
export function formatOp(format: PSValue, args: PSValue): string {
  const list = isEnumerable(args) ? args : [args];
  try {
    return compositeFormat(toStr(format), list, (arg, f) => formatArgument(arg as PSValue, f));
  } catch (e) {
    if (e instanceof IndexFormatError || e instanceof FormatError) {
      throw runtimeError({
        message: `Error formatting a string: ${e.message}.`.replace('..', '.'),
        errorId: 'FormatError',
        category: 'InvalidOperation',
        target: format,
        exceptionType: 'System.Management.Automation.RuntimeException',
      });
    }
    throw e;
  }
}

/** One argument of a composite format. */
export function formatArgument(arg: PSValue, f: string | undefined): string {
  if (arg === null) return '';
  if (typeof arg === 'number') return f === undefined ? displayString(arg) : formatNumber(arg, f);
  if (arg instanceof PSDateTime) return formatDate(dateParts(arg.ms, arg.kind, arg.extraTicks), f);
  if (arg instanceof PSTimeSpan) return formatTimeSpan(arg.ms);
  if (arg instanceof PSEnum && f !== undefined && /^[dx]$/i.test(f)) return formatNumber(arg.value, f);
  if (Array.isArray(arg)) return typeNameOf(arg);
  return displayString(arg);
}

// ---- type operators ----------------------------------------------------------------------------

export function isOp(v: PSValue, t: PSValue): boolean {
  const type = t instanceof PSTypeRef ? t : requireType(toStr(t));
  return isOfType(v, type);
}

export function asOp(v: PSValue, t: PSValue): PSValue {
  const type = t instanceof PSTypeRef ? t : requireType(toStr(t));
  try {
    return convertTo(v, type);
  } catch {
    return null;
  }
}
