// A small WS-Management client: what `winrm-emulator winrm …` uses to talk to a running
// emulator or to any WinRM host, with Basic (HTTPS, or HTTP when the host allows unencrypted) or
// Negotiate/NTLM with message encryption over HTTP.
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import { NtlmHttpClient } from './ntlm-http.js';

export interface WsmanClientOptions {
  /** `http(s)://host:port/wsman` */
  readonly endpoint: string;
  readonly auth: 'basic' | 'negotiate' | 'none';
  readonly user?: string;
  readonly password?: string;
  /** Accept any server certificate (-skipCAcheck -skipCNcheck). */
  readonly insecure: boolean;
  readonly timeoutMs?: number;
}

export interface WsmanReply {
  readonly status: number;
  readonly text: string;
}

export interface RequestSpec {
  readonly action: string;
  readonly resourceUri: string;
  readonly selectors?: ReadonlyArray<readonly [string, string]>;
  readonly options?: ReadonlyArray<readonly [string, string]>;
  readonly body?: string;
  readonly maxEnvelopeSize?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function buildEnvelope(endpoint: string, r: RequestSpec): string {
  const selectors = r.selectors?.length ? `<w:SelectorSet>${r.selectors.map(([k, v]) => `<w:Selector Name="${esc(k)}">${esc(v)}</w:Selector>`).join('')}</w:SelectorSet>` : '';
  const options = r.options?.length ? `<w:OptionSet>${r.options.map(([k, v]) => `<w:Option Name="${esc(k)}">${esc(v)}</w:Option>`).join('')}</w:OptionSet>` : '';
  return (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd">' +
    `<s:Header><a:To>${esc(endpoint)}</a:To><w:ResourceURI s:mustUnderstand="true">${esc(r.resourceUri)}</w:ResourceURI>` +
    '<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>' +
    `<a:Action s:mustUnderstand="true">${esc(r.action)}</a:Action><w:MaxEnvelopeSize s:mustUnderstand="true">${r.maxEnvelopeSize ?? 512000}</w:MaxEnvelopeSize>` +
    `<a:MessageID>uuid:${randomUUID().toUpperCase()}</a:MessageID><w:Locale xml:lang="en-US" s:mustUnderstand="false"/><p:DataLocale xml:lang="en-US" s:mustUnderstand="false"/>` +
    `<w:OperationTimeout>PT60.000S</w:OperationTimeout>${selectors}${options}</s:Header><s:Body>${r.body ?? ''}</s:Body></s:Envelope>`
  );
}

export class WsmanClient {
  private ntlm: NtlmHttpClient | undefined;
  private readonly agent: http.Agent;

  constructor(private readonly opts: WsmanClientOptions) {
    const tls = opts.endpoint.startsWith('https:');
    this.agent = tls ? new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: !opts.insecure }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  async post(xml: string, headers: Record<string, string> = {}): Promise<WsmanReply> {
    if (this.opts.auth === 'negotiate') {
      if (!this.ntlm) {
        this.ntlm = new NtlmHttpClient(this.opts.endpoint, { user: this.opts.user ?? '', password: this.opts.password ?? '', spnego: true });
        const legs = await this.ntlm.authenticate();
        const last = legs.at(-1)!;
        if (last.status !== 200) return { status: last.status, text: '' };
      }
      if (this.opts.endpoint.startsWith('https:')) {
        const r = await this.ntlm.plain(xml);
        return { status: r.status, text: r.body.toString('utf8') };
      }
      const r = await this.ntlm.sealed(xml);
      return { status: r.status, text: r.plaintext ?? r.body.toString('utf8') };
    }
    const u = new URL(this.opts.endpoint);
    const mod = u.protocol === 'https:' ? https : http;
    const body = Buffer.from(xml, 'utf8');
    const auth = this.opts.auth === 'basic' ? { authorization: `Basic ${Buffer.from(`${this.opts.user ?? ''}:${this.opts.password ?? ''}`).toString('base64')}` } : {};
    return new Promise((resolve, reject) => {
      const req = mod.request(
        {
          method: 'POST',
          hostname: u.hostname.replace(/^\[|\]$/g, ''),
          port: u.port,
          path: u.pathname + u.search,
          agent: this.agent,
          timeout: this.opts.timeoutMs ?? 90_000,
          headers: { 'content-type': 'application/soap+xml;charset=UTF-8', 'content-length': body.length, 'user-agent': 'Microsoft WinRM Client', ...auth, ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer from ${this.opts.endpoint} in time`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  send(r: RequestSpec, headers?: Record<string, string>): Promise<WsmanReply> {
    return this.post(buildEnvelope(this.opts.endpoint, r), headers);
  }

  close(): void {
    this.ntlm?.close();
    this.agent.destroy();
  }
}
