// The Kerberos acceptor shared by the `Kerberos` scheme and Kerberos inside `Negotiate` (raw krb5
// as pywinrm sends it, or SPNEGO with an optimistic krb5 token as Windows and pyspnego send it).
// MIT GSSAPI (through an injected GssAcceptor: the npm `kerberos` package in production) checks
// the AP-REQ and makes the AP-REP; this module maps the client principal to a domain account,
// checks the service principal, and reads the context keys for RFC 4121 message encryption
// (docs/decisions/0003-kerberos-wrap.md). Framing is mirrored: raw in → raw AP-REP out, SPNEGO in
// → SPNEGO out (auth.md trap 2).
import type { Host } from '../../hosts/host.js';
import type { AuthDeps, AuthStep } from '../types.js';
import { DerError } from '../der.js';
import { NegState, parseNegTokenInit, parseNegTokenResp } from '../spnego.js';
import { deriveContextKeys } from './context-keys.js';
import type { KeytabEntry } from './keytab.js';
import { KerberosMessageSecurity, Krb5WrapContext, UnavailableKerberosSecurity } from './wrap.js';

export interface GssAcceptResult {
  /** The token to send back (AP-REP, or a SPNEGO NegTokenResp carrying it); undefined without mutual auth. */
  readonly output: Buffer | undefined;
  /** `alice@EMU.TEST` */
  readonly clientName: string;
  /** `HTTP/win-emu01.emu.test@EMU.TEST`, when known. */
  readonly targetName: string | undefined;
}

/** One single-leg `gss_accept_sec_context` on a fresh context; rejects with GssError. */
export interface GssAcceptor {
  accept(token: Buffer): Promise<GssAcceptResult>;
}

export class GssError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GssError';
  }
}

export interface KerberosServiceOptions {
  /** The realm whose principals are accepted (the domain's). */
  readonly realm: string;
  /** `HTTP/host` or `HTTP/host@REALM` to accept only that principal; empty = any key in the keytab. */
  readonly serviceName: string;
  /** The service keys, for reading context keys (message encryption). */
  readonly keytab: readonly KeytabEntry[];
  readonly gss: GssAcceptor;
}

export type Framing = 'raw' | 'spnego';

function sameService(accepted: string, wanted: string, realm: string): boolean {
  const [name = '', r = realm] = accepted.split('@');
  const [wName = '', wRealm = realm] = wanted.split('@');
  const [svc = '', ...hostParts] = name.split('/');
  const [wSvc = '', ...wHostParts] = wName.split('/');
  return svc.toLowerCase() === wSvc.toLowerCase() && hostParts.join('/').toLowerCase() === wHostParts.join('/').toLowerCase() && r.toUpperCase() === wRealm.toUpperCase();
}

export class KerberosService {
  constructor(private readonly opts: KerberosServiceOptions) {}

  get realm(): string {
    return this.opts.realm;
  }

  /**
   * Accepts a client's first (and only) context token. `protocol` is the message-encryption
   * protocol string the HTTP scheme implies (auth.md §2.8).
   */
  async accept(host: Host, token: Buffer, framing: Framing, protocol: string, deps: AuthDeps): Promise<AuthStep> {
    let apReq: Buffer | undefined = token;
    if (framing === 'spnego') {
      try {
        apReq = parseNegTokenInit(token).mechToken;
      } catch (e) {
        if (e instanceof DerError) return { kind: 'failure', reason: `malformed SPNEGO token: ${e.message}` };
        throw e;
      }
    }
    let result: GssAcceptResult;
    try {
      result = await this.opts.gss.accept(token);
    } catch (e) {
      if (e instanceof GssError) return { kind: 'failure', reason: `Kerberos: ${e.message}` };
      throw e;
    }
    let apRep = result.output;
    if (framing === 'spnego') {
      if (!result.output) return { kind: 'failure', reason: 'SPNEGO: the acceptor produced no NegTokenResp' };
      try {
        const resp = parseNegTokenResp(result.output);
        if (resp.negState !== NegState.acceptCompleted) {
          // A mechListMIC exchange or a mech the client did not try first: MIT would need another
          // leg on the same context, which the npm package's acceptor cannot carry.
          return { kind: 'failure', reason: `SPNEGO with Kerberos did not complete in one leg (negState ${resp.negState ?? 'absent'}); only an optimistic krb5 token offered first is emulated` };
        }
        apRep = resp.responseToken;
      } catch (e) {
        if (e instanceof DerError) return { kind: 'failure', reason: `SPNEGO: unreadable NegTokenResp from the acceptor: ${e.message}` };
        throw e;
      }
    }

    const target = result.targetName ?? '';
    if (this.opts.serviceName !== '' && !sameService(target, this.opts.serviceName, this.opts.realm)) {
      return { kind: 'failure', reason: `Kerberos ticket is for ${target || 'an unknown service'}, not ${this.opts.serviceName} (kerberos.serviceName)` };
    }
    const at = result.clientName.lastIndexOf('@');
    const clientRealm = at < 0 ? '' : result.clientName.slice(at + 1);
    if (clientRealm.toUpperCase() !== this.opts.realm.toUpperCase()) {
      return { kind: 'failure', reason: `Kerberos principal ${result.clientName} is not from realm ${this.opts.realm} (cross-realm trust is not emulated)` };
    }
    const user = host.findDomainUser(result.clientName);
    if (!user) return { kind: 'failure', reason: `Kerberos principal ${result.clientName} is not a user of domain ${host.domain?.netbiosName ?? this.opts.realm} (domain.users)` };
    if (!user.enabled) return { kind: 'failure', reason: `domain account '${user.name}' is disabled` };

    const keys = apReq ? deriveContextKeys(this.opts.keytab, apReq, apRep) : { ok: false as const, reason: 'no krb5 AP-REQ in the SPNEGO token' };
    const security = keys.ok ? new KerberosMessageSecurity(protocol, new Krb5WrapContext(keys.keys, deps.randomBytes)) : new UnavailableKerberosSecurity(protocol, keys.reason);
    return {
      kind: 'success',
      principal: { user, mechanism: 'Kerberos', displayName: `${user.domain?.netbiosName ?? this.opts.realm}\\${user.name}` },
      connectionBound: true,
      ...(result.output ? { responseToken: result.output.toString('base64') } : {}),
      security,
    };
  }
}
