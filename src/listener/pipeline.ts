// The request pipeline, in order (architecture.md §2.3), for one listener:
//   1. size     a body over MaxEnvelopeSizekb×1024 → 413, no SOAP processing [WSMV 3.1.4.1.20]
//   2. authn    the connection's mechanism state machine; 401 challenges (auth.md §1)
//   3. unseal   multipart/encrypted bodies with the connection's context (auth.md §3); a
//               plaintext body after a sealing-capable context on HTTP is refused while
//               AllowUnencrypted is false (auth.md §1.7)
//   4. parse, authorise and dispatch in the WS-Man core (src/wsman/service.ts)
//   5. seal (when the request was sealed) and send; faults go out with HTTP 500
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import type { AuthContext, AuthDeps, AuthMechanism, AuthStep, ConnectionInfo, Principal } from '../auth/types.js';
import type { MessageSecurity } from '../auth/sealing/types.js';
import { SPNEGO_ENCRYPTED, SealingError } from '../auth/sealing/types.js';
import { buildEncryptedBody, encryptedContentType, parseEncryptedContentType, unsealBody, type EncryptedContentType } from '../auth/sealing/multipart.js';
import type { Host } from '../hosts/host.js';
import type { ListenerConfig } from '../config/types.js';
import type { ServiceResponse, WsmanService } from '../wsman/service.js';
import type { EmulatorEvents } from '../events.js';
import { decodeBody } from '../wsman/envelope.js';
import { WsmanFault } from '../wsman/faults.js';
import { renderFault } from '../wsman/render.js';
import { systemClock, type Clock, type IdSource } from '../core/clock.js';
import { ResponseBuffers } from './response-buffers.js';

export const SOAP_CONTENT_TYPE = 'application/soap+xml;charset=UTF-8';
export const SERVER_HEADER = 'Microsoft-HTTPAPI/2.0';
const CERT_AUTH_HEADER = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual';

/** The ResourceURI of a plaintext envelope, read ahead of parsing for certificate mappings. */
function peekResourceUri(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  const m = /<(?:[A-Za-z_][\w.-]*:)?ResourceURI\b[^>]*>\s*([^<\s]+)\s*</.exec(body.toString('utf8', 0, Math.min(body.length, 65536)));
  return m?.[1];
}

/** What a mechanism may read of the request: the ResourceURI, peeked at only when asked (certificate mapping). */
class StepRequest {
  constructor(private readonly plainBody: Buffer | undefined) {}
  get resourceUri(): string | undefined {
    return this.plainBody ? peekResourceUri(this.plainBody) : undefined;
  }
}

/** Why a scheme the service does not offer is refused, for the auth.failed event (auth.md §1.1, §7). */
function unofferedReason(scheme: string, authorization: string, offered: readonly AuthMechanism[], implemented: readonly AuthMechanism[], tls: boolean): string {
  const list = offered.map((m) => (m.name === 'Certificate' ? 'Certificate' : m.scheme)).join(', ') || 'none';
  const lower = scheme.toLowerCase();
  if (authorization === CERT_AUTH_HEADER) {
    if (!implemented.some((m) => m.name === 'Certificate')) return 'client certificate logon is not available in this emulator configuration';
    return tls ? 'client certificate logon is disabled (Service/Auth/Certificate is false)' : 'client certificate logon is HTTPS only (and Service/Auth/Certificate must be true)';
  }
  if (lower === 'digest') return `Digest is never accepted by the WinRM service (it has no Service/Auth/Digest setting, auth.md §7); offered: ${list}`;
  if (lower === 'credssp') return `CredSSP is not emulated (answered as when Service/Auth/CredSSP is false); offered: ${list}`;
  if (lower === 'ntlm') return `the NTLM scheme is never accepted by the WinRM service; NTLM travels under Negotiate (offered: ${list})`;
  if (lower === 'kerberos' && !implemented.some((m) => m.name === 'Kerberos')) return `the Kerberos scheme needs a domain-joined host with a keytab (kerberos.keytab, domain.realm); offered: ${list}`;
  const known = implemented.find((m) => m.scheme.toLowerCase() === lower);
  if (known) return `scheme '${scheme}' is disabled (Service/Auth/${known.name} is false); offered: ${list}`;
  return `scheme '${scheme}' is not offered (offered: ${list})`;
}

/** Room for the multipart framing and signature around a sealed envelope of MaxEnvelopeSizekb. */
export const SEALING_OVERHEAD_BYTES = 4096;

/** Authentication state bound to one TCP connection (auth.md §1.3). */
export interface ConnectionState {
  readonly info: ConnectionInfo;
  pending: { mechanism: AuthMechanism; context: AuthContext } | undefined;
  principal: Principal | undefined;
  /** The message-encryption context of a connection-bound mechanism (NTLM), with its RC4 streams. */
  security: MessageSecurity | undefined;
  /** Sealed responses leave in request order (one outgoing RC4 stream): each waits for the previous one. */
  sealTail: Promise<void>;
  requests: number;
  /** The Host header last seen on this connection and the machine name it gives. */
  machine?: { readonly header: string | undefined; readonly name: string };
  /** Aborted when the socket closes: long polls on this connection stop waiting (one per connection, not per request). */
  readonly closed: AbortSignal;
}

export interface PipelineOptions {
  readonly host: Host;
  readonly listener: ListenerConfig;
  readonly tls: boolean;
  readonly service: WsmanService;
  readonly mechanisms: readonly AuthMechanism[];
  readonly events: EmulatorEvents;
  readonly ids: IdSource;
  /** Time for the auth mechanisms (NTLM timestamps, lockout); default the system clock. */
  readonly clock?: Clock;
  /** Randomness for the auth mechanisms (server challenges); default node:crypto. */
  readonly randomBytes?: (n: number) => Buffer;
  /** HTTPS: the listener certificate's DER, for NTLM channel binding (auth.md §2.6). */
  readonly certificateDer?: Buffer;
  /** The one line per operation, and the listener's warnings (fastify itself has no logger). */
  readonly logger: Logger;
  /** Plaintext body over HTTP after a sealing-capable context: 500 as Windows (auth.md §1.7), or 401. */
  readonly unencryptedRefusalStatus?: 401 | 500;
}

let connectionSeq = 0;

export class Pipeline {
  private readonly connections = new WeakMap<Socket, ConnectionState>();
  /** Large plaintext UTF-8 bodies: 8 buffers of 512 KiB at most (MaxEnvelopeSizekb's default is 500). */
  private readonly responseBuffers = new ResponseBuffers(512 * 1024, 8, 16 * 1024);
  private readonly deps: AuthDeps;
  /** offered() for the Service/Auth object it was worked out from. */
  private offeredFor: { readonly auth: object; readonly list: readonly AuthMechanism[] } | undefined;

  /** The last anonymous Identify answered synchronously: its bytes, text and encoded answer. */
  private lastIdentify:
    | { readonly body: Buffer; readonly contentType: string | undefined; readonly decoded: ReturnType<typeof decodeBody>; answered: { readonly result: ServiceResponse; readonly payload: Buffer; readonly type: string } | undefined }
    | undefined;

  constructor(private readonly opts: PipelineOptions) {
    const clock = opts.clock ?? systemClock;
    const random = opts.randomBytes ?? cryptoRandomBytes;
    this.deps = { now: () => clock.now(), randomBytes: (n) => random(n) };
  }

  connection(socket: Socket): ConnectionState {
    let state = this.connections.get(socket);
    if (!state) {
      const closed = new AbortController();
      socket.once('close', () => closed.abort());
      state = {
        info: {
          id: `c${++connectionSeq}`,
          tls: this.opts.tls,
          remoteAddress: socket.remoteAddress ?? '',
          localAddress: socket.localAddress ?? '',
          ...(this.opts.tls && this.opts.certificateDer ? { serverCertificate: this.opts.certificateDer } : {}),
          ...(this.opts.tls ? { peerCertificate: () => (socket as TLSSocket).getPeerX509Certificate?.() } : {}),
        },
        pending: undefined,
        principal: undefined,
        security: undefined,
        sealTail: Promise.resolve(),
        requests: 0,
        closed: closed.signal,
      };
      this.connections.set(socket, state);
    }
    return state;
  }

  /**
   * Mechanisms that Service/Auth enables and this emulator implements, in Windows' order; worked
   * out again whenever the configuration replaces Service/Auth (it is frozen and replaced whole).
   */
  offered(): readonly AuthMechanism[] {
    const auth = this.opts.host.winrm.Service.Auth;
    if (this.offeredFor?.auth !== auth) this.offeredFor = { auth, list: this.opts.mechanisms.filter((m) => m.enabled(auth)) };
    return this.offeredFor.list;
  }

  private challengeHeaders(): string[] {
    return this.offered()
      .map((m) => m.challenge())
      .filter((c) => c !== '');
  }

  private sendUnauthorized(reply: FastifyReply, close: boolean, extra?: string): FastifyReply {
    const headers = extra !== undefined ? [extra] : this.challengeHeaders();
    reply.code(401).header('www-authenticate', headers).header('content-length', '0');
    if (close) reply.header('connection', 'close');
    return reply.send();
  }

  private authFailed(conn: ConnectionState, reason: string, mechanism?: string): void {
    this.opts.events.emit('auth.failed', { connection: conn.info.id, remoteAddress: conn.info.remoteAddress, mechanism, reason });
    this.opts.logger.warn({ event: 'auth.failed', conn: conn.info.id, mechanism, reason }, `auth.failed ${mechanism ?? '-'}: ${reason}`);
  }

  /** Answers the request; undefined when it was answered synchronously (a repeated anonymous Identify). */
  handle(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | undefined {
    const conn = this.connection(req.raw.socket);
    conn.requests++;
    const encrypted = parseEncryptedContentType(req.headers['content-type']);
    if (encrypted) return this.sealed(req, reply, conn, encrypted);
    if (this.answerRepeatedIdentify(req, reply, conn)) return undefined;
    return this.process(req, reply, conn, undefined, () => {});
  }

  /**
   * The anonymous Identify that probes and health checks repeat, answered without a promise
   * chain: the decisions process() takes for it (no credentials on the request or the connection,
   * the unauthenticated header, a plaintext body within MaxEnvelopeSizekb), then the service's
   * memo of byte-identical Identify requests. Anything else, or a memo miss, goes the whole way
   * (decision 0007).
   */
  private answerRepeatedIdentify(req: FastifyRequest, reply: FastifyReply, conn: ConnectionState): boolean {
    if (conn.principal !== undefined || conn.security !== undefined) return false;
    const { headers } = req;
    if ((headers.authorization !== undefined && headers.authorization !== '') || headers.wsmanidentify?.toString().toLowerCase() !== 'unauthenticated') return false;
    const body = req.body as Buffer | undefined;
    if (body === undefined || body.length === 0 || body.length > this.opts.host.winrm.MaxEnvelopeSizekb * 1024) return false;
    const contentType = headers['content-type'];
    // The same bytes under the same Content-Type as last time: the same text, and (when the memo
    // gives the same answer) the same encoded response.
    let last = this.lastIdentify;
    if (last === undefined || last.contentType !== contentType || !last.body.equals(body)) {
      let decoded: ReturnType<typeof decodeBody>;
      try {
        decoded = decodeBody(body, contentType);
      } catch {
        return false; // the whole way answers the fault
      }
      last = this.lastIdentify = { body, contentType, decoded, answered: undefined };
    }
    const result = this.opts.service.memoIdentify({ text: last.decoded.text, principal: undefined, tls: this.opts.tls });
    if (result === undefined) return false;
    if (last.answered?.result !== result) last.answered = { result, ...encodeSoap(result.xml, last.decoded.charset) };
    this.logOperation(conn, result, undefined, false);
    reply.code(result.status).header('content-type', last.answered.type).send(last.answered.payload);
    return true;
  }

  private async sealed(req: FastifyRequest, reply: FastifyReply, conn: ConnectionState, encrypted: EncryptedContentType): Promise<FastifyReply> {
    // Sealed responses must leave in the order the requests were unsealed (pipelining).
    const previous = conn.sealTail;
    let release!: () => void;
    conn.sealTail = new Promise<void>((resolve) => (release = resolve));
    try {
      return await this.process(req, reply, conn, encrypted, () => previous);
    } finally {
      release();
    }
  }

  private async process(
    req: FastifyRequest,
    reply: FastifyReply,
    conn: ConnectionState,
    encrypted: EncryptedContentType | undefined,
    turn: () => Promise<void> | void,
  ): Promise<FastifyReply> {
    const { host } = this.opts;
    const body = (req.body as Buffer | undefined) ?? Buffer.alloc(0);
    const limit = host.winrm.MaxEnvelopeSizekb * 1024;
    // Every answer to an encrypted request carries a Content-Type (pywinrm reads it, auth.md §1.5).
    if (encrypted) reply.header('content-type', encryptedContentType(conn.security?.protocol ?? (encrypted.protocol || SPNEGO_ENCRYPTED)));

    // 1. Size: HTTP 413 with no SOAP processing [WSMV 3.1.4.1.20].
    if (body.length > limit + (encrypted ? SEALING_OVERHEAD_BYTES : 0)) {
      this.opts.logger.info({ conn: conn.info.id, bytes: body.length }, `request of ${body.length} bytes over MaxEnvelopeSizekb -> 413`);
      return reply.code(413).header('content-length', '0').header('connection', 'close').send();
    }

    // 2. Authentication.
    const authorization = req.headers.authorization;
    let principal: Principal | undefined;
    if (authorization !== undefined && authorization !== '') {
      const outcome = await this.authenticate(conn, req, reply, authorization, encrypted ? undefined : body);
      if (outcome.kind === 'replied') return outcome.reply;
      principal = outcome.principal;
      if (outcome.responseToken !== undefined) reply.header('www-authenticate', outcome.responseToken);
    } else if (conn.principal) {
      principal = conn.principal;
    } else if (String(req.headers.wsmanidentify ?? '').toLowerCase() === 'unauthenticated') {
      // Anonymous Identify only (wsman-protocol.md §4.1); anything else still needs credentials.
      principal = undefined;
    } else {
      return this.sendUnauthorized(reply, false);
    }

    // An authenticated empty POST (the last leg of a handshake) gets 200 with no body (auth.md §1.5).
    if (body.length === 0) {
      if (principal === undefined) return this.sendUnauthorized(reply, false);
      return reply.code(200).header('content-length', '0').send();
    }

    // 3. Unseal, or refuse plaintext where Windows would.
    let plaintext = body;
    let contentType = req.headers['content-type'];
    let security: MessageSecurity | undefined;
    if (encrypted) {
      if (!conn.security) {
        this.opts.logger.warn({ conn: conn.info.id }, 'encrypted body on a connection without a sealing context -> 400');
        return reply.code(400).header('content-length', '0').send();
      }
      try {
        const unsealed = unsealBody(conn.security, body, encrypted);
        plaintext = unsealed.plaintext;
        contentType = unsealed.contentType;
        security = conn.security;
      } catch (e) {
        if (!(e instanceof SealingError)) throw e;
        // The context's incoming stream is no longer trustworthy: drop it and this connection,
        // and only this one (HTTP 400, empty, as Windows answers a message it cannot decrypt).
        conn.security = undefined;
        conn.principal = undefined;
        conn.pending = undefined;
        this.opts.logger.warn({ conn: conn.info.id, reason: e.message }, `unsealing failed: ${e.message} -> 400`);
        return reply.code(400).header('content-length', '0').header('connection', 'close').send();
      }
      if (plaintext.length > limit) {
        this.opts.logger.info({ conn: conn.info.id, bytes: plaintext.length }, `sealed request of ${plaintext.length} bytes over MaxEnvelopeSizekb -> 413`);
        return reply.code(413).header('content-length', '0').header('connection', 'close').send();
      }
    } else if (conn.security && !this.opts.tls && !host.winrm.Service.AllowUnencrypted) {
      const status = this.opts.unencryptedRefusalStatus ?? 500;
      this.opts.logger.info({ conn: conn.info.id, status }, `plaintext body over HTTP after ${principal?.mechanism ?? '-'} authentication while Service/AllowUnencrypted is false -> ${status}`);
      if (status === 401) return this.sendUnauthorized(reply, false);
      return reply.code(500).header('content-length', '0').send();
    }

    // 4. Decode, parse, authorise, dispatch.
    // A client names the same Host on every request of a connection: work it out once.
    const hostHeader = req.headers.host;
    if (conn.machine === undefined || conn.machine.header !== hostHeader) conn.machine = { header: hostHeader, name: machineFromHost(hostHeader, host.computerName) };
    const machine = conn.machine.name;
    let decoded: ReturnType<typeof decodeBody>;
    try {
      decoded = decodeBody(plaintext, contentType);
    } catch (e) {
      if (!(e instanceof WsmanFault)) throw e;
      const xml = renderFault(e, { relatesTo: undefined, messageId: `uuid:${this.opts.ids.uuid()}`, machine });
      await turn();
      return this.sendSoap(reply, 500, xml, 'utf-8', security);
    }
    const result = await this.opts.service.handle({
      text: decoded.text,
      principal,
      tls: this.opts.tls,
      machine,
      clientIp: conn.info.remoteAddress,
      signal: conn.closed,
      chunked: req.headers['content-length'] === undefined,
    });
    if (principal === undefined && result.operation !== 'Identify') {
      // The unauthenticated-Identify header does not open anything else.
      return this.sendUnauthorized(reply, false);
    }
    this.logOperation(conn, result, principal, security !== undefined);
    // 5. Seal in request order, then send.
    await turn();
    return this.sendSoap(reply, result.status, result.xml, decoded.charset, security);
  }

  /** The one line per operation (architecture.md §2.9). */
  private logOperation(conn: ConnectionState, result: ServiceResponse, principal: Principal | undefined, sealed: boolean): void {
    const line = `${result.operation} user=${principal?.displayName ?? '-'} -> ${result.status}${result.fault ? ` ${result.fault}` : ''}`;
    // Only the fields that are set: pino serialises every key it is given.
    const fields: Record<string, unknown> = { conn: conn.info.id, op: result.operation, status: result.status, sealed };
    if (principal !== undefined) fields.user = principal.displayName;
    if (result.fault !== undefined) fields.fault = result.fault;
    if (result.resourceUri !== undefined) fields.resourceUri = result.resourceUri;
    if (result.denyReason !== undefined) fields.denyReason = result.denyReason;
    if (result.error !== undefined) this.opts.logger.error({ ...fields, err: result.error }, line);
    // The unauthenticated Identify is the probe Test-WSMan and readiness checks repeat: answered,
    // it goes to debug, so polling does not flood the log; refused, it stays at info (decision 0007).
    else if (principal === undefined && result.operation === 'Identify' && result.status === 200) this.opts.logger.debug(fields, line);
    else this.opts.logger.info(fields, line);
  }

  private sendSoap(reply: FastifyReply, status: number, xml: string, charset: 'utf-8' | 'utf-16le' | 'utf-16be', security?: MessageSecurity): FastifyReply {
    if (security === undefined && charset === 'utf-8') {
      // A large body (a ReceiveResponse full of output) goes out of a reused buffer, lent until
      // the response has been handed to the socket or its connection closed.
      const lent = this.responseBuffers.encodeUtf8(xml);
      if (lent !== undefined) {
        reply.raw.once('finish', lent.release).once('close', lent.release);
        return reply.code(status).header('content-type', SOAP_CONTENT_TYPE).send(lent.payload);
      }
    }
    const { payload, type } = encodeSoap(xml, charset);
    if (security) {
      // The response is sealed like the request (MS-WSMV 2.2.9.1), faults included (auth.md §3.5).
      return reply.code(status).header('content-type', encryptedContentType(security.protocol)).send(buildEncryptedBody(security, payload, type));
    }
    return reply.code(status).header('content-type', type).send(payload);
  }

  private async authenticate(
    conn: ConnectionState,
    req: FastifyRequest,
    reply: FastifyReply,
    authorization: string,
    plainBody: Buffer | undefined,
  ): Promise<{ kind: 'replied'; reply: FastifyReply } | { kind: 'ok'; principal: Principal; responseToken: string | undefined }> {
    const { host } = this.opts;
    const space = authorization.indexOf(' ');
    const scheme = space < 0 ? authorization : authorization.slice(0, space);
    const token = space < 0 ? '' : authorization.slice(space + 1).trim();
    const lower = scheme.toLowerCase();
    const mechanism = this.offered().find((m) => m.scheme === scheme || m.scheme.toLowerCase() === lower);
    if (!mechanism) {
      // A scheme the service does not offer (NTLM, Digest, or one Service/Auth disables): 401
      // with the normal list and Connection: close, as captured (auth.md §1.1, §7).
      const why = unofferedReason(scheme, authorization, this.offered(), this.opts.mechanisms, this.opts.tls);
      this.authFailed(conn, why, authorization === CERT_AUTH_HEADER ? 'Certificate' : scheme);
      return { kind: 'replied', reply: this.sendUnauthorized(reply, true) };
    }
    // Basic travels in clear on HTTP: refused while AllowUnencrypted is false, as on Windows
    // (winrm-config.md §3.3 AllowUnencrypted; auth.md §1.7).
    if (mechanism.name === 'Basic' && !this.opts.tls && !host.winrm.Service.AllowUnencrypted) {
      this.authFailed(conn, 'Basic over HTTP is refused while Service/AllowUnencrypted is false (use HTTPS, or set AllowUnencrypted: true)', 'Basic');
      return { kind: 'replied', reply: this.sendUnauthorized(reply, false) };
    }
    let context: AuthContext;
    if (conn.pending && conn.pending.mechanism === mechanism) context = conn.pending.context;
    else {
      context = mechanism.createContext(host, conn.info, this.deps);
      conn.pending = { mechanism, context };
      // A new handshake on this connection replaces whatever it had authenticated before.
      conn.principal = undefined;
      conn.security = undefined;
    }
    let step: AuthStep;
    try {
      // Only certificate mapping reads the ResourceURI: peek at the body when it asks, not on every request.
      step = await context.step(token, new StepRequest(plainBody));
    } catch (e) {
      // A mechanism must not throw; if one does, the connection's handshake is over and the client gets 401.
      conn.pending = undefined;
      this.opts.logger.error({ err: e, conn: conn.info.id }, `${mechanism.name} authentication threw`);
      this.authFailed(conn, `internal error in ${mechanism.name}: ${(e as Error).message}`, mechanism.name);
      return { kind: 'replied', reply: this.sendUnauthorized(reply, false) };
    }
    switch (step.kind) {
      case 'continue':
        return { kind: 'replied', reply: this.sendUnauthorized(reply, false, `${mechanism.scheme} ${step.responseToken}`) };
      case 'failure':
        conn.pending = undefined;
        this.authFailed(conn, step.reason, mechanism.name);
        return { kind: 'replied', reply: this.sendUnauthorized(reply, false) };
      case 'success':
        conn.pending = undefined;
        // On HTTP with AllowUnencrypted false, a connection-bound context that cannot seal is
        // refused at authentication time: 401, again and again (auth.md §1.7, packer#6205).
        if (step.connectionBound && !this.opts.tls && !host.winrm.Service.AllowUnencrypted && !step.security?.canSeal) {
          this.authFailed(conn, `the ${mechanism.name} context cannot seal (no NTLMSSP_NEGOTIATE_SEAL) and Service/AllowUnencrypted is false on HTTP`, mechanism.name);
          return { kind: 'replied', reply: this.sendUnauthorized(reply, false) };
        }
        if (step.connectionBound) {
          conn.principal = step.principal;
          conn.security = step.security;
        }
        this.opts.events.emit('auth.succeeded', { connection: conn.info.id, mechanism: mechanism.name, user: step.principal.displayName });
        return { kind: 'ok', principal: step.principal, responseToken: step.responseToken === undefined ? undefined : `${mechanism.scheme} ${step.responseToken}` };
    }
  }
}

/** A response in the charset of the request (auth.md §1.9); UTF-16 with a BOM. */
function encodeSoap(xml: string, charset: 'utf-8' | 'utf-16le' | 'utf-16be'): { payload: Buffer; type: string } {
  if (charset === 'utf-8') return { payload: Buffer.from(xml, 'utf8'), type: SOAP_CONTENT_TYPE };
  const payload = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
  if (charset === 'utf-16be') payload.swap16();
  return { payload, type: 'application/soap+xml;charset=UTF-16' };
}

/** The host the client addressed, as Windows puts it in WSManFault/@Machine (wsman-protocol.md §6). */
export function machineFromHost(hostHeader: string | undefined, fallback: string): string {
  if (!hostHeader) return fallback;
  const h = hostHeader.trim();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end) : fallback;
  }
  const colon = h.lastIndexOf(':');
  const name = colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
  return name || fallback;
}
