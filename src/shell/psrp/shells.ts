// PowerShell Remoting over WS-Man (psrp.md §1): one WS-Man shell per runspace pool, one command
// per pipeline, on the resource http://schemas.microsoft.com/powershell/<configuration>. Create,
// Command, Send, Receive (long poll), Signal, Delete, Disconnect, Reconnect, Connect; and Get and
// Enumerate on the generic shell resource. Sans-I/O: parsed requests in, response bodies out.
import { randomBytes } from 'node:crypto';
import type { Clock, IdSource, Timer } from '../../core/clock.js';
import type { Host } from '../../hosts/host.js';
import type { HostFacts } from '../backend.js';
import type { OperationContext, OperationResponse, ResourceHandlers } from '../../wsman/service.js';
import { WsmanFault } from '../../wsman/faults.js';
import { NS, RESOURCE_URIS } from '../../wsman/ns.js';
import { parseDuration } from '../../wsman/envelope.js';
import { attr, child, childElements, childrenNamed, textOf, type XmlElement } from '../../wsman/xml.js';
import type { PsrpEngine } from './engine.js';
import { endpointProfile } from './jea.js';
import { PsrpProtocolError, RunspacePool, SERIALIZATION_VERSION, type MessageQueue, type Pipeline } from './pool.js';
import type { PsVersionTable } from './records.js';
import * as body from './render.js';
import { tick, UserOperations, waitUntil } from '../long-poll.js';
import { PsrpIllegalTransition } from './states.js';

const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const PS_NS = 'http://schemas.microsoft.com/powershell';
const SHELL_SIGNAL = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/';
const COMMAND_RESOURCE = `${RESOURCE_URIS.shell}/Command`;
const SELECTOR_FILTER = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter';
/** Windows' effective minimum IdleTimeout (winrm-config.md §3.4). */
const MIN_IDLE_TIMEOUT_MS = 60_000;
/** rsp:MaxIdleTimeOut as Windows reports it (fixtures). */
const MAX_IDLE_TIMEOUT = 'PT2147483.647S';

export interface PsrpShellOptions {
  /** Operations in progress per user, shared with the host's cmd shells. */
  readonly operations?: UserOperations;
  readonly host: Host;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly engine: PsrpEngine;
  readonly random?: (n: number) => Buffer;
  /** Queued output per pipeline above which its engine waits (default 1 MiB). */
  readonly maxBufferedOutput?: number;
  /** $PSVersionTable to advertise; the default looks like Windows PowerShell 5.1 on the host's OS. */
  readonly psVersionTable?: (host: Host, protocolVersion: string) => PsVersionTable;
  /** Notified when a pipeline ends (journal of what ran, logs). */
  readonly onPipelineEnd?: (shell: PsrpShell, pipeline: Pipeline) => void;
}

/** Windows PowerShell 5.1 on the host's build (fixture test_psrp_open_runspace.yml #1); revision 1 unless given. */
export function defaultPsVersionTable(host: Host, protocolVersion: string, revision = 1): PsVersionTable {
  const build = host.os.version.split('.')[2] ?? '17763';
  const ps = `5.1.${build}.${revision}`;
  return {
    PSVersion: ps,
    PSEdition: 'Desktop',
    PSCompatibleVersions: ['1.0', '2.0', '3.0', '4.0', '5.0', ps],
    CLRVersion: '4.0.30319.42000',
    BuildVersion: `${host.os.version}.${revision}`,
    WSManStackVersion: host.os.stackVersion,
    PSRemotingProtocolVersion: protocolVersion,
    SerializationVersion: SERIALIZATION_VERSION,
  };
}

function isoDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  return `P${Math.floor(total / 86400)}DT${Math.floor((total % 86400) / 3600)}H${Math.floor((total % 3600) / 60)}M${total % 60}S`;
}

function secondsDuration(ms: number): string {
  return `PT${(ms / 1000).toFixed(3)}S`;
}

export class PsrpShell {
  readonly createdAt: number;
  lastActivity: number;
  pendingOperations = 0;
  timer: Timer | undefined;
  /** Idle time a disconnected shell survives (Disconnect's rsp:IdleTimeOut, else the shell's). */
  disconnectedTimeoutMs: number;
  /** Receives waiting on this shell, failed with 995 when it is disconnected or deleted. */
  readonly waiters = new Set<(fault: WsmanFault) => void>();

  constructor(
    readonly id: string,
    readonly resourceUri: string,
    readonly owner: string,
    readonly ownerKey: string,
    readonly clientIp: string,
    readonly processId: number,
    readonly idleTimeoutMs: number,
    readonly locale: string,
    readonly dataLocale: string,
    readonly pool: RunspacePool,
    now: number,
  ) {
    this.createdAt = now;
    this.lastActivity = now;
    this.disconnectedTimeoutMs = idleTimeoutMs;
  }

  get key(): string {
    return this.id.toUpperCase();
  }

  get wsmanState(): 'Connected' | 'Disconnected' {
    return this.pool.state === 'Disconnected' ? 'Disconnected' : 'Connected';
  }

  fields(now: number, extra: boolean): body.PsrpShellFields {
    return {
      shellId: this.id,
      resourceUri: this.resourceUri,
      owner: this.owner,
      clientIp: this.clientIp,
      processId: this.processId,
      idleTimeOut: secondsDuration(this.idleTimeoutMs),
      inputStreams: 'stdin pr',
      outputStreams: 'stdout',
      maxIdleTimeOut: MAX_IDLE_TIMEOUT,
      locale: this.locale,
      dataLocale: this.dataLocale,
      state: this.wsmanState,
      shellRunTime: isoDuration(now - this.createdAt),
      shellInactivity: isoDuration(now - this.lastActivity),
      ...(extra ? { memoryUsed: `${40 + (this.processId % 20)}MB`, childProcesses: 0 } : {}),
    };
  }
}

export class PsrpShellManager {
  private readonly shells = new Map<string, PsrpShell>();
  private readonly operations: UserOperations;
  private nextProcessId = 1868;

  constructor(private readonly opts: PsrpShellOptions) {
    this.operations = opts.operations ?? new UserOperations();
  }

  get size(): number {
    return this.shells.size;
  }

  all(): PsrpShell[] {
    return [...this.shells.values()];
  }

  /** Handlers for the `powershell` resource kind. */
  handlers(): ResourceHandlers {
    return {
      Create: (c) => this.guard(() => this.create(c)),
      Command: (c) => this.operate(c, () => this.command(c)),
      Send: (c) => this.operate(c, () => this.send(c)),
      Receive: (c) => this.operate(c, () => this.receive(c)),
      Signal: (c) => this.operate(c, () => this.signal(c)),
      Delete: (c) => this.guard(() => this.delete(c)),
      Disconnect: (c) => this.guard(() => this.disconnect(c)),
      Reconnect: (c) => this.guard(() => this.reconnect(c)),
      Connect: (c) => this.guard(() => this.connect(c)),
    };
  }

  /**
   * Handlers for the generic shell resource: Get and Enumerate answer for PowerShell shells and
   * hand anything else (a cmd shell's Get) to `fallback`.
   */
  shellResource(fallback: ResourceHandlers = {}, otherShells: (ctx: OperationContext) => string[] = () => []): ResourceHandlers {
    this.otherShells = otherShells;
    return {
      ...fallback,
      Get: (c) => {
        const sel = c.req.selectors.get('shellid');
        const shell = sel ? this.shells.get(sel.value.toUpperCase()) : undefined;
        if (shell && shell.ownerKey === this.ownerKey(c)) return this.get(c, shell);
        if (fallback.Get) return fallback.Get(c);
        throw new WsmanFault('ShellNotFoundGet');
      },
      Enumerate: (c) => this.enumerate(c),
    };
  }

  // ---- helpers ------------------------------------------------------------------------------

  private ownerKey(ctx: OperationContext): string {
    return ctx.principal.displayName.toLowerCase();
  }

  /** State-machine and protocol errors raised by the core become faults here. */
  private async guard<T>(fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof PsrpProtocolError) throw new WsmanFault('PsrpInvalidData', { why: e.message });
      if (e instanceof PsrpIllegalTransition) throw new WsmanFault('PsrpInvalidData', { why: e.message });
      throw e;
    }
  }

  private find(ctx: OperationContext): PsrpShell {
    const sel = ctx.req.selectors.get('shellid');
    if (!sel || sel.value === '') throw new WsmanFault('ShellIdRequired');
    const shell = this.shells.get(sel.value.toUpperCase());
    // Another user's shell is reported as not found, so existence does not leak.
    if (!shell || shell.ownerKey !== this.ownerKey(ctx)) throw new WsmanFault('ShellNotFound', { shellId: sel.value });
    return shell;
  }

  /** A connected shell of the caller (Command, Send, Receive, Signal). */
  private shellFor(ctx: OperationContext): PsrpShell {
    const shell = this.find(ctx);
    if (shell.pool.state === 'Disconnected') throw new WsmanFault('ShellDisconnected');
    return shell;
  }

  private pipelineFor(shell: PsrpShell, id: string | undefined): Pipeline {
    const p = id !== undefined && id.trim() !== '' ? shell.pool.pipelines.get(id.trim().toUpperCase()) : undefined;
    if (!p) throw new WsmanFault('CommandNotFound');
    return p;
  }

  /** MaxConcurrentOperationsPerUser and the idle clock, as for cmd shells. */
  private async operate(ctx: OperationContext, fn: () => OperationResponse | Promise<OperationResponse>): Promise<OperationResponse> {
    const shell = this.shellFor(ctx);
    return this.operations.run(this.ownerKey(ctx), this.opts.host.winrm.Service.MaxConcurrentOperationsPerUser, async () => {
      shell.pendingOperations++;
      this.touch(shell);
      try {
        return await this.guard(fn);
      } finally {
        shell.pendingOperations--;
        if (this.shells.has(shell.key)) this.touch(shell);
      }
    });
  }


  private touch(shell: PsrpShell): void {
    shell.lastActivity = this.opts.clock.now();
    this.arm(shell, shell.idleTimeoutMs);
  }

  private arm(shell: PsrpShell, ms: number): void {
    shell.timer?.cancel();
    shell.timer = this.opts.clock.schedule(ms, () => this.expire(shell));
  }

  /**
   * IdleTimeOut elapsed. A PowerShell shell is disconnected rather than deleted (recorded:
   * test_psrp_is_alive_state_disconnected.yml, State Disconnected after PT60S idle); a
   * disconnected shell goes away after its disconnected idle time.
   */
  private expire(shell: PsrpShell): void {
    if (!this.shells.has(shell.key)) return;
    if (shell.pendingOperations > 0) return this.arm(shell, shell.idleTimeoutMs);
    if (shell.pool.state === 'Disconnected' || shell.pool.state === 'Opening' || shell.pool.state === 'Broken') return this.destroy(shell);
    shell.pool.transition('Expire');
    this.abortWaiters(shell);
    this.arm(shell, shell.disconnectedTimeoutMs);
  }

  private abortWaiters(shell: PsrpShell): void {
    for (const w of [...shell.waiters]) w(new WsmanFault('OperationAborted'));
  }

  private destroy(shell: PsrpShell): void {
    shell.timer?.cancel();
    this.abortWaiters(shell);
    if (shell.pool.state !== 'Closed') shell.pool.close();
    this.shells.delete(shell.key);
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

  private psrpPayload(el: XmlElement | undefined, local: string): Buffer | undefined {
    if (!el) return undefined;
    const payload = childElements(el).find((c) => c.local === local && (c.ns === PS_NS || c.ns === ''));
    return payload ? Buffer.from(textOf(payload).replace(/\s+/g, ''), 'base64') : undefined;
  }

  // ---- Create -------------------------------------------------------------------------------

  private create(ctx: OperationContext): OperationResponse {
    const { host } = this.opts;
    const winrs = host.winrm.Winrs;
    if (!winrs.AllowRemoteShellAccess) throw new WsmanFault('RemoteShellsNotAllowed');
    // The PowerShell plugin needs protocolversion and refuses MustComply PS_* options (psrp.md §1.3).
    let hasProtocol = false;
    for (const o of ctx.req.options.values()) {
      if (o.name.toLowerCase() === 'protocolversion') hasProtocol = true;
      else if (o.mustComply && o.name.toUpperCase().startsWith('PS_')) throw new WsmanFault('PsrpOptionNotUnderstood', { option: o.name });
    }
    if (!hasProtocol) throw new WsmanFault('PsrpProtocolVersionRequired');
    const shellEl = child(ctx.req.body, NS.rsp, 'Shell');
    if (!shellEl) throw new WsmanFault('SchemaValidationError', { text: "WinRM cannot process the request because the request is missing the element titled 'Shell'. " });

    const ownerKey = this.ownerKey(ctx);
    const mine = [...this.shells.values()].filter((s) => s.ownerKey === ownerKey).length;
    if (mine >= winrs.MaxShellsPerUser) throw new WsmanFault('QuotaMaxShells');

    let id = attr(shellEl, 'ShellId', '')?.trim();
    if (id !== undefined && id !== '') {
      if (!GUID.test(id)) throw new WsmanFault('ShellIdNotGuid');
      // Kept as the client sent it: "wsman is case sensitive wrt shellId" (psrp.md §1.3).
      if (this.shells.has(id.toUpperCase())) throw new WsmanFault('ShellIdConflict');
    } else id = this.opts.ids.uuid();

    let idleMs = winrs.IdleTimeout;
    const idleEl = child(shellEl, NS.rsp, 'IdleTimeOut');
    if (idleEl) {
      const ms = parseDuration(textOf(idleEl));
      if (ms === undefined) throw new WsmanFault('SchemaValidationError');
      if (ms > 2_147_483_647) throw new WsmanFault('IdleTimeoutOutOfBounds');
      idleMs = ms;
    }
    const creation = this.psrpPayload(shellEl, 'creationXml');
    if (!creation) throw new WsmanFault('SchemaValidationError', { text: "WinRM cannot process the request because the request is missing the element titled 'creationXml'. " });

    const sc = host.sessionConfigurations.find((c) => c.name.toLowerCase() === (ctx.resource.configurationName ?? '').toLowerCase());
    if (!sc) throw new WsmanFault('ResourceNotInCatalog', { uri: ctx.req.resourceUri ?? '' });
    const facts = this.hostFacts(ctx);
    const processId = this.nextProcessId;
    this.nextProcessId += 4;
    const pool = new RunspacePool({
      clock: this.opts.clock,
      engine: this.opts.engine,
      host: facts,
      profile: endpointProfile(sc, { name: facts.user.name, groups: facts.user.groups, computerName: host.computerName }),
      psVersionTable: (v) => (this.opts.psVersionTable ?? defaultPsVersionTable)(host, v),
      random: this.opts.random ?? randomBytes,
      maxBufferedOutput: this.opts.maxBufferedOutput ?? 1024 * 1024,
      processId,
      onPipelineEnd: (_pool, p) => {
        const s = this.shells.get(id.toUpperCase());
        if (s) this.opts.onPipelineEnd?.(s, p);
      },
    });
    pool.receive(creation);
    const now = this.opts.clock.now();
    const resourceUri = ctx.req.resourceUri ?? `${RESOURCE_URIS.powershellPrefix}${sc.name}`;
    const shell = new PsrpShell(
      id,
      resourceUri,
      ctx.principal.user.name,
      ownerKey,
      ctx.clientIp.replace(/^::ffff:/i, ''),
      processId,
      Math.max(idleMs, MIN_IDLE_TIMEOUT_MS),
      ctx.req.locale ?? 'en-US',
      ctx.req.dataLocale ?? ctx.req.locale ?? 'en-US',
      pool,
      now,
    );
    this.shells.set(shell.key, shell);
    this.touch(shell);
    const fields = shell.fields(now, false);
    return {
      action: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse',
      namespaces: 'shell',
      // The requested IdleTimeOut is echoed (PT60.000S in test_psrp_is_alive_state_disconnected.yml).
      body: body.createResponse({ ...fields, idleTimeOut: secondsDuration(idleMs), address: ctx.req.to ?? '' }),
    };
  }

  // ---- Command ------------------------------------------------------------------------------

  private command(ctx: OperationContext): OperationResponse {
    const shell = this.shellFor(ctx);
    const line = child(ctx.req.body, NS.rsp, 'CommandLine');
    if (!line) throw new WsmanFault('SchemaValidationError', { text: "WinRM cannot process the request because the request is missing the element titled 'CommandLine'. " });
    // rsp:Command is meaningless for PowerShell (empty, or the first characters of the script).
    const args = childrenNamed(line, NS.rsp, 'Arguments');
    if (args.length === 0) throw new WsmanFault('InvalidParameter');
    if (shell.pool.runningPipelines() >= this.opts.host.winrm.Winrs.MaxProcessesPerShell) throw new WsmanFault('QuotaMaxCommandsPerShell');
    let id = attr(line, 'CommandId', '')?.trim();
    if (id !== undefined && id !== '') {
      if (!GUID.test(id)) throw new WsmanFault('CommandIdNotGuid');
      if (shell.pool.pipelines.has(id.toUpperCase())) throw new WsmanFault('CommandIdConflict');
    } else id = this.opts.ids.uuid();
    const data = Buffer.concat(args.map((a) => Buffer.from(textOf(a).replace(/\s+/g, ''), 'base64')));
    shell.pool.createPipeline(id, data);
    return {
      action: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandResponse',
      namespaces: 'shell',
      body: [{ name: 'rsp:CommandResponse', children: [{ name: 'rsp:CommandId', children: [id] }] }],
    };
  }

  // ---- Send ---------------------------------------------------------------------------------

  private send(ctx: OperationContext): OperationResponse {
    const shell = this.shellFor(ctx);
    const sendEl = child(ctx.req.body, NS.rsp, 'Send');
    if (!sendEl) throw new WsmanFault('SchemaValidationError', { text: "WinRM cannot process the request because the request is missing the element titled 'Send'. " });
    for (const s of childrenNamed(sendEl, NS.rsp, 'Stream')) {
      const name = attr(s, 'Name', '') ?? '';
      if (name !== 'stdin' && name !== 'pr') throw new WsmanFault('InvalidParameter');
      const commandId = attr(s, 'CommandId', '');
      const pipeline = commandId !== undefined && commandId.trim() !== '' ? this.pipelineFor(shell, commandId) : undefined;
      const data = Buffer.from(textOf(s).replace(/\s+/g, ''), 'base64');
      if (data.length > 0) shell.pool.receive(data, pipeline);
    }
    return { action: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SendResponse', namespaces: 'shell', body: [{ name: 'rsp:SendResponse', selfClose: true }] };
  }

  // ---- Receive ------------------------------------------------------------------------------

  private async receive(ctx: OperationContext): Promise<OperationResponse> {
    const shell = this.shellFor(ctx);
    const desired = child(child(ctx.req.body, NS.rsp, 'Receive'), NS.rsp, 'DesiredStream');
    const commandId = attr(desired, 'CommandId', '')?.trim() || undefined;
    const pipeline = commandId !== undefined ? this.pipelineFor(shell, commandId) : undefined;
    if (pipeline && (pipeline.doneDelivered || pipeline.state === 'Closed')) throw new WsmanFault('CommandNotFound');
    const queue: MessageQueue = pipeline ? pipeline.out : shell.pool.out;
    const deadline = this.opts.clock.now() + ctx.req.operationTimeoutMs;
    if (queue.isEmpty) {
      await waitUntil({ clock: this.opts.clock, deadline, signal: ctx.signal, shellWaiters: shell.waiters, onChange: (f) => queue.onChange(f), ready: () => !queue.isEmpty });
      // Let a burst of messages land in the same response, as Windows packs what is queued.
      await tick(this.opts.clock);
    }
    if (pipeline && (pipeline.doneDelivered || (pipeline.state as string) === 'Closed')) throw new WsmanFault('CommandNotFound');
    const budget = ctx.req.maxEnvelopeSize - body.RECEIVE_ENVELOPE_OVERHEAD - (pipeline ? body.DONE_OVERHEAD : 0);
    const taken = queue.take(budget, shell.pool.nextObjectId);
    const done = pipeline !== undefined && taken.finished;
    if (pipeline && done) pipeline.doneDelivered = true;
    const pending = pipeline !== undefined && !done && taken.fragments.length > 0 && pipeline.awaitingHost;
    return {
      action: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse',
      namespaces: 'receive',
      body: [body.receiveResponse(pipeline ? commandId : undefined, taken.fragments, done, pending)],
    };
  }


  // ---- Signal -------------------------------------------------------------------------------

  private signal(ctx: OperationContext): OperationResponse {
    const shell = this.shellFor(ctx);
    const sig = child(ctx.req.body, NS.rsp, 'Signal');
    const pipeline = this.pipelineFor(shell, attr(sig, 'CommandId', ''));
    const code = textOf(child(sig, NS.rsp, 'Code')).trim().toLowerCase();
    // crtl_c (sic) is PowerShell's own code; pypsrp sends ctrl_c; both stop (psrp.md §1.7).
    if (code === 'powershell/signal/crtl_c' || code === 'powershell/signal/ctrl_c' || code === `${SHELL_SIGNAL}ctrl_c` || code === `${SHELL_SIGNAL}ctrl_break`) {
      pipeline.stop();
    } else if (code === `${SHELL_SIGNAL}terminate`) {
      if (pipeline.state !== 'Closed') pipeline.terminate();
      shell.pool.pipelines.delete(pipeline.id.toUpperCase());
    } else {
      throw new WsmanFault('InvalidParameter');
    }
    return { action: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SignalResponse', namespaces: 'shell', body: [{ name: 'rsp:SignalResponse', selfClose: true }] };
  }

  // ---- Delete, Disconnect, Reconnect, Connect -------------------------------------------------

  private delete(ctx: OperationContext): OperationResponse {
    const shell = this.find(ctx);
    this.destroy(shell);
    return { action: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse', namespaces: 'delete', body: [] };
  }

  private disconnect(ctx: OperationContext): OperationResponse {
    const shell = this.find(ctx);
    if (shell.pool.state !== 'Opened') throw new WsmanFault('DisconnectNotValid');
    const idle = child(child(ctx.req.body, NS.rsp, 'Disconnect'), NS.rsp, 'IdleTimeOut');
    if (idle) {
      const ms = parseDuration(textOf(idle));
      if (ms === undefined) throw new WsmanFault('SchemaValidationError');
      shell.disconnectedTimeoutMs = Math.max(ms, MIN_IDLE_TIMEOUT_MS);
    }
    shell.pool.transition('Disconnect');
    this.abortWaiters(shell);
    shell.lastActivity = this.opts.clock.now();
    this.arm(shell, shell.disconnectedTimeoutMs);
    return { action: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/DisconnectResponse', namespaces: 'delete', body: [] };
  }

  private reconnect(ctx: OperationContext): OperationResponse {
    const shell = this.find(ctx);
    if (shell.pool.state !== 'Disconnected' && shell.pool.state !== 'Opened') throw new WsmanFault('ReconnectNotValid');
    shell.pool.transition('Reconnect');
    this.touch(shell);
    return { action: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReconnectResponse', namespaces: 'delete', body: [] };
  }

  private connect(ctx: OperationContext): OperationResponse {
    const shell = this.find(ctx);
    const connectEl = child(ctx.req.body, NS.rsp, 'Connect');
    if (!connectEl) throw new WsmanFault('SchemaValidationError', { text: "WinRM cannot process the request because the request is missing the element titled 'Connect'. " });
    const commandId = attr(connectEl, 'CommandId', '');
    if (commandId !== undefined && commandId.trim() !== '') {
      // Command-level connect: the next Receive returns what was buffered (psrp.md §1.9).
      if (shell.pool.state === 'Disconnected') throw new WsmanFault('ShellDisconnected');
      this.pipelineFor(shell, commandId);
      this.touch(shell);
      return { action: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ConnectResponse', namespaces: 'shell', body: [{ name: 'rsp:ConnectResponse', selfClose: true }] };
    }
    if (shell.pool.state !== 'Disconnected') throw new WsmanFault('ReconnectNotValid');
    const data = this.psrpPayload(connectEl, 'connectXml');
    if (!data) throw new WsmanFault('SchemaValidationError', { text: "WinRM cannot process the request because the request is missing the element titled 'connectXml'. " });
    const reply = shell.pool.connect(data);
    this.touch(shell);
    return { action: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ConnectResponse', namespaces: 'shell', body: [body.connectResponse('stdin pr', 'stdout', reply)] };
  }

  // ---- Get and Enumerate on the generic shell resource ----------------------------------------

  private get(_ctx: OperationContext, shell: PsrpShell): OperationResponse {
    return {
      action: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse',
      namespaces: 'get',
      body: [body.psrpShellElement(shell.fields(this.opts.clock.now(), true))],
    };
  }

  /** Shells of the caller, or the commands of one shell (SelectorFilter) (psrp.md §1.1). */
  private otherShells: (ctx: OperationContext) => string[] = () => [];

  private enumerate(ctx: OperationContext): OperationResponse {
    const now = this.opts.clock.now();
    const mine = [...this.shells.values()].filter((s) => s.ownerKey === this.ownerKey(ctx));
    let items: string[];
    if (ctx.resource.uri.toLowerCase() === COMMAND_RESOURCE.toLowerCase()) {
      const enumEl = child(ctx.req.body, NS.n, 'Enumerate');
      const filter = child(enumEl, NS.w, 'Filter');
      let shellId: string | undefined;
      if (filter && (attr(filter, 'Dialect', '') ?? SELECTOR_FILTER) === SELECTOR_FILTER) {
        for (const s of childrenNamed(child(filter, NS.w, 'SelectorSet'), NS.w, 'Selector')) if ((attr(s, 'Name', '') ?? '').toLowerCase() === 'shellid') shellId = textOf(s).trim();
      }
      shellId ??= ctx.req.selectors.get('shellid')?.value;
      if (shellId === undefined || shellId === '') throw new WsmanFault('EnumerateCommandsFilterExpected');
      const shell = mine.find((s) => s.key === shellId.toUpperCase());
      items = shell ? [...shell.pool.pipelines.values()].filter((p) => !p.doneDelivered && p.state !== 'Closed').map((p) => body.commandItem(p.id)) : [];
    } else {
      // `winrm enumerate shell` lists the caller's cmd shells too.
      items = [...this.otherShells(ctx), ...mine.map((s) => body.psrpShellElement(s.fields(now, true)))];
    }
    return { action: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/EnumerateResponse', namespaces: 'enumerate', body: [body.enumerateResponse(items)] };
  }

  /** Close everything (emulator shutdown). */
  closeAll(): void {
    for (const s of [...this.shells.values()]) this.destroy(s);
  }
}
