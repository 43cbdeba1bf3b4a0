// The request pipeline, in order (architecture.md §2.3), for one listener:
//   1. size     a body over MaxEnvelopeSizekb×1024 → 413, no SOAP processing [WSMV 3.1.4.1.20]
//   2. authn    the connection's mechanism state machine; 401 challenges (auth.md §1)
//   3. unseal   (message encryption arrives with the NTLM issue)
//   4. parse, authorise and dispatch in the WS-Man core (src/wsman/service.ts)
//   5. seal and send; faults go out with HTTP 500 and application/soap+xml
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import type { AuthContext, AuthMechanism, ConnectionInfo, Principal } from '../auth/types.js';
import type { Host } from '../hosts/host.js';
import type { ListenerConfig } from '../config/types.js';
import type { WsmanService } from '../wsman/service.js';
import type { EmulatorEvents } from '../events.js';
import { decodeBody } from '../wsman/envelope.js';
import { WsmanFault } from '../wsman/faults.js';
import { renderFault } from '../wsman/render.js';
import type { IdSource } from '../core/clock.js';

export const SOAP_CONTENT_TYPE = 'application/soap+xml;charset=UTF-8';
export const SERVER_HEADER = 'Microsoft-HTTPAPI/2.0';
const CERT_AUTH_HEADER = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual';

/** Authentication state bound to one TCP connection (auth.md §1.3). */
export interface ConnectionState {
  readonly info: ConnectionInfo;
  pending: { mechanism: AuthMechanism; context: AuthContext } | undefined;
  principal: Principal | undefined;
  requests: number;
}

export interface PipelineOptions {
  readonly host: Host;
  readonly listener: ListenerConfig;
  readonly tls: boolean;
  readonly service: WsmanService;
  readonly mechanisms: readonly AuthMechanism[];
  readonly events: EmulatorEvents;
  readonly ids: IdSource;
}

let connectionSeq = 0;

export class Pipeline {
  private readonly connections = new WeakMap<Socket, ConnectionState>();

  constructor(private readonly opts: PipelineOptions) {}

  connection(socket: Socket): ConnectionState {
    let state = this.connections.get(socket);
    if (!state) {
      state = {
        info: {
          id: `c${++connectionSeq}`,
          tls: this.opts.tls,
          remoteAddress: socket.remoteAddress ?? '',
          localAddress: socket.localAddress ?? '',
        },
        pending: undefined,
        principal: undefined,
        requests: 0,
      };
      this.connections.set(socket, state);
    }
    return state;
  }

  /** Mechanisms that Service/Auth enables and this emulator implements, in Windows' order. */
  offered(): AuthMechanism[] {
    const auth = this.opts.host.winrm.Service.Auth;
    return this.opts.mechanisms.filter((m) => m.enabled(auth));
  }

  private challengeHeaders(): string[] {
    return this.offered().map((m) => m.challenge());
  }

  private sendUnauthorized(reply: FastifyReply, close: boolean, extra?: string): FastifyReply {
    const headers = extra !== undefined ? [extra] : this.challengeHeaders();
    reply.code(401).header('www-authenticate', headers).header('content-length', '0');
    if (close) reply.header('connection', 'close');
    return reply.send();
  }

  private authFailed(conn: ConnectionState, req: FastifyRequest, reason: string, mechanism?: string): void {
    this.opts.events.emit('auth.failed', { connection: conn.info.id, remoteAddress: conn.info.remoteAddress, mechanism, reason });
    req.log.warn({ event: 'auth.failed', conn: conn.info.id, mechanism, reason }, `auth.failed ${mechanism ?? '-'}: ${reason}`);
  }

  async handle(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { host } = this.opts;
    const conn = this.connection(req.raw.socket);
    conn.requests++;
    const body = (req.body as Buffer | undefined) ?? Buffer.alloc(0);

    // 1. Size: HTTP 413 with no SOAP processing [WSMV 3.1.4.1.20].
    if (body.length > host.winrm.MaxEnvelopeSizekb * 1024) {
      req.log.info({ conn: conn.info.id, bytes: body.length }, `request of ${body.length} bytes over MaxEnvelopeSizekb -> 413`);
      return reply.code(413).header('content-length', '0').header('connection', 'close').send();
    }

    // 2. Authentication.
    const authorization = req.headers.authorization;
    let principal: Principal | undefined;
    if (authorization !== undefined && authorization !== '') {
      const outcome = this.authenticate(conn, req, reply, authorization);
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

    // 3–4. Decode, parse, authorise, dispatch.
    const machine = machineFromHost(req.headers.host, host.computerName);
    let decoded: ReturnType<typeof decodeBody>;
    try {
      decoded = decodeBody(body, req.headers['content-type']);
    } catch (e) {
      if (!(e instanceof WsmanFault)) throw e;
      const xml = renderFault(e, { relatesTo: undefined, messageId: `uuid:${this.opts.ids.uuid()}`, machine });
      return this.sendSoap(reply, 500, xml, 'utf-8');
    }
    const abort = new AbortController();
    const onClose = () => abort.abort();
    req.raw.socket.once('close', onClose);
    try {
      const result = await this.opts.service.handle({
        text: decoded.text,
        principal,
        tls: this.opts.tls,
        machine,
        clientIp: conn.info.remoteAddress,
        signal: abort.signal,
        chunked: req.headers['content-length'] === undefined,
      });
      if (principal === undefined && result.operation !== 'Identify') {
        // The unauthenticated-Identify header does not open anything else.
        return this.sendUnauthorized(reply, false);
      }
      const line = `${result.operation} user=${principal?.displayName ?? '-'} -> ${result.status}${result.fault ? ` ${result.fault}` : ''}`;
      const fields = { conn: conn.info.id, op: result.operation, user: principal?.displayName, status: result.status, fault: result.fault, resourceUri: result.resourceUri, denyReason: result.denyReason };
      if (result.error !== undefined) req.log.error({ ...fields, err: result.error }, line);
      else req.log.info(fields, line);
      return this.sendSoap(reply, result.status, result.xml, decoded.charset);
    } finally {
      req.raw.socket.off('close', onClose);
    }
  }

  private sendSoap(reply: FastifyReply, status: number, xml: string, charset: 'utf-8' | 'utf-16le' | 'utf-16be'): FastifyReply {
    // Answer in the charset of the request (auth.md §1.9); UTF-16 with a BOM.
    let payload: Buffer;
    let type = SOAP_CONTENT_TYPE;
    if (charset === 'utf-8') payload = Buffer.from(xml, 'utf8');
    else {
      const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
      if (charset === 'utf-16be') {
        le.swap16();
      }
      payload = le;
      type = 'application/soap+xml;charset=UTF-16';
    }
    return reply.code(status).header('content-type', type).send(payload);
  }

  private authenticate(
    conn: ConnectionState,
    req: FastifyRequest,
    reply: FastifyReply,
    authorization: string,
  ): { kind: 'replied'; reply: FastifyReply } | { kind: 'ok'; principal: Principal; responseToken: string | undefined } {
    const { host } = this.opts;
    const space = authorization.indexOf(' ');
    const scheme = space < 0 ? authorization : authorization.slice(0, space);
    const token = space < 0 ? '' : authorization.slice(space + 1).trim();
    const mechanism = this.offered().find((m) => m.scheme.toLowerCase() === scheme.toLowerCase());
    if (!mechanism) {
      // A scheme the service does not offer (NTLM, Digest, or one Service/Auth disables): 401
      // with the normal list and Connection: close, as captured (auth.md §1.1, §7).
      const why =
        authorization === CERT_AUTH_HEADER
          ? 'client certificate authentication is not enabled (Service/Auth/Certificate) or not emulated yet'
          : `scheme '${scheme}' is not offered (enabled and emulated: ${this.offered().map((m) => m.scheme).join(', ') || 'none'})`;
      this.authFailed(conn, req, why, scheme);
      return { kind: 'replied', reply: this.sendUnauthorized(reply, true) };
    }
    // Basic travels in clear on HTTP: refused while AllowUnencrypted is false, as on Windows
    // (winrm-config.md §3.3 AllowUnencrypted; auth.md §1.7).
    if (mechanism.name === 'Basic' && !this.opts.tls && !host.winrm.Service.AllowUnencrypted) {
      this.authFailed(conn, req, 'Basic over HTTP is refused while Service/AllowUnencrypted is false (use HTTPS, or set AllowUnencrypted: true)', 'Basic');
      return { kind: 'replied', reply: this.sendUnauthorized(reply, false) };
    }
    let context: AuthContext;
    if (conn.pending && conn.pending.mechanism === mechanism) context = conn.pending.context;
    else {
      context = mechanism.createContext(host, conn.info);
      conn.pending = { mechanism, context };
      conn.principal = undefined;
    }
    const step = context.step(token);
    switch (step.kind) {
      case 'continue':
        return { kind: 'replied', reply: this.sendUnauthorized(reply, false, `${mechanism.scheme} ${step.responseToken}`) };
      case 'failure':
        conn.pending = undefined;
        this.authFailed(conn, req, step.reason, mechanism.name);
        return { kind: 'replied', reply: this.sendUnauthorized(reply, false) };
      case 'success':
        conn.pending = undefined;
        if (step.connectionBound) conn.principal = step.principal;
        this.opts.events.emit('auth.succeeded', { connection: conn.info.id, mechanism: mechanism.name, user: step.principal.displayName });
        return { kind: 'ok', principal: step.principal, responseToken: step.responseToken === undefined ? undefined : `${mechanism.scheme} ${step.responseToken}` };
    }
  }
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
