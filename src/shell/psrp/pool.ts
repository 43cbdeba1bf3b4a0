// The PSRP core of one runspace pool and its pipelines (psrp.md §3), without WS-Man: client
// fragments in, queued server messages out. The WS-Man layer (shells.ts) routes by ShellId and
// CommandId, echoes the RPID/PID bytes it received (§1.3 trap), and fragments queued messages
// into each Receive within its envelope, with one ObjectId counter per pool (§2.1).
import { constants as cryptoConstants, createPublicKey, publicEncrypt } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { HostFacts } from '../backend.js';
import { ClixmlError, PsObject, deserialize, deserializeObject, serialize, type PsValue } from './clixml.js';
import { InputQueue, isCommandVisible, wildcardMatch, type EndpointProfile, type InvocationHost, type InvocationResult, type InvocationSink, type PsrpEngine, type PsrpRunspace } from './engine.js';
import {
  Defragmenter,
  Destination,
  FRAGMENT_HEADER,
  MAX_FRAGMENT,
  MessageType,
  PsrpCodecError,
  ZERO_GUID,
  decodeMessage,
  encodeFragment,
  encodeMessage,
  messageTypeName,
  parseFragments,
  type PsrpMessage,
} from './messages.js';
import {
  CommandTypes,
  Errors,
  NULL_HOST,
  PipelineStateValue,
  ResultType,
  RunspacePoolStateValue,
  applicationPrivateData,
  commandMetadataCount,
  commandMetadataObject,
  encryptedSessionKeyData,
  errorRecord,
  informationRecord,
  informationalRecord,
  parseCallId,
  parseCreatePipeline,
  parseGetCommandMetadata,
  parseInitRunspacePool,
  parseSessionCapability,
  pipelineStateData,
  progressRecordData,
  runspaceAvailabilityData,
  runspacePoolInitData,
  runspacePoolStateData,
  sessionCapabilityData,
  type CreatePipeline,
  type ErrorRecordSpec,
  type GetCommandMetadata,
  type HostInfo,
  type PipelineCommand,
  type PsVersionTable,
  type SessionCapability,
} from './records.js';
import { isCommandCallable } from './jea.js';
import { HostCallAborted, HostCallChannel, hostTarget, invocationHost, parseHostResponse } from './host.js';
import { runTransfer, transferScript } from './transfer.js';
import { pipelineAllows, pipelineTransition, poolTransition, type PipelineAction, type PipelineState, type PoolAction, type PoolState } from './states.js';

/** Protocol versions we answer with the client's own (psrp.md §2.4); older clients get 2.3. */
const SUPPORTED_PROTOCOLS = new Set(['2.2', '2.3', '2.4']);
export const SERVER_PROTOCOL = '2.3';
/** Exactly these, or PowerShell's client reports "negotiation failed" (§2.4). */
export const PS_VERSION = '2.0';
export const SERIALIZATION_VERSION = '1.1.0.1';

// ---- outgoing message queue ---------------------------------------------------------------------

interface QueuedMessage {
  readonly bytes: Buffer;
  readonly type: number;
  /** The pipeline's terminal PIPELINE_STATE: CommandState Done goes with its last fragment. */
  readonly final: boolean;
  objectId: number | undefined;
  nextFragment: number;
  offset: number;
}

export interface TakenFragments {
  /** Each fragment for its own `<rsp:Stream>` element, as Windows sends them. */
  readonly fragments: Buffer[];
  /** The final message has been delivered completely. */
  readonly finished: boolean;
}

/** Bytes of one `<rsp:Stream Name="stdout" CommandId="…"></rsp:Stream>` wrapper, rounded up. */
export const STREAM_OVERHEAD = 100;

/**
 * Messages waiting for a Receive. Fragmentation happens at delivery: a message that does not fit
 * the rest of the envelope is split, its first fragments now and the rest in the next Receive;
 * fragments of one message are never interleaved with another's (§2.1).
 */
export class MessageQueue {
  private readonly items: QueuedMessage[] = [];
  private queuedBytes = 0;
  private readonly listeners = new Set<() => void>();
  private readonly drainWaiters: Array<{ limit: number; resolve: () => void }> = [];

  push(bytes: Buffer, type: number, final = false): void {
    this.items.push({ bytes, type, final, objectId: undefined, nextFragment: 0, offset: 0 });
    this.queuedBytes += bytes.length;
    this.notify();
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  get isEmpty(): boolean {
    return this.items.length === 0;
  }

  /** Types of the queued messages (diagnostics and tests). */
  types(): string[] {
    return this.items.map((m) => messageTypeName(m.type));
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolves once fewer than `limit` bytes are queued (output back-pressure). */
  waitBelow(limit: number): Promise<void> {
    if (this.queuedBytes < limit) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ limit, resolve }));
  }

  /** Release every waiter (the pipeline ended; writes are dropped from now on). */
  releaseAll(): void {
    for (const w of this.drainWaiters.splice(0)) w.resolve();
  }

  clear(): void {
    this.items.length = 0;
    this.queuedBytes = 0;
    this.releaseAll();
  }

  /**
   * Fragments whose base64 fits in `budget` envelope bytes, each costing STREAM_OVERHEAD plus its
   * base64; at most `maxFragment` bytes per fragment (header included).
   */
  take(budget: number, nextObjectId: () => number, maxFragment = MAX_FRAGMENT): TakenFragments {
    const fragments: Buffer[] = [];
    let finished = false;
    let left = budget;
    const roomIn = (bytes: number) => Math.floor((bytes - STREAM_OVERHEAD) / 4) * 3 - FRAGMENT_HEADER;
    const fresh = Math.min(roomIn(budget), maxFragment - FRAGMENT_HEADER);
    while (this.items.length > 0) {
      const head = this.items[0]!;
      const room = roomIn(left);
      const remaining = head.bytes.length - head.offset;
      const size = Math.min(remaining, room, maxFragment - FRAGMENT_HEADER);
      if (size <= 0) break;
      // A message that would travel whole in the next response waits for it rather than being
      // split, as Windows packs whole fragments of at most 32 KiB (fixture test_psrp_small_msg_size.yml).
      if (size < remaining && fragments.length > 0 && remaining <= fresh) break;
      if (head.objectId === undefined) head.objectId = nextObjectId();
      const end = size === remaining;
      const blob = head.bytes.subarray(head.offset, head.offset + size);
      fragments.push(encodeFragment({ objectId: head.objectId, fragmentId: head.nextFragment, start: head.offset === 0, end, blob }));
      head.nextFragment++;
      head.offset += size;
      this.queuedBytes -= size;
      left -= STREAM_OVERHEAD + Math.ceil((FRAGMENT_HEADER + size) / 3) * 4;
      if (!end) break;
      this.items.shift();
      if (head.final) finished = true;
    }
    for (let i = this.drainWaiters.length - 1; i >= 0; i--) {
      const w = this.drainWaiters[i]!;
      if (this.queuedBytes < w.limit) {
        this.drainWaiters.splice(i, 1);
        w.resolve();
      }
    }
    return { fragments, finished };
  }
}

// ---- context ----------------------------------------------------------------------------------

export interface PoolContext {
  readonly clock: Clock;
  readonly engine: PsrpEngine;
  readonly host: HostFacts;
  readonly profile: EndpointProfile;
  /** The $PSVersionTable advertised for a negotiated protocol version. */
  readonly psVersionTable: (protocolVersion: string) => PsVersionTable;
  /** Random bytes (the session key). */
  readonly random: (n: number) => Buffer;
  /** Queued output per pipeline above which the engine's writes wait. */
  readonly maxBufferedOutput: number;
  /** The emulated wsmprovhost.exe process id (INFORMATION_RECORD, rsp:ProcessId). */
  readonly processId: number;
  /** Host calls that may wait for the client at once, per pipeline and per pool (default 4). */
  readonly maxPendingHostCalls?: number;
  readonly onPipelineEnd?: (pool: RunspacePool, pipeline: Pipeline) => void;
}

/** What went wrong with a client's PSRP data; the WS-Man layer answers it with a fault. */
export class PsrpProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PsrpProtocolError';
  }
}

// ---- runspace pool ----------------------------------------------------------------------------

export class RunspacePool {
  state: PoolState = 'Opening';
  /** The RPID bytes of the client's messages, echoed in ours. */
  rpid: Buffer = ZERO_GUID;
  protocolVersion = SERVER_PROTOCOL;
  clientCapability: SessionCapability | undefined;
  minRunspaces = 1;
  maxRunspaces = 1;
  host: HostInfo = NULL_HOST;
  runspace: PsrpRunspace | undefined;
  /** The AES-256 key of the session-key exchange (SecureString), once the client asked. */
  sessionKey: Buffer | undefined;
  readonly out = new MessageQueue();
  readonly pipelines = new Map<string, Pipeline>();
  /** RUNSPACEPOOL_HOST_CALLs of pipelines that use the pool's host (`_useRunspaceHost`). */
  private poolHostChannel: HostCallChannel | undefined;
  private readonly defrag = new Defragmenter();
  private objectId = 1;

  constructor(readonly ctx: PoolContext) {}

  transition(action: PoolAction): void {
    this.state = poolTransition(this.state, action);
  }

  nextObjectId = (): number => this.objectId++;

  /** Queue a pool-level message (destination client, PID zero). */
  send(type: number, data: PsValue, rpid: Buffer = this.rpid): void {
    this.out.push(encodeMessage({ destination: Destination.Client, type, rpid, pid: ZERO_GUID, data: serialize(data) }), type);
  }

  /** Fragments from creationXml, a pool-level Send, or (with `pipeline`) a Command or pipeline Send. */
  receive(data: Buffer, pipeline?: Pipeline): void {
    let messages: Buffer[];
    try {
      messages = this.defrag.push(parseFragments(data));
    } catch (e) {
      throw new PsrpProtocolError(e instanceof Error ? e.message : String(e));
    }
    for (const raw of messages) {
      let m: PsrpMessage;
      try {
        m = decodeMessage(raw);
      } catch (e) {
        throw new PsrpProtocolError(e instanceof Error ? e.message : String(e));
      }
      try {
        this.dispatch(m, pipeline);
      } catch (e) {
        if (e instanceof ClixmlError || e instanceof PsrpCodecError) throw new PsrpProtocolError(`${messageTypeName(m.type)}: ${e.message}`);
        throw e;
      }
    }
  }

  /** Fragments still incomplete (a CREATE_PIPELINE waiting for its Send). */
  get pendingFragments(): number {
    return this.defrag.pending;
  }

  private dispatch(m: PsrpMessage, pipeline: Pipeline | undefined): void {
    if (m.destination !== Destination.Server) throw new PsrpProtocolError(`${messageTypeName(m.type)} has destination ${m.destination}, not the server`);
    switch (m.type) {
      case MessageType.SESSION_CAPABILITY:
        return this.onSessionCapability(m);
      case MessageType.INIT_RUNSPACEPOOL:
        return this.onInit(m);
      case MessageType.SET_MAX_RUNSPACES:
      case MessageType.SET_MIN_RUNSPACES: {
        this.transition('PoolMessage');
        const o = deserializeObject(m.data);
        const isMax = m.type === MessageType.SET_MAX_RUNSPACES;
        const n = o.get(isMax ? 'MaxRunspaces' : 'MinRunspaces');
        const value = typeof n === 'number' ? n : NaN;
        // RunspacePool.SetMax/MinRunspaces refuse counts below 1 or crossing the other bound.
        const ok = Number.isInteger(value) && value >= 1 && (isMax ? value >= this.minRunspaces : value <= this.maxRunspaces);
        if (ok) {
          if (isMax) this.maxRunspaces = value;
          else this.minRunspaces = value;
        }
        return this.send(MessageType.RUNSPACE_AVAILABILITY, runspaceAvailabilityData(ok, parseCallId(o)));
      }
      case MessageType.GET_AVAILABLE_RUNSPACES: {
        this.transition('PoolMessage');
        const o = deserializeObject(m.data);
        return this.send(MessageType.RUNSPACE_AVAILABILITY, runspaceAvailabilityData(Math.max(0, this.maxRunspaces - this.runningPipelines()), parseCallId(o)));
      }
      case MessageType.RESET_RUNSPACE_STATE: {
        this.transition('PoolMessage');
        const o = deserializeObject(m.data);
        const ok = this.runningPipelines() === 0;
        if (ok) this.runspace?.reset();
        return this.send(MessageType.RUNSPACE_AVAILABILITY, runspaceAvailabilityData(ok, parseCallId(o)));
      }
      case MessageType.PUBLIC_KEY:
        this.transition('PoolMessage');
        return this.onPublicKey(m);
      case MessageType.RUNSPACEPOOL_HOST_RESPONSE: {
        this.transition('PoolMessage');
        // Without a pool-level call ever made, a response answers nothing and is ignored.
        if (this.poolHostChannel === undefined) return;
        return this.poolHostChannel.respond(parseHostResponse(deserializeObject(m.data)));
      }
      case MessageType.CREATE_PIPELINE:
      case MessageType.GET_COMMAND_METADATA:
      case MessageType.PIPELINE_INPUT:
      case MessageType.END_OF_PIPELINE_INPUT:
      case MessageType.PIPELINE_HOST_RESPONSE: {
        // pypsrp sends host responses on a `pr` stream without CommandId: the PID names the
        // pipeline (fixture test_psrp_pshost_ui_mocked_methods.yml #7).
        const target = pipeline ?? (m.type === MessageType.PIPELINE_HOST_RESPONSE ? [...this.pipelines.values()].find((p) => p.pid.equals(m.pid)) : undefined);
        if (!target) throw new PsrpProtocolError(`${messageTypeName(m.type)} arrived without a CommandId${m.type === MessageType.PIPELINE_HOST_RESPONSE ? ' or the PID of a pipeline' : ''}`);
        return target.dispatch(m);
      }
      case MessageType.CONNECT_RUNSPACEPOOL:
        throw new PsrpProtocolError('CONNECT_RUNSPACEPOOL is only valid in the connectXml of a Connect');
      default:
        throw new PsrpProtocolError(`${messageTypeName(m.type)} is not a message a client sends`);
    }
  }

  private negotiate(m: PsrpMessage): SessionCapability {
    const cap = parseSessionCapability(deserializeObject(m.data));
    this.clientCapability = cap;
    this.protocolVersion = SUPPORTED_PROTOCOLS.has(cap.protocolVersion) ? cap.protocolVersion : SERVER_PROTOCOL;
    return { protocolVersion: this.protocolVersion, psVersion: PS_VERSION, serializationVersion: SERIALIZATION_VERSION };
  }

  private onSessionCapability(m: PsrpMessage): void {
    if (this.state !== 'Opening') throw new PsrpProtocolError('SESSION_CAPABILITY after the pool was opened');
    this.rpid = Buffer.from(m.rpid);
    const ours = this.negotiate(m);
    // Windows answers with an all-zero RPID (fixture test_psrp_open_runspace.yml #1).
    this.send(MessageType.SESSION_CAPABILITY, sessionCapabilityData(ours), ZERO_GUID);
  }

  private onInit(m: PsrpMessage): void {
    if (this.clientCapability === undefined) throw new PsrpProtocolError('INIT_RUNSPACEPOOL before SESSION_CAPABILITY');
    const init = parseInitRunspacePool(deserializeObject(m.data));
    this.minRunspaces = init.minRunspaces;
    this.maxRunspaces = init.maxRunspaces;
    this.host = init.host;
    if (init.minRunspaces < 1 || init.maxRunspaces < init.minRunspaces) {
      this.transition('Break');
      this.send(MessageType.RUNSPACEPOOL_STATE, runspacePoolStateData(RunspacePoolStateValue.Broken, errorRecord(Errors.internal(`The runspace pool cannot open with MinRunspaces ${init.minRunspaces} and MaxRunspaces ${init.maxRunspaces}.`))));
      return;
    }
    this.runspace = this.ctx.engine.openRunspace({
      host: this.ctx.host,
      clock: this.ctx.clock,
      profile: this.ctx.profile,
      applicationArguments: init.applicationArguments,
      sessionKey: () => this.sessionKey,
      secureStringKey: (purpose) => this.secureStringKey(purpose),
      plainSecureStrings: () => this.plainSecureStrings(),
    });
    this.transition('Init');
    // APPLICATION_PRIVATE_DATA must precede RUNSPACEPOOL_STATE Opened (§3.1, trap 3).
    this.send(MessageType.APPLICATION_PRIVATE_DATA, applicationPrivateData(this.versionTable()));
    this.send(MessageType.RUNSPACEPOOL_STATE, runspacePoolStateData(RunspacePoolStateValue.Opened));
  }

  versionTable(): PsVersionTable {
    const base = this.ctx.psVersionTable(this.protocolVersion);
    // PSRemotingProtocolVersion is always the negotiated one (the real server overwrites it).
    return { ...base, ...(this.runspace?.psVersionTable?.() ?? {}), PSRemotingProtocolVersion: this.protocolVersion };
  }

  /** PUBLIC_KEY → ENCRYPTED_SESSION_KEY (psrp.md §3.6): a fresh AES-256 key, RSA PKCS#1 v1.5, byte-reversed. */
  private onPublicKey(m: PsrpMessage): void {
    const o = deserializeObject(m.data);
    const b64 = o.get('PublicKey');
    if (typeof b64 !== 'string') throw new PsrpProtocolError('PUBLIC_KEY without PublicKey');
    const blob = Buffer.from(b64, 'base64');
    // CAPI PUBLICKEYBLOB: 8-byte BLOBHEADER, 'RSA1', bit length, exponent, modulus (little-endian).
    if (blob.length < 20 || blob.subarray(8, 12).toString('latin1') !== 'RSA1') throw new PsrpProtocolError('PUBLIC_KEY is not a CAPI RSA public key blob');
    const bits = blob.readUInt32LE(12);
    const exponent = blob.readUInt32LE(16);
    const modulus = Buffer.from(blob.subarray(20, 20 + bits / 8)).reverse();
    const e = Buffer.alloc(4);
    e.writeUInt32BE(exponent);
    const key = createPublicKey({ key: { kty: 'RSA', n: modulus.toString('base64url'), e: e.subarray(e.findIndex((b) => b !== 0)).toString('base64url') }, format: 'jwk' });
    // A key the server already made for SecureString output is the one exported
    // (PSRSACryptoServiceProvider.SafeExportSessionKey: "generate one if not already done").
    this.sessionKey ??= this.ctx.random(32);
    const encrypted = publicEncrypt({ key, padding: cryptoConstants.RSA_PKCS1_PADDING }, this.sessionKey).reverse();
    const header = Buffer.from([0x01, 0x02, 0x00, 0x00, 0x10, 0x66, 0x00, 0x00, 0x00, 0xa4, 0x00, 0x00]);
    // Windows sent it with an all-zero RPID (fixture test_psrp_multiple_commands.yml #4).
    this.send(MessageType.ENCRYPTED_SESSION_KEY, encryptedSessionKeyData(Buffer.concat([header, encrypted]).toString('base64')), ZERO_GUID);
    const waiting = this.keyRequest;
    this.keyRequest = undefined;
    waiting?.resolve(this.sessionKey);
  }

  /** A PUBLIC_KEY_REQUEST the server sent and is waiting on. */
  private keyRequest: { readonly promise: Promise<Buffer>; resolve(key: Buffer): void; reject(e: Error): void } | undefined;

  /** The client's protocol version as a number (2.3), from its SESSION_CAPABILITY. */
  private clientProtocol(): number {
    const [major = 0, minor = 0] = (this.clientCapability?.protocolVersion ?? '0.0').split('.').map(Number);
    return major + minor / 10;
  }

  /** Protocol 2.4 on both sides: SecureStrings are base64 UTF-16LE, unencrypted (psrp.md §2.4, §3.6). */
  plainSecureStrings(): boolean {
    return this.clientProtocol() >= 2.4 && this.protocolVersion === '2.4';
  }

  /**
   * The key for a SecureString when none may have been exchanged, as PSRemotingCryptoHelperServer
   * decides [pwsh@60b3b304f2 (the 5.1 code base):SMA/utils/CryptoUtils.cs EncryptSecureString /
   * DecryptSecureString, RunKeyExchangeIfRequired; SMA/engine/remoting/server/serverremotesession.cs StartKeyExchange]:
   * to encrypt output for a client of protocol 2.2 or later the server makes a session key of its
   * own and never asks (the client cannot read that `<SS>` unless it exchanges keys later, when it
   * gets this same key); for older clients, and to decrypt a client's `<SS>` when there is no key
   * at all, it sends PUBLIC_KEY_REQUEST (RPID zero, GeneratePublicKeyRequest(Guid.Empty)) and waits
   * until the client's PUBLIC_KEY has been answered with ENCRYPTED_SESSION_KEY.
   */
  secureStringKey(purpose: 'encrypt' | 'decrypt'): Buffer | Promise<Buffer> {
    if (this.sessionKey) return this.sessionKey;
    if (purpose === 'encrypt' && this.clientProtocol() >= 2.2) return (this.sessionKey = this.ctx.random(32));
    if (this.keyRequest) return this.keyRequest.promise;
    let resolve!: (key: Buffer) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<Buffer>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Nobody may wait on it (a pipeline stopped meanwhile): a failure is not an unhandled rejection.
    promise.catch(() => undefined);
    this.keyRequest = { promise, resolve, reject };
    this.send(MessageType.PUBLIC_KEY_REQUEST, '', ZERO_GUID);
    return promise;
  }

  /** The channel of RUNSPACEPOOL_HOST_CALLs, made on first use. */
  hostChannel(): HostCallChannel {
    this.poolHostChannel ??= new HostCallChannel(
      {
        send: (data) => {
          if (this.state === 'Closed') throw new HostCallAborted('the runspace pool is closed');
          this.send(MessageType.RUNSPACEPOOL_HOST_CALL, data);
        },
      },
      this.ctx.maxPendingHostCalls ?? 4,
    );
    return this.poolHostChannel;
  }

  runningPipelines(): number {
    let n = 0;
    for (const p of this.pipelines.values()) if (p.state === 'Running' || p.state === 'Stopping' || p.state === 'Creating') n++;
    return n;
  }

  /** A new pipeline for `Command`; its CREATE_PIPELINE starts it once complete. */
  createPipeline(commandId: string, args: Buffer): Pipeline {
    this.transition('CreatePipeline');
    const p = new Pipeline(commandId, this);
    this.pipelines.set(commandId.toUpperCase(), p);
    try {
      this.receive(args, p);
    } catch (e) {
      this.pipelines.delete(commandId.toUpperCase());
      throw e;
    }
    return p;
  }

  /**
   * A new client takes over a disconnected pool (psrp.md §1.9): connectXml holds SESSION_CAPABILITY
   * and CONNECT_RUNSPACEPOOL; the answer is SESSION_CAPABILITY (with the RPID) and
   * RUNSPACEPOOL_INIT_DATA; the next pool Receive gets APPLICATION_PRIVATE_DATA and Opened.
   */
  connect(data: Buffer): Buffer {
    const defrag = new Defragmenter();
    let messages: PsrpMessage[];
    try {
      messages = defrag.push(parseFragments(data)).map(decodeMessage);
    } catch (e) {
      throw new PsrpProtocolError(e instanceof Error ? e.message : String(e));
    }
    const cap = messages.find((m) => m.type === MessageType.SESSION_CAPABILITY);
    const conn = messages.find((m) => m.type === MessageType.CONNECT_RUNSPACEPOOL);
    if (!cap || !conn) throw new PsrpProtocolError('connectXml needs SESSION_CAPABILITY and CONNECT_RUNSPACEPOOL');
    let ours: SessionCapability;
    try {
      ours = this.negotiate(cap);
      const c = deserialize(conn.data);
      if (c instanceof PsObject) {
        const min = c.get('MinRunspaces');
        const max = c.get('MaxRunspaces');
        if (typeof min === 'number' && min >= 1) this.minRunspaces = min;
        if (typeof max === 'number' && max >= this.minRunspaces) this.maxRunspaces = max;
      }
    } catch (e) {
      throw new PsrpProtocolError(e instanceof Error ? e.message : String(e));
    }
    this.transition('Connect');
    this.defrag.reset();
    const reply = [
      encodeMessage({ destination: Destination.Client, type: MessageType.SESSION_CAPABILITY, rpid: this.rpid, pid: ZERO_GUID, data: serialize(sessionCapabilityData(ours)) }),
      encodeMessage({ destination: Destination.Client, type: MessageType.RUNSPACEPOOL_INIT_DATA, rpid: this.rpid, pid: ZERO_GUID, data: serialize(runspacePoolInitData(this.minRunspaces, this.maxRunspaces)) }),
    ];
    this.send(MessageType.APPLICATION_PRIVATE_DATA, applicationPrivateData(this.versionTable()));
    this.send(MessageType.RUNSPACEPOOL_STATE, runspacePoolStateData(RunspacePoolStateValue.Opened));
    return Buffer.concat(reply.map((m) => encodeFragment({ objectId: this.nextObjectId(), fragmentId: 0, start: true, end: true, blob: m })));
  }

  /** Delete or expiry: every pipeline is dropped, the engine's session closed. */
  close(): void {
    this.transition('Close');
    this.keyRequest?.reject(new Error('the runspace pool is closed'));
    this.keyRequest = undefined;
    for (const p of this.pipelines.values()) p.terminate();
    this.pipelines.clear();
    this.poolHostChannel?.close('the runspace pool is closed');
    this.out.clear();
    this.runspace?.close();
    this.runspace = undefined;
  }
}

// ---- pipelines --------------------------------------------------------------------------------

type StreamRoute = 'stream' | 'output' | 'null';

interface Routes {
  readonly error: StreamRoute;
  readonly warning: StreamRoute;
  readonly verbose: StreamRoute;
  readonly debug: StreamRoute;
  readonly information: StreamRoute;
}

/**
 * Where a statement's streams go, from its commands' merge flags (psrp.md §3.2): v2-style
 * MergeMyResult/MergeToResult and the per-stream MergeError…MergeInformation (Output or Null).
 */
export function streamRoutes(commands: readonly PipelineCommand[]): Routes {
  const route = (flag: (c: PipelineCommand) => number, my: number): StreamRoute => {
    let r: StreamRoute = 'stream';
    for (const c of commands) {
      const f = flag(c);
      if (f === ResultType.Output) r = 'output';
      else if (f === ResultType.Null) r = 'null';
      if ((c.mergeMyResult === my || c.mergeMyResult === ResultType.All) && c.mergeToResult === ResultType.Output) r = 'output';
    }
    return r;
  };
  return {
    error: route((c) => c.mergeError, ResultType.Error),
    warning: route((c) => c.mergeWarning, ResultType.Warning),
    verbose: route((c) => c.mergeVerbose, ResultType.Verbose),
    debug: route((c) => c.mergeDebug, ResultType.Debug),
    information: route((c) => c.mergeInformation, ResultType.Information),
  };
}

function toErrorObject(e: ErrorRecordSpec | PsObject, writeErrorStream: boolean): PsObject {
  if (e instanceof PsObject) {
    if (writeErrorStream && !e.has('writeErrorStream')) {
      const members = [...e.members];
      e.members.clear();
      e.members.set('writeErrorStream', true);
      for (const [k, v] of members) e.members.set(k, v);
    }
    return e;
  }
  return errorRecord(e, { writeErrorStream });
}

export class Pipeline {
  state: PipelineState = 'Creating';
  /** The PID bytes of the client's CREATE_PIPELINE, echoed in ours. */
  pid: Buffer = ZERO_GUID;
  readonly out = new MessageQueue();
  /** CommandState Done has gone out with the last PIPELINE_STATE fragment. */
  doneDelivered = false;
  kind: 'pipeline' | 'metadata' = 'pipeline';
  spec: CreatePipeline | undefined;
  /** Text of what ran, for logs and the journal. */
  description = '';
  readonly startedAt: number;
  endedAt: number | undefined;
  private input: InputQueue | undefined;
  /** PIPELINE_HOST_CALLs of this pipeline, when its client has a host (psrp.md §3.4). */
  private hostCalls: HostCallChannel | undefined;
  /** The client's host for the engine, when the pipeline has one (PIPELINE_ or RUNSPACEPOOL_HOST_CALLs). */
  private host: InvocationHost | undefined;
  private readonly controller = new AbortController();
  private readonly stateListeners = new Set<() => void>();

  constructor(
    readonly id: string,
    readonly pool: RunspacePool,
  ) {
    this.startedAt = pool.ctx.clock.now();
  }

  private transition(action: PipelineAction): void {
    this.state = pipelineTransition(this.state, action);
    for (const l of [...this.stateListeners]) l();
    this.out.notify();
  }

  get finished(): boolean {
    return this.state === 'Completed' || this.state === 'Failed' || this.state === 'Stopped';
  }

  private push(type: number, data: PsValue, final = false): void {
    this.out.push(encodeMessage({ destination: Destination.Client, type, rpid: this.pool.rpid, pid: this.pid, data: serialize(data) }), type, final);
  }

  dispatch(m: PsrpMessage): void {
    switch (m.type) {
      case MessageType.CREATE_PIPELINE:
        this.pid = Buffer.from(m.pid);
        return this.start(parseCreatePipeline(deserializeObject(m.data)));
      case MessageType.GET_COMMAND_METADATA:
        this.pid = Buffer.from(m.pid);
        return this.startMetadata(parseGetCommandMetadata(deserializeObject(m.data)));
      case MessageType.PIPELINE_INPUT: {
        this.transition('Input');
        // Input objects become Deserialized.* as PowerShell's own deserialiser makes them.
        if (this.state === 'Running') this.input?.push(deserialize(m.data, { markDeserialized: true }));
        return;
      }
      case MessageType.END_OF_PIPELINE_INPUT:
        this.transition('EndInput');
        this.input?.end();
        return;
      case MessageType.PIPELINE_HOST_RESPONSE: {
        if (this.state === 'Creating' || this.state === 'Closed') throw new PsrpProtocolError(`PIPELINE_HOST_RESPONSE for a pipeline in state ${this.state}`);
        const r = parseHostResponse(deserializeObject(m.data));
        // A late answer to a call of a pipeline that has ended (stopped while it waited) is dropped.
        if (this.finished || this.state === 'Stopping') return;
        if (!this.hostCalls) throw new PsrpProtocolError('PIPELINE_HOST_RESPONSE for a pipeline that made no host call');
        return this.hostCalls.respond(r);
      }
      default:
        throw new PsrpProtocolError(`${messageTypeName(m.type)} is not a pipeline message`);
    }
  }

  /** CREATE_PIPELINE complete: run its statements in order on the pool's runspace. */
  start(spec: CreatePipeline): void {
    this.spec = spec;
    this.description = spec.statements.map((s) => s.map((c) => c.command).join(' | ')).join('; ');
    this.transition('Start');
    if (!spec.noInput) this.input = new InputQueue();
    const target = hostTarget(spec.host, this.pool.host);
    if (target === 'pipeline') {
      this.hostCalls = new HostCallChannel({ send: (data) => this.emitHostCall(data) }, this.pool.ctx.maxPendingHostCalls ?? 4);
    }
    this.host = target === 'pipeline' && this.hostCalls ? invocationHost(this.hostCalls, spec.host) : target === 'pool' ? invocationHost(this.pool.hostChannel(), this.pool.host) : undefined;
    void this.run(spec);
  }

  private async run(spec: CreatePipeline): Promise<void> {
    const runspace = this.pool.runspace;
    let result: InvocationResult = { state: 'Completed' };
    try {
      if (!runspace) throw new Error('the runspace pool has no open runspace');
      for (const [index, statement] of spec.statements.entries()) {
        const denied = this.checkProfile(statement);
        if (denied) {
          result = { state: 'Failed', error: denied };
          break;
        }
        const transfer = transferScript(statement);
        const files = transfer ? runspace.files?.() : undefined;
        if (transfer && files) {
          const sink = this.sink(streamRoutes(statement));
          const failed = await runTransfer(transfer, { args: statement[0]!.args.filter((a) => a.name === undefined).map((a) => a.value), input: index === 0 ? this.input : undefined, files, output: (v) => sink.output(v) });
          result = failed ? { state: 'Failed', error: failed } : { state: 'Completed' };
          if (result.state === 'Failed') break;
          continue;
        }
        result = await runspace.invoke({
          statements: [statement],
          // Pipeline input feeds the first statement.
          input: index === 0 ? this.input : undefined,
          sink: this.sink(streamRoutes(statement)),
          signal: this.controller.signal,
          ...(this.host ? { host: this.host } : {}),
        });
        if (this.state !== 'Running' || result.state === 'Failed') break;
      }
    } catch (e) {
      result = { state: 'Failed', error: Errors.internal(`The emulated PowerShell engine failed: ${e instanceof Error ? e.message : String(e)}`) };
    }
    if (this.state !== 'Running') return;
    if (result.state === 'Completed') this.finish('Complete', pipelineStateData(PipelineStateValue.Completed));
    else this.finish('Fail', pipelineStateData(PipelineStateValue.Failed, toErrorObject(result.error, false)));
  }

  /** A PIPELINE_HOST_CALL joins the pipeline's output, in order, with the same back-pressure. */
  private async emitHostCall(data: PsObject): Promise<void> {
    if (this.state !== 'Running') throw new HostCallAborted(`the pipeline is ${this.state}`);
    this.push(MessageType.PIPELINE_HOST_CALL, data);
    const limit = this.pool.ctx.maxBufferedOutput;
    if (this.out.bytes >= limit) await this.out.waitBelow(limit);
  }

  /**
   * Blocked in a value-returning host call whose message has been delivered: the Receive that
   * carried it reports CommandState Pending (fixture test_psrp_pshost_ui_mocked_methods.yml #6).
   */
  get awaitingHost(): boolean {
    return (this.hostCalls?.pending ?? 0) > 0 && this.out.isEmpty && !this.finished;
  }

  /** JEA: script text in NoLanguage, or a command that is not visible, fails the pipeline (§6.2). */
  private checkProfile(statement: readonly PipelineCommand[]): ErrorRecordSpec | undefined {
    const profile = this.pool.ctx.profile;
    for (const c of statement) {
      if (c.isScript && profile.languageMode === 'NoLanguage') return Errors.scriptsNotAllowed(c.command);
      // The name as sent or the program it finds on the Path (`whoami.exe` is C:\Windows\System32\whoami.exe).
      if (!c.isScript && !isCommandCallable(profile, c.command)) return Errors.commandNotFound(c.command);
    }
    return undefined;
  }

  private sink(routes: Routes): InvocationSink {
    const ctx = this.pool.ctx;
    const live = () => this.state === 'Running';
    const emit = async (type: number, data: PsValue) => {
      if (!live()) return;
      this.push(type, data);
      if (this.out.bytes >= ctx.maxBufferedOutput) await this.out.waitBelow(ctx.maxBufferedOutput);
    };
    return {
      output: (v) => emit(MessageType.PIPELINE_OUTPUT, v),
      error: (e) => {
        if (routes.error === 'null') return;
        return emit(routes.error === 'output' ? MessageType.PIPELINE_OUTPUT : MessageType.ERROR_RECORD, toErrorObject(e, true));
      },
      informational: (kind, message) => {
        const route = kind === 'Warning' ? routes.warning : kind === 'Verbose' ? routes.verbose : routes.debug;
        if (route === 'null') return;
        if (route === 'output') return emit(MessageType.PIPELINE_OUTPUT, informationalRecord(kind, message, { merged: true }));
        const type = kind === 'Warning' ? MessageType.WARNING_RECORD : kind === 'Verbose' ? MessageType.VERBOSE_RECORD : MessageType.DEBUG_RECORD;
        // Not redirected, PowerShell writes the record through its host UI, which keeps it for
        // the stream and then calls the client's Write*Line (InternalHostUserInterface.
        // WriteWarningRecord; recorded: test_psrp_pshost_ui_mocked_methods.yml #10, record then call).
        const host = this.host;
        if (!host) return emit(type, informationalRecord(kind, message));
        return (async () => {
          await emit(type, informationalRecord(kind, message));
          if (!live()) return;
          await (kind === 'Warning' ? host.writeWarningLine(message) : kind === 'Verbose' ? host.writeVerboseLine(message) : host.writeDebugLine(message));
        })();
      },
      information: (i) => {
        if (routes.information === 'null') return;
        const spec = {
          messageData: i.messageData,
          source: i.source,
          timeGenerated: ctx.clock.now(),
          tags: i.tags,
          user: `${ctx.host.computerName}\\${ctx.host.user.name}`,
          computer: ctx.host.computerName,
          processId: ctx.processId,
        };
        if (routes.information === 'output') return emit(MessageType.PIPELINE_OUTPUT, informationRecord(spec, { merged: true }));
        // The information stream exists from protocol 2.3 (psrp.md §2.3).
        if (this.pool.protocolVersion === '2.2') return;
        return emit(MessageType.INFORMATION_RECORD, informationRecord(spec));
      },
      // The same for progress: the record, then WriteProgress (source id 1, as recorded in #10).
      progress: (p) => {
        const host = this.host;
        if (!host) return emit(MessageType.PROGRESS_RECORD, progressRecordData(p));
        return (async () => {
          await emit(MessageType.PROGRESS_RECORD, progressRecordData(p));
          if (live()) await host.writeProgress(1, p);
        })();
      },
    };
  }

  /** GET_COMMAND_METADATA: the Count object, one object per visible matching command, Completed (§3.3). */
  private startMetadata(q: GetCommandMetadata): void {
    this.kind = 'metadata';
    this.description = `Get-Command ${q.names.join(',')}`;
    this.transition('Start');
    const profile = this.pool.ctx.profile;
    const all = this.pool.runspace?.commands() ?? [];
    const matches = all.filter(
      (c) =>
        isCommandVisible(profile, c.name) &&
        q.names.some((n) => wildcardMatch(n, c.name)) &&
        (q.commandType & CommandTypes[c.commandType]) !== 0 &&
        (q.namespaces.length === 0 || q.namespaces.some((ns) => wildcardMatch(ns, c.namespace))),
    );
    this.push(MessageType.PIPELINE_OUTPUT, commandMetadataCount(matches.length));
    for (const c of matches) this.push(MessageType.PIPELINE_OUTPUT, commandMetadataObject(c));
    this.finish('Complete', pipelineStateData(PipelineStateValue.Completed));
  }

  private finish(action: 'Complete' | 'Fail', state: PsObject): void {
    this.transition(action);
    this.push(MessageType.PIPELINE_STATE, state, true);
    this.end();
  }

  private end(): void {
    this.endedAt = this.pool.ctx.clock.now();
    this.hostCalls?.close(`the pipeline is ${this.state}`);
    this.input?.end();
    this.out.releaseAll();
    this.pool.ctx.onPipelineEnd?.(this.pool, this);
  }

  /** Signal crtl_c / ctrl_c: the engine is told to stop; PIPELINE_STATE Stopped goes out (§3.2). */
  stop(): void {
    if (!pipelineAllows(this.state, 'Stop')) pipelineTransition(this.state, 'Stop');
    if (this.finished) return;
    this.transition('Stop');
    this.hostCalls?.close('the pipeline is stopping');
    this.controller.abort('stop');
    this.transition('Stopped');
    this.push(MessageType.PIPELINE_STATE, pipelineStateData(PipelineStateValue.Stopped, errorRecord(Errors.pipelineStopped())), true);
    this.end();
  }

  /** Signal terminate, or the pool going away: drop everything. */
  terminate(): void {
    const wasRunning = !this.finished;
    this.transition('Terminate');
    this.controller.abort('terminate');
    this.out.clear();
    if (wasRunning) this.end();
  }

  onStateChange(fn: () => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }
}
