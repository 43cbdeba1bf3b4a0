// RC4 (ARC4), written here because Node 20's OpenSSL 3 refuses `rc4` without the legacy
// provider (auth.md §2.10). NTLM sealing keeps one continuous keystream per direction for the
// life of the connection (auth.md §3.2), so the cipher is a stateful object; `snapshot`/`restore`
// implement the SPNEGO mechListMIC rule of keeping the keystream position (auth.md §2.7).

export interface Rc4State {
  readonly s: Uint8Array;
  readonly i: number;
  readonly j: number;
}

export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(key: Uint8Array) {
    if (key.length === 0 || key.length > 256) throw new RangeError(`RC4 key must be 1..256 bytes, got ${key.length}`);
    const s = this.s;
    for (let k = 0; k < 256; k++) s[k] = k;
    let j = 0;
    for (let k = 0; k < 256; k++) {
      const sk = s[k]!;
      j = (j + sk + key[k % key.length]!) & 0xff;
      s[k] = s[j]!;
      s[j] = sk;
    }
  }

  /** Encrypts (or decrypts) `data`, continuing the keystream; returns a new buffer. */
  update(data: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(data.length);
    const s = this.s;
    let i = this.i;
    let j = this.j;
    for (let k = 0; k < data.length; k++) {
      i = (i + 1) & 0xff;
      const si = s[i]!;
      j = (j + si) & 0xff;
      const sj = s[j]!;
      s[i] = sj;
      s[j] = si;
      out[k] = data[k]! ^ s[(si + sj) & 0xff]!;
    }
    this.i = i;
    this.j = j;
    return out;
  }

  snapshot(): Rc4State {
    return { s: Uint8Array.from(this.s), i: this.i, j: this.j };
  }

  restore(state: Rc4State): void {
    this.s.set(state.s);
    this.i = state.i;
    this.j = state.j;
  }
}

/** One-shot RC4 with a fresh key schedule (RC4K in MS-NLMP 6). */
export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  return new Rc4(key).update(data);
}
