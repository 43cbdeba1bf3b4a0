// Write-* cmdlets, Out-* cmdlets and Format-Table / Format-List / Format-Wide.
import type { CmdletContext, CmdletDef, ParamDef } from '../runtime/command.js';
import { displayString, toStr } from '../runtime/convert.js';
import { getProperty as getMember } from '../runtime/members.js';
import { PSEnum, PSErrorRecord, PSException, PSHashtable, PSObject, PSScriptBlock, type ErrorCategory, type PSValue } from '../runtime/values.js';
import { FormattedOutput, listLines, OutDefault } from '../format/out-default.js';
import { displayProperties, formatField, generatedTable, memberValue, propertyNamesOf, viewFor, type Align } from '../format/views.js';
import { wildcardToRegExp, hasWildcard } from '../runtime/operators.js';
import { cellLength } from '../format/text.js';
import { encodeContent } from './items.js';
import { formatNumber as formatNumberLocal } from '../runtime/dotnet-format.js';
import { sessionHostOf, type HostRender } from '../host/session-host.js';

const UTIL = 'Microsoft.PowerShell.Utility';
const CORE = 'Microsoft.PowerShell.Core';

function def(name: string, module: string, params: ParamDef[], impl: Partial<Pick<CmdletDef, 'begin' | 'process' | 'end' | 'shouldProcess'>>): CmdletDef {
  const noun = name.replace('-', '');
  return { name, implementingType: `Microsoft.PowerShell.Commands.${noun}Command`, module, params, ...impl };
}

export function hostText(v: PSValue, sep: string): string {
  if (Array.isArray(v)) return v.map((x) => hostText(x, sep)).join(sep);
  if (v === null) return '';
  return displayString(v);
}

const CATEGORIES: ErrorCategory[] = [
  'NotSpecified', 'OpenError', 'CloseError', 'DeviceError', 'DeadlockDetected', 'InvalidArgument', 'InvalidData', 'InvalidOperation', 'InvalidResult', 'InvalidType', 'MetadataError', 'NotImplemented',
  'NotInstalled', 'ObjectNotFound', 'OperationStopped', 'OperationTimeout', 'SyntaxError', 'ParserError', 'PermissionDenied', 'ResourceBusy', 'ResourceExists', 'ResourceUnavailable', 'ReadError',
  'WriteError', 'FromStdErr', 'SecurityError', 'ProtocolError', 'ConnectionError', 'AuthenticationError', 'LimitsExceeded', 'QuotaExceeded', 'NotEnabled',
];

export const writeOutput = def('Write-Output', UTIL, [
  { name: 'InputObject', type: 'object[]', position: 0, pipeline: 'value', mandatory: true, remaining: true },
  { name: 'NoEnumerate', type: 'switch' },
], {
  process: async (c, input) => {
    const v = input !== undefined ? input : (c.get('InputObject') ?? null);
    if (c.switch('NoEnumerate')) await c.write(v);
    else await c.writeEnumerated(v);
  },
});

export const writeHost = def('Write-Host', UTIL, [
  { name: 'Object', type: 'object', position: 0, pipeline: 'value', remaining: true },
  { name: 'NoNewline', type: 'switch' },
  { name: 'Separator', type: 'object' },
  { name: 'ForegroundColor', type: 'object', typeName: 'System.ConsoleColor' },
  { name: 'BackgroundColor', type: 'object', typeName: 'System.ConsoleColor' },
], {
  process: async (c, input) => {
    const sep = c.has('Separator') ? toStr(c.get('Separator') ?? ' ') : ' ';
    const v = input !== undefined ? input : (c.get('Object') ?? null);
    // One HostInformationMessage per call, NoNewLine from -NoNewline (WriteConsoleCmdlet.cs); as
    // plain host text: the text, then the line end as its own write (fx pypsrp/test_winrs_operation_timeout).
    // The colours given travel with it; the host fills in the others from its RawUI (ConsoleColorCmdlet.cs).
    const fg = c.get('ForegroundColor');
    const bg = c.get('BackgroundColor');
    await c.hostWrite({
      source: 'Write-Host',
      text: hostText(v, sep),
      noNewline: c.switch('NoNewline'),
      ...(fg instanceof PSEnum ? { foregroundColor: fg.value } : {}),
      ...(bg instanceof PSEnum ? { backgroundColor: bg.value } : {}),
    });
  },
});

export const writeError = def('Write-Error', UTIL, [
  { name: 'Message', aliases: ['Msg'], type: 'string', position: 0, pipeline: 'value' },
  { name: 'Exception', type: 'object' },
  { name: 'ErrorRecord', type: 'object' },
  { name: 'Category', type: 'string' },
  { name: 'ErrorId', type: 'string' },
  { name: 'TargetObject', type: 'object' },
  { name: 'RecommendedAction', type: 'string' },
  { name: 'CategoryActivity', aliases: ['Activity'], type: 'string' },
  { name: 'CategoryReason', aliases: ['Reason'], type: 'string' },
  { name: 'CategoryTargetName', aliases: ['TargetName'], type: 'string' },
  { name: 'CategoryTargetType', aliases: ['TargetType'], type: 'string' },
], {
  process: async (c, input) => {
    let rec: PSErrorRecord;
    const given = c.get('ErrorRecord');
    if (given instanceof PSErrorRecord) {
      rec = new PSErrorRecord(given.exception, given.errorId, given.category, given.targetObject, given.invocation);
    } else {
      const msg = input !== undefined ? toStr(input) : (c.str('Message') ?? '');
      const exv = c.get('Exception');
      const ex = exv instanceof PSException ? exv : exv !== undefined && exv !== null ? new PSException('System.Exception', toStr(exv)) : new PSException('Microsoft.PowerShell.Commands.WriteErrorException', msg);
      const catName = c.str('Category');
      const cat = CATEGORIES.find((x) => x.toLowerCase() === catName?.toLowerCase()) ?? 'NotSpecified';
      const id = c.str('ErrorId') ?? ex.typeName;
      rec = new PSErrorRecord(ex, id === '' ? ex.typeName : id, cat, c.get('TargetObject') ?? null, undefined);
      if (exv !== undefined && exv !== null && msg !== '') rec.errorDetails = msg;
    }
    // Write-Error reports the error against the caller's invocation ($MyInvocation); with no
    // script around it (a command a remoting client sent by name: no $MyInvocation, assumed) it
    // keeps its own [pwsh:Microsoft.PowerShell.Commands.Utility/commands/utility/Write.cs WriteOrThrowErrorCommand.ProcessRecord].
    const inv = c.invocation;
    rec.invocation =
      c.scriptInvocation.command !== undefined
        ? c.scriptInvocation
        : { command: { name: inv.name, type: 'Cmdlet', implementingType: inv.implementingType }, invocationName: inv.invocationName, ...(inv.extent !== undefined ? { extent: inv.extent } : {}), ...(inv.source !== undefined ? { source: inv.source } : {}) };
    rec.categoryActivity = c.str('CategoryActivity') ?? 'Write-Error';
    const reason = c.str('CategoryReason');
    if (reason !== undefined) rec.categoryReason = reason;
    const tn = c.str('CategoryTargetName');
    if (tn !== undefined) rec.categoryTargetName = tn;
    const tt = c.str('CategoryTargetType');
    if (tt !== undefined) rec.categoryTargetType = tt;
    await c.writeError(rec);
  },
});

export const writeWarning = def('Write-Warning', UTIL, [{ name: 'Message', aliases: ['Msg'], type: 'string', position: 0, pipeline: 'value', mandatory: true }], {
  process: async (c, input) => c.warning(input !== undefined ? toStr(input) : (c.str('Message') ?? '')),
});
export const writeVerbose = def('Write-Verbose', UTIL, [{ name: 'Message', aliases: ['Msg'], type: 'string', position: 0, pipeline: 'value', mandatory: true }], {
  process: async (c, input) => c.verbose(input !== undefined ? toStr(input) : (c.str('Message') ?? '')),
});
export const writeDebug = def('Write-Debug', UTIL, [{ name: 'Message', aliases: ['Msg'], type: 'string', position: 0, pipeline: 'value', mandatory: true }], {
  process: async (c, input) => c.debug(input !== undefined ? toStr(input) : (c.str('Message') ?? '')),
});
export const writeInformation = def('Write-Information', UTIL, [
  { name: 'MessageData', aliases: ['Msg', 'Message'], type: 'object', position: 0, mandatory: true },
  { name: 'Tags', type: 'string[]', position: 1 },
], {
  process: async (c) => {
    const pref = c.engine.preference(c.frame, 'InformationPreference');
    if (pref === 'Continue') await c.host(hostText(c.get('MessageData') ?? null, ' ') + '\n');
    await c.frame.streams.information(c.get('MessageData') ?? null, c.strs('Tags') ?? []);
  },
});

export const outNull = def('Out-Null', CORE, [{ name: 'InputObject', type: 'object', pipeline: 'value' }], { process: async () => undefined });

function outStringLines(objects: readonly PSValue[], width: number): string[] {
  const od = new OutDefault({ columns: width, bufferWidth: width + 1 });
  const lines: string[] = [];
  for (const o of objects) lines.push(...od.push(o));
  lines.push(...od.end());
  return lines;
}

/** The default Out-String width: the console's buffer width - 1 (79), or 120 without a console. */
export function outStringWidth(c: CmdletContext): number {
  if (c.has('Width')) return Math.max(2, Number(c.get('Width')));
  return c.engine.config.consoleWidth > 0 ? c.engine.config.consoleWidth - 1 : 120;
}

export const outString = def('Out-String', UTIL, [
  { name: 'InputObject', type: 'object', pipeline: 'value' },
  { name: 'Stream', type: 'switch' },
  { name: 'Width', type: 'int' },
], {
  begin: async (c) => {
    (c as CmdletContext & { _items?: PSValue[] })._items = [];
  },
  process: async (c, input) => {
    const items = (c as CmdletContext & { _items?: PSValue[] })._items ?? [];
    const v = input !== undefined ? input : c.get('InputObject');
    if (v === undefined) return;
    items.push(v);
    c.engine.limits.checkArray(items.length);
    if (c.switch('Stream') && !(v instanceof PSObject && false)) {
      // -Stream writes lines as they come; tables still size from what they have seen
      return;
    }
  },
  end: async (c) => {
    const items = (c as CmdletContext & { _items?: PSValue[] })._items ?? [];
    const lines = outStringLines(items, outStringWidth(c));
    if (c.switch('Stream')) {
      for (const l of lines) await c.write(l);
      return;
    }
    if (items.length === 0) return;
    await c.write(lines.map((l) => l + '\r\n').join(''));
  },
});

export const outHost = def('Out-Host', CORE, [{ name: 'InputObject', type: 'object', pipeline: 'value' }, { name: 'Paging', type: 'switch' }], {
  begin: async (c) => {
    (c as CmdletContext & { _items?: PSValue[] })._items = [];
  },
  process: async (c, input) => {
    const v = input !== undefined ? input : c.get('InputObject');
    if (v !== undefined) (c as CmdletContext & { _items?: PSValue[] })._items?.push(v);
  },
  end: async (c) => {
    const items = (c as CmdletContext & { _items?: PSValue[] })._items ?? [];
    // A remoting client's host: formatted there as Out-Default does, host calls only (OutHostCommand
    // writes to Host.UI through ConsoleLineOutput, no information record).
    const render = sessionHostOf(c.engine)?.render?.();
    if (render) {
      for (const v of items) await (v instanceof PSErrorRecord ? render.error(v) : render.output(v));
      await render.end();
      return;
    }
    const w = c.engine.config.consoleWidth > 0 ? c.engine.config.consoleWidth - 1 : 120;
    for (const l of outStringLines(items, w)) await c.hostWrite({ source: 'Out-Host', text: l, noNewline: false });
  },
});

type WithRender = CmdletContext & { _render?: HostRender };

/**
 * Out-Default: with a remoting client's host the objects are formatted and written to it (the
 * error view for error records), as the Out-Default the client appends (psrp.md §3.4 step 4);
 * otherwise they pass on to whatever shows the session's output (the console under WinRS).
 */
export const outDefault = def('Out-Default', CORE, [{ name: 'InputObject', type: 'object', pipeline: 'value' }], {
  begin: async (c) => {
    const render = sessionHostOf(c.engine)?.render?.();
    if (render) (c as WithRender)._render = render;
  },
  process: async (c, input) => {
    const v = input !== undefined ? input : c.get('InputObject');
    if (v === undefined) return;
    const render = (c as WithRender)._render;
    if (!render) return c.write(v);
    await (v instanceof PSErrorRecord ? render.error(v) : render.output(v));
  },
  end: async (c) => {
    await (c as WithRender)._render?.end();
  },
});

export const outFile = def('Out-File', UTIL, [
  { name: 'FilePath', aliases: ['Path'], type: 'string', position: 0, mandatory: true },
  { name: 'LiteralPath', aliases: ['PSPath'], type: 'string' },
  { name: 'Encoding', type: 'string', position: 1, validateSet: ['unknown', 'string', 'unicode', 'bigendianunicode', 'utf8', 'utf7', 'utf32', 'ascii', 'default', 'oem'] },
  { name: 'Append', type: 'switch' },
  { name: 'Force', type: 'switch' },
  { name: 'NoClobber', aliases: ['NoOverwrite'], type: 'switch' },
  { name: 'Width', type: 'int' },
  { name: 'NoNewline', type: 'switch' },
  { name: 'InputObject', type: 'object', pipeline: 'value' },
], {
  shouldProcess: true,
  begin: async (c) => {
    (c as CmdletContext & { _items?: PSValue[] })._items = [];
  },
  process: async (c, input) => {
    const v = input !== undefined ? input : c.get('InputObject');
    if (v !== undefined) (c as CmdletContext & { _items?: PSValue[] })._items?.push(v);
  },
  end: async (c) => {
    const items = (c as CmdletContext & { _items?: PSValue[] })._items ?? [];
    const width = c.has('Width') ? Number(c.get('Width')) : c.engine.config.consoleWidth > 0 ? c.engine.config.consoleWidth - 1 : 80;
    const lines = outStringLines(items, width);
    const text = c.switch('NoNewline') ? lines.join('') : lines.map((l) => l + '\r\n').join('');
    const path = c.str('LiteralPath') ?? c.str('FilePath') ?? '';
    const full = c.engine.resolvePath(path);
    if (c.whatIf) {
      await c.host(`What if: Performing the operation "Output to File" on target "${full}".\n`);
      return;
    }
    const enc = (c.str('Encoding') ?? 'unicode').toLowerCase();
    const exists = c.engine.vfs.stat(full) !== undefined;
    const append = c.switch('Append') && exists;
    c.engine.vfs.writeFile(full, encodeContent(text, enc, !append), { append });
  },
});

// ---- Format-* ----------------------------------------------------------------------------

interface PropSpec {
  label: string;
  value: (o: PSValue) => Promise<PSValue> | PSValue;
  width?: number;
  align?: Align;
  format?: string;
}

/** `-Property` entries: names (wildcards), script blocks, and calculated properties. */
export async function propertySpecs(c: CmdletContext, first: PSValue, specs: PSValue): Promise<PropSpec[]> {
  const list = specs === null ? [] : Array.isArray(specs) ? specs : [specs];
  const out: PropSpec[] = [];
  for (const s of list) {
    if (s instanceof PSScriptBlock) {
      out.push({ label: s.text.trim(), value: async (o) => first1(await c.engine.invokeScriptBlock(s, o, [])) });
      continue;
    }
    if (s instanceof PSHashtable) {
      let label: string | undefined;
      let expr: PSValue = null;
      let width: number | undefined;
      let align: Align | undefined;
      let format: string | undefined;
      for (const [k, v] of s.entries()) {
        const key = toStr(k).toLowerCase();
        if ('name'.startsWith(key) || 'label'.startsWith(key)) label = toStr(v);
        else if ('expression'.startsWith(key)) expr = v;
        else if ('width'.startsWith(key)) width = Number(v);
        else if ('alignment'.startsWith(key)) align = toStr(v).toLowerCase() === 'right' ? 'right' : toStr(v).toLowerCase() === 'left' ? 'left' : 'undefined';
        else if ('formatstring'.startsWith(key)) format = toStr(v);
      }
      const e = expr;
      if (e instanceof PSScriptBlock) {
        out.push({ label: label ?? e.text.trim(), value: async (o) => first1(await c.engine.invokeScriptBlock(e, o, [])), ...(width !== undefined ? { width } : {}), ...(align !== undefined ? { align } : {}), ...(format !== undefined ? { format } : {}) });
      } else {
        const n = toStr(e);
        out.push({ label: label ?? n, value: (o) => memberValue(n)(o), ...(width !== undefined ? { width } : {}), ...(align !== undefined ? { align } : {}), ...(format !== undefined ? { format } : {}) });
      }
      continue;
    }
    const name = toStr(s);
    if (hasWildcard(name)) {
      const re = wildcardToRegExp(name);
      for (const n of allPropertyNames(first)) if (re.test(n)) out.push({ label: n, value: memberValue(n) });
      continue;
    }
    out.push({ label: name, value: memberValue(name) });
  }
  return out;
}

export function allPropertyNames(o: PSValue): string[] {
  if (o instanceof PSObject) return o.properties().map((p) => p.name);
  return propertyNamesOf(o);
}

function first1(r: PSValue[]): PSValue {
  if (r.length === 0) return null;
  return r.length === 1 ? (r[0] ?? null) : r;
}

async function resolveRows(items: readonly PSValue[], specs: PropSpec[]): Promise<PSValue[][]> {
  const rows: PSValue[][] = [];
  for (const o of items) {
    const row: PSValue[] = [];
    for (const s of specs) row.push(await s.value(o));
    rows.push(row);
  }
  return rows;
}

function fmtCell(v: PSValue, f: string | undefined): string {
  if (f !== undefined && typeof v === 'number') {
    try {
      return getMemberFormat(v, f);
    } catch {
      return formatField(v);
    }
  }
  return formatField(v);
}

function getMemberFormat(v: number, f: string): string {
  // FormatString in calculated properties: "{0:N2}" style or a plain format
  if (f.includes('{0')) return f.replace(/\{0(?::([^}]*))?\}/g, (_m, ff: string | undefined) => (ff !== undefined ? formatNumberLocal(v, ff) : String(v)));
  return formatNumberLocal(v, f);
}


async function collectInput(c: CmdletContext, input: PSValue | undefined): Promise<void> {
  const bag = c as CmdletContext & { _items?: PSValue[] };
  bag._items ??= [];
  const v = input !== undefined ? input : c.get('InputObject');
  if (v === undefined) return;
  bag._items.push(v);
  c.engine.limits.checkArray(bag._items.length);
}

function items(c: CmdletContext): PSValue[] {
  return (c as CmdletContext & { _items?: PSValue[] })._items ?? [];
}

export const formatTable = def('Format-Table', UTIL, [
  { name: 'Property', type: 'object[]', position: 0 },
  { name: 'AutoSize', type: 'switch' },
  { name: 'HideTableHeaders', type: 'switch' },
  { name: 'Wrap', type: 'switch' },
  { name: 'GroupBy', type: 'object' },
  { name: 'View', type: 'string' },
  { name: 'Force', type: 'switch' },
  { name: 'InputObject', type: 'object', pipeline: 'value' },
], {
  process: collectInput,
  end: async (c) => {
    const objs: PSValue[] = [...items(c)];
    if (objs.length === 0) return;
    const first = objs[0] ?? null;
    let specs: PropSpec[];
    if (c.has('Property')) specs = await propertySpecs(c, first, c.get('Property') ?? null);
    else {
      const v = viewFor(first);
      if (v !== undefined && v.kind === 'table' && !c.switch('AutoSize') && !c.switch('Wrap') && !c.switch('HideTableHeaders')) {
        await c.write(new FormattedOutput((w) => {
          const od = new OutDefault({ columns: w, bufferWidth: w + 1 });
          const lines: string[] = [];
          for (const o of objs) lines.push(...od.push(o));
          lines.push(...od.end());
          return lines;
        }));
        return;
      }
      if (v !== undefined && v.kind === 'table') {
        specs = v.columns.map((col) => ({ label: col.label, value: (o: PSValue) => col.value(o), width: col.width, align: col.align }));
      } else specs = displayProperties(first).map((n) => ({ label: n, value: memberValue(n) }));
    }
    const rows = await resolveRows(objs, specs);
    const autosize = c.switch('AutoSize');
    const hide = c.switch('HideTableHeaders');
    const wrap = c.switch('Wrap');
    await c.write(new FormattedOutput((w) => renderTable(specs, rows, first, w, { autosize, hide, wrap })));
  },
});

function renderTable(specs: PropSpec[], rows: PSValue[][], first: PSValue, width: number, o: { autosize: boolean; hide: boolean; wrap: boolean }): string[] {
  const view = generatedTable(
    specs.map((s, k) => ({
      label: s.label,
      ...(s.width !== undefined ? { width: s.width } : {}),
      ...(s.align !== undefined ? { align: s.align } : {}),
      value: (row: PSValue) => (Array.isArray(row) ? (row[k] ?? null) : null),
    })),
    rows[0] ?? null,
    { autosize: o.autosize, wrap: o.wrap, hideHeaders: o.hide },
  );
  void first;
  const patched = { ...view, columns: view.columns.map((col, k) => ({ ...col, value: (row: PSValue) => (Array.isArray(row) ? fmtCell(row[k] ?? null, specs[k]?.format) : '') })) };
  const od = new OutDefault({ columns: width, bufferWidth: width + 1 });
  return od.renderTableRows(patched, rows);
}

export const formatList = def('Format-List', UTIL, [
  { name: 'Property', type: 'object[]', position: 0 },
  { name: 'GroupBy', type: 'object' },
  { name: 'View', type: 'string' },
  { name: 'Force', type: 'switch' },
  { name: 'InputObject', type: 'object', pipeline: 'value' },
], {
  process: collectInput,
  end: async (c) => {
    const objs = items(c);
    if (objs.length === 0) return;
    const entries: { label: string; value: string }[][] = [];
    for (const o of objs) {
      let specs: PropSpec[];
      if (c.has('Property')) specs = await propertySpecs(c, o, c.get('Property') ?? null);
      else {
        const v = viewFor(o);
        if (v !== undefined && v.kind === 'list') {
          entries.push(v.entries(o).map((e) => ({ label: e.label, value: e.value() })));
          continue;
        }
        specs = (o instanceof PSObject || o instanceof PSHashtable ? displayProperties(o) : allPropertyNames(o)).map((n) => ({ label: n, value: memberValue(n) }));
        if (o instanceof PSObject && o.typeNames[0]?.startsWith('System.IO.') === true && o.typeNames.includes('System.IO.FileSystemInfo')) {
          const fileProps = o.typeNames[0] === 'System.IO.FileInfo' ? ['Name', 'Length', 'CreationTime', 'LastWriteTime', 'LastAccessTime', 'Mode', 'LinkType', 'Target', 'VersionInfo'] : ['Name', 'CreationTime', 'LastWriteTime', 'LastAccessTime', 'Mode', 'LinkType', 'Target'];
          specs = fileProps.map((n) => ({ label: n, value: memberValue(n) }));
        }
      }
      const row: { label: string; value: string }[] = [];
      for (const s of specs) row.push({ label: s.label, value: fmtCell(await s.value(o), s.format) });
      entries.push(row);
    }
    const first = objs[0] ?? null;
    const isFs = first instanceof PSObject && first.typeNames.includes('System.IO.FileSystemInfo');
    await c.write(new FormattedOutput((w) => {
      const lines: string[] = [''];
      let group: string | undefined;
      entries.forEach((e, i) => {
        const o = objs[i] ?? null;
        if (isFs) {
          const key = toStr(getMember(o, 'PSParentPath') ?? null);
          if (key !== group) {
            if (group !== undefined) lines.push('');
            group = key;
            lines.push('', `    Directory: ${key.replace('Microsoft.PowerShell.Core\\FileSystem::', '')}`, '', '');
          }
        } else if (i === 0) lines.push('');
        lines.push(...listLines(e, w));
        lines.push('');
      });
      lines.push('', '');
      return lines;
    }));
  },
});

export const formatWide = def('Format-Wide', UTIL, [
  { name: 'Property', type: 'object', position: 0 },
  { name: 'Column', type: 'int' },
  { name: 'AutoSize', type: 'switch' },
  { name: 'InputObject', type: 'object', pipeline: 'value' },
], {
  process: collectInput,
  end: async (c) => {
    const objs = items(c);
    if (objs.length === 0) return;
    const prop = c.str('Property');
    const values = objs.map((o) => {
      if (prop !== undefined) return formatField(getMember(o, prop) ?? null);
      if (o instanceof PSObject && o.typeNames.includes('System.IO.DirectoryInfo')) return `[${toStr(getMember(o, 'Name') ?? null)}]`;
      const n = getMember(o, 'Name');
      return n !== undefined ? formatField(n) : displayString(o);
    });
    const colsWanted = c.has('Column') ? Number(c.get('Column')) : undefined;
    await c.write(new FormattedOutput((w) => {
      const maxLen = Math.max(...values.map((v) => cellLength(v)));
      let perRow = colsWanted ?? 2;
      if (c.switch('AutoSize') && colsWanted === undefined) {
        perRow = 1;
        while ((perRow + 1) * maxLen + perRow < w) perRow++;
      }
      const colWidth = Math.floor((w - (perRow - 1)) / perRow);
      const lines: string[] = [''];
      for (let i = 0; i < values.length; i += perRow) {
        const row = values.slice(i, i + perRow).map((v) => (cellLength(v) > colWidth ? v.slice(0, Math.max(0, colWidth - 3)) + '...' : v.padEnd(colWidth)));
        lines.push(row.join(' '));
      }
      lines.push('', '');
      return lines;
    }));
  },
});

export const OUTPUT_CMDLETS: CmdletDef[] = [writeOutput, writeHost, writeError, writeWarning, writeVerbose, writeDebug, writeInformation, outNull, outString, outHost, outDefault, outFile, formatTable, formatList, formatWide];
