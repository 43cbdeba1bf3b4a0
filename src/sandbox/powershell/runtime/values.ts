// The object model of the emulated engine. Pipelines carry these values (not text), so the same
// engine can later return them over PowerShell Remoting (issue 9); the text formatter in
// ../format renders them the way Windows PowerShell 5.1's Out-Default does.
//
// Mapping to .NET: null → $null, boolean → System.Boolean, number → System.Int32 / Int64 / Double
// (inferred from the value), string → System.String, PSValue[] → System.Object[] (or ArrayList),
// PSHashtable → Hashtable / OrderedDictionary, PSObject → PSCustomObject or an emulated .NET
// object (FileInfo, Process…) with its type names and properties.
import type { ScriptBlockAst } from '../language/ast.js';
import type { Extent, ScriptSource } from '../language/position.js';

export type PSValue =
  | null
  | boolean
  | number
  | string
  | PSValue[]
  | PSObject
  | PSHashtable
  | PSScriptBlock
  | PSTypeRef
  | PSDateTime
  | PSTimeSpan
  | PSVersion
  | PSEnum
  | PSErrorRecord
  | PSException
  | PSRegexMatch;

// ---- arrays --------------------------------------------------------------------------------

const listTypes = new WeakMap<PSValue[], string>();

/** Mark an array as a resizable list (`System.Collections.ArrayList`, `List[T]`). */
export function asList(arr: PSValue[], typeName = 'System.Collections.ArrayList'): PSValue[] {
  listTypes.set(arr, typeName);
  return arr;
}

export function listTypeName(arr: PSValue[]): string | undefined {
  return listTypes.get(arr);
}

// ---- objects -------------------------------------------------------------------------------

export interface PSProperty {
  readonly name: string;
  value?: PSValue;
  readonly getter?: () => PSValue;
  readonly setter?: (v: PSValue) => void;
  readonly kind: 'NoteProperty' | 'Property' | 'ScriptProperty' | 'AliasProperty' | 'CodeProperty';
  /** Not shown by formatting / Get-Member by default (PS* properties of provider items). */
  readonly hidden?: boolean;
  /** .NET type name of the value, for Get-Member (e.g. `string`, `long`). */
  readonly typeName?: string;
}

export type PSMethod = (args: PSValue[]) => PSValue;

export const PSCUSTOMOBJECT = 'System.Management.Automation.PSCustomObject';

/** A PSObject: a PSCustomObject or an emulated .NET object, with ordered, case-insensitive members. */
export class PSObject {
  readonly typeNames: string[];
  private readonly members = new Map<string, PSProperty>();
  readonly methods = new Map<string, { name: string; fn: PSMethod }>();
  /** Properties shown by default when no format view exists (PSStandardMembers). */
  defaultDisplay: readonly string[] | undefined;
  /** The object's ToString(). */
  toStringFn: (() => string) | undefined;
  /** Emulator-private payload (e.g. the VFS path of a FileInfo). */
  native: unknown;

  constructor(typeNames: readonly string[] = [PSCUSTOMOBJECT, 'System.Object']) {
    this.typeNames = [...typeNames];
  }

  static custom(entries: Iterable<readonly [string, PSValue]> = []): PSObject {
    const o = new PSObject();
    for (const [k, v] of entries) o.setNote(k, v);
    return o;
  }

  get isCustom(): boolean {
    return this.typeNames[0] === PSCUSTOMOBJECT;
  }

  property(name: string): PSProperty | undefined {
    return this.members.get(name.toLowerCase());
  }

  /** Add or replace a note property (keeps the original position when replacing). */
  setNote(name: string, value: PSValue): void {
    const key = name.toLowerCase();
    const existing = this.members.get(key);
    if (existing !== undefined && existing.kind === 'NoteProperty') {
      existing.value = value;
      return;
    }
    this.members.set(key, { name, value, kind: 'NoteProperty' });
  }

  addProperty(p: PSProperty): void {
    this.members.set(p.name.toLowerCase(), p);
  }

  removeProperty(name: string): void {
    this.members.delete(name.toLowerCase());
  }

  addMethod(name: string, fn: PSMethod): void {
    this.methods.set(name.toLowerCase(), { name, fn });
  }

  properties(includeHidden = false): PSProperty[] {
    const out: PSProperty[] = [];
    for (const p of this.members.values()) if (includeHidden || p.hidden !== true) out.push(p);
    return out;
  }

  getValue(name: string): PSValue | undefined {
    const p = this.property(name);
    if (p === undefined) return undefined;
    if (p.getter !== undefined) return p.getter();
    return p.value ?? null;
  }
}

export function propertyValue(p: PSProperty): PSValue {
  return p.getter !== undefined ? p.getter() : (p.value ?? null);
}

// ---- hashtables ----------------------------------------------------------------------------

const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

function keyOf(k: PSValue): string {
  if (typeof k === 'string') return 's' + k.toLowerCase();
  if (typeof k === 'number') return 'n' + String(k);
  if (typeof k === 'boolean') return 'b' + String(k);
  if (k === null) return 'null';
  let id = objectIds.get(k);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(k, id);
  }
  return 'o' + String(id);
}

/**
 * `@{}` (System.Collections.Hashtable, case-insensitive keys) or `[ordered]@{}`
 * (OrderedDictionary). Both keep insertion order here: .NET's Hashtable order depends on
 * string hash codes of the real process and is not reproduced.
 */
export class PSHashtable {
  private readonly map = new Map<string, [PSValue, PSValue]>();
  constructor(readonly ordered = false) {}

  get size(): number {
    return this.map.size;
  }
  get(key: PSValue): PSValue | undefined {
    return this.map.get(keyOf(key))?.[1];
  }
  has(key: PSValue): boolean {
    return this.map.has(keyOf(key));
  }
  set(key: PSValue, value: PSValue): void {
    const k = keyOf(key);
    const e = this.map.get(k);
    if (e !== undefined) e[1] = value;
    else this.map.set(k, [key, value]);
  }
  delete(key: PSValue): void {
    this.map.delete(keyOf(key));
  }
  clear(): void {
    this.map.clear();
  }
  keys(): PSValue[] {
    return [...this.map.values()].map((e) => e[0]);
  }
  values(): PSValue[] {
    return [...this.map.values()].map((e) => e[1]);
  }
  entries(): [PSValue, PSValue][] {
    return [...this.map.values()].map((e) => [e[0], e[1]]);
  }
  clone(): PSHashtable {
    const h = new PSHashtable(this.ordered);
    for (const [k, v] of this.entries()) h.set(k, v);
    return h;
  }
  /** Another dictionary type this one stands for (Dictionary`2 of CommandInfo.Parameters…). */
  dictionaryType: string | undefined = undefined;
  get typeName(): string {
    return this.dictionaryType ?? (this.ordered ? 'System.Collections.Specialized.OrderedDictionary' : 'System.Collections.Hashtable');
  }
}

// ---- script blocks and types ----------------------------------------------------------------

export class PSScriptBlock {
  constructor(
    readonly ast: ScriptBlockAst,
    readonly source: ScriptSource,
  ) {}
  /** ScriptBlock.ToString(): the text between the braces. */
  get text(): string {
    const { start, end } = this.ast.extent;
    const t = this.source.text.slice(start, end);
    if (t.startsWith('{') && t.endsWith('}')) return t.slice(1, -1);
    return t;
  }
}

/** A type literal (`[int]`, `[System.IO.Path]`): its .NET full name. */
export class PSTypeRef {
  constructor(
    readonly fullName: string,
    /** For arrays (`[string[]]`) the element type. */
    readonly elementType?: PSTypeRef,
  ) {}
  get name(): string {
    // Type.Name of a generic type stops before its arguments (Dictionary`2).
    const bare = this.fullName.split('[')[0] ?? this.fullName;
    const i = bare.lastIndexOf('.');
    return `${i >= 0 ? bare.slice(i + 1) : bare}${this.fullName.endsWith('[]') ? '[]' : ''}`;
  }
}

// ---- dates and durations --------------------------------------------------------------------

export type DateTimeKind = 'Local' | 'Utc' | 'Unspecified';

/**
 * System.DateTime. `ms` is milliseconds since 1970-01-01 of the wall-clock time (the emulated
 * host's local time zone is UTC, so Local and Utc denote the same instant).
 */
export class PSDateTime {
  constructor(
    readonly ms: number,
    readonly kind: DateTimeKind = 'Local',
    /** Sub-millisecond ticks (0..9999) for round-trip formats. */
    readonly extraTicks = 0,
  ) {}
  get ticks(): number {
    // 0001-01-01 to 1970-01-01 is 621355968000000000 ticks
    return this.ms * 10000 + 621355968000000000 + this.extraTicks;
  }
}

/** System.TimeSpan, in milliseconds (fractions allowed). */
export class PSTimeSpan {
  constructor(readonly ms: number) {}
}

export class PSVersion {
  constructor(
    readonly major: number,
    readonly minor: number,
    readonly build = -1,
    readonly revision = -1,
  ) {}
  toString(): string {
    let s = `${this.major}.${this.minor}`;
    if (this.build >= 0) s += `.${this.build}`;
    if (this.revision >= 0) s += `.${this.revision}`;
    return s;
  }
  static parse(s: string): PSVersion | undefined {
    const m = /^\s*(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$/.exec(s);
    if (m === null) return undefined;
    return new PSVersion(Number(m[1]), Number(m[2]), m[3] !== undefined ? Number(m[3]) : -1, m[4] !== undefined ? Number(m[4]) : -1);
  }
}

/** A value of a .NET enum (ServiceControllerStatus.Running…). */
export class PSEnum {
  constructor(
    readonly typeName: string,
    readonly name: string,
    readonly value: number,
  ) {}
}

/** A regex match result ($matches holds a hashtable; -match on strings returns booleans). */
export class PSRegexMatch {
  constructor(
    readonly value: string,
    readonly index: number,
    readonly groups: readonly (string | undefined)[],
    readonly named: Readonly<Record<string, string | undefined>>,
  ) {}
}

// ---- errors ---------------------------------------------------------------------------------

/** An exception object (what `$_.Exception` is). */
export class PSException {
  constructor(
    /** .NET full type name, e.g. System.Management.Automation.RuntimeException. */
    readonly typeName: string,
    readonly message: string,
    readonly inner?: PSException,
    /** For RuntimeException raised by `throw <object>`: the thrown object. */
    readonly thrownObject?: PSValue,
  ) {}
  get shortTypeName(): string {
    const i = this.typeName.lastIndexOf('.');
    return i >= 0 ? this.typeName.slice(i + 1) : this.typeName;
  }
}

export type ErrorCategory =
  | 'NotSpecified'
  | 'OpenError'
  | 'CloseError'
  | 'DeviceError'
  | 'DeadlockDetected'
  | 'InvalidArgument'
  | 'InvalidData'
  | 'InvalidOperation'
  | 'InvalidResult'
  | 'InvalidType'
  | 'MetadataError'
  | 'NotImplemented'
  | 'NotInstalled'
  | 'ObjectNotFound'
  | 'OperationStopped'
  | 'OperationTimeout'
  | 'SyntaxError'
  | 'ParserError'
  | 'PermissionDenied'
  | 'ResourceBusy'
  | 'ResourceExists'
  | 'ResourceUnavailable'
  | 'ReadError'
  | 'WriteError'
  | 'FromStdErr'
  | 'SecurityError'
  | 'ProtocolError'
  | 'ConnectionError'
  | 'AuthenticationError'
  | 'LimitsExceeded'
  | 'QuotaExceeded'
  | 'NotEnabled';

/** What ErrorRecord.InvocationInfo holds for the error view. */
export interface ErrorInvocation {
  /** MyCommand: the cmdlet, function or script that failed (undefined: none). */
  readonly command?: { readonly name: string; readonly type: 'Cmdlet' | 'Function' | 'Script' | 'ExternalScript' | 'Application'; readonly implementingType?: string; readonly scriptText?: string };
  /** InvocationName: the name as typed. */
  readonly invocationName?: string;
  /** Where: extent in a script source (PositionMessage). */
  readonly extent?: Extent;
  readonly source?: ScriptSource;
}

/** System.Management.Automation.ErrorRecord. */
export class PSErrorRecord {
  errorDetails: string | undefined;
  categoryActivity: string | undefined;
  categoryReason: string | undefined;
  categoryTargetName: string | undefined;
  categoryTargetType: string | undefined;
  /** Extra text the error view shows after the message (PSMessageDetails). */
  messageDetails: string | undefined;
  /** A parse error raised while running -Command: InvocationInfo is absent in the view. */
  parseError = false;

  constructor(
    readonly exception: PSException,
    /** The error id (FullyQualifiedErrorId without the command suffix). */
    readonly errorId: string,
    readonly category: ErrorCategory,
    readonly targetObject: PSValue,
    public invocation: ErrorInvocation | undefined = undefined,
  ) {}

  /** FullyQualifiedErrorId: id plus `,` and the cmdlet's implementing type or the script's name. */
  get fullyQualifiedErrorId(): string {
    const c = this.invocation?.command;
    let typeName = '';
    if (c !== undefined) {
      if (c.type === 'Cmdlet') typeName = c.implementingType ?? '';
      else if (c.type === 'Function' || c.type === 'Script' || c.type === 'ExternalScript') typeName = c.name;
    }
    return typeName !== '' && this.errorId !== '' ? `${this.errorId},${typeName}` : this.errorId;
  }

  get activity(): string {
    if (this.categoryActivity !== undefined && this.categoryActivity !== '') return this.categoryActivity;
    const c = this.invocation?.command;
    if (c !== undefined && (c.type === 'Cmdlet' || c.type === 'Function' || c.type === 'Script' || c.type === 'ExternalScript') && c.name !== '') return c.name;
    return '';
  }

  get message(): string {
    return this.errorDetails !== undefined && this.errorDetails !== '' ? this.errorDetails : this.exception.message;
  }
}
