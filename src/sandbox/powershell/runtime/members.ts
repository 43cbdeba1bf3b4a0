// Member access and method calls on values: the common .NET members of strings, arrays,
// hashtables, dates, versions, error records, plus PowerShell's intrinsic members (Count and
// Length on anything, member enumeration on collections, .Where() / .ForEach(), .PSObject).
import { positionMessage } from '../language/position.js';
import { formatDate, dateParts, formatNumber, formatTimeSpan } from './dotnet-format.js';
import { Msg, runtimeError, type PSRuntimeError } from './errors.js';
import { displayString, objectToString, toBool, toNumber, toStr, typeNameOf, typeNamesOf, customObjectString } from './convert.js';
import { equalsValues, compareValues, toRegExp } from './operators.js';
import type { RuntimeServices } from './services.js';
import { convertTo, resolveType } from './types.js';
import {
  listTypeName,
  PSDateTime,
  PSEnum,
  PSErrorRecord,
  PSException,
  PSHashtable,
  PSObject,
  PSRegexMatch,
  PSScriptBlock,
  PSTimeSpan,
  PSTypeRef,
  PSVersion,
  propertyValue,
  type PSValue,
} from './values.js';

/** Marker for "the method returned void": no output at statement level. */
export const VOID = undefined;

function methodNotFound(v: PSValue, name: string): never {
  throw runtimeError({
    message: Msg.MethodNotFound(typeNameOf(v), name),
    errorId: 'MethodNotFound',
    category: 'InvalidOperation',
    exceptionType: 'System.Management.Automation.RuntimeException',
  });
}

export function overloadError(name: string, count: number): never {
  throw runtimeError({
    message: `Cannot find an overload for "${name}" and the argument count: "${count}".`,
    errorId: 'MethodCountCouldNotFindBest',
    category: 'NotSpecified',
    exceptionType: 'System.Management.Automation.MethodException',
  });
}

/** `Exception calling "X" with "N" argument(s): "msg"` (MethodInvocationException). */
export function methodException(name: string, count: number, inner: string, errorId = 'ArgumentOutOfRangeException'): PSRuntimeError {
  return runtimeError({
    message: `Exception calling "${name}" with "${count}" argument(s): "${inner}"`,
    errorId,
    category: 'NotSpecified',
    exceptionType: 'System.Management.Automation.MethodInvocationException',
  });
}

export function enumValue(typeName: string, names: readonly string[], value: number | string): PSEnum {
  if (typeof value === 'string') {
    const i = names.findIndex((n) => n.toLowerCase() === value.toLowerCase());
    return new PSEnum(typeName, names[i] ?? value, i);
  }
  return new PSEnum(typeName, names[value] ?? String(value), value);
}

const DAY_OF_WEEK = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A DictionaryEntry (what enumerating a hashtable yields). */
export function dictionaryEntry(key: PSValue, value: PSValue): PSObject {
  const o = new PSObject(['System.Collections.DictionaryEntry', 'System.ValueType', 'System.Object']);
  o.addProperty({ name: 'Name', kind: 'AliasProperty', getter: () => key, hidden: true });
  o.addProperty({ name: 'Key', kind: 'Property', value: key });
  o.addProperty({ name: 'Value', kind: 'Property', value });
  o.toStringFn = () => 'System.Collections.DictionaryEntry';
  return o;
}

/** The `PSObject` intrinsic member: Properties, TypeNames, BaseObject. */
function psobjectView(v: PSValue): PSObject {
  const o = new PSObject(['System.Management.Automation.PSObject', 'System.Object']);
  const props: PSValue[] = [];
  if (v instanceof PSObject) {
    for (const p of v.properties()) {
      const po = new PSObject(['System.Management.Automation.PSNoteProperty', 'System.Management.Automation.PSPropertyInfo', 'System.Object']);
      po.addProperty({ name: 'Value', kind: 'Property', getter: () => propertyValue(p), setter: (x) => (p.value = x) });
      po.addProperty({ name: 'MemberType', kind: 'Property', value: new PSEnum('System.Management.Automation.PSMemberTypes', p.kind, 0) });
      po.addProperty({ name: 'IsSettable', kind: 'Property', value: p.setter !== undefined || p.kind === 'NoteProperty' });
      po.addProperty({ name: 'IsGettable', kind: 'Property', value: true });
      po.addProperty({ name: 'TypeNameOfValue', kind: 'Property', getter: () => typeNameOf(propertyValue(p)) });
      po.addProperty({ name: 'Name', kind: 'Property', value: p.name });
      po.addProperty({ name: 'IsInstance', kind: 'Property', value: true });
      po.toStringFn = () => `${p.kind === 'NoteProperty' ? 'System.Object' : 'System.Object'} ${p.name}=${toStr(propertyValue(p))}`;
      props.push(po);
    }
  }
  o.addProperty({ name: 'Properties', kind: 'Property', value: props });
  o.addProperty({ name: 'TypeNames', kind: 'Property', getter: () => [...typeNamesOf(v)] });
  o.addProperty({ name: 'BaseObject', kind: 'Property', value: v });
  o.addProperty({ name: 'ImmediateBaseObject', kind: 'Property', value: v });
  o.toStringFn = () => toStr(v);
  return o;
}

/** The object behind ErrorRecord.CategoryInfo. */
export function categoryInfo(r: PSErrorRecord): PSObject {
  const o = new PSObject(['System.Management.Automation.ErrorCategoryInfo', 'System.Object']);
  o.addProperty({ name: 'Category', kind: 'Property', value: new PSEnum('System.Management.Automation.ErrorCategory', r.category, 0) });
  o.addProperty({ name: 'Activity', kind: 'Property', getter: () => r.activity });
  o.addProperty({ name: 'Reason', kind: 'Property', getter: () => categoryReason(r) });
  o.addProperty({ name: 'TargetName', kind: 'Property', getter: () => categoryTargetName(r) });
  o.addProperty({ name: 'TargetType', kind: 'Property', getter: () => categoryTargetType(r) });
  o.toStringFn = () => categoryMessage(r);
  o.addMethod('GetMessage', () => categoryMessage(r));
  return o;
}

export function categoryReason(r: PSErrorRecord): string {
  return r.categoryReason ?? r.exception.shortTypeName;
}
export function categoryTargetName(r: PSErrorRecord): string {
  if (r.categoryTargetName !== undefined) return r.categoryTargetName;
  return r.targetObject === null ? '' : objectToString(r.targetObject);
}
export function categoryTargetType(r: PSErrorRecord): string {
  if (r.categoryTargetType !== undefined) return r.categoryTargetType;
  if (r.targetObject === null) return '';
  const n = typeNameOf(r.targetObject);
  const i = n.lastIndexOf('.');
  return i >= 0 ? n.slice(i + 1) : n;
}

function ellipsize(s: string): string {
  if (s.length <= 40) return s;
  return `${s.slice(0, 15)}...${s.slice(-15)}`;
}

/** ErrorCategoryInfo.GetMessage(): `Category: (TargetName:TargetType) [Activity], Reason`. */
export function categoryMessage(r: PSErrorRecord): string {
  const reason = r.categoryReason !== undefined ? ellipsize(r.categoryReason) : r.exception.shortTypeName;
  return `${r.category}: (${ellipsize(categoryTargetName(r))}:${ellipsize(categoryTargetType(r))}) [${ellipsize(r.activity)}], ${reason}`;
}

function invocationInfo(r: PSErrorRecord): PSValue {
  const inv = r.invocation;
  if (inv === undefined) return null;
  const o = new PSObject(['System.Management.Automation.InvocationInfo', 'System.Object']);
  const cmd = inv.command;
  let cmdObj: PSValue = null;
  if (cmd !== undefined) {
    const c = new PSObject([cmd.type === 'Cmdlet' ? 'System.Management.Automation.CmdletInfo' : 'System.Management.Automation.CommandInfo', 'System.Object']);
    c.setNote('Name', cmd.name);
    c.setNote('CommandType', new PSEnum('System.Management.Automation.CommandTypes', cmd.type, 0));
    c.toStringFn = () => cmd.name;
    cmdObj = c;
  }
  o.setNote('MyCommand', cmdObj);
  let line = 0;
  let col = 0;
  let lineText = '';
  const positioned = inv.extent !== undefined && inv.source !== undefined && inv.source.positioned(inv.extent);
  if (positioned && inv.extent !== undefined && inv.source !== undefined) {
    const p = inv.source.position(inv.extent.start);
    line = p.line;
    col = p.column;
    lineText = inv.source.lineTextAt(inv.extent.start) + '\r\n';
  }
  o.setNote('BoundParameters', new PSHashtable());
  o.setNote('UnboundArguments', []);
  o.setNote('ScriptLineNumber', line);
  o.setNote('OffsetInLine', col);
  o.setNote('HistoryId', 1);
  o.setNote('ScriptName', '');
  o.setNote('Line', lineText);
  o.setNote('PositionMessage', positioned && inv.extent !== undefined && inv.source !== undefined ? positionMessage(inv.source, inv.extent).replace(/\r?\n/g, '\r\n') : '');
  o.setNote('PSScriptRoot', '');
  o.setNote('PSCommandPath', null);
  o.setNote('InvocationName', inv.invocationName ?? '');
  o.setNote('PipelineLength', 0);
  o.setNote('PipelinePosition', 0);
  o.setNote('ExpectingInput', false);
  o.setNote('CommandOrigin', new PSEnum('System.Management.Automation.CommandOrigin', 'Internal', 1));
  return o;
}

function exceptionMember(ex: PSException, name: string): PSValue | undefined {
  switch (name.toLowerCase()) {
    case 'message':
      return ex.message;
    case 'innerexception':
      return ex.inner ?? null;
    case 'stacktrace':
      return null;
    case 'source':
      return null;
    case 'hresult':
      return -2146233087;
    case 'data':
      return new PSHashtable();
    case 'helplink':
      return null;
    case 'targetsite':
      return null;
    case 'wasthrownfromthrowstatement':
      return ex.thrownObject !== undefined;
    default:
      return undefined;
  }
}

function errorRecordMember(r: PSErrorRecord, name: string): PSValue | undefined {
  switch (name.toLowerCase()) {
    case 'exception':
      return r.exception;
    case 'targetobject':
      return r.targetObject;
    case 'categoryinfo':
      return categoryInfo(r);
    case 'fullyqualifiederrorid':
      return r.fullyQualifiedErrorId;
    case 'errordetails': {
      if (r.errorDetails === undefined) return null;
      const d = new PSObject(['System.Management.Automation.ErrorDetails', 'System.Object']);
      d.setNote('Message', r.errorDetails);
      d.setNote('RecommendedAction', null);
      d.toStringFn = () => r.errorDetails ?? '';
      return d;
    }
    case 'invocationinfo':
      return invocationInfo(r);
    case 'scriptstacktrace':
      return 'at <ScriptBlock>, <No file>: line 1';
    case 'pipelineiterationinfo':
      return [];
    case 'psmessagedetails':
      return r.messageDetails ?? null;
    default:
      return undefined;
  }
}

function dateMember(d: PSDateTime, name: string): PSValue | undefined {
  const p = dateParts(d.ms, d.kind, d.extraTicks);
  switch (name.toLowerCase()) {
    case 'year':
      return p.year;
    case 'month':
      return p.month;
    case 'day':
      return p.day;
    case 'hour':
      return p.hour;
    case 'minute':
      return p.minute;
    case 'second':
      return p.second;
    case 'millisecond':
      return p.ms;
    case 'dayofweek':
      return new PSEnum('System.DayOfWeek', DAY_OF_WEEK[p.dayOfWeek] ?? '', p.dayOfWeek);
    case 'dayofyear': {
      const start = Date.UTC(p.year, 0, 1);
      return Math.floor((d.ms - start) / 86400000) + 1;
    }
    case 'date':
      return new PSDateTime(d.ms - (((d.ms % 86400000) + 86400000) % 86400000), d.kind);
    case 'timeofday':
      return new PSTimeSpan(((d.ms % 86400000) + 86400000) % 86400000);
    case 'ticks':
      return d.ticks;
    case 'kind':
      return enumValue('System.DateTimeKind', ['Unspecified', 'Utc', 'Local'], d.kind);
    case 'datetime':
      return formatDate(p, 'dddd, MMMM d, yyyy h:mm:ss tt');
    case 'displayhint':
      return enumValue('Microsoft.PowerShell.Commands.DisplayHintType', ['Date', 'Time', 'DateTime'], 2);
    default:
      return undefined;
  }
}

function timeSpanMember(t: PSTimeSpan, name: string): PSValue | undefined {
  const ms = t.ms;
  const sign = ms < 0 ? -1 : 1;
  const a = Math.abs(ms);
  switch (name.toLowerCase()) {
    case 'days':
      return sign * Math.floor(a / 86400000);
    case 'hours':
      return sign * Math.floor((a % 86400000) / 3600000);
    case 'minutes':
      return sign * Math.floor((a % 3600000) / 60000);
    case 'seconds':
      return sign * Math.floor((a % 60000) / 1000);
    case 'milliseconds':
      return sign * Math.floor(a % 1000);
    case 'ticks':
      return Math.round(ms * 10000);
    case 'totaldays':
      return ms / 86400000;
    case 'totalhours':
      return ms / 3600000;
    case 'totalminutes':
      return ms / 60000;
    case 'totalseconds':
      return ms / 1000;
    case 'totalmilliseconds':
      return ms;
    default:
      return undefined;
  }
}

function typeMember(t: PSTypeRef, name: string): PSValue | undefined {
  switch (name.toLowerCase()) {
    case 'name':
      return t.name;
    case 'fullname':
      return t.fullName;
    case 'namespace': {
      const i = t.fullName.lastIndexOf('.');
      return i >= 0 ? t.fullName.slice(0, i) : '';
    }
    case 'basetype': {
      const names = baseTypeOf(t.fullName);
      return names === undefined ? null : new PSTypeRef(names);
    }
    case 'isarray':
      return t.fullName.endsWith('[]');
    case 'ispublic':
      return true;
    case 'isserializable':
    case 'isserial':
      return true;
    case 'isvaluetype':
      return ['System.Int32', 'System.Int64', 'System.Double', 'System.Boolean', 'System.DateTime', 'System.TimeSpan', 'System.Char', 'System.Decimal'].includes(t.fullName);
    case 'assemblyqualifiedname':
      return `${t.fullName}, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089`;
    default:
      return undefined;
  }
}

export function baseTypeOf(full: string): string | undefined {
  if (full === 'System.Object') return undefined;
  if (full.endsWith('[]')) return 'System.Array';
  if (['System.Int32', 'System.Int64', 'System.Double', 'System.Boolean', 'System.DateTime', 'System.TimeSpan', 'System.Char', 'System.Decimal', 'System.Byte', 'System.Guid'].includes(full)) return 'System.ValueType';
  if (full.endsWith('Exception') && full !== 'System.Exception') return 'System.SystemException';
  return 'System.Object';
}

function regexMatchObject(m: PSRegexMatch | null): PSObject {
  const o = new PSObject(['System.Text.RegularExpressions.Match', 'System.Text.RegularExpressions.Group', 'System.Text.RegularExpressions.Capture', 'System.Object']);
  const groups: PSValue[] = [];
  if (m !== null) {
    m.groups.forEach((g, i) => {
      const go = new PSObject(['System.Text.RegularExpressions.Group', 'System.Object']);
      go.setNote('Groups', null);
      go.setNote('Success', g !== undefined);
      go.setNote('Name', String(i));
      go.setNote('Captures', []);
      go.setNote('Index', 0);
      go.setNote('Length', g?.length ?? 0);
      go.setNote('Value', g ?? '');
      go.toStringFn = () => g ?? '';
      groups.push(go);
    });
    for (const [k, g] of Object.entries(m.named)) {
      const go = new PSObject(['System.Text.RegularExpressions.Group', 'System.Object']);
      go.setNote('Success', g !== undefined);
      go.setNote('Name', k);
      go.setNote('Value', g ?? '');
      go.toStringFn = () => g ?? '';
      groups.push(go);
    }
  }
  o.setNote('Groups', groups);
  o.setNote('Success', m !== null);
  o.setNote('Name', '0');
  o.setNote('Captures', []);
  o.setNote('Index', m?.index ?? 0);
  o.setNote('Length', m?.value.length ?? 0);
  o.setNote('Value', m?.value ?? '');
  o.toStringFn = () => m?.value ?? '';
  return o;
}

export function regexMatchesOf(input: string, pattern: string, caseSensitive = true, all = true): PSObject[] {
  const re = toRegExp(pattern, caseSensitive, true);
  const out: PSObject[] = [];
  let m: RegExpExecArray | null;
  let guard = 0;
  while ((m = re.exec(input)) !== null) {
    if (++guard > input.length + 1) break;
    out.push(regexMatchObject(new PSRegexMatch(m[0], m.index, [...m].map((x) => x), { ...(m.groups ?? {}) })));
    if (m[0] === '') re.lastIndex++;
    if (!all) break;
  }
  return out;
}

export function regexMatchObjectOrEmpty(input: string, pattern: string, caseSensitive = true): PSObject {
  return regexMatchesOf(input, pattern, caseSensitive, false)[0] ?? regexMatchObject(null);
}

/**
 * A property as cmdlets and the formatter see it (no intrinsic Count / Length on scalars, which
 * only the language adds).
 */
export function getProperty(v: PSValue, name: string): PSValue | undefined {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return undefined;
  if (v instanceof PSObject) {
    const p = v.property(name);
    return p === undefined ? undefined : propertyValue(p);
  }
  return getMember(v, name);
}

/**
 * Read a member. Returns undefined when the member does not exist (PowerShell then yields $null
 * outside strict mode).
 */
export function getMember(v: PSValue, name: string): PSValue | undefined {
  const lower = name.toLowerCase();
  if (v === null) {
    if (lower === 'count' || lower === 'length') return 0;
    return undefined;
  }
  if (lower === 'psobject') return psobjectView(v);
  if (typeof v === 'string') {
    if (lower === 'length') return v.length;
    if (lower === 'count') return 1;
    return undefined;
  }
  if (typeof v === 'number' || typeof v === 'boolean') {
    if (lower === 'count' || lower === 'length') return 1;
    return undefined;
  }
  if (Array.isArray(v)) {
    if (lower === 'count' || lower === 'length' || lower === 'longlength') return v.length;
    if (lower === 'rank') return 1;
    if (lower === 'issynchronized' || lower === 'isreadonly') return false;
    if (lower === 'isfixedsize') return listTypeName(v) === undefined;
    if (lower === 'syncroot') return v;
    if (lower === 'capacity' && listTypeName(v) !== undefined) return Math.max(4, v.length);
    // member enumeration
    const out: PSValue[] = [];
    let found = false;
    for (const item of v) {
      if (item === null) continue;
      const m = getMember(item, name);
      if (m === undefined) continue;
      found = true;
      if (Array.isArray(m)) out.push(...m);
      else out.push(m);
    }
    if (!found) return undefined;
    return out.length === 1 ? (out[0] ?? null) : out;
  }
  if (v instanceof PSHashtable) {
    if (v.has(name)) return v.get(name) ?? null;
    switch (lower) {
      case 'count':
        return v.size;
      case 'keys':
        return v.keys();
      case 'values':
        return v.values();
      case 'issynchronized':
      case 'isreadonly':
      case 'isfixedsize':
        return false;
      case 'syncroot':
        return v;
      default:
        return undefined;
    }
  }
  if (v instanceof PSObject) {
    const p = v.property(name);
    if (p !== undefined) return propertyValue(p);
    if (lower === 'count' || lower === 'length') return 1;
    return undefined;
  }
  if (v instanceof PSDateTime) return dateMember(v, name);
  if (v instanceof PSTimeSpan) return timeSpanMember(v, name);
  if (v instanceof PSVersion) {
    switch (lower) {
      case 'major':
        return v.major;
      case 'minor':
        return v.minor;
      case 'build':
        return v.build;
      case 'revision':
        return v.revision;
      case 'majorrevision':
        return v.revision < 0 ? -1 : v.revision >> 16;
      case 'minorrevision':
        return v.revision < 0 ? -1 : v.revision & 0xffff;
      default:
        return undefined;
    }
  }
  if (v instanceof PSEnum) {
    if (lower === 'value__') return v.value;
    return undefined;
  }
  if (v instanceof PSErrorRecord) return errorRecordMember(v, name);
  if (v instanceof PSException) {
    if (lower === 'errorrecord') return null;
    return exceptionMember(v, name);
  }
  if (v instanceof PSTypeRef) return typeMember(v, name);
  if (v instanceof PSScriptBlock) {
    switch (lower) {
      case 'ast':
        return null;
      case 'file':
        return null;
      case 'isfilter':
        return false;
      case 'module':
        return null;
      case 'startposition':
        return null;
      default:
        return undefined;
    }
  }
  if (v instanceof PSRegexMatch) return getMember(regexMatchObject(v), name);
  return undefined;
}

/** Assign a member (`$o.Name = 1`). */
export function setMember(v: PSValue, name: string, value: PSValue): void {
  if (v instanceof PSHashtable) {
    v.set(name, value);
    return;
  }
  if (v instanceof PSObject) {
    const p = v.property(name);
    if (p !== undefined) {
      if (p.setter !== undefined) {
        p.setter(value);
        return;
      }
      if (p.kind === 'NoteProperty') {
        p.value = value;
        return;
      }
      throw runtimeError({
        message: `'${p.name}' is a ReadOnly property.`,
        errorId: 'PropertyAssignmentException',
        category: 'InvalidOperation',
        exceptionType: 'System.Management.Automation.SetValueInvocationException',
      });
    }
  }
  if (Array.isArray(v)) {
    // assignment to a member of each element
    for (const item of v) setMember(item, name, value);
    return;
  }
  throw runtimeError({
    message: Msg.PropertyNotFound(name),
    errorId: 'PropertyNotFound',
    category: 'InvalidOperation',
    exceptionType: 'System.Management.Automation.RuntimeException',
  });
}

// ---- methods ----------------------------------------------------------------------------------

function argStr(args: readonly PSValue[], i: number): string {
  return toStr(args[i] ?? null);
}
function argNum(args: readonly PSValue[], i: number): number {
  return toNumber(args[i] ?? null);
}

function comparisonIgnoresCase(c: PSValue | undefined): boolean {
  if (c === undefined) return false;
  if (typeof c === 'boolean') return c;
  const s = c instanceof PSEnum ? c.name : toStr(c);
  return /ignorecase/i.test(s) || s === '1' || s === '3' || s === '5';
}

function charSet(args: readonly PSValue[]): Set<string> {
  const set = new Set<string>();
  for (const a of args) {
    if (Array.isArray(a)) for (const x of a) for (const ch of toStr(x)) set.add(ch);
    else for (const ch of toStr(a)) set.add(ch);
  }
  return set;
}

function trimChars(s: string, chars: Set<string> | undefined, start: boolean, end: boolean): string {
  const isTrim = (c: string): boolean => (chars === undefined ? /\s/.test(c) : chars.has(c));
  let i = 0;
  let j = s.length;
  if (start) while (i < j && isTrim(s[i] ?? '')) i++;
  if (end) while (j > i && isTrim(s[j - 1] ?? '')) j--;
  return s.slice(i, j);
}

function stringSplit(s: string, args: readonly PSValue[]): string[] {
  if (args.length === 0) return s.split(/[\s]/);
  const first = args[0] ?? null;
  let removeEmpty = false;
  let max = Infinity;
  for (const a of args.slice(1)) {
    if (typeof a === 'number') max = a;
    else if (/removeemptyentries/i.test(toStr(a)) || (a instanceof PSEnum && a.value === 1)) removeEmpty = true;
  }
  // Split(string[], StringSplitOptions) and Split(string[], int, StringSplitOptions): only these take strings (a bare array splits on its characters).
  const hasOptions = args.length > 1 && typeof args[args.length - 1] !== 'number';
  const useStrings = Array.isArray(first) && hasOptions && first.some((x) => toStr(x).length > 1);
  const seps = useStrings ? (first as PSValue[]).map((x) => toStr(x)).filter((x) => x !== '') : [...charSet([first])];
  // Separator positions, left to right; at one position the first separator listed wins (.NET's MakeSeparatorList).
  const found: [number, number][] = [];
  for (let i = 0; i < s.length; ) {
    const sep = seps.find((x) => s.startsWith(x, i));
    if (sep === undefined) i++;
    else {
      found.push([i, sep.length]);
      i += sep.length;
    }
  }
  // .NET's SplitInternal / SplitOmitEmptyEntries: at most `max` parts, the last one the rest of the string.
  const parts: string[] = [];
  if (max <= 1 || found.length === 0) {
    if (max !== 0 && !(removeEmpty && s === '')) parts.push(s);
    return parts;
  }
  let cur = 0;
  for (let k = 0; k < found.length && cur < s.length + 1; k++) {
    const [at, len] = found[k]!;
    if (!removeEmpty || at - cur > 0) parts.push(s.slice(cur, at));
    cur = at + len;
    if (parts.length === max - 1) {
      // with RemoveEmptyEntries, separators right after the last split are skipped
      while (removeEmpty && k < found.length - 1 && found[k + 1]![0] === cur) cur += found[++k]![1];
      break;
    }
  }
  if (!removeEmpty || cur < s.length) parts.push(s.slice(cur));
  return parts;
}

async function stringMethod(s: string, name: string, args: PSValue[]): Promise<PSValue | undefined> {
  const n = args.length;
  switch (name.toLowerCase()) {
    case 'toupper':
    case 'toupperinvariant':
      return s.toUpperCase();
    case 'tolower':
    case 'tolowerinvariant':
      return s.toLowerCase();
    case 'trim':
      return trimChars(s, n > 0 ? charSet(args) : undefined, true, true);
    case 'trimstart':
      return trimChars(s, n > 0 ? charSet(args) : undefined, true, false);
    case 'trimend':
      return trimChars(s, n > 0 ? charSet(args) : undefined, false, true);
    case 'split':
      return stringSplit(s, args);
    case 'replace': {
      if (n !== 2) overloadError('Replace', n);
      const old = argStr(args, 0);
      if (old === '') throw methodException('Replace', 2, 'String cannot be of zero length.\r\nParameter name: oldValue', 'ArgumentException');
      return s.split(old).join(argStr(args, 1));
    }
    case 'contains':
      if (n !== 1) overloadError('Contains', n);
      return s.includes(argStr(args, 0));
    case 'startswith':
    case 'endswith': {
      if (n < 1) overloadError(name, n);
      const ic = comparisonIgnoresCase(args[1]);
      const a = ic ? s.toLowerCase() : s;
      const b = ic ? argStr(args, 0).toLowerCase() : argStr(args, 0);
      return name.toLowerCase() === 'startswith' ? a.startsWith(b) : a.endsWith(b);
    }
    case 'indexof':
    case 'lastindexof': {
      if (n < 1) overloadError(name, n);
      const needle = argStr(args, 0);
      const last = name.toLowerCase() === 'lastindexof';
      let ic = false;
      let start: number | undefined;
      for (const a of args.slice(1)) {
        if (typeof a === 'number') start ??= a;
        else ic = comparisonIgnoresCase(a);
      }
      const hay = ic ? s.toLowerCase() : s;
      const nd = ic ? needle.toLowerCase() : needle;
      if (last) return start !== undefined ? hay.lastIndexOf(nd, start) : hay.lastIndexOf(nd);
      if (start !== undefined && (start < 0 || start > s.length)) throw methodException('IndexOf', n, 'Index was out of range. Must be non-negative and less than the size of the collection.\r\nParameter name: startIndex');
      return hay.indexOf(nd, start ?? 0);
    }
    case 'indexofany': {
      const chars = charSet([args[0] ?? null]);
      for (let i = 0; i < s.length; i++) if (chars.has(s[i] ?? '')) return i;
      return -1;
    }
    case 'substring': {
      if (n < 1 || n > 2) overloadError('Substring', n);
      const start = argNum(args, 0);
      if (start < 0 || start > s.length) throw methodException('Substring', n, 'startIndex cannot be larger than length of string.\r\nParameter name: startIndex');
      if (n === 1) return s.slice(start);
      const len = argNum(args, 1);
      if (len < 0 || start + len > s.length) throw methodException('Substring', n, 'Index and length must refer to a location within the string.\r\nParameter name: length');
      return s.substr(start, len);
    }
    case 'remove': {
      const start = argNum(args, 0);
      if (start < 0 || start > s.length) throw methodException('Remove', n, 'startIndex must be less than length of string.\r\nParameter name: startIndex');
      if (n === 1) return s.slice(0, start);
      return s.slice(0, start) + s.slice(start + argNum(args, 1));
    }
    case 'insert': {
      const i = argNum(args, 0);
      return s.slice(0, i) + argStr(args, 1) + s.slice(i);
    }
    case 'padleft':
      return s.padStart(argNum(args, 0), n > 1 ? argStr(args, 1) || ' ' : ' ');
    case 'padright':
      return s.padEnd(argNum(args, 0), n > 1 ? argStr(args, 1) || ' ' : ' ');
    case 'tochararray':
      return [...s];
    case 'equals':
      return comparisonIgnoresCase(args[1]) ? s.toLowerCase() === argStr(args, 0).toLowerCase() : s === argStr(args, 0);
    case 'compareto': {
      const c = compareValues(s, args[0] ?? null, true) ?? 0;
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case 'tostring':
      return s;
    case 'gethashcode': {
      let h = 0;
      for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
      return h;
    }
    case 'normalize':
      return s.normalize();
    case 'clone':
      return s;
    case 'chars':
      return s[argNum(args, 0)] ?? null;
    default:
      return methodNotFound(s, name);
  }
}

async function arrayMethod(a: PSValue[], name: string, args: PSValue[], svc: RuntimeServices): Promise<PSValue | undefined> {
  const isList = listTypeName(a) !== undefined;
  const n = args.length;
  const fixed = (): never => {
    throw methodException(name, n, 'Collection was of a fixed size.', 'NotSupportedException');
  };
  switch (name.toLowerCase()) {
    case 'contains':
      return a.some((x) => equalsValues(x, args[0] ?? null, true));
    case 'indexof':
      return a.findIndex((x) => equalsValues(x, args[0] ?? null, true));
    case 'add':
      if (!isList) fixed();
      svc.limits.checkArray(a.length + 1);
      a.push(args[0] ?? null);
      return listTypeName(a) === 'System.Collections.ArrayList' ? a.length - 1 : VOID;
    case 'addrange': {
      if (!isList) fixed();
      const items = args[0] ?? null;
      const add = Array.isArray(items) ? items : [items];
      svc.limits.checkArray(a.length + add.length);
      a.push(...add);
      return VOID;
    }
    case 'remove': {
      if (!isList) fixed();
      const i = a.findIndex((x) => equalsValues(x, args[0] ?? null, true));
      if (i >= 0) a.splice(i, 1);
      return listTypeName(a) === 'System.Collections.ArrayList' ? VOID : i >= 0;
    }
    case 'removeat':
      if (!isList) fixed();
      a.splice(argNum(args, 0), 1);
      return VOID;
    case 'insert':
      if (!isList) fixed();
      a.splice(argNum(args, 0), 0, args[1] ?? null);
      return VOID;
    case 'clear':
      if (!isList) {
        a.fill(null);
        return VOID;
      }
      a.length = 0;
      return VOID;
    case 'toarray':
    case 'clone':
      return [...a];
    case 'getvalue':
      return a[argNum(args, 0)] ?? null;
    case 'setvalue':
      a[argNum(args, 1)] = args[0] ?? null;
      return VOID;
    case 'reverse':
      if (isList) {
        a.reverse();
        return VOID;
      }
      break;
    case 'sort':
      if (isList) {
        a.sort((x, y) => compareValues(x, y, false) ?? 0);
        return VOID;
      }
      break;
    case 'where': {
      const sb = args[0];
      if (!(sb instanceof PSScriptBlock)) overloadError('Where', n);
      const mode = n > 1 ? argStr(args, 1).toLowerCase() : 'default';
      const limit = n > 2 ? argNum(args, 2) : 0;
      const out: PSValue[] = [];
      let seenFalse = false;
      for (const item of a) {
        svc.step();
        const r = toBool(await first(svc.invokeScriptBlock(sb, item, [])));
        if (mode === 'first' && r) {
          out.push(item);
          if (limit === 0 || out.length >= limit) break;
          continue;
        }
        if (mode === 'last') {
          if (r) out.push(item);
          continue;
        }
        if (mode === 'skipuntil') {
          if (r) seenFalse = true;
          if (seenFalse) out.push(item);
          continue;
        }
        if (mode === 'until') {
          if (r) break;
          out.push(item);
          continue;
        }
        if (mode === 'split') {
          continue;
        }
        if (r) {
          out.push(item);
          if (limit > 0 && out.length >= limit) break;
        }
      }
      if (mode === 'last' && limit > 0) return out.slice(-limit);
      if (mode === 'last') return out.slice(-1);
      return out;
    }
    case 'foreach': {
      const f = args[0] ?? null;
      const out: PSValue[] = [];
      for (const item of a) {
        svc.step();
        if (f instanceof PSScriptBlock) out.push(...(await svc.invokeScriptBlock(f, item, args.slice(1))));
        else if (f instanceof PSTypeRef) out.push(convertTo(item, f));
        else {
          const member = toStr(f);
          if (n > 1) {
            const r = await invokeMethod(item, member, args.slice(1), svc);
            if (r !== undefined) out.push(r);
          } else {
            const m = getMember(item, member);
            if (m !== undefined) out.push(m);
          }
        }
      }
      return out;
    }
    case 'getenumerator':
      return [...a];
    case 'copyto':
      return VOID;
    default:
      break;
  }
  // method invocation on each element (PowerShell 3+ member enumeration)
  if (a.length > 0) {
    const out: PSValue[] = [];
    for (const item of a) {
      const r = await invokeMethod(item, name, args, svc);
      if (r !== undefined) out.push(r);
    }
    return out;
  }
  return methodNotFound(a, name);
}

async function first(p: Promise<PSValue[]>): Promise<PSValue> {
  const r = await p;
  if (r.length === 0) return null;
  return r.length === 1 ? (r[0] ?? null) : r;
}

function hashtableMethod(h: PSHashtable, name: string, args: PSValue[]): PSValue | undefined {
  const n = args.length;
  switch (name.toLowerCase()) {
    case 'containskey':
    case 'contains':
      return h.has(args[0] ?? null);
    case 'containsvalue':
      return h.values().some((x) => equalsValues(x, args[0] ?? null, true));
    case 'add': {
      if (n !== 2) overloadError('Add', n);
      const k = args[0] ?? null;
      if (k === null) throw methodException('Add', 2, 'Key cannot be null.\r\nParameter name: key', 'ArgumentNullException');
      if (h.has(k)) throw methodException('Add', 2, `Item has already been added. Key in dictionary: '${toStr(k)}'  Key being added: '${toStr(k)}'`, 'ArgumentException');
      h.set(k, args[1] ?? null);
      return VOID;
    }
    case 'remove':
      h.delete(args[0] ?? null);
      return VOID;
    case 'clear':
      h.clear();
      return VOID;
    case 'clone':
      return h.clone();
    case 'getenumerator':
      return h.entries().map(([k, v]) => dictionaryEntry(k, v));
    case 'item':
      return h.get(args[0] ?? null) ?? null;
    case 'get_item':
      return h.get(args[0] ?? null) ?? null;
    case 'set_item':
      h.set(args[0] ?? null, args[1] ?? null);
      return VOID;
    case 'tostring':
      return h.typeName;
    default:
      return methodNotFound(h, name);
  }
}

function dateMethod(d: PSDateTime, name: string, args: PSValue[]): PSValue | undefined {
  const add = (ms: number): PSDateTime => new PSDateTime(d.ms + ms, d.kind);
  switch (name.toLowerCase()) {
    case 'adddays':
      return add(argNum(args, 0) * 86400000);
    case 'addhours':
      return add(argNum(args, 0) * 3600000);
    case 'addminutes':
      return add(argNum(args, 0) * 60000);
    case 'addseconds':
      return add(argNum(args, 0) * 1000);
    case 'addmilliseconds':
      return add(argNum(args, 0));
    case 'addticks':
      return add(argNum(args, 0) / 10000);
    case 'add':
      return args[0] instanceof PSTimeSpan ? add(args[0].ms) : add(0);
    case 'addmonths':
    case 'addyears': {
      const months = argNum(args, 0) * (name.toLowerCase() === 'addyears' ? 12 : 1);
      const dt = new Date(d.ms);
      const day = dt.getUTCDate();
      dt.setUTCDate(1);
      dt.setUTCMonth(dt.getUTCMonth() + months);
      const dim = new Date(Date.UTC(dt.getUTCFullYear(), dt.getUTCMonth() + 1, 0)).getUTCDate();
      dt.setUTCDate(Math.min(day, dim));
      return new PSDateTime(dt.getTime(), d.kind);
    }
    case 'subtract': {
      const o = args[0] ?? null;
      if (o instanceof PSDateTime) return new PSTimeSpan(d.ms - o.ms);
      if (o instanceof PSTimeSpan) return add(-o.ms);
      return overloadError('Subtract', args.length);
    }
    case 'tostring':
      return formatDate(dateParts(d.ms, d.kind, d.extraTicks), args.length > 0 ? argStr(args, 0) : 'G');
    case 'toshortdatestring':
      return formatDate(dateParts(d.ms, d.kind), 'd');
    case 'tolongdatestring':
      return formatDate(dateParts(d.ms, d.kind), 'D');
    case 'toshorttimestring':
      return formatDate(dateParts(d.ms, d.kind), 't');
    case 'tolongtimestring':
      return formatDate(dateParts(d.ms, d.kind), 'T');
    case 'touniversaltime':
      return new PSDateTime(d.ms, 'Utc', d.extraTicks);
    case 'tolocaltime':
      return new PSDateTime(d.ms, 'Local', d.extraTicks);
    case 'tofiletime':
    case 'tofiletimeutc':
      return d.ticks - 504911232000000000;
    case 'compareto': {
      const c = compareValues(d, args[0] ?? null, false) ?? 0;
      return c;
    }
    case 'equals':
      return equalsValues(d, args[0] ?? null, false);
    case 'isdaylightsavingtime':
      return false;
    case 'getdatetimeformats':
      return [formatDate(dateParts(d.ms, d.kind), 'd')];
    default:
      return methodNotFound(d, name);
  }
}

/** Call a method. Returns undefined for void methods (no output). */
export async function invokeMethod(v: PSValue, name: string, args: PSValue[], svc: RuntimeServices): Promise<PSValue | undefined> {
  if (v === null) {
    throw runtimeError({ message: Msg.InvokeMethodOnNull, errorId: 'InvokeMethodOnNull', category: 'InvalidOperation', exceptionType: 'System.Management.Automation.RuntimeException' });
  }
  const lower = name.toLowerCase();
  if (lower === 'gettype') return new PSTypeRef(typeNameOf(v));
  if (typeof v === 'string') return stringMethod(v, name, args);
  if (typeof v === 'number') {
    switch (lower) {
      case 'tostring':
        return args.length > 0 ? formatNumber(v, argStr(args, 0)) : displayString(v);
      case 'equals':
        return equalsValues(v, args[0] ?? null, false);
      case 'compareto':
        return compareValues(v, args[0] ?? null, false) ?? 0;
      case 'gethashcode':
        return v | 0;
      default:
        return methodNotFound(v, name);
    }
  }
  if (typeof v === 'boolean') {
    if (lower === 'tostring') return v ? 'True' : 'False';
    if (lower === 'equals') return v === toBool(args[0] ?? null);
    return methodNotFound(v, name);
  }
  if (Array.isArray(v)) {
    if (lower === 'tostring') return objectToString(v);
    if (lower === 'equals') return v === args[0];
    return arrayMethod(v, name, args, svc);
  }
  if (v instanceof PSHashtable) return hashtableMethod(v, name, args);
  if (v instanceof PSObject) {
    const m = v.methods.get(lower);
    if (m !== undefined) return m.fn(args);
    const p = v.property(name);
    if (p !== undefined) {
      const pv = propertyValue(p);
      if (pv instanceof PSScriptBlock) return first(svc.invokeScriptBlock(pv, v, args));
    }
    if (lower === 'tostring') return v.isCustom ? (v.toStringFn?.() ?? customObjectString(v)) : objectToString(v);
    if (lower === 'equals') return v === args[0];
    if (lower === 'gethashcode') return 0;
    return methodNotFound(v, name);
  }
  if (v instanceof PSDateTime) return dateMethod(v, name, args);
  if (v instanceof PSTimeSpan) {
    switch (lower) {
      case 'tostring':
        return formatTimeSpan(v.ms);
      case 'add':
        return new PSTimeSpan(v.ms + (args[0] instanceof PSTimeSpan ? args[0].ms : 0));
      case 'subtract':
        return new PSTimeSpan(v.ms - (args[0] instanceof PSTimeSpan ? args[0].ms : 0));
      case 'negate':
        return new PSTimeSpan(-v.ms);
      case 'duration':
        return new PSTimeSpan(Math.abs(v.ms));
      default:
        return methodNotFound(v, name);
    }
  }
  if (v instanceof PSVersion) {
    if (lower === 'tostring') {
      if (args.length === 0) return v.toString();
      const k = argNum(args, 0);
      return [v.major, v.minor, v.build, v.revision].slice(0, k).join('.');
    }
    if (lower === 'compareto') return compareValues(v, args[0] ?? null, false) ?? 0;
    if (lower === 'equals') return compareValues(v, args[0] ?? null, false) === 0;
    return methodNotFound(v, name);
  }
  if (v instanceof PSEnum) {
    if (lower === 'tostring') return args.length > 0 && /^d$/i.test(argStr(args, 0)) ? String(v.value) : v.name;
    if (lower === 'hasflag') return (v.value & toNumber(args[0] instanceof PSEnum ? args[0].value : (args[0] ?? 0))) !== 0;
    if (lower === 'equals') return equalsValues(v, args[0] ?? null, false);
    if (lower === 'compareto') return compareValues(v, args[0] ?? null, false) ?? 0;
    return methodNotFound(v, name);
  }
  if (v instanceof PSErrorRecord) {
    if (lower === 'tostring') return v.message;
    return methodNotFound(v, name);
  }
  if (v instanceof PSException) {
    if (lower === 'tostring') return `${v.typeName}: ${v.message}`;
    if (lower === 'getbaseexception') return v.inner ?? v;
    return methodNotFound(v, name);
  }
  if (v instanceof PSTypeRef) {
    if (lower === 'tostring') return v.fullName;
    if (lower === 'isassignablefrom') return false;
    if (lower === 'getmembers' || lower === 'getmethods' || lower === 'getproperties') return [];
    return methodNotFound(v, name);
  }
  if (v instanceof PSScriptBlock) {
    if (lower === 'invoke' || lower === 'invokereturnasis') {
      const r = await svc.invokeScriptBlock(v, undefined, args);
      return r.length === 1 ? (r[0] ?? null) : r;
    }
    if (lower === 'tostring') return v.text;
    if (lower === 'getnewclosure') return v;
    return methodNotFound(v, name);
  }
  if (v instanceof PSRegexMatch) return invokeMethod(regexMatchObject(v), name, args, svc);
  return methodNotFound(v, name);
}

/** `[type]::Name` resolution check helper for callers that only have a name. */
export function typeFromName(name: string): PSTypeRef | undefined {
  return resolveType(name);
}

export { formatDate, dateParts };
