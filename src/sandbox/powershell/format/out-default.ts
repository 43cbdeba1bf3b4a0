// Out-Default / Out-String: objects in, lines out, following Windows PowerShell 5.1's formatting
// engine (FormatAndOutput/common: BaseFormattingCommand, BaseOutputtingCommand, TableWriter,
// ListWriter, ColumnWidthManager, OutputQueue):
// - the first non-scalar object picks the view (its type's view, else a table for up to four
//   properties and a list for more) and starts a "document"; later objects the view does not
//   apply to are written out of band as lists; scalars are always written with ToString();
// - a document starts with an empty line; a table writes its header at group start and ends its
//   group with an empty line; a list writes an empty line at group start and after each entry;
//   the document ends with an empty line;
// - tables whose first column has no declared width are sized from the objects received in the
//   first 300 ms of the group (all of them in practice), then rows are padded to column width;
// - columns without width share the rest of the line; long cells end in "...", wrapping tables
//   break them into more rows.
import type { Engine } from '../runtime/interpreter.js';
import { PSErrorRecord, PSHashtable, PSObject, type PSValue } from '../runtime/values.js';
import { dictionaryEntry } from '../runtime/members.js';
import { displayString, typeNamesOf } from '../runtime/convert.js';
import { errorViewLines } from './error-view.js';
import { cellLength, headCells, splitLines, tailCells, truncateAtNewLine, wrapLines } from './text.js';
import {
  displayProperties,
  generatedList,
  generatedTable,
  isScalar,
  memberValue,
  viewFor,
  type Align,
  type ListView,
  type TableView,
  type View,
} from './views.js';

/** Already formatted output of Format-Table / Format-List / Format-Wide: rendered at the outputter's width. */
export class FormattedOutput extends PSObject {
  constructor(readonly render: (width: number) => string[]) {
    super(['Microsoft.PowerShell.Commands.Internal.Format.FormatStartData', 'Microsoft.PowerShell.Commands.Internal.Format.StartData', 'System.Object']);
  }
}

export interface OutDefaultOptions {
  /** Usable columns per line (the console's buffer width minus one, or Out-String -Width). */
  readonly columns: number;
  /** The buffer width the error view cuts CategoryInfo with. */
  readonly bufferWidth: number;
  /** Clock for the 300 ms table-sizing window; absent: size from every object of the group. */
  readonly now?: () => number;
}

type Packet =
  | { kind: 'lines'; lines: readonly string[] }
  | { kind: 'row'; obj: PSValue }
  | { kind: 'listEntry'; obj: PSValue }
  | { kind: 'groupStart'; obj: PSValue }
  | { kind: 'groupEnd' };

/** Column widths from the view and the screen (ColumnWidthManager). */
export function computeColumnWidths(widths: number[], tableWidth: number): number[] {
  const w = [...widths];
  const sep = 1;
  const allSpecified = w.every((x) => x > 0);
  const current = (): number => {
    let sum = 0;
    let visible = 0;
    for (const x of w) {
      if (x > 0) {
        sum += x;
        visible++;
      }
    }
    return sum + sep * (visible - 1);
  };
  let fits = false;
  if (allSpecified) {
    fits = current() <= tableWidth;
  } else {
    const fixed = w.map((x) => x > 0);
    for (let k = 0; k < w.length; k++) if (w[k] === 0) w[k] = 1;
    let available = tableWidth - current();
    if (available >= 0) {
      fits = true;
      while (available > 0) {
        let progressed = false;
        for (let k = 0; k < w.length && available > 0; k++) {
          if (fixed[k] === true) continue;
          w[k] = (w[k] ?? 0) + 1;
          available--;
          progressed = true;
        }
        if (!progressed) break;
      }
    }
  }
  if (!fits) {
    // trim or hide the last visible columns
    for (let guard = 0; guard < 1000; guard++) {
      const excess = current() - tableWidth;
      if (excess <= 0) break;
      let last = w.length - 1;
      for (let k = 0; k < w.length; k++) {
        if ((w[k] ?? 0) < 0) {
          last = k - 1;
          break;
        }
      }
      if (last < 0) break;
      const nw = (w[last] ?? 0) - excess;
      if (nw < 1) w[last] = -1;
      else w[last] = nw;
    }
  }
  return w;
}

function padCell(val: string, width: number, align: Align): string {
  let s = truncateAtNewLine(val);
  const len = cellLength(s);
  if (len < width) {
    const pad = width - len;
    if (align === 'right') s = ' '.repeat(pad) + s;
    else s = s + ' '.repeat(pad);
  } else if (len > width) {
    const t = width - 3;
    if (t > 0) {
      if (align === 'right') s = '...' + tailCells(s, t);
      else s = headCells(s, t) + '...';
    } else s = headCells(s, width);
  }
  return s;
}

/** One table: resolved widths, header lines and row rendering (TableWriter). */
class TableWriter {
  private readonly widths: number[];
  private readonly aligns: Align[];
  constructor(
    private readonly view: TableView,
    columns: number,
    hint: number[] | undefined,
  ) {
    const declared = hint ?? view.columns.map((c) => c.width);
    this.widths = computeColumnWidths(declared, columns);
    this.aligns = view.columns.map((c) => c.align);
  }

  header(): string[] {
    if (this.view.hideHeaders) return [];
    const labels = this.view.columns.map((c) => c.label);
    const out = this.row(labels, true);
    const dashes = this.view.columns.map((c, k) => {
      const w = this.widths[k] ?? 0;
      if (w <= 0) return '';
      const n = Math.min(w, c.label === '' ? w : cellLength(c.label));
      return '-'.repeat(n);
    });
    out.push(...this.row(dashes, false));
    return out;
  }

  row(values: string[], multiLine: boolean): string[] {
    if (!multiLine) {
      let sb = '';
      let first = true;
      for (let k = 0; k < values.length; k++) {
        const w = this.widths[k] ?? 0;
        if (w <= 0) continue;
        if (!first) sb += ' ';
        first = false;
        sb += padCell(values[k] ?? '', w, this.aligns[k] ?? 'left');
      }
      return [sb];
    }
    // multi-line: each cell word-wrapped within its column
    const cols: string[][] = [];
    const widths: number[] = [];
    for (let k = 0; k < values.length; k++) {
      const w = this.widths[k] ?? 0;
      if (w <= 0) continue;
      const lines = wrapLines(values[k] ?? '', w, w).map((l) => (cellLength(l) < w ? padCell(l, w, this.aligns[k] ?? 'left') : l));
      cols.push(lines);
      widths.push(w);
    }
    const rows = Math.max(1, ...cols.map((c) => c.length));
    const out: string[] = [];
    for (let r = 0; r < rows; r++) {
      let sb = '';
      for (let k = 0; k < cols.length; k++) {
        const w = widths[k] ?? 0;
        const cell = cols[k]?.[r] ?? ' '.repeat(w);
        sb += (k > 0 ? ' ' : '') + cell;
      }
      out.push(sb);
    }
    return out;
  }

  rowOf(obj: PSValue): string[] {
    const values = this.view.columns.map((c) => safe(() => c.value(obj)));
    return this.row(values, this.view.wrap);
  }
}

function safe(f: () => string): string {
  try {
    return f();
  } catch {
    return '';
  }
}

/** ListWriter: "Label : value" with labels padded to the longest, values wrapped with a hanging indent. */
export function listLines(entries: { label: string; value: string }[], columns: number): string[] {
  if (entries.length === 0) return [];
  const sep = ' : ';
  const maxLabel = Math.min(
    Math.max(...entries.map((e) => cellLength(e.label))),
    columns - sep.length - 1,
  );
  if (columns - sep.length - 2 < 0) return [];
  const out: string[] = [];
  const labelWidth = maxLabel + sep.length;
  for (const e of entries) {
    let label = e.label;
    const len = cellLength(label);
    if (len < maxLabel) label += ' '.repeat(maxLabel - len);
    else if (len > maxLabel) label = headCells(label, maxLabel);
    label += sep;
    const lines = splitLines(e.value);
    for (let i = 0; i < lines.length; i++) {
      const prefix = i === 0 ? label : ' '.repeat(labelWidth);
      const wrapped = wrapLines(lines[i] ?? '', columns - labelWidth, columns - labelWidth);
      wrapped.forEach((w, j) => out.push((j === 0 ? prefix : ' '.repeat(labelWidth)) + w));
    }
  }
  return out;
}

function defaultView(obj: PSValue): TableView | ListView {
  const names = displayProperties(obj);
  if (names.length <= 4) {
    return generatedTable(
      names.map((n) => ({ label: n, value: memberValue(n) })),
      obj,
      { autosize: false, wrap: false, hideHeaders: false },
    );
  }
  return generatedList(() => names.map((n) => ({ label: n, value: memberValue(n) })));
}

/** A list of an object's default properties, written out of band. */
function outOfBandList(obj: PSValue, columns: number): string[] {
  const names = displayProperties(obj);
  if (names.length === 0) return [displayString(obj)];
  const view = generatedList(() => names.map((n) => ({ label: n, value: memberValue(n) })));
  return ['', ...listLines(view.entries(obj).map((e) => ({ label: e.label, value: safe(e.value) })), columns), ''];
}

function isPropertyLess(obj: PSValue): boolean {
  return displayProperties(obj).length === 0 && !(obj instanceof PSHashtable);
}

/**
 * The state machine of Out-Default / Out-String for one stream of objects. `push` returns the
 * lines that can be written now (tables may hold rows back to size their columns).
 */
export class OutDefault {
  private view: View | undefined;
  private table: TableWriter | undefined;
  private groupKey: string | undefined;
  private inDocument = false;
  private caching = false;
  private cacheStart = 0;
  private cache: Packet[] = [];

  constructor(private readonly opts: OutDefaultOptions) {}

  push(obj: PSValue): string[] {
    const out: string[] = [];
    if (Array.isArray(obj)) {
      for (const x of obj) out.push(...this.push(x));
      return out;
    }
    if (obj instanceof PSHashtable) {
      for (const [k, v] of obj.entries()) out.push(...this.pushOne(dictionaryEntry(k, v)));
      return out;
    }
    return this.pushOne(obj);
  }

  /** A whole table document for a fixed view (Format-Table). */
  renderTableRows(view: TableView, objs: readonly PSValue[]): string[] {
    this.reset();
    this.view = view;
    this.inDocument = true;
    const out: string[] = [''];
    out.push(...this.startGroup(objs[0] ?? null));
    for (const o of objs) out.push(...this.payload(o));
    out.push(...this.end());
    return out;
  }

  end(): string[] {
    const out: string[] = [];
    if (this.inDocument) {
      out.push(...this.emit({ kind: 'groupEnd' }));
      out.push(...this.flushCache());
      out.push('');
    }
    this.reset();
    return out;
  }

  private reset(): void {
    this.view = undefined;
    this.table = undefined;
    this.groupKey = undefined;
    this.inDocument = false;
    this.caching = false;
    this.cache = [];
  }

  private pushOne(obj: PSValue): string[] {
    if (obj instanceof FormattedOutput) {
      const out = this.end();
      out.push(...obj.render(this.opts.columns));
      return out;
    }
    // out of band: scalars, error records, property-less objects, out-of-band views
    const oob = this.outOfBand(obj, false);
    if (oob !== undefined) return this.emit({ kind: 'lines', lines: oob });
    if (!this.inDocument) {
      this.inDocument = true;
      this.view = viewFor(obj) ?? defaultView(obj);
      const out: string[] = [''];
      out.push(...this.startGroup(obj));
      out.push(...this.payload(obj));
      return out;
    }
    const view = this.view as View;
    const applicable = view.kind === 'custom' ? view.appliesTo.some((t) => typeNames(obj).includes(t)) : view.generated || view.appliesTo.some((t) => typeNames(obj).includes(t));
    if (!applicable) {
      return this.emit({ kind: 'lines', lines: this.outOfBand(obj, true) ?? [] });
    }
    // group transition (GroupBy views)
    const gb = view.kind !== 'custom' ? view.groupBy : undefined;
    if (gb !== undefined && gb.key(obj) !== this.groupKey) {
      const out = this.emit({ kind: 'groupEnd' });
      out.push(...this.flushCache());
      out.push(...this.startGroup(obj));
      out.push(...this.payload(obj));
      return out;
    }
    return this.payload(obj);
  }

  /** Lines of an out-of-band object, or undefined if the object is not out of band. */
  private outOfBand(obj: PSValue, fallback: boolean): string[] | undefined {
    if (obj instanceof PSErrorRecord) return errorViewLines(obj, this.opts.bufferWidth);
    const v = viewFor(obj);
    if (v !== undefined && v.kind === 'custom' && v.outOfBand) return wrapLines(safe(() => v.text(obj)), this.opts.columns, this.opts.columns);
    if (isScalar(obj)) return obj === null ? [] : [displayString(obj)];
    if (v === undefined && isPropertyLess(obj)) return [displayString(obj)];
    if (!fallback) return undefined;
    if (v !== undefined && v.kind === "list") return ["", ...listLines(v.entries(obj).map((e) => ({ label: e.label, value: safe(() => e.value()) })), this.opts.columns), ""];
    return outOfBandList(obj, this.opts.columns);
  }

  private startGroup(obj: PSValue): string[] {
    const view = this.view as View;
    const out: string[] = [];
    const gb = view.kind !== 'custom' ? view.groupBy : undefined;
    if (gb !== undefined) {
      this.groupKey = gb.key(obj);
      out.push('');
      out.push(...gb.header(obj));
      out.push('');
    }
    if (view.kind === 'table') {
      this.table = undefined;
      if ((view.columns[0]?.width ?? 0) === 0 || view.autosize) {
        // size the columns from the objects of the first 300 ms of the group
        this.caching = true;
        this.cacheStart = this.opts.now?.() ?? 0;
        this.cache = [{ kind: 'groupStart', obj }];
        return out;
      }
      this.table = new TableWriter(view, this.opts.columns, undefined);
      out.push(...this.table.header());
    } else if (view.kind === 'list') {
      out.push('');
    }
    return out;
  }

  private payload(obj: PSValue): string[] {
    const view = this.view as View;
    if (view.kind === 'table') return this.emit({ kind: 'row', obj });
    if (view.kind === 'list') return this.emit({ kind: 'listEntry', obj });
    return wrapLines(safe(() => view.text(obj)), this.opts.columns, this.opts.columns);
  }

  /** Route a packet through the sizing cache (or straight out). */
  private emit(p: Packet): string[] {
    if (this.caching) {
      this.cache.push(p);
      const elapsed = (this.opts.now?.() ?? this.cacheStart) - this.cacheStart;
      if (p.kind === 'groupEnd' || elapsed > 300) return this.flushCache();
      return [];
    }
    return this.render(p);
  }

  private flushCache(): string[] {
    if (!this.caching) return [];
    this.caching = false;
    const view = this.view as TableView;
    // widths: max of label and cell lengths over the cached rows
    const widths = view.columns.map((c) => (c.label === '' ? 0 : cellLength(c.label)));
    for (const p of this.cache) {
      if (p.kind !== 'row') continue;
      view.columns.forEach((c, k) => {
        const len = cellLength(truncateAtNewLine(safe(() => c.value(p.obj))));
        if ((widths[k] ?? 0) < len) widths[k] = len;
      });
    }
    this.table = new TableWriter(view, this.opts.columns, widths);
    const out: string[] = [];
    const cached = this.cache;
    this.cache = [];
    for (const p of cached) {
      if (p.kind === 'groupStart') {
        out.push(...this.table.header());
        continue;
      }
      out.push(...this.render(p));
    }
    return out;
  }

  private render(p: Packet): string[] {
    switch (p.kind) {
      case 'lines':
        return [...p.lines];
      case 'row':
        return this.table?.rowOf(p.obj) ?? [];
      case 'listEntry': {
        const view = this.view as ListView;
        const lines = listLines(view.entries(p.obj).map((e) => ({ label: e.label, value: safe(() => e.value()) })), this.opts.columns);
        lines.push('');
        return lines;
      }
      case 'groupEnd':
        return [''];
      case 'groupStart':
        return this.table?.header() ?? [];
    }
  }
}

function typeNames(obj: PSValue): string[] {
  if (obj instanceof PSObject) return obj.typeNames;
  return typeNamesOf(obj);
}

/** Render objects the way Out-String does (all lines, document closed). */
export function renderObjects(objects: readonly PSValue[], columns: number, bufferWidth = columns + 1): string[] {
  const od = new OutDefault({ columns, bufferWidth });
  const lines: string[] = [];
  for (const o of objects) lines.push(...od.push(o));
  lines.push(...od.end());
  return lines;
}

export type { Engine };
