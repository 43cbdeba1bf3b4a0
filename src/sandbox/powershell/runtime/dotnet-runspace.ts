// [PowerShell]::Create(): a PowerShell pipeline on a runspace of its own, as Ansible's
// module_wrapper.ps1 runs a module or a `script` task (AddScript / AddCommand / AddParameter(s) /
// AddArgument / AddStatement, Invoke, Runspace.SessionStateProxy.SetVariable / GetVariable,
// Streams.Error, HadErrors, InvocationStateInfo); [System.Console]::Out / SetOut / SetError /
// InputEncoding / OutputEncoding; System.IO.StringWriter over a StringBuilder
// [System.Management.Automation.PowerShell; System.Console; System.IO.StringWriter].
import { toBool, toStr } from './convert.js';
import { runtimeError } from './errors.js';
import { methodException, overloadError } from './members.js';
import type { NestedInvokeResult, NestedRunspace, RuntimeServices } from './services.js';
import { asList, PSHashtable, PSObject, type PSMethod, type PSValue } from './values.js';

interface Element {
  command: string;
  isScript: boolean;
  useLocalScope?: boolean;
  args: { name: string | undefined; value: PSValue; switchPresent?: boolean }[];
}

/** An async method (the interpreter awaits what a method returns). */
const asyncMethod = (f: (args: PSValue[]) => Promise<PSValue>): PSMethod => f as unknown as PSMethod;

export function powerShellObject(svc: RuntimeServices): PSObject {
  const o = new PSObject(['System.Management.Automation.PowerShell', 'System.Object']);
  let runspace: NestedRunspace | undefined;
  const rs = (method: string, n: number): NestedRunspace => {
    runspace ??= svc.createRunspace?.();
    if (runspace === undefined) throw methodException(method, n, 'A runspace could not be opened in this emulated session.', 'InvalidOperationException');
    return runspace;
  };
  const statements: Element[][] = [[]];
  const current = () => statements[statements.length - 1] as Element[];
  const last = (method: string, n: number): Element => {
    const e = current()[current().length - 1];
    if (e === undefined) throw methodException(method, n, 'A command is required to add a parameter. A command must be added to the PowerShell instance before adding a parameter.', 'InvalidOperationException');
    return e;
  };
  const errors: PSValue[] = asList([], 'System.Management.Automation.PSDataCollection`1[[System.Management.Automation.ErrorRecord]]');
  let state = 'NotStarted';
  let reason: PSValue = null;
  let hadErrors = false;

  const streams = new PSObject(['System.Management.Automation.PSDataStreams', 'System.Object']);
  streams.setNote('Error', errors);
  for (const s of ['Progress', 'Verbose', 'Debug', 'Warning', 'Information']) streams.setNote(s, asList([]));
  streams.addMethod('ClearStreams', () => {
    errors.length = 0;
    return null;
  });
  const stateInfo = new PSObject(['System.Management.Automation.PSInvocationStateInfo', 'System.Object']);
  stateInfo.addProperty({ name: 'State', kind: 'Property', getter: () => state });
  stateInfo.addProperty({ name: 'Reason', kind: 'Property', getter: () => reason });

  const proxy = new PSObject(['System.Management.Automation.Runspaces.SessionStateProxy', 'System.Object']);
  proxy.addMethod(
    'SetVariable',
    asyncMethod(async (a) => {
      if (a.length !== 2) overloadError('SetVariable', a.length);
      const r = await rs('SetVariable', 2).invokeCommands([
        { command: 'Set-Variable', isScript: false, args: [{ name: 'Name', value: toStr(a[0] ?? null) }, { name: 'Value', value: a[1] ?? null }, { name: 'Scope', value: 'Global' }] },
      ]);
      if (r.terminatingError !== undefined) throw methodException('SetVariable', 2, r.terminatingError.message, 'SessionStateUnauthorizedAccessException');
      return null;
    }),
  );
  proxy.addMethod(
    'GetVariable',
    asyncMethod(async (a) => {
      if (a.length !== 1) overloadError('GetVariable', a.length);
      const r = await rs('GetVariable', 1).invokeCommands([
        { command: 'Get-Variable', isScript: false, args: [{ name: 'Name', value: toStr(a[0] ?? null) }, { name: 'ValueOnly', value: true, switchPresent: true }, { name: 'ErrorAction', value: 'SilentlyContinue' }] },
      ]);
      return r.output.length === 1 ? (r.output[0] ?? null) : r.output.length === 0 ? null : r.output;
    }),
  );
  const runspaceObj = new PSObject(['System.Management.Automation.Runspaces.LocalRunspace', 'System.Management.Automation.Runspaces.Runspace', 'System.Object']);
  runspaceObj.setNote('SessionStateProxy', proxy);
  runspaceObj.setNote('RunspaceStateInfo', 'Opened');
  runspaceObj.addMethod('Dispose', () => null);
  runspaceObj.toStringFn = () => 'System.Management.Automation.Runspaces.LocalRunspace';

  o.addProperty({ name: 'Runspace', kind: 'Property', getter: () => runspaceObj });
  o.addProperty({ name: 'Streams', kind: 'Property', getter: () => streams });
  o.addProperty({ name: 'InvocationStateInfo', kind: 'Property', getter: () => stateInfo });
  o.addProperty({ name: 'HadErrors', kind: 'Property', getter: () => hadErrors });
  o.addProperty({ name: 'IsNested', kind: 'Property', value: false });
  o.addProperty({ name: 'Commands', kind: 'Property', getter: () => statements.flat().map((e) => e.command) });
  o.toStringFn = () => 'System.Management.Automation.PowerShell';

  o.addMethod('AddScript', (a) => {
    if (a.length < 1 || a.length > 2) overloadError('AddScript', a.length);
    current().push({ command: toStr(a[0] ?? null), isScript: true, useLocalScope: a.length > 1 && toBool(a[1] ?? null), args: [] });
    return o;
  });
  o.addMethod('AddCommand', (a) => {
    if (a.length < 1 || a.length > 2) overloadError('AddCommand', a.length);
    current().push({ command: toStr(a[0] ?? null), isScript: false, args: [] });
    return o;
  });
  o.addMethod('AddParameter', (a) => {
    if (a.length < 1 || a.length > 2) overloadError('AddParameter', a.length);
    const e = last('AddParameter', a.length);
    e.args.push(a.length === 1 ? { name: toStr(a[0] ?? null), value: true, switchPresent: true } : { name: toStr(a[0] ?? null), value: a[1] ?? null });
    return o;
  });
  o.addMethod('AddParameters', (a) => {
    if (a.length !== 1) overloadError('AddParameters', a.length);
    const e = last('AddParameters', 1);
    const p = a[0] ?? null;
    if (p instanceof PSHashtable) for (const [k, v] of p.entries()) e.args.push({ name: toStr(k), value: v });
    else for (const v of Array.isArray(p) ? p : [p]) e.args.push({ name: undefined, value: v });
    return o;
  });
  o.addMethod('AddArgument', (a) => {
    if (a.length !== 1) overloadError('AddArgument', a.length);
    last('AddArgument', 1).args.push({ name: undefined, value: a[0] ?? null });
    return o;
  });
  o.addMethod('AddStatement', () => {
    if (current().length > 0) statements.push([]);
    return o;
  });
  o.addMethod('Clear', () => {
    statements.length = 0;
    statements.push([]);
    return null;
  });
  o.addMethod(
    'Invoke',
    asyncMethod(async (a) => {
      const pending = statements.filter((s) => s.length > 0);
      if (pending.length === 0) throw methodException('Invoke', a.length, 'No commands are specified.', 'InvalidOperationException');
      const r = rs('Invoke', a.length);
      const output: PSValue[] = [];
      state = 'Running';
      hadErrors = false;
      for (const st of pending) {
        const res: NestedInvokeResult = await r.invokeCommands(st);
        output.push(...res.output);
        for (const e of res.errors) if (e !== res.terminatingError) errors.push(e);
        if (res.hadErrors || res.errors.length > 0) hadErrors = true;
        if (res.exitCode !== undefined) {
          // `exit N` ends the pipeline and leaves N in $LASTEXITCODE of the runspace.
          await r.invokeCommands([{ command: 'Set-Variable', isScript: false, args: [{ name: 'Name', value: 'LASTEXITCODE' }, { name: 'Value', value: res.exitCode }, { name: 'Scope', value: 'Global' }] }]);
          break;
        }
        if (res.terminatingError !== undefined) {
          state = 'Failed';
          reason = res.terminatingError.exception;
          hadErrors = true;
          throw runtimeError({
            message: `Exception calling "Invoke" with "${a.length}" argument(s): "${res.terminatingError.message}"`,
            errorId: 'RuntimeException',
            category: 'NotSpecified',
            exceptionType: 'System.Management.Automation.MethodInvocationException',
          });
        }
      }
      state = 'Completed';
      return asList(output, 'System.Collections.ObjectModel.Collection`1[[System.Management.Automation.PSObject]]');
    }),
  );
  o.addMethod('Stop', () => null);
  o.addMethod('Dispose', () => {
    state = state === 'Running' ? 'Stopped' : state;
    return null;
  });
  return o;
}

// ---- System.Console ----------------------------------------------------------------------------

/** A TextWriter: Console's own, or a StringWriter writing into a StringBuilder. */
export function textWriter(kind: 'console' | 'string', sb?: PSValue): PSObject {
  const o = new PSObject(kind === 'console' ? ['System.IO.TextWriter+SyncTextWriter', 'System.IO.TextWriter', 'System.MarshalByRefObject', 'System.Object'] : ['System.IO.StringWriter', 'System.IO.TextWriter', 'System.MarshalByRefObject', 'System.Object']);
  let own = '';
  const append = (text: string) => {
    if (sb instanceof PSObject) {
      const m = sb.methods.get('append');
      if (m !== undefined) {
        m.fn([text]);
        return;
      }
    }
    own += text;
  };
  o.setNote('NewLine', '\r\n');
  o.setNote('Encoding', null);
  o.addMethod('Write', (a) => {
    if (kind === 'string') append(a.map((x) => toStr(x)).join(''));
    return null;
  });
  o.addMethod('WriteLine', (a) => {
    if (kind === 'string') append((a.length > 0 ? toStr(a[0] ?? null) : '') + '\r\n');
    return null;
  });
  o.addMethod('Flush', () => null);
  o.addMethod('Close', () => null);
  o.addMethod('Dispose', () => null);
  o.addMethod('GetStringBuilder', () => (sb instanceof PSObject ? sb : null));
  o.addMethod('ToString', () => (kind === 'string' ? (sb instanceof PSObject ? (sb.toStringFn?.() ?? '') : own) : o.typeNames[0] ?? ''));
  o.toStringFn = () => (kind === 'string' ? (sb instanceof PSObject ? (sb.toStringFn?.() ?? '') : own) : 'System.IO.TextWriter+SyncTextWriter');
  return o;
}

/**
 * Per-process console state. Console.Out set by SetOut only changes what [Console]::Out returns:
 * the emulated pipelines write their output themselves, never through Console.Out.
 */
const consoles = new WeakMap<RuntimeServices, { out: PSValue; err: PSValue; inputEncoding: PSValue; outputEncoding: PSValue }>();
function consoleOf(svc: RuntimeServices, enc: () => PSValue) {
  let c = consoles.get(svc);
  if (c === undefined) {
    c = { out: textWriter('console'), err: textWriter('console'), inputEncoding: enc(), outputEncoding: enc() };
    consoles.set(svc, c);
  }
  return c;
}

type StaticFn = (args: PSValue[], svc: RuntimeServices) => PSValue | undefined;

export function consoleStatics(encoding: () => PSValue): { props: Record<string, (svc: RuntimeServices) => PSValue>; methods: Record<string, StaticFn>; setters: Record<string, (v: PSValue, svc: RuntimeServices) => void> } {
  return {
    props: {
      out: (s) => consoleOf(s, encoding).out,
      error: (s) => consoleOf(s, encoding).err,
      inputencoding: (s) => consoleOf(s, encoding).inputEncoding,
      outputencoding: (s) => consoleOf(s, encoding).outputEncoding,
      isinputredirected: () => true,
      isoutputredirected: () => true,
      iserrorredirected: () => true,
    },
    methods: {
      setout: (a, s) => {
        if (a.length !== 1) overloadError('SetOut', a.length);
        if (a[0] === null || a[0] === undefined) throw methodException('SetOut', 1, 'Value cannot be null.\r\nParameter name: newOut', 'ArgumentNullException');
        consoleOf(s, encoding).out = a[0];
        return null;
      },
      seterror: (a, s) => {
        if (a.length !== 1) overloadError('SetError', a.length);
        if (a[0] === null || a[0] === undefined) throw methodException('SetError', 1, 'Value cannot be null.\r\nParameter name: newError', 'ArgumentNullException');
        consoleOf(s, encoding).err = a[0];
        return null;
      },
    },
    setters: {
      inputencoding: (v, s) => void (consoleOf(s, encoding).inputEncoding = v),
      outputencoding: (v, s) => void (consoleOf(s, encoding).outputEncoding = v),
    },
  };
}

export const POWERSHELL_STATICS = { methods: { create: (_a: PSValue[], s: RuntimeServices) => powerShellObject(s) } };
