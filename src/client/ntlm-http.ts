// An NTLM (raw or SPNEGO) HTTP client over one kept-alive connection, with WinRM message
// encryption: what pywinrm's ntlm transport does. Used by the `winrm` command and, byte by byte,
// by the socket tests and the benchmark. Built on the emulator's own sans-I/O initiator.
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { ntHash } from '../auth/crypto/md4.js';
import { NtlmInitiator } from '../auth/ntlm/initiator.js';
import { NtlmMessageSecurity } from '../auth/sealing/ntlm.js';
import type { NtlmSession } from '../auth/ntlm/session.js';
import { buildEncryptedBody, parseEncryptedContentType, unsealBody } from '../auth/sealing/multipart.js';
import { NegState, OID, encodeMechTypes, encodeNegTokenInit, encodeNegTokenResp, parseNegTokenResp } from '../auth/spnego.js';

export const ENCRYPTED_CT = 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"';
const SOAP_CT = 'application/soap+xml;charset=UTF-8';

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** Local port of the TCP connection the answer came on: equal ports = same connection. */
  readonly port: number;
}

export interface NtlmClientOptions {
  readonly user: string;
  readonly password: string;
  readonly domain?: string;
  readonly spnego?: boolean;
  readonly channelBindings?: Buffer;
  readonly flags?: number;
}

export class NtlmHttpClient {
  readonly agent: http.Agent;
  private readonly initiator: NtlmInitiator;
  /** The client side of the context: an initiator NtlmSession in the MessageSecurity shape. */
  security: NtlmMessageSecurity | undefined;
  session: NtlmSession | undefined;

  constructor(
    readonly url: string,
    private readonly opts: NtlmClientOptions,
  ) {
    const tls = url.startsWith('https:');
    this.agent = tls ? new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.initiator = new NtlmInitiator({
      user: opts.user,
      domain: opts.domain ?? '',
      ntHash: ntHash(opts.password),
      now: () => Date.now(),
      randomBytes: (n) => randomBytes(n),
      ...(opts.flags !== undefined ? { flags: opts.flags } : {}),
      ...(opts.channelBindings ? { channelBindings: opts.channelBindings } : {}),
    });
  }

  send(headers: Record<string, string | number>, body: Buffer = Buffer.alloc(0)): Promise<Reply> {
    const u = new URL(this.url);
    const mod = u.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(
        { method: 'POST', hostname: u.hostname, port: u.port, path: u.pathname, agent: this.agent, headers: { 'content-length': body.length, connection: 'Keep-Alive', ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          const port = res.socket.localPort ?? 0;
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), port }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** The three legs pywinrm's setup_encryption sends (auth.md §1.4 A): empty POST, NEGOTIATE, AUTHENTICATE. */
  async authenticate(body: Buffer = Buffer.alloc(0), contentType = SOAP_CT): Promise<Reply[]> {
    const headers = body.length ? { 'content-type': contentType } : {};
    const first = await this.send(headers, body);
    if (first.status !== 401) return [first];
    const negotiate = this.initiator.negotiate();
    const mechTypes = encodeMechTypes([OID.ntlm]);
    const leg2 = this.opts.spnego ? encodeNegTokenInit([OID.ntlm], negotiate) : negotiate;
    const second = await this.send({ ...headers, authorization: `Negotiate ${leg2.toString('base64')}` }, body);
    const value = String(second.headers['www-authenticate'] ?? '');
    if (second.status !== 401 || !value.startsWith('Negotiate ')) return [first, second];
    let challenge: Buffer = Buffer.from(value.slice('Negotiate '.length), 'base64');
    if (this.opts.spnego) challenge = parseNegTokenResp(challenge).responseToken!;
    let leg3: Buffer = this.initiator.authenticate(challenge);
    const session = this.initiator.session!;
    if (this.opts.spnego) {
      const saved = session.snapshot();
      const mic = session.sign(mechTypes);
      session.restore(saved);
      leg3 = encodeNegTokenResp({ negState: NegState.acceptIncomplete, responseToken: leg3, mechListMIC: mic });
    }
    const third = await this.send({ ...headers, authorization: `Negotiate ${leg3.toString('base64')}` }, body);
    if (this.opts.spnego && third.status === 200) {
      const done = parseNegTokenResp(Buffer.from(String(third.headers['www-authenticate']).slice('Negotiate '.length), 'base64'));
      const saved = session.snapshot();
      session.verify(mechTypes, done.mechListMIC!);
      session.restore(saved);
    }
    this.session = session;
    this.security = new NtlmMessageSecurity(session);
    return [first, second, third];
  }

  /** Seal `xml`, POST it without Authorization, unseal the answer when it is sealed. */
  async sealed(xml: string | Buffer, tamper?: (body: Buffer) => void): Promise<Reply & { readonly plaintext: string | undefined }> {
    if (!this.security) throw new Error('authenticate() first');
    const body = buildEncryptedBody(this.security, Buffer.isBuffer(xml) ? xml : Buffer.from(xml), SOAP_CT);
    tamper?.(body);
    const r = await this.send({ 'content-type': ENCRYPTED_CT }, body);
    const ct = parseEncryptedContentType(String(r.headers['content-type'] ?? ''));
    const plaintext = ct && r.body.length ? unsealBody(this.security, r.body, ct).plaintext.toString('utf8') : undefined;
    return { ...r, plaintext };
  }

  plain(xml: string): Promise<Reply> {
    return this.send({ 'content-type': SOAP_CT }, Buffer.from(xml));
  }

  close(): void {
    this.agent.destroy();
  }
}
