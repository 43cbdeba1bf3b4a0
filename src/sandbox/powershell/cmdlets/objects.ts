// The object cmdlets of the pipeline: Select-Object, Where-Object, ForEach-Object, Sort-Object,
// Measure-Object, Group-Object, New-Object, Get-Member.
import { isCoreTypeName } from '../runtime/language-mode.js';
import type { CmdletContext, CmdletDef, ParamDef } from '../runtime/command.js';
import { isEnumerable, toBool, toNumber, toStr, typeNameOf, typeNamesOf } from '../runtime/convert.js';
import { PSRuntimeError } from '../runtime/errors.js';
import { getProperty as getMember, invokeMethod } from '../runtime/members.js';
import { comparison, compareValues, containsOp, equalsValues, hasWildcard, isOp, wildcardToRegExp, type ComparisonOp } from '../runtime/operators.js';
import { PSVariable } from '../runtime/scope.js';
import { newObject } from '../runtime/statics.js';
import { requireType } from '../runtime/types.js';
import { asList, PSHashtable, PSObject, PSScriptBlock, type PSTypeRef, type PSValue } from '../runtime/values.js';
import { allPropertyNames, propertySpecs } from './output.js';
import { displayProperties } from '../format/views.js';

const UTIL = 'Microsoft.PowerShell.Utility';
const CORE = 'Microsoft.PowerShell.Core';

function def(name: string, module: string, params: ParamDef[], impl: Partial<Pick<CmdletDef, 'begin' | 'process' | 'end' | 'shouldProcess'>>, implementingType?: string): CmdletDef {
  const noun = name.replace('-', '');
  return { name, implementingType: implementingType ?? `Microsoft.PowerShell.Commands.${noun}Command`, module, params, ...impl };
}

type Bag = CmdletContext & { _items?: PSValue[]; _state?: Record<string, unknown> };

function bag(c: CmdletContext): Bag {
  return c as Bag;
}

function input(c: CmdletContext, v: PSValue | undefined): PSValue | undefined {
  if (v !== undefined) return v;
  return c.get('InputObject');
}

function first1(r: PSValue[]): PSValue {
  if (r.length === 0) return null;
  return r.length === 1 ? (r[0] ?? null) : r;
}

/** Run a script block in the caller's scope with $_ set (ForEach-Object / Where-Object semantics). */
async function runInCaller(c: CmdletContext, sb: PSScriptBlock, dollar: PSValue | undefined, out: (v: PSValue) => Promise<void>, args: PSValue[] = []): Promise<void> {
  const scope = c.frame.scope;
  const prev = scope.vars.get('_');
  try {
    await c.engine.callScriptBlock(sb, { parentScope: scope, streams: c.frame.streams, dollarUnder: dollar ?? null, args, out, dotSource: true });
  } finally {
    if (prev !== undefined) scope.vars.set('_', prev);
    else if (dollar !== undefined) scope.vars.delete('_');
  }
}

// ---- ForEach-Object ------------------------------------------------------------------------------

export const forEachObject = def('ForEach-Object', CORE, [
  { name: 'InputObject', type: 'object', pipeline: 'value' },
  { name: 'Process', type: 'object[]', position: 0, remaining: true },
  { name: 'Begin', type: 'scriptblock' },
  { name: 'End', type: 'scriptblock' },
  { name: 'RemainingScripts', type: 'object[]' },
  { name: 'MemberName', type: 'string' },
  { name: 'ArgumentList', aliases: ['Args'], type: 'object[]' },
], {
  begin: async (c) => {
    const procArg = c.get('Process');
    const blocks = procArg === undefined || procArg === null ? [] : Array.isArray(procArg) ? procArg : [procArg];
    let begin = c.get('Begin') as PSScriptBlock | undefined;
    let end = c.get('End') as PSScriptBlock | undefined;
    let process: PSValue | undefined;
    if (blocks.length === 1) process = blocks[0];
    else if (blocks.length === 2) {
      begin ??= blocks[0] as PSScriptBlock;
      process = blocks[1];
    } else if (blocks.length >= 3) {
      begin ??= blocks[0] as PSScriptBlock;
      process = blocks[1];
      end ??= blocks[blocks.length - 1] as PSScriptBlock;
    }
    const member = c.str('MemberName') ?? (process !== undefined && !(process instanceof PSScriptBlock) ? toStr(process) : undefined);
    bag(c)._state = { begin, end, process: process instanceof PSScriptBlock ? process : undefined, member };
    if (begin instanceof PSScriptBlock) await runInCaller(c, begin, undefined, (v) => c.write(v));
  },
  process: async (c, v) => {
    const st = bag(c)._state ?? {};
    const item = input(c, v);
    if (item === undefined && c.expectingInput) return;
    const proc = st['process'] as PSScriptBlock | undefined;
    const member = st['member'] as string | undefined;
    if (proc !== undefined) {
      await runInCaller(c, proc, item ?? null, (x) => c.write(x));
      return;
    }
    if (member !== undefined) {
      if (item === undefined || item === null) return;
      const args = c.get('ArgumentList');
      const argList = args === undefined || args === null ? [] : Array.isArray(args) ? args : [args];
      const m = getMember(item, member);
      if (m !== undefined && argList.length === 0) {
        await c.writeEnumerated(m);
        return;
      }
      try {
        const r = await invokeMethod(item, member, argList, c.engine);
        if (r !== undefined) await c.writeEnumerated(r);
      } catch (e) {
        if (e instanceof PSRuntimeError && e.record.errorId === 'MethodNotFound' && argList.length === 0) {
          await c.writeError({
            message: `ForEach-Object : Input name "${member}" cannot be resolved to a member.`.replace('ForEach-Object : ', ''),
            errorId: 'PropertyOrMethodNotFound',
            category: 'InvalidArgument',
            target: item,
            exceptionType: 'System.Management.Automation.PSArgumentException',
          });
          return;
        }
        throw e;
      }
    }
  },
  end: async (c) => {
    const st = bag(c)._state ?? {};
    const end = st['end'] as PSScriptBlock | undefined;
    if (end !== undefined) await runInCaller(c, end, undefined, (v) => c.write(v));
  },
});

// ---- Where-Object ----------------------------------------------------------------------------------

const WHERE_OPS = ['EQ', 'NE', 'GT', 'GE', 'LT', 'LE', 'Like', 'NotLike', 'Match', 'NotMatch', 'Contains', 'NotContains', 'In', 'NotIn', 'Is', 'IsNot'];

export const whereObject = def('Where-Object', CORE, [
  { name: 'InputObject', type: 'object', pipeline: 'value' },
  { name: 'FilterScript', type: 'scriptblock', position: 0 },
  { name: 'Property', type: 'string', position: 0 },
  { name: 'Value', type: 'object', position: 1 },
  ...WHERE_OPS.flatMap((o): ParamDef[] => [
    { name: o, aliases: [`I${o}`], type: 'switch' },
    { name: `C${o}`, type: 'switch' },
  ]).filter((p) => !['CIs', 'CIsNot'].includes(p.name)),
  { name: 'Not', type: 'switch' },
], {
  process: async (c, v) => {
    const item = input(c, v);
    if (item === undefined) return;
    const fs = c.get('FilterScript');
    const prop = c.get('Property');
    if (fs instanceof PSScriptBlock || (prop instanceof PSScriptBlock)) {
      const sb = (fs instanceof PSScriptBlock ? fs : prop) as PSScriptBlock;
      const out: PSValue[] = [];
      await runInCaller(c, sb, item, async (x) => {
        out.push(x);
      });
      if (toBool(first1(out))) await c.write(item);
      return;
    }
    const propName = prop === undefined || prop === null ? undefined : toStr(prop);
    if (propName === undefined) {
      if (toBool(item)) await c.write(item);
      return;
    }
    const value = getMember(item, propName) ?? null;
    const rhs = c.get('Value') ?? null;
    let op: string | undefined;
    for (const o of WHERE_OPS) {
      if (c.switch(o)) op = o.toLowerCase();
      if (c.switch(`C${o}`)) op = `c${o.toLowerCase()}`;
    }
    let keep: boolean;
    if (op === undefined) keep = c.switch('Not') ? !toBool(value) : toBool(value);
    else {
      const cs = op.startsWith('c') && !['contains', 'notcontains'].includes(op) ? true : op.startsWith('ccontains') || op.startsWith('cnotcontains');
      const base = cs ? op.slice(1) : op;
      switch (base) {
        case 'contains':
          keep = containsOp(value, rhs, cs);
          break;
        case 'notcontains':
          keep = !containsOp(value, rhs, cs);
          break;
        case 'in':
          keep = containsOp(rhs, value, cs);
          break;
        case 'notin':
          keep = !containsOp(rhs, value, cs);
          break;
        case 'is':
          keep = isOp(value, rhs);
          break;
        case 'isnot':
          keep = !isOp(value, rhs);
          break;
        default:
          keep = toBool(comparison(base as ComparisonOp, value, rhs, cs));
      }
    }
    if (keep) await c.write(item);
  },
});

// ---- Select-Object ----------------------------------------------------------------------------------

export const selectObject = def('Select-Object', UTIL, [
  { name: 'InputObject', type: 'object', pipeline: 'value' },
  { name: 'Property', type: 'object[]', position: 0 },
  { name: 'ExcludeProperty', type: 'string[]' },
  { name: 'ExpandProperty', type: 'string' },
  { name: 'Unique', type: 'switch' },
  { name: 'Last', type: 'int' },
  { name: 'First', type: 'int' },
  { name: 'Skip', type: 'int' },
  { name: 'SkipLast', type: 'int' },
  { name: 'Wait', type: 'switch' },
  { name: 'Index', type: 'object[]' },
], {
  begin: async (c) => {
    bag(c)._items = [];
    bag(c)._state = { seen: 0, emitted: 0 };
  },
  process: async (c, v) => {
    const item = input(c, v);
    if (item === undefined) return;
    const st = bag(c)._state ?? {};
    const buffered = c.has('Last') || c.has('SkipLast') || c.has('Unique') || c.has('Index');
    if (buffered) {
      bag(c)._items?.push(item);
      c.engine.limits.checkArray(bag(c)._items?.length ?? 0);
      return;
    }
    const seen = (st['seen'] as number) + 1;
    st['seen'] = seen;
    const skip = c.has('Skip') ? Number(c.get('Skip')) : 0;
    if (seen <= skip) return;
    if (c.has('First')) {
      const first = Number(c.get('First'));
      if ((st['emitted'] as number) >= first) c.stopUpstream();
    }
    await emitSelected(c, item);
    st['emitted'] = (st['emitted'] as number) + 1;
    if (c.has('First') && (st['emitted'] as number) >= Number(c.get('First'))) c.stopUpstream();
  },
  end: async (c) => {
    let items = bag(c)._items ?? [];
    if (!(c.has('Last') || c.has('SkipLast') || c.has('Unique') || c.has('Index'))) return;
    if (c.has('Index')) {
      const idx = (c.get('Index') as PSValue[]).map((x) => toNumber(x));
      items = idx.map((i) => items[i < 0 ? items.length + i : i]).filter((x): x is PSValue => x !== undefined);
    }
    if (c.has('Unique')) {
      const out: PSValue[] = [];
      for (const x of items) if (!out.some((y) => sameForUnique(x, y))) out.push(x);
      items = out;
    }
    if (c.has('Skip')) items = items.slice(Number(c.get('Skip')));
    if (c.has('SkipLast')) items = items.slice(0, Math.max(0, items.length - Number(c.get('SkipLast'))));
    if (c.has('First')) items = items.slice(0, Number(c.get('First')));
    if (c.has('Last')) items = items.slice(Math.max(0, items.length - Number(c.get('Last'))));
    for (const x of items) await emitSelected(c, x);
  },
});

function sameForUnique(a: PSValue, b: PSValue): boolean {
  if (a instanceof PSObject && b instanceof PSObject) {
    const pa = a.properties();
    const pb = b.properties();
    if (pa.length !== pb.length) return false;
    return pa.every((p, i) => p.name === pb[i]?.name && equalsValues(getMember(a, p.name) ?? null, getMember(b, p.name) ?? null, true));
  }
  return equalsValues(a, b, true);
}

async function emitSelected(c: CmdletContext, item: PSValue): Promise<void> {
  const expand = c.str('ExpandProperty');
  const propArg = c.get('Property');
  if (propArg === undefined && expand === undefined) {
    await c.write(item);
    return;
  }
  let obj: PSObject | undefined;
  if (propArg !== undefined && propArg !== null) {
    const specs = await propertySpecs(c, item, propArg);
    const exclude = (c.strs('ExcludeProperty') ?? []).map((x) => wildcardToRegExp(x));
    const typeName = typeNamesOf(item)[0] ?? 'System.Object';
    obj = new PSObject([`Selected.${typeName}`, 'System.Management.Automation.PSCustomObject', 'System.Object']);
    for (const s of specs) {
      if (exclude.some((r) => r.test(s.label))) continue;
      if (obj.property(s.label) !== undefined) {
        await c.writeError({
          message: `The property cannot be processed because the property "${s.label}" already exists.`,
          errorId: 'AlreadyExistingUserSpecifiedPropertyNoExpand',
          category: 'InvalidOperation',
          target: item,
          exceptionType: 'System.Management.Automation.PSArgumentException',
        });
        continue;
      }
      obj.setNote(s.label, await s.value(item));
    }
  }
  if (expand !== undefined) {
    const source = item;
    const v = getMember(source, expand);
    if (v === undefined) {
      await c.writeError({
        message: `Property "${expand}" cannot be found.`,
        errorId: 'ExpandPropertyNotFound',
        category: 'InvalidArgument',
        target: item,
        exceptionType: 'System.Management.Automation.PSArgumentException',
      });
      return;
    }
    const values = isEnumerable(v) ? v : [v];
    for (const x of values) {
      if (obj !== undefined && x instanceof PSObject) {
        const copy = new PSObject(x.typeNames);
        for (const p of x.properties(true)) copy.addProperty({ ...p });
        for (const [k, m] of x.methods) copy.methods.set(k, m);
        copy.toStringFn = x.toStringFn;
        for (const p of obj.properties()) copy.setNote(p.name, p.value ?? null);
        await c.write(copy);
      } else await c.write(x);
    }
    return;
  }
  if (obj !== undefined) await c.write(obj);
}

// ---- Sort-Object ---------------------------------------------------------------------------------------

interface SortKey {
  value: (o: PSValue) => Promise<PSValue>;
  descending: boolean | undefined;
}

async function sortKeys(c: CmdletContext, props: PSValue | undefined): Promise<SortKey[]> {
  if (props === undefined || props === null) return [{ value: async (o) => defaultSortValue(o), descending: undefined }];
  const list = Array.isArray(props) ? props : [props];
  const keys: SortKey[] = [];
  for (const p of list) {
    if (p instanceof PSScriptBlock) {
      keys.push({ value: async (o) => first1(await c.engine.invokeScriptBlock(p, o, [])), descending: undefined });
      continue;
    }
    if (p instanceof PSHashtable) {
      let expr: PSValue = null;
      let desc: boolean | undefined;
      for (const [k, v] of p.entries()) {
        const key = toStr(k).toLowerCase();
        if ('expression'.startsWith(key)) expr = v;
        else if ('descending'.startsWith(key)) desc = toBool(v);
        else if ('ascending'.startsWith(key)) desc = !toBool(v);
      }
      const e = expr;
      keys.push({ value: async (o) => (e instanceof PSScriptBlock ? first1(await c.engine.invokeScriptBlock(e, o, [])) : (getMember(o, toStr(e)) ?? null)), descending: desc });
      continue;
    }
    const name = toStr(p);
    if (hasWildcard(name)) {
      const re = wildcardToRegExp(name);
      keys.push({
        value: async (o) => {
          const n = allPropertyNames(o).find((x) => re.test(x));
          return n === undefined ? null : (getMember(o, n) ?? null);
        },
        descending: undefined,
      });
      continue;
    }
    keys.push({ value: async (o) => getMember(o, name) ?? null, descending: undefined });
  }
  return keys;
}

function defaultSortValue(o: PSValue): PSValue {
  if (o instanceof PSObject && !o.isCustom) {
    const d = displayProperties(o)[0];
    if (o.typeNames.includes('System.IO.FileSystemInfo')) return getMember(o, 'Name') ?? null;
    if (d !== undefined && o.defaultDisplay !== undefined) return getMember(o, d) ?? null;
    const n = getMember(o, 'Name');
    if (n !== undefined) return n;
  }
  return o;
}

/** Sort-Object's comparison: nulls first, numbers numerically, strings culture case-insensitively. */
export function sortCompare(a: PSValue, b: PSValue, caseSensitive: boolean): number {
  if (a === null && b === null) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  let r: number | undefined;
  try {
    if (typeof a === 'string' && typeof b === 'string') {
      r = a.localeCompare(b, 'en-US', { sensitivity: caseSensitive ? 'variant' : 'accent' });
      if (r === 0 && caseSensitive && a !== b) r = a < b ? 1 : -1;
    } else r = compareValues(a, b, caseSensitive);
  } catch {
    r = undefined;
  }
  if (r === undefined) {
    const sa = toStr(a);
    const sb = toStr(b);
    r = sa.localeCompare(sb, 'en-US', { sensitivity: 'accent' });
  }
  return r;
}

export const sortObject = def('Sort-Object', UTIL, [
  { name: 'InputObject', type: 'object', pipeline: 'value' },
  { name: 'Property', type: 'object[]', position: 0 },
  { name: 'Descending', type: 'switch' },
  { name: 'Unique', type: 'switch' },
  { name: 'CaseSensitive', type: 'switch' },
  { name: 'Culture', type: 'string' },
], {
  begin: async (c) => {
    bag(c)._items = [];
  },
  process: async (c, v) => {
    const item = input(c, v);
    if (item === undefined) return;
    bag(c)._items?.push(item);
    c.engine.limits.checkArray(bag(c)._items?.length ?? 0);
  },
  end: async (c) => {
    const items = bag(c)._items ?? [];
    const keys = await sortKeys(c, c.get('Property'));
    const desc = c.switch('Descending');
    const cs = c.switch('CaseSensitive');
    const rows: { item: PSValue; values: PSValue[]; i: number }[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i] ?? null;
      const values: PSValue[] = [];
      for (const k of keys) values.push(await k.value(item));
      rows.push({ item, values, i });
      c.engine.step();
    }
    c.engine.step(Math.ceil(rows.length * Math.log2(rows.length + 1)));
    rows.sort((x, y) => {
      for (let k = 0; k < keys.length; k++) {
        const d = keys[k]?.descending ?? desc;
        const r = sortCompare(x.values[k] ?? null, y.values[k] ?? null, cs);
        if (r !== 0) return d ? -r : r;
      }
      return x.i - y.i;
    });
    let out = rows;
    if (c.switch('Unique')) {
      out = [];
      for (const r of rows) {
        const prev = out[out.length - 1];
        if (prev !== undefined && keys.every((_k, k) => sortCompare(prev.values[k] ?? null, r.values[k] ?? null, cs) === 0)) continue;
        out.push(r);
      }
    }
    for (const r of out) await c.write(r.item);
  },
});

// ---- Measure-Object ---------------------------------------------------------------------------------------

export const measureObject = def('Measure-Object', UTIL, [
  { name: 'InputObject', type: 'object', pipeline: 'value' },
  { name: 'Property', type: 'string[]', position: 0 },
  { name: 'Sum', type: 'switch' },
  { name: 'Average', type: 'switch' },
  { name: 'Maximum', type: 'switch' },
  { name: 'Minimum', type: 'switch' },
  { name: 'Line', type: 'switch' },
  { name: 'Word', type: 'switch' },
  { name: 'Character', type: 'switch' },
  { name: 'IgnoreWhiteSpace', type: 'switch' },
], {
  begin: async (c) => {
    bag(c)._items = [];
  },
  process: async (c, v) => {
    const item = input(c, v);
    if (item === undefined) return;
    bag(c)._items?.push(item);
    c.engine.limits.checkArray(bag(c)._items?.length ?? 0);
  },
  end: async (c) => {
    const items = bag(c)._items ?? [];
    const props = c.strs('Property');
    if (c.switch('Line') || c.switch('Word') || c.switch('Character')) {
      let lines = 0;
      let words = 0;
      let chars = 0;
      for (const it of items) {
        const s = toStr(props !== undefined ? (getMember(it, props[0] ?? '') ?? null) : it);
        lines += s.split(/\r\n|\n/).length;
        words += s.split(/\s+/).filter((w) => w !== '').length;
        chars += c.switch('IgnoreWhiteSpace') ? s.replace(/\s/g, '').length : s.length;
      }
      const o = new PSObject(['Microsoft.PowerShell.Commands.TextMeasureInfo', 'Microsoft.PowerShell.Commands.MeasureInfo', 'System.Object']);
      o.setNote('Lines', c.switch('Line') ? lines : null);
      o.setNote('Words', c.switch('Word') ? words : null);
      o.setNote('Characters', c.switch('Character') ? chars : null);
      o.setNote('Property', props?.[0] ?? null);
      await c.write(o);
      return;
    }
    const targets = props ?? [undefined];
    for (const prop of targets) {
      let count = 0;
      let sum = 0;
      let max: PSValue = null;
      let min: PSValue = null;
      let found = prop === undefined;
      for (const it of items) {
        let val: PSValue = it;
        if (prop !== undefined) {
          const m = getMember(it, prop);
          if (m === undefined) continue;
          found = true;
          val = m;
        }
        count++;
        if (c.switch('Sum') || c.switch('Average')) {
          try {
            sum += toNumber(val);
          } catch {
            await c.writeError({ message: `Input object "${toStr(val)}" is not numeric.`, errorId: 'NonNumericInputObject', category: 'InvalidType', target: val, exceptionType: 'System.Management.Automation.PSInvalidOperationException' });
          }
        }
        if (c.switch('Maximum') || c.switch('Minimum')) {
          let n: PSValue = val;
          if (typeof val === 'string') {
            try {
              n = toNumber(val);
            } catch {
              n = val;
            }
          }
          if (max === null || sortCompare(n, max, false) > 0) max = n;
          if (min === null || sortCompare(n, min, false) < 0) min = n;
        }
      }
      if (!found) {
        await c.writeError({ message: `The property "${prop ?? ''}" cannot be found in the input for any objects.`, errorId: 'GenericMeasurePropertyNotFound', category: 'InvalidArgument', target: prop ?? null, exceptionType: 'System.Management.Automation.PSArgumentException' });
        continue;
      }
      const o = new PSObject(['Microsoft.PowerShell.Commands.GenericMeasureInfo', 'Microsoft.PowerShell.Commands.MeasureInfo', 'System.Object']);
      o.setNote('Count', count);
      o.setNote('Average', c.switch('Average') ? (count === 0 ? null : sum / count) : null);
      o.setNote('Sum', c.switch('Sum') ? sum : null);
      o.setNote('Maximum', c.switch('Maximum') ? (typeof max === 'number' ? max : max === null ? null : max) : null);
      o.setNote('Minimum', c.switch('Minimum') ? (typeof min === 'number' ? min : min === null ? null : min) : null);
      o.setNote('Property', prop ?? null);
      await c.write(o);
    }
  },
});

// ---- Group-Object ------------------------------------------------------------------------------------

export const groupObject = def('Group-Object', UTIL, [
  { name: 'InputObject', type: 'object', pipeline: 'value' },
  { name: 'Property', type: 'object[]', position: 0 },
  { name: 'NoElement', type: 'switch' },
  { name: 'AsHashTable', type: 'switch' },
  { name: 'AsString', type: 'switch' },
  { name: 'CaseSensitive', type: 'switch' },
  { name: 'Culture', type: 'string' },
], {
  begin: async (c) => {
    bag(c)._items = [];
  },
  process: async (c, v) => {
    const item = input(c, v);
    if (item === undefined) return;
    bag(c)._items?.push(item);
    c.engine.limits.checkArray(bag(c)._items?.length ?? 0);
  },
  end: async (c) => {
    const items = bag(c)._items ?? [];
    const keys = await sortKeys(c, c.get('Property') ?? null);
    const cs = c.switch('CaseSensitive');
    const groups: { values: PSValue[]; items: PSValue[] }[] = [];
    for (const it of items) {
      const values: PSValue[] = [];
      for (const k of keys) values.push(c.has('Property') ? await k.value(it) : it);
      const g = groups.find((x) => x.values.every((v, i) => sortCompare(v, values[i] ?? null, cs) === 0 && (v === null) === ((values[i] ?? null) === null)));
      if (g !== undefined) g.items.push(it);
      else groups.push({ values, items: [it] });
      c.engine.step();
    }
    const nameOf = (values: PSValue[]): string =>
      values
        .map((v) => (v === null ? '' : Array.isArray(v) ? `{${v.map((x) => toStr(x)).join(', ')}}` : toStr(v)))
        .join(', ');
    if (c.switch('AsHashTable')) {
      const h = new PSHashtable();
      for (const g of groups) h.set(c.switch('AsString') ? nameOf(g.values) : (g.values[0] ?? null), asList([...g.items], 'System.Collections.ObjectModel.Collection`1[[System.Management.Automation.PSObject]]'));
      await c.write(h);
      return;
    }
    for (const g of groups) {
      const noEl = c.switch('NoElement');
      const o = new PSObject(noEl ? ['Microsoft.PowerShell.Commands.GroupInfoNoElement', 'Microsoft.PowerShell.Commands.GroupInfo', 'System.Object'] : ['Microsoft.PowerShell.Commands.GroupInfo', 'System.Object']);
      o.setNote('Values', asList([...g.values], 'System.Collections.ArrayList'));
      o.setNote('Count', g.items.length);
      if (!noEl) o.setNote('Group', g.items);
      o.setNote('Name', nameOf(g.values));
      o.toStringFn = () => 'Microsoft.PowerShell.Commands.GroupInfo';
      await c.write(o);
    }
  },
});

// ---- New-Object / Get-Member -------------------------------------------------------------------------

export const newObjectCmd = def('New-Object', UTIL, [
  // Mandatory in the Net parameter set only; -ComObject is the other set.
  { name: 'TypeName', type: 'string', position: 0 },
  { name: 'ArgumentList', aliases: ['Args'], type: 'object[]', position: 1 },
  { name: 'Property', type: 'hashtable' },
  { name: 'ComObject', type: 'string' },
  { name: 'Strict', type: 'switch' },
], {
  process: async (c) => {
    const constrained = c.engine.languageMode === 'ConstrainedLanguage';
    // New-Object.cs: ConstrainedLanguage creates core types only, and no COM objects [NewObjectStrings.resx].
    if (c.has('ComObject') && constrained) {
      c.terminate({ message: 'Cannot create type. Only core types are supported in this language mode.', errorId: 'CannotCreateComTypeConstrainedLanguage', category: 'PermissionDenied', exceptionType: 'System.Management.Automation.PSNotSupportedException' });
    }
    if (c.has('ComObject')) {
      c.terminate({ message: `Retrieving the COM class factory for component with CLSID {00000000-0000-0000-0000-000000000000} failed due to the following error: 80040154 Class not registered (Exception from HRESULT: 0x80040154 (REGDB_E_CLASSNOTREG)).`, errorId: 'NoCOMClassIdentified', category: 'ResourceUnavailable', exceptionType: 'System.Runtime.InteropServices.COMException' });
    }
    if (!c.has('TypeName')) {
      c.terminate({ message: 'Cannot process command because of one or more missing mandatory parameters: TypeName.', errorId: 'MissingMandatoryParameter', category: 'InvalidArgument', exceptionType: 'System.Management.Automation.ParameterBindingException' });
    }
    const name = c.str('TypeName') ?? '';
    let type: PSTypeRef | undefined;
    try {
      type = requireType(name);
    } catch {
      type = undefined;
    }
    if (type === undefined) {
      return c.terminate({
        message: `Cannot find type [${name}]: verify that the assembly containing this type is loaded.`,
        errorId: 'TypeNotFound',
        category: 'InvalidType',
        exceptionType: 'System.Management.Automation.PSArgumentException',
      });
    }
    if (constrained && !isCoreTypeName(type.fullName) && type.fullName !== 'System.Object') {
      c.terminate({ message: 'Cannot create type. Only core types are supported in this language mode.', errorId: 'CannotCreateTypeConstrainedLanguage', category: 'PermissionDenied', exceptionType: 'System.Management.Automation.PSNotSupportedException' });
    }
    const args = c.get('ArgumentList');
    const list = args === undefined || args === null ? [] : Array.isArray(args) ? args : [args];
    const obj = await newObject(type, list, c.engine);
    const props = c.get('Property');
    if (props instanceof PSHashtable && obj instanceof PSObject) for (const [k, v] of props.entries()) obj.setNote(toStr(k), v);
    await c.write(obj);
  },
});

const STRING_METHODS = [
  'Clone', 'CompareTo', 'Contains', 'CopyTo', 'EndsWith', 'Equals', 'GetEnumerator', 'GetHashCode', 'GetType', 'GetTypeCode', 'IndexOf', 'IndexOfAny', 'Insert', 'IsNormalized', 'LastIndexOf', 'LastIndexOfAny',
  'Normalize', 'PadLeft', 'PadRight', 'Remove', 'Replace', 'Split', 'StartsWith', 'Substring', 'ToBoolean', 'ToByte', 'ToChar', 'ToCharArray', 'ToDateTime', 'ToDecimal', 'ToDouble', 'ToInt16', 'ToInt32',
  'ToInt64', 'ToLower', 'ToLowerInvariant', 'ToSByte', 'ToSingle', 'ToString', 'ToType', 'ToUInt16', 'ToUInt32', 'ToUInt64', 'ToUpper', 'ToUpperInvariant', 'Trim', 'TrimEnd', 'TrimStart',
];

export const getMemberCmd = def('Get-Member', UTIL, [
  { name: 'InputObject', type: 'object', pipeline: 'value' },
  { name: 'Name', type: 'string[]', position: 0 },
  { name: 'MemberType', aliases: ['Type'], type: 'string' },
  { name: 'Static', type: 'switch' },
  { name: 'Force', type: 'switch' },
], {
  begin: async (c) => {
    bag(c)._state = { seen: new Set<string>() };
  },
  process: async (c, v) => {
    const item = input(c, v);
    if (item === undefined || item === null) return;
    const seen = bag(c)._state?.['seen'] as Set<string>;
    const typeName = typeNameOf(item);
    if (seen.has(typeName)) return;
    seen.add(typeName);
    const members: { name: string; type: string; def: string }[] = [];
    if (typeof item === 'string') {
      for (const m of STRING_METHODS) members.push({ name: m, type: 'Method', def: `${m}(...)` });
      members.push({ name: 'Chars', type: 'ParameterizedProperty', def: 'char Chars(int index) {get;}' });
      members.push({ name: 'Length', type: 'Property', def: 'int Length {get;}' });
    } else if (item instanceof PSObject) {
      for (const m of ['Equals', 'GetHashCode', 'GetType', 'ToString']) members.push({ name: m, type: 'Method', def: m === 'Equals' ? 'bool Equals(System.Object obj)' : m === 'GetHashCode' ? 'int GetHashCode()' : m === 'GetType' ? 'type GetType()' : 'string ToString()' });
      for (const [, m] of item.methods) if (!members.some((x) => x.name === m.name)) members.push({ name: m.name, type: 'Method', def: `${m.name}()` });
      for (const p of item.properties(true)) {
        const val = p.getter !== undefined ? p.getter() : (p.value ?? null);
        const tn = val === null ? 'System.Object' : typeNameOf(val);
        const shortTn = tn === 'System.String' ? 'string' : tn === 'System.Int32' ? 'int' : tn === 'System.Int64' ? 'long' : tn === 'System.Boolean' ? 'bool' : tn === 'System.DateTime' ? 'datetime' : tn;
        members.push({ name: p.name, type: p.kind, def: p.kind === 'NoteProperty' ? `${shortTn} ${p.name}=${toStr(val)}` : `${shortTn} ${p.name} {get;}` });
      }
    } else {
      for (const n of allPropertyNames(item)) members.push({ name: n, type: 'Property', def: `${n} {get;}` });
      for (const m of ['Equals', 'GetHashCode', 'GetType', 'ToString']) members.push({ name: m, type: 'Method', def: `${m}()` });
    }
    const order = ['AliasProperty', 'CodeProperty', 'Event', 'Method', 'NoteProperty', 'ParameterizedProperty', 'Property', 'ScriptProperty'];
    members.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type) || a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
    const names = c.strs('Name')?.map((n) => wildcardToRegExp(n));
    const mt = c.str('MemberType')
      ?.toLowerCase()
      .split(/\s*,\s*/)
      .map((x) => x.replace(/s$/, ''));
    const matchesType = (t: string): boolean => {
      if (mt === undefined || mt.includes('all')) return true;
      const lt = t.toLowerCase();
      return mt.some((x) => lt === x || (x === 'propertie' && lt.endsWith('property') && lt !== 'parameterizedproperty'));
    };
    for (const m of members) {
      if (names !== undefined && !names.some((r) => r.test(m.name))) continue;
      if (!matchesType(m.type)) continue;
      const o = new PSObject(['Microsoft.PowerShell.Commands.MemberDefinition', 'System.Object']);
      o.setNote('TypeName', typeName);
      o.setNote('Name', m.name);
      o.setNote('MemberType', m.type);
      o.setNote('Definition', m.def);
      o.defaultDisplay = ['Name', 'MemberType', 'Definition'];
      await c.write(o);
    }
  },
});

export const OBJECT_CMDLETS: CmdletDef[] = [forEachObject, whereObject, selectObject, sortObject, measureObject, groupObject, newObjectCmd, getMemberCmd];

export { PSVariable };
