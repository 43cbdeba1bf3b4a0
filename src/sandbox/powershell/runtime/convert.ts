// PowerShell's conversions (LanguagePrimitives): to string (invariant culture), to boolean
// (truthiness), to numbers, and casts to the types the emulation knows.
import { dateParts, formatDate, formatDouble, formatTimeSpan } from './dotnet-format.js';
import { Msg, runtimeError } from './errors.js';
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

/** The .NET full type name of a value. */
export function typeNameOf(v: PSValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'System.Boolean';
    case 'number':
      if (Number.isInteger(v)) {
        if (v >= -2147483648 && v <= 2147483647) return 'System.Int32';
        if (Math.abs(v) < 2 ** 63) return 'System.Int64';
      }
      return 'System.Double';
    case 'string':
      return 'System.String';
    default:
      break;
  }
  if (Array.isArray(v)) return listTypeName(v) ?? 'System.Object[]';
  if (v instanceof PSObject) return v.typeNames[0] ?? 'System.Object';
  if (v instanceof PSHashtable) return v.typeName;
  if (v instanceof PSScriptBlock) return 'System.Management.Automation.ScriptBlock';
  if (v instanceof PSTypeRef) return 'System.RuntimeType';
  if (v instanceof PSDateTime) return 'System.DateTime';
  if (v instanceof PSTimeSpan) return 'System.TimeSpan';
  if (v instanceof PSVersion) return 'System.Version';
  if (v instanceof PSEnum) return v.typeName;
  if (v instanceof PSErrorRecord) return 'System.Management.Automation.ErrorRecord';
  if (v instanceof PSException) return v.typeName;
  if (v instanceof PSRegexMatch) return 'System.Text.RegularExpressions.Match';
  return 'System.Object';
}

/** Type names from most derived to System.Object (PSObject.TypeNames). */
export function typeNamesOf(v: PSValue): string[] {
  if (v instanceof PSObject) return v.typeNames;
  const t = typeNameOf(v);
  switch (t) {
    case 'System.Int32':
    case 'System.Int64':
    case 'System.Double':
    case 'System.Boolean':
    case 'System.DateTime':
    case 'System.TimeSpan':
      return [t, 'System.ValueType', 'System.Object'];
    case 'System.String':
      return [t, 'System.Object'];
    case 'System.Object[]':
      return [t, 'System.Array', 'System.Object'];
    case 'System.Collections.Hashtable':
    case 'System.Collections.Specialized.OrderedDictionary':
      return [t, 'System.Object'];
    case 'System.Management.Automation.ErrorRecord':
      return [t, 'System.Object'];
    default:
      if (v instanceof PSEnum) return [t, 'System.Enum', 'System.ValueType', 'System.Object'];
      if (v instanceof PSException) return exceptionHierarchy(v.typeName);
      return [t, 'System.Object'];
  }
}

const EXCEPTION_BASES: Record<string, string> = {
  'System.Management.Automation.RuntimeException': 'System.SystemException',
  'System.Management.Automation.CommandNotFoundException': 'System.Management.Automation.RuntimeException',
  'System.Management.Automation.ParameterBindingException': 'System.Management.Automation.RuntimeException',
  'System.Management.Automation.ItemNotFoundException': 'System.Management.Automation.SessionStateException',
  'System.Management.Automation.SessionStateException': 'System.Management.Automation.RuntimeException',
  'System.Management.Automation.MethodInvocationException': 'System.Management.Automation.MethodException',
  'System.Management.Automation.MethodException': 'System.Management.Automation.RuntimeException',
  'System.Management.Automation.PSInvalidCastException': 'System.InvalidCastException',
  'System.Management.Automation.ActionPreferenceStopException': 'System.Management.Automation.RuntimeException',
  'System.Management.Automation.ParseException': 'System.Management.Automation.RuntimeException',
  'System.Management.Automation.PipelineStoppedException': 'System.Management.Automation.RuntimeException',
  'System.Management.Automation.ValidationMetadataException': 'System.Management.Automation.MetadataException',
  'System.Management.Automation.MetadataException': 'System.Management.Automation.RuntimeException',
  'Microsoft.PowerShell.Commands.WriteErrorException': 'System.SystemException',
  'System.InvalidCastException': 'System.SystemException',
  'System.InvalidOperationException': 'System.SystemException',
  'System.ArgumentException': 'System.SystemException',
  'System.ArgumentNullException': 'System.ArgumentException',
  'System.ArgumentOutOfRangeException': 'System.ArgumentException',
  'System.FormatException': 'System.SystemException',
  'System.DivideByZeroException': 'System.ArithmeticException',
  'System.ArithmeticException': 'System.SystemException',
  'System.IndexOutOfRangeException': 'System.SystemException',
  'System.NotSupportedException': 'System.SystemException',
  'System.IO.IOException': 'System.SystemException',
  'System.IO.FileNotFoundException': 'System.IO.IOException',
  'System.IO.DirectoryNotFoundException': 'System.IO.IOException',
  'System.UnauthorizedAccessException': 'System.SystemException',
  'System.Management.Automation.PSArgumentException': 'System.ArgumentException',
  'System.SystemException': 'System.Exception',
};

function exceptionHierarchy(t: string): string[] {
  const out = [t];
  let cur = t;
  for (let i = 0; i < 10; i++) {
    const b = EXCEPTION_BASES[cur];
    if (b === undefined) break;
    out.push(b);
    cur = b;
  }
  if (!out.includes('System.Exception')) out.push('System.Exception');
  out.push('System.Object');
  return out;
}

export function isExceptionOfType(ex: PSException, typeFullName: string): boolean {
  const want = typeFullName.toLowerCase();
  return exceptionHierarchy(ex.typeName).some((t) => t.toLowerCase() === want);
}

/** Is this value enumerated by the pipeline (arrays and lists)? */
export function isEnumerable(v: PSValue): v is PSValue[] {
  return Array.isArray(v);
}

// ---- to string ------------------------------------------------------------------------------

/** A number as PowerShell converts it to string (invariant culture). */
export function numberToString(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  return formatDouble(n);
}

/** [string]$v / string interpolation: invariant culture, arrays joined with $OFS (space). */
export function toStr(v: PSValue, ofs = ' '): string {
  if (v === null) return '';
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 'True' : 'False';
    case 'number':
      return numberToString(v);
    default:
      break;
  }
  if (Array.isArray(v)) return v.map((x) => toStr(x, ofs)).join(ofs);
  if (v instanceof PSDateTime) return formatDate(dateParts(v.ms, v.kind, v.extraTicks), 'MM/dd/yyyy HH:mm:ss');
  return objectToString(v);
}

/** Object.ToString() for display (current culture en-US where it differs from invariant). */
export function displayString(v: PSValue): string {
  if (v instanceof PSDateTime) return formatDate(dateParts(v.ms, v.kind, v.extraTicks), 'G');
  if (v === null) return '';
  if (typeof v === 'number') return numberToString(v);
  return toStr(v);
}

export function objectToString(v: PSValue): string {
  if (v === null) return '';
  if (typeof v !== 'object') return toStr(v);
  if (Array.isArray(v)) return listTypeName(v) ?? 'System.Object[]';
  if (v instanceof PSObject) {
    if (v.toStringFn !== undefined) return v.toStringFn();
    if (v.isCustom) return customObjectString(v);
    return v.typeNames[0] ?? 'System.Object';
  }
  if (v instanceof PSHashtable) return v.typeName;
  if (v instanceof PSScriptBlock) return v.text;
  if (v instanceof PSTypeRef) return v.fullName;
  if (v instanceof PSDateTime) return formatDate(dateParts(v.ms, v.kind, v.extraTicks), 'G');
  if (v instanceof PSTimeSpan) return formatTimeSpan(v.ms);
  if (v instanceof PSVersion) return v.toString();
  if (v instanceof PSEnum) return v.name;
  if (v instanceof PSErrorRecord) return v.message;
  if (v instanceof PSException) return v.message;
  if (v instanceof PSRegexMatch) return v.value;
  return 'System.Object';
}

/** `@{a=1; b=2}`: a PSCustomObject converted to string. */
export function customObjectString(o: PSObject): string {
  const parts = o.properties().map((p) => `${p.name}=${toStr(propertyValue(p))}`);
  return `@{${parts.join('; ')}}`;
}

// ---- to bool / number -----------------------------------------------------------------------

export function toBool(v: PSValue): boolean {
  if (v === null) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    case 'string':
      return v.length > 0;
    default:
      break;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return false;
    if (v.length === 1) return toBool(v[0] ?? null);
    return true;
  }
  return true;
}

/** Parse a string as PowerShell converts it to a number; undefined if it is not one. */
export function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return 0;
  if (/^[-+]?0x[0-9a-f]+$/i.test(t)) {
    const neg = t.startsWith('-');
    const n = Number(BigInt(t.replace(/^[-+]/, '')));
    return neg ? -n : n;
  }
  const m = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)(kb|mb|gb|tb|pb)?$/i.exec(t.replace(/,/g, (c) => c));
  if (m === null) return undefined;
  let n = Number(m[1]);
  const mult = m[2]?.toLowerCase();
  if (mult !== undefined) n *= { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 }[mult] ?? 1;
  return n;
}

/** Convert to a number for arithmetic; throws PowerShell's conversion error. */
export function toNumber(v: PSValue, targetType = 'System.Int32'): number {
  if (v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = parseNumber(v);
    if (n === undefined) {
      throw runtimeError({
        message: Msg.ConvertTo(v, targetType, 'Input string was not in a correct format.'),
        errorId: 'InvalidCastFromStringToInteger',
        category: 'InvalidArgument',
        exceptionType: 'System.Management.Automation.PSInvalidCastException',
      });
    }
    return n;
  }
  if (v instanceof PSEnum) return v.value;
  if (Array.isArray(v) && v.length === 1) return toNumber(v[0] ?? null, targetType);
  throw runtimeError({
    message: Msg.ConvertToNoReason(toStr(v), typeNameOf(v), targetType),
    errorId: 'ConvertToFinalInvalidCastException',
    category: 'InvalidArgument',
    exceptionType: 'System.Management.Automation.PSInvalidCastException',
  });
}

/** Try to convert to a number without throwing. */
export function tryNumber(v: PSValue): number | undefined {
  try {
    return toNumber(v);
  } catch {
    return undefined;
  }
}

/** Round half to even, as [int] / [long] casts and [math]::Round do. */
export function bankersRound(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/** Parse a date the way [datetime]"…" does (invariant culture, ISO 8601 and US forms). */
export function parseDate(s: string): PSDateTime | undefined {
  const t = s.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(t);
  if (m !== null) {
    const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3)));
    if (Number.isNaN(ms)) return undefined;
    let offset = 0;
    const z = m[8];
    if (z !== undefined && z.toUpperCase() !== 'Z') {
      const mm = /([+-])(\d{2}):?(\d{2})/.exec(z);
      if (mm !== null) offset = (mm[1] === '-' ? -1 : 1) * (Number(mm[2]) * 60 + Number(mm[3])) * 60000;
    }
    return new PSDateTime(ms - offset, z !== undefined ? 'Local' : 'Unspecified');
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$/i.exec(t);
  if (m !== null) {
    let h = Number(m[4] ?? 0);
    const ap = m[7]?.toUpperCase();
    if (ap === 'PM' && h < 12) h += 12;
    if (ap === 'AM' && h === 12) h = 0;
    const ms = Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), h, Number(m[5] ?? 0), Number(m[6] ?? 0));
    return Number.isNaN(ms) ? undefined : new PSDateTime(ms, 'Unspecified');
  }
  const months = 'january|february|march|april|may|june|july|august|september|october|november|december';
  m = new RegExp(`^(?:\\w+,\\s*)?(${months})\\s+(\\d{1,2}),?\\s+(\\d{4})(?:\\s+(\\d{1,2}):(\\d{2})(?::(\\d{2}))?\\s*(AM|PM)?)?$`, 'i').exec(t);
  if (m !== null) {
    const month = months.split('|').indexOf((m[1] ?? '').toLowerCase());
    let h = Number(m[4] ?? 0);
    const ap = m[7]?.toUpperCase();
    if (ap === 'PM' && h < 12) h += 12;
    if (ap === 'AM' && h === 12) h = 0;
    const ms = Date.UTC(Number(m[3]), month, Number(m[2]), h, Number(m[5] ?? 0), Number(m[6] ?? 0));
    return Number.isNaN(ms) ? undefined : new PSDateTime(ms, 'Unspecified');
  }
  return undefined;
}

/** Parse a TimeSpan ("c" format: [-][d.]hh:mm[:ss[.fffffff]]). */
export function parseTimeSpan(s: string): PSTimeSpan | undefined {
  const m = /^\s*(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?\s*$/.exec(s);
  if (m === null) {
    const d = /^\s*(-)?(\d+)\s*$/.exec(s);
    if (d !== null) return new PSTimeSpan((d[1] !== undefined ? -1 : 1) * Number(d[2]) * 86400000);
    return undefined;
  }
  const ms = Number(m[2] ?? 0) * 86400000 + Number(m[3]) * 3600000 + Number(m[4]) * 60000 + Number(m[5] ?? 0) * 1000 + Number(('0.' + (m[6] ?? '0')).padEnd(3, '0')) * 1000;
  return new PSTimeSpan(m[1] !== undefined ? -ms : ms);
}
