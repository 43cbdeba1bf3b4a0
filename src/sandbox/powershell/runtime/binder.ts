// Parameter binding (about_Parameters, about_CommonParameters): named parameters by full name,
// alias or unique prefix; switches; `-Name:value`; positional arguments in position order;
// pipeline input by value or by property name; PowerShell 5.1's ParameterBindingException texts.
import type { Extent } from '../language/position.js';
import type { ParamDef, ParamType } from './command.js';
import { toBool, toNumber, toStr, typeNameOf } from './convert.js';
import { PSRuntimeError } from './errors.js';
import { ENUM_TYPES, convertTo, resolveType } from './types.js';
import { PSErrorRecord, PSException, PSHashtable, PSObject, PSScriptBlock, PSTypeRef, type PSValue } from './values.js';

/** One evaluated element of a command line. */
export type CommandElement =
  | { readonly kind: 'param'; readonly name: string; readonly text: string; readonly value: PSValue | undefined; readonly hasValue: boolean; readonly extent: Extent }
  | { readonly kind: 'arg'; readonly value: PSValue; readonly extent: Extent; readonly text: string };

export interface BindFailure {
  readonly id: string;
  readonly message: string;
  readonly extent: Extent | undefined;
  readonly category?: 'InvalidArgument' | 'InvalidData' | 'ObjectNotFound';
  readonly exceptionType?: string;
}

export class BindingError extends Error {
  constructor(readonly failure: BindFailure) {
    super(failure.message);
  }
}

/** The parameter a typed name refers to: exact name or alias, else a unique prefix. */
export function resolveParam<T extends { readonly name: string; readonly aliases?: readonly string[] | undefined }>(params: readonly T[], typed: string): T | 'ambiguous' | undefined {
  const t = typed.toLowerCase();
  for (const p of params) {
    if (p.name.toLowerCase() === t) return p;
    if (p.aliases?.some((a) => a.toLowerCase() === t) === true) return p;
  }
  const matches = params.filter((p) => p.name.toLowerCase().startsWith(t));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) return 'ambiguous';
  return undefined;
}

export function paramTypeName(p: ParamDef): string {
  if (p.typeName !== undefined) return p.typeName;
  const map: Record<ParamType, string> = {
    string: 'System.String',
    'string[]': 'System.String[]',
    int: 'System.Int32',
    long: 'System.Int64',
    double: 'System.Double',
    switch: 'System.Management.Automation.SwitchParameter',
    bool: 'System.Boolean',
    object: 'System.Object',
    'object[]': 'System.Object[]',
    scriptblock: 'System.Management.Automation.ScriptBlock',
    hashtable: 'System.Collections.Hashtable',
    datetime: 'System.DateTime',
    encoding: 'Microsoft.PowerShell.Commands.FileSystemCmdletProviderEncoding',
  };
  return map[p.type];
}

/** Convert an argument to a parameter's type, or throw a BindingError with PowerShell's text. */
export function convertArg(p: ParamDef, v: PSValue, extent: Extent | undefined): PSValue {
  const fail = (reason: string): never => {
    throw new BindingError({
      id: 'CannotConvertArgumentNoMessage',
      message: `Cannot bind parameter '${p.name}'. ${reason}`,
      extent,
      exceptionType: 'System.Management.Automation.ParameterBindingException',
    });
  };
  switch (p.type) {
    case 'string':
      if (v === null) return null;
      if (Array.isArray(v)) {
        if (v.length === 1) return toStr(v[0] ?? null);
        throw new BindingError({
          id: 'CannotConvertArgument',
          message: `Cannot convert '${v.map((x) => toStr(x)).join(' ')}' to the type 'System.String' required by parameter '${p.name}'. Specified method is not supported.`,
          extent,
          exceptionType: 'System.Management.Automation.ParameterBindingException',
        });
      }
      return toStr(v);
    case 'string[]':
      if (v === null) return null;
      return Array.isArray(v) ? v.map((x) => toStr(x)) : [toStr(v)];
    case 'int':
    case 'long':
    case 'double':
      try {
        const n = toNumber(Array.isArray(v) && v.length === 1 ? (v[0] ?? null) : v, paramTypeName(p));
        return p.type === 'double' ? n : Math.round(n);
      } catch (e) {
        if (e instanceof PSRuntimeError) {
          throw new BindingError({
            id: 'ParameterArgumentTransformationError',
            message: `Cannot process argument transformation on parameter '${p.name}'. ${e.record.message}`,
            extent,
            category: 'InvalidData',
            exceptionType: 'System.Management.Automation.ParameterBindingArgumentTransformationException',
          });
        }
        throw e;
      }
    case 'switch':
    case 'bool':
      return toBool(v);
    case 'scriptblock':
      if (v instanceof PSScriptBlock) return v;
      return fail(`Cannot convert the "${toStr(v)}" value of type "${typeNameOf(v)}" to type "System.Management.Automation.ScriptBlock".`);
    case 'hashtable':
      if (v instanceof PSHashtable) return v;
      return fail(`Cannot convert the "${toStr(v)}" value of type "${typeNameOf(v)}" to type "System.Collections.Hashtable".`);
    case 'datetime':
      try {
        const dt = resolveType('datetime');
        return dt === undefined ? v : convertTo(v, dt);
      } catch (e) {
        if (e instanceof PSRuntimeError) {
          throw new BindingError({ id: 'CannotConvertArgumentNoMessage', message: `Cannot bind parameter '${p.name}'. ${e.record.message}`, extent, exceptionType: 'System.Management.Automation.ParameterBindingException' });
        }
        throw e;
      }
    case 'object[]':
      if (v === null) return null;
      return Array.isArray(v) ? v : [v];
    default:
      // A parameter typed as a known enum ([ConsoleColor]) converts as LanguagePrimitives does.
      if (p.typeName !== undefined && ENUM_TYPES[p.typeName] !== undefined) {
        try {
          return convertTo(v, new PSTypeRef(p.typeName));
        } catch (e) {
          if (e instanceof PSRuntimeError) return fail(e.record.message);
          throw e;
        }
      }
      return v;
  }
}

export interface BoundCall {
  readonly bound: Map<string, PSValue>;
}

/**
 * Bind the command line to a cmdlet's parameters. `params` includes the common parameters.
 * Throws BindingError.
 */
export function bindCmdlet(params: readonly ParamDef[], elements: readonly CommandElement[], commandExtent: Extent | undefined): Map<string, PSValue> {
  const bound = new Map<string, PSValue>();
  const positional: { value: PSValue; extent: Extent; text: string }[] = [];
  for (let i = 0; i < elements.length; i++) {
    const el = elements[i];
    if (el === undefined) continue;
    if (el.kind === 'arg') {
      positional.push(el);
      continue;
    }
    const p = resolveParam(params, el.name);
    if (p === 'ambiguous') {
      const names = params.filter((x) => x.name.toLowerCase().startsWith(el.name.toLowerCase())).map((x) => ` -${x.name}`);
      throw new BindingError({
        id: 'AmbiguousParameter',
        message: `Parameter cannot be processed because the parameter name '${el.name}' is ambiguous. Possible matches include:${names.join('')}.`,
        extent: el.extent,
        exceptionType: 'System.Management.Automation.ParameterBindingException',
      });
    }
    if (p === undefined) {
      throw new BindingError({
        id: 'NamedParameterNotFound',
        message: `A parameter cannot be found that matches parameter name '${el.name}'.`,
        extent: el.extent,
        exceptionType: 'System.Management.Automation.ParameterBindingException',
      });
    }
    if (bound.has(p.name)) {
      throw new BindingError({
        id: 'ParameterAlreadyBound',
        message: `Cannot bind parameter because parameter '${p.name}' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, "-parameter value1,value2,value3".`,
        extent: el.extent,
        exceptionType: 'System.Management.Automation.ParameterBindingException',
      });
    }
    let value: PSValue;
    if (el.hasValue) value = el.value ?? null;
    else if (p.type === 'switch') value = true;
    else {
      const next = elements[i + 1];
      if (next === undefined || next.kind === 'param') {
        throw new BindingError({
          id: 'MissingArgument',
          message: `Missing an argument for parameter '${p.name}'. Specify a parameter of type '${paramTypeName(p)}' and try again.`,
          extent: el.extent,
          exceptionType: 'System.Management.Automation.ParameterBindingException',
        });
      }
      value = next.value;
      i++;
    }
    if (p.validateSet !== undefined && value !== null) {
      const vals = Array.isArray(value) ? value : [value];
      for (const v of vals) {
        const s = toStr(v);
        if (!p.validateSet.some((x) => x.toLowerCase() === s.toLowerCase())) {
          throw new BindingError({
            id: 'ParameterArgumentValidationError',
            message: `Cannot validate argument on parameter '${p.name}'. The argument "${s}" does not belong to the set "${p.validateSet.join(',')}" specified by the ValidateSet attribute. Supply an argument that is in the set and then try the command again.`,
            extent: el.extent,
            category: 'InvalidData',
            exceptionType: 'System.Management.Automation.ParameterBindingValidationException',
          });
        }
      }
    }
    bound.set(p.name, convertArg(p, value, el.extent));
  }
  // positional
  const byPosition = params.filter((p) => p.position !== undefined).sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  const remaining = params.find((p) => p.remaining === true);
  for (let i = 0; i < positional.length; i++) {
    const arg = positional[i];
    if (arg === undefined) continue;
    const candidates = byPosition.filter((x) => !bound.has(x.name) && !sameSetBound(x, bound, byPosition));
    const firstPos = candidates[0]?.position;
    const atPos = candidates.filter((x) => x.position === firstPos);
    const p = atPos[0];
    if (p !== undefined && p === remaining) {
      const rest = positional.slice(i).map((x) => x.value);
      bound.set(p.name, convertArg(p, rest.length === 1 ? (rest[0] ?? null) : rest, arg.extent));
      break;
    }
    if (p === undefined && remaining !== undefined && bound.has(remaining.name)) {
      const prev = bound.get(remaining.name) ?? null;
      const list = Array.isArray(prev) ? [...prev] : [prev];
      list.push(...positional.slice(i).map((x) => x.value));
      bound.set(remaining.name, list);
      break;
    }
    if (p === undefined) {
      throw new BindingError({
        id: 'PositionalParameterNotFound',
        message: `A positional parameter cannot be found that accepts argument '${arg.text}'.`,
        extent: commandExtent,
        exceptionType: 'System.Management.Automation.ParameterBindingException',
      });
    }
    // parameters sharing a position (parameter sets): the first whose type accepts the value
    let lastError: BindingError | undefined;
    let done = false;
    for (const cand of atPos) {
      if (cand.type === 'scriptblock' && !(arg.value instanceof PSScriptBlock) && atPos.length > 1) continue;
      try {
        bound.set(cand.name, convertArg(cand, arg.value, arg.extent));
        done = true;
        break;
      } catch (e) {
        if (e instanceof BindingError) lastError = e;
        else throw e;
      }
    }
    if (!done) throw lastError ?? new BindingError({ id: 'PositionalParameterNotFound', message: `A positional parameter cannot be found that accepts argument '${arg.text}'.`, extent: commandExtent, exceptionType: 'System.Management.Automation.ParameterBindingException' });
  }
  return bound;
}

/** Parameters at the same position are alternatives (parameter sets): one bound excludes the others. */
function sameSetBound(p: ParamDef, bound: ReadonlyMap<string, PSValue>, byPosition: readonly ParamDef[]): boolean {
  return byPosition.some((x) => x !== p && x.position === p.position && bound.has(x.name));
}

/** Display text of an argument value for "positional parameter cannot be found" messages. */
export function argText(v: PSValue): string {
  if (Array.isArray(v)) return v.map((x) => toStr(x)).join(' ');
  return toStr(v);
}

/**
 * Per pipeline object: which parameters get it. ByPropertyName binds matching properties of
 * PSObjects / hashtables; then ValueFromPipeline takes the object itself.
 */
export function bindPipelineInput(params: readonly ParamDef[], explicit: ReadonlyMap<string, PSValue>, input: PSValue): Map<string, PSValue> {
  const out = new Map<string, PSValue>();
  const byProp = params.filter((p) => (p.pipeline === 'property' || p.pipeline === 'both') && !explicit.has(p.name));
  let boundByProperty = false;
  if (input instanceof PSObject || input instanceof PSHashtable) {
    for (const p of byProp) {
      const names = [p.name, ...(p.aliases ?? [])];
      for (const n of names) {
        const v = input instanceof PSObject ? input.getValue(n) : input.has(n) ? input.get(n) : undefined;
        if (v !== undefined) {
          out.set(p.name, convertArg(p, v, undefined));
          boundByProperty = true;
          break;
        }
      }
    }
  }
  if (!boundByProperty) {
    const byValue = params.find((p) => (p.pipeline === 'value' || p.pipeline === 'both') && !explicit.has(p.name));
    if (byValue !== undefined) out.set(byValue.name, convertArg(byValue, input, undefined));
  }
  return out;
}

/** An ErrorRecord for a binding failure of a command. */
export function bindingErrorRecord(f: BindFailure): PSErrorRecord {
  const ex = new PSException(f.exceptionType ?? 'System.Management.Automation.ParameterBindingException', f.message);
  return new PSErrorRecord(ex, f.id, f.category ?? 'InvalidArgument', null);
}
