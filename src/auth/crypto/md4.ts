// MD4 (RFC 1320), written here because Node 20's OpenSSL 3 refuses it without the legacy
// provider (auth.md §2.10) and the NT hash of a password is MD4(UTF-16LE(password)).
const S = [3, 7, 11, 19, 3, 5, 9, 13, 3, 9, 11, 15] as const;

export function md4(input: Uint8Array): Buffer {
  const bitLen = input.length * 8;
  const padLen = ((input.length + 8) >> 6) * 64 + 64;
  const m = new Uint8Array(padLen);
  m.set(input);
  m[input.length] = 0x80;
  const dv = new DataView(m.buffer);
  dv.setUint32(padLen - 8, bitLen >>> 0, true);
  dv.setUint32(padLen - 4, Math.floor(bitLen / 0x100000000), true);
  let a = 0x67452301, b = 0xefcdab89, c = 0x98badcfe, d = 0x10325476;
  const x = new Uint32Array(16);
  const rotl = (v: number, s: number) => ((v << s) | (v >>> (32 - s))) >>> 0;
  for (let off = 0; off < padLen; off += 64) {
    for (let i = 0; i < 16; i++) x[i] = dv.getUint32(off + i * 4, true);
    const aa = a, bb = b, cc = c, dd = d;
    const X = (i: number) => x[i]!;
    // Round 1: F(x,y,z) = (x & y) | (~x & z)
    for (const i of [0, 4, 8, 12]) {
      a = rotl((a + ((b & c) | (~b & d)) + X(i)) >>> 0, S[0]);
      d = rotl((d + ((a & b) | (~a & c)) + X(i + 1)) >>> 0, S[1]);
      c = rotl((c + ((d & a) | (~d & b)) + X(i + 2)) >>> 0, S[2]);
      b = rotl((b + ((c & d) | (~c & a)) + X(i + 3)) >>> 0, S[3]);
    }
    // Round 2: G(x,y,z) = (x & y) | (x & z) | (y & z), + 0x5A827999
    for (const i of [0, 1, 2, 3]) {
      a = rotl((a + ((b & c) | (b & d) | (c & d)) + X(i) + 0x5a827999) >>> 0, S[4]);
      d = rotl((d + ((a & b) | (a & c) | (b & c)) + X(i + 4) + 0x5a827999) >>> 0, S[5]);
      c = rotl((c + ((d & a) | (d & b) | (a & b)) + X(i + 8) + 0x5a827999) >>> 0, S[6]);
      b = rotl((b + ((c & d) | (c & a) | (d & a)) + X(i + 12) + 0x5a827999) >>> 0, S[7]);
    }
    // Round 3: H(x,y,z) = x ^ y ^ z, + 0x6ED9EBA1
    for (const i of [0, 2, 1, 3]) {
      a = rotl((a + (b ^ c ^ d) + X(i) + 0x6ed9eba1) >>> 0, S[8]);
      d = rotl((d + (a ^ b ^ c) + X(i + 8) + 0x6ed9eba1) >>> 0, S[9]);
      c = rotl((c + (d ^ a ^ b) + X(i + 4) + 0x6ed9eba1) >>> 0, S[10]);
      b = rotl((b + (c ^ d ^ a) + X(i + 12) + 0x6ed9eba1) >>> 0, S[11]);
    }
    a = (a + aa) >>> 0;
    b = (b + bb) >>> 0;
    c = (c + cc) >>> 0;
    d = (d + dd) >>> 0;
  }
  const out = Buffer.alloc(16);
  out.writeUInt32LE(a, 0);
  out.writeUInt32LE(b, 4);
  out.writeUInt32LE(c, 8);
  out.writeUInt32LE(d, 12);
  return out;
}

/** NTOWFv1: MD4(UNICODE(password)) [MS-NLMP 3.3.1]. */
export function ntHash(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'));
}
