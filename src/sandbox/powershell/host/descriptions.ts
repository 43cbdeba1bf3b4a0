// The host prompt descriptions scripts build for `$host.UI.PromptForChoice` and `$host.UI.Prompt`:
// System.Management.Automation.Host.ChoiceDescription (Label, HelpMessage) and FieldDescription
// (Name, Label, the parameter type names, HelpMessage, IsMandatory, DefaultValue, SetParameterType)
// [pwsh:SMA/engine/hostifaces/ChoiceDescription.cs, FieldDescription.cs]. A string converts to
// either through its one-argument constructor, as LanguagePrimitives does
// (`[ChoiceDescription[]]('&Yes', '&No')`).
import { toBool, toStr } from '../runtime/convert.js';
import { runtimeError } from '../runtime/errors.js';
import { PSObject, PSTypeRef, type PSValue } from '../runtime/values.js';

export const CHOICE_DESCRIPTION = 'System.Management.Automation.Host.ChoiceDescription';
export const PROGRESS_RECORD = 'System.Management.Automation.ProgressRecord';
export const FIELD_DESCRIPTION = 'System.Management.Automation.Host.FieldDescription';

const MSCORLIB = 'mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089';
const SMA = 'System.Management.Automation, Version=3.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35';

/** MethodInvocationException over a .NET exception (as runtime/members.ts methodException; imported here without its module cycle). */
function methodException(name: string, count: number, inner: string, errorId: string): Error {
  return runtimeError({ message: `Exception calling "${name}" with "${count}" argument(s): "${inner}"`, errorId, category: 'NotSpecified', exceptionType: 'System.Management.Automation.MethodInvocationException' });
}

/** `{0} cannot be null or empty.` [DescriptionsStrings.resx NullOrEmptyErrorTemplate] as .NET's ArgumentException shows it. */
function nullOrEmpty(argument: string, count: number): never {
  throw methodException('.ctor', count, `${argument} cannot be null or empty.\r\nParameter name: ${argument}`, 'ArgumentException');
}

/** new ChoiceDescription(label[, helpMessage]). */
export function choiceDescription(args: readonly PSValue[]): PSObject {
  const label = args[0] === undefined || args[0] === null ? '' : toStr(args[0]);
  if (label === '') nullOrEmpty('label', args.length);
  let help = args.length > 1 ? toStr(args[1] ?? null) : '';
  const o = new PSObject([CHOICE_DESCRIPTION, 'System.Object']);
  o.addProperty({ name: 'Label', kind: 'Property', getter: () => label });
  o.addProperty({ name: 'HelpMessage', kind: 'Property', getter: () => help, setter: (v) => (help = v === null ? '' : toStr(v)) });
  o.toStringFn = () => CHOICE_DESCRIPTION;
  return o;
}

/** The .NET short name, full name and assembly-qualified name of a parameter type. */
export interface ParameterType {
  readonly name: string;
  readonly fullName: string;
  readonly assemblyFullName: string;
}

/** A type as FieldDescription.SetParameterType records it (Type.Name, FullName, AssemblyQualifiedName). */
export function parameterType(fullName: string): ParameterType {
  const name = fullName.split('.').pop() ?? fullName;
  const assembly = fullName.startsWith('System.Management.Automation.') ? SMA : MSCORLIB;
  return { name, fullName, assemblyFullName: `${fullName}, ${assembly}` };
}

const STRING_TYPE = parameterType('System.String');

/** new FieldDescription(name): a mandatory String field until SetParameterType. */
export function fieldDescription(args: readonly PSValue[]): PSObject {
  const name = args[0] === undefined || args[0] === null ? '' : toStr(args[0]);
  if (name === '') nullOrEmpty('name', args.length);
  let label = '';
  let help = '';
  let mandatory = true;
  let defaultValue: PSValue = null;
  let type = STRING_TYPE;
  const o = new PSObject([FIELD_DESCRIPTION, 'System.Object']);
  o.addProperty({ name: 'Name', kind: 'Property', getter: () => name });
  o.addProperty({ name: 'Label', kind: 'Property', getter: () => label, setter: (v) => (label = v === null ? '' : toStr(v)) });
  o.addProperty({ name: 'ParameterTypeName', kind: 'Property', getter: () => type.name });
  o.addProperty({ name: 'ParameterTypeFullName', kind: 'Property', getter: () => type.fullName });
  o.addProperty({ name: 'ParameterAssemblyFullName', kind: 'Property', getter: () => type.assemblyFullName });
  o.addProperty({ name: 'HelpMessage', kind: 'Property', getter: () => help, setter: (v) => (help = v === null ? '' : toStr(v)) });
  o.addProperty({ name: 'IsMandatory', kind: 'Property', getter: () => mandatory, setter: (v) => (mandatory = toBool(v)) });
  o.addProperty({ name: 'DefaultValue', kind: 'Property', getter: () => defaultValue, setter: (v) => (defaultValue = v) });
  o.addProperty({ name: 'Attributes', kind: 'Property', getter: () => [] });
  o.addMethod('SetParameterType', (a) => {
    const t = a[0];
    if (!(t instanceof PSTypeRef)) throw methodException('SetParameterType', a.length, 'Value cannot be null.\r\nParameter name: parameterType', 'ArgumentNullException');
    type = parameterType(t.fullName);
    // A void method: nothing written to the pipeline.
    return undefined as unknown as PSValue;
  });
  o.toStringFn = () => FIELD_DESCRIPTION;
  return o;
}

const has = (v: PSValue, type: string): v is PSObject => v instanceof PSObject && v.typeNames[0] === type;

export const isChoiceDescription = (v: PSValue): v is PSObject => has(v, CHOICE_DESCRIPTION);
export const isFieldDescription = (v: PSValue): v is PSObject => has(v, FIELD_DESCRIPTION);

/** What a ChoiceDescription carries to the host. */
export function choiceOf(v: PSObject): { readonly label: string; readonly helpMessage: string } {
  return { label: toStr(v.getValue('Label') ?? ''), helpMessage: toStr(v.getValue('HelpMessage') ?? '') };
}

/** What a FieldDescription carries to the host. */
export function fieldOf(v: PSObject): { name: string; label: string; helpMessage: string; isMandatory: boolean; parameterType: ParameterType } {
  return {
    name: toStr(v.getValue('Name') ?? ''),
    label: toStr(v.getValue('Label') ?? ''),
    helpMessage: toStr(v.getValue('HelpMessage') ?? ''),
    isMandatory: toBool(v.getValue('IsMandatory') ?? true),
    parameterType: {
      name: toStr(v.getValue('ParameterTypeName') ?? 'String'),
      fullName: toStr(v.getValue('ParameterTypeFullName') ?? 'System.String'),
      assemblyFullName: toStr(v.getValue('ParameterAssemblyFullName') ?? STRING_TYPE.assemblyFullName),
    },
  };
}

/**
 * new ProgressRecord(activityId, activity, statusDescription), for `$host.UI.WriteProgress`
 * [pwsh:SMA/engine/ProgressRecord.cs]: ParentActivityId, PercentComplete and SecondsRemaining -1,
 * CurrentOperation null, RecordType Processing; all settable.
 */
export function progressRecord(args: readonly PSValue[]): PSObject {
  if (args.length !== 3) {
    throw runtimeError({ message: `Cannot find an overload for "ProgressRecord" and the argument count: "${args.length}".`, errorId: 'ConstructorInvokedThrowException', category: 'InvalidOperation', exceptionType: 'System.Management.Automation.MethodException' });
  }
  const state: Record<string, PSValue> = {
    ActivityId: Math.trunc(Number(args[0] ?? 0)),
    ParentActivityId: -1,
    Activity: toStr(args[1] ?? null),
    StatusDescription: toStr(args[2] ?? null),
    CurrentOperation: null,
    PercentComplete: -1,
    SecondsRemaining: -1,
    RecordType: 'Processing',
  };
  const o = new PSObject([PROGRESS_RECORD, 'System.Object']);
  for (const name of Object.keys(state)) o.addProperty({ name, kind: 'Property', getter: () => state[name] ?? null, setter: (v) => (state[name] = v) });
  o.toStringFn = () => `parent = ${toStr(state.ParentActivityId ?? -1)} id = ${toStr(state.ActivityId ?? 0)} act = ${toStr(state.Activity ?? '')} stat = ${toStr(state.StatusDescription ?? '')} cur = ${toStr(state.CurrentOperation ?? '')} pct = ${toStr(state.PercentComplete ?? -1)} sec = ${toStr(state.SecondsRemaining ?? -1)} type = ${toStr(state.RecordType ?? 'Processing')}`;
  return o;
}

export const isProgressRecord = (v: PSValue): v is PSObject => has(v, PROGRESS_RECORD);

/** What a ProgressRecord carries to the host (WriteProgress). */
export function progressOf(v: PSObject): ProgressFields {
  const n = (name: string, d: number) => {
    const x = v.getValue(name);
    return typeof x === 'number' ? x : x === undefined || x === null ? d : Number(toStr(x));
  };
  const current = v.getValue('CurrentOperation');
  return {
    activity: toStr(v.getValue('Activity') ?? ''),
    activityId: n('ActivityId', 0),
    statusDescription: toStr(v.getValue('StatusDescription') ?? ''),
    ...(current === undefined || current === null ? {} : { currentOperation: toStr(current) }),
    parentActivityId: n('ParentActivityId', -1),
    percentComplete: n('PercentComplete', -1),
    secondsRemaining: n('SecondsRemaining', -1),
    completed: /^completed$/i.test(toStr(v.getValue('RecordType') ?? '')),
  };
}

export interface ProgressFields {
  readonly activity: string;
  readonly activityId: number;
  readonly statusDescription: string;
  readonly currentOperation?: string;
  readonly parentActivityId: number;
  readonly percentComplete: number;
  readonly secondsRemaining: number;
  readonly completed: boolean;
}
