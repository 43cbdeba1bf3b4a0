// The interface every authentication mechanism implements (architecture.md §2.6): a small state
// machine per TCP connection, fed one Authorization token at a time. NTLM, Kerberos and CredSSP
// need several legs on one connection; Basic and certificates finish in one. Authorisation is a
// separate step (src/authz) once a principal exists.
import type { X509Certificate } from 'node:crypto';
import type { ServiceAuthConfig } from '../config/types.js';
import type { Host, LocalUser } from '../hosts/host.js';
import type { MessageSecurity } from './sealing/types.js';

export type MechanismName = 'Basic' | 'Negotiate' | 'Kerberos' | 'CredSSP' | 'Certificate';

/** What the listener knows about the connection a request arrived on. */
export interface ConnectionInfo {
  readonly id: string;
  /** True on HTTPS listeners: TLS counts as encryption for AllowUnencrypted [S] psdocs. */
  readonly tls: boolean;
  readonly remoteAddress: string;
  readonly localAddress: string;
  /**
   * HTTPS: the DER of the listener's certificate, for the `tls-server-end-point` channel
   * binding (auth.md §2.6). Absent on HTTP.
   */
  readonly serverCertificate?: Buffer;
  /** HTTPS: the certificate the client presented in the TLS handshake, if any (certificate logon, auth.md §6). */
  readonly peerCertificate?: () => X509Certificate | undefined;
}

/** What an auth step may know of the request beyond its Authorization header. */
export interface AuthRequestInfo {
  /** The envelope's ResourceURI, read ahead of parsing (certificate mappings match on it). */
  readonly resourceUri: string | undefined;
}

/** Time and randomness for the sans-I/O mechanisms (architecture.md §2.1); the listener passes them in. */
export interface AuthDeps {
  now(): number;
  randomBytes(n: number): Buffer;
}

/** Who is speaking, once a mechanism has said so. */
export interface Principal {
  readonly user: LocalUser;
  readonly mechanism: MechanismName;
  /** `COMPUTER\name`, for logs and Owner fields. */
  readonly displayName: string;
}

export type AuthStep =
  /**
   * Done. `responseToken`, when set, goes back as `WWW-Authenticate: <scheme> <token>` on success.
   * `security`, for connection-bound contexts that can sign/seal, is the connection's
   * message-encryption context from now on (auth.md §3).
   */
  | { readonly kind: 'success'; readonly principal: Principal; readonly responseToken?: string; readonly connectionBound: boolean; readonly security?: MessageSecurity }
  /** Another leg: answer 401 with `WWW-Authenticate: <scheme> <token>`. */
  | { readonly kind: 'continue'; readonly responseToken: string }
  /** Rejected: 401 with the challenge list and an empty body; `reason` is for the log, never a secret. */
  | { readonly kind: 'failure'; readonly reason: string };

export interface AuthContext {
  /** One leg; Kerberos answers asynchronously (MIT runs on the thread pool). */
  step(credentials: string, request?: AuthRequestInfo): AuthStep | Promise<AuthStep>;
}

export interface AuthMechanism {
  readonly name: MechanismName;
  /** The scheme in `Authorization:` and `WWW-Authenticate:` headers. */
  readonly scheme: string;
  /** Whether `Service/Auth` enables it. */
  enabled(auth: ServiceAuthConfig): boolean;
  /** The bare challenge offered in the first 401 (auth.md §1.2); empty for none (certificates). */
  challenge(): string;
  /** A fresh context for one connection (or one request, for stateless mechanisms). */
  createContext(host: Host, conn: ConnectionInfo, deps: AuthDeps): AuthContext;
}
