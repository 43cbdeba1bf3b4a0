// The smallest PowerShell engine that lets the PSRP layer be tested on its own, as
// ../minimal-backend.ts does for WinRS: simple commands and pipelines of them (`;`, newlines, `|`,
// quoted and bare arguments, `-Name value`, `$ErrorActionPreference = 'Stop'` and the other
// preference variables), the Write-* cmdlets, Start-Sleep, Out-String, Out-Null,
// Invoke-Expression; anything else is PowerShell's CommandNotFoundException. The sandbox's
// emulated PowerShell (src/sandbox/powershell) replaces it through ./sandbox-engine.ts.
import type { Clock } from '../../core/clock.js';
import { PsObject, PsPrim, asNumber, asString, type PsValue } from './clixml.js';
import type { Invocation, InvocationHost, InvocationResult, InvocationSink, PsrpEngine, PsrpRunspace, RunspaceOptions } from './engine.js';
import { HostCallError, fieldDescription, hostNotInteractive } from './host.js';
import { Errors, type CommandMetadata, type ErrorRecordSpec, type PipelineArgument, type PipelineCommand } from './records.js';

type Preference = 'Stop' | 'Continue' | 'SilentlyContinue' | 'Inquire' | 'Ignore';

interface Session {
  readonly prefs: Map<string, Preference>;
  readonly clock: Clock;
}

class Terminating extends Error {
  constructor(readonly record: ErrorRecordSpec) {
    super(record.message);
  }
}

class Stopped extends Error {}

function writeErrorRecord(message: string): ErrorRecordSpec {
  return {
    message,
    exceptionTypes: ['Microsoft.PowerShell.Commands.WriteErrorException', 'System.SystemException', 'System.Exception', 'System.Object'],
    fullyQualifiedErrorId: 'Microsoft.PowerShell.Commands.WriteErrorException',
    category: 'NotSpecified',
    activity: 'Write-Error',
    reason: 'WriteErrorException',
    targetName: '',
    targetType: '',
    targetObject: null,
  };
}

/** PowerShell's text of a value, as `Out-String` shows a scalar. */
function text(v: PsValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof PsPrim) return v.text;
  if (v.toStringText !== undefined) return v.toStringText;
  if (v.collection) return v.collection.items.map(text).join(' ');
  return v.typeNames?.[0] ?? 'System.Object';
}

// ---- a tiny parser: statements of piped simple commands --------------------------------------

type Token = { kind: 'word' | 'string' | 'param' | 'op'; text: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '\n' || c === ';' || c === '|' || c === '=') {
      out.push({ kind: 'op', text: c === '\n' ? ';' : c });
      i++;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === "'" || c === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) break;
        if (src[i] === c) {
          if (src[i + 1] === c) {
            s += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += src[i];
        i++;
      }
      out.push({ kind: 'string', text: s });
    } else {
      let s = '';
      while (i < src.length && !/[\s;|=]/.test(src[i]!)) s += src[i++];
      out.push({ kind: s.length > 1 && s.startsWith('-') && !/^-\d/.test(s) ? 'param' : 'word', text: s });
    }
  }
  return out;
}

function literal(t: Token): PsValue {
  if (t.kind === 'string') return t.text;
  const w = t.text;
  if (/^\$true$/i.test(w)) return true;
  if (/^\$false$/i.test(w)) return false;
  if (/^\$null$/i.test(w)) return null;
  if (/^-?\d+$/.test(w)) return Number(w);
  return w;
}

type Statement = { kind: 'assign'; name: string; value: PsValue } | { kind: 'pipeline'; commands: PipelineCommand[] };

function command(name: string, args: PipelineArgument[]): PipelineCommand {
  return { command: name, isScript: false, useLocalScope: undefined, args, mergeMyResult: 0, mergeToResult: 0, mergePreviousResults: 0, mergeError: 0, mergeWarning: 0, mergeVerbose: 0, mergeDebug: 0, mergeInformation: 0 };
}

function parse(src: string): Statement[] {
  const tokens = tokenize(src);
  const statements: Statement[] = [];
  let i = 0;
  while (i < tokens.length) {
    if (tokens[i]!.kind === 'op' && tokens[i]!.text === ';') {
      i++;
      continue;
    }
    const first = tokens[i]!;
    if (first.kind === 'word' && first.text.startsWith('$') && tokens[i + 1]?.text === '=') {
      const v = tokens[i + 2];
      statements.push({ kind: 'assign', name: first.text.slice(1), value: v ? literal(v) : null });
      i += 3;
      continue;
    }
    const commands: PipelineCommand[] = [];
    let name: string | undefined;
    let args: PipelineArgument[] = [];
    const flush = () => {
      if (name !== undefined) commands.push(command(name, args));
      name = undefined;
      args = [];
    };
    while (i < tokens.length && !(tokens[i]!.kind === 'op' && tokens[i]!.text === ';')) {
      const t = tokens[i]!;
      i++;
      if (t.kind === 'op' && t.text === '|') {
        flush();
        continue;
      }
      if (name === undefined) {
        name = t.text;
        continue;
      }
      if (t.kind === 'param') {
        const pname = t.text.slice(1).replace(/:$/, '');
        const next = tokens[i];
        // A parameter followed by a value, unless the value is another parameter or an operator.
        if (next && next.kind !== 'param' && next.kind !== 'op' && !/^(?:Stream|Completed|Force|AsString|NoNewline)$/i.test(pname)) {
          args.push({ name: pname, value: literal(next) });
          i++;
        } else args.push({ name: pname, value: null });
        continue;
      }
      args.push({ name: undefined, value: literal(t) });
    }
    flush();
    if (commands.length > 0) statements.push({ kind: 'pipeline', commands });
  }
  return statements;
}

// ---- commands -----------------------------------------------------------------------------------

interface CommandContext {
  readonly session: Session;
  readonly sink: InvocationSink;
  readonly signal: AbortSignal;
  readonly named: ReadonlyMap<string, PsValue>;
  readonly positional: readonly PsValue[];
  readonly input: readonly PsValue[];
  readonly expectingInput: boolean;
  /** The client's host (psrp.md §3.4); undefined for a null host (pypsrp's default). */
  readonly host: InvocationHost | undefined;
  /** The session's user, for the prompt's location. */
  readonly user: string;
  emit(v: PsValue): Promise<void>;
  /** Run script text in this session (Invoke-Expression). */
  runScript(script: string): Promise<void>;
}

function arg(ctx: CommandContext, names: readonly string[], position?: number): PsValue | undefined {
  for (const [k, v] of ctx.named) if (names.some((n) => n.toLowerCase().startsWith(k.toLowerCase()) && k.length > 0)) return v;
  return position !== undefined ? ctx.positional[position] : undefined;
}

function switchOn(ctx: CommandContext, name: string): boolean {
  for (const [k, v] of ctx.named) if (name.toLowerCase().startsWith(k.toLowerCase())) return v === null || v === true;
  return false;
}

function pref(session: Session, name: string, fallback: Preference): Preference {
  return session.prefs.get(name.toLowerCase()) ?? fallback;
}

function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Stopped());
    const onAbort = () => {
      timer.cancel();
      reject(new Stopped());
    };
    const timer = clock.schedule(ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const COMMANDS: Record<string, { meta: CommandMetadata; run: (ctx: CommandContext) => Promise<void> }> = {
  'Write-Output': {
    meta: { name: 'Write-Output', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Utility', parameters: [{ name: 'InputObject', type: 'System.Management.Automation.PSObject[]' }, { name: 'NoEnumerate', type: 'System.Management.Automation.SwitchParameter' }] },
    async run(ctx) {
      const named = arg(ctx, ['InputObject']);
      const values = named !== undefined ? [named] : ctx.positional.length > 0 ? ctx.positional : ctx.input;
      for (const v of values) {
        if (v instanceof PsObject && v.collection && !switchOn(ctx, 'NoEnumerate')) for (const item of v.collection.items) await ctx.emit(item);
        else await ctx.emit(v);
      }
    },
  },
  'Write-Error': {
    meta: { name: 'Write-Error', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Utility', parameters: [{ name: 'Message', type: 'System.String' }] },
    async run(ctx) {
      const record = writeErrorRecord(text(arg(ctx, ['Message'], 0) ?? ''));
      const action = asString(arg(ctx, ['ErrorAction'])) ?? pref(ctx.session, 'ErrorActionPreference', 'Continue');
      if (/^stop$/i.test(action)) throw new Terminating(record);
      if (/^(?:ignore)$/i.test(action)) return;
      await ctx.sink.error(record);
    },
  },
  'Write-Warning': {
    meta: { name: 'Write-Warning', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Utility', parameters: [{ name: 'Message', type: 'System.String' }] },
    async run(ctx) {
      if (pref(ctx.session, 'WarningPreference', 'Continue') !== 'SilentlyContinue') await ctx.sink.informational('Warning', text(arg(ctx, ['Message'], 0) ?? ''));
    },
  },
  'Write-Verbose': {
    meta: { name: 'Write-Verbose', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Utility', parameters: [{ name: 'Message', type: 'System.String' }] },
    async run(ctx) {
      if (pref(ctx.session, 'VerbosePreference', 'SilentlyContinue') === 'Continue' || switchOn(ctx, 'Verbose')) await ctx.sink.informational('Verbose', text(arg(ctx, ['Message'], 0) ?? ''));
    },
  },
  'Write-Debug': {
    meta: { name: 'Write-Debug', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Utility', parameters: [{ name: 'Message', type: 'System.String' }] },
    async run(ctx) {
      if (pref(ctx.session, 'DebugPreference', 'SilentlyContinue') === 'Continue' || switchOn(ctx, 'Debug')) await ctx.sink.informational('Debug', text(arg(ctx, ['Message'], 0) ?? ''));
    },
  },
  'Write-Information': {
    meta: { name: 'Write-Information', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Utility', parameters: [{ name: 'MessageData', type: 'System.Object' }, { name: 'Tags', type: 'System.String[]' }] },
    async run(ctx) {
      const tags = arg(ctx, ['Tags'], 1);
      await ctx.sink.information({ messageData: arg(ctx, ['MessageData'], 0) ?? null, source: 'Write-Information', tags: tags === undefined || tags === null ? [] : [text(tags)] });
    },
  },
  'Write-Host': {
    meta: { name: 'Write-Host', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Utility', parameters: [{ name: 'Object', type: 'System.Object' }, { name: 'NoNewline', type: 'System.Management.Automation.SwitchParameter' }, { name: 'ForegroundColor', type: 'System.ConsoleColor' }, { name: 'BackgroundColor', type: 'System.ConsoleColor' }] },
    async run(ctx) {
      const message = ctx.positional.map(text).join(' ');
      const noNewLine = switchOn(ctx, 'NoNewline');
      // The colours: the parameters, else the host's RawUI defaults (HostDefaultData 0/1).
      const fg = consoleColor(arg(ctx, ['ForegroundColor'])) ?? ctx.host?.foregroundColor;
      const bg = consoleColor(arg(ctx, ['BackgroundColor'])) ?? ctx.host?.backgroundColor;
      const color = (n: number | undefined) => (n === undefined ? null : new PsObject({ typeNames: ['System.ConsoleColor', 'System.Enum', 'System.ValueType', 'System.Object'], toStringText: CONSOLE_COLORS[n] ?? String(n), baseValue: n }));
      const data = new PsObject({
        typeNames: ['System.Management.Automation.HostInformationMessage', 'System.Object'],
        toStringText: message,
        props: [
          ['Message', message],
          ['ForegroundColor', color(fg)],
          ['BackgroundColor', color(bg)],
          ['NoNewLine', noNewLine],
        ],
      });
      // With a host, MshCommandRuntime.WriteInformation writes PSHOST records to it as well;
      // the record still travels, and clients tag it FORWARDED so it is not shown twice.
      if (ctx.host) {
        const colors = fg !== undefined && bg !== undefined ? { foreground: fg, background: bg } : undefined;
        if (noNewLine) await ctx.host.write(message, colors);
        else await ctx.host.writeLine(message, colors);
      }
      await ctx.sink.information({ messageData: data, source: 'Write-Host', tags: ['PSHOST'] });
    },
  },
  'Read-Host': {
    meta: { name: 'Read-Host', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Utility', parameters: [{ name: 'Prompt', type: 'System.Object' }, { name: 'AsSecureString', type: 'System.Management.Automation.SwitchParameter' }] },
    // ReadHostCommand: with -Prompt, Prompt("", "", [field]) and the answers out; else ReadLine.
    async run(ctx) {
      if (!ctx.host) throw new Terminating(hostNotInteractive('Read-Host'));
      const secure = switchOn(ctx, 'AsSecureString');
      const prompt = arg(ctx, ['Prompt'], 0);
      try {
        if (prompt !== undefined && prompt !== null) {
          const answers = await ctx.host.prompt('', '', [fieldDescription({ name: text(prompt), type: secure ? 'SecureString' : 'String' })]);
          if (answers instanceof PsObject && answers.dict) for (const [, v] of answers.dict) await ctx.emit(v);
          return;
        }
        await ctx.emit(secure ? await ctx.host.readLineAsSecureString() : await ctx.host.readLine());
      } catch (e) {
        if (e instanceof HostCallError) throw new Terminating({ ...Errors.internal(e.message), fullyQualifiedErrorId: 'HostCallFailed,Microsoft.PowerShell.Commands.ReadHostCommand' });
        throw e;
      }
    },
  },
  prompt: {
    meta: { name: 'prompt', commandType: 'Function', namespace: '', parameters: [] },
    // Windows PowerShell's default prompt function: "PS <location><'>' per nesting level> ".
    async run(ctx) {
      await ctx.emit(`PS C:\\Users\\${ctx.user}\\Documents> `);
    },
  },
  'Exit-PSSession': {
    meta: { name: 'Exit-PSSession', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Core', parameters: [] },
    // ExitPSSessionCommand: Host.PopRunspace(), a void host call (psrp.md §3.4 step 6).
    async run(ctx) {
      await ctx.host?.popRunspace();
    },
  },
  'Write-Progress': {
    meta: { name: 'Write-Progress', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Utility', parameters: [{ name: 'Activity', type: 'System.String' }, { name: 'Status', type: 'System.String' }, { name: 'Id', type: 'System.Int32' }, { name: 'PercentComplete', type: 'System.Int32' }, { name: 'Completed', type: 'System.Management.Automation.SwitchParameter' }] },
    async run(ctx) {
      await ctx.sink.progress({
        activity: text(arg(ctx, ['Activity'], 0) ?? ''),
        activityId: asNumber(arg(ctx, ['Id'])) ?? 0,
        statusDescription: text(arg(ctx, ['Status'], 1) ?? 'Processing'),
        percentComplete: asNumber(arg(ctx, ['PercentComplete'])) ?? -1,
        completed: switchOn(ctx, 'Completed'),
      });
    },
  },
  'Start-Sleep': {
    meta: { name: 'Start-Sleep', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Utility', parameters: [{ name: 'Seconds', type: 'System.Int32' }, { name: 'Milliseconds', type: 'System.Int32' }] },
    async run(ctx) {
      const ms = asNumber(arg(ctx, ['Milliseconds']));
      const s = asNumber(arg(ctx, ['Seconds'], 0));
      await sleep(ctx.session.clock, ms ?? (s ?? 0) * 1000, ctx.signal);
    },
  },
  'Out-String': {
    meta: { name: 'Out-String', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Utility', parameters: [{ name: 'Stream', type: 'System.Management.Automation.SwitchParameter' }, { name: 'Width', type: 'System.Int32' }, { name: 'InputObject', type: 'System.Management.Automation.PSObject' }] },
    async run(ctx) {
      const values = arg(ctx, ['InputObject']) !== undefined ? [arg(ctx, ['InputObject']) ?? null] : ctx.input;
      const lines = values.flatMap((v) => text(v).split(/\r?\n/));
      if (switchOn(ctx, 'Stream')) for (const l of lines) await ctx.emit(l);
      else await ctx.emit(lines.length === 0 ? '' : `${lines.join('\r\n')}\r\n`);
    },
  },
  'Out-Null': {
    meta: { name: 'Out-Null', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Core', parameters: [{ name: 'InputObject', type: 'System.Management.Automation.PSObject' }] },
    async run() {},
  },
  'Out-Default': {
    meta: { name: 'Out-Default', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Core', parameters: [{ name: 'InputObject', type: 'System.Management.Automation.PSObject' }] },
    // With a host the objects become text lines on it (WriteLine2); without one they are dropped.
    async run(ctx) {
      if (!ctx.host) return;
      for (const v of ctx.input) for (const line of text(v).split(/\r?\n/)) await ctx.host.writeLine(line);
    },
  },
  'Get-History': {
    meta: { name: 'Get-History', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Core', parameters: [{ name: 'Id', type: 'System.Int64[]' }, { name: 'Count', type: 'System.Int32' }] },
    // Pipelines sent over PSRP with AddToHistory false leave no history here.
    async run() {},
  },
  'Invoke-Expression': {
    meta: { name: 'Invoke-Expression', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Utility', parameters: [{ name: 'Command', type: 'System.String' }] },
    async run(ctx) {
      try {
        await ctx.runScript(text(arg(ctx, ['Command'], 0) ?? ''));
      } catch (e) {
        // A command Invoke-Expression cannot find ends it (fixture test_client_execute_ps_failure.yml).
        if (e instanceof Terminating && e.record.fullyQualifiedErrorId === 'CommandNotFoundException') {
          throw new Terminating({ ...e.record, fullyQualifiedErrorId: 'CommandNotFoundException,Microsoft.PowerShell.Commands.InvokeExpressionCommand', activity: 'Invoke-Expression', scriptStackTrace: 'at <ScriptBlock>, <No file>: line 1' });
        }
        throw e;
      }
    },
  },
};

const CONSOLE_COLORS = ['Black', 'DarkBlue', 'DarkGreen', 'DarkCyan', 'DarkRed', 'DarkMagenta', 'DarkYellow', 'Gray', 'DarkGray', 'Blue', 'Green', 'Cyan', 'Red', 'Magenta', 'Yellow', 'White'];

function consoleColor(v: PsValue | undefined): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = asNumber(v);
  if (n !== undefined) return n >= 0 && n < 16 ? n : undefined;
  const i = CONSOLE_COLORS.findIndex((c) => c.toLowerCase() === text(v).toLowerCase());
  return i >= 0 ? i : undefined;
}

const ALIASES: Record<string, string> = { echo: 'Write-Output', write: 'Write-Output', sleep: 'Start-Sleep', iex: 'Invoke-Expression' };

function lookup(name: string): (typeof COMMANDS)[string] | undefined {
  const lower = name.toLowerCase();
  const target = Object.entries(ALIASES).find(([a]) => a === lower)?.[1] ?? name;
  return Object.entries(COMMANDS).find(([k]) => k.toLowerCase() === target.toLowerCase())?.[1];
}

class MinimalRunspace implements PsrpRunspace {
  private session: Session;

  constructor(private readonly opts: RunspaceOptions) {
    this.session = { prefs: new Map(), clock: opts.clock };
  }

  commands(): CommandMetadata[] {
    return Object.values(COMMANDS).map((c) => c.meta);
  }

  reset(): void {
    this.session = { prefs: new Map(), clock: this.opts.clock };
  }

  close(): void {}

  async invoke(inv: Invocation): Promise<InvocationResult> {
    const input: PsValue[] = [];
    if (inv.input) for await (const v of inv.input) input.push(v);
    try {
      for (const statement of inv.statements) await this.runPipeline(statement, input, inv, true);
      return { state: 'Completed' };
    } catch (e) {
      if (e instanceof Terminating) return { state: 'Failed', error: e.record };
      if (e instanceof Stopped) return { state: 'Completed' };
      throw e;
    }
  }

  /**
   * Run script text. A command that is not found is statement-terminating (an error record, then
   * the next statement), except under Invoke-Expression, which ends with it (`strict`).
   */
  private async runScript(script: string, inv: Invocation, emit: (v: PsValue) => Promise<void>, strict = false): Promise<void> {
    for (const st of parse(script)) {
      if (inv.signal.aborted) throw new Stopped();
      if (st.kind === 'assign') {
        if (/Preference$/i.test(st.name)) this.session.prefs.set(st.name.toLowerCase(), String(st.value) as Preference);
        continue;
      }
      try {
        await this.runCommands(st.commands, [], inv, emit, false);
      } catch (e) {
        // A statement-terminating error in a script is written and the script goes on,
        // unless $ErrorActionPreference is Stop.
        if (!strict && e instanceof Terminating && e.record.fullyQualifiedErrorId === 'CommandNotFoundException' && pref(this.session, 'ErrorActionPreference', 'Continue') !== 'Stop') {
          await inv.sink.error(e.record);
          continue;
        }
        throw e;
      }
    }
  }

  private async runPipeline(commands: readonly PipelineCommand[], input: PsValue[], inv: Invocation, topLevel: boolean): Promise<void> {
    const emit = async (v: PsValue) => {
      await inv.sink.output(v);
    };
    const first = commands[0];
    if (first?.isScript) {
      const rest = commands.slice(1);
      if (rest.length === 0) return this.runScript(first.command, inv, emit);
      const collected: PsValue[] = [];
      await this.runScript(first.command, inv, async (v) => void collected.push(v));
      return this.runCommands(rest, collected, inv, emit, topLevel);
    }
    return this.runCommands(commands, input, inv, emit, topLevel);
  }

  private async runCommands(commands: readonly PipelineCommand[], input: PsValue[], inv: Invocation, emit: (v: PsValue) => Promise<void>, _topLevel: boolean): Promise<void> {
    let current = input;
    for (const [i, c] of commands.entries()) {
      if (inv.signal.aborted) throw new Stopped();
      const impl = lookup(c.command);
      if (!impl) throw new Terminating(Errors.commandNotFound(c.command));
      const last = i === commands.length - 1;
      const produced: PsValue[] = [];
      const named = new Map<string, PsValue>();
      const positional: PsValue[] = [];
      for (const a of c.args) {
        if (a.name === undefined) positional.push(a.value);
        else named.set(a.name, a.value);
      }
      await impl.run({
        session: this.session,
        sink: inv.sink,
        signal: inv.signal,
        named,
        positional,
        input: current,
        expectingInput: i > 0,
        host: inv.host,
        user: this.opts.host.user.name,
        emit: last ? emit : async (v) => void produced.push(v),
        runScript: (script) => this.runScript(script, inv, last ? emit : async (v) => void produced.push(v), true),
      });
      current = produced;
    }
  }
}

/** The stand-in engine (see the header). */
export const minimalEngine: PsrpEngine = {
  name: 'minimal',
  openRunspace: (opts) => new MinimalRunspace(opts),
};
