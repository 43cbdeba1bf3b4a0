// WinRS cmd shells for one host: Create, Command, Send, Receive, Signal, Delete and Get, with
// Winrs quotas and idle timeouts (wsman-protocol.md §4.2–§4.7, §5; winrm-config.md §3.4).
// Sans-I/O: parsed requests in, response bodies out; the clock and ids are injected.
import type { Clock, IdSource, Timer } from '../../core/clock.js';
import type { Host } from '../../hosts/host.js';
import type { CommandBackend, CommandSpec, HostFacts, SignalKind } from '../backend.js';
import type { OperationContext, OperationResponse, ResourceHandlers } from '../../wsman/service.js';
import { WsmanFault } from '../../wsman/faults.js';
import { NS, RESOURCE_URIS } from '../../wsman/ns.js';
import { parseDuration, isTrue } from '../../wsman/envelope.js';
import { attr, child, childrenNamed, textOf } from '../../wsman/xml.js';
import { CommandRun, type CommandLimits, type OutputChunk } from './command.js';
import { shellTransition, type ShellState } from './states.js';
import { shellEnvironment } from './environment.js';
import { isSupportedCodepage } from './codepage.js';
import * as body from './render.js';
import { tick, UserOperations, waitUntil } from '../long-poll.js';

const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const SIGNAL_PREFIX = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/';
/** cmd.exe's command-line limit; longer lines get 0x800700CE (fx masterzen/command_fault_filename_too_long.xml). */
const MAX_COMMAND_LINE = 8191;
/** Windows' effective minimum IdleTimeout (winrm-config.md §3.4, [WSMV <28>]). */
const MIN_IDLE_TIMEOUT_MS = 60_000;

export interface ShellOptions {
  readonly host: Host;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly backend: CommandBackend;
  readonly limits?: Partial<CommandLimits> & { readonly maxShells?: number };
  /** Operations in progress per user, shared with the host's other shells. */
  readonly operations?: UserOperations;
  /** Machine environment variables (sandbox.environment). */
  readonly machineEnvironment?: Readonly<Record<string, string>>;
  readonly userEnvironment?: Readonly<Record<string, string>>;
  /** Notified when a command ends (the sandbox's journal of what ran). */
  readonly onCommandExit?: (shell: Shell, cmd: CommandRun) => void;
}

export class Shell {
  state: ShellState = 'Connected';
  readonly commands = new Map<string, CommandRun>();
  readonly createdAt: number;
  lastActivity: number;
  pendingOperations = 0;
  idleTimer: Timer | undefined;
  lifetimeTimer: Timer | undefined;
  /** Receives waiting on this shell, rejected with 995 if the shell goes away. */
  readonly waiters = new Set<(fault: WsmanFault) => void>();

  constructor(
    readonly id: string,
    readonly owner: string,
    readonly ownerKey: string,
    readonly clientIp: string,
    readonly inputStreams: readonly string[],
    readonly outputStreams: readonly string[],
    readonly requestedEnvironment: ReadonlyArray<readonly [string, string]>,
    readonly environment: ReadonlyMap<string, string>,
    readonly workingDirectory: string | undefined,
    readonly idleTimeoutMs: number,
    readonly codepage: number,
    readonly noProfile: boolean,
    now: number,
  ) {
    this.createdAt = now;
    this.lastActivity = now;
  }

  runningCommands(): number {
    let n = 0;
    for (const c of this.commands.values()) if (c.state === 'Running') n++;
    return n;
  }
}

function isoDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `P${d}DT${h}H${m}M${s}S`;
}

/** `PT7200.000S`: IdleTimeOut echoed with millisecond precision (fx pypsrp/test_winrs_extra_opts). */
function secondsDuration(ms: number): string {
  return `PT${(ms / 1000).toFixed(3)}S`;
}

export class ShellManager {
  private readonly shells = new Map<string, Shell>();
  private readonly limits: CommandLimits;
  private readonly operations: UserOperations;

  constructor(private readonly opts: ShellOptions) {
    this.operations = opts.operations ?? new UserOperations();
    this.limits = {
      maxBufferedOutput: opts.limits?.maxBufferedOutput ?? 1024 * 1024,
      maxQueuedStdin: opts.limits?.maxQueuedStdin ?? 16 * 1024 * 1024,
    };
  }

  get size(): number {
    return this.shells.size;
  }

  all(): Shell[] {
    return [...this.shells.values()];
  }

  /** The WS-Man handlers for the cmd shell resource and the generic shell resource. */
  handlers(): { cmdShell: ResourceHandlers; shell: ResourceHandlers } {
    return {
      cmdShell: {
        Create: (c) => this.create(c),
        Command: (c) => this.operate(c, () => this.command(c)),
        Send: (c) => this.operate(c, () => this.send(c)),
        Receive: (c) => this.operate(c, () => this.receive(c)),
        Signal: (c) => this.operate(c, () => this.signal(c)),
        Delete: (c) => this.delete(c),
      },
      shell: {
        Get: (c) => this.get(c),
      },
    };
  }

  // ---- helpers ------------------------------------------------------------------------------

  private winrs() {
    return this.opts.host.winrm.Winrs;
  }

  private ownerKey(ctx: OperationContext): string {
    return ctx.principal.displayName.toLowerCase();
  }

  /** The shell named by the ShellId selector, owned by the caller; Windows' faults otherwise. */
  private shellFor(ctx: OperationContext): Shell {
    const sel = ctx.req.selectors.get('shellid');
    if (!sel || sel.value === '') throw new WsmanFault('ShellIdRequired');
    const shell = this.shells.get(sel.value.toUpperCase());
    // Another user's shell is reported as not found, so existence does not leak.
    if (!shell || shell.state !== 'Connected' || shell.ownerKey !== this.ownerKey(ctx)) throw new WsmanFault('ShellNotFound', { shellId: sel.value });
    return shell;
  }

  private commandFor(shell: Shell, id: string | undefined): CommandRun {
    const cmd = id ? shell.commands.get(id.trim().toUpperCase()) : undefined;
    if (!cmd) throw new WsmanFault('CommandNotFound');
    return cmd;
  }

  /** Tracks in-flight operations per user (MaxConcurrentOperationsPerUser) and idle time. */
  private async operate(ctx: OperationContext, fn: () => OperationResponse | Promise<OperationResponse>): Promise<OperationResponse> {
    const shell = this.shellFor(ctx);
    return this.operations.run(this.ownerKey(ctx), this.opts.host.winrm.Service.MaxConcurrentOperationsPerUser, async () => {
      shell.pendingOperations++;
      this.touch(shell);
      try {
        return await fn();
      } finally {
        shell.pendingOperations--;
        if (shell.state === 'Connected') this.touch(shell);
      }
    });
  }


  /**
   * Activity moves the idle deadline; the one timer is not re-armed per operation: when it fires
   * before the deadline it waits for the rest (two timer changes per operation cost more than
   * the operation's own shell work, decision 0008).
   */
  private touch(shell: Shell): void {
    shell.lastActivity = this.opts.clock.now();
    shell.idleTimer ??= this.opts.clock.schedule(shell.idleTimeoutMs, () => this.idleExpired(shell));
  }

  private idleExpired(shell: Shell): void {
    shell.idleTimer = undefined;
    if (shell.state !== 'Connected') return;
    // A shell with an operation in progress (a long-poll Receive) is not idle.
    if (shell.pendingOperations > 0) return this.touch(shell);
    const rest = shell.lastActivity + shell.idleTimeoutMs - this.opts.clock.now();
    if (rest > 0) {
      shell.idleTimer = this.opts.clock.schedule(rest, () => this.idleExpired(shell));
      return;
    }
    this.destroy(shell, 'Expire');
  }

  private destroy(shell: Shell, how: 'Delete' | 'Expire'): void {
    shell.state = shellTransition(shell.state, how);
    shell.idleTimer?.cancel();
    shell.lifetimeTimer?.cancel();
    // A Receive still pending when its shell goes away completes with 995 (wsman-protocol.md §4.5).
    for (const w of [...shell.waiters]) w(new WsmanFault('OperationAborted'));
    for (const cmd of shell.commands.values()) if (cmd.state === 'Running') cmd.signal('terminate');
    shell.commands.clear();
    this.shells.delete(shell.id);
  }

  private option(ctx: OperationContext, name: string): string | undefined {
    return ctx.req.options.get(name.toLowerCase())?.value;
  }

  private rejectUnknownMustComply(ctx: OperationContext, known: readonly string[]): void {
    for (const o of ctx.req.options.values()) {
      if (o.mustComply && !known.includes(o.name.toUpperCase())) throw new WsmanFault('InvalidOptions', { option: o.name });
    }
  }

  private hostFacts(ctx: OperationContext): HostFacts {
    const { host } = this.opts;
    const u = ctx.principal.user;
    return {
      computerName: host.computerName,
      machineSid: host.machineSid,
      os: { version: host.os.version, productName: host.os.productName, servicePack: host.os.servicePack },
      user: { name: u.name, rid: u.rid, sid: u.sid, groups: u.groups },
      authPackage: ctx.principal.mechanism === 'Negotiate' ? 'NTLM' : ctx.principal.mechanism,
    };
  }

  // ---- Create -------------------------------------------------------------------------------

  private create(ctx: OperationContext): OperationResponse {
    const winrs = this.winrs();
    if (!winrs.AllowRemoteShellAccess) throw new WsmanFault('RemoteShellsNotAllowed');
    this.rejectUnknownMustComply(ctx, ['WINRS_NOPROFILE', 'WINRS_CODEPAGE', 'WINRS_CONSOLEMODE_STDIN', 'WINRS_SKIP_CMD_SHELL']);
    const shellEl = child(ctx.req.body, NS.rsp, 'Shell');
    if (!shellEl) throw new WsmanFault('SchemaValidationError', { text: "WinRM cannot process the request because the request is missing the element titled 'Shell'. " });

    const ownerKey = this.ownerKey(ctx);
    let mine = 0;
    const users = new Set<string>();
    for (const s of this.shells.values()) {
      users.add(s.ownerKey);
      if (s.ownerKey === ownerKey) mine++;
    }
    if (mine >= winrs.MaxShellsPerUser) throw new WsmanFault('QuotaMaxShells');
    if (!users.has(ownerKey) && users.size >= winrs.MaxConcurrentUsers) throw new WsmanFault('QuotaMaxShellUsers');
    if (this.opts.limits?.maxShells !== undefined && this.shells.size >= this.opts.limits.maxShells) throw new WsmanFault('QuotaMaxShells');

    let id = attr(shellEl, 'ShellId', '')?.trim();
    if (id !== undefined && id !== '') {
      if (!GUID.test(id)) throw new WsmanFault('ShellIdNotGuid');
      id = id.toUpperCase();
      if (this.shells.has(id)) throw new WsmanFault('ShellIdConflict');
    } else id = this.opts.ids.uuid();

    const streams = (name: string, fallback: string) => (textOf(child(shellEl, NS.rsp, name)).trim() || fallback).split(/\s+/);
    const idleText = child(shellEl, NS.rsp, 'IdleTimeOut');
    let idleMs = winrs.IdleTimeout;
    if (idleText) {
      const ms = parseDuration(textOf(idleText));
      // A bare number (pywinrm passes idle_timeout through) is a schema error (issue diyan/pywinrm#377).
      if (ms === undefined) throw new WsmanFault('SchemaValidationError');
      if (ms > 2_147_483_647) throw new WsmanFault('IdleTimeoutOutOfBounds');
      idleMs = ms;
    }
    const lifetimeEl = child(shellEl, NS.rsp, 'Lifetime');
    const lifetimeMs = lifetimeEl ? parseDuration(textOf(lifetimeEl)) : undefined;
    if (lifetimeEl && lifetimeMs === undefined) throw new WsmanFault('SchemaValidationError');

    const codepageText = this.option(ctx, 'WINRS_CODEPAGE');
    const codepage = codepageText === undefined || codepageText === '' ? 437 : Number(codepageText);
    if (!Number.isInteger(codepage) || !isSupportedCodepage(codepage)) throw new WsmanFault('InvalidOptions', { option: `WINRS_CODEPAGE=${codepageText ?? ''}` });
    const noProfile = isTrue(this.option(ctx, 'WINRS_NOPROFILE'));

    const requested = childrenNamed(child(shellEl, NS.rsp, 'Environment'), NS.rsp, 'Variable').map((v) => [attr(v, 'Name', '') ?? '', textOf(v)] as const);
    const wdEl = child(shellEl, NS.rsp, 'WorkingDirectory');
    const workingDirectory = wdEl ? textOf(wdEl).trim() : undefined;
    const now = this.opts.clock.now();
    const shell = new Shell(
      id,
      ctx.principal.user.name,
      ownerKey,
      ctx.clientIp.replace(/^::ffff:/i, ''),
      streams('InputStreams', 'stdin'),
      streams('OutputStreams', 'stdout stderr'),
      requested,
      shellEnvironment({ computerName: this.opts.host.computerName, userName: ctx.principal.user.name, noProfile, requested, ...(this.opts.machineEnvironment ? { machine: this.opts.machineEnvironment } : {}), ...(this.opts.userEnvironment ? { user: this.opts.userEnvironment } : {}) }),
      workingDirectory,
      Math.max(idleMs, MIN_IDLE_TIMEOUT_MS),
      codepage,
      noProfile,
      now,
    );
    this.shells.set(id, shell);
    this.touch(shell);
    if (lifetimeMs !== undefined) shell.lifetimeTimer = this.opts.clock.schedule(lifetimeMs, () => shell.state === 'Connected' && this.destroy(shell, 'Expire'));

    return {
      action: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse',
      namespaces: 'shell',
      body: body.createResponse({
        address: ctx.req.to ?? '',
        resourceUri: RESOURCE_URIS.cmdShell,
        shellId: id,
        owner: shell.owner,
        clientIp: shell.clientIp,
        environment: requested,
        workingDirectory,
        idleTimeOut: secondsDuration(idleMs),
        inputStreams: shell.inputStreams.join(' '),
        outputStreams: shell.outputStreams.join(' '),
        shellRunTime: isoDuration(0),
        shellInactivity: isoDuration(0),
      }),
    };
  }

  // ---- Command ------------------------------------------------------------------------------

  private command(ctx: OperationContext): OperationResponse {
    const shell = this.shellFor(ctx);
    shellTransition(shell.state, 'Command');
    this.rejectUnknownMustComply(ctx, ['WINRS_CONSOLEMODE_STDIN', 'WINRS_SKIP_CMD_SHELL']);
    const line = child(ctx.req.body, NS.rsp, 'CommandLine');
    if (!line) throw new WsmanFault('SchemaValidationError', { text: "WinRM cannot process the request because the request is missing the element titled 'CommandLine'. " });
    let command = textOf(child(line, NS.rsp, 'Command')).trim();
    // The Ruby gem wraps the whole command in double quotes (wsman-protocol.md §2.3).
    if (command.length >= 2 && command.startsWith('"') && command.endsWith('"') && !command.slice(1, -1).includes('"')) command = command.slice(1, -1);
    const args = childrenNamed(line, NS.rsp, 'Arguments').map((a) => textOf(a));
    if (command === '') throw new WsmanFault('InvalidParameter');
    const commandLine = [command, ...args].join(' ');
    if (commandLine.length > MAX_COMMAND_LINE) throw new WsmanFault('FilenameTooLong');
    if (shell.runningCommands() >= this.winrs().MaxProcessesPerShell) throw new WsmanFault('QuotaMaxCommandsPerShell');

    let id = attr(line, 'CommandId', '')?.trim();
    if (id !== undefined && id !== '') {
      if (!GUID.test(id)) throw new WsmanFault('CommandIdNotGuid');
      id = id.toUpperCase();
      if (shell.commands.has(id)) throw new WsmanFault('CommandIdConflict');
    } else id = this.opts.ids.uuid();

    const spec: CommandSpec = {
      shellId: shell.id,
      commandId: id,
      command,
      arguments: args,
      commandLine,
      environment: shell.environment,
      workingDirectory: shell.workingDirectory ?? shell.environment.get('USERPROFILE') ?? 'C:\\Users\\Default',
      codepage: shell.codepage,
      skipCmdShell: isTrue(this.option(ctx, 'WINRS_SKIP_CMD_SHELL')),
      noProfile: shell.noProfile,
      host: this.hostFacts(ctx),
    };
    const program = this.opts.backend.resolve(spec);
    // Without cmd.exe there is no PATH search: 0x80070002 (fx pypsrp/test_winrs_no_cmd_shell).
    if (!program) throw new WsmanFault('FileNotFound');
    const run = new CommandRun(id, spec, this.opts.clock, this.limits, (c) => this.opts.onCommandExit?.(shell, c));
    shell.commands.set(id, run);
    run.start(program);
    return {
      action: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandResponse',
      namespaces: 'shell',
      body: body.commandResponse(id),
    };
  }

  // ---- Send ---------------------------------------------------------------------------------

  private async send(ctx: OperationContext): Promise<OperationResponse> {
    const shell = this.shellFor(ctx);
    const sendEl = child(ctx.req.body, NS.rsp, 'Send');
    if (!sendEl) throw new WsmanFault('SchemaValidationError', { text: "WinRM cannot process the request because the request is missing the element titled 'Send'. " });
    for (const s of childrenNamed(sendEl, NS.rsp, 'Stream')) {
      const name = attr(s, 'Name', '') ?? '';
      if (!shell.inputStreams.includes(name)) throw new WsmanFault('InvalidParameter');
      const cmd = this.commandFor(shell, attr(s, 'CommandId', ''));
      // Base64 may carry line breaks (the Ruby gem's encode64): ignore whitespace.
      const data = Buffer.from(textOf(s).replace(/\s+/g, ''), 'base64');
      const end = isTrue(attr(s, 'End', ''));
      const deadline = this.opts.clock.now() + ctx.req.operationTimeoutMs;
      while (!cmd.sendInput(data, end)) {
        // Input back-pressure: wait for the program to read, within OperationTimeout.
        await waitUntil({ clock: this.opts.clock, deadline, signal: ctx.signal, shellWaiters: shell.waiters, onChange: (f) => cmd.onChange(f), ready: () => cmd.state !== 'Running' || cmd.stdinHasRoom(data.length) });
      }
    }
    return { action: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SendResponse', namespaces: 'shell', body: [body.sendResponse()] };
  }

  // ---- Receive ------------------------------------------------------------------------------

  private async receive(ctx: OperationContext): Promise<OperationResponse> {
    const shell = this.shellFor(ctx);
    const receiveEl = child(ctx.req.body, NS.rsp, 'Receive');
    const desired = child(receiveEl, NS.rsp, 'DesiredStream');
    const commandId = attr(desired, 'CommandId', '');
    // A cmd shell cannot be polled at shell level: 87 (fx pypsrp/test_winrs_fail_poll_process).
    if (!desired || commandId === undefined || commandId.trim() === '') throw new WsmanFault('InvalidParameter');
    const cmd = this.commandFor(shell, commandId);
    if (cmd.doneDelivered || cmd.state === 'Terminated') throw new WsmanFault('CommandNotFound');
    const streams = new Set((textOf(desired).trim() || shell.outputStreams.join(' ')).split(/\s+/).filter((s) => shell.outputStreams.includes(s)));

    const deadline = this.opts.clock.now() + ctx.req.operationTimeoutMs;
    if (!cmd.hasOutput() && cmd.state === 'Running') {
      await waitUntil({ clock: this.opts.clock, deadline, signal: ctx.signal, shellWaiters: shell.waiters, onChange: (f) => cmd.onChange(f), ready: () => cmd.hasOutput() || cmd.state !== 'Running' });
      // Let a burst of writes land in the same response, as Windows returns what is buffered.
      if (cmd.state === 'Running') await tick(this.opts.clock);
    }
    // State may have moved while we waited.
    if (cmd.doneDelivered || (cmd.state as CommandRun['state']) === 'Terminated') throw new WsmanFault('CommandNotFound');

    const budget = ctx.req.maxEnvelopeSize - body.RECEIVE_ENVELOPE_OVERHEAD;
    const chunks: OutputChunk[] = cmd.take(budget - body.DONE_OVERHEAD, body.STREAM_OVERHEAD, streams);
    const done = cmd.state === 'Done' && !cmd.hasOutput();
    if (done) cmd.doneDelivered = true;
    return {
      action: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse',
      namespaces: 'receive',
      body: [body.receiveResponse(cmd.id, chunks, done ? { exitCode: cmd.exitCode ?? 0, endStreams: shell.outputStreams.filter((s) => streams.has(s)) } : undefined)],
    };
  }

  /** Waits until `ready()`, the deadline (TimedOut), the client leaving, or the shell going away. */

  // ---- Signal -------------------------------------------------------------------------------

  private signal(ctx: OperationContext): OperationResponse {
    const shell = this.shellFor(ctx);
    const sig = child(ctx.req.body, NS.rsp, 'Signal');
    const cmd = this.commandFor(shell, attr(sig, 'CommandId', ''));
    const code = textOf(child(sig, NS.rsp, 'Code')).trim();
    const lower = code.toLowerCase();
    const kind: SignalKind | undefined = lower.startsWith(SIGNAL_PREFIX)
      ? ((['terminate', 'ctrl_c', 'ctrl_break'] as const).find((k) => lower === SIGNAL_PREFIX + k) ?? undefined)
      : undefined;
    if (!kind) throw new WsmanFault('InvalidParameter');
    cmd.signal(kind);
    if (kind === 'terminate') shell.commands.delete(cmd.id);
    return { action: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SignalResponse', namespaces: 'shell', body: [body.signalResponse()] };
  }

  // ---- Delete and Get -------------------------------------------------------------------------

  private delete(ctx: OperationContext): OperationResponse {
    const shell = this.shellFor(ctx);
    this.destroy(shell, 'Delete');
    return { action: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse', namespaces: 'delete', body: [] };
  }

  private get(ctx: OperationContext): OperationResponse {
    const sel = ctx.req.selectors.get('shellid');
    const shell = sel ? this.shells.get(sel.value.toUpperCase()) : undefined;
    if (!shell || shell.ownerKey !== this.ownerKey(ctx)) throw new WsmanFault('ShellNotFoundGet');
    const xml = this.shellXml(shell, this.opts.clock.now());
    this.touch(shell);
    return { action: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse', namespaces: 'get', body: [xml] };
  }

  /** The caller's cmd shells as `rsp:Shell` items (Enumerate of the generic shell resource). */
  shellItems(ctx: OperationContext): string[] {
    const now = this.opts.clock.now();
    return [...this.shells.values()].filter((s) => s.ownerKey === this.ownerKey(ctx)).map((shell) => this.shellXml(shell, now));
  }

  /** A shell's `rsp:Shell` element as Get and Enumerate show it (times as of `now`). */
  private shellXml(shell: Shell, now: number): string {
    return body.shellElement({
      shellId: shell.id,
      resourceUri: RESOURCE_URIS.cmdShell,
      owner: shell.owner,
      clientIp: shell.clientIp,
      environment: shell.requestedEnvironment,
      workingDirectory: shell.workingDirectory,
      idleTimeOut: secondsDuration(shell.idleTimeoutMs),
      inputStreams: shell.inputStreams.join(' '),
      outputStreams: shell.outputStreams.join(' '),
      shellRunTime: isoDuration(now - shell.createdAt),
      shellInactivity: isoDuration(now - shell.lastActivity),
    });
  }

  /** Close everything (emulator shutdown). */
  closeAll(): void {
    for (const s of [...this.shells.values()]) this.destroy(s, 'Delete');
  }
}

