// A minimal HTTP/1.1 client over one kept-alive socket, for the load generator: it writes the
// request bytes itself and reads Content-Length (or chunked) answers, so the generator spends its
// core on as little as possible and the server under test is what limits the figure (node:http's
// client costs several times more per request). One request in flight at a time (closed loop).
// Loopback targets only.
import net from 'node:net';
import tls from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';
import type { Reply } from '../../src/client/ntlm-http.js';

export function assertLoopback(url: string): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (!(host === 'localhost' || host === '::1' || /^127\./.test(host))) throw new Error(`refusing to load-test ${host}: loopback only`);
}

const CRLF2 = Buffer.from('\r\n\r\n');

export class RawHttpConnection {
  private readonly u: URL;
  private socket: net.Socket | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private pending: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;
  private readonly prefix: string;
  /** Bytes of response bodies read so far. */
  bytesIn = 0;

  constructor(url: string) {
    assertLoopback(url);
    this.u = new URL(url);
    this.prefix = `POST ${this.u.pathname} HTTP/1.1\r\nHost: ${this.u.host}\r\n`;
  }

  private connect(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const port = Number(this.u.port);
      const host = this.u.hostname.replace(/^\[|\]$/g, '');
      const s: net.Socket =
        this.u.protocol === 'https:' ? tls.connect({ host, port, rejectUnauthorized: false, servername: 'localhost' }, () => resolve(s)) : net.connect({ host, port }, () => resolve(s));
      s.setNoDelay(true);
      s.on('data', (d: Buffer) => this.onData(d));
      s.on('error', (e) => {
        reject(e);
        this.fail(e);
      });
      s.on('close', () => {
        if (this.socket === s) this.socket = undefined;
        this.fail(new Error('connection closed by the server'));
      });
    });
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = undefined;
    this.buf = Buffer.alloc(0);
    this.parts = [];
    this.awaiting = 0;
    p?.reject(e);
  }

  /** Body bytes still to come for a Content-Length answer whose head is read: chunks wait here. */
  private awaiting = 0;
  private parts: Buffer[] = [];

  private onData(d: Buffer): void {
    if (this.awaiting > 0) {
      // A large body arriving in TLS records: collect, and join once (not once per record).
      this.parts.push(d);
      this.awaiting -= d.length;
      if (this.awaiting > 0) return;
      d = Buffer.concat(this.parts);
      this.parts = [];
      this.awaiting = 0;
    }
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    if (!this.pending) return;
    const end = this.buf.indexOf(CRLF2);
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end);
    const lines = head.split('\r\n');
    const status = Number(lines[0]!.slice(9, 12));
    const headers: IncomingHttpHeaders = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const c = line.indexOf(':');
      const k = line.slice(0, c).toLowerCase();
      const v = line.slice(c + 1).trim();
      const prev = headers[k];
      if (prev === undefined) headers[k] = v;
      else if (Array.isArray(prev)) prev.push(v);
      else headers[k] = [prev, v] as never;
    }
    let body: Buffer;
    let consumed: number;
    const start = end + 4;
    if (headers['transfer-encoding'] === 'chunked') {
      const parts: Buffer[] = [];
      let off = start;
      for (;;) {
        const nl = this.buf.indexOf('\r\n', off);
        if (nl < 0) return;
        const size = parseInt(this.buf.toString('latin1', off, nl), 16);
        if (this.buf.length < nl + 2 + size + 2) return;
        if (size === 0) {
          consumed = nl + 4;
          break;
        }
        parts.push(this.buf.subarray(nl + 2, nl + 2 + size));
        off = nl + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      const len = Number(headers['content-length'] ?? 0);
      if (this.buf.length < start + len) {
        this.awaiting = start + len - this.buf.length;
        this.parts = [this.buf];
        this.buf = Buffer.alloc(0);
        return;
      }
      body = this.buf.subarray(start, start + len);
      consumed = start + len;
    }
    this.buf = this.buf.length === consumed ? Buffer.alloc(0) : this.buf.subarray(consumed);
    this.bytesIn += body.length;
    const p = this.pending;
    this.pending = undefined;
    if (String(headers.connection ?? '').toLowerCase() === 'close') {
      this.socket?.destroy();
      this.socket = undefined;
    }
    p.resolve({ status, headers, body, port: this.socket?.localPort ?? 0 });
  }

  async request(headers: Record<string, string | number>, body: Buffer): Promise<Reply> {
    if (this.pending) throw new Error('one request at a time');
    this.socket ??= await this.connect();
    let head = this.prefix;
    for (const k in headers) head += `${k}: ${headers[k]}\r\n`;
    head += `Content-Length: ${body.length}\r\n\r\n`;
    return new Promise<Reply>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket!.write(body.length ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1'));
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}
