// Static members of the .NET types the emulation knows ([math]::Round, [Environment]::MachineName,
// [System.IO.File]::ReadAllText over the virtual file system, [Convert]::ToBase64String…) and
// constructors (`::new`, New-Object).
import { VfsError } from '../../vfs/types.js';
import { bankersRound, toBool, toNumber, toStr, parseDate, typeNameOf } from './convert.js';
import { compositeFormat, dateParts, formatDate } from './dotnet-format.js';
import { Msg, runtimeError } from './errors.js';
import { formatArgument, escapeRegex, toRegExp } from './operators.js';
import { methodException, regexMatchesOf, regexMatchObjectOrEmpty, invokeMethod } from './members.js';
import type { RuntimeServices } from './services.js';
import { ENUM_TYPES, convertTo, enumMember } from './types.js';
import { choiceDescription, fieldDescription, progressRecord } from '../host/descriptions.js';
import { MARSHAL_METHODS, networkCredential, psCredential, secureString } from './secure.js';
import { FILE_ENUM_STATICS, FILE_STREAM_METHODS } from './dotnet-io.js';
import { CRYPTO_STATICS } from './dotnet-crypto.js';
import { SCRIPTBLOCK_METHODS } from './dotnet-lang.js';
import { POWERSHELL_STATICS, consoleStatics, textWriter } from './dotnet-runspace.js';
import { asList, PSDateTime, PSHashtable, PSObject, PSTimeSpan, PSTypeRef, PSVersion, type PSValue } from './values.js';

type StaticFn = (args: PSValue[], svc: RuntimeServices) => PSValue | undefined | Promise<PSValue | undefined>;

interface StaticType {
  readonly props?: Record<string, (svc: RuntimeServices) => PSValue>;
  readonly methods?: Record<string, StaticFn>;
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

function bytesOf(v: PSValue): Uint8Array {
  const arr = Array.isArray(v) ? v : [v];
  return Uint8Array.from(arr.map((x) => toNumber(x) & 0xff));
}
function byteArray(b: Uint8Array): PSValue[] {
  return Array.from(b);
}

function encodingObject(name: 'UTF8' | 'Unicode' | 'ASCII' | 'UTF32' | 'BigEndianUnicode' | 'Default' | 'UTF7'): PSObject {
  const o = new PSObject(['System.Text.' + (name === 'Unicode' || name === 'BigEndianUnicode' ? 'UnicodeEncoding' : name === 'Default' ? 'SBCSCodePageEncoding' : `${name}Encoding`), 'System.Text.Encoding', 'System.Object']);
  const webName = { UTF8: 'utf-8', Unicode: 'utf-16', ASCII: 'us-ascii', UTF32: 'utf-32', BigEndianUnicode: 'utf-16BE', Default: 'Windows-1252', UTF7: 'utf-7' }[name];
  const codePage = { UTF8: 65001, Unicode: 1200, ASCII: 20127, UTF32: 12000, BigEndianUnicode: 1201, Default: 1252, UTF7: 65000 }[name];
  o.setNote('BodyName', webName);
  o.setNote('EncodingName', { UTF8: 'Unicode (UTF-8)', Unicode: 'Unicode', ASCII: 'US-ASCII', UTF32: 'Unicode (UTF-32)', BigEndianUnicode: 'Unicode (Big-Endian)', Default: 'Western European (Windows)', UTF7: 'Unicode (UTF-7)' }[name]);
  o.setNote('WebName', webName);
  o.setNote('CodePage', codePage);
  o.addMethod('GetBytes', (args) => byteArray(encodeText(toStr(args[0] ?? null), name)));
  o.addMethod('GetString', (args) => decodeText(bytesOf(args[0] ?? null), name));
  o.addMethod('GetPreamble', () => byteArray(name === 'UTF8' ? Uint8Array.from([0xef, 0xbb, 0xbf]) : name === 'Unicode' ? Uint8Array.from([0xff, 0xfe]) : new Uint8Array(0)));
  o.toStringFn = () => o.typeNames[0] ?? 'System.Text.Encoding';
  return o;
}

export function encodeText(s: string, enc: string): Uint8Array {
  switch (enc) {
    case 'Unicode': {
      const b = new Uint8Array(s.length * 2);
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        b[i * 2] = c & 0xff;
        b[i * 2 + 1] = c >> 8;
      }
      return b;
    }
    case 'BigEndianUnicode': {
      const b = new Uint8Array(s.length * 2);
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        b[i * 2] = c >> 8;
        b[i * 2 + 1] = c & 0xff;
      }
      return b;
    }
    case 'ASCII':
      return Uint8Array.from([...s].map((c) => (c.charCodeAt(0) < 128 ? c.charCodeAt(0) : 63)));
    case 'Default':
      return Uint8Array.from([...s].map((c) => (c.charCodeAt(0) < 256 ? c.charCodeAt(0) : 63)));
    default:
      return utf8.encode(s);
  }
}

export function decodeText(b: Uint8Array, enc: string): string {
  switch (enc) {
    case 'Unicode': {
      let s = '';
      for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i] ?? 0) | ((b[i + 1] ?? 0) << 8));
      return s;
    }
    case 'BigEndianUnicode': {
      let s = '';
      for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
      return s;
    }
    case 'ASCII':
      return Array.from(b, (x) => String.fromCharCode(x < 128 ? x : 63)).join('');
    case 'Default':
      return Array.from(b, (x) => String.fromCharCode(x)).join('');
    default:
      return utf8d.decode(b);
  }
}

function path(p: PSValue): string {
  return toStr(p);
}

function ioError(method: string, count: number, e: unknown): never {
  if (e instanceof VfsError) {
    if (e.code === 'ENOENT') throw methodException(method, count, `Could not find file '${e.path}'.`, 'FileNotFoundException');
    if (e.code === 'ENOTDIR') throw methodException(method, count, `Could not find a part of the path '${e.path}'.`, 'DirectoryNotFoundException');
    if (e.code === 'EACCES' || e.code === 'EISDIR') throw methodException(method, count, `Access to the path '${e.path}' is denied.`, 'UnauthorizedAccessException');
    throw methodException(method, count, e.message, 'IOException');
  }
  throw e;
}

/** Text of a file: BOM-aware decoding (UTF-8 default, UTF-16LE with BOM). */
export function decodeFile(b: Uint8Array): string {
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return utf8d.decode(b.subarray(3));
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return decodeText(b.subarray(2), 'Unicode');
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return decodeText(b.subarray(2), 'BigEndianUnicode');
  return utf8d.decode(b);
}

function fileOp<T>(method: string, count: number, f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    return ioError(method, count, e);
  }
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function newGuidObject(s: string): PSValue {
  return convertTo(s, new PSTypeRef('System.Guid'));
}

function envMap(svc: RuntimeServices): PSHashtable {
  const h = new PSHashtable();
  for (const [k, v] of svc.env.entries()) h.set(k, v);
  return h;
}

const SPECIAL_FOLDERS: Record<string, (u: string) => string> = {
  desktop: (u) => `C:\\Users\\${u}\\Desktop`,
  mydocuments: (u) => `C:\\Users\\${u}\\Documents`,
  personal: (u) => `C:\\Users\\${u}\\Documents`,
  userprofile: (u) => `C:\\Users\\${u}`,
  applicationdata: (u) => `C:\\Users\\${u}\\AppData\\Roaming`,
  localapplicationdata: (u) => `C:\\Users\\${u}\\AppData\\Local`,
  programfiles: () => 'C:\\Program Files',
  programfilesx86: () => 'C:\\Program Files (x86)',
  windows: () => 'C:\\Windows',
  system: () => 'C:\\Windows\\system32',
  commonapplicationdata: () => 'C:\\ProgramData',
  temp: (u) => `C:\\Users\\${u}\\AppData\\Local\\Temp`,
};

function osVersionObject(svc: RuntimeServices): PSObject {
  const o = new PSObject(['System.OperatingSystem', 'System.Object']);
  const parts = svc.osVersion.split('.').map(Number);
  const v = new PSVersion(parts[0] ?? 10, parts[1] ?? 0, parts[2] ?? 17763, 0);
  o.setNote('Platform', 'Win32NT');
  o.setNote('ServicePack', '');
  o.setNote('Version', v);
  o.setNote('VersionString', `Microsoft Windows NT ${v.toString()}`);
  o.toStringFn = () => `Microsoft Windows NT ${v.toString()}`;
  return o;
}

function pathCombine(parts: string[]): string {
  let out = '';
  for (const p of parts) {
    if (p === '') continue;
    if (/^[A-Za-z]:/.test(p) || p.startsWith('\\') || p.startsWith('/')) out = p;
    else if (out === '' || out.endsWith('\\') || out.endsWith('/') || out.endsWith(':')) out += p;
    else out += '\\' + p;
  }
  return out;
}

function fileName(p: string): string {
  const i = Math.max(p.lastIndexOf('\\'), p.lastIndexOf('/'), p.lastIndexOf(':'));
  return p.slice(i + 1);
}

const CONSOLE = consoleStatics(() => encodingObject('Default'));

const STATICS: Record<string, StaticType> = {
  'System.Math': {
    props: { pi: () => Math.PI, e: () => Math.E },
    methods: {
      round: (a) => {
        const x = toNumber(a[0] ?? null);
        const d = a.length > 1 && typeof a[1] === 'number' ? a[1] : 0;
        const away = a.some((v) => /awayfromzero/i.test(toStr(v)));
        const f = 10 ** d;
        const scaled = Number((x * f).toPrecision(15));
        const r = away ? Math.sign(scaled) * Math.round(Math.abs(scaled)) : bankersRound(scaled);
        return r / f;
      },
      floor: (a) => Math.floor(toNumber(a[0] ?? null)),
      ceiling: (a) => Math.ceil(toNumber(a[0] ?? null)),
      truncate: (a) => Math.trunc(toNumber(a[0] ?? null)),
      abs: (a) => Math.abs(toNumber(a[0] ?? null)),
      max: (a) => Math.max(toNumber(a[0] ?? null), toNumber(a[1] ?? null)),
      min: (a) => Math.min(toNumber(a[0] ?? null), toNumber(a[1] ?? null)),
      pow: (a) => Math.pow(toNumber(a[0] ?? null), toNumber(a[1] ?? null)),
      sqrt: (a) => Math.sqrt(toNumber(a[0] ?? null)),
      log: (a) => (a.length > 1 ? Math.log(toNumber(a[0] ?? null)) / Math.log(toNumber(a[1] ?? null)) : Math.log(toNumber(a[0] ?? null))),
      log10: (a) => Math.log10(toNumber(a[0] ?? null)),
      exp: (a) => Math.exp(toNumber(a[0] ?? null)),
      sign: (a) => Math.sign(toNumber(a[0] ?? null)),
      sin: (a) => Math.sin(toNumber(a[0] ?? null)),
      cos: (a) => Math.cos(toNumber(a[0] ?? null)),
      tan: (a) => Math.tan(toNumber(a[0] ?? null)),
    },
  },
  'System.Environment': {
    props: {
      machinename: (s) => s.computerName,
      username: (s) => s.userName,
      userdomainname: (s) => s.computerName,
      newline: () => '\r\n',
      osversion: (s) => osVersionObject(s),
      processorcount: () => 2,
      is64bitoperatingsystem: () => true,
      is64bitprocess: () => true,
      currentdirectory: (s) => s.cwd(),
      systemdirectory: () => 'C:\\Windows\\system32',
      version: () => new PSVersion(4, 0, 30319, 42000),
      userinteractive: () => false,
      tickcount: (s) => Math.floor(s.now() % 2147483647),
      commandline: () => '"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" -NoLogo -NonInteractive',
      hasshutdownstarted: () => false,
      systempagesize: () => 4096,
    },
    methods: {
      getenvironmentvariable: (a, s) => s.env.get(toStr(a[0] ?? null)) ?? null,
      setenvironmentvariable: (a, s) => {
        const v = a[1] ?? null;
        s.env.set(toStr(a[0] ?? null), v === null || toStr(v) === '' ? undefined : toStr(v));
        return undefined;
      },
      getenvironmentvariables: (_a, s) => envMap(s),
      getfolderpath: (a, s) => (SPECIAL_FOLDERS[toStr(a[0] ?? null).toLowerCase()] ?? (() => ''))(s.userName),
      expandenvironmentvariables: (a, s) => toStr(a[0] ?? null).replace(/%([^%]+)%/g, (m, n: string) => s.env.get(n) ?? m),
      getcommandlineargs: () => ['C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'],
      getlogicaldrives: () => ['C:\\'],
    },
  },
  'System.String': {
    props: { empty: () => '' },
    methods: {
      isnullorempty: (a) => {
        const v = a[0] ?? null;
        return v === null || toStr(v) === '';
      },
      isnullorwhitespace: (a) => {
        const v = a[0] ?? null;
        return v === null || toStr(v).trim() === '';
      },
      join: (a) => {
        const sep = toStr(a[0] ?? null);
        const rest = a.slice(1);
        const items = rest.length === 1 && Array.isArray(rest[0]) ? rest[0] : rest;
        return items.map((x) => toStr(x)).join(sep);
      },
      concat: (a) => (a.length === 1 && Array.isArray(a[0]) ? a[0] : a).map((x) => toStr(x)).join(''),
      format: (a) => {
        const args = a.length === 2 && Array.isArray(a[1]) ? a[1] : a.slice(1);
        return compositeFormat(toStr(a[0] ?? null), args, (x, f) => formatArgument(x as PSValue, f));
      },
      compare: (a) => {
        const x = toStr(a[0] ?? null);
        const y = toStr(a[1] ?? null);
        const ic = a.length > 2 && toBool(a[2] ?? null);
        const r = ic ? x.localeCompare(y, 'en-US', { sensitivity: 'accent' }) : x.localeCompare(y, 'en-US', { sensitivity: 'variant' });
        return r < 0 ? -1 : r > 0 ? 1 : 0;
      },
      equals: (a) => toStr(a[0] ?? null) === toStr(a[1] ?? null),
      new: (a) => (a.length === 2 ? toStr(a[0] ?? null).repeat(toNumber(a[1] ?? null)) : Array.isArray(a[0]) ? a[0].map((x) => toStr(x)).join('') : toStr(a[0] ?? null)),
    },
  },
  'System.Int32': { props: { maxvalue: () => 2147483647, minvalue: () => -2147483648 }, methods: { parse: (a) => convertTo(a[0] ?? null, new PSTypeRef('System.Int32')) } },
  'System.Int64': { props: { maxvalue: () => 2 ** 63 - 1, minvalue: () => -(2 ** 63) }, methods: { parse: (a) => convertTo(a[0] ?? null, new PSTypeRef('System.Int64')) } },
  'System.Double': {
    props: { maxvalue: () => Number.MAX_VALUE, minvalue: () => -Number.MAX_VALUE, nan: () => NaN, positiveinfinity: () => Infinity, negativeinfinity: () => -Infinity, epsilon: () => 5e-324 },
    methods: { parse: (a) => convertTo(a[0] ?? null, new PSTypeRef('System.Double')), isnan: (a) => Number.isNaN(toNumber(a[0] ?? null)) },
  },
  'System.Byte': { props: { maxvalue: () => 255, minvalue: () => 0 } },
  'System.Char': {
    props: { maxvalue: () => '\uffff', minvalue: () => '\u0000' },
    methods: {
      isdigit: (a) => /^\d$/.test(toStr(a[0] ?? null).slice(0, 1)),
      isletter: (a) => /^\p{L}$/u.test(toStr(a[0] ?? null).slice(0, 1)),
      isletterordigit: (a) => /^[\p{L}\d]$/u.test(toStr(a[0] ?? null).slice(0, 1)),
      iswhitespace: (a) => /^\s$/.test(toStr(a[0] ?? null).slice(0, 1)),
      isupper: (a) => /^\p{Lu}$/u.test(toStr(a[0] ?? null).slice(0, 1)),
      islower: (a) => /^\p{Ll}$/u.test(toStr(a[0] ?? null).slice(0, 1)),
      toupper: (a) => toStr(a[0] ?? null).toUpperCase(),
      tolower: (a) => toStr(a[0] ?? null).toLowerCase(),
    },
  },
  'System.Boolean': { props: { truestring: () => 'True', falsestring: () => 'False' }, methods: { parse: (a) => /^\s*true\s*$/i.test(toStr(a[0] ?? null)) } },
  'System.DateTime': {
    props: {
      now: (s) => new PSDateTime(s.now(), 'Local'),
      utcnow: (s) => new PSDateTime(s.now(), 'Utc'),
      today: (s) => new PSDateTime(s.now() - (s.now() % 86400000), 'Local'),
      minvalue: () => new PSDateTime(-62135596800000, 'Unspecified'),
      maxvalue: () => new PSDateTime(253402300799999, 'Unspecified'),
    },
    methods: {
      parse: (a) => convertTo(a[0] ?? null, new PSTypeRef('System.DateTime')),
      parseexact: (a) => {
        const d = parseDate(toStr(a[0] ?? null));
        if (d === undefined) throw methodException('ParseExact', a.length, 'String was not recognized as a valid DateTime.', 'FormatException');
        return d;
      },
      daysinmonth: (a) => new Date(Date.UTC(toNumber(a[0] ?? null), toNumber(a[1] ?? null), 0)).getUTCDate(),
      isleapyear: (a) => {
        const y = toNumber(a[0] ?? null);
        return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
      },
      fromfiletime: (a) => new PSDateTime((toNumber(a[0] ?? null) + 504911232000000000 - 621355968000000000) / 10000, 'Local'),
      fromfiletimeutc: (a) => new PSDateTime((toNumber(a[0] ?? null) + 504911232000000000 - 621355968000000000) / 10000, 'Utc'),
      specifykind: (a) => {
        const d = a[0];
        return d instanceof PSDateTime ? new PSDateTime(d.ms, /utc/i.test(toStr(a[1] ?? null)) ? 'Utc' : /local/i.test(toStr(a[1] ?? null)) ? 'Local' : 'Unspecified') : null;
      },
      new: (a) => {
        if (a.length === 1) return convertTo(a[0] ?? null, new PSTypeRef('System.DateTime'));
        const n = a.map((x) => toNumber(x));
        return new PSDateTime(Date.UTC(n[0] ?? 1, (n[1] ?? 1) - 1, n[2] ?? 1, n[3] ?? 0, n[4] ?? 0, n[5] ?? 0, n[6] ?? 0), 'Unspecified');
      },
    },
  },
  'System.TimeSpan': {
    props: { zero: () => new PSTimeSpan(0), maxvalue: () => new PSTimeSpan(922337203685477), minvalue: () => new PSTimeSpan(-922337203685477) },
    methods: {
      fromdays: (a) => new PSTimeSpan(toNumber(a[0] ?? null) * 86400000),
      fromhours: (a) => new PSTimeSpan(toNumber(a[0] ?? null) * 3600000),
      fromminutes: (a) => new PSTimeSpan(toNumber(a[0] ?? null) * 60000),
      fromseconds: (a) => new PSTimeSpan(toNumber(a[0] ?? null) * 1000),
      frommilliseconds: (a) => new PSTimeSpan(toNumber(a[0] ?? null)),
      fromticks: (a) => new PSTimeSpan(toNumber(a[0] ?? null) / 10000),
      parse: (a) => convertTo(a[0] ?? null, new PSTypeRef('System.TimeSpan')),
      new: (a) => {
        const n = a.map((x) => toNumber(x));
        if (n.length === 1) return new PSTimeSpan((n[0] ?? 0) / 10000);
        if (n.length === 3) return new PSTimeSpan((n[0] ?? 0) * 3600000 + (n[1] ?? 0) * 60000 + (n[2] ?? 0) * 1000);
        return new PSTimeSpan((n[0] ?? 0) * 86400000 + (n[1] ?? 0) * 3600000 + (n[2] ?? 0) * 60000 + (n[3] ?? 0) * 1000 + (n[4] ?? 0));
      },
    },
  },
  'System.Version': {
    methods: {
      parse: (a) => convertTo(a[0] ?? null, new PSTypeRef('System.Version')),
      new: (a) => (a.length === 1 ? convertTo(a[0] ?? null, new PSTypeRef('System.Version')) : new PSVersion(toNumber(a[0] ?? 0), toNumber(a[1] ?? 0), a.length > 2 ? toNumber(a[2] ?? 0) : -1, a.length > 3 ? toNumber(a[3] ?? 0) : -1)),
    },
  },
  'System.Guid': {
    props: { empty: () => newGuidObject('00000000-0000-0000-0000-000000000000') },
    methods: { newguid: (_a, s) => newGuidObject(s.newGuid()), parse: (a) => newGuidObject(toStr(a[0] ?? null)), new: (a) => newGuidObject(toStr(a[0] ?? null)) },
  },
  'System.Convert': {
    methods: {
      tobase64string: (a) => Buffer.from(bytesOf(a[0] ?? null)).toString('base64'),
      frombase64string: (a) => {
        const s = toStr(a[0] ?? null).replace(/\s/g, '');
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw methodException('FromBase64String', 1, 'The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters. ', 'FormatException');
        return byteArray(Uint8Array.from(Buffer.from(s, 'base64')));
      },
      toint32: (a) => (a.length > 1 ? parseInt(toStr(a[0] ?? null), toNumber(a[1] ?? null)) : convertTo(a[0] ?? null, new PSTypeRef('System.Int32'))),
      toint64: (a) => (a.length > 1 ? parseInt(toStr(a[0] ?? null), toNumber(a[1] ?? null)) : convertTo(a[0] ?? null, new PSTypeRef('System.Int64'))),
      todouble: (a) => convertTo(a[0] ?? null, new PSTypeRef('System.Double')),
      toboolean: (a) => (typeof a[0] === 'string' ? /^\s*true\s*$/i.test(a[0]) : toBool(a[0] ?? null)),
      tostring: (a) => (a.length > 1 && typeof a[1] === 'number' ? Math.trunc(toNumber(a[0] ?? null)).toString(a[1]) : toStr(a[0] ?? null)),
      todatetime: (a) => convertTo(a[0] ?? null, new PSTypeRef('System.DateTime')),
      tochar: (a) => String.fromCharCode(toNumber(a[0] ?? null)),
      tobyte: (a) => convertTo(a[0] ?? null, new PSTypeRef('System.Byte')),
    },
  },
  'System.Text.Encoding': {
    props: {
      utf8: () => encodingObject('UTF8'),
      unicode: () => encodingObject('Unicode'),
      ascii: () => encodingObject('ASCII'),
      utf32: () => encodingObject('UTF32'),
      bigendianunicode: () => encodingObject('BigEndianUnicode'),
      default: () => encodingObject('Default'),
      utf7: () => encodingObject('UTF7'),
    },
    methods: {
      getencoding: (a) => {
        const n = toStr(a[0] ?? null).toLowerCase();
        if (n === 'utf-8' || n === '65001') return encodingObject('UTF8');
        if (n === 'utf-16' || n === 'unicode' || n === '1200') return encodingObject('Unicode');
        if (n === 'us-ascii' || n === 'ascii' || n === '20127') return encodingObject('ASCII');
        return encodingObject('Default');
      },
    },
  },
  'System.IO.Path': {
    props: { directoryseparatorchar: () => '\\', altdirectoryseparatorchar: () => '/', pathseparator: () => ';', volumeseparatorchar: () => ':' },
    methods: {
      combine: (a) => pathCombine((a.length === 1 && Array.isArray(a[0]) ? a[0] : a).map((x) => toStr(x))),
      getfilename: (a) => fileName(path(a[0] ?? null)),
      getfilenamewithoutextension: (a) => fileName(path(a[0] ?? null)).replace(/\.[^.]*$/, ''),
      getextension: (a) => {
        const f = fileName(path(a[0] ?? null));
        const i = f.lastIndexOf('.');
        return i > 0 || (i === 0 && f.length > 1) ? f.slice(i) : '';
      },
      getdirectoryname: (a) => {
        const p = path(a[0] ?? null);
        if (/^[A-Za-z]:\\?$/.test(p)) return null;
        const i = Math.max(p.lastIndexOf('\\'), p.lastIndexOf('/'));
        if (i < 0) return '';
        const dir = p.slice(0, i);
        return /^[A-Za-z]:$/.test(dir) ? dir + '\\' : dir;
      },
      changeextension: (a) => path(a[0] ?? null).replace(/(\.[^.\\/]*)?$/, a[1] === null ? '' : '.' + toStr(a[1] ?? '').replace(/^\./, '')),
      getfullpath: (a, s) => s.resolvePath(path(a[0] ?? null)),
      ispathrooted: (a) => /^([A-Za-z]:)?[\\/]/.test(path(a[0] ?? null)) || /^[A-Za-z]:/.test(path(a[0] ?? null)),
      getpathroot: (a) => /^[A-Za-z]:/.exec(path(a[0] ?? null))?.[0]?.concat('\\') ?? '',
      gettemppath: (_a, s) => `C:\\Users\\${s.userName}\\AppData\\Local\\Temp\\`,
      gettempfilename: (_a, s) => {
        const name = `C:\\Users\\${s.userName}\\AppData\\Local\\Temp\\tmp${s.newGuid().slice(0, 4).toUpperCase()}.tmp`;
        try {
          s.vfs.writeFile(s.vfs.resolve('C:\\', name), new Uint8Array(0));
        } catch {
          /* the temp folder may be missing in a bare VFS */
        }
        return name;
      },
      getrandomfilename: (_a, s) => `${s.newGuid().replace(/-/g, '').slice(0, 8).toLowerCase()}.${s.newGuid().slice(0, 3).toLowerCase()}`,
      getinvalidfilenamechars: () => ['"', '<', '>', '|', ':', '*', '?', '\\', '/'],
      getinvalidpathchars: () => ['"', '<', '>', '|'],
    },
  },
  'System.IO.File': {
    methods: {
      ...FILE_STREAM_METHODS,
      exists: (a, s) => {
        try {
          return s.vfs.stat(s.resolvePath(path(a[0] ?? null)))?.type === 'file';
        } catch {
          return false;
        }
      },
      readalltext: (a, s) => fileOp('ReadAllText', a.length, () => decodeFile(s.vfs.readFile(s.resolvePath(path(a[0] ?? null))))),
      readalllines: (a, s) => fileOp('ReadAllLines', a.length, () => splitLines(decodeFile(s.vfs.readFile(s.resolvePath(path(a[0] ?? null)))))),
      readallbytes: (a, s) => fileOp('ReadAllBytes', a.length, () => byteArray(s.vfs.readFile(s.resolvePath(path(a[0] ?? null))))),
      writealltext: (a, s) => fileOp('WriteAllText', a.length, () => void s.vfs.writeFile(s.resolvePath(path(a[0] ?? null)), utf8.encode(toStr(a[1] ?? null)))),
      writealllines: (a, s) =>
        fileOp('WriteAllLines', a.length, () => {
          const lines = Array.isArray(a[1]) ? a[1] : [a[1] ?? null];
          s.vfs.writeFile(s.resolvePath(path(a[0] ?? null)), utf8.encode(lines.map((x) => toStr(x) + '\r\n').join('')));
          return undefined;
        }),
      writeallbytes: (a, s) => fileOp('WriteAllBytes', a.length, () => void s.vfs.writeFile(s.resolvePath(path(a[0] ?? null)), bytesOf(a[1] ?? null))),
      appendalltext: (a, s) => fileOp('AppendAllText', a.length, () => void s.vfs.writeFile(s.resolvePath(path(a[0] ?? null)), utf8.encode(toStr(a[1] ?? null)), { append: true })),
      delete: (a, s) =>
        fileOp('Delete', a.length, () => {
          const p = s.resolvePath(path(a[0] ?? null));
          if (s.vfs.stat(p) !== undefined) s.vfs.remove(p);
          return undefined;
        }),
      copy: (a, s) => fileOp('Copy', a.length, () => void s.vfs.copyFile(s.resolvePath(path(a[0] ?? null)), s.resolvePath(path(a[1] ?? null)))),
      move: (a, s) => fileOp('Move', a.length, () => void s.vfs.rename(s.resolvePath(path(a[0] ?? null)), s.resolvePath(path(a[1] ?? null)))),
    },
  },
  'System.IO.Directory': {
    methods: {
      exists: (a, s) => {
        try {
          return s.vfs.stat(s.resolvePath(path(a[0] ?? null)))?.type === 'directory';
        } catch {
          return false;
        }
      },
      createdirectory: (a, s) => fileOp('CreateDirectory', a.length, () => void s.vfs.mkdir(s.resolvePath(path(a[0] ?? null)), { recursive: true })),
      getfiles: (a, s) => fileOp('GetFiles', a.length, () => s.vfs.readdir(s.resolvePath(path(a[0] ?? null))).filter((e) => e.type === 'file').map((e) => e.path)),
      getdirectories: (a, s) => fileOp('GetDirectories', a.length, () => s.vfs.readdir(s.resolvePath(path(a[0] ?? null))).filter((e) => e.type === 'directory').map((e) => e.path)),
      delete: (a, s) => fileOp('Delete', a.length, () => void s.vfs.remove(s.resolvePath(path(a[0] ?? null)), { recursive: a.length > 1 && toBool(a[1] ?? null) })),
      getcurrentdirectory: (_a, s) => s.cwd(),
    },
  },
  'System.Net.Dns': {
    methods: { gethostname: (_a, s) => s.computerName.toLowerCase() === s.computerName ? s.computerName : s.computerName },
  },
  'System.Security.Principal.WindowsIdentity': {
    methods: {
      getcurrent: (_a, s) => {
        const o = new PSObject(['System.Security.Principal.WindowsIdentity', 'System.Security.Claims.ClaimsIdentity', 'System.Object']);
        o.setNote('Name', s.qualifiedUser);
        o.setNote('AuthenticationType', 'NTLM');
        o.setNote('IsAuthenticated', true);
        o.setNote('IsSystem', false);
        o.setNote('IsAnonymous', false);
        o.toStringFn = () => 'System.Security.Principal.WindowsIdentity';
        return o;
      },
    },
  },
  'System.Diagnostics.Process': {
    methods: { getcurrentprocess: (_a, s) => s.currentProcess() },
  },
  'System.Text.RegularExpressions.Regex': {
    methods: {
      escape: (a) => escapeRegex(toStr(a[0] ?? null)).replace(/ /g, '\\ ').replace(/#/g, '\\#'),
      unescape: (a) => toStr(a[0] ?? null).replace(/\\(.)/g, '$1'),
      ismatch: (a) => toRegExp(toStr(a[1] ?? null), !a.slice(2).some((x) => /ignorecase/i.test(toStr(x)))).test(toStr(a[0] ?? null)),
      match: (a) => regexMatchObjectOrEmpty(toStr(a[0] ?? null), toStr(a[1] ?? null), !a.slice(2).some((x) => /ignorecase/i.test(toStr(x)))),
      matches: (a) => regexMatchesOf(toStr(a[0] ?? null), toStr(a[1] ?? null), !a.slice(2).some((x) => /ignorecase/i.test(toStr(x)))),
      replace: (a) => toStr(a[0] ?? null).replace(toRegExp(toStr(a[1] ?? null), !a.slice(3).some((x) => /ignorecase/i.test(toStr(x))), true), toStr(a[2] ?? null).replace(/\$\{(\w+)\}/g, '$<$1>').replace(/\$0/g, '$&')),
      split: (a) => toStr(a[0] ?? null).split(toRegExp(toStr(a[1] ?? null), true)),
      new: (a) => regexObject(toStr(a[0] ?? null), a.slice(1).some((x) => /ignorecase/i.test(toStr(x)))),
    },
  },
  'System.Array': {
    methods: {
      indexof: (a) => (Array.isArray(a[0]) ? a[0].findIndex((x) => toStr(x) === toStr(a[1] ?? null) && typeNameOf(x) === typeNameOf(a[1] ?? null)) : -1),
      reverse: (a) => {
        if (Array.isArray(a[0])) a[0].reverse();
        return undefined;
      },
      sort: (a) => {
        if (Array.isArray(a[0])) a[0].sort((x, y) => (toStr(x) < toStr(y) ? -1 : toStr(x) > toStr(y) ? 1 : 0));
        return undefined;
      },
      exists: () => false,
      createinstance: (a) => new Array<PSValue>(toNumber(a[1] ?? null)).fill(null),
    },
  },
  'System.Collections.ArrayList': { methods: { new: (a) => asList(Array.isArray(a[0]) ? [...a[0]] : []) } },
  'System.Collections.Hashtable': { methods: { new: () => new PSHashtable() } },
  'System.Collections.Specialized.OrderedDictionary': { methods: { new: () => new PSHashtable(true) } },
  'System.Text.StringBuilder': { methods: { new: (a) => stringBuilder(a.length > 0 && typeof a[0] === 'string' ? a[0] : '') } },
  'System.Management.Automation.PSCustomObject': { methods: {} },
  'System.Object': { methods: { new: () => new PSObject(['System.Object']), referenceequals: (a) => a[0] === a[1] } },
  'System.Management.Automation.PSObject': { methods: { new: () => new PSObject() } },
  'System.Management.Automation.ScriptBlock': { methods: SCRIPTBLOCK_METHODS },
  'System.Security.SecureString': { methods: { new: () => secureString('') } },
  'System.Management.Automation.PSCredential': { props: { empty: () => null }, methods: { new: (a) => psCredential(a) } },
  'System.Net.NetworkCredential': { methods: { new: (a) => networkCredential(a.length > 0 ? toStr(a[0] ?? null) : '', a[1] ?? null, a.length > 2 ? toStr(a[2] ?? null) : '') } },
  'System.Runtime.InteropServices.Marshal': { methods: MARSHAL_METHODS },
  'System.Management.Automation.Host.ChoiceDescription': { methods: { new: (a) => choiceDescription(a) } },
  'System.Management.Automation.Host.FieldDescription': { methods: { new: (a) => fieldDescription(a) } },
  'System.Management.Automation.ProgressRecord': { methods: { new: (a) => progressRecord(a) } },
  ...CRYPTO_STATICS,
  'System.Management.Automation.PowerShell': POWERSHELL_STATICS,
  'System.Console': CONSOLE,
  'System.IO.StringWriter': { methods: { new: (a) => textWriter('string', a[0] ?? null) } },
  'System.Text.UTF8Encoding': { methods: { new: () => encodingObject('UTF8') } },
  'System.Text.UnicodeEncoding': { methods: { new: () => encodingObject('Unicode') } },
  'System.Text.ASCIIEncoding': { methods: { new: () => encodingObject('ASCII') } },
  ...Object.fromEntries(Object.entries(FILE_ENUM_STATICS).map(([k, props]) => [k, { props }])),
};

function regexObject(pattern: string, ignoreCase: boolean): PSObject {
  const o = new PSObject(['System.Text.RegularExpressions.Regex', 'System.Object']);
  o.setNote('Options', ignoreCase ? 'IgnoreCase' : 'None');
  o.setNote('RightToLeft', false);
  o.setNote('MatchTimeout', new PSTimeSpan(-1));
  o.toStringFn = () => pattern;
  o.addMethod('IsMatch', (a) => toRegExp(pattern, !ignoreCase).test(toStr(a[0] ?? null)));
  o.addMethod('Match', (a) => regexMatchObjectOrEmpty(toStr(a[0] ?? null), pattern, !ignoreCase));
  o.addMethod('Matches', (a) => regexMatchesOf(toStr(a[0] ?? null), pattern, !ignoreCase));
  o.addMethod('Replace', (a) => toStr(a[0] ?? null).replace(toRegExp(pattern, !ignoreCase, true), toStr(a[1] ?? null)));
  o.addMethod('Split', (a) => toStr(a[0] ?? null).split(toRegExp(pattern, !ignoreCase)));
  o.addMethod('ToString', () => pattern);
  return o;
}

export function stringBuilder(initial: string): PSObject {
  const o = new PSObject(['System.Text.StringBuilder', 'System.Object']);
  let buf = initial;
  o.addProperty({ name: 'Capacity', kind: 'Property', getter: () => Math.max(16, buf.length) });
  o.addProperty({ name: 'MaxCapacity', kind: 'Property', value: 2147483647 });
  o.addProperty({ name: 'Length', kind: 'Property', getter: () => buf.length, setter: (v) => (buf = buf.slice(0, toNumber(v))) });
  o.toStringFn = () => buf;
  o.addMethod('Append', (a) => {
    buf += a.map((x) => toStr(x)).join('');
    return o;
  });
  o.addMethod('AppendLine', (a) => {
    buf += (a.length > 0 ? toStr(a[0] ?? null) : '') + '\r\n';
    return o;
  });
  o.addMethod('AppendFormat', (a) => {
    buf += compositeFormat(toStr(a[0] ?? null), a.slice(1), (x, f) => formatArgument(x as PSValue, f));
    return o;
  });
  o.addMethod('Insert', (a) => {
    const i = toNumber(a[0] ?? null);
    buf = buf.slice(0, i) + toStr(a[1] ?? null) + buf.slice(i);
    return o;
  });
  o.addMethod('Clear', () => {
    buf = '';
    return o;
  });
  o.addMethod('ToString', () => buf);
  return o;
}

function typeNotFoundStatic(t: PSTypeRef, name: string): never {
  throw runtimeError({
    message: Msg.MethodNotFound(t.fullName, name),
    errorId: 'MethodNotFound',
    category: 'InvalidOperation',
    exceptionType: 'System.Management.Automation.RuntimeException',
  });
}

/** `[Type]::Property`; undefined when the type has no such static property. */
export function getStatic(t: PSTypeRef, name: string, svc: RuntimeServices): PSValue | undefined {
  const st = STATICS[t.fullName];
  const f = st?.props?.[name.toLowerCase()];
  if (f !== undefined) return f(svc);
  // An enum's values are its static fields ([System.ConsoleColor]::Blue).
  if (ENUM_TYPES[t.fullName] !== undefined) return enumMember(t.fullName, name);
  return undefined;
}

/** `[Type]::Property = value`; false when the type has no settable static property of that name. */
export function setStatic(t: PSTypeRef, name: string, value: PSValue, svc: RuntimeServices): boolean {
  const set = t.fullName === 'System.Console' ? CONSOLE.setters[name.toLowerCase()] : undefined;
  if (set === undefined) return false;
  set(value, svc);
  return true;
}

/** `[Type]::Method(args)`. */
export async function invokeStatic(t: PSTypeRef, name: string, args: PSValue[], svc: RuntimeServices): Promise<PSValue | undefined> {
  const lower = name.toLowerCase();
  if ((t.fullName.startsWith('System.Collections.Generic.List`1') || t.fullName.startsWith('System.Collections.ObjectModel.Collection`1')) && lower === 'new') return asList(Array.isArray(args[0]) ? [...args[0]] : [], t.fullName);
  const st = STATICS[t.fullName];
  const f = st?.methods?.[lower];
  // `New-Object byte[] 4`, `[string[]]::new(3)`: an array of that many default values.
  if (f === undefined && lower === 'new' && t.elementType !== undefined && args.length === 1 && typeof args[0] === 'number') {
    svc.limits.checkArray(args[0]);
    const el = t.elementType.fullName;
    const zero: PSValue = /^System\.(U?Int(16|32|64)|S?Byte|Double|Single|Decimal)$/.test(el) ? 0 : el === 'System.Boolean' ? false : el === 'System.Char' ? '\0' : null;
    return new Array<PSValue>(Math.max(0, Math.trunc(args[0]))).fill(zero);
  }
  if (f === undefined) {
    if (lower === 'new' || lower === 'parse') {
      if (args.length === 1) return convertTo(args[0] ?? null, t);
    }
    if (lower === 'equals') return args[0] === args[1];
    return typeNotFoundStatic(t, name);
  }
  return await f(args, svc);
}

/** New-Object TypeName [-ArgumentList]. */
export async function newObject(t: PSTypeRef, args: PSValue[], svc: RuntimeServices): Promise<PSValue> {
  const full = t.fullName;
  if (full === 'System.Management.Automation.PSObject' || full === 'System.Object' || full === 'System.Management.Automation.PSCustomObject') return new PSObject();
  const r = await invokeStatic(t, 'new', args, svc);
  return r ?? null;
}

/** Format a date for Get-Date -Format / -UFormat. */
export function formatDateValue(d: PSDateTime, format: string): string {
  return formatDate(dateParts(d.ms, d.kind, d.extraTicks), format);
}

export { invokeMethod };
