// Kerberos encryption for the AES enctypes (RFC 3961 simplified profile, RFC 3962):
// aes128-cts-hmac-sha1-96 (17) and aes256-cts-hmac-sha1-96 (18), over node:crypto.
//
//   n-fold                   RFC 3961 §5.1
//   DK(key, constant)        RFC 3961 §5.1: E(key, n-fold(constant)) iterated, AES with IV 0
//   Ke / Ki = DK(base, usage ‖ 0xAA / 0x55)
//   encrypt = CTS(Ke, confounder ‖ plaintext) ‖ HMAC-SHA1(Ki, confounder ‖ plaintext)[0..12]
//   CTS = CBC with IV 0 and ciphertext stealing (the last two blocks swapped, RFC 3962 §5)
//
// Used to read the keys of a context MIT has already validated (ticket, authenticator, AP-REP)
// and for RFC 4121 message wrapping (docs/decisions/0003-kerberos-wrap.md).
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';

export const ETYPE = { aes128: 17, aes256: 18 } as const;

/** Key length in bytes for the enctypes implemented here; undefined for others (RC4, DES3, RFC 8009). */
export function keyLength(etype: number): number | undefined {
  if (etype === ETYPE.aes128) return 16;
  if (etype === ETYPE.aes256) return 32;
  return undefined;
}

export function etypeName(etype: number): string {
  const names: Record<number, string> = {
    1: 'des-cbc-crc',
    3: 'des-cbc-md5',
    16: 'des3-cbc-sha1',
    17: 'aes128-cts-hmac-sha1-96',
    18: 'aes256-cts-hmac-sha1-96',
    19: 'aes128-cts-hmac-sha256-128',
    20: 'aes256-cts-hmac-sha384-192',
    23: 'rc4-hmac',
    24: 'rc4-hmac-exp',
    25: 'camellia128-cts-cmac',
    26: 'camellia256-cts-cmac',
  };
  return names[etype] ?? `etype ${etype}`;
}

export class KerberosCryptoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KerberosCryptoError';
  }
}

export interface EncryptionKey {
  readonly etype: number;
  readonly value: Buffer;
}

const BLOCK = 16;
const MAC_LENGTH = 12;

function aesName(key: Buffer, mode: 'cbc' | 'ecb'): string {
  if (key.length === 16) return `aes-128-${mode}`;
  if (key.length === 32) return `aes-256-${mode}`;
  throw new KerberosCryptoError(`AES key of ${key.length} bytes`);
}

function cbc(key: Buffer, data: Buffer, decrypt: boolean): Buffer {
  const iv = Buffer.alloc(BLOCK);
  const c = decrypt ? createDecipheriv(aesName(key, 'cbc'), key, iv) : createCipheriv(aesName(key, 'cbc'), key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

function ecbBlock(key: Buffer, block: Buffer, decrypt: boolean): Buffer {
  const c = decrypt ? createDecipheriv(aesName(key, 'ecb'), key, null) : createCipheriv(aesName(key, 'ecb'), key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

/** AES-CBC with IV 0 and ciphertext stealing (RFC 3962 §5); input at least one block. */
export function ctsEncrypt(key: Buffer, plaintext: Buffer): Buffer {
  if (plaintext.length < BLOCK) throw new KerberosCryptoError(`CTS needs at least ${BLOCK} bytes (got ${plaintext.length})`);
  if (plaintext.length === BLOCK) return cbc(key, plaintext, false);
  const padded = Buffer.alloc(Math.ceil(plaintext.length / BLOCK) * BLOCK);
  plaintext.copy(padded);
  const c = cbc(key, padded, false);
  const n = c.length / BLOCK;
  const lastLen = plaintext.length - (n - 1) * BLOCK;
  // C1 … C(n-2) ‖ Cn ‖ first lastLen bytes of C(n-1)
  return Buffer.concat([c.subarray(0, (n - 2) * BLOCK), c.subarray((n - 1) * BLOCK), c.subarray((n - 2) * BLOCK, (n - 2) * BLOCK + lastLen)]);
}

export function ctsDecrypt(key: Buffer, ciphertext: Buffer): Buffer {
  if (ciphertext.length < BLOCK) throw new KerberosCryptoError(`CTS ciphertext of ${ciphertext.length} bytes is shorter than a block`);
  if (ciphertext.length === BLOCK) return cbc(key, ciphertext, true);
  const n = Math.ceil(ciphertext.length / BLOCK);
  const lastLen = ciphertext.length - (n - 1) * BLOCK;
  const head = ciphertext.subarray(0, (n - 2) * BLOCK);
  const swapped = ciphertext.subarray((n - 2) * BLOCK, (n - 1) * BLOCK); // the real Cn
  const tail = ciphertext.subarray((n - 1) * BLOCK); // first lastLen bytes of C(n-1)
  const d = ecbBlock(key, swapped, true); // Pn ⊕ C(n-1), padded
  const prev = Buffer.concat([tail, d.subarray(lastLen)]); // the whole C(n-1)
  const last = Buffer.alloc(lastLen);
  for (let i = 0; i < lastLen; i++) last[i] = d[i]! ^ tail[i]!;
  const front = cbc(key, Buffer.concat([head, prev]), true);
  return Buffer.concat([front, last]);
}

/** RFC 3961 §5.1 n-fold of `input` to `bytes` bytes. */
export function nfold(input: Buffer, bytes: number): Buffer {
  const inLen = input.length;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const lcm = (inLen * bytes) / gcd(inLen, bytes);
  const big = Buffer.alloc(lcm);
  const rotateRight = (buf: Buffer, bits: number): Buffer => {
    const len = buf.length;
    const byteShift = Math.floor(bits / 8) % len;
    const rem = bits % 8;
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) {
      const a = buf[(i - byteShift + len * 2) % len]!;
      const b = buf[(i - byteShift - 1 + len * 2) % len]!;
      out[i] = ((a >> rem) | ((b << (8 - rem)) & 0xff)) & 0xff;
    }
    return out;
  };
  for (let i = 0; i < lcm / inLen; i++) rotateRight(input, 13 * i).copy(big, i * inLen);
  // One's-complement addition of the lcm/bytes slices, with end-around carry.
  let acc = Array.from(big.subarray(0, bytes));
  for (let off = bytes; off < lcm; off += bytes) {
    let v = acc.map((x, i) => x + big[off + i]!);
    while (v.some((x) => x > 0xff)) v = v.map((_, i) => (v[(i + 1) % bytes]! >> 8) + (v[i]! & 0xff));
    acc = v;
  }
  return Buffer.from(acc);
}

/** DK(base, constant) for AES (random-to-key is the identity). */
export function deriveKey(base: Buffer, constant: Buffer): Buffer {
  const folded = nfold(constant, BLOCK);
  const out: Buffer[] = [];
  let block = folded;
  let have = 0;
  while (have < base.length) {
    block = ecbBlock(base, block, false);
    out.push(block);
    have += block.length;
  }
  return Buffer.concat(out).subarray(0, base.length);
}

function usageConstant(usage: number, suffix: number): Buffer {
  const b = Buffer.alloc(5);
  b.writeUInt32BE(usage >>> 0, 0);
  b[4] = suffix;
  return b;
}

function checkKey(key: EncryptionKey): void {
  const len = keyLength(key.etype);
  if (len === undefined) throw new KerberosCryptoError(`${etypeName(key.etype)} is not implemented (only AES: aes128/aes256-cts-hmac-sha1-96)`);
  if (key.value.length !== len) throw new KerberosCryptoError(`${etypeName(key.etype)} key of ${key.value.length} bytes (expected ${len})`);
}

/** Per-usage keys; derivation is cached per key object since wrap uses the same two usages all the time. */
const derived = new WeakMap<Buffer, Map<string, Buffer>>();
function usageKey(key: EncryptionKey, usage: number, suffix: number): Buffer {
  let m = derived.get(key.value);
  if (!m) derived.set(key.value, (m = new Map()));
  const id = `${usage}:${suffix}`;
  let k = m.get(id);
  if (!k) m.set(id, (k = deriveKey(key.value, usageConstant(usage, suffix))));
  return k;
}

/** RFC 3961 encrypt: confounder (16 random bytes, given by the caller) ‖ plaintext, CTS, then the HMAC. */
export function encrypt(key: EncryptionKey, usage: number, plaintext: Buffer, confounder: Buffer): Buffer {
  checkKey(key);
  if (confounder.length !== BLOCK) throw new KerberosCryptoError(`confounder of ${confounder.length} bytes`);
  const data = Buffer.concat([confounder, plaintext]);
  const mac = createHmac('sha1', usageKey(key, usage, 0x55)).update(data).digest().subarray(0, MAC_LENGTH);
  return Buffer.concat([ctsEncrypt(usageKey(key, usage, 0xaa), data), mac]);
}

/** RFC 3961 decrypt; throws KerberosCryptoError when the integrity check fails. Returns the plaintext without the confounder. */
export function decrypt(key: EncryptionKey, usage: number, ciphertext: Buffer): Buffer {
  checkKey(key);
  if (ciphertext.length < BLOCK + MAC_LENGTH) throw new KerberosCryptoError(`ciphertext of ${ciphertext.length} bytes is too short`);
  const body = ciphertext.subarray(0, ciphertext.length - MAC_LENGTH);
  const mac = ciphertext.subarray(ciphertext.length - MAC_LENGTH);
  const data = ctsDecrypt(usageKey(key, usage, 0xaa), body);
  const expected = createHmac('sha1', usageKey(key, usage, 0x55)).update(data).digest().subarray(0, MAC_LENGTH);
  if (!timingSafeEqual(expected, mac)) throw new KerberosCryptoError(`integrity check failed (key usage ${usage})`);
  return data.subarray(BLOCK);
}
