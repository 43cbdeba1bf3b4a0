// A raw HTTP(S) client for socket tests: exact headers in, status, headers and bytes out.
import http from 'node:http';
import https from 'node:https';

export interface HttpResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly body: Buffer;
  readonly text: string;
}

export interface HttpOptions {
  readonly method?: string;
  readonly headers?: Record<string, string | string[] | number>;
  readonly body?: string | Buffer;
  readonly agent?: http.Agent | false;
}

export function request(url: string, opts: HttpOptions = {}): Promise<HttpResult> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = mod.request(
      {
        method: opts.method ?? 'POST',
        hostname: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path: u.pathname + u.search,
        headers: { ...(body ? { 'content-length': body.length } : {}), ...(opts.headers ?? {}) },
        agent: opts.agent ?? false,
        rejectUnauthorized: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const b = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: b, text: b.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export const IDENTIFY =
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>';

export const SOAP = { 'content-type': 'application/soap+xml;charset=UTF-8' };
