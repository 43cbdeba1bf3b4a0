// RFC 4121 §4.2 wrap tokens for the acceptor, in the IOV layout WinRM uses (auth.md §3.3):
//
//   token header (16)  05 04 · flags · ff · EC (u16) · RRC (u16) · SND_SEQ (u64), all big-endian
//   E(confounder ‖ plaintext ‖ filler(EC) ‖ header copy with RRC 0) ‖ HMAC-96, rotated right by RRC
//
// With AES, EC = 0 and RRC = 28 (16-byte header copy + 12-byte HMAC), so WinRM's "header" part is
// the first 60 bytes (token header ‖ the rotated 28 ‖ the confounder block) and its "data" part is
// exactly as long as the plaintext, as MIT's gss_wrap_iov([HEADER, DATA, PADDING]) produces and
// SSPI's EncryptMessage does. Key usages: acceptor seal 22, initiator seal 24 (RFC 4121 §2).
import { SealingError, type MessageSecurity } from '../sealing/types.js';
import { KerberosCryptoError, decrypt, encrypt, type EncryptionKey } from './crypto.js';
import { GSS_FLAG } from './messages.js';

export const KG_USAGE = { acceptorSeal: 22, acceptorSign: 23, initiatorSeal: 24, initiatorSign: 25 } as const;
const FLAG = { sentByAcceptor: 1, sealed: 2, acceptorSubkey: 4 } as const;
const HEADER = 16;
/** Right rotation count WinRM uses so the trailer travels in the header buffer (16 + 12). */
export const WINRM_RRC = 28;

export interface Krb5ContextKeys {
  /** The key wrap tokens use: the acceptor subkey, else the initiator subkey, else the session key. */
  readonly key: EncryptionKey;
  /** Whether `key` is the acceptor's subkey (flag bit 2 in every wrap token). */
  readonly acceptorSubkey: boolean;
  /** The initiator's first sequence number (authenticator seq-number). */
  readonly initiatorSeq: number;
  /** Ours (AP-REP seq-number). */
  readonly acceptorSeq: number;
  /** GSS flags the initiator asked for (authenticator checksum). */
  readonly gssFlags: number;
}

function rotateRight(buf: Buffer, n: number): Buffer {
  if (buf.length === 0) return buf;
  const k = n % buf.length;
  return k === 0 ? buf : Buffer.concat([buf.subarray(buf.length - k), buf.subarray(0, buf.length - k)]);
}

function rotateLeft(buf: Buffer, n: number): Buffer {
  if (buf.length === 0) return buf;
  const k = n % buf.length;
  return k === 0 ? buf : Buffer.concat([buf.subarray(k), buf.subarray(0, k)]);
}

/** One established krb5 context's per-message state: two sequence counters and the key. */
export class Krb5WrapContext {
  private sendSeq: bigint;
  private recvSeq: bigint;

  constructor(
    readonly keys: Krb5ContextKeys,
    private readonly randomBytes: (n: number) => Buffer,
  ) {
    this.sendSeq = BigInt(keys.acceptorSeq >>> 0);
    this.recvSeq = BigInt(keys.initiatorSeq >>> 0);
  }

  /** A sealed wrap token from the acceptor, split as WinRM sends it. */
  wrap(plaintext: Buffer, rrc: number = WINRM_RRC): { header: Buffer; data: Buffer } {
    const header = Buffer.alloc(HEADER);
    header.writeUInt16BE(0x0504, 0);
    header[2] = FLAG.sentByAcceptor | FLAG.sealed | (this.keys.acceptorSubkey ? FLAG.acceptorSubkey : 0);
    header[3] = 0xff;
    header.writeUInt16BE(0, 4); // EC: AES-CTS needs no filler
    header.writeUInt16BE(0, 6); // RRC 0 in the encrypted copy
    header.writeBigUInt64BE(this.sendSeq, 8);
    this.sendSeq = (this.sendSeq + 1n) & 0xffffffffffffffffn;
    const cipher = encrypt(this.keys.key, KG_USAGE.acceptorSeal, Buffer.concat([plaintext, header]), this.randomBytes(16));
    const sent = Buffer.from(header);
    sent.writeUInt16BE(rrc, 6);
    const token = Buffer.concat([sent, rotateRight(cipher, rrc)]);
    const headerLength = token.length - plaintext.length;
    return { header: token.subarray(0, headerLength), data: token.subarray(headerLength) };
  }

  /** Unwraps a sealed token from the initiator given as WinRM's header and data parts. */
  unwrap(headerPart: Buffer, data: Buffer): Buffer {
    if (headerPart.length < HEADER) throw new SealingError(`Kerberos wrap header of ${headerPart.length} bytes`);
    const tokId = headerPart.readUInt16BE(0);
    if (tokId !== 0x0504) throw new SealingError(`not an RFC 4121 wrap token (TOK_ID ${tokId.toString(16).padStart(4, '0')}; RC4/RFC 1964 tokens are not emulated)`);
    const flags = headerPart[2]!;
    if (flags & FLAG.sentByAcceptor) throw new SealingError('wrap token was sent by the acceptor (reflected)');
    if (!(flags & FLAG.sealed)) throw new SealingError('wrap token is not sealed (integrity only)');
    if (Boolean(flags & FLAG.acceptorSubkey) !== this.keys.acceptorSubkey) throw new SealingError('wrap token names a different key (AcceptorSubkey flag)');
    if (headerPart[3] !== 0xff) throw new SealingError('wrap token filler byte is not 0xff');
    const ec = headerPart.readUInt16BE(4);
    const rrc = headerPart.readUInt16BE(6);
    const seq = headerPart.readBigUInt64BE(8);
    const body = rotateLeft(Buffer.concat([headerPart.subarray(HEADER), data]), rrc);
    let plain: Buffer;
    try {
      plain = decrypt(this.keys.key, KG_USAGE.initiatorSeal, body);
    } catch (e) {
      if (e instanceof KerberosCryptoError) throw new SealingError(`Kerberos unwrap failed: ${e.message}`);
      throw e;
    }
    if (plain.length < HEADER + ec) throw new SealingError('Kerberos wrap token too short');
    const copy = plain.subarray(plain.length - HEADER);
    const expected = Buffer.from(headerPart.subarray(0, HEADER));
    expected.writeUInt16BE(0, 6);
    const got = Buffer.from(copy);
    got.writeUInt16BE(0, 6);
    if (!got.equals(expected)) throw new SealingError('Kerberos wrap token header does not match its encrypted copy');
    // Sequence: in order is expected; MIT reports a gap or replay as supplementary status, not an
    // error, so only a replay of an older number is refused here.
    if (seq < this.recvSeq) throw new SealingError(`Kerberos wrap token replayed (sequence ${seq}, expected ${this.recvSeq})`);
    this.recvSeq = seq + 1n;
    return Buffer.from(plain.subarray(0, plain.length - HEADER - ec));
  }
}

/** A Kerberos context as the connection's WinRM message-encryption context. */
export class KerberosMessageSecurity implements MessageSecurity {
  constructor(
    readonly protocol: string,
    private readonly context: Krb5WrapContext,
  ) {}

  get canSeal(): boolean {
    return (this.context.keys.gssFlags & GSS_FLAG.conf) !== 0;
  }

  wrap(plaintext: Buffer): { header: Buffer; data: Buffer } {
    return this.context.wrap(plaintext);
  }

  unwrap(header: Buffer, data: Buffer): Buffer {
    return this.context.unwrap(header, data);
  }
}

/**
 * A Kerberos context whose keys the emulator could not read (an enctype other than AES, or a
 * keytab without the ticket's key): it can seal on the client's side, so plaintext is refused
 * as from any sealing-capable context, and encrypted bodies are refused with the reason.
 */
export class UnavailableKerberosSecurity implements MessageSecurity {
  readonly canSeal = true;
  constructor(
    readonly protocol: string,
    private readonly reason: string,
  ) {}

  wrap(): { header: Buffer; data: Buffer } {
    throw new SealingError(`Kerberos message encryption is not available on this connection: ${this.reason}`);
  }

  unwrap(): Buffer {
    throw new SealingError(`Kerberos message encryption is not available on this connection: ${this.reason}`);
  }
}
