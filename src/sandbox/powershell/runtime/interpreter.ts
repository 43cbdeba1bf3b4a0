// The evaluator: statements, expressions and pipelines of objects over the AST, with PowerShell's
// scoping, error semantics (non-terminating, statement-terminating, script-terminating), flow
// control and streams. Every loop iteration, statement and pipeline object counts against an
// instruction budget, so no script can run unbounded; Ctrl+C (ctx.abort) stops at the next step.
import type * as A from '../language/ast.js';
import { ParseError } from '../language/errors.js';
import { Parser } from '../language/parser.js';
import { ScriptSource, type Extent } from '../language/position.js';
import type { Vfs } from '../../vfs/types.js';
import type { ProcessContext } from '../../../shell/backend.js';
import { VfsError } from '../../vfs/types.js';
import {
  bindCmdlet,
  bindingErrorRecord,
  bindPipelineInput,
  BindingError,
  convertArg,
  resolveParam,
  type CommandElement,
} from './binder.js';
import {
  COMMON_PARAMETERS,
  SHOULD_PROCESS_PARAMETERS,
  hostWriteTexts,
  type CmdletContext,
  type CmdletDef,
  type CommandInvocation,
  type ParamDef,
  type StreamPreference,
  type Streams,
} from './command.js';
import { isEnumerable, isExceptionOfType, numberToString, toBool, toNumber, toStr, typeNameOf } from './convert.js';
import {
  BreakSignal,
  ContinueSignal,
  ExitSignal,
  makeRecord,
  Msg,
  PSRuntimeError,
  ReturnSignal,
  runtimeError,
  StopPipelineSignal,
  type ErrorSpec,
} from './errors.js';
import { getMember, invokeMethod, setMember } from './members.js';
import {
  add,
  asOp,
  bitwise,
  comparison,
  containsOp,
  divide,
  formatOp,
  isOp,
  joinOp,
  multiply,
  range,
  remainder,
  replaceOp,
  splitOp,
  subtract,
  wildcardToRegExp,
  type ComparisonOp,
  type Limits,
} from './operators.js';
import { PSVariable, Scope, type FunctionInfo } from './scope.js';
import type { EnvStore, NestedRunspace, RuntimeServices } from './services.js';
import { decodeFile, getStatic, invokeStatic, setStatic } from './statics.js';
import { conversionDenied, isCoreTypeName, isCoreValue, methodDenied, propertySetDenied, restrictedLanguageErrors } from './language-mode.js';
import { convertTo, requireType, resolveType } from './types.js';
import {
  PSErrorRecord,
  PSException,
  PSHashtable,
  PSObject,
  PSScriptBlock,
  PSTypeRef,
  asList,
  type ErrorInvocation,
  type PSValue,
} from './values.js';

export type Emit = (v: PSValue) => Promise<void>;

/** Who runs external programs (hostname, whoami, cmd…): the cmd.exe emulation's hook. */
export type ExternalRunner = (name: string, args: string[], ctx: ProcessContext) => Promise<number> | undefined;

export interface EngineConfig {
  readonly vfs: Vfs;
  readonly cmdlets: readonly CmdletDef[];
  readonly aliases: Readonly<Record<string, string>>;
  readonly computerName: string;
  readonly userName: string;
  readonly osVersion: string;
  readonly env: EnvStore;
  readonly cwd: string;
  readonly now: () => number;
  readonly abort: AbortSignal | undefined;
  readonly maxSteps: number;
  readonly maxStringLength: number;
  readonly maxArrayLength: number;
  readonly languageMode: 'FullLanguage' | 'ConstrainedLanguage' | 'RestrictedLanguage' | 'NoLanguage';
  /**
   * A session's visible commands (JEA, psrp.md §6.2): called with the name as typed (module prefix
   * removed) for every command a script resolves, except functions the script itself defined;
   * false makes the command not found. Undefined: everything is visible.
   */
  readonly commandVisible?: (name: string) => boolean;
  /** Run an external program; undefined when it does not exist. */
  /** stdin undefined: the program inherits the process's stdin (it is first in its pipeline). */
  readonly runExternal: (name: string, args: string[], stdin: string | undefined, onStdout: (text: string) => Promise<void>) => Promise<number> | undefined;
  /** Yield to the event loop now and then (long loops stay responsive). */
  readonly yieldNow: () => Promise<void>;
  readonly automaticVariables: (engine: Engine) => Record<string, PSValue>;
  /** Write-Host etc. need the console width; Out-String and friends too. */
  readonly consoleWidth: number;
  /** Render objects as text (Out-String); set by the formatter wiring. */
  readonly formatText: (objects: readonly PSValue[], width: number, engine: Engine) => Promise<string[]>;
  readonly currentProcess: () => PSValue;
  readonly guid: () => string;
  /** Wait on the injected clock (Start-Sleep). */
  readonly sleep: (ms: number) => Promise<void>;
  /** A new runspace on the same host, for [PowerShell]::Create() (runtime/dotnet-runspace.ts). */
  readonly createRunspace?: (engine: Engine) => NestedRunspace;
}

/** Per-invocation state: the scope, the script text for positions, the streams and $MyInvocation. */
export interface Frame {
  readonly scope: Scope;
  readonly source: ScriptSource;
  readonly streams: Streams;
  readonly invocation: ErrorInvocation;
  /** The command/script this frame runs for (error records of Write-Error). */
  readonly commandName: string;
}

interface Stage {
  begin(): Promise<void>;
  process(input: PSValue | undefined): Promise<void>;
  end(): Promise<void>;
  hadError: boolean;
}

/** Something the pipeline element writes a value with. */
class VoidValue {}
const VOID_VALUE = new VoidValue();

const PREFERENCES = ['Stop', 'Continue', 'SilentlyContinue', 'Ignore', 'Inquire', 'Suspend'];

function normPreference(v: PSValue): StreamPreference | undefined {
  const s = toStr(v).toLowerCase();
  const p = PREFERENCES.find((x) => x.toLowerCase() === s);
  return p as StreamPreference | undefined;
}

export class Engine implements RuntimeServices {
  readonly global: Scope;
  readonly cmdlets = new Map<string, CmdletDef>();
  readonly aliases = new Map<string, string>();
  location: string;
  readonly errors: PSValue[];
  lastSuccess = true;
  lastExitCode: number | undefined;
  private steps = 0;
  private tryDepth = 0;
  readonly limits: Limits;
  private nextYield = 4096;
  /** The abort signal of the current invocation (a session's invoke); else config.abort. */
  private invocationAbort: AbortSignal | undefined;

  constructor(readonly config: EngineConfig) {
    this.global = new Scope(undefined, 'global');
    this.location = config.cwd;
    for (const c of config.cmdlets) this.cmdlets.set(c.name.toLowerCase(), c);
    for (const [k, v] of Object.entries(config.aliases)) this.aliases.set(k.toLowerCase(), v);
    this.errors = asList([]);
    this.limits = {
      checkString: (len: number): void => {
        if (len > config.maxStringLength) throw this.limitError(`a string of ${len} characters`);
      },
      checkArray: (len: number): void => {
        if (len > config.maxArrayLength) throw this.limitError(`an array of ${len} elements`);
      },
    };
    const auto = config.automaticVariables(this);
    for (const [k, v] of Object.entries(auto)) {
      const constant = ['true', 'false', 'null'].includes(k.toLowerCase());
      this.global.vars.set(k.toLowerCase(), new PSVariable(k, v, constant, constant));
    }
    this.global.vars.set('error', new PSVariable('Error', this.errors, false, true));
  }

  private limitError(what: string): PSRuntimeError {
    return runtimeError(
      {
        message: `The emulator refused to build ${what} (over its configured limit).`,
        errorId: 'EmulatorLimitExceeded',
        category: 'LimitsExceeded',
        exceptionType: 'System.OutOfMemoryException',
      },
      true,
    );
  }

  get languageMode(): EngineConfig['languageMode'] {
    return this.config.languageMode;
  }

  /** Functions PowerShell itself defines (mkdir, cd..): subject to a session's visibility. */
  readonly builtinFunctions = new Set<string>();

  /**
   * Pipelines a remoting client sent as commands (PSRP `Cmds`): an error that would end the
   * statement of a script fails the whole pipeline instead, as a pipeline run through the
   * PowerShell API does on Windows (a command not found, a cmdlet's ThrowTerminatingError; psrp.md §3.2).
   */
  readonly clientStatements = new WeakSet<object>();

  // ---- RuntimeServices ------------------------------------------------------------------

  now(): number {
    return this.config.now();
  }
  get env(): EnvStore {
    return this.config.env;
  }
  get computerName(): string {
    return this.config.computerName;
  }
  get userName(): string {
    return this.config.userName;
  }
  get qualifiedUser(): string {
    return `${this.config.computerName}\\${this.config.userName}`;
  }
  get osVersion(): string {
    return this.config.osVersion;
  }
  get vfs(): Vfs {
    return this.config.vfs;
  }
  cwd(): string {
    return this.location;
  }
  resolvePath(p: string): string {
    return this.config.vfs.resolve(this.location, p);
  }
  newGuid(): string {
    return this.config.guid();
  }
  createRunspace(): NestedRunspace | undefined {
    return this.config.createRunspace?.(this);
  }
  /** `$host.SetShouldExit(code)` (the console host ends powershell.exe with it). */
  shouldExit: number | undefined;
  setShouldExit(code: number): void {
    this.shouldExit = code;
  }
  currentProcess(): PSValue {
    return this.config.currentProcess();
  }

  /** A new invocation in a persistent session: a fresh instruction budget, its own abort signal. */
  beginInvocation(abort: AbortSignal | undefined): void {
    this.steps = 0;
    this.nextYield = 4096;
    this.invocationAbort = abort;
  }

  private get aborted(): boolean {
    return (this.invocationAbort ?? this.config.abort)?.aborted === true;
  }

  /** Count work; throws when the budget is spent or the command was aborted. */
  step(n = 1): void {
    this.steps += n;
    if (this.steps > this.config.maxSteps) {
      throw runtimeError({ message: Msg.BudgetExceeded(this.config.maxSteps), errorId: 'EmulatorStepBudgetExceeded', category: 'LimitsExceeded', exceptionType: 'System.Management.Automation.PipelineStoppedException' }, true);
    }
    if (this.aborted) throw new AbortedSignal();
  }

  /** step() plus an occasional yield to the event loop. */
  private async tick(n = 1): Promise<void> {
    this.step(n);
    if (this.steps >= this.nextYield) {
      this.nextYield = this.steps + 4096;
      await this.config.yieldNow();
      if (this.aborted) throw new AbortedSignal();
    }
  }

  get stepsUsed(): number {
    return this.steps;
  }

  async invokeScriptBlock(sb: PSScriptBlock, dollarUnder: PSValue | undefined, args: readonly PSValue[]): Promise<PSValue[]> {
    const out: PSValue[] = [];
    await this.callScriptBlock(sb, {
      parentScope: this.currentScope,
      streams: this.currentStreams,
      dollarUnder,
      args: [...args],
      out: async (v) => {
        out.push(v);
      },
      dotSource: false,
    });
    return out;
  }

  /** The scope/streams of the innermost running frame (for callbacks from members). */
  private currentScope: Scope = undefined as unknown as Scope;
  private currentStreams: Streams = undefined as unknown as Streams;

  // ---- variables -------------------------------------------------------------------------

  getVariable(name: string, scopeName: string | undefined, frame: Frame): PSValue {
    const lower = name.toLowerCase();
    if (scopeName === 'env') return this.config.env.get(name) ?? null;
    if (scopeName === 'function') {
      const f = frame.scope.lookupFunction(name);
      return f === undefined ? null : new PSScriptBlock(f.body, f.source);
    }
    if (scopeName === undefined || scopeName === 'local' || scopeName === 'private' || scopeName === 'variable' || scopeName === 'script' || scopeName === 'global' || scopeName === 'using') {
      switch (lower) {
        case '?':
          return this.lastSuccess;
        case 'psitem':
          return frame.scope.lookup('_')?.value ?? null;
        case 'lastexitcode':
          if (this.lastExitCode === undefined && frame.scope.lookup('LASTEXITCODE') === undefined) return null;
          break;
        case 'pwd':
          return this.pathInfo(this.location);
        default:
          break;
      }
      const scope = scopeName === 'global' ? this.global : scopeName === 'script' ? frame.scope.script : frame.scope;
      const v = scopeName === 'local' || scopeName === 'private' ? scope.vars.get(lower) : scope.lookup(name);
      return v?.value ?? null;
    }
    // a drive-qualified name that is not a known provider: `$c:foo` reads nothing
    return null;
  }

  setVariable(name: string, scopeName: string | undefined, value: PSValue, frame: Frame, typeConstraint?: PSTypeRef): void {
    if (scopeName === 'env') {
      this.config.env.set(name, value === null || toStr(value) === '' ? undefined : toStr(value));
      return;
    }
    const lower = name.toLowerCase();
    // `$null = …` discards the value (NullVariable ignores writes)
    if (lower === 'null' && scopeName !== 'env') return;
    if (lower === 'lastexitcode') this.lastExitCode = toNumber(value);
    const target = scopeName === 'global' ? this.global : scopeName === 'script' ? frame.scope.script : frame.scope;
    const existing = scopeName === undefined ? frame.scope.lookup(name) : target.vars.get(lower);
    // PowerShell creates the variable in the current scope unless it already exists there
    // (assignment never writes through to a parent scope without a qualifier).
    const local = target.vars.get(lower);
    const v = local ?? (scopeName === undefined && existing !== undefined && existing.constant ? existing : undefined);
    if (v !== undefined) {
      if (v.readOnly || v.constant) {
        throw runtimeError({ message: Msg.ReadOnlyVariable(v.name), errorId: 'VariableNotWritable', category: 'WriteError', target: v.name, exceptionType: 'System.Management.Automation.SessionStateUnauthorizedAccessException' });
      }
      if (typeConstraint !== undefined) v.typeConstraint = typeConstraint;
      v.value = v.typeConstraint !== undefined ? convertTo(value, v.typeConstraint) : value;
      return;
    }
    const tv = typeConstraint !== undefined ? convertTo(value, typeConstraint) : value;
    target.vars.set(lower, new PSVariable(name, tv, false, false, typeConstraint));
  }

  pathInfo(path: string): PSObject {
    const o = new PSObject(['System.Management.Automation.PathInfo', 'System.Object']);
    o.setNote('Drive', path.slice(0, 1));
    o.setNote('Provider', 'Microsoft.PowerShell.Core\\FileSystem');
    o.setNote('ProviderPath', path);
    o.setNote('Path', path);
    o.toStringFn = () => path;
    o.defaultDisplay = ['Path'];
    return o;
  }

  preference(frame: Frame, name: string): StreamPreference {
    const v = frame.scope.lookup(name)?.value ?? null;
    return normPreference(v) ?? 'Continue';
  }

  // ---- running scripts -------------------------------------------------------------------

  /** Parse text as a script (ParseError on syntax errors). */
  parse(text: string, file = 'line', languageChecks = true): { ast: A.ScriptBlockAst; source: ScriptSource } {
    const source = new ScriptSource(text, file);
    const parser = new Parser(source);
    const ast = parser.parseScript();
    if (languageChecks && this.config.languageMode === 'RestrictedLanguage') {
      const errors = restrictedLanguageErrors(ast);
      if (errors.length > 0) throw new ParseError(source, errors);
    }
    if (languageChecks && this.config.languageMode === 'NoLanguage') {
      const simple = (ast.end ?? []).every((s) => s.kind === 'Pipeline' && s.elements.every((e) => e.kind === 'Command' && e.elements.every((x) => x.kind === 'StringConstant' || x.kind === 'CommandParameter' || x.kind === 'Constant')));
      if (!simple || ast.begin !== undefined || ast.process !== undefined) {
        throw new ParseError(source, [{ id: 'ScriptsNotAllowed', message: 'The syntax is not supported by this runspace. This can occur if the runspace is in no-language mode.', extent: { start: 0, end: text.length }, incomplete: false }]);
      }
    }
    return { ast, source };
  }

  /** Run a parsed script at top level. Terminating errors propagate (the host reports them). */
  async runTopLevel(ast: A.ScriptBlockAst, source: ScriptSource, out: Emit, streams: Streams, scriptText: string, input?: () => Promise<PSValue[]>): Promise<void> {
    // -Command runs in the global scope, like commands typed at the prompt
    const scope = this.global;
    const frame: Frame = {
      scope,
      source,
      streams,
      // Commands a remoting client sent by name (source.clientRanges) run in no script of their own.
      invocation: source.clientRanges !== undefined ? { invocationName: '' } : { command: { name: '', type: 'Script', scriptText }, invocationName: '' },
      commandName: '',
    };
    scope.vars.set('myinvocation', new PSVariable('MyInvocation', this.invocationObject(frame.invocation, '')));
    this.currentScope = scope;
    this.currentStreams = streams;
    // powershell.exe's redirected stdin is the script's pipeline input, read only when the script
    // has a process block or reads $input: the process block runs once per line (none for
    // empty input), $input is that line there and every line in an end-only script.
    if (input !== undefined && (ast.process !== undefined || /\$input\b/i.test(source.text))) {
      const items = await input();
      if (ast.begin !== undefined) await this.execStatements(ast.begin, frame, out);
      if (ast.process !== undefined) {
        for (const item of items) {
          scope.vars.set('_', new PSVariable('_', item));
          scope.vars.set('input', new PSVariable('input', [item]));
          await this.execStatements(ast.process, frame, out);
        }
      }
      scope.vars.set('input', new PSVariable('input', ast.process !== undefined ? [] : items));
      if (ast.end !== undefined) await this.execStatements(ast.end, frame, out);
      return;
    }
    for (const part of [ast.begin, ast.process, ast.end]) {
      if (part === undefined) continue;
      await this.execStatements(part, frame, out);
    }
  }

  invocationObject(inv: ErrorInvocation, line: string): PSObject {
    const o = new PSObject(['System.Management.Automation.InvocationInfo', 'System.Object']);
    const c = inv.command;
    let my: PSValue = null;
    if (c !== undefined) {
      const ci = new PSObject(['System.Management.Automation.ScriptInfo', 'System.Management.Automation.CommandInfo', 'System.Object']);
      ci.setNote('Name', c.name);
      ci.setNote('CommandType', c.type);
      ci.setNote('Definition', c.scriptText ?? '');
      ci.toStringFn = () => c.scriptText ?? c.name;
      my = ci;
    }
    o.setNote('MyCommand', my);
    o.setNote('BoundParameters', new PSHashtable());
    o.setNote('UnboundArguments', []);
    o.setNote('ScriptLineNumber', 0);
    o.setNote('OffsetInLine', 0);
    o.setNote('ScriptName', '');
    o.setNote('Line', line);
    o.setNote('PositionMessage', '');
    o.setNote('PSScriptRoot', '');
    o.setNote('PSCommandPath', null);
    o.setNote('InvocationName', inv.invocationName ?? '');
    o.setNote('PipelineLength', 0);
    o.setNote('PipelinePosition', 0);
    o.setNote('ExpectingInput', false);
    return o;
  }

  // ---- statements ----------------------------------------------------------------------

  /**
   * `propagate`: a statement-terminating error is not reported here but thrown as it is (not
   * script-terminating), for the caller to end with it (Invoke-Expression).
   */
  async execStatements(stmts: readonly A.StatementAst[], frame: Frame, out: Emit, propagate = false): Promise<void> {
    for (const s of stmts) {
      await this.tick();
      try {
        await this.execStatement(s, frame, out);
      } catch (e) {
        if (propagate && e instanceof PSRuntimeError && !e.scriptTerminating) {
          this.attachPosition(e.record, s.extent, frame);
          throw e;
        }
        if (e instanceof PSRuntimeError && !e.scriptTerminating && !this.clientStatements.has(s)) {
          await this.handleStatementError(e, frame, s);
          continue;
        }
        if (e instanceof PSRuntimeError) e.scriptTerminating = true;
        if (e instanceof PSRuntimeError) this.attachPosition(e.record, s.extent, frame);
        throw e;
      }
    }
  }

  /** A statement-terminating error: rethrow inside try, else report and go on (per $ErrorActionPreference). */
  private async handleStatementError(e: PSRuntimeError, frame: Frame, s: A.StatementAst): Promise<void> {
    this.attachPosition(e.record, s.extent, frame);
    const pref = this.preference(frame, 'ErrorActionPreference');
    if (this.tryDepth > 0 || pref === 'Stop') {
      e.scriptTerminating = true;
      throw e;
    }
    this.lastSuccess = false;
    if (pref === 'Ignore') return;
    this.recordError(e.record);
    if (pref === 'SilentlyContinue') return;
    await frame.streams.error(e.record);
  }

  recordError(r: PSErrorRecord): void {
    this.errors.unshift(r);
    if (this.errors.length > 256) this.errors.length = 256;
  }

  attachPosition(r: PSErrorRecord, extent: Extent, frame: Frame): void {
    if (r.invocation === undefined) r.invocation = { extent, source: frame.source, invocationName: '' };
  }

  async execStatement(s: A.StatementAst, frame: Frame, out: Emit): Promise<void> {
    switch (s.kind) {
      case 'Pipeline':
        await this.runPipeline(s, frame, out);
        return;
      case 'Assignment':
        await this.assign(s, frame);
        return;
      case 'If': {
        for (const c of s.clauses) {
          if (toBool(await this.statementValue(c.condition, frame))) {
            await this.execStatements(c.body, frame, out);
            return;
          }
        }
        if (s.elseBody !== undefined) await this.execStatements(s.elseBody, frame, out);
        return;
      }
      case 'While':
        await this.loop(s.label, async () => toBool(await this.statementValue(s.condition, frame)), s.body, frame, out, false, undefined);
        return;
      case 'DoLoop':
        await this.loop(
          s.label,
          async () => {
            const v = toBool(await this.statementValue(s.condition, frame));
            return s.until ? !v : v;
          },
          s.body,
          frame,
          out,
          true,
          undefined,
        );
        return;
      case 'For': {
        if (s.init !== undefined) await this.execStatement(s.init, frame, async () => undefined);
        await this.loop(
          s.label,
          async () => (s.condition === undefined ? true : toBool(await this.statementValue(s.condition, frame))),
          s.body,
          frame,
          out,
          false,
          s.iterator === undefined ? undefined : async () => this.execStatement(s.iterator as A.StatementAst, frame, async () => undefined),
        );
        return;
      }
      case 'ForEach':
        await this.foreachLoop(s, frame, out);
        return;
      case 'Switch':
        await this.switchStatement(s, frame, out);
        return;
      case 'Try':
        await this.tryStatement(s, frame, out);
        return;
      case 'Trap':
        return;
      case 'Flow':
        await this.flow(s, frame, out);
        return;
      case 'FunctionDefinition': {
        const info: FunctionInfo = { name: s.name, body: s.body, parameters: s.parameters, isFilter: s.isFilter, source: frame.source };
        const m = /^(global|script|local|private):(.+)$/i.exec(s.name);
        if (m !== null) {
          const target = frame.scope.qualified((m[1] ?? '').toLowerCase());
          target.functions.set((m[2] ?? '').toLowerCase(), { ...info, name: m[2] ?? s.name });
        } else frame.scope.functions.set(s.name.toLowerCase(), info);
        return;
      }
      case 'BlockStatement':
        await this.execStatements(s.body, frame, out);
        return;
    }
  }

  private async loop(
    label: string | undefined,
    cond: () => Promise<boolean>,
    body: readonly A.StatementAst[],
    frame: Frame,
    out: Emit,
    bodyFirst: boolean,
    iterate: (() => Promise<void>) | undefined,
  ): Promise<void> {
    let first = bodyFirst;
    for (;;) {
      await this.tick();
      if (!first && !(await cond())) return;
      first = false;
      try {
        await this.execStatements(body, frame, out);
      } catch (e) {
        if (e instanceof BreakSignal && (e.label === undefined || e.label.toLowerCase() === label?.toLowerCase())) return;
        if (e instanceof ContinueSignal && (e.label === undefined || e.label.toLowerCase() === label?.toLowerCase())) {
          if (iterate !== undefined) await iterate();
          continue;
        }
        throw e;
      }
      if (iterate !== undefined) await iterate();
    }
  }

  private async foreachLoop(s: A.ForEachAst, frame: Frame, out: Emit): Promise<void> {
    const coll = await this.statementValue(s.collection, frame);
    const items = coll === null ? [] : isEnumerable(coll) ? coll : coll instanceof PSHashtable ? [coll] : [coll];
    for (const item of items) {
      await this.tick();
      this.setVariable(s.variable.name, s.variable.scope, item, frame);
      try {
        await this.execStatements(s.body, frame, out);
      } catch (e) {
        if (e instanceof BreakSignal && (e.label === undefined || e.label.toLowerCase() === s.label?.toLowerCase())) return;
        if (e instanceof ContinueSignal && (e.label === undefined || e.label.toLowerCase() === s.label?.toLowerCase())) continue;
        throw e;
      }
    }
  }

  private async switchStatement(s: A.SwitchAst, frame: Frame, out: Emit): Promise<void> {
    let input = await this.statementValue(s.condition, frame);
    if (s.file) {
      const path = this.resolvePath(toStr(input));
      let text = '';
      try {
        text = new TextDecoder().decode(this.vfs.readFile(path));
      } catch {
        throw runtimeError({ message: `Could not find file '${path}'.`, errorId: 'FileReadError', category: 'ReadError', target: path });
      }
      input = text.split(/\r?\n/);
      if (input.length > 0 && input[input.length - 1] === '') input.pop();
    }
    const items = input === null ? [null] : isEnumerable(input) ? input : [input];
    const dollar = frame.scope.vars.get('_');
    try {
      for (const item of items) {
        await this.tick();
        frame.scope.vars.set('_', new PSVariable('_', item));
        let matched = false;
        try {
          for (const clause of s.clauses) {
            await this.tick();
            let hit: boolean;
            const c = clause.condition;
            if (c.kind === 'ScriptBlockExpression') {
              hit = toBool(await this.evalExpr(c, frame).then((sb) => this.invokeScriptBlock(sb as PSScriptBlock, item, [])).then((r) => (r.length === 1 ? (r[0] ?? null) : r)));
            } else {
              const cv = await this.evalExpr(c, frame);
              if (s.mode === 'regex') {
                hit = comparison('match', item, cv, s.caseSensitive, (m) => this.setVariable('matches', undefined, m ?? null, frame)) === true;
              } else if (s.mode === 'wildcard') {
                hit = wildcardToRegExp(toStr(cv), s.caseSensitive).test(toStr(item));
              } else {
                hit = comparison('eq', item, cv, s.caseSensitive) === true;
              }
            }
            if (hit) {
              matched = true;
              await this.execStatements(clause.body, frame, out);
            }
          }
          if (!matched && s.defaultBody !== undefined) await this.execStatements(s.defaultBody, frame, out);
        } catch (e) {
          if (e instanceof ContinueSignal && (e.label === undefined || e.label.toLowerCase() === s.label?.toLowerCase())) continue;
          throw e;
        }
      }
    } catch (e) {
      if (e instanceof BreakSignal && (e.label === undefined || e.label.toLowerCase() === s.label?.toLowerCase())) return;
      throw e;
    } finally {
      if (dollar !== undefined) frame.scope.vars.set('_', dollar);
    }
  }

  private async tryStatement(s: A.TryAst, frame: Frame, out: Emit): Promise<void> {
    try {
      this.tryDepth++;
      try {
        await this.execStatements(s.body, frame, out);
      } finally {
        this.tryDepth--;
      }
    } catch (e) {
      if (!(e instanceof PSRuntimeError)) {
        if (s.finallyBody !== undefined) await this.execStatements(s.finallyBody, frame, out);
        throw e;
      }
      const rec = e.record;
      const clause = s.catches.find((c) => c.types.length === 0 || c.types.some((t) => {
        const ty = resolveType(t);
        return ty !== undefined && isExceptionOfType(rec.exception, ty.fullName);
      }));
      if (clause === undefined) {
        if (s.finallyBody !== undefined) await this.execStatements(s.finallyBody, frame, out);
        throw e;
      }
      this.recordError(rec);
      const prev = frame.scope.vars.get('_');
      frame.scope.vars.set('_', new PSVariable('_', rec));
      try {
        await this.execStatements(clause.body, frame, out);
      } finally {
        if (prev !== undefined) frame.scope.vars.set('_', prev);
        else frame.scope.vars.delete('_');
        if (s.finallyBody !== undefined) await this.execStatements(s.finallyBody, frame, out);
      }
      return;
    }
    if (s.finallyBody !== undefined) await this.execStatements(s.finallyBody, frame, out);
  }

  private async flow(s: A.FlowAst, frame: Frame, out: Emit): Promise<void> {
    switch (s.flow) {
      case 'break':
        throw new BreakSignal(s.label);
      case 'continue':
        throw new ContinueSignal(s.label);
      case 'return':
        if (s.value !== undefined) await this.execStatement(s.value, frame, out);
        throw new ReturnSignal();
      case 'exit': {
        let code = 0;
        if (s.value !== undefined) {
          const v = await this.statementValue(s.value, frame);
          code = Math.trunc(toNumber(v));
        }
        throw new ExitSignal(code);
      }
      case 'throw': {
        let v: PSValue = null;
        if (s.value !== undefined) v = await this.statementValue(s.value, frame);
        throw this.throwError(v, s.extent, frame);
      }
    }
  }

  /** The error record of `throw <value>`. */
  private throwError(v: PSValue, extent: Extent, frame: Frame): PSRuntimeError {
    if (v instanceof PSErrorRecord) return new PSRuntimeError(v, true);
    if (v instanceof PSException) {
      const r = new PSErrorRecord(v, v.shortTypeName, 'OperationStopped', null, { extent, source: frame.source, invocationName: '' });
      return new PSRuntimeError(r, true);
    }
    const message = v === null ? 'ScriptHalted' : toStr(v);
    const ex = new PSException('System.Management.Automation.RuntimeException', message, undefined, v);
    const r = new PSErrorRecord(ex, message, 'OperationStopped', v, { extent, source: frame.source, invocationName: '' });
    return new PSRuntimeError(r, true);
  }

  // ---- assignment ----------------------------------------------------------------------

  /** The value of a statement used as an expression (assignment RHS, conditions, parentheses). */
  async statementValue(s: A.StatementAst, frame: Frame): Promise<PSValue> {
    if (s.kind === 'Pipeline' && s.elements.length === 1) {
      const el = s.elements[0];
      if (el !== undefined && el.kind === 'CommandExpression' && el.redirections.length === 0) {
        const v = await this.evalExprOut(el.expression, frame);
        return v instanceof VoidValue ? null : v;
      }
    }
    if (s.kind === 'Assignment') {
      await this.assign(s, frame);
      return this.evalExpr(s.target, frame);
    }
    const items: PSValue[] = [];
    await this.execStatement(s, frame, async (v) => {
      items.push(v);
      this.limits.checkArray(items.length);
    });
    if (items.length === 0) return null;
    if (items.length === 1) return items[0] ?? null;
    return items;
  }

  private async assign(s: A.AssignmentAst, frame: Frame): Promise<void> {
    let value = await this.statementValue(s.value, frame);
    const t = s.target;
    if (s.operator !== '=') {
      const cur = await this.evalExpr(t, frame);
      value = this.arith(s.operator.slice(0, 1), cur, value);
    }
    await this.assignTo(t, value, frame);
  }

  private arith(op: string, a: PSValue, b: PSValue): PSValue {
    switch (op) {
      case '+':
        return add(a, b, this.limits);
      case '-':
        return subtract(a, b);
      case '*':
        return multiply(a, b, this.limits);
      case '/':
        return divide(a, b);
      default:
        return remainder(a, b);
    }
  }

  private async assignTo(t: A.ExpressionAst, value: PSValue, frame: Frame): Promise<void> {
    switch (t.kind) {
      case 'Variable':
        if (this.config.languageMode === 'RestrictedLanguage' || this.config.languageMode === 'NoLanguage') {
          throw runtimeError({ message: 'Assignment statements are not allowed in restricted language mode or a Data section.', errorId: 'AssignmentStatementNotSupportedInDataSection', category: 'ParserError', exceptionType: 'System.Management.Automation.ParseException' });
        }
        this.setVariable(t.name, t.scope, value, frame);
        return;
      case 'Convert': {
        this.checkTypeAllowed(t.type.name);
        const type = requireType(t.type.name);
        if (t.operand.kind === 'Variable') {
          this.setVariable(t.operand.name, t.operand.scope, value, frame, type);
          return;
        }
        await this.assignTo(t.operand, convertTo(value, type), frame);
        return;
      }
      case 'Member': {
        const target = await this.evalExpr(t.target, frame);
        const name = toStr(await this.evalExpr(t.member, frame));
        if (t.isStatic && target instanceof PSTypeRef && this.config.languageMode === 'FullLanguage' && setStatic(target, name, value, this)) return;
        if (this.config.languageMode === 'ConstrainedLanguage' && !isCoreValue(target)) {
          const e = propertySetDenied();
          this.attachPosition(e.record, t.extent, frame);
          throw e;
        }
        try {
          setMember(target, name, value);
        } catch (e) {
          if (e instanceof PSRuntimeError) this.attachPosition(e.record, t.extent, frame);
          throw e;
        }
        return;
      }
      case 'Index': {
        const target = await this.evalExpr(t.target, frame);
        const index = await this.evalExpr(t.index, frame);
        if (target instanceof PSHashtable) {
          target.set(index, value);
          return;
        }
        if (Array.isArray(target)) {
          let i = Math.trunc(toNumber(index));
          if (i < 0) i += target.length;
          if (i < 0 || i >= target.length) {
            throw runtimeError({ message: `Array assignment failed because index '${toStr(index)}' was out of range.`, errorId: 'IndexOutOfRange', category: 'InvalidOperation', extent: t.extent, source: frame.source });
          }
          target[i] = value;
          return;
        }
        if (target instanceof PSObject) {
          setMember(target, toStr(index), value);
          return;
        }
        if (target === null) {
          throw runtimeError({ message: Msg.NullArray, errorId: 'NullArray', category: 'InvalidOperation', extent: t.extent, source: frame.source });
        }
        throw runtimeError({ message: `Unable to index into an object of type ${typeNameOf(target)}.`, errorId: 'CannotIndex', category: 'InvalidOperation', extent: t.extent, source: frame.source });
      }
      case 'ArrayLiteral': {
        const items = isEnumerable(value) ? value : [value];
        const n = t.elements.length;
        for (let i = 0; i < n; i++) {
          const el = t.elements[i];
          if (el === undefined) continue;
          if (i === n - 1) {
            const rest = items.slice(i);
            await this.assignTo(el, rest.length === 0 ? null : rest.length === 1 ? (rest[0] ?? null) : rest, frame);
          } else await this.assignTo(el, items[i] ?? null, frame);
        }
        return;
      }
      default:
        throw runtimeError({ message: 'The assignment expression is not valid. The input to an assignment operator must be an object that is able to accept assignments, such as a variable or a property.', errorId: 'InvalidLeftHandSide', category: 'ParserError', extent: t.extent, source: frame.source });
    }
  }

  // ---- expressions ---------------------------------------------------------------------

  /** Evaluate for output: method calls returning void and [void] casts yield VOID_VALUE. */
  private async evalExprOut(e: A.ExpressionAst, frame: Frame): Promise<PSValue | VoidValue> {
    if (e.kind === 'InvokeMember') {
      const r = await this.invokeMemberExpr(e, frame);
      return r === undefined ? VOID_VALUE : r;
    }
    if (e.kind === 'Convert' && /^(system\.)?void$/i.test(e.type.name.trim())) {
      await this.evalExprOut(e.operand, frame);
      return VOID_VALUE;
    }
    if (e.kind === 'Unary' && (e.operator === '++' || e.operator === '--' || e.operator === 'post++' || e.operator === 'post--')) {
      // `$i++` as a statement writes nothing
      await this.evalExpr(e, frame);
      return VOID_VALUE;
    }
    if (e.kind === 'Paren' && e.statement.kind === 'Assignment') {
      return this.evalExpr(e, frame);
    }
    return this.evalExpr(e, frame);
  }

  async evalExpr(e: A.ExpressionAst, frame: Frame): Promise<PSValue> {
    switch (e.kind) {
      case 'Constant':
        return e.value;
      case 'BoundValue':
        return e.value as PSValue;
      case 'StringConstant':
        return e.value;
      case 'ExpandableString':
        return this.expandString(e, frame);
      case 'Variable':
        return this.getVariable(e.name, e.scope, frame);
      case 'Binary':
        return this.withPosition(e.extent, frame, () => this.binary(e, frame));
      case 'Unary':
        return this.withPosition(e.extent, frame, () => this.unary(e, frame));
      case 'Convert':
        return this.withPosition(e.extent, frame, () => this.convertExpr(e, frame));
      case 'TypeExpression':
        return this.withPosition(e.extent, frame, async () => requireType(e.type.name));
      case 'Member':
        return this.withPosition(e.extent, frame, () => this.memberExpr(e, frame));
      case 'InvokeMember':
        return this.withPosition(e.extent, frame, async () => {
          const r = await this.invokeMemberExpr(e, frame);
          return r === undefined ? null : r;
        });
      case 'Index':
        return this.withPosition(e.extent, frame, () => this.indexExpr(e, frame));
      case 'ArrayLiteral': {
        const out: PSValue[] = [];
        for (const el of e.elements) out.push(await this.evalExpr(el, frame));
        return out;
      }
      case 'ArrayExpression': {
        const out: PSValue[] = [];
        await this.execStatements(e.statements, frame, async (v) => {
          out.push(v);
          this.limits.checkArray(out.length);
        });
        return out;
      }
      case 'SubExpression': {
        const out: PSValue[] = [];
        await this.execStatements(e.statements, frame, async (v) => {
          out.push(v);
          this.limits.checkArray(out.length);
        });
        if (out.length === 0) return null;
        return out.length === 1 ? (out[0] ?? null) : out;
      }
      case 'Paren':
        return this.statementValue(e.statement, frame);
      case 'Hashtable': {
        const h = new PSHashtable();
        for (const entry of e.entries) {
          const k = await this.evalExpr(entry.key, frame);
          if (k === null) throw runtimeError({ message: 'A null key is not allowed in a hash literal.', errorId: 'InvalidNullKey', category: 'InvalidOperation', extent: entry.key.extent, source: frame.source });
          if (h.has(k)) {
            throw runtimeError({ message: `Duplicate keys '${toStr(k)}' are not allowed in hash literals.`, errorId: 'DuplicateKeyInHashLiteral', category: 'InvalidOperation', extent: entry.key.extent, source: frame.source });
          }
          h.set(k, await this.statementValue(entry.value, frame));
        }
        return h;
      }
      case 'ScriptBlockExpression':
        return new PSScriptBlock(e.block, frame.source);
      case 'ArgumentConcat': {
        let s = '';
        for (const p of e.parts) s += toStr(await this.evalExpr(p, frame));
        return s;
      }
    }
  }

  private async withPosition<T>(extent: Extent, frame: Frame, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof PSRuntimeError) this.attachPosition(e.record, extent, frame);
      throw e;
    }
  }

  /** ConstrainedLanguage: conversions only to core types (and [object]). */
  private checkTypeAllowed(name: string): void {
    if (this.config.languageMode !== 'ConstrainedLanguage') return;
    const t = resolveType(name);
    if (t !== undefined && t.fullName !== 'System.Object' && !isCoreTypeName(t.fullName)) throw conversionDenied(name);
  }

  private async expandString(e: A.ExpandableStringAst, frame: Frame): Promise<string> {
    let s = '';
    const ofsVar = frame.scope.lookup('OFS');
    const ofs = ofsVar === undefined ? ' ' : toStr(ofsVar.value);
    for (const p of e.parts) {
      if (typeof p === 'string') s += p;
      else s += toStr(await this.evalExpr(p, frame), ofs);
      this.limits.checkString(s.length);
    }
    return s;
  }

  private async binary(e: A.BinaryAst, frame: Frame): Promise<PSValue> {
    const op = e.operator;
    if (op === '-and') return toBool(await this.evalExpr(e.left, frame)) ? toBool(await this.evalExpr(e.right, frame)) : false;
    if (op === '-or') return toBool(await this.evalExpr(e.left, frame)) ? true : toBool(await this.evalExpr(e.right, frame));
    const a = await this.evalExpr(e.left, frame);
    const b = await this.evalExpr(e.right, frame);
    switch (op) {
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        return this.arith(op, a, b);
      case '..':
        return range(a, b, this.limits);
      case '-f':
        return formatOp(a, b);
      case '-xor':
        return toBool(a) !== toBool(b);
      case '-band':
      case '-bor':
      case '-bxor':
      case '-shl':
      case '-shr':
        return bitwise(op, a, b);
      case '-is':
        return isOp(a, b);
      case '-isnot':
        return !isOp(a, b);
      case '-as':
        return asOp(a, b);
      case '-join':
        return joinOp(a, b);
      default:
        break;
    }
    const bare = op.slice(1);
    const BASES = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'like', 'notlike', 'match', 'notmatch', 'contains', 'notcontains', 'in', 'notin', 'replace', 'split'];
    const prefixed = !BASES.includes(bare) && (bare.startsWith('c') || bare.startsWith('i')) && BASES.includes(bare.slice(1));
    const cs = prefixed && bare.startsWith('c');
    const base = prefixed ? bare.slice(1) : bare;
    switch (base) {
      case 'eq':
      case 'ne':
      case 'gt':
      case 'ge':
      case 'lt':
      case 'le':
      case 'like':
      case 'notlike':
      case 'match':
      case 'notmatch':
        return comparison(base as ComparisonOp, a, b, cs, (mt) => this.setVariable('matches', undefined, mt ?? null, frame));
      case 'contains':
        return containsOp(a, b, cs);
      case 'notcontains':
        return !containsOp(a, b, cs);
      case 'in':
        return containsOp(b, a, cs);
      case 'notin':
        return !containsOp(b, a, cs);
      case 'replace':
        return replaceOp(a, b, cs);
      case 'split':
        return splitOp(a, b, cs);
      default:
        throw runtimeError({ message: `The operator '${op}' is not supported.`, errorId: 'OperatorNotSupported', category: 'NotImplemented' });
    }
  }

  private async unary(e: A.UnaryAst, frame: Frame): Promise<PSValue> {
    switch (e.operator) {
      case '-not':
      case '!':
        return !toBool(await this.evalExpr(e.operand, frame));
      case '-bnot':
        return ~Math.trunc(toNumber(await this.evalExpr(e.operand, frame)));
      case '-': {
        const v = await this.evalExpr(e.operand, frame);
        return -toNumber(v);
      }
      case '+':
        return toNumber(await this.evalExpr(e.operand, frame));
      case ',':
        return [await this.evalExpr(e.operand, frame)];
      case '-split':
      case '-isplit':
      case '-csplit':
        return splitOp(await this.evalExpr(e.operand, frame), undefined, e.operator === '-csplit');
      case '-join':
        return joinOp(await this.evalExpr(e.operand, frame), undefined);
      case '++':
      case '--':
      case 'post++':
      case 'post--': {
        const cur = await this.evalExpr(e.operand, frame);
        const delta = e.operator.endsWith('++') ? 1 : -1;
        const next = (cur === null ? 0 : toNumber(cur)) + delta;
        await this.assignTo(e.operand, next, frame);
        return e.operator.startsWith('post') ? cur : next;
      }
      default:
        throw runtimeError({ message: `Internal error - unexpected unary operator ${e.operator}.`, errorId: 'UnexpectedUnaryOperator', category: 'NotImplemented' });
    }
  }

  private async convertExpr(e: A.ConvertAst, frame: Frame): Promise<PSValue> {
    const name = e.type.name.trim().toLowerCase();
    if (name === 'ordered' && e.operand.kind === 'Hashtable') {
      const h = (await this.evalExpr(e.operand, frame)) as PSHashtable;
      const o = new PSHashtable(true);
      for (const [k, v] of h.entries()) o.set(k, v);
      return o;
    }
    if ((name === 'pscustomobject' || name === 'system.management.automation.pscustomobject') && e.operand.kind === 'Hashtable') {
      const h = (await this.evalExpr(e.operand, frame)) as PSHashtable;
      const o = new PSObject();
      for (const [k, v] of h.entries()) o.setNote(toStr(k), v);
      return o;
    }
    if (name === 'void' || name === 'system.void') {
      await this.evalExpr(e.operand, frame);
      return null;
    }
    if (name === 'ref') return this.evalExpr(e.operand, frame);
    this.checkTypeAllowed(e.type.name);
    const type = requireType(e.type.name);
    const v = await this.evalExpr(e.operand, frame);
    return convertTo(v, type);
  }

  private async memberName(m: A.ExpressionAst, frame: Frame): Promise<string> {
    return toStr(await this.evalExpr(m, frame));
  }

  private async memberExpr(e: A.MemberAst, frame: Frame): Promise<PSValue> {
    const target = await this.evalExpr(e.target, frame);
    const name = await this.memberName(e.member, frame);
    if (e.isStatic) {
      if (!(target instanceof PSTypeRef)) {
        throw runtimeError({ message: `Unable to find type [${toStr(target)}].`, errorId: 'TypeNotFound', category: 'InvalidOperation' });
      }
      const v = getStatic(target, name, this);
      return v === undefined ? null : v;
    }
    const v = getMember(target, name);
    return v === undefined ? null : v;
  }

  private async invokeMemberExpr(e: A.InvokeMemberAst, frame: Frame): Promise<PSValue | undefined> {
    const target = await this.evalExpr(e.target, frame);
    const name = await this.memberName(e.member, frame);
    const args: PSValue[] = [];
    for (const a of e.args) args.push(await this.evalExpr(a, frame));
    await this.tick();
    if (this.config.languageMode === 'ConstrainedLanguage') {
      // Static methods of core types and any method of a core-typed value; .Where()/.ForEach() are intrinsic.
      const lowerName = name.toLowerCase();
      const core = e.isStatic ? target instanceof PSTypeRef && isCoreTypeName(target.fullName) : lowerName === 'where' || lowerName === 'foreach' || isCoreValue(target);
      if (!core) throw methodDenied();
    }
    if (e.isStatic) {
      if (!(target instanceof PSTypeRef)) {
        throw runtimeError({ message: Msg.MethodNotFound(typeNameOf(target), name), errorId: 'MethodNotFound', category: 'InvalidOperation' });
      }
      return invokeStatic(target, name, args, this);
    }
    const prevScope = this.currentScope;
    const prevStreams = this.currentStreams;
    this.currentScope = frame.scope;
    this.currentStreams = frame.streams;
    try {
      const lower = name.toLowerCase();
      if ((lower === 'where' || lower === 'foreach') && !Array.isArray(target) && target !== null) return await invokeMethod([target], name, args, this);
      return await invokeMethod(target, name, args, this);
    } finally {
      this.currentScope = prevScope;
      this.currentStreams = prevStreams;
    }
  }

  private async indexExpr(e: A.IndexAst, frame: Frame): Promise<PSValue> {
    const target = await this.evalExpr(e.target, frame);
    const index = await this.evalExpr(e.index, frame);
    return this.index(target, index, frame);
  }

  index(target: PSValue, index: PSValue, frame: Frame): PSValue {
    if (target === null) {
      throw runtimeError({ message: Msg.NullArray, errorId: 'NullArray', category: 'InvalidOperation', source: frame.source });
    }
    if (target instanceof PSHashtable) {
      if (Array.isArray(index)) return index.map((k) => target.get(k) ?? null);
      return target.get(index) ?? null;
    }
    const one = (items: readonly PSValue[] | string, i: PSValue): PSValue => {
      let n = Math.trunc(toNumber(i));
      if (n < 0) n += items.length;
      if (n < 0 || n >= items.length) return null;
      return typeof items === 'string' ? (items[n] ?? null) : (items[n] ?? null);
    };
    if (Array.isArray(target) || typeof target === 'string') {
      if (Array.isArray(index)) {
        const out: PSValue[] = [];
        for (const i of index) {
          const v = one(target, i);
          if (v !== null || !Array.isArray(target)) out.push(v);
        }
        return out;
      }
      return one(target, index);
    }
    if (target instanceof PSObject && typeof index === 'string') {
      return target.getValue(index) ?? null;
    }
    // scalars index as one-element collections
    if (Array.isArray(index)) return index.map((i) => (toNumber(i) === 0 || toNumber(i) === -1 ? target : null));
    const n = toNumber(index);
    return n === 0 || n === -1 ? target : null;
  }

  // ---- pipelines ------------------------------------------------------------------------

  async runPipeline(p: A.PipelineAst, frame: Frame, out: Emit): Promise<void> {
    const stages: Stage[] = [];
    let firstExpr: A.CommandExpressionAst | undefined;
    const owner = {};
    // build stages from the end so that each knows where to emit
    const emits: Emit[] = [];
    for (let i = p.elements.length - 1; i >= 0; i--) {
      const el = p.elements[i];
      if (el === undefined) continue;
      const next: Emit = i === p.elements.length - 1 ? out : (emits[0] as Emit);
      if (el.kind === 'CommandExpression') {
        firstExpr = el;
        emits.unshift(next);
        continue;
      }
      const stage = await this.createStage(el, frame, next, i > 0, owner, i);
      stages.unshift(stage);
      const st = stage;
      emits.unshift(async (v) => {
        await this.tick();
        await st.process(v);
      });
    }
    let stoppedAt = -1;
    const errorsBefore = this.errorWrites;
    try {
      for (const s of stages) await s.begin();
      if (firstExpr !== undefined) {
        const target = emits[0] as Emit;
        await this.runExpressionElement(firstExpr, frame, target);
      } else {
        const s0 = stages[0];
        if (s0 !== undefined) await s0.process(undefined);
      }
    } catch (e) {
      if (e instanceof StopPipelineSignal && e.owner === owner) {
        stoppedAt = stages.findIndex((s) => (s as unknown) === (e as unknown as { stage?: Stage }).stage);
      } else throw e;
    }
    for (let i = Math.max(0, stoppedAt + 1); i < stages.length; i++) {
      const s = stages[i];
      if (s === undefined) continue;
      try {
        await s.end();
      } catch (e) {
        if (e instanceof StopPipelineSignal && e.owner === owner) continue;
        throw e;
      }
    }
    this.lastSuccess = !stages.some((s) => s.hadError) && this.errorWrites === errorsBefore;
  }

  /** Count of non-terminating errors written (a pipeline that wrote one sets $? to false). */
  errorWrites = 0;

  private async runExpressionElement(el: A.CommandExpressionAst, frame: Frame, target: Emit): Promise<void> {
    const redirected = el.redirections.length > 0 ? this.redirect(el.redirections, frame, target) : undefined;
    const emit = redirected?.out ?? target;
    const v = await this.evalExprOut(el.expression, frame);
    if (v instanceof VoidValue) {
      if (redirected !== undefined) await redirected.close();
      return;
    }
    if (isEnumerable(v)) {
      for (const item of v) {
        await this.tick();
        await emit(item);
      }
    } else await emit(v);
    if (redirected !== undefined) await redirected.close();
  }

  /** Evaluate command elements to values (parameters keep their names). */
  private async evalCommandElements(els: readonly A.CommandElementAst[], frame: Frame): Promise<CommandElement[]> {
    const out: CommandElement[] = [];
    for (const el of els) {
      if (el.kind === 'CommandParameter') {
        const hasValue = el.argument !== undefined;
        const value = el.argument !== undefined ? await this.evalArgument(el.argument, frame) : undefined;
        out.push({ kind: 'param', name: el.name, text: el.text, value, hasValue, extent: el.extent });
        continue;
      }
      if (el.kind === 'Variable' && el.splatted) {
        const v = this.getVariable(el.name, el.scope, frame);
        if (v instanceof PSHashtable) {
          for (const [k, x] of v.entries()) {
            const isSwitch = typeof x === 'boolean';
            out.push({ kind: 'param', name: toStr(k), text: `-${toStr(k)}`, value: x, hasValue: true, extent: el.extent });
            void isSwitch;
          }
        } else if (Array.isArray(v)) {
          for (const x of v) out.push({ kind: 'arg', value: x, extent: el.extent, text: toStr(x) });
        } else if (v !== null) out.push({ kind: 'arg', value: v, extent: el.extent, text: toStr(v) });
        continue;
      }
      const value = await this.evalArgument(el, frame);
      out.push({ kind: 'arg', value, extent: el.extent, text: this.argumentText(el, frame, value) });
    }
    return out;
  }

  private argumentText(el: A.ExpressionAst, frame: Frame, value: PSValue): string {
    if (el.kind === 'StringConstant' || el.kind === 'Constant') return frame.source.text.slice(el.extent.start, el.extent.end).replace(/^['"]|['"]$/g, '');
    return Array.isArray(value) ? value.map((x) => toStr(x)).join(' ') : toStr(value);
  }

  private async evalArgument(el: A.ExpressionAst, frame: Frame): Promise<PSValue> {
    if (el.kind === 'StringConstant' && el.style === 'bare' && /^-\d+$/.test(el.value)) return Number(el.value);
    const v = await this.evalExpr(el, frame);
    return v;
  }

  /** Resolve and build the stage for a command element. */
  private async createStage(cmd: A.CommandAst, frame: Frame, emit: Emit, expectingInput: boolean, owner: object, index: number): Promise<Stage> {
    const nameEl = cmd.elements[0];
    if (nameEl === undefined) throw runtimeError({ message: 'Empty command.', errorId: 'EmptyCommand', category: 'ParserError' });
    const rest = cmd.elements.slice(1);
    const redirected = cmd.redirections.length > 0 ? this.redirect(cmd.redirections, frame, emit) : undefined;
    const out = redirected?.out ?? emit;
    const streams = redirected?.streams ?? frame.streams;
    const wrapClose = (s: Stage): Stage => {
      if (redirected === undefined) return s;
      return {
        begin: () => s.begin(),
        process: (v) => s.process(v),
        end: async () => {
          await s.end();
          await redirected.close();
        },
        get hadError() {
          return s.hadError;
        },
        set hadError(v: boolean) {
          s.hadError = v;
        },
      };
    };
    // & / . with a script block or an expression
    if (nameEl.kind === 'CommandParameter') throw this.commandNotFound(nameEl.text, nameEl.extent, frame);
    if (cmd.invocation !== undefined || (nameEl.kind !== 'StringConstant' && nameEl.kind !== 'ExpandableString')) {
      const target = await this.evalExpr(nameEl, frame);
      if (target instanceof PSScriptBlock) {
        const args = await this.evalCommandElements(rest, frame);
        const fn: FunctionInfo = { name: '', body: target.ast, parameters: undefined, isFilter: false, source: target.source };
        return wrapClose(this.functionStage(fn, args, { ...frame, streams }, out, cmd, nameEl.extent, expectingInput, cmd.invocation === '.', ''));
      }
      if (target instanceof PSObject && target.typeNames.some((t) => t.includes('CmdletInfo') || t.includes('FunctionInfo'))) {
        return this.createNamedStage(toStr(target.getValue('Name') ?? ''), cmd, rest, { ...frame, streams }, out, expectingInput, owner, index, redirected, wrapClose, nameEl.extent, cmd.invocation === '.');
      }
      const name = toStr(target);
      return this.createNamedStage(name, cmd, rest, { ...frame, streams }, out, expectingInput, owner, index, redirected, wrapClose, nameEl.extent, cmd.invocation === '.');
    }
    const name = toStr(await this.evalExpr(nameEl, frame));
    return this.createNamedStage(name, cmd, rest, { ...frame, streams }, out, expectingInput, owner, index, redirected, wrapClose, nameEl.extent, false);
  }

  private async createNamedStage(
    typedName: string,
    cmd: A.CommandAst,
    rest: readonly A.CommandElementAst[],
    frame: Frame,
    out: Emit,
    expectingInput: boolean,
    owner: object,
    index: number,
    redirected: { close(): Promise<void> } | undefined,
    wrapClose: (s: Stage) => Stage,
    nameExtent: Extent,
    dotSource: boolean,
  ): Promise<Stage> {
    const resolved = this.resolveCommand(typedName, frame.scope);
    const notFound = () => this.commandNotFound(typedName, nameExtent, frame);
    if (!this.isVisible(typedName, resolved)) throw notFound();
    if (resolved.kind === 'function') {
      const args = await this.evalCommandElements(rest, frame);
      return wrapClose(this.functionStage(resolved.fn, args, frame, out, cmd, nameExtent, expectingInput, dotSource, typedName));
    }
    if (resolved.kind === 'cmdlet') {
      const args = await this.evalCommandElements(rest, frame);
      return wrapClose(this.cmdletStage(resolved.def, typedName, args, frame, out, cmd, expectingInput, owner, index));
    }
    // a script file by its path (`& C:\dir\x.ps1 a b`, `.\x.ps1`)?
    const script = this.scriptFile(typedName);
    if (script !== undefined) {
      const args = await this.evalCommandElements(rest, frame);
      const fn = { name: '', body: script.ast, parameters: undefined, isFilter: false, source: script.source };
      const st = this.functionStage(fn, args, frame, out, cmd, nameExtent, expectingInput, dotSource, typedName);
      // `exit N` in a script file ends the script, not the caller: N lands in $LASTEXITCODE.
      let exited = false;
      const guard = async (f: () => Promise<void>): Promise<void> => {
        if (exited) return;
        try {
          await f();
        } catch (e) {
          if (!(e instanceof ExitSignal)) throw e;
          exited = true;
          this.lastExitCode = e.code;
          this.global.vars.set('lastexitcode', new PSVariable('LASTEXITCODE', e.code));
          if (e.code !== 0) st.hadError = true;
        }
      };
      const scriptStage: Stage = {
        get hadError() {
          return st.hadError;
        },
        set hadError(v: boolean) {
          st.hadError = v;
        },
        begin: () => guard(() => st.begin()),
        process: (v) => guard(() => st.process(v)),
        end: () => guard(() => st.end()),
      };
      return wrapClose(scriptStage);
    }
    // external program?
    const args = await this.evalCommandElements(rest, frame);
    const stage = this.externalStage(typedName, args, frame, out, cmd, nameExtent, expectingInput);
    if (stage !== undefined) return wrapClose(stage);
    void redirected;
    throw notFound();
  }

  commandNotFound(name: string, extent: Extent | undefined, frame: Frame): PSRuntimeError {
    const rec = makeRecord({
      message: Msg.CommandNotFound(name),
      errorId: 'CommandNotFoundException',
      category: 'ObjectNotFound',
      target: name,
      exceptionType: 'System.Management.Automation.CommandNotFoundException',
    });
    rec.invocation = { invocationName: name, ...(extent !== undefined ? { extent, source: frame.source } : {}) };
    return new PSRuntimeError(rec, false);
  }

  /** JEA: may a script call `typedName` (psrp.md §6.2: an invisible command is not found)? */
  private isVisible(typedName: string, resolved: ReturnType<Engine['resolveCommand']>): boolean {
    const visible = this.config.commandVisible;
    if (visible === undefined) return true;
    // Functions the session's own scripts defined are theirs to call.
    if (resolved.kind === 'function' && !this.aliases.has(typedName.toLowerCase()) && !this.builtinFunctions.has(resolved.fn.name.toLowerCase())) return true;
    return visible(typedName.replace(/^microsoft\.powershell\.(management|utility|core|security)\\/i, ''));
  }

  resolveCommand(name: string, scope: Scope): { kind: 'function'; fn: FunctionInfo } | { kind: 'cmdlet'; def: CmdletDef } | { kind: 'none' } {
    let n = name;
    for (let i = 0; i < 10; i++) {
      const alias = this.aliases.get(n.toLowerCase());
      if (alias === undefined) break;
      n = alias;
    }
    const fn = scope.lookupFunction(n);
    if (fn !== undefined) return { kind: 'function', fn };
    const lower = n.toLowerCase();
    const stripped = lower.replace(/^microsoft\.powershell\.(management|utility|core|security)\\/, '');
    const def = this.cmdlets.get(stripped);
    if (def !== undefined) return { kind: 'cmdlet', def };
    return { kind: 'none' };
  }

  // ---- redirection -------------------------------------------------------------------------

  private redirect(reds: readonly A.RedirectionAst[], frame: Frame, emit: Emit): { out: Emit; streams: Streams; close(): Promise<void> } {
    let out = emit;
    const streams: Streams = { ...frame.streams };
    const closers: (() => Promise<void>)[] = [];
    for (const r of reds) {
      const { from, toStream, append } = r.redirection;
      if (toStream === 1) {
        // merge into the output stream
        const toOut = emit;
        if (from === 2 || from === 0) streams.error = async (rec) => toOut(rec);
        if (from === 3 || from === 0) streams.warning = async (m) => toOut(warningRecord(m));
        if (from === 4 || from === 0) streams.verbose = async (m) => toOut(m);
        if (from === 5 || from === 0) streams.debug = async (m) => toOut(m);
        if (from === 6 || from === 0) streams.information = async (m) => toOut(m);
        continue;
      }
      if (r.target === undefined) continue;
      const targetAst = r.target;
      const isNull = targetAst.kind === 'Variable' && targetAst.name.toLowerCase() === 'null';
      let buffer: PSValue[] | undefined;
      const sink: Emit = isNull
        ? async () => undefined
        : async (v) => {
            buffer ??= [];
            buffer.push(v);
            this.limits.checkArray(buffer.length);
          };
      if (!isNull) {
        closers.push(async () => {
          const path = toStr(await this.evalExpr(targetAst, frame));
          const lines = await this.config.formatText(buffer ?? [], this.config.consoleWidth - 1, this);
          const text = lines.map((l) => l + '\r\n').join('');
          this.writeRedirectFile(path, text, append);
        });
      }
      if (from === 1) out = sink;
      if (from === 2 || from === 0) streams.error = async (rec) => sink(rec);
      if (from === 3 || from === 0) streams.warning = async (m) => sink(isNull ? m : `WARNING: ${m}`);
      if (from === 4 || from === 0) streams.verbose = async (m) => sink(m);
      if (from === 5 || from === 0) streams.debug = async (m) => sink(m);
      if (from === 6 || from === 0) streams.information = async (m) => sink(m);
      if (from === 0) out = sink;
    }
    return {
      out,
      streams,
      close: async () => {
        for (const c of closers) await c();
      },
    };
  }

  /** `>` / `>>`: Out-File semantics, UTF-16LE with a BOM as Windows PowerShell 5.1 writes. */
  writeRedirectFile(path: string, text: string, append: boolean): void {
    const full = this.resolvePath(path);
    const exists = this.vfs.stat(full) !== undefined;
    const body = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      body[i * 2] = c & 0xff;
      body[i * 2 + 1] = c >> 8;
    }
    if (append && exists) {
      this.vfs.writeFile(full, body, { append: true });
      return;
    }
    const data = new Uint8Array(body.length + 2);
    data[0] = 0xff;
    data[1] = 0xfe;
    data.set(body, 2);
    this.vfs.writeFile(full, data);
  }

  // ---- cmdlets ---------------------------------------------------------------------------

  private cmdletStage(def: CmdletDef, typedName: string, args: CommandElement[], frame: Frame, out: Emit, cmd: A.CommandAst, expectingInput: boolean, owner: object, index: number): Stage {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- used by the getters of the context object below
    const engine = this;
    const allParams: ParamDef[] = [...def.params, ...COMMON_PARAMETERS, ...(def.shouldProcess === true ? SHOULD_PROCESS_PARAMETERS : [])];
    const invocation: CommandInvocation = {
      name: def.name,
      invocationName: typedName,
      implementingType: def.implementingType,
      extent: cmd.extent,
      source: frame.source,
    };
    const errInvocation: ErrorInvocation = {
      command: { name: def.name, type: 'Cmdlet', implementingType: def.implementingType },
      invocationName: typedName,
      extent: cmd.extent,
      source: frame.source,
    };
    let explicit: Map<string, PSValue>;
    const bindFail = (e: BindingError): PSRuntimeError => {
      const rec = bindingErrorRecord(e.failure);
      rec.invocation = { ...errInvocation, ...(e.failure.extent !== undefined ? { extent: e.failure.extent } : {}) };
      return new PSRuntimeError(rec, false);
    };
    try {
      explicit = bindCmdlet(allParams, args, cmd.extent);
    } catch (e) {
      if (e instanceof BindingError) throw bindFail(e);
      throw e;
    }
    const ea = explicit.has('ErrorAction') ? normPreference(explicit.get('ErrorAction') ?? null) : undefined;
    const wa = explicit.has('WarningAction') ? normPreference(explicit.get('WarningAction') ?? null) : undefined;
    const verbose = explicit.has('Verbose') ? toBool(explicit.get('Verbose') ?? null) : undefined;
    const debugSw = explicit.has('Debug') ? toBool(explicit.get('Debug') ?? null) : undefined;
    const errorVariable = explicit.has('ErrorVariable') ? toStr(explicit.get('ErrorVariable') ?? null) : undefined;
    const outVariable = explicit.has('OutVariable') ? toStr(explicit.get('OutVariable') ?? null) : undefined;
    const errorsCollected: PSValue[] = [];
    const outCollected: PSValue[] = [];
    let params = new Map(explicit);
    const stage: Stage = {
      hadError: false,
      begin: async () => {
        if (def.begin !== undefined) await runGuarded(() => def.begin?.(ctx));
      },
      process: async (input) => {
        if (input !== undefined) {
          try {
            const piped = bindPipelineInput(allParams, explicit, input);
            params = new Map([...explicit, ...piped]);
          } catch (e) {
            if (e instanceof BindingError) {
              const r = bindFail(e);
              await ctx.writeError(r.record);
              return;
            }
            throw e;
          }
        }
        const missing = def.params.filter((p) => p.mandatory === true && !params.has(p.name));
        if (missing.length > 0 && !(input === undefined && expectingInput)) {
          const pipelineCanSupply = input === undefined && missing.every((p) => p.pipeline !== undefined) && expectingInput;
          if (!pipelineCanSupply) {
            throw bindFail(
              new BindingError({
                id: 'MissingMandatoryParameter',
                message: `Cannot process command because of one or more missing mandatory parameters:${missing.map((p) => ` ${p.name}`).join('')}.`,
                extent: cmd.extent,
                exceptionType: 'System.Management.Automation.ParameterBindingException',
              }),
            );
          }
        }
        if (def.process !== undefined) await runGuarded(() => def.process?.(ctx, input));
      },
      end: async () => {
        if (def.end !== undefined) await runGuarded(() => def.end?.(ctx));
        if (errorVariable !== undefined) engine.setVariable(errorVariable.replace(/^\+/, ''), undefined, asList([...errorsCollected]), frame);
        if (outVariable !== undefined) engine.setVariable(outVariable.replace(/^\+/, ''), undefined, outCollected.length === 1 ? (outCollected[0] ?? null) : asList([...outCollected]), frame);
      },
    };
    const runGuarded = async (f: () => Promise<void> | undefined): Promise<void> => {
      try {
        await f();
      } catch (e) {
        if (e instanceof PSRuntimeError && e.record.invocation === undefined) e.record.invocation = errInvocation;
        if (e instanceof VfsError) {
          const rec = makeRecord({ message: e.message, errorId: 'System.IO.IOException', category: 'WriteError', target: e.path, exceptionType: 'System.IO.IOException' });
          rec.invocation = errInvocation;
          throw new PSRuntimeError(rec, false);
        }
        throw e;
      }
    };
    const errorPref = (): StreamPreference => ea ?? engine.preference(frame, 'ErrorActionPreference');
    const ctx: CmdletContext = {
      engine,
      frame,
      scriptInvocation: frame.invocation,
      get params() {
        return params;
      },
      has: (n) => params.has(n),
      get: (n) => params.get(n),
      str: (n) => {
        const v = params.get(n);
        return v === undefined || v === null ? undefined : toStr(v);
      },
      strs: (n) => {
        const v = params.get(n);
        if (v === undefined || v === null) return undefined;
        return Array.isArray(v) ? v.map((x) => toStr(x)) : [toStr(v)];
      },
      switch: (n) => toBool(params.get(n) ?? false),
      invocation,
      expectingInput,
      write: async (v) => {
        if (outVariable !== undefined) outCollected.push(v);
        await out(v);
      },
      writeEnumerated: async (v) => {
        if (isEnumerable(v)) {
          for (const x of v) {
            await engine.tick();
            if (outVariable !== undefined) outCollected.push(x);
            await out(x);
          }
        } else {
          if (outVariable !== undefined) outCollected.push(v);
          await out(v);
        }
      },
      writeError: async (spec) => {
        const rec = spec instanceof PSErrorRecord ? spec : makeRecord(spec);
        if (rec.invocation === undefined) rec.invocation = errInvocation;
        stage.hadError = true;
        engine.lastSuccess = false;
        engine.errorWrites++;
        errorsCollected.push(rec);
        const pref = errorPref();
        if (pref === 'Stop') {
          throw new PSRuntimeError(rec, true);
        }
        if (pref === 'Ignore') return;
        engine.recordError(rec);
        if (pref === 'SilentlyContinue') return;
        await frame.streams.error(rec);
      },
      terminate: (spec) => {
        const rec = makeRecord(spec);
        rec.invocation = errInvocation;
        throw new PSRuntimeError(rec, false);
      },
      warning: async (m) => {
        const pref = wa ?? engine.preference(frame, 'WarningPreference');
        if (pref === 'SilentlyContinue' || pref === 'Ignore') return;
        if (pref === 'Stop') throw runtimeError({ message: Msg.ActionPreferenceStop(m), errorId: 'ActionPreferenceStop', category: 'OperationStopped', exceptionType: 'System.Management.Automation.ActionPreferenceStopException' }, true);
        await frame.streams.warning(m);
      },
      verbose: async (m) => {
        const on = verbose ?? engine.preference(frame, 'VerbosePreference') === 'Continue';
        if (on) await frame.streams.verbose(m);
      },
      debug: async (m) => {
        const on = debugSw ?? engine.preference(frame, 'DebugPreference') === 'Continue';
        if (on) await frame.streams.debug(m);
      },
      host: (t) => frame.streams.host(t),
      hostWrite: async (w) => {
        const streams = frame.streams;
        if (streams.hostWrite) return streams.hostWrite(w);
        for (const t of hostWriteTexts(w)) await streams.host(t);
      },
      stopUpstream: () => {
        const sig = new StopPipelineSignal(owner);
        (sig as unknown as { stage: Stage }).stage = stage;
        throw sig;
      },
      get whatIf() {
        return toBool(params.get('WhatIf') ?? false) || toBool(frame.scope.lookup('WhatIfPreference')?.value ?? false);
      },
    };
    void index;
    return stage;
  }

  // ---- functions and script blocks ------------------------------------------------------

  /** Run a script block once (ForEach-Object, Where-Object, `& {}` with input collected). */
  async callScriptBlock(
    sb: PSScriptBlock,
    opts: { parentScope: Scope; streams: Streams; dollarUnder: PSValue | undefined; args: PSValue[]; out: Emit; dotSource: boolean; input?: PSValue[] },
  ): Promise<void> {
    const scope = opts.dotSource ? opts.parentScope : new Scope(opts.parentScope, 'local');
    const frame: Frame = {
      scope,
      source: sb.source,
      streams: opts.streams,
      invocation: { command: { name: '', type: 'Script', scriptText: sb.text }, invocationName: '' },
      commandName: '',
    };
    if (opts.dollarUnder !== undefined) scope.vars.set('_', new PSVariable('_', opts.dollarUnder));
    scope.vars.set('args', new PSVariable('args', opts.args));
    if (opts.input !== undefined) scope.vars.set('input', new PSVariable('input', opts.input));
    const block = sb.ast;
    if (block.paramBlock !== undefined) {
      const elements: CommandElement[] = opts.args.map((a) => ({ kind: 'arg' as const, value: a, extent: block.extent, text: toStr(a) }));
      await this.bindScriptParameters(block.paramBlock.parameters, elements, frame, block.cmdletBinding, undefined, '');
    }
    const prevScope = this.currentScope;
    this.currentScope = scope;
    try {
      for (const part of [block.begin, block.process, block.end]) {
        if (part === undefined) continue;
        try {
          await this.execStatements(part, frame, opts.out);
        } catch (e) {
          if (e instanceof ReturnSignal) continue;
          throw e;
        }
      }
    } finally {
      this.currentScope = prevScope;
    }
  }

  private functionStage(fn: FunctionInfo, args: CommandElement[], callerFrame: Frame, out: Emit, cmd: A.CommandAst, nameExtent: Extent, expectingInput: boolean, dotSource: boolean, typedName: string): Stage {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- used by the getters of the context object below
    const engine = this;
    const body = fn.body;
    const params = fn.parameters ?? body.paramBlock?.parameters ?? [];
    const advanced = body.cmdletBinding || params.some((p) => p.mandatory || p.valueFromPipeline || p.valueFromPipelineByPropertyName);
    const scope = dotSource ? callerFrame.scope : new Scope(callerFrame.scope, fn.name === '' ? 'local' : 'local');
    const isScriptBlock = fn.name === '';
    const invocation: ErrorInvocation = isScriptBlock
      ? { command: { name: '', type: 'Script', scriptText: new PSScriptBlock(body, fn.source).text }, invocationName: typedName === '' ? '&' : typedName, extent: cmd.extent, source: callerFrame.source }
      : { command: { name: fn.name, type: 'Function' }, invocationName: typedName, extent: cmd.extent, source: callerFrame.source };
    let streams = callerFrame.streams;
    const frame: Frame = { scope, source: fn.source, streams, invocation, commandName: fn.name };
    const collected: PSValue[] = [];
    let pipelineParams: A.ParameterAst[] = [];
    const hasProcess = body.process !== undefined || fn.isFilter;
    const processBlock = fn.isFilter ? (body.end ?? []) : body.process;
    const endBlock = fn.isFilter ? undefined : body.end;
    const runBlock = async (stmts: readonly A.StatementAst[] | undefined): Promise<void> => {
      if (stmts === undefined) return;
      const prev = engine.currentScope;
      engine.currentScope = scope;
      try {
        await engine.execStatements(stmts, frame, out);
      } catch (e) {
        if (e instanceof ReturnSignal) return;
        if (e instanceof PSRuntimeError && e.record.invocation === undefined) e.record.invocation = invocation;
        throw e;
      } finally {
        engine.currentScope = prev;
      }
    };
    const stage: Stage = {
      hadError: false,
      begin: async () => {
        scope.vars.set('myinvocation', new PSVariable('MyInvocation', engine.invocationObject(invocation, callerFrame.source.positioned(cmd.extent) ? callerFrame.source.text.slice(cmd.extent.start, cmd.extent.end) : '')));
        const common = advanced ? extractCommonParameters(args) : undefined;
        if (common?.errorAction !== undefined) scope.vars.set('erroractionpreference', new PSVariable('ErrorActionPreference', common.errorAction));
        if (common?.verbose === true) scope.vars.set('verbosepreference', new PSVariable('VerbosePreference', 'Continue'));
        const remaining = common?.rest ?? args;
        pipelineParams = await engine.bindScriptParameters(params, remaining, frame, advanced, cmd.extent, fn.name, expectingInput);
        await runBlock(body.begin);
      },
      process: async (input) => {
        if (input === undefined) {
          if (hasProcess) {
            if (expectingInput) return;
            scope.vars.set('_', new PSVariable('_', null));
            await runBlock(processBlock);
          }
          return;
        }
        if (!hasProcess) {
          collected.push(input);
          engine.limits.checkArray(collected.length);
          return;
        }
        scope.vars.set('_', new PSVariable('_', input));
        for (const p of pipelineParams) {
          if (p.valueFromPipeline) engine.setVariable(p.name, undefined, input, frame, p.typeName !== undefined ? resolveType(p.typeName) : undefined);
          else if (p.valueFromPipelineByPropertyName) {
            const v = input instanceof PSObject ? input.getValue(p.name) : input instanceof PSHashtable ? input.get(p.name) : undefined;
            if (v !== undefined) engine.setVariable(p.name, undefined, v, frame, p.typeName !== undefined ? resolveType(p.typeName) : undefined);
          }
        }
        await runBlock(processBlock);
      },
      end: async () => {
        scope.vars.set('input', new PSVariable('input', collected));
        if (!hasProcess && collected.length > 0) {
          // $_ is not set in end blocks; pipeline parameters get the last value
          for (const p of pipelineParams) if (p.valueFromPipeline) engine.setVariable(p.name, undefined, collected.length === 1 ? (collected[0] ?? null) : collected, frame);
        }
        await runBlock(endBlock);
      },
    };
    void nameExtent;
    void streams;
    streams = callerFrame.streams;
    return stage;
  }

  /** Bind a script's / function's parameters; returns the pipeline-bound parameters. */
  async bindScriptParameters(
    params: readonly A.ParameterAst[],
    elements: readonly CommandElement[],
    frame: Frame,
    advanced: boolean,
    commandExtent: Extent | undefined,
    fnName: string,
    expectingInput = false,
  ): Promise<A.ParameterAst[]> {
    const defs: ParamDef[] = params.map((p) => ({
      name: p.name,
      aliases: p.aliases,
      type: p.typeName !== undefined && /^(switch|system\.management\.automation\.switchparameter)$/i.test(p.typeName) ? 'switch' : 'object',
      ...(p.position !== undefined ? { position: p.position } : {}),
      ...(p.validateSet !== undefined ? { validateSet: p.validateSet } : {}),
    }));
    const bound = new Map<string, PSValue>();
    const unbound: PSValue[] = [];
    const positional: CommandElement[] = [];
    const fail = (id: string, message: string, extent: Extent | undefined, category: 'InvalidArgument' | 'InvalidData' = 'InvalidArgument', exType = 'System.Management.Automation.ParameterBindingException'): PSRuntimeError => {
      const rec = bindingErrorRecord({ id, message, extent, category, exceptionType: exType });
      rec.invocation = { command: { name: fnName, type: 'Function' }, invocationName: fnName, ...(extent !== undefined ? { extent } : commandExtent !== undefined ? { extent: commandExtent } : {}), source: frame.source };
      return new PSRuntimeError(rec, false);
    };
    for (let i = 0; i < elements.length; i++) {
      const el = elements[i];
      if (el === undefined) continue;
      if (el.kind === 'arg') {
        positional.push(el);
        continue;
      }
      const d = defs.length > 0 ? resolveParam(defs, el.name) : undefined;
      if (d === 'ambiguous') {
        const names = defs.filter((x) => x.name.toLowerCase().startsWith(el.name.toLowerCase())).map((x) => ` -${x.name}`);
        throw fail('AmbiguousParameter', `Parameter cannot be processed because the parameter name '${el.name}' is ambiguous. Possible matches include:${names.join('')}.`, el.extent);
      }
      if (d === undefined) {
        if (advanced) throw fail('NamedParameterNotFound', `A parameter cannot be found that matches parameter name '${el.name}'.`, el.extent);
        unbound.push(el.text + (el.hasValue ? '' : ''));
        if (el.hasValue) unbound.push(el.value ?? null);
        continue;
      }
      let value: PSValue;
      if (el.hasValue) value = el.value ?? null;
      else if (d.type === 'switch') value = true;
      else {
        const next = elements[i + 1];
        if (next === undefined || next.kind === 'param') {
          throw fail('MissingArgument', `Missing an argument for parameter '${d.name}'. Specify a parameter of type 'System.Object' and try again.`, el.extent);
        }
        value = next.value;
        i++;
      }
      if (bound.has(d.name)) throw fail('ParameterAlreadyBound', `Cannot bind parameter because parameter '${d.name}' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, "-parameter value1,value2,value3".`, el.extent);
      bound.set(d.name, value);
    }
    const byPos = params.filter((p) => p.position !== undefined && !(p.typeName !== undefined && /^switch$/i.test(p.typeName))).sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
    for (const arg of positional) {
      const p = byPos.find((x) => !bound.has(x.name));
      if (p === undefined) {
        if (advanced) throw fail('PositionalParameterNotFound', `A positional parameter cannot be found that accepts argument '${arg.kind === 'arg' ? arg.text : ''}'.`, commandExtent);
        unbound.push(arg.value ?? null);
        continue;
      }
      bound.set(p.name, arg.value ?? null);
    }
    const psBound = new PSHashtable();
    const pipelineParams: A.ParameterAst[] = [];
    for (const p of params) {
      const type = p.typeName !== undefined ? resolveType(p.typeName) : undefined;
      if (p.typeName !== undefined && type === undefined && !/^switch$/i.test(p.typeName)) {
        throw fail('ParameterArgumentTransformationError', `Unable to find type [${p.typeName}].`, p.extent, 'InvalidData');
      }
      const isSwitch = p.typeName !== undefined && /^switch$/i.test(p.typeName);
      if (bound.has(p.name)) {
        let v = bound.get(p.name) ?? null;
        if (p.validateSet !== undefined) {
          const s = toStr(v);
          if (!p.validateSet.some((x) => x.toLowerCase() === s.toLowerCase())) {
            throw fail('ParameterArgumentValidationError', `Cannot validate argument on parameter '${p.name}'. The argument "${s}" does not belong to the set "${p.validateSet.join(',')}" specified by the ValidateSet attribute. Supply an argument that is in the set and then try the command again.`, commandExtent, 'InvalidData', 'System.Management.Automation.ParameterBindingValidationException');
          }
        }
        if (isSwitch) v = toBool(v);
        else if (type !== undefined) {
          try {
            v = convertTo(v, type);
          } catch (e) {
            if (e instanceof PSRuntimeError) {
              throw fail('ParameterArgumentTransformationError', `Cannot process argument transformation on parameter '${p.name}'. ${e.record.message}`, commandExtent, 'InvalidData', 'System.Management.Automation.ParameterBindingArgumentTransformationException');
            }
            throw e;
          }
        }
        frame.scope.vars.set(p.name.toLowerCase(), new PSVariable(p.name, v, false, false, type));
        psBound.set(p.name, v);
        continue;
      }
      if ((p.valueFromPipeline || p.valueFromPipelineByPropertyName) && expectingInput) {
        pipelineParams.push(p);
        frame.scope.vars.set(p.name.toLowerCase(), new PSVariable(p.name, null, false, false, type));
        continue;
      }
      if (p.mandatory) {
        throw fail('MissingMandatoryParameter', `Cannot process command because of one or more missing mandatory parameters: ${p.name}.`, commandExtent);
      }
      let v: PSValue = null;
      if (p.defaultValue !== undefined) v = await this.evalExpr(p.defaultValue, frame);
      else if (isSwitch) v = false;
      if (type !== undefined && !isSwitch && (p.defaultValue !== undefined || ['System.Int32', 'System.Int64', 'System.Double', 'System.Boolean', 'System.String'].includes(type.fullName))) {
        v = convertTo(v, type);
      }
      frame.scope.vars.set(p.name.toLowerCase(), new PSVariable(p.name, v, false, false, type));
      if (p.valueFromPipeline || p.valueFromPipelineByPropertyName) pipelineParams.push(p);
    }
    frame.scope.vars.set('args', new PSVariable('args', unbound));
    frame.scope.vars.set('psboundparameters', new PSVariable('PSBoundParameters', psBound));
    return pipelineParams;
  }

  // ---- external programs -------------------------------------------------------------------

  private externalStage(name: string, args: CommandElement[], frame: Frame, out: Emit, cmd: A.CommandAst, nameExtent: Extent, expectingInput = true): Stage | undefined {
    const argv: string[] = [];
    for (const a of args) {
      if (a.kind === 'param') {
        argv.push(a.hasValue ? `${a.text}${nativeArg(a.value ?? null).join(' ')}` : a.text);
        continue;
      }
      argv.push(...nativeArg(a.value));
    }
    const input: string[] = [];
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- used by the getters of the context object below
    const engine = this;
    // probe: does the program exist? (the runner returns undefined synchronously if not)
    let started: Promise<number> | undefined;
    let probed = false;
    let buffered = '';
    const onStdout = async (text: string): Promise<void> => {
      buffered += text;
      for (;;) {
        const i = buffered.indexOf('\n');
        if (i < 0) break;
        const line = buffered.slice(0, i).replace(/\r$/, '');
        buffered = buffered.slice(i + 1);
        await out(line);
      }
    };
    const stage: Stage = {
      hadError: false,
      begin: async () => undefined,
      process: async (v) => {
        if (v !== undefined) input.push(toStr(v));
      },
      end: async () => {
        // A program first in its pipeline reads powershell.exe's own stdin, as a native child inherits the handle.
        const stdin = input.length > 0 ? input.join('\r\n') + '\r\n' : expectingInput ? '' : undefined;
        started = probed ? started : this.config.runExternal(name, argv, stdin, onStdout);
        if (started === undefined) throw engine.commandNotFound(name, nameExtent, frame);
        const code = await started;
        if (buffered !== '') {
          const last = buffered.replace(/\r$/, '');
          buffered = '';
          await out(last);
        }
        engine.lastExitCode = code;
        engine.global.vars.set('lastexitcode', new PSVariable('LASTEXITCODE', code));
        if (code !== 0) stage.hadError = true;
      },
    };
    // Existence check up front: PowerShell reports an unknown program before running anything.
    if (!this.externalExists(name)) return undefined;
    probed = false;
    void cmd;
    return stage;
  }

  /** A .ps1 file named with a path, parsed (its syntax errors as PowerShell reports them); undefined: no such script. */
  private scriptFile(name: string): { ast: A.ScriptBlockAst; source: ScriptSource } | undefined {
    if (!/\.ps1$/i.test(name) || !/[\\/]/.test(name)) return undefined;
    let path: string;
    let text: string;
    try {
      path = this.config.vfs.resolve(this.location, name);
      if (this.config.vfs.stat(path)?.type !== 'file') return undefined;
      text = decodeFile(this.config.vfs.readFile(path));
    } catch {
      return undefined;
    }
    try {
      return this.parse(text, path);
    } catch (e) {
      if (e instanceof ParseError) {
        throw runtimeError({ message: e.exceptionMessage().replace(/\n/g, '\r\n'), errorId: e.errorId, category: 'ParserError', exceptionType: 'System.Management.Automation.ParseException' });
      }
      throw e;
    }
  }

  /** Whether the external runner knows this program (asked without running it). */
  externalExists(name: string): boolean {
    return this.knownExternal(name);
  }

  knownExternal: (name: string) => boolean = () => true;
}

/** Remove the common parameters an advanced function accepts (-ErrorAction, -Verbose…). */
function extractCommonParameters(args: readonly CommandElement[]): { rest: CommandElement[]; errorAction: string | undefined; verbose: boolean } {
  const rest: CommandElement[] = [];
  let errorAction: string | undefined;
  let verbose = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === undefined) continue;
    if (a.kind === 'param') {
      const p = resolveParam(COMMON_PARAMETERS, a.name);
      if (p !== undefined && p !== 'ambiguous') {
        if (p.type === 'switch') {
          if (p.name === 'Verbose') verbose = a.hasValue ? toBool(a.value ?? null) : true;
          continue;
        }
        let v: PSValue | undefined = a.value;
        if (!a.hasValue) {
          v = args[i + 1]?.kind === 'arg' ? (args[i + 1] as { value: PSValue }).value : null;
          i++;
        }
        if (p.name === 'ErrorAction') errorAction = normPreference(v ?? null);
        continue;
      }
    }
    rest.push(a);
  }
  return { rest, errorAction, verbose };
}

/** How an argument value is passed to a native program. */
function nativeArg(v: PSValue): string[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v.flatMap((x) => nativeArg(x));
  if (typeof v === 'boolean') return [v ? 'True' : 'False'];
  if (typeof v === 'number') return [numberToString(v)];
  return [toStr(v)];
}

function warningRecord(message: string): PSObject {
  const o = new PSObject(['System.Management.Automation.WarningRecord', 'System.Management.Automation.InformationalRecord', 'System.Object']);
  o.setNote('Message', message);
  o.toStringFn = () => message;
  return o;
}

/** The command was stopped by a signal (Ctrl+C / terminate). */
export class AbortedSignal extends Error {
  constructor() {
    super('aborted');
  }
}

export { ParseError, convertArg, getMember, resolveType, runtimeError, type ErrorSpec };
