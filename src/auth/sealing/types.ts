// What a connection's security context offers the HTTP message-encryption layer (MS-WSMV
// 2.2.9.1): GSS wrap/unwrap in WinRM's header + data split (auth.md §3.2–§3.4).

export const SPNEGO_ENCRYPTED = 'application/HTTP-SPNEGO-session-encrypted';
export const KERBEROS_ENCRYPTED = 'application/HTTP-Kerberos-session-encrypted';
export const CREDSSP_ENCRYPTED = 'application/HTTP-CredSSP-session-encrypted';

export interface MessageSecurity {
  /** The `protocol=` of the multipart content type, fixed by the HTTP scheme (auth.md §2.8). */
  readonly protocol: string;
  /** Whether the context negotiated confidentiality; a context that cannot seal is refused on HTTP while AllowUnencrypted is false. */
  readonly canSeal: boolean;
  /** Seal one server→client message: the header (signature) and the sealed data. */
  wrap(plaintext: Buffer): { readonly header: Buffer; readonly data: Buffer };
  /** Unseal one client→server message; throws SealingError when it does not verify. */
  unwrap(header: Buffer, data: Buffer): Buffer;
}

export class SealingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealingError';
  }
}
