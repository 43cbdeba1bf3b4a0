// The adapter from the PSRP engine interface (./engine.ts) to the emulated Windows PowerShell of
// src/sandbox/powershell: one engine session per runspace pool with the endpoint's language mode
// and visible commands, a lone script run as its text and any other statement bound as objects
// (argument values keep their types), values converted between the engine's object model and
// CLIXML both ways, SecureStrings under the pool's session key (psrp.md §3.6).
// Records stream through the session's sink as the script writes them; its terminating error
// fails the pipeline; a stop aborts the invocation (and cuts Start-Sleep short). What the session
// API does not offer is listed in docs/compatibility.md (## PowerShell Remoting).
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { isSecureString, psCredential, secureString, secureStringText } from '../../sandbox/powershell/runtime/secure.js';
import { psVersionFor, type BoundCommand, type InvokeOptions, type InvokeResult, type PowerShellEngine, type PowerShellSession } from '../../sandbox/powershell/index.js';
import { PSDateTime, PSEnum, PSErrorRecord, PSException, PSHashtable, PSObject, PSScriptBlock, PSTimeSpan, PSTypeRef, PSVersion, listTypeName, propertyValue, type PSValue } from '../../sandbox/powershell/index.js';
import { ALIASES, CMDLETS } from '../../sandbox/powershell/cmdlets/index.js';
import { paramTypeName } from '../../sandbox/powershell/runtime/binder.js';
import { PsObject, PsPrim, enumValue, list, type PsValue } from './clixml.js';
import type { Invocation, InvocationResult, PsrpEngine, PsrpFiles, PsrpRunspace, RunspaceOptions } from './engine.js';
import type { Vfs } from '../../sandbox/vfs/types.js';
import { isCommandCallable } from './jea.js';
import { PROMPT_FUNCTION, clientHost, isExitPSSession, outDefaultOf, writeHostCall, writeHostLine } from './sandbox-host.js';
import { ERROR_CATEGORIES, errorRecord, type CommandMetadata, type PsVersionTable, type ErrorCategoryName, type ErrorRecordSpec, type PipelineArgument, type PipelineCommand } from './records.js';

// ---- engine values → CLIXML ------------------------------------------------------------------

/** `XmlConvert.ToString(TimeSpan)`: P[d]DT[h]H[m]M[s.fffffff]S. */
function xsdDuration(ms: number): string {
  const neg = ms < 0;
  let rest = Math.abs(ms);
  const d = Math.floor(rest / 86_400_000);
  rest -= d * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  let out = `${neg ? '-' : ''}P${d > 0 ? `${d}D` : ''}`;
  const time = `${h > 0 ? `${h}H` : ''}${m > 0 ? `${m}M` : ''}${s > 0 ? `${Number(s.toFixed(7))}S` : ''}`;
  out += time === '' ? (d > 0 ? '' : 'T0S') : `T${time}`;
  return out;
}

function dateText(v: PSDateTime): string {
  const d = new Date(v.ms);
  const frac = (String(d.getUTCMilliseconds()).padStart(3, '0') + String(v.extraTicks).padStart(4, '0')).replace(/0+$/, '');
  const zone = v.kind === 'Utc' ? 'Z' : v.kind === 'Local' ? '+00:00' : '';
  return `${d.toISOString().slice(0, 19)}${frac === '' ? '' : `.${frac}`}${zone}`;
}

/** Exception type chains, most specific first (the client rebuilds the type from them). */
function exceptionChain(type: string): string[] {
  const sma = 'System.Management.Automation.';
  const tail = ['System.SystemException', 'System.Exception', 'System.Object'];
  if (type === 'System.Exception') return ['System.Exception', 'System.Object'];
  if (type === `${sma}RuntimeException`) return [type, ...tail];
  if (/^(?:ItemNotFound|ProviderNotFound|DriveNotFound|ProviderInvocation)Exception$/.test(type.slice(sma.length)) && type.startsWith(sma)) return [type, `${sma}SessionStateException`, `${sma}RuntimeException`, ...tail];
  if (type === `${sma}ParameterBindingException` || type === `${sma}CommandNotFoundException` || type === `${sma}ParseException` || type === `${sma}PipelineStoppedException`) return [type, `${sma}RuntimeException`, ...tail];
  if (type.startsWith(sma)) return [type, `${sma}RuntimeException`, ...tail];
  if (type.startsWith('System.IO.') && type !== 'System.IO.IOException') return [type, 'System.IO.IOException', ...tail];
  if (type === 'System.SystemException') return tail;
  return [type, ...tail];
}

function shortType(v: PSValue): string {
  if (typeof v === 'string') return 'String';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Int32' : 'Double';
  if (typeof v === 'boolean') return 'Boolean';
  if (v instanceof PSObject) return (v.typeNames[0] ?? 'Object').split('.').pop() ?? 'Object';
  return '';
}

export function errorSpec(r: PSErrorRecord): ErrorRecordSpec {
  const target = r.targetObject;
  const category = (ERROR_CATEGORIES as readonly string[]).includes(r.category) ? (r.category as ErrorCategoryName) : 'NotSpecified';
  // A script that does not parse (or breaks the language mode) fails as a ParseException over
  // remoting; the console shows it as ParentContainsErrorRecordException (fixture: test_psrp_with_jea_configuration.yml #7).
  const parse = r.parseError === true;
  return {
    message: r.exception.message,
    exceptionTypes: exceptionChain(parse ? 'System.Management.Automation.ParseException' : r.exception.typeName),
    fullyQualifiedErrorId: r.fullyQualifiedErrorId,
    category,
    activity: r.activity,
    reason: r.categoryReason ?? (parse ? 'ParseException' : r.exception.shortTypeName),
    targetName: r.categoryTargetName ?? (target === null || target === undefined ? '' : typeof target === 'string' ? target : String(toClixml(target, 2) ?? '')),
    targetType: r.categoryTargetType ?? (target === null || target === undefined ? '' : shortType(target)),
    targetObject: toClixml(target ?? null, 1),
    ...(r.errorDetails !== undefined && r.errorDetails !== '' ? { errorDetailsMessage: r.errorDetails } : {}),
  };
}

// ---- SecureString on the wire (psrp.md §3.6) ------------------------------------------------------

/** `<SS>` both ways: AES-256-CBC with the pool's session key, zero IV, PKCS7, UTF-16LE text. */
export interface SecureStringCodec {
  /** undefined: no session key yet (the client has not exchanged keys). */
  encrypt(text: string): string | undefined;
  decrypt(base64: string): string | undefined;
}

export function secureStringCodec(key: () => Uint8Array | undefined, plain: () => boolean = () => false): SecureStringCodec {
  const iv = Buffer.alloc(16);
  return {
    encrypt: (text) => {
      // Protocol 2.4 pairs: base64 of the UTF-16LE text, no encryption (psrp.md §2.4).
      if (plain()) return Buffer.from(text, 'utf16le').toString('base64');
      const k = key();
      if (k === undefined || k.length !== 32) return undefined;
      const c = createCipheriv('aes-256-cbc', k, iv);
      return Buffer.concat([c.update(Buffer.from(text, 'utf16le')), c.final()]).toString('base64');
    },
    decrypt: (b64) => {
      if (plain()) return Buffer.from(b64, 'base64').toString('utf16le');
      const k = key();
      if (k === undefined || k.length !== 32) return undefined;
      try {
        const d = createDecipheriv('aes-256-cbc', k, iv);
        return Buffer.concat([d.update(Buffer.from(b64, 'base64')), d.final()]).toString('utf16le');
      } catch {
        return undefined;
      }
    },
  };
}

/** Does a CLIXML value carry a SecureString (`<SS>`) anywhere? */
export function hasSecureString(v: PsValue | undefined, seen = new Set<PsObject>()): boolean {
  if (v instanceof PsPrim) return v.tag === 'SS';
  if (!(v instanceof PsObject) || seen.has(v)) return false;
  seen.add(v);
  const inner: Array<PsValue | undefined> = [v.baseValue, ...v.props.values(), ...v.members.values(), ...(v.collection?.items ?? []), ...(v.dict ?? []).flat()];
  return inner.some((x) => hasSecureString(x, seen));
}

/** Serialisation depth as remoting uses it: nested objects below it travel as their text. */
const MAX_DEPTH = 2;

export function toClixml(v: PSValue, depth = 0, seen = new Map<object, PsObject>(), codec?: SecureStringCodec): PsValue {
  if (v === null || v === undefined) return null;
  if (isSecureString(v)) {
    // Without a session key there is nothing to encrypt with: the type name travels instead.
    const sealed = codec?.encrypt(secureStringText(v) ?? '');
    return sealed === undefined ? 'System.Security.SecureString' : new PsPrim('SS', sealed);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) <= 2147483647) return v;
    if (Number.isSafeInteger(v)) return new PsPrim('I64', String(v));
    return new PsPrim('Db', Number.isNaN(v) ? 'NaN' : v === Infinity ? 'INF' : v === -Infinity ? '-INF' : String(v).replace('e', 'E'));
  }
  if (v instanceof PSVersion) return new PsPrim('Version', v.toString());
  if (v instanceof PSDateTime) return new PsPrim('DT', dateText(v));
  if (v instanceof PSTimeSpan) return new PsPrim('TS', xsdDuration(v.ms));
  if (v instanceof PSEnum) return enumValue(v.typeName, v.name, v.value);
  if (v instanceof PSScriptBlock) return new PsPrim('SBK', v.text);
  if (v instanceof PSTypeRef) return v.fullName;
  if (v instanceof PSErrorRecord) return errorRecord(errorSpec(v));
  if (v instanceof PSException) return new PsObject({ typeNames: exceptionChain(v.typeName), toStringText: `${v.typeName}: ${v.message}`, props: [['Message', v.message]] });
  const known = seen.get(v);
  if (known) return known;
  if (Array.isArray(v)) {
    const typeName = listTypeName(v);
    const o = list([], typeName ? [typeName, 'System.Object'] : undefined);
    seen.set(v, o);
    o.collection!.items.push(...v.map((x) => toClixml(x, depth + 1, seen, codec)));
    return o;
  }
  if (v instanceof PSHashtable) {
    const o = new PsObject({ typeNames: [v.typeName, 'System.Object'], dict: [] });
    seen.set(v, o);
    for (const [k, val] of v.entries()) o.dict!.push([toClixml(k, depth + 1, seen, codec), toClixml(val, depth + 1, seen, codec)]);
    return o;
  }
  if (v instanceof PSObject) {
    const text = v.toStringFn?.();
    if (depth > MAX_DEPTH) return text ?? v.typeNames[0] ?? '';
    const o = new PsObject({ typeNames: v.typeNames, ...(text !== undefined && !v.isCustom ? { toStringText: text } : {}) });
    seen.set(v, o);
    for (const p of v.properties(true)) {
      let val: PSValue;
      try {
        val = propertyValue(p);
      } catch {
        continue;
      }
      (p.kind === 'NoteProperty' ? o.members : o.props).set(p.name, toClixml(val, depth + 1, seen, codec));
    }
    return o;
  }
  return String(v as unknown);
}

// ---- CLIXML → engine values --------------------------------------------------------------------

export function fromClixml(v: PsValue, codec?: SecureStringCodec): PSValue {
  const from = (x: PsValue) => fromClixml(x, codec);
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof PsPrim) {
    switch (v.tag) {
      case 'By':
      case 'SB':
      case 'U16':
      case 'I16':
      case 'U32':
      case 'I64':
      case 'U64':
      case 'Sg':
      case 'Db':
      case 'D':
        return v.text === 'INF' ? Infinity : v.text === '-INF' ? -Infinity : Number(v.text);
      case 'C':
        return String.fromCharCode(Number(v.text));
      case 'Version':
        return PSVersion.parse(v.text) ?? v.text;
      case 'SS': {
        // Decrypted with the session key; without one (or undecryptable) there is no value.
        const text = codec?.decrypt(v.text);
        return text === undefined ? null : secureString(text);
      }
      case 'DT': {
        const ms = Date.parse(v.text);
        return Number.isNaN(ms) ? v.text : new PSDateTime(ms, /Z$/.test(v.text) ? 'Utc' : /[+-]\d\d:\d\d$/.test(v.text) ? 'Local' : 'Unspecified');
      }
      default:
        return v.text;
    }
  }
  if (v.dict) {
    const h = new PSHashtable(v.typeNames?.some((t) => t.endsWith('OrderedDictionary')) ?? false);
    for (const [k, val] of v.dict) h.set(from(k), from(val));
    return h;
  }
  if (v.collection) return v.collection.items.map(from);
  if (v.baseValue !== undefined && v.typeNames?.includes('System.Enum')) {
    const n = typeof v.baseValue === 'number' ? v.baseValue : Number(from(v.baseValue));
    return new PSEnum(v.typeNames[0]?.replace(/^Deserialized\./, '') ?? 'System.Enum', v.toStringText ?? String(n), n);
  }
  // PSCredential is rehydrated (a type the serializer knows, psrp.md §4.2): a live credential again.
  if (v.typeNames?.[0]?.replace(/^Deserialized\./, '') === 'System.Management.Automation.PSCredential') {
    const get = (name: string) => [...v.props, ...v.members].find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    const user = get('UserName');
    const pw = from(get('Password') ?? null);
    if (typeof user === 'string' && isSecureString(pw)) return psCredential([user, pw]);
  }
  const o = new PSObject(v.typeNames ?? ['System.Management.Automation.PSCustomObject', 'System.Object']);
  for (const [k, val] of v.props) o.addProperty({ name: k, value: from(val), kind: 'Property' });
  for (const [k, val] of v.members) o.setNote(k, from(val));
  if (v.toStringText !== undefined) {
    const t = v.toStringText;
    o.toStringFn = () => t;
  }
  return o;
}

// ---- statements → script text (descriptions, and the tests of literals) ---------------------------

const quote = (s: string) => `'${s.replace(/['‘’‚‛]/g, '$&$&')}'`;

/** A PowerShell literal for an argument value; undefined when it has none. */
export function literal(v: PsValue): string | undefined {
  if (v === null) return '$null';
  if (typeof v === 'boolean') return v ? '$true' : '$false';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return quote(v);
  if (v instanceof PsPrim) {
    if (/^(?:By|SB|U16|I16|U32|I64|U64|Sg|Db|D)$/.test(v.tag)) return /^-?[\d.E+]+$/i.test(v.text) ? v.text : undefined;
    if (v.tag === 'Version') return `[version]${quote(v.text)}`;
    if (v.tag === 'DT') return `[datetime]${quote(v.text)}`;
    if (v.tag === 'SBK') return `{${v.text}}`;
    if (v.tag === 'SS') return undefined;
    return quote(v.text);
  }
  if (v.collection) {
    const items = v.collection.items.map(literal);
    return items.every((i) => i !== undefined) ? `@(${items.join(', ')})` : undefined;
  }
  if (v.dict) {
    const parts = v.dict.map(([k, val]) => {
      const lk = literal(k);
      const lv = literal(val);
      return lk === undefined || lv === undefined ? undefined : `${lk} = ${lv}`;
    });
    return parts.every((p) => p !== undefined) ? `@{${parts.join('; ')}}` : undefined;
  }
  if (v.baseValue !== undefined && v.typeNames?.includes('System.Enum')) return v.toStringText !== undefined ? quote(v.toStringText) : literal(v.baseValue);
  const members = [...v.members, ...v.props].map(([k, val]) => {
    const lv = literal(val);
    return lv === undefined ? undefined : `${quote(k)} = ${lv}`;
  });
  if (members.every((m) => m !== undefined) && members.length > 0) return `[pscustomobject]@{${members.join('; ')}}`;
  return v.toStringText !== undefined ? quote(v.toStringText) : undefined;
}

function argumentText(a: PipelineArgument): string {
  const value = literal(a.value);
  if (a.name === undefined) return value ?? '$null';
  // A Nil value on a named argument is a present switch (psrp.md §3.2).
  if (a.value === null) return `-${a.name}`;
  return `-${a.name}:${value ?? '$null'}`;
}

/** One statement as script text: scripts dot-sourced when piped, commands called with `&`. */
export function statementText(statement: readonly PipelineCommand[]): string {
  if (statement.length === 1 && statement[0]!.isScript) return statement[0]!.command;
  return statement
    .map((c) => {
      if (c.isScript) return `. {${c.command}\n}`;
      return [`& ${quote(c.command)}`, ...c.args.map(argumentText)].join(' ');
    })
    .join(' | ');
}

/** A command with its argument objects as engine values; a Nil value on a named argument is a present switch. */
export function boundCommand(c: PipelineCommand, codec?: SecureStringCodec): BoundCommand {
  return {
    command: c.command,
    isScript: c.isScript,
    ...(c.useLocalScope === true ? { useLocalScope: true } : {}),
    // `--%` carries Invoke-Command's $using: values (psrp.md §3.2); $using: is not emulated.
    args: c.args
      .filter((a) => a.name !== '--%')
      .map((a) => {
        if (a.name !== undefined && a.value === null) return { name: a.name, value: null, switchPresent: true };
        if (a.value instanceof PsPrim && a.value.tag === 'SBK') return { name: a.name, value: null, scriptBlock: a.value.text };
        return { name: a.name, value: fromClixml(a.value, codec) };
      }),
  };
}

// ---- the engine -----------------------------------------------------------------------------------


function catalogue(): CommandMetadata[] {
  const out: CommandMetadata[] = CMDLETS.map((c) => ({
    name: c.name,
    commandType: 'Cmdlet' as const,
    namespace: c.module,
    parameters: c.params.map((p) => ({ name: p.name, type: paramTypeName(p), ...(p.aliases ? { aliases: p.aliases } : {}) })),
  }));
  for (const [alias, target] of Object.entries(ALIASES)) {
    const cmd = CMDLETS.find((c) => c.name === target);
    out.push({ name: alias, commandType: 'Alias', namespace: cmd?.module ?? '', resolvedCommandName: target, parameters: [] });
  }
  // Carried out by the PSRP layer (./sandbox-host.ts): Enter-PSSession's probe asks for them (psrp.md §3.4 step 2).
  if (!out.some((c) => c.name === 'Exit-PSSession')) out.push({ name: 'Exit-PSSession', commandType: 'Cmdlet', namespace: 'Microsoft.PowerShell.Core', parameters: [] });
  out.push({ name: 'prompt', commandType: 'Function', namespace: '', parameters: [] });
  return out;
}

class SandboxRunspace implements PsrpRunspace {
  private session: PowerShellSession;
  private current: AbortSignal | undefined;
  /** The session the prompt function was defined in. */
  private promptSession: PowerShellSession | undefined;

  constructor(
    private readonly ps: PowerShellEngine,
    private readonly opts: RunspaceOptions,
    private readonly vfs: Vfs | undefined,
  ) {
    this.session = this.open();
  }

  /** The host's virtual file system from the session's starting location (pypsrp copy/fetch). */
  files(): PsrpFiles | undefined {
    const vfs = this.vfs;
    if (!vfs) return undefined;
    const user = this.opts.host.user.name;
    const profile = `C:\\Users\\${user}`;
    const cwd = `${profile}\\Documents`;
    const env = new Map<string, string>([
      ['USERPROFILE', profile],
      ['HOMEDRIVE', 'C:'],
      ['HOMEPATH', `\\Users\\${user}`],
      ['TEMP', `${profile}\\AppData\\Local\\Temp`],
      ['TMP', `${profile}\\AppData\\Local\\Temp`],
      ['APPDATA', `${profile}\\AppData\\Roaming`],
      ['LOCALAPPDATA', `${profile}\\AppData\\Local`],
      ['USERNAME', user],
      ['COMPUTERNAME', this.opts.host.computerName],
      ['SystemRoot', 'C:\\Windows'],
      ['windir', 'C:\\Windows'],
      ['ProgramData', 'C:\\ProgramData'],
      ['ProgramFiles', 'C:\\Program Files'],
    ]);
    return {
      resolve: (p) => vfs.resolve(cwd, p),
      kind: (path) => vfs.stat(path)?.type,
      read: (path) => vfs.readFile(path),
      write: (path, data) => vfs.writeFile(path, data),
      environment: () => env,
    };
  }

  private open(): PowerShellSession {
    const profile = this.opts.profile;
    return this.ps.openSession({
      host: this.opts.host,
      clock: this.opts.clock,
      sleep: (ms) => this.sleep(this.opts.clock, ms),
      // The endpoint's language mode and visible commands hold inside scripts too (psrp.md §6).
      languageMode: profile.languageMode,
      ...(profile.visibleCommands !== undefined ? { commandVisible: (name: string) => isCommandCallable(profile, name) } : {}),
    });
  }

  /** Start-Sleep on the injected clock, cut short when the running pipeline is stopped. */
  private sleep(clock: Clock, ms: number): Promise<void> {
    const signal = this.current;
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      // Cut short on a stop: the engine ends the invocation at its next step.
      const onAbort = () => {
        timer.cancel();
        resolve();
      };
      const timer = clock.schedule(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private readonly codec = secureStringCodec(
    () => this.opts.sessionKey?.(),
    () => this.opts.plainSecureStrings?.() ?? false,
  );

  /**
   * Make sure a session key exists before a SecureString is read or written (psrp.md §3.6): the
   * pool may make one or ask the client for it with PUBLIC_KEY_REQUEST and wait. A stop ends the
   * wait; a pool that closes first leaves no key (the value is then `$null` / its type name).
   */
  private async ensureKey(purpose: 'encrypt' | 'decrypt', signal: AbortSignal): Promise<void> {
    if (this.opts.plainSecureStrings?.() === true || this.opts.sessionKey?.() !== undefined || !this.opts.secureStringKey) return;
    const k = this.opts.secureStringKey(purpose);
    if (!(k instanceof Promise) || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      k.then(done, done);
    });
  }

  /** A client's value as an engine value, once there is a key for its `<SS>`. */
  private async received(v: PsValue, signal: AbortSignal): Promise<PSValue> {
    if (hasSecureString(v)) await this.ensureKey('decrypt', signal);
    return fromClixml(v, this.codec);
  }

  /** An engine value for the client: when it holds a SecureString and there is no key yet, one is made or asked for first. */
  private async sent(v: PSValue, signal: AbortSignal): Promise<PsValue> {
    let missing = false;
    const probe: SecureStringCodec = {
      encrypt: (text) => {
        const sealed = this.codec.encrypt(text);
        if (sealed === undefined) missing = true;
        return sealed;
      },
      decrypt: (b64) => this.codec.decrypt(b64),
    };
    const first = toClixml(v, 0, new Map(), probe);
    if (!missing || !this.opts.secureStringKey) return first;
    await this.ensureKey('encrypt', signal);
    return toClixml(v, 0, new Map(), this.codec);
  }

  /**
   * One statement: a lone script as text (it runs at top level, as Windows runs AddScript); any
   * other pipeline with its argument objects bound as they are (psrp.md §3.2).
   */
  private run(statement: readonly PipelineCommand[], opts: InvokeOptions): Promise<InvokeResult> {
    const only = statement[0];
    if (statement.length === 1 && only !== undefined && only.isScript && only.args.length === 0 && only.useLocalScope !== true) return this.session.invoke(only.command, opts);
    return this.session.invokeCommands(statement.map((c) => boundCommand(c, this.codec)), opts);
  }

  async invoke(inv: Invocation): Promise<InvocationResult> {
    const input: PSValue[] = [];
    if (inv.input) for await (const v of inv.input) input.push(await this.received(v, inv.signal));
    // `<SS>` arguments need the session key before they are bound.
    if (inv.statements.some((st) => st.some((c) => c.args.some((a) => hasSecureString(a.value))))) await this.ensureKey('decrypt', inv.signal);
    this.current = inv.signal;
    // Windows PowerShell's default prompt function, once per session (psrp.md §3.4 step 3).
    if (this.promptSession !== this.session) {
      this.promptSession = this.session;
      await this.session.invoke(PROMPT_FUNCTION);
    }
    try {
      for (const full of inv.statements) {
        // Exit-PSSession: the PopRunspace host call, then Completed (psrp.md §3.4 step 6).
        if (isExitPSSession(full)) {
          await inv.host?.popRunspace();
          continue;
        }
        // With a client host the Out-Default the client appends renders server-side (§3.4 step 4).
        const { statement, render } = outDefaultOf(full, inv.host, this.opts.clock);
        // An error record is held until the next record: the one that ends the script becomes the
        // pipeline's ExceptionAsErrorRecord and is not also sent as ERROR_RECORD (psrp.md §3.2).
        let pending: PSErrorRecord | undefined;
        const flush = async () => {
          const e = pending;
          pending = undefined;
          if (e && render?.takesErrors) await render.error(e);
          else if (e) await inv.sink.error(errorSpec(e));
        };
        let hostLine = '';
        const r = await this.run(statement, {
          ...(inv.input ? { input } : {}),
          abort: inv.signal,
          // Host calls first send what the script wrote before them (the held error).
          ...(inv.host ? { clientHost: clientHost(inv.host, inv.sink, { fromClixml: (v) => this.received(v, inv.signal), before: flush, clock: this.opts.clock }) } : {}),
          sink: {
            output: async (v) => {
              await flush();
              if (render) await render.output(v);
              else await inv.sink.output(await this.sent(v, inv.signal));
            },
            error: async (e) => {
              await flush();
              pending = e;
            },
            warning: async (m) => {
              await flush();
              await inv.sink.informational('Warning', m);
            },
            verbose: async (m) => {
              await flush();
              await inv.sink.informational('Verbose', m);
            },
            debug: async (m) => {
              await flush();
              await inv.sink.informational('Debug', m);
            },
            information: async (v) => {
              await flush();
              await inv.sink.information({ messageData: await this.sent(v, inv.signal), source: 'Write-Information', tags: [] });
            },
            // Write-Host: each call as it happens, its host call and its PSHOST record (psrp.md §4.8).
            // Out-Host with a client host renders through the session host; without one its
            // lines go nowhere, as into PowerShell's InternalHostUserInterface without an
            // external UI (OutHostCommand writes to Host.UI only) [pwsh:SMA/engine/hostifaces/InternalHostUserInterface.cs Write/WriteLine].
            hostWrite: async (w) => {
              await flush();
              if (w.source === 'Write-Host') await writeHostCall(inv.sink, inv.host, w.text, w.noNewline, { foreground: w.foregroundColor, background: w.backgroundColor });
              else if (inv.host) await inv.host.writeLine(w.text);
            },
            // Other host text (WhatIf messages, Write-Information shown): a PSHOST record per line.
            host: async (text) => {
              await flush();
              hostLine += text;
              const lines = hostLine.split('\n');
              hostLine = lines.pop() ?? '';
              for (const line of lines) await writeHostLine(inv.sink, inv.host, line);
            },
          },
        });
        if (r.stopped || inv.signal.aborted) return { state: 'Completed' };
        if (hostLine !== '') await writeHostLine(inv.sink, inv.host, hostLine, false);
        await render?.end();
        if (r.terminatingError) {
          if (pending !== r.terminatingError) await flush();
          return { state: 'Failed', error: errorSpec(r.terminatingError) };
        }
        await flush();
      }
      return { state: 'Completed' };
    } finally {
      this.current = undefined;
    }
  }

  commands(): readonly CommandMetadata[] {
    return catalogue();
  }

  /** The same PSVersion the engine's own $PSVersionTable shows. */
  psVersionTable(): Partial<PsVersionTable> {
    const v = psVersionFor(this.opts.host.os.version, undefined);
    const os = this.opts.host.os.version.split('.');
    return {
      PSVersion: v.toString(),
      PSCompatibleVersions: ['1.0', '2.0', '3.0', '4.0', '5.0', v.toString()],
      BuildVersion: `${os[0] ?? '10'}.${os[1] ?? '0'}.${v.build}.${v.revision}`,
    };
  }

  reset(): void {
    this.session = this.open();
  }

  close(): void {}
}

/** The emulated Windows PowerShell as the engine of PSRP pipelines; `vfs` enables pypsrp copy/fetch. */
export function sandboxEngine(ps: PowerShellEngine, deps: { readonly vfs?: Vfs } = {}): PsrpEngine {
  return { name: 'sandbox', openRunspace: (opts) => new SandboxRunspace(ps, opts, deps.vfs) };
}
