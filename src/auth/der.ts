// A minimal DER reader and writer: enough for SPNEGO tokens (RFC 4178), the GSS
// InitialContextToken framing (RFC 2743 §3.1) and the signature algorithm of an X.509
// certificate (RFC 5280 §4.1). Only low tag numbers (one identifier byte) occur in these.

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

export interface Tlv {
  /** The identifier byte, e.g. 0x30 SEQUENCE, 0xa0 [0] constructed. */
  readonly tag: number;
  /** Offset of the identifier byte in the buffer it was read from. */
  readonly start: number;
  /** Offset just past the value. */
  readonly end: number;
  readonly value: Buffer;
  /** Identifier, length and value: the exact bytes received. */
  readonly raw: Buffer;
}

/** Reads one TLV at `offset`; bounds-checked, definite lengths only (DER). */
export function readTlv(buf: Buffer, offset = 0): Tlv {
  if (offset + 2 > buf.length) throw new DerError(`truncated DER at offset ${offset}`);
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`high tag number form at offset ${offset} is not supported`);
  let pos = offset + 1;
  const first = buf[pos++]!;
  let length: number;
  if (first < 0x80) length = first;
  else {
    const n = first & 0x7f;
    if (n === 0) throw new DerError('indefinite length is not DER');
    if (n > 4) throw new DerError(`length of ${n} bytes is too large`);
    if (pos + n > buf.length) throw new DerError('truncated DER length');
    length = 0;
    for (let k = 0; k < n; k++) length = length * 256 + buf[pos++]!;
  }
  const end = pos + length;
  if (end > buf.length) throw new DerError(`DER value of ${length} bytes at offset ${offset} runs past the end (${buf.length})`);
  return { tag, start: offset, end, value: buf.subarray(pos, end), raw: buf.subarray(offset, end) };
}

/** All TLVs in `buf`, back to back (the contents of a constructed value). */
export function readAll(buf: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let off = 0;
  while (off < buf.length) {
    const t = readTlv(buf, off);
    out.push(t);
    off = t.end;
  }
  return out;
}

export function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...value: Buffer[]): Buffer {
  const body = Buffer.concat(value);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

export function encodeOid(oid: string): Buffer {
  const parts = oid.split('.').map((p) => Number(p));
  if (parts.length < 2 || parts.some((p) => !Number.isInteger(p) || p < 0)) throw new DerError(`bad OID ${oid}`);
  const bytes: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** The dotted form of an OBJECT IDENTIFIER's value bytes. */
export function decodeOid(value: Buffer): string {
  if (value.length === 0) throw new DerError('empty OID');
  const first = value[0]!;
  const parts = [first < 80 ? Math.floor(first / 40) : 2, first < 80 ? first % 40 : first - 80];
  let acc = 0;
  for (let k = 1; k < value.length; k++) {
    const b = value[k]!;
    acc = acc * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(acc);
      acc = 0;
    }
  }
  return parts.join('.');
}
