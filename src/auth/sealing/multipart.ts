// The multipart/encrypted body of MS-WSMV 2.2.9.1 (auth.md §3.1), parsed by lengths, never by
// searching for the boundary (ciphertext can contain anything):
//
//   --Encrypted Boundary\r\n
//   \tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n
//   \tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=<plaintext length>\r\n
//   --Encrypted Boundary\r\n
//   \tContent-Type: application/octet-stream\r\n
//   <u32 LE header length><header><data: Length bytes>--Encrypted Boundary--\r\n
//
// Accepted on input: header lines with or without the tab, optional whitespace between `--` and
// the boundary, an optional CRLF before the closing boundary, several blocks
// (multipart/x-multi-encrypted). Sent: exactly the layout above, tabs included (pywinrm 0.3.0
// only strips the tabbed octet-stream line).
import { SealingError, type MessageSecurity } from './types.js';

export const ENCRYPTED_BOUNDARY = 'Encrypted Boundary';

export interface EncryptedContentType {
  /** `multipart/x-multi-encrypted` (CredSSP chunks) rather than `multipart/encrypted`. */
  readonly multi: boolean;
  readonly protocol: string;
  readonly boundary: string;
}

function param(ct: string, name: string): string | undefined {
  const re = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i');
  const m = re.exec(ct);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The parts of an encrypted Content-Type, or undefined when the body is not encrypted. */
export function parseEncryptedContentType(contentType: string | undefined): EncryptedContentType | undefined {
  if (contentType === undefined) return undefined;
  // Every plaintext request passes here: settle `application/soap+xml` on its first letter.
  const first = contentType.trimStart().charCodeAt(0) | 0x20;
  if (first !== 0x6d /* m */) return undefined;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'multipart/encrypted' && type !== 'multipart/x-multi-encrypted') return undefined;
  return { multi: type === 'multipart/x-multi-encrypted', protocol: param(contentType, 'protocol') ?? '', boundary: param(contentType, 'boundary') ?? ENCRYPTED_BOUNDARY };
}

export function encryptedContentType(protocol: string, multi = false): string {
  return `${multi ? 'multipart/x-multi-encrypted' : 'multipart/encrypted'};protocol="${protocol}";boundary="${ENCRYPTED_BOUNDARY}"`;
}

export interface EncryptedBlock {
  readonly protocol: string;
  /** `type=` of OriginalContent, e.g. `application/soap+xml`. */
  readonly originalType: string;
  /** `charset=` of OriginalContent, e.g. `UTF-8`; undefined when absent. */
  readonly charset: string | undefined;
  /** `Length=`: the plaintext length. */
  readonly length: number;
  /** The security header (NTLM signature, Kerberos token header). */
  readonly header: Buffer;
  readonly data: Buffer;
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  /** One CRLF-terminated line (latin1), or throws. */
  line(what: string): string {
    const end = this.buf.indexOf('\r\n', this.pos, 'latin1');
    if (end < 0 || end - this.pos > 1024) throw new SealingError(`encrypted body: expected ${what} at byte ${this.pos}`);
    const s = this.buf.toString('latin1', this.pos, end);
    this.pos = end + 2;
    return s;
  }

  startsWith(s: string): boolean {
    return this.buf.toString('latin1', this.pos, this.pos + s.length) === s;
  }

  take(n: number, what: string): Buffer {
    if (this.pos + n > this.buf.length) throw new SealingError(`encrypted body: ${what} of ${n} bytes runs past the end (${this.buf.length - this.pos} left)`);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

/** Matches `--<ws>boundary`, returning what follows it on the line ('' or '--'). */
function boundaryLine(line: string, boundary: string): string | undefined {
  if (!line.startsWith('--')) return undefined;
  const rest = line.slice(2).trimStart();
  if (!rest.startsWith(boundary)) return undefined;
  return rest.slice(boundary.length).trim();
}

function header(line: string): [string, string] | undefined {
  const colon = line.indexOf(':');
  if (colon < 0) return undefined;
  return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
}

/** Parses every block of an encrypted body; throws SealingError on anything malformed. */
export function parseEncryptedBody(body: Buffer, boundary: string = ENCRYPTED_BOUNDARY): EncryptedBlock[] {
  const r = new Reader(body);
  const blocks: EncryptedBlock[] = [];
  if (boundaryLine(r.line('the opening boundary'), boundary) !== '') throw new SealingError('encrypted body does not start with the boundary');
  for (;;) {
    let protocol: string | undefined;
    let original: string | undefined;
    for (;;) {
      const l = r.line('a part header');
      const b = boundaryLine(l, boundary);
      if (b !== undefined) {
        if (b !== '') throw new SealingError('encrypted body ends before its octet-stream part');
        break;
      }
      const h = header(l);
      if (!h) throw new SealingError(`encrypted body: malformed header line '${l.slice(0, 80)}'`);
      if (h[0] === 'content-type') protocol = h[1];
      else if (h[0] === 'originalcontent') original = h[1];
    }
    if (protocol === undefined) throw new SealingError('encrypted body: the first part has no Content-Type');
    if (original === undefined) throw new SealingError('encrypted body: no OriginalContent header');
    const lengthText = /(?:^|;)\s*Length\s*=\s*(\d+)/i.exec(original)?.[1];
    if (lengthText === undefined) throw new SealingError('encrypted body: OriginalContent has no Length');
    const length = Number(lengthText);
    const originalType = original.split(';', 1)[0]!.replace(/^\s*type\s*=\s*/i, '').trim();
    const charset = /(?:^|;)\s*charset\s*=\s*"?([^";\s]+)/i.exec(original)?.[1];
    const octet = header(r.line('the octet-stream Content-Type'));
    if (!octet || octet[0] !== 'content-type' || octet[1].toLowerCase() !== 'application/octet-stream') throw new SealingError('encrypted body: the second part is not application/octet-stream');
    const headerLen = r.take(4, 'the header length').readUInt32LE(0);
    if (headerLen > 1024) throw new SealingError(`encrypted body: security header of ${headerLen} bytes`);
    const hdr = r.take(headerLen, 'the security header');
    const data = r.take(length, 'the encrypted data (OriginalContent Length)');
    blocks.push({ protocol, originalType, charset, length, header: Buffer.from(hdr), data: Buffer.from(data) });
    if (r.startsWith('\r\n')) r.pos += 2;
    const next = boundaryLine(r.line('a boundary after the encrypted data'), boundary);
    if (next === '--') break;
    if (next !== '') throw new SealingError('encrypted body: no boundary after the encrypted data');
  }
  if (r.pos !== body.length && body.subarray(r.pos).some((b) => b !== 0x0d && b !== 0x0a && b !== 0x20 && b !== 0x09)) {
    throw new SealingError(`encrypted body: ${body.length - r.pos} bytes after the closing boundary`);
  }
  return blocks;
}

/** `application/soap+xml;charset=UTF-8` → the OriginalContent value for `length` bytes. */
function originalContent(contentType: string, length: number): string {
  const [type, ...params] = contentType.split(';').map((p) => p.trim());
  return `type=${type};${params.map((p) => `${p};`).join('')}Length=${length}`;
}

export function buildEncryptedBody(security: MessageSecurity, plaintext: Buffer, contentType: string): Buffer {
  const { header: sig, data } = security.wrap(plaintext);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(sig.length, 0);
  const b = `--${ENCRYPTED_BOUNDARY}\r\n`;
  return Buffer.concat([
    Buffer.from(`${b}\tContent-Type: ${security.protocol}\r\n\tOriginalContent: ${originalContent(contentType, plaintext.length)}\r\n${b}\tContent-Type: application/octet-stream\r\n`, 'latin1'),
    len,
    sig,
    data,
    Buffer.from(`--${ENCRYPTED_BOUNDARY}--\r\n`, 'latin1'),
  ]);
}

export interface UnsealedBody {
  readonly plaintext: Buffer;
  /** A Content-Type for the plaintext, rebuilt from OriginalContent. */
  readonly contentType: string;
}

/** Parse and unwrap an encrypted body with the connection's context; throws SealingError. */
export function unsealBody(security: MessageSecurity, body: Buffer, ct: EncryptedContentType): UnsealedBody {
  if (ct.protocol.toLowerCase() !== security.protocol.toLowerCase()) throw new SealingError(`protocol '${ct.protocol}' does not match the connection's context (${security.protocol})`);
  const blocks = parseEncryptedBody(body, ct.boundary);
  const parts: Buffer[] = [];
  for (const block of blocks) {
    if (block.protocol.toLowerCase() !== security.protocol.toLowerCase()) throw new SealingError(`part Content-Type '${block.protocol}' does not match ${security.protocol}`);
    const plain = security.unwrap(block.header, block.data);
    if (plain.length !== block.length) throw new SealingError(`unsealed ${plain.length} bytes where OriginalContent says ${block.length}`);
    parts.push(plain);
  }
  const first = blocks[0]!;
  return { plaintext: parts.length === 1 ? parts[0]! : Buffer.concat(parts), contentType: `${first.originalType}${first.charset !== undefined ? `;charset=${first.charset}` : ''}` };
}
