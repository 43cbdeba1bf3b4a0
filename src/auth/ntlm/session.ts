// NTLM session security [MS-NLMP 3.4]: signing and sealing after authentication, with one RC4
// stream and one sequence number per direction, continuous for the life of the connection
// (auth.md §3.2). Without ESS (NTLMv1 contexts only) one RC4 handle and one counter serve both
// directions [MS-NLMP 3.4.4.1; pyspnego `_ntlm.py`].
import { timingSafeEqual } from 'node:crypto';
import { Rc4, type Rc4State } from '../crypto/rc4.js';
import { crc32 } from '../crypto/crc32.js';
import { hmacMd5, sealKey, signKey, type Direction } from './crypto.js';
import { NegotiateFlags } from './messages.js';

export class NtlmSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NtlmSignatureError';
  }
}

export type NtlmRole = 'acceptor' | 'initiator';

interface Stream {
  readonly rc4: Rc4;
  readonly signKey: Buffer | undefined;
  seq: { n: number };
}

export interface NtlmSessionState {
  readonly out: Rc4State;
  readonly in: Rc4State;
}

export class NtlmSession {
  private readonly out: Stream;
  private readonly in: Stream;

  constructor(
    readonly flags: number,
    readonly exportedSessionKey: Buffer,
    role: NtlmRole,
  ) {
    const mine: Direction = role === 'acceptor' ? 'server' : 'client';
    const theirs: Direction = role === 'acceptor' ? 'client' : 'server';
    if (flags & NegotiateFlags.EXTENDED_SESSIONSECURITY) {
      this.out = { rc4: new Rc4(sealKey(flags, exportedSessionKey, mine)), signKey: signKey(flags, exportedSessionKey, mine), seq: { n: 0 } };
      this.in = { rc4: new Rc4(sealKey(flags, exportedSessionKey, theirs)), signKey: signKey(flags, exportedSessionKey, theirs), seq: { n: 0 } };
    } else {
      const shared: Stream = { rc4: new Rc4(sealKey(flags, exportedSessionKey, mine)), signKey: undefined, seq: { n: 0 } };
      this.out = shared;
      this.in = shared;
    }
  }

  /** Whether the client negotiated confidentiality (NTLMSSP_NEGOTIATE_SEAL). */
  get canSeal(): boolean {
    return (this.flags & NegotiateFlags.SEAL) !== 0;
  }

  private mac(s: Stream, message: Uint8Array): Buffer {
    const seq = s.seq.n;
    s.seq.n = (s.seq.n + 1) >>> 0;
    const sig = Buffer.alloc(16);
    sig.writeUInt32LE(1, 0);
    if (!(this.flags & NegotiateFlags.SIGN)) return sig; // ALWAYS_SIGN without integrity: a dummy signature, as SSPI does
    if (s.signKey) {
      const seqBytes = Buffer.alloc(4);
      seqBytes.writeUInt32LE(seq, 0);
      let checksum = hmacMd5(s.signKey, seqBytes, message).subarray(0, 8);
      if (this.flags & NegotiateFlags.KEY_EXCH) checksum = s.rc4.update(checksum);
      checksum.copy(sig, 4);
      seqBytes.copy(sig, 12);
      return sig;
    }
    // MAC without ESS: RC4(pad) ‖ RC4(CRC32) ‖ RC4(0) xor seq, pad then zeroed.
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(crc32(message), 0);
    s.rc4.update(Buffer.alloc(4));
    s.rc4.update(crc).copy(sig, 8);
    const seqMask = s.rc4.update(Buffer.alloc(4)).readUInt32LE(0);
    sig.writeUInt32LE((seqMask ^ seq) >>> 0, 12);
    return sig;
  }

  /** GSS_GetMIC on the outgoing stream. */
  sign(message: Uint8Array): Buffer {
    return this.mac(this.out, message);
  }

  /** GSS_VerifyMIC on the incoming stream; throws NtlmSignatureError. */
  verify(message: Uint8Array, signature: Uint8Array): void {
    const expected = this.mac(this.in, message);
    if (signature.length !== 16 || !timingSafeEqual(expected, signature)) throw new NtlmSignatureError('NTLM signature mismatch');
  }

  /** GSS_WrapEx: seal the whole message first, then sign it with the same continuing stream. */
  seal(plaintext: Uint8Array): { sealed: Buffer; signature: Buffer } {
    const sealed = this.out.rc4.update(plaintext);
    return { sealed, signature: this.mac(this.out, plaintext) };
  }

  /** GSS_UnwrapEx; throws NtlmSignatureError when the signature does not match. */
  unseal(sealed: Uint8Array, signature: Uint8Array): Buffer {
    const plaintext = this.in.rc4.update(sealed);
    this.verify(plaintext, signature);
    return plaintext;
  }

  /** RC4 positions, for the SPNEGO mechListMIC rule (auth.md §2.7). */
  snapshot(): NtlmSessionState {
    return { out: this.out.rc4.snapshot(), in: this.in.rc4.snapshot() };
  }

  restore(state: NtlmSessionState): void {
    this.out.rc4.restore(state.out);
    if (this.in !== this.out) this.in.rc4.restore(state.in);
  }
}
