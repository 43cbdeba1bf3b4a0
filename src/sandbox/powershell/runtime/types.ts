// Type literals ([int], [System.IO.Path]…) and casts. Only the types the emulation implements
// resolve; any other name raises PowerShell's "Unable to find type [X]." error.
import { bankersRound, customObjectString, parseDate, parseNumber, parseTimeSpan, toBool, toNumber, toStr, typeNameOf, typeNamesOf } from './convert.js';
import { Msg, runtimeError } from './errors.js';
import {
  asList,
  PSDateTime,
  PSEnum,
  PSHashtable,
  PSObject,
  PSScriptBlock,
  PSTimeSpan,
  PSTypeRef,
  PSVersion,
  type PSValue,
} from './values.js';
import { CHOICE_DESCRIPTION, FIELD_DESCRIPTION, PROGRESS_RECORD, choiceDescription, fieldDescription } from '../host/descriptions.js';
import { DOTNET_EXTRA_ENUMS, DOTNET_EXTRA_TYPES } from './dotnet-names.js';
import { COLLECTION_INTERFACES, implementsInterface } from './dotnet-interfaces.js';

/** Accelerators and short names → .NET full names (lower-case keys). */
const TYPE_TABLE: Record<string, string> = {};
function reg(full: string, ...aliases: string[]): void {
  TYPE_TABLE[full.toLowerCase()] = full;
  if (full.startsWith('System.')) TYPE_TABLE[full.slice(7).toLowerCase()] = full;
  for (const a of aliases) TYPE_TABLE[a.toLowerCase()] = full;
}
reg('System.Int32', 'int', 'int32');
reg('System.Int64', 'long', 'int64');
reg('System.Int16', 'short', 'int16');
reg('System.UInt16', 'uint16', 'ushort');
reg('System.UInt32', 'uint32', 'uint');
reg('System.UInt64', 'uint64', 'ulong');
reg('System.Byte', 'byte');
reg('System.SByte', 'sbyte');
reg('System.Double', 'double');
reg('System.Single', 'float', 'single');
reg('System.Decimal', 'decimal');
reg('System.Boolean', 'bool', 'boolean');
reg('System.String', 'string');
reg('System.Char', 'char');
reg('System.DateTime', 'datetime');
reg('System.TimeSpan', 'timespan');
reg('System.Version', 'version');
reg('System.Object', 'object');
reg('System.Management.Automation.PSObject', 'psobject');
reg('System.Management.Automation.PSCustomObject', 'pscustomobject');
reg('System.Collections.Hashtable', 'hashtable');
reg('System.Collections.Specialized.OrderedDictionary', 'ordered');
reg('System.Array', 'array');
reg('System.Type', 'type');
reg('System.Management.Automation.ScriptBlock', 'scriptblock');
reg('System.Text.RegularExpressions.Regex', 'regex');
reg('System.Math', 'math');
reg('System.Environment', 'environment');
reg('System.Convert', 'convert');
reg('System.IO.Path');
reg('System.IO.File');
reg('System.IO.Directory');
reg('System.Guid', 'guid');
reg('System.Management.Automation.SwitchParameter', 'switch');
reg('System.Void', 'void');
reg('System.Text.Encoding');
reg('System.Text.StringBuilder');
reg('System.Collections.ArrayList');
reg('System.Net.Dns');
reg('System.Security.Principal.WindowsIdentity');
reg('System.Diagnostics.Process');
reg('System.Management.Automation.ErrorRecord');
reg('System.Exception');
reg('System.SystemException');
reg('System.Management.Automation.RuntimeException');
reg('System.Management.Automation.CommandNotFoundException');
reg('System.Management.Automation.ItemNotFoundException');
reg('System.Management.Automation.ParameterBindingException');
reg('System.Management.Automation.MethodInvocationException');
reg('System.Management.Automation.ActionPreferenceStopException');
reg('System.Management.Automation.PSInvalidCastException');
reg('System.InvalidOperationException');
reg('System.InvalidCastException');
reg('System.ArgumentException');
reg('System.ArgumentNullException');
reg('System.ArgumentOutOfRangeException');
reg('System.FormatException');
reg('System.DivideByZeroException');
reg('System.IndexOutOfRangeException');
reg('System.NotSupportedException');
reg('System.UnauthorizedAccessException');
reg('System.IO.IOException');
reg('System.IO.FileNotFoundException');
reg('System.IO.DirectoryNotFoundException');
reg('System.Management.Automation.PSArgumentException');
reg('System.Management.Automation.ParseException');
reg('System.IO.FileInfo');
reg('System.IO.DirectoryInfo');
reg('System.Enum', 'enum');
reg('System.ValueType');
reg('System.Management.Automation.PSCredential', 'pscredential');
reg('System.Security.SecureString', 'securestring');
reg('System.Runtime.InteropServices.Marshal');
reg('System.Net.NetworkCredential');
reg('System.IntPtr', 'intptr');
reg('System.ConsoleColor');
reg(CHOICE_DESCRIPTION);
reg(FIELD_DESCRIPTION);
reg(PROGRESS_RECORD);
for (const [full, ...aliases] of DOTNET_EXTRA_TYPES) reg(full, ...aliases);
for (const full of COLLECTION_INTERFACES) reg(full);

/**
 * Enums the emulation knows by name (non-flags: each value one name, in value order from 0):
 * `[System.ConsoleColor]::Blue`, casts and parameter binding of names or numbers
 * [.NET System.ConsoleColor; ExtendedTypeSystem.resx InvalidCastExceptionEnumerationNoValue;
 * EnumExpressionEvaluatorStrings.resx EnumNameNotFound... as LanguagePrimitives converts].
 */
export const ENUM_TYPES: Readonly<Record<string, readonly string[]>> = {
  'System.ConsoleColor': ['Black', 'DarkBlue', 'DarkGreen', 'DarkCyan', 'DarkRed', 'DarkMagenta', 'DarkYellow', 'Gray', 'DarkGray', 'Blue', 'Green', 'Cyan', 'Red', 'Magenta', 'Yellow', 'White'],
  ...DOTNET_EXTRA_ENUMS,
};

/** The value of enum `type` named `name` (case-insensitive), or undefined. */
export function enumMember(type: string, name: string): PSEnum | undefined {
  const names = ENUM_TYPES[type];
  const i = names?.findIndex((n) => n.toLowerCase() === name.toLowerCase()) ?? -1;
  return names !== undefined && i >= 0 ? new PSEnum(type, names[i]!, i) : undefined;
}

/** LanguagePrimitives' conversion to a non-flags enum: a name (or `Name1, Name2` is refused), a defined number, the same enum. */
function toEnum(v: PSValue, type: string, names: readonly string[]): PSEnum {
  const x = Array.isArray(v) && v.length === 1 ? (v[0] ?? null) : v;
  if (x instanceof PSEnum && x.typeName === type) return x;
  const shown = toStr(x);
  const n = x instanceof PSEnum ? x.value : typeof x === 'number' ? x : typeof x === 'string' && /^\s*[+-]?\d+\s*$/.test(x) ? Number(x) : undefined;
  if (n !== undefined) {
    if (Number.isInteger(n) && n >= 0 && n < names.length) return new PSEnum(type, names[n]!, n);
    throw runtimeError({
      message: `Cannot convert value "${shown}" to type "${type}" due to enumeration values that are not valid. Specify one of the following enumeration values and try again. The possible enumeration values are "${names.join(',')}".`,
      errorId: 'InvalidCastExceptionEnumerationNoValue',
      category: 'InvalidArgument',
      exceptionType: 'System.Management.Automation.PSInvalidCastException',
    });
  }
  const m = typeof x === 'string' ? enumMember(type, x.trim()) : undefined;
  if (m !== undefined) return m;
  if (x === null) {
    throw runtimeError({
      message: `Cannot convert null to type "${type}" due to enumeration values that are not valid. Specify one of the following enumeration values and try again. The possible enumeration values are "${names.join(',')}".`,
      errorId: 'InvalidCastExceptionEnumerationNull',
      category: 'InvalidArgument',
      exceptionType: 'System.Management.Automation.PSInvalidCastException',
    });
  }
  // Windows PowerShell 5.1 reports an unknown name through its enum disambiguation (EnumExpressionEvaluatorStrings.resx NoEnumNameMatch).
  throw runtimeError({
    message: Msg.ConvertTo(shown, type, `Unable to match the identifier name ${shown} to a valid enumerator name. Specify one of the following enumerator names and try again:\r\n${names.join(', ')}`),
    errorId: 'InvalidCastEnumStringNotFound',
    category: 'InvalidArgument',
    exceptionType: 'System.Management.Automation.PSInvalidCastException',
  });
}

const GENERIC_LIST = /^(?:system\.)?collections\.generic\.list\[(.+)\]$/i;
/** Collection<T> (what `$host.UI.Prompt` takes): a list like List<T>. */
const GENERIC_COLLECTION = /^(?:system\.)?collections\.objectmodel\.collection\[(.+)\]$/i;

/** Resolve a type name as written inside brackets; undefined if the emulation does not know it. */
export function resolveType(name: string): PSTypeRef | undefined {
  const n = name.trim();
  if (n.endsWith('[]')) {
    const el = resolveType(n.slice(0, -2));
    if (el === undefined) return undefined;
    return new PSTypeRef(`${el.fullName}[]`, el);
  }
  const g = GENERIC_LIST.exec(n);
  if (g !== null) {
    const el = resolveType(g[1] ?? 'object');
    if (el === undefined) return undefined;
    return new PSTypeRef(`System.Collections.Generic.List\`1[[${el.fullName}]]`, el);
  }
  const c = GENERIC_COLLECTION.exec(n);
  if (c !== null) {
    const el = resolveType(c[1] ?? 'object');
    if (el === undefined) return undefined;
    return new PSTypeRef(`System.Collections.ObjectModel.Collection\`1[[${el.fullName}]]`, el);
  }
  const full = TYPE_TABLE[n.toLowerCase()];
  return full === undefined ? undefined : new PSTypeRef(full);
}

export function requireType(name: string): PSTypeRef {
  const t = resolveType(name);
  if (t === undefined) {
    throw runtimeError({ message: Msg.TypeNotFound(name), errorId: 'TypeNotFound', category: 'InvalidOperation', target: name, exceptionType: 'System.Management.Automation.RuntimeException' });
  }
  return t;
}

/** The accelerator name PowerShell shows for a type in messages (`System.Int32` → `System.Int32`). */
function castError(v: PSValue, type: string, reason?: string): never {
  const shown = toStr(v);
  if (reason !== undefined) {
    throw runtimeError({ message: Msg.ConvertTo(shown, type, reason), errorId: 'InvalidCastFromStringToInteger', category: 'InvalidArgument', exceptionType: 'System.Management.Automation.PSInvalidCastException' });
  }
  throw runtimeError({
    message: Msg.ConvertToNoReason(shown, typeNameOf(v), type),
    errorId: 'ConvertToFinalInvalidCastException',
    category: 'InvalidArgument',
    exceptionType: 'System.Management.Automation.PSInvalidCastException',
  });
}

const INT_RANGES: Record<string, [number, number]> = {
  'System.Int32': [-2147483648, 2147483647],
  'System.Int64': [-(2 ** 63), 2 ** 63],
  'System.Int16': [-32768, 32767],
  'System.UInt16': [0, 65535],
  'System.UInt32': [0, 4294967295],
  'System.UInt64': [0, 2 ** 64],
  'System.Byte': [0, 255],
  'System.SByte': [-128, 127],
};

function toInteger(v: PSValue, type: string): number {
  const short = type.replace('System.', '');
  let n: number;
  if (typeof v === 'string') {
    const p = parseNumber(v);
    if (p === undefined) castError(v, type, 'Input string was not in a correct format.');
    n = p;
  } else {
    n = toNumber(v, type);
  }
  if (!Number.isFinite(n)) castError(v, type, `Value was either too large or too small for an ${short}.`);
  const r = bankersRound(n);
  const range = INT_RANGES[type];
  if (range !== undefined && (r < range[0] || r > range[1])) {
    castError(v, type, `Value was either too large or too small for ${/^[AEIOU]/.test(short) ? 'an' : 'a'} ${short}.`);
  }
  return r;
}

/** Cast `v` to the type (PowerShell's LanguagePrimitives.ConvertTo). */
export function convertTo(v: PSValue, t: PSTypeRef): PSValue {
  const full = t.fullName;
  if (t.elementType !== undefined && full.endsWith('[]')) {
    if (v === null) return null;
    const items = Array.isArray(v) ? v : [v];
    return items.map((x) => convertTo(x, t.elementType as PSTypeRef));
  }
  if (full.startsWith('System.Collections.Generic.List`1') || full.startsWith('System.Collections.ObjectModel.Collection`1')) {
    const items = v === null ? [] : Array.isArray(v) ? v : [v];
    const el = t.elementType;
    return asList(el !== undefined ? items.map((x) => convertTo(x, el)) : [...items], full);
  }
  switch (full) {
    case 'System.Object':
    case 'System.Management.Automation.PSObject':
      return v;
    case 'System.String':
      if (v === null) return '';
      return toStr(v);
    case 'System.Char': {
      if (typeof v === 'number') return String.fromCharCode(v);
      const s = toStr(v);
      if (s.length !== 1) castError(v, full, 'String must be exactly one character long.');
      return s;
    }
    case 'System.Int32':
    case 'System.Int64':
    case 'System.Int16':
    case 'System.UInt16':
    case 'System.UInt32':
    case 'System.UInt64':
    case 'System.Byte':
    case 'System.SByte':
      if (v instanceof PSDateTime) castError(v, full);
      return toInteger(v, full);
    case 'System.Double':
    case 'System.Single':
    case 'System.Decimal': {
      if (typeof v === 'string') {
        const p = parseNumber(v);
        if (p === undefined) castError(v, full, 'Input string was not in a correct format.');
        return p;
      }
      return toNumber(v, full);
    }
    case 'System.Boolean':
    case 'System.Management.Automation.SwitchParameter':
      if (typeof v === 'number' || typeof v === 'boolean' || v === null) return toBool(v);
      if (typeof v === 'string') return toBool(v);
      return toBool(v);
    case 'System.DateTime': {
      if (v instanceof PSDateTime) return v;
      if (typeof v === 'string') {
        const d = parseDate(v);
        if (d === undefined) castError(v, full, 'String was not recognized as a valid DateTime.');
        return d;
      }
      if (typeof v === 'number') return new PSDateTime((v - 621355968000000000) / 10000, 'Unspecified');
      return castError(v, full);
    }
    case 'System.TimeSpan': {
      if (v instanceof PSTimeSpan) return v;
      if (typeof v === 'string') {
        const ts = parseTimeSpan(v);
        if (ts === undefined) castError(v, full, 'String was not recognized as a valid TimeSpan.');
        return ts;
      }
      if (typeof v === 'number') return new PSTimeSpan(v / 10000);
      return castError(v, full);
    }
    case 'System.Version': {
      if (v instanceof PSVersion) return v;
      const ver = PSVersion.parse(toStr(v));
      if (ver === undefined) castError(v, full, 'Version string portion was too short or too long.');
      return ver;
    }
    case 'System.Array':
      if (v === null) return null;
      return Array.isArray(v) ? v : [v];
    case 'System.Collections.ArrayList': {
      const items = v === null ? [] : Array.isArray(v) ? v : [v];
      return asList([...items]);
    }
    case 'System.Collections.Hashtable':
      if (v instanceof PSHashtable) {
        if (!v.ordered) return v;
        const h = new PSHashtable(false);
        for (const [k, x] of v.entries()) h.set(k, x);
        return h;
      }
      if (v === null) return null;
      return castError(v, full);
    case 'System.Collections.Specialized.OrderedDictionary':
      if (v instanceof PSHashtable) {
        if (v.ordered) return v;
        const h = new PSHashtable(true);
        for (const [k, x] of v.entries()) h.set(k, x);
        return h;
      }
      return castError(v, full);
    case 'System.Management.Automation.PSCustomObject':
      if (v instanceof PSHashtable) {
        const o = new PSObject();
        for (const [k, x] of v.entries()) o.setNote(toStr(k), x);
        return o;
      }
      return v;
    case 'System.Management.Automation.ScriptBlock':
      if (v instanceof PSScriptBlock) return v;
      return castError(v, full);
    case 'System.Type':
      if (v instanceof PSTypeRef) return v;
      return requireType(toStr(v));
    case 'System.Guid': {
      const s = toStr(v);
      if (!/^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i.test(s)) castError(v, full, 'Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).');
      const hex = s.replace(/[{}()-]/g, '').toLowerCase();
      const g = new PSObject(['System.Guid', 'System.ValueType', 'System.Object']);
      const text = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      g.toStringFn = () => text;
      g.addProperty({ name: 'Guid', kind: 'Property', getter: () => text });
      return g;
    }
    case 'System.Text.RegularExpressions.Regex':
      return toStr(v);
    default:
      break;
  }
  // A string becomes a prompt description through its one-string constructor.
  if (full === CHOICE_DESCRIPTION && typeof v === 'string') return choiceDescription([v]);
  if (full === FIELD_DESCRIPTION && typeof v === 'string') return fieldDescription([v]);
  const enumNames = ENUM_TYPES[full];
  if (enumNames !== undefined) return toEnum(v, full, enumNames);
  // Exception types, enums and other known reference types: accept values already of that type
  if (typeNamesOf(v).some((n) => n.toLowerCase() === full.toLowerCase())) return v;
  if (implementsInterface(v, full) === true || (v === null && implementsInterface(v, full) !== undefined)) return v;
  if (v instanceof PSEnum && v.typeName === full) return v;
  return castError(v, full);
}

/** `-is`: does `v` derive from the type? */
export function isOfType(v: PSValue, t: PSTypeRef): boolean {
  if (v === null) return false;
  const full = t.fullName.toLowerCase();
  if (full === 'system.object' || full === 'system.management.automation.psobject') return true;
  const viaInterface = implementsInterface(v, full);
  if (viaInterface !== undefined) return viaInterface;
  if (full === 'system.array' || full.endsWith('[]')) {
    if (!Array.isArray(v)) return false;
    if (full === 'system.array' || full === 'system.object[]') return true;
    return typeNameOf(v).toLowerCase() === full;
  }
  if (full === 'system.collections.ienumerable' || full === 'system.collections.ilist') return Array.isArray(v);
  if (full === 'system.valuetype') return typeof v === 'number' || typeof v === 'boolean' || v instanceof PSDateTime || v instanceof PSTimeSpan || v instanceof PSEnum;
  if (full === 'system.collections.idictionary') return v instanceof PSHashtable;
  if (full === 'system.management.automation.pscustomobject') return v instanceof PSObject && v.isCustom;
  if (full === 'system.double' || full === 'system.int32' || full === 'system.int64') {
    if (typeof v !== 'number') return false;
    return typeNameOf(v).toLowerCase() === full || (full === 'system.double' && !Number.isInteger(v));
  }
  if (full === 'system.char') return typeof v === 'string' && v.length === 1 && false;
  return typeNamesOf(v).some((n) => n.toLowerCase() === full);
}

export { customObjectString };
