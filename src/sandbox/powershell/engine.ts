// The emulated Windows PowerShell 5.1: one engine per host, a fresh session per powershell.exe
// process (runScript) or per remoting runspace (openSession, for issue 9). runScript renders
// objects as text the way powershell.exe does under WinRS; sessions return the objects.
import type { HostFacts, ProcessContext } from '../../shell/backend.js';
import { STATUS_CONTROL_C_EXIT } from '../../shell/backend.js';
import type { Clock } from '../../core/clock.js';
import type { Vfs } from '../vfs/types.js';
import { ParseError } from './language/errors.js';
import { ScriptSource } from './language/position.js';
import type { CommandElementAst, ExpressionAst, ScriptBlockAst } from './language/ast.js';
import { BUILTIN_FUNCTIONS, ALIASES, CMDLETS } from './cmdlets/index.js';
import { hostObject, processObjectFor } from './cmdlets/system.js';
import { ConsoleHost } from './host/console-host.js';
import { attachSessionHostUi, bindSessionHost, type SessionHost } from './host/session-host.js';
import { resolveParam } from './runtime/binder.js';
import { COMMON_PARAMETERS, SHOULD_PROCESS_PARAMETERS, hostWriteTexts, type HostWrite, type Streams } from './runtime/command.js';
import { BreakSignal, ContinueSignal, ExitSignal, PSRuntimeError, ReturnSignal } from './runtime/errors.js';
import { AbortedSignal, Engine, type Emit } from './runtime/interpreter.js';
import type { EnvStore } from './runtime/services.js';
import { PSVariable } from './runtime/scope.js';
import { renderObjects } from './format/out-default.js';
import { PSEnum, PSErrorRecord, PSException, PSHashtable, PSObject, PSVersion, type PSValue } from './runtime/values.js';

export type LanguageMode = 'FullLanguage' | 'ConstrainedLanguage' | 'RestrictedLanguage' | 'NoLanguage';

/**
 * Runs an external program (hostname, whoami, ipconfig, cmd…) for PowerShell; the cmd.exe
 * emulation provides it. Return undefined (synchronously) when there is no such program: the
 * engine then reports PowerShell's CommandNotFoundException. `args` are as PowerShell 5.1 puts
 * them on the command line (one with white space quoted), so joining them with spaces gives it.
 */
export type ExternalProgramHook = (name: string, args: string[], ctx: ProcessContext) => Promise<number> | undefined;

export interface PowerShellOptions {
  readonly vfs: Vfs;
  readonly externals?: ExternalProgramHook;
  readonly languageMode?: LanguageMode;
  /** Instruction budget per run (statements, loop iterations, pipeline objects). Default 1,000,000. */
  readonly maxSteps?: number;
  /** Longest string a script may build. Default 16 Mi characters. */
  readonly maxStringLength?: number;
  /** Largest array / collected pipeline a script may build. Default 1,000,000 elements. */
  readonly maxArrayLength?: number;
  /** Console buffer width powershell.exe sees under WinRS. Default 80. */
  readonly consoleWidth?: number;
  /** Revision of PSVersion / BuildVersion (5.1.<build>.<revision>) when the OS version has three parts. */
  readonly buildRevision?: number;
  /** Yield to the event loop now and then so that long loops do not block other clients. */
  readonly yieldNow?: () => Promise<void>;
}

export interface RunScriptOptions {
  /** From -EncodedCommand: errors go to stderr as CLIXML. */
  readonly encoded: boolean;
  /** `-Command -`: read commands from stdin; `script` is ignored. */
  readonly fromStdin: boolean;
  readonly noProfile: boolean;
  /** -File: the script's path (position messages name it). */
  readonly file?: string;
}

export interface InvokeResult {
  readonly output: PSValue[];
  readonly errors: PSErrorRecord[];
  readonly warnings: string[];
  readonly verbose: string[];
  readonly debug: string[];
  readonly information: PSValue[];
  /** Write-Host text. */
  readonly hostText: string;
  readonly hadErrors: boolean;
  /** `exit N` was called. */
  readonly exitCode: number | undefined;
  /** The error that stopped the script (a parse error, throw, -ErrorAction Stop, the budget); also in `errors`. */
  readonly terminatingError: PSErrorRecord | undefined;
  /** The invocation's abort signal fired; the results are what was produced until then. */
  readonly stopped: boolean;
}

/** Receives records while an invocation runs (all of them also land in the InvokeResult). */
export interface InvokeSink {
  output?(value: PSValue): Promise<void> | void;
  error?(record: PSErrorRecord): Promise<void> | void;
  warning?(message: string): Promise<void> | void;
  verbose?(message: string): Promise<void> | void;
  debug?(message: string): Promise<void> | void;
  information?(value: PSValue): Promise<void> | void;
  host?(text: string): Promise<void> | void;
  /** One Write-Host call / Out-Host line as such; without it, its text reaches `host`. */
  hostWrite?(w: HostWrite): Promise<void> | void;
}

export interface InvokeOptions {
  /** Pipeline input, as $input of the script. */
  readonly input?: readonly PSValue[];
  /** Stops this invocation at the next step (the session stays usable). */
  readonly abort?: AbortSignal;
  readonly sink?: InvokeSink;
  /** A remoting client's host for `$host.UI` and Read-Host (host/session-host.ts); none: not interactive. */
  readonly clientHost?: SessionHost;
}

export interface SessionOptions {
  readonly host: HostFacts;
  /** This session's language mode (a remoting endpoint's, psrp.md §6); default: the engine's. */
  readonly languageMode?: LanguageMode;
  /** This session's visible commands (JEA): false makes a command not found. Default: all. */
  readonly commandVisible?: (name: string) => boolean;
  readonly environment?: ReadonlyMap<string, string>;
  readonly workingDirectory?: string;
  readonly clock: Clock;
  readonly abort?: AbortSignal;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** An argument object of a command run by name (PSRP CREATE_PIPELINE `Args`, psrp.md §3.2). */
export interface BoundArgument {
  /** Parameter name without the dash; undefined: positional. */
  readonly name: string | undefined;
  readonly value: PSValue;
  /**
   * A named argument sent with a Nil value (psrp.md §3.2): a present switch when the parameter is
   * a switch (or cannot be told), else $null.
   */
  readonly switchPresent?: boolean;
  /** A script block argument (CLIXML `<SBK>`) by its text: it becomes a script block of this session. */
  readonly scriptBlock?: string;
}

/** One element of a pipeline given as objects rather than text. */
export interface BoundCommand {
  /** The command name, or script text when `isScript`. */
  readonly command: string;
  readonly isScript: boolean;
  /** Scripts: run in a child scope instead of dot-sourced (UseLocalScope). */
  readonly useLocalScope?: boolean;
  readonly args: readonly BoundArgument[];
}

/** A persistent runspace: variables, functions and location survive between invocations. */
export interface PowerShellSession {
  /** Runs a script in the session; every invocation gets a fresh instruction budget. */
  invoke(script: string, opts?: InvokeOptions): Promise<InvokeResult>;
  /**
   * Runs one pipeline of commands with argument values bound as they are (SecureStrings,
   * credentials, hashtables, arrays of objects: no script text in between). Script elements are
   * checked against the session's language mode; the commands against its visible commands.
   */
  invokeCommands(statement: readonly BoundCommand[], opts?: InvokeOptions): Promise<InvokeResult>;
  /** Render objects as Out-String does (width 120 without a console). */
  render(objects: readonly PSValue[], width?: number): string[];
}

export interface PowerShellEngine {
  /** powershell.exe -Command / -EncodedCommand / - : returns the process exit code. */
  runScript(script: string, ctx: ProcessContext, opts: RunScriptOptions): Promise<number>;
  /** One-shot object invocation (a fresh runspace). */
  invoke(script: string, opts: SessionOptions & InvokeOptions): Promise<InvokeResult>;
  openSession(opts: SessionOptions): PowerShellSession;
}

class CaseInsensitiveEnv implements EnvStore {
  private readonly map = new Map<string, [string, string]>();
  constructor(init: ReadonlyMap<string, string> | undefined) {
    if (init !== undefined) for (const [k, v] of init) this.map.set(k.toUpperCase(), [k, v]);
  }
  get(name: string): string | undefined {
    return this.map.get(name.toUpperCase())?.[1];
  }
  set(name: string, value: string | undefined): void {
    if (value === undefined) this.map.delete(name.toUpperCase());
    else {
      const e = this.map.get(name.toUpperCase());
      this.map.set(name.toUpperCase(), [e?.[0] ?? name, value]);
    }
  }
  entries(): [string, string][] {
    return [...this.map.values()].map(([k, v]) => [k, v]);
  }
}

/** PSVersion 5.1.<build>.<revision> for the host's OS version. */
export function psVersionFor(osVersion: string, buildRevision: number | undefined): PSVersion {
  const parts = osVersion.split('.').map((x) => Number(x));
  const build = parts[2] ?? 17763;
  const defaults: Record<number, number> = { 17763: 1971, 14393: 2248, 20348: 558 };
  const rev = parts.length >= 4 ? (parts[3] ?? 1) : (buildRevision ?? defaults[build] ?? 1);
  return new PSVersion(5, 1, build, rev);
}

function psVersionTable(v: PSVersion, osVersion: string): PSHashtable {
  const os = osVersion.split('.').map((x) => Number(x));
  const h = new PSHashtable(true);
  h.set('PSVersion', v);
  h.set('PSEdition', 'Desktop');
  h.set('PSCompatibleVersions', [new PSVersion(1, 0), new PSVersion(2, 0), new PSVersion(3, 0), new PSVersion(4, 0), new PSVersion(5, 0), v]);
  h.set('BuildVersion', new PSVersion(os[0] ?? 10, os[1] ?? 0, v.build, v.revision));
  h.set('CLRVersion', new PSVersion(4, 0, 30319, 42000));
  h.set('WSManStackVersion', new PSVersion(3, 0));
  h.set('PSRemotingProtocolVersion', new PSVersion(2, 3));
  h.set('SerializationVersion', new PSVersion(1, 1, 0, 1));
  return h;
}

/** $ExecutionContext, for what scripts read of it: `.SessionState.LanguageMode`. */
function executionContext(mode: LanguageMode): PSObject {
  const values: Record<LanguageMode, number> = { FullLanguage: 0, RestrictedLanguage: 1, NoLanguage: 2, ConstrainedLanguage: 3 };
  const state = new PSObject(['System.Management.Automation.SessionState', 'System.Object']);
  state.addProperty({ name: 'LanguageMode', kind: 'Property', value: new PSEnum('System.Management.Automation.PSLanguageMode', mode, values[mode]) });
  state.toStringFn = () => 'System.Management.Automation.SessionState';
  const o = new PSObject(['System.Management.Automation.EngineIntrinsics', 'System.Object']);
  o.addProperty({ name: 'SessionState', kind: 'Property', value: state });
  o.toStringFn = () => 'System.Management.Automation.EngineIntrinsics';
  return o;
}

/** A deterministic GUID source per session (the sandbox has no randomness of its own). */
function guidSource(seed: number): () => string {
  let state = (seed >>> 0) ^ 0x9e3779b9;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  return () => {
    const hex = Array.from({ length: 4 }, () => next().toString(16).padStart(8, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 17), 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
}

const defaultYield = (): Promise<void> => {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (typeof g.setImmediate === 'function') {
    const si = g.setImmediate;
    return new Promise<void>((resolve) => si(resolve));
  }
  return Promise.resolve();
};

interface ProcessState {
  readonly host: HostFacts;
  readonly env: EnvStore;
  readonly cwd: string;
  readonly clock: Clock;
  readonly abort: AbortSignal | undefined;
  readonly sleep: (ms: number) => Promise<void>;
  readonly consoleWidth: number;
  /** Runs a program through the hook (undefined: not found). */
  readonly runExternal: (name: string, args: string[], stdin: string | undefined, onStdout: (text: string) => Promise<void>) => Promise<number> | undefined;
  readonly pid: number;
  readonly languageMode?: LanguageMode | undefined;
  readonly commandVisible?: ((name: string) => boolean) | undefined;
}

export function createPowerShell(opts: PowerShellOptions): PowerShellEngine {
  const maxSteps = opts.maxSteps ?? 1_000_000;
  const maxStringLength = opts.maxStringLength ?? 16 * 1024 * 1024;
  const maxArrayLength = opts.maxArrayLength ?? 1_000_000;
  const yieldNow = opts.yieldNow ?? defaultYield;

  const newEngine = (p: ProcessState): Engine => {
    const version = psVersionFor(p.host.os.version, opts.buildRevision);
    const guid = guidSource(p.clock.now() ^ p.pid);
    let engineRef: Engine | undefined;
    const engine: Engine = new Engine({
      vfs: opts.vfs,
      cmdlets: CMDLETS,
      aliases: ALIASES,
      computerName: p.host.computerName,
      userName: p.host.user.name,
      osVersion: p.host.os.version,
      env: p.env,
      cwd: p.cwd,
      now: () => p.clock.now(),
      abort: p.abort,
      maxSteps,
      maxStringLength,
      maxArrayLength,
      languageMode: p.languageMode ?? opts.languageMode ?? 'FullLanguage',
      ...(p.commandVisible !== undefined ? { commandVisible: p.commandVisible } : {}),
      runExternal: p.runExternal,
      yieldNow,
      consoleWidth: p.consoleWidth,
      formatText: async (objects, width) => renderObjects(objects, width, width + 1),
      currentProcess: () => processObjectFor({ engine: engineRef as Engine }, p.pid),
      guid,
      sleep: p.sleep,
      // [PowerShell]::Create(): a fresh runspace on this host, starting in the caller's location.
      createRunspace: (outer) =>
        openSession({
          host: p.host,
          environment: new Map(p.env.entries()),
          workingDirectory: outer.location,
          clock: p.clock,
          ...(p.abort !== undefined ? { abort: p.abort } : {}),
          sleep: p.sleep,
          ...(p.languageMode !== undefined ? { languageMode: p.languageMode } : {}),
          ...(p.commandVisible !== undefined ? { commandVisible: p.commandVisible } : {}),
        }),
      automaticVariables: (e) => {
        engineRef = e;
        const home = `C:\\Users\\${p.host.user.name}`;
        return {
          true: true,
          false: false,
          null: null,
          PSVersionTable: psVersionTable(version, p.host.os.version),
          PSEdition: 'Desktop',
          HOME: home,
          PSHOME: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0',
          PID: p.pid,
          Host: hostObject({ engine: e }, version, guid()),
          PSCulture: 'en-US',
          PSUICulture: 'en-US',
          ShellId: 'Microsoft.PowerShell',
          ExecutionContext: executionContext(e.languageMode),
          ErrorActionPreference: 'Continue',
          WarningPreference: 'Continue',
          VerbosePreference: 'SilentlyContinue',
          DebugPreference: 'SilentlyContinue',
          ProgressPreference: 'Continue',
          InformationPreference: 'SilentlyContinue',
          ConfirmPreference: 'High',
          WhatIfPreference: false,
          FormatEnumerationLimit: 4,
          MaximumHistoryCount: 4096,
          NestedPromptLevel: 0,
          PSSessionApplicationName: 'wsman',
          PSSessionConfigurationName: 'http://schemas.microsoft.com/powershell/Microsoft.PowerShell',
          PSModuleAutoLoadingPreference: 'All',
          PSScriptRoot: '',
          PSCommandPath: '',
          PSEmailServer: null,
          profile: `${home}\\Documents\\WindowsPowerShell\\Microsoft.PowerShell_profile.ps1`,
          args: [],
          input: [],
          StackTrace: '',
          matches: null,
        };
      },
    });
    // built-in functions (mkdir, md, cd.., cd\)
    const { ast, source } = engine.parse(BUILTIN_FUNCTIONS, 'line', false);
    for (const s of ast.end ?? []) {
      if (s.kind !== 'FunctionDefinition') continue;
      engine.global.functions.set(s.name.toLowerCase(), { name: s.name, body: s.body, parameters: s.parameters, isFilter: false, source });
      engine.builtinFunctions.add(s.name.toLowerCase());
    }
    return engine;
  };

  const processState = (ctx: ProcessContext, location: { get: () => string }): ProcessState => {
    const env = new CaseInsensitiveEnv(ctx.spec.environment);
    const state: ProcessState = {
      host: ctx.spec.host,
      env,
      cwd: ctx.spec.workingDirectory,
      clock: ctx.clock,
      abort: ctx.abort,
      sleep: (ms) => ctx.sleep(ms),
      consoleWidth: opts.consoleWidth ?? 80,
      pid: pidFor(ctx.spec.commandId),
      runExternal: (name, args, stdin, onStdout) => runExternal(opts.externals, ctx, env, () => location.get(), name, args, stdin, onStdout),
    };
    return state;
  };

  const runScript = async (script: string, ctx: ProcessContext, runOpts: RunScriptOptions): Promise<number> => {
    const location = { get: (): string => ctx.spec.workingDirectory };
    const state = processState(ctx, location);
    const engine = newEngine(state);
    location.get = () => engine.location;
    const host = new ConsoleHost(ctx, { errorsAsClixml: runOpts.encoded, bufferWidth: state.consoleWidth });
    const streams = host.streams();
    // The console host's UI writes straight to the process's streams.
    const ui = (engine.global.lookup('Host')?.value as PSObject | undefined)?.getValue('UI');
    if (ui instanceof PSObject) {
      const text = (a: PSValue[]) => a.map((x) => (typeof x === 'string' ? x : String(x ?? ''))).join('');
      ui.addMethod('WriteErrorLine', ((a: PSValue[]) => host.errorLine(text(a.slice(-1)))) as unknown as (a: PSValue[]) => PSValue);
      ui.addMethod('WriteLine', ((a: PSValue[]) => host.host(text(a.slice(-1)) + '\r\n')) as unknown as (a: PSValue[]) => PSValue);
      ui.addMethod('Write', ((a: PSValue[]) => host.host(text(a.slice(-1)))) as unknown as (a: PSValue[]) => PSValue);
    }
    const out: Emit = async (v) => {
      await host.output(v);
    };
    engine.knownExternal = () => opts.externals !== undefined;
    let exitCode: number | undefined;
    let failed = false;
    /** Redirected stdin as pipeline input: its lines, without their ends. */
    const stdinLines = async (): Promise<PSValue[]> => {
      const lines = (await ctx.readAllStdin()).split(/\r?\n/);
      if (lines[lines.length - 1] === '') lines.pop();
      return lines;
    };
    const runText = async (text: string, file: string): Promise<'ok' | 'incomplete' | 'stop'> => {
      let parsed;
      try {
        parsed = engine.parse(text, file);
      } catch (e) {
        if (e instanceof ParseError) {
          if (runOpts.fromStdin && e.incomplete) return 'incomplete';
          await host.error(parseErrorRecord(e));
          failed = true;
          engine.lastSuccess = false;
          return 'ok';
        }
        throw e;
      }
      try {
        await engine.runTopLevel(parsed.ast, parsed.source, out, streams, text, runOpts.fromStdin ? undefined : stdinLines);
      } catch (e) {
        if (e instanceof ExitSignal) {
          exitCode = e.code;
          return 'stop';
        }
        if (e instanceof PSRuntimeError) {
          engine.recordError(e.record);
          await streams.error(e.record);
          failed = true;
          engine.lastSuccess = false;
          return runOpts.fromStdin ? 'ok' : 'stop';
        }
        if (e instanceof BreakSignal || e instanceof ContinueSignal || e instanceof ReturnSignal) return runOpts.fromStdin ? 'ok' : 'stop';
        throw e;
      } finally {
        await host.flushOutput();
      }
      return 'ok';
    };
    try {
      if (runOpts.fromStdin) {
        let pending = '';
        const text = await ctx.readAllStdin();
        const lines = text.split(/\r?\n/);
        if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
        for (let li = 0; li < lines.length; li++) {
          const line = lines[li] ?? '';
          pending = pending === '' ? line : `${pending}\n${line}`;
          // a block may continue with else / elseif / catch / finally on the next line
          if (/^\s*(else|elseif|catch|finally)\b/i.test(lines[li + 1] ?? '')) continue;
          const r = await runText(pending, 'line');
          if (r === 'incomplete') continue;
          pending = '';
          if (r === 'stop') break;
        }
        if (pending !== '' && exitCode === undefined) {
          try {
            engine.parse(pending);
          } catch (e) {
            if (e instanceof ParseError) {
              await host.error(parseErrorRecord(e));
              failed = true;
            } else throw e;
          }
        }
      } else {
        await runText(script, runOpts.file ?? 'line');
      }
    } catch (e) {
      if (e instanceof AbortedSignal || ctx.abort.aborted) {
        await host.close();
        return STATUS_CONTROL_C_EXIT;
      }
      throw e;
    }
    await host.close();
    if (exitCode !== undefined) return exitCode >>> 0;
    if (engine.shouldExit !== undefined) return engine.shouldExit >>> 0;
    if (failed && !runOpts.fromStdin) return 1;
    return engine.lastSuccess ? 0 : 1;
  };

  const sessionState = (s: SessionOptions, collect: { host: string[] }, location: { get: () => string }): ProcessState => {
    const env = new CaseInsensitiveEnv(s.environment);
    const state: ProcessState = {
      host: s.host,
      env,
      cwd: s.workingDirectory ?? `C:\\Users\\${s.host.user.name}\\Documents`,
      clock: s.clock,
      abort: s.abort,
      sleep: s.sleep ?? (async () => undefined),
      consoleWidth: 0,
      pid: 4242,
      languageMode: s.languageMode,
      commandVisible: s.commandVisible,
      runExternal: (name, args, stdin, onStdout) => {
        const ctx = syntheticContext(s, env, location.get(), collect);
        return runExternal(opts.externals, ctx, env, () => location.get(), name, args, stdin, onStdout);
      },
    };
    return state;
  };

  const openSession = (s: SessionOptions): PowerShellSession => {
    const collect = { host: [] as string[] };
    const location = { get: (): string => s.workingDirectory ?? `C:\\Users\\${s.host.user.name}\\Documents` };
    const state = sessionState(s, collect, location);
    const engine = newEngine(state);
    location.get = () => engine.location;
    engine.knownExternal = () => opts.externals !== undefined;
    attachSessionHostUi(engine.global.lookup('Host')?.value, engine);
    return {
      invoke: async (script, o) => invokeIn(engine, () => ({ ...engine.parse(script), text: script }), o ?? {}, collect),
      invokeCommands: async (statement, o) => invokeIn(engine, () => boundPipeline(engine, statement), o ?? {}, collect),
      render: (objects, width = 120) => renderObjects(objects, width, width + 1),
    };
  };

  return {
    runScript,
    openSession,
    invoke: async (script, o) => openSession(o).invoke(script, o),
  };
}

type Prepared = { readonly ast: ScriptBlockAst; readonly source: ScriptSource; readonly text: string };

const quoteName = (s: string) => `'${s.replace(/['\u2018\u2019\u201a\u201b]/g, '$&$&')}'`;

/**
 * A pipeline of bound commands as a syntax tree: the text `& 'Name' -P:$__psrpArg0 …` is parsed
 * (without the language checks: it is not the client's script), then each placeholder becomes the
 * argument object itself and each parameter its name as sent. Script elements are parsed alone
 * first, with the checks, as Command.cs does for a script command.
 */
/** Does `param` (a name or unambiguous prefix) of the command name a switch? Unknown: yes. */
function isSwitchParameter(engine: Engine, command: string, param: string): boolean {
  const r = engine.resolveCommand(command, engine.global);
  const pick = <T extends { readonly name: string; readonly aliases?: readonly string[] | undefined }>(list: readonly T[]): T | undefined => {
    const p = resolveParam(list, param);
    return p === 'ambiguous' ? undefined : p;
  };
  if (r.kind === 'cmdlet') {
    const p = pick([...r.def.params, ...COMMON_PARAMETERS, ...SHOULD_PROCESS_PARAMETERS]);
    return p === undefined || p.type === 'switch';
  }
  if (r.kind === 'function') {
    const p = pick(r.fn.parameters ?? r.fn.body.paramBlock?.parameters ?? []);
    return p === undefined || /^(?:switch|(?:System\.)?Management\.Automation\.SwitchParameter|System\.Management\.Automation\.SwitchParameter)$/i.test(p.typeName ?? '');
  }
  return true;
}

function boundPipeline(engine: Engine, statement: readonly BoundCommand[]): Prepared {
  const values: PSValue[] = [];
  const names: string[] = [];
  // Where each script element's own text sits in the built text (only it has script positions).
  const ranges: Array<[number, number]> = [];
  let offset = 0;
  const parts = statement.map((c, i) => {
    let head: string;
    if (c.isScript) {
      engine.parse(c.command);
      // On lines of its own, so that its positions are its own (line 1, its columns).
      const open = `${c.useLocalScope === true ? '&' : '.'} {\n`;
      const start = offset + (i > 0 ? 3 : 0) + open.length;
      ranges.push([start, start + c.command.length]);
      head = `${open}${c.command}\n}`;
    } else head = `& ${quoteName(c.command)}`;
    const args = c.args.map((a) => {
      let param = '';
      if (a.name !== undefined) {
        names.push(a.name);
        param = `-__psrpName${names.length - 1}`;
        if (a.switchPresent === true && (c.isScript || isSwitchParameter(engine, c.command, a.name))) return param;
      }
      if (a.scriptBlock !== undefined) return a.name === undefined ? `{${a.scriptBlock}\n}` : `${param}:{${a.scriptBlock}\n}`;
      values.push(a.value);
      const v = `$__psrpArg${values.length - 1}`;
      return a.name === undefined ? v : `${param}:${v}`;
    });
    const part = [head, ...args].join(' ');
    offset += (i > 0 ? 3 : 0) + part.length;
    return part;
  });
  const text = parts.join(' | ');
  const { ast, source } = engine.parse(text, 'line', false);
  // No script position for what the client sent as commands: no `+ & 'Get-Item' $__psrpArg0`.
  source.clientRanges = ranges;
  const bind = (el: CommandElementAst): CommandElementAst => {
    if (el.kind === 'Variable') {
      const m = /^__psrpArg(\d+)$/.exec(el.name);
      if (m) return { kind: 'BoundValue', extent: el.extent, value: values[Number(m[1])] ?? null };
      return el;
    }
    if (el.kind === 'CommandParameter') {
      const m = /^__psrpName(\d+)$/.exec(el.name);
      const name = m ? (names[Number(m[1])] ?? el.name) : el.name;
      const argument = el.argument === undefined ? undefined : (bind(el.argument) as ExpressionAst);
      return { ...el, name, text: `-${name}`, argument };
    }
    return el;
  };
  const pipeline = ast.end?.[0];
  if (pipeline === undefined || pipeline.kind !== 'Pipeline') throw new Error('a bound pipeline did not parse as one pipeline');
  const elements = pipeline.elements.map((e) => (e.kind === 'Command' ? { ...e, elements: e.elements.map((x, j) => (j === 0 ? x : bind(x))) } : e));
  const bound = { ...pipeline, elements };
  engine.clientStatements.add(bound);
  return { ast: { ...ast, end: [bound] }, source, text };
}

async function invokeIn(engine: Engine, prepare: () => Prepared, o: InvokeOptions, collect: { host: string[] }): Promise<InvokeResult> {
  const output: PSValue[] = [];
  const errors: PSErrorRecord[] = [];
  const warnings: string[] = [];
  const verbose: string[] = [];
  const debug: string[] = [];
  const information: PSValue[] = [];
  const sink = o.sink ?? {};
  collect.host.length = 0;
  const streams: Streams = {
    error: async (r) => {
      errors.push(r);
      await sink.error?.(r);
    },
    warning: async (m) => {
      warnings.push(m);
      await sink.warning?.(m);
    },
    verbose: async (m) => {
      verbose.push(m);
      await sink.verbose?.(m);
    },
    debug: async (m) => {
      debug.push(m);
      await sink.debug?.(m);
    },
    host: async (t) => {
      collect.host.push(t);
      await sink.host?.(t);
    },
    hostWrite: async (w) => {
      const texts = hostWriteTexts(w);
      collect.host.push(...texts);
      if (sink.hostWrite) await sink.hostWrite(w);
      else for (const t of texts) await sink.host?.(t);
    },
    information: async (m) => {
      information.push(m);
      await sink.information?.(m);
    },
  };
  let exitCode: number | undefined;
  let terminatingError: PSErrorRecord | undefined;
  let stopped = false;
  engine.beginInvocation(o.abort);
  const unbindHost = bindSessionHost(engine, o.clientHost);
  try {
    const { ast, source, text } = prepare();
    if (o.input !== undefined) engine.global.vars.set('input', new PSVariable('input', [...o.input]));
    await engine.runTopLevel(ast, source, async (v) => {
      output.push(v);
      await sink.output?.(v);
    }, streams, text);
  } catch (e) {
    if (e instanceof ParseError) {
      terminatingError = parseErrorRecord(e);
      errors.push(terminatingError);
      await sink.error?.(terminatingError);
    } else if (e instanceof ExitSignal) exitCode = e.code;
    else if (e instanceof PSRuntimeError) {
      engine.recordError(e.record);
      terminatingError = e.record;
      errors.push(e.record);
      await sink.error?.(e.record);
    } else if (e instanceof AbortedSignal) stopped = true;
    else if (!(e instanceof BreakSignal || e instanceof ContinueSignal || e instanceof ReturnSignal)) throw e;
  } finally {
    unbindHost();
    engine.beginInvocation(undefined);
  }
  return { output, errors, warnings, verbose, debug, information, hostText: collect.host.join(''), hadErrors: errors.length > 0 || !engine.lastSuccess, exitCode, terminatingError, stopped };
}

/** The ErrorRecord powershell.exe shows for a script with syntax errors. */
export function parseErrorRecord(e: ParseError): PSErrorRecord {
  const ex = new PSException('System.Management.Automation.ParentContainsErrorRecordException', e.exceptionMessage());
  const rec = new PSErrorRecord(ex, e.errorId, 'ParserError', null, undefined);
  rec.parseError = true;
  return rec;
}

function pidFor(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) | 0;
  return 1000 + (Math.abs(h) % 8000) * 4;
}

/** Call the external-program hook with a ProcessContext for the child. */
function runExternal(
  hook: ExternalProgramHook | undefined,
  parent: ProcessContext,
  env: EnvStore,
  cwd: () => string,
  name: string,
  args: string[],
  stdin: string | undefined,
  onStdout: (text: string) => Promise<void>,
): Promise<number> | undefined {
  if (hook === undefined) return undefined;
  const environment = new Map(env.entries());
  let stdinSent = false;
  const decoder = new TextDecoder();
  const child: ProcessContext = {
    spec: {
      ...parent.spec,
      command: name,
      arguments: args,
      commandLine: [name, ...args.map((a) => (/\s/.test(a) || a === '' ? `"${a}"` : a))].join(' '),
      environment,
      workingDirectory: cwd(),
    },
    clock: parent.clock,
    abort: parent.abort,
    readStdin: async () => {
      if (stdin === undefined) return parent.readStdin();
      if (stdinSent) return null;
      stdinSent = true;
      return stdin;
    },
    readAllStdin: async () => {
      if (stdin === undefined) return parent.readAllStdin();
      if (stdinSent) return '';
      stdinSent = true;
      return stdin;
    },
    write: async (stream, data) => {
      const text = typeof data === 'string' ? data : decoder.decode(data);
      if (stream === 'stdout') await onStdout(text);
      else await parent.write('stderr', data);
    },
    sleep: (ms) => parent.sleep(ms),
  };
  // The program sees the command line PowerShell 5.1 builds: an argument with white space is
  // quoted unless it already is (NativeCommandParameterBinder), so `x.bat "two words"` keeps them.
  return hook(name, args.map((a) => (/\s/.test(a) && !/^".*"$/s.test(a) ? `"${a}"` : a)), child);
}

function syntheticContext(s: SessionOptions, env: EnvStore, cwd: string, collect: { host: string[] }): ProcessContext {
  return {
    spec: {
      shellId: '',
      commandId: '',
      command: 'powershell',
      arguments: [],
      commandLine: 'powershell',
      environment: new Map(env.entries()),
      workingDirectory: cwd,
      codepage: 65001,
      skipCmdShell: true,
      noProfile: true,
      host: s.host,
    },
    clock: s.clock,
    abort: s.abort ?? new AbortController().signal,
    readStdin: async () => null,
    readAllStdin: async () => '',
    write: async (_stream, data) => {
      collect.host.push(typeof data === 'string' ? data : new TextDecoder().decode(data));
    },
    sleep: s.sleep ?? (async () => undefined),
  };
}

export { ScriptSource };
