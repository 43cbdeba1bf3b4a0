// The `Negotiate` mechanism: NTLM, raw or wrapped in SPNEGO, each answered in the framing it
// arrived in (auth.md §2.7, trap 2); and, on a host with a keytab (`kerberos` + `domain`), Kerberos
// as a raw krb5 AP-REQ (pywinrm, auth.md §1.4 C) or inside SPNEGO as the client's first mech with
// an optimistic token, handed to KerberosService (src/auth/kerberos/acceptor.ts). The scheme is
// `Negotiate`; `NTLM` is never offered (auth.md §1.2).
//
// Per connection: NEGOTIATE → 401 + CHALLENGE, AUTHENTICATE → success with a sealing context
// (src/auth/sealing). Local accounts only: `.\name`, `COMPUTER\name`, bare `name`,
// `name@COMPUTER`; see `foreignDomain` for other domain names.
import type { Host, LocalUser } from '../hosts/host.js';
import type { AuthContext, AuthDeps, AuthMechanism, AuthStep, ConnectionInfo, Principal } from './types.js';
import { expectedChannelBindings } from './channel-binding.js';
import { DerError } from './der.js';
import { AccountLockout } from './lockout.js';
import { NtlmAcceptor, NtlmProtocolError, type AuthenticateInput, type NtlmTarget } from './ntlm/acceptor.js';
import { NtlmMessageError, ntlmMessageType, versionFromOs } from './ntlm/messages.js';
import { NtlmSignatureError, type NtlmSession } from './ntlm/session.js';
import { NtlmMessageSecurity } from './sealing/ntlm.js';
import { SPNEGO_ENCRYPTED } from './sealing/types.js';
import type { KerberosService } from './kerberos/acceptor.js';
import { NegState, OID, encodeNegTokenResp, parseNegTokenInit, parseNegTokenResp, sniffToken } from './spnego.js';

export interface NegotiateOptions {
  /** Accept 24-byte NTLMv1 responses (LmCompatibilityLevel below 5). Default false. */
  readonly allowNtlmV1?: boolean;
  /** Accept anonymous NTLM logons as `NT AUTHORITY\ANONYMOUS LOGON` (authorisation then decides). Default false. */
  readonly allowAnonymous?: boolean;
  /**
   * A DomainName that is neither empty, `.`, the computer name nor `localhost`: `local` checks
   * the local account of that name, as a workgroup machine's MSV1_0 falls back to its SAM for a
   * domain it does not know [U]; `reject` refuses it as an unknown account. Default `local`.
   */
  readonly foreignDomain?: 'local' | 'reject';
  /** Shared with other mechanisms so that bad passwords count per account whatever the scheme. */
  readonly lockout?: AccountLockout;
  /** MsvAvDnsComputerName; default the computer name. */
  readonly dnsComputerName?: string;
  /** The Kerberos acceptor, on a host with a keytab; without it Kerberos tokens are refused. */
  readonly kerberos?: KerberosService;
}

const ANONYMOUS_USER: LocalUser = {
  name: 'ANONYMOUS LOGON',
  rid: 7,
  sid: 'S-1-5-7',
  groups: [],
  fullName: 'ANONYMOUS LOGON',
  enabled: true,
  ntHash: Buffer.alloc(16),
};

type Outcome = { ok: true; principal: Principal; session: NtlmSession | undefined; micPresent: boolean } | { ok: false; reason: string };

const cbtCache = new WeakMap<Buffer, Buffer | undefined>();

function expectedCbt(der: Buffer | undefined): Buffer | undefined {
  if (!der) return undefined;
  if (!cbtCache.has(der)) cbtCache.set(der, expectedChannelBindings(der));
  return cbtCache.get(der);
}

function isLocalDomain(host: Host, domain: string): boolean {
  return domain === '' || domain === '.' || domain.toUpperCase() === host.computerName || domain.toLowerCase() === 'localhost';
}

function describeAccount(domain: string, user: string): string {
  return domain === '' ? user : `${domain}\\${user}`;
}

export function createNegotiateMechanism(options: NegotiateOptions = {}): AuthMechanism {
  const lockout = options.lockout ?? new AccountLockout();
  const foreignDomain = options.foreignDomain ?? 'local';

  function findUser(host: Host, user: string, domain: string): LocalUser | undefined {
    if (domain === '') return host.findLocalUser(user);
    if (isLocalDomain(host, domain)) return host.findLocalUser(`.\\${user}`);
    return foreignDomain === 'local' && !user.includes('@') ? host.findLocalUser(user) : undefined;
  }

  class NegotiateContext implements AuthContext {
    private framing: 'raw' | 'spnego' | undefined;
    private acceptor: NtlmAcceptor | undefined;
    private spnego: { mechTypesDer: Buffer; preferred: boolean; mechSent: boolean } | undefined;

    constructor(
      private readonly host: Host,
      private readonly conn: ConnectionInfo,
      private readonly deps: AuthDeps,
    ) {}

    private target(): NtlmTarget {
      return { computerName: this.host.computerName, dnsComputerName: options.dnsComputerName ?? this.host.computerName, version: versionFromOs(this.host.os.version) };
    }

    private newAcceptor(): NtlmAcceptor {
      this.acceptor = new NtlmAcceptor({ target: this.target(), now: () => this.deps.now(), randomBytes: (n) => this.deps.randomBytes(n) });
      return this.acceptor;
    }

    step(credentials: string): AuthStep | Promise<AuthStep> {
      const token = Buffer.from(credentials.trim(), 'base64');
      if (token.length === 0) return { kind: 'failure', reason: 'empty Negotiate token' };
      try {
        switch (sniffToken(token)) {
          case 'ntlm':
            return this.rawNtlm(token);
          case 'spnego-init':
            return this.spnegoInit(token);
          case 'spnego-resp':
            return this.spnegoResp(token);
          case 'kerberos':
            if (options.kerberos) return options.kerberos.accept(this.host, token, 'raw', SPNEGO_ENCRYPTED, this.deps);
            return { kind: 'failure', reason: 'a raw Kerberos token under Negotiate, and this host has no keytab (kerberos.keytab with a domain): use NTLM or configure Kerberos' };
          default:
            return { kind: 'failure', reason: `unrecognised Negotiate token (first bytes ${token.subarray(0, 8).toString('hex')})` };
        }
      } catch (e) {
        if (e instanceof NtlmMessageError || e instanceof DerError || e instanceof NtlmProtocolError) return { kind: 'failure', reason: `malformed Negotiate token: ${e.message}` };
        throw e;
      }
    }

    private rawNtlm(token: Buffer): AuthStep {
      const type = ntlmMessageType(token);
      if (type === 1) {
        this.framing = 'raw';
        this.spnego = undefined;
        return { kind: 'continue', responseToken: this.newAcceptor().acceptNegotiate(token).toString('base64') };
      }
      if (type === 3) {
        if (this.framing !== 'raw' || !this.acceptor?.expectingAuthenticate) return { kind: 'failure', reason: 'NTLM AUTHENTICATE without a NEGOTIATE on this connection' };
        const out = this.finish(token);
        if (!out.ok) return { kind: 'failure', reason: out.reason };
        return this.success(out, undefined);
      }
      return { kind: 'failure', reason: `unexpected NTLM message type ${type} from a client` };
    }

    private spnegoInit(token: Buffer): AuthStep | Promise<AuthStep> {
      const init = parseNegTokenInit(token);
      this.framing = 'spnego';
      this.acceptor = undefined;
      // Kerberos first, with its AP-REQ as the optimistic token: MIT's SPNEGO answers in one leg.
      const first = init.mechTypes[0];
      if (options.kerberos && (first === OID.krb5 || first === OID.msKrb5) && init.mechToken && sniffToken(init.mechToken) === 'kerberos') {
        this.spnego = undefined;
        return options.kerberos.accept(this.host, token, 'spnego', SPNEGO_ENCRYPTED, this.deps);
      }
      if (!init.mechTypes.includes(OID.ntlm)) {
        const why = options.kerberos ? 'Kerberos is emulated inside SPNEGO only as the first mech with an optimistic AP-REQ' : 'this host has no keytab, so only NTLM is available';
        return { kind: 'failure', reason: `SPNEGO offers ${init.mechTypes.join(', ')} without NTLM (${OID.ntlm}); ${why}` };
      }
      const preferred = init.mechTypes[0] === OID.ntlm;
      this.spnego = { mechTypesDer: init.mechTypesDer, preferred, mechSent: true };
      // The optimistic token is usable only when it is for NTLM, the client's first choice.
      if (preferred && init.mechToken && ntlmMessageType(init.mechToken) === 1) {
        const challenge = this.newAcceptor().acceptNegotiate(init.mechToken);
        return { kind: 'continue', responseToken: encodeNegTokenResp({ negState: NegState.acceptIncomplete, supportedMech: OID.ntlm, responseToken: challenge }).toString('base64') };
      }
      // Pick NTLM and wait for its first token (RFC 4178 §4.2.2); not the first choice ⇒ request-mic.
      return { kind: 'continue', responseToken: encodeNegTokenResp({ negState: preferred ? NegState.acceptIncomplete : NegState.requestMic, supportedMech: OID.ntlm }).toString('base64') };
    }

    private spnegoResp(token: Buffer): AuthStep {
      if (this.framing !== 'spnego' || !this.spnego) return { kind: 'failure', reason: 'SPNEGO NegTokenResp without a NegTokenInit on this connection' };
      const resp = parseNegTokenResp(token);
      const inner = resp.responseToken;
      const type = inner ? ntlmMessageType(inner) : undefined;
      if (inner && type === 1) {
        const challenge = this.newAcceptor().acceptNegotiate(inner);
        return { kind: 'continue', responseToken: encodeNegTokenResp({ negState: NegState.acceptIncomplete, responseToken: challenge }).toString('base64') };
      }
      if (!inner || type !== 3) return { kind: 'failure', reason: 'SPNEGO NegTokenResp without an NTLM NEGOTIATE or AUTHENTICATE' };
      if (!this.acceptor?.expectingAuthenticate) return { kind: 'failure', reason: 'NTLM AUTHENTICATE before NEGOTIATE inside SPNEGO' };
      const out = this.finish(inner);
      if (!out.ok) return { kind: 'failure', reason: out.reason };
      // mechListMIC (auth.md §2.7): verify the client's, answer with ours, then restore the RC4
      // streams so the first sealed message continues from where the MIC started; the sequence
      // numbers stay incremented. Old initiators echo the responseToken as the MIC: ignore that.
      let clientMic = resp.mechListMIC;
      if (clientMic && inner.equals(clientMic)) clientMic = undefined;
      const required = !this.spnego.preferred || out.micPresent;
      if (!clientMic) {
        if (required) return { kind: 'failure', reason: 'SPNEGO mechListMIC missing (required: NTLM carried a MIC or was not the first mech offered)' };
        return this.success(out, encodeNegTokenResp({ negState: NegState.acceptCompleted }));
      }
      if (!out.session) return { kind: 'failure', reason: 'SPNEGO mechListMIC on a context without a session key' };
      const saved = out.session.snapshot();
      try {
        out.session.verify(this.spnego.mechTypesDer, clientMic);
      } catch (e) {
        if (e instanceof NtlmSignatureError) return { kind: 'failure', reason: 'SPNEGO mechListMIC does not match' };
        throw e;
      }
      const serverMic = out.session.sign(this.spnego.mechTypesDer);
      out.session.restore(saved);
      return this.success(out, encodeNegTokenResp({ negState: NegState.acceptCompleted, mechListMIC: serverMic }));
    }

    private success(out: Extract<Outcome, { ok: true }>, token: Buffer | undefined): AuthStep {
      this.acceptor = undefined;
      const security = out.session ? new NtlmMessageSecurity(out.session) : undefined;
      return {
        kind: 'success',
        principal: out.principal,
        connectionBound: true,
        ...(token ? { responseToken: token.toString('base64') } : {}),
        ...(security ? { security } : {}),
      };
    }

    /** AUTHENTICATE: account, lockout, NTLM proof, then the principal (auth.md §2.4). */
    private finish(token: Buffer): Outcome {
      const acceptor = this.acceptor!;
      const input: AuthenticateInput = acceptor.readAuthenticate(token);
      const { message } = input;
      if (input.kind === 'anonymous') {
        if (!options.allowAnonymous) return { ok: false, reason: 'anonymous NTLM logon refused (WinRM allows anonymous access to Identify only)' };
        return { ok: true, principal: { user: ANONYMOUS_USER, mechanism: 'Negotiate', displayName: 'NT AUTHORITY\\ANONYMOUS LOGON' }, session: undefined, micPresent: false };
      }
      const who = describeAccount(message.domain, message.user);
      if (input.kind === 'lm-only') return { ok: false, reason: `AUTHENTICATE for '${who}' carries only an LM response (refused)` };
      const user = findUser(this.host, message.user, message.domain);
      const account = user ? { key: `${this.host.computerName}\\${user.name.toLowerCase()}`, rid: user.rid } : undefined;
      const now = this.deps.now();
      if (account) {
        const locked = lockout.lockedFor(account, now);
        if (locked > 0) {
          const until = Number.isFinite(locked) ? `for another ${Math.ceil(locked / 1000)} s` : 'until an administrator unlocks it';
          return { ok: false, reason: `account '${user!.name}' is locked out ${until}` };
        }
      }
      // Verify even for an unknown account, with a random hash, so both paths cost the same.
      const ntHash = user?.ntHash ?? this.deps.randomBytes(16);
      const channelBinding = this.conn.tls ? { level: this.host.winrm.Service.Auth.CbtHardeningLevel, expected: expectedCbt(this.conn.serverCertificate) } : undefined;
      const result = acceptor.verify(input, ntHash, { allowNtlmV1: options.allowNtlmV1 ?? false, ...(channelBinding ? { channelBinding } : {}) });
      if (!user) {
        const why = message.domain !== '' && !isLocalDomain(this.host, message.domain) && foreignDomain === 'reject' ? ` (domain '${message.domain}' is not this computer; domain accounts need Kerberos)` : '';
        return { ok: false, reason: `unknown user '${who}'${why}` };
      }
      if (!result.ok) {
        if (result.code === 'bad-response') {
          const lockedNow = lockout.recordFailure(account!, now);
          return { ok: false, reason: `wrong password for '${user.name}' (${result.reason})${lockedNow ? '; the account is now locked out' : ''}` };
        }
        return { ok: false, reason: `${result.reason} (user '${user.name}')` };
      }
      if (!user.enabled) return { ok: false, reason: `account '${user.name}' is disabled` };
      lockout.recordSuccess(account!);
      return { ok: true, principal: { user, mechanism: 'Negotiate', displayName: `${this.host.computerName}\\${user.name}` }, session: result.session, micPresent: result.micPresent };
    }
  }

  return {
    name: 'Negotiate',
    scheme: 'Negotiate',
    enabled: (auth) => auth.Negotiate,
    challenge: () => 'Negotiate',
    createContext: (host, conn, deps) => new NegotiateContext(host, conn, deps),
  };
}

export const negotiateMechanism: AuthMechanism = createNegotiateMechanism();
