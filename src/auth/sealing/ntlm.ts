// NTLM as a WinRM message-encryption context: GSS_WrapEx with a 16-byte signature as the header
// (auth.md §3.2). The protocol string is the SPNEGO one for raw and SPNEGO-wrapped NTLM alike.
import { NtlmSignatureError, type NtlmSession } from '../ntlm/session.js';
import { SPNEGO_ENCRYPTED, SealingError, type MessageSecurity } from './types.js';

export class NtlmMessageSecurity implements MessageSecurity {
  readonly protocol = SPNEGO_ENCRYPTED;

  constructor(private readonly session: NtlmSession) {}

  get canSeal(): boolean {
    return this.session.canSeal;
  }

  wrap(plaintext: Buffer): { header: Buffer; data: Buffer } {
    const { sealed, signature } = this.session.seal(plaintext);
    return { header: signature, data: sealed };
  }

  unwrap(header: Buffer, data: Buffer): Buffer {
    if (header.length !== 16) throw new SealingError(`NTLM signature of ${header.length} bytes (expected 16)`);
    try {
      return this.session.unseal(data, header);
    } catch (e) {
      if (e instanceof NtlmSignatureError) throw new SealingError(e.message);
      throw e;
    }
  }
}
