// Format views of the types the emulation produces, transcribed from Windows PowerShell 5.1's
// default format data (FileSystem.format.ps1xml, DotNetTypes.format.ps1xml,
// PowerShellCore.format.ps1xml): column labels, widths and alignments.
import { displayString, numberToString, objectToString, toStr, typeNamesOf } from '../runtime/convert.js';
import { formatDate, dateParts, formatNumber } from '../runtime/dotnet-format.js';
import { getProperty as getMember } from '../runtime/members.js';
import { PSDateTime, PSEnum, PSHashtable, PSObject, type PSValue } from '../runtime/values.js';

export type Align = 'left' | 'right' | 'undefined';

export interface TableColumn {
  readonly label: string;
  /** Width from the view (0 = auto). */
  readonly width: number;
  readonly align: Align;
  /** The cell text of an object. */
  readonly value: (o: PSValue) => string;
  /** The raw value (for default alignment of generated columns). */
  readonly raw?: (o: PSValue) => PSValue;
}

export interface TableView {
  readonly kind: 'table';
  readonly columns: readonly TableColumn[];
  readonly wrap: boolean;
  readonly hideHeaders: boolean;
  /** GroupBy: the group key of an object and the lines that head a group. */
  readonly groupBy?: { readonly key: (o: PSValue) => string; readonly header: (o: PSValue) => string[] };
  /** True for views generated from properties (no view definition): applies to any object. */
  readonly generated: boolean;
  readonly appliesTo: readonly string[];
  readonly autosize: boolean;
}

export interface ListEntry {
  readonly label: string;
  readonly value: () => string;
}

export interface ListView {
  readonly kind: 'list';
  readonly entries: (o: PSValue) => ListEntry[];
  readonly generated: boolean;
  readonly appliesTo: readonly string[];
  readonly groupBy?: TableView['groupBy'];
}

export interface CustomView {
  readonly kind: 'custom';
  readonly text: (o: PSValue) => string;
  readonly outOfBand: boolean;
  readonly appliesTo: readonly string[];
}

export type View = TableView | ListView | CustomView;

const ENUMERATION_LIMIT = 4;

/** The display name of an element inside "{a, b, c}" (PSObjectHelper.GetObjectName). */
function elementName(x: PSValue): string {
  if (x === null) return '$null';
  if (x instanceof PSObject && x.typeNames[0] === 'System.Collections.DictionaryEntry') return toStr(x.getValue('Key') ?? null);
  if (x instanceof PSObject && !x.isCustom && x.toStringFn === undefined) {
    const n = x.getValue('Name') ?? x.getValue('Id') ?? x.getValue('Key');
    if (n !== undefined) return toStr(n);
  }
  return displayString(x);
}

/** FormatField: a value as a table cell / list value (collections as "{a, b, c...}"). */
export function formatField(v: PSValue, enumerationLimit = ENUMERATION_LIMIT): string {
  if (v === null) return '';
  let items: readonly PSValue[] | undefined;
  if (Array.isArray(v)) items = v;
  else if (v instanceof PSHashtable) items = v.keys();
  if (items !== undefined) {
    const parts: string[] = [];
    let i = 0;
    for (const x of items) {
      if (enumerationLimit >= 0 && i === enumerationLimit) {
        return `{${parts.join(', ')}...}`;
      }
      parts.push(elementName(x));
      i++;
    }
    return `{${parts.join(', ')}}`;
  }
  return displayString(v);
}

function prop(name: string): (o: PSValue) => string {
  return (o) => {
    const v = getMember(o, name);
    return v === undefined ? '' : formatField(v);
  };
}
function rawProp(name: string): (o: PSValue) => PSValue {
  return (o) => getMember(o, name) ?? null;
}

function col(label: string, width: number, align: Align, value: (o: PSValue) => string): TableColumn {
  return { label, width, align, value };
}

function lastWriteCell(o: PSValue): string {
  const d = getMember(o, 'LastWriteTime');
  if (!(d instanceof PSDateTime)) return '';
  const p = dateParts(d.ms, d.kind);
  return `${formatDate(p, 'd').padStart(10)}  ${formatDate(p, 't').padStart(8)}`;
}

function parentPathKey(o: PSValue): string {
  return toStr(getMember(o, 'PSParentPath') ?? null);
}

const FILESYSTEM_GROUP: TableView['groupBy'] = {
  key: parentPathKey,
  header: (o) => [`    Directory: ${parentPathKey(o).replace('Microsoft.PowerShell.Core\\FileSystem::', '')}`, ''],
};

const VIEWS: View[] = [
  {
    kind: 'table',
    appliesTo: ['System.IO.DirectoryInfo', 'System.IO.FileInfo'],
    generated: false,
    autosize: false,
    wrap: true,
    hideHeaders: false,
    groupBy: FILESYSTEM_GROUP,
    columns: [col('Mode', 7, 'left', prop('Mode')), col('LastWriteTime', 25, 'right', lastWriteCell), col('Length', 14, 'right', prop('Length')), col('Name', 0, 'undefined', prop('Name'))],
  },
  {
    kind: 'table',
    appliesTo: ['System.Diagnostics.Process'],
    generated: false,
    autosize: false,
    wrap: false,
    hideHeaders: false,
    columns: [
      col('Handles', 7, 'right', prop('HandleCount')),
      col('NPM(K)', 7, 'right', (o) => numberToString(Math.round(Number(getMember(o, 'NPM') ?? 0) / 1024))),
      col('PM(K)', 8, 'right', (o) => numberToString(Math.round(Number(getMember(o, 'PM') ?? 0) / 1024))),
      col('WS(K)', 10, 'right', (o) => numberToString(Math.round(Number(getMember(o, 'WS') ?? 0) / 1024))),
      col('CPU(s)', 10, 'right', (o) => {
        const c = getMember(o, 'CPU');
        return typeof c === 'number' ? formatNumber(c, 'N') : '';
      }),
      col('Id', 6, 'right', prop('Id')),
      col('SI', 3, 'right', prop('SI')),
      col('ProcessName', 0, 'undefined', prop('ProcessName')),
    ],
  },
  {
    kind: 'table',
    appliesTo: ['System.ServiceProcess.ServiceController'],
    generated: false,
    autosize: false,
    wrap: false,
    hideHeaders: false,
    columns: [col('Status', 8, 'undefined', prop('Status')), col('Name', 18, 'undefined', prop('Name')), col('DisplayName', 38, 'undefined', prop('DisplayName'))],
  },
  {
    kind: 'table',
    appliesTo: ['System.Collections.DictionaryEntry'],
    generated: false,
    autosize: false,
    wrap: false,
    hideHeaders: false,
    columns: [col('Name', 30, 'undefined', prop('Name')), col('Value', 0, 'undefined', prop('Value'))],
  },
  {
    kind: 'table',
    appliesTo: ['System.Version'],
    generated: false,
    autosize: false,
    wrap: false,
    hideHeaders: false,
    columns: [col('Major', 6, 'undefined', prop('Major')), col('Minor', 6, 'undefined', prop('Minor')), col('Build', 6, 'undefined', prop('Build')), col('Revision', 8, 'undefined', prop('Revision'))],
  },
  {
    kind: 'custom',
    appliesTo: ['System.DateTime'],
    outOfBand: false,
    text: (o) => toStr(getMember(o, 'DateTime') ?? null),
  },
  {
    kind: 'list',
    appliesTo: ['System.TimeSpan'],
    generated: false,
    entries: (o) =>
      ['Days', 'Hours', 'Minutes', 'Seconds', 'Milliseconds', 'Ticks', 'TotalDays', 'TotalHours', 'TotalMinutes', 'TotalSeconds', 'TotalMilliseconds'].map((n) => ({ label: n, value: () => prop(n)(o) })),
  },
  {
    kind: 'table',
    appliesTo: ['System.Management.Automation.PSVariable'],
    generated: false,
    autosize: false,
    wrap: false,
    hideHeaders: false,
    columns: [col('Name', 30, 'undefined', prop('Name')), col('Value', 0, 'undefined', prop('Value'))],
  },
  {
    kind: 'table',
    appliesTo: ['System.Management.Automation.PathInfo'],
    generated: false,
    autosize: false,
    wrap: false,
    hideHeaders: false,
    columns: [col('Path', 0, 'undefined', prop('Path'))],
  },
  {
    kind: 'table',
    appliesTo: [
      'System.Management.Automation.AliasInfo',
      'System.Management.Automation.ApplicationInfo',
      'System.Management.Automation.CmdletInfo',
      'System.Management.Automation.ExternalScriptInfo',
      'System.Management.Automation.FilterInfo',
      'System.Management.Automation.FunctionInfo',
      'System.Management.Automation.ScriptInfo',
    ],
    generated: false,
    autosize: false,
    wrap: false,
    hideHeaders: false,
    columns: [
      col('CommandType', 15, 'undefined', prop('CommandType')),
      col('Name', 50, 'undefined', (o) => (toStr(getMember(o, 'CommandType') ?? null) === 'Alias' ? prop('DisplayName')(o) : prop('Name')(o))),
      col('Version', 10, 'undefined', prop('Version')),
      col('Source', 0, 'undefined', prop('Source')),
    ],
  },
  {
    kind: 'table',
    appliesTo: ['Microsoft.PowerShell.Commands.GroupInfo'],
    generated: false,
    autosize: false,
    wrap: false,
    hideHeaders: false,
    columns: [col('Count', 5, 'right', prop('Count')), col('Name', 25, 'undefined', prop('Name')), col('Group', 0, 'undefined', prop('Group'))],
  },
  {
    kind: 'table',
    appliesTo: ['Microsoft.PowerShell.Commands.GroupInfoNoElement'],
    generated: false,
    autosize: false,
    wrap: false,
    hideHeaders: false,
    columns: [col('Count', 5, 'right', prop('Count')), col('Name', 25, 'undefined', prop('Name'))],
  },
  {
    kind: 'table',
    appliesTo: ['System.RuntimeType'],
    generated: false,
    autosize: false,
    wrap: false,
    hideHeaders: false,
    columns: [col('IsPublic', 8, 'undefined', prop('IsPublic')), col('IsSerial', 8, 'undefined', prop('IsSerializable')), col('Name', 40, 'undefined', prop('Name')), col('BaseType', 0, 'undefined', prop('BaseType'))],
  },
  {
    kind: 'table',
    appliesTo: ['System.Guid'],
    generated: false,
    autosize: false,
    wrap: false,
    hideHeaders: false,
    columns: [col('Guid', 0, 'undefined', prop('Guid'))],
  },
  {
    kind: 'custom',
    appliesTo: ['System.Management.Automation.ScriptBlock'],
    outOfBand: true,
    text: (o) => objectToString(o),
  },
  {
    kind: 'custom',
    appliesTo: ['System.Management.Automation.WarningRecord'],
    outOfBand: true,
    text: (o) => toStr(getMember(o, 'Message') ?? null),
  },
];

/** The default view of an object's type (first view registered for its most derived type name). */
export function viewFor(v: PSValue): View | undefined {
  const names = typeNamesOf(v);
  for (const n of names) {
    const view = VIEWS.find((x) => x.appliesTo.includes(n));
    if (view !== undefined) return view;
  }
  return undefined;
}

/** Scalar types that are written with ToString() (DefaultScalarTypes, plus enums). */
export function isScalar(v: PSValue): boolean {
  if (v === null) return true;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return true;
  if (v instanceof PSEnum) return true;
  return false;
}

/** The properties shown for an object without a view (DefaultDisplayPropertySet or all). */
export function displayProperties(v: PSValue): string[] {
  if (v instanceof PSObject) {
    if (v.defaultDisplay !== undefined) return [...v.defaultDisplay];
    return v.properties().map((p) => p.name);
  }
  return propertyNamesOf(v);
}

/** Public properties of emulated .NET values (for Select-Object *, Format-List *). */
export function propertyNamesOf(v: PSValue): string[] {
  if (v instanceof PSObject) return v.properties().map((p) => p.name);
  if (v instanceof PSDateTime) return ['DisplayHint', 'DateTime', 'Date', 'Day', 'DayOfWeek', 'DayOfYear', 'Hour', 'Kind', 'Millisecond', 'Minute', 'Month', 'Second', 'Ticks', 'TimeOfDay', 'Year'];
  if (v instanceof PSHashtable) return ['IsReadOnly', 'IsFixedSize', 'IsSynchronized', 'Keys', 'Values', 'SyncRoot', 'Count'];
  if (typeof v === 'string') return ['Length'];
  const t = typeNamesOf(v)[0];
  switch (t) {
    case 'System.Version':
      return ['Major', 'Minor', 'Build', 'Revision', 'MajorRevision', 'MinorRevision'];
    case 'System.TimeSpan':
      return ['Ticks', 'Days', 'Hours', 'Milliseconds', 'Minutes', 'Seconds', 'TotalDays', 'TotalHours', 'TotalMilliseconds', 'TotalMinutes', 'TotalSeconds'];
    case 'System.Management.Automation.ErrorRecord':
      return ['Exception', 'TargetObject', 'CategoryInfo', 'FullyQualifiedErrorId', 'ErrorDetails', 'InvocationInfo', 'ScriptStackTrace', 'PipelineIterationInfo', 'PSMessageDetails'];
    case 'System.RuntimeType':
      return ['Name', 'FullName', 'Namespace', 'BaseType', 'IsPublic', 'IsSerializable', 'IsArray', 'IsValueType'];
    default:
      return [];
  }
}

/** A generated table view for an object (Format-Table / default table shape). */
export function generatedTable(properties: readonly { label: string; width?: number; align?: Align; value: (o: PSValue) => PSValue }[], first: PSValue, opts: { autosize: boolean; wrap: boolean; hideHeaders: boolean }): TableView {
  return {
    kind: 'table',
    appliesTo: [],
    generated: true,
    autosize: opts.autosize,
    wrap: opts.wrap,
    hideHeaders: opts.hideHeaders,
    columns: properties.map((p) => {
      const v0 = first === null ? null : p.value(first);
      const align: Align = p.align ?? (v0 !== null && typeof v0 !== 'string' && isScalar(v0) ? 'right' : 'left');
      return { label: p.label, width: p.width ?? 0, align, value: (o: PSValue) => formatField(p.value(o)), raw: p.value };
    }),
  };
}

export function generatedList(properties: (o: PSValue) => { label: string; value: (o: PSValue) => PSValue }[]): ListView {
  return {
    kind: 'list',
    appliesTo: [],
    generated: true,
    entries: (o) => properties(o).map((p) => ({ label: p.label, value: () => formatField(p.value(o)) })),
  };
}

export function memberValue(name: string): (o: PSValue) => PSValue {
  return (o) => (o === null ? null : (getMember(o, name) ?? null));
}

export { rawProp };
