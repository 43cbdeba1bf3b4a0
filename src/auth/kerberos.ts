// The `Kerberos` HTTP scheme as Windows' own client uses it (auth.md §1.4 F): `Authorization:
// Kerberos <raw krb5 AP-REQ>`, answered `WWW-Authenticate: Kerberos <AP-REP>`, then bodies in
// `application/HTTP-Kerberos-session-encrypted` (auth.md §2.8). Offered when Service/Auth/Kerberos
// is on and the emulator has a keytab (a domain-joined host, auth.md §1.2).
import type { AuthMechanism, AuthStep } from './types.js';
import type { KerberosService } from './kerberos/acceptor.js';
import { KERBEROS_ENCRYPTED } from './sealing/types.js';
import { sniffToken } from './spnego.js';

export function createKerberosMechanism(service: KerberosService): AuthMechanism {
  return {
    name: 'Kerberos',
    scheme: 'Kerberos',
    enabled: (auth) => auth.Kerberos,
    challenge: () => 'Kerberos',
    createContext(host, _conn, deps) {
      return {
        step(credentials: string): AuthStep | Promise<AuthStep> {
          const token = Buffer.from(credentials.trim(), 'base64');
          const kind = sniffToken(token);
          if (kind === 'kerberos') return service.accept(host, token, 'raw', KERBEROS_ENCRYPTED, deps);
          if (kind === 'spnego-init') return service.accept(host, token, 'spnego', KERBEROS_ENCRYPTED, deps);
          return { kind: 'failure', reason: `the Kerberos scheme carries a krb5 AP-REQ; got ${kind === 'ntlm' ? 'an NTLM message (use Negotiate)' : `an unrecognised token (first bytes ${token.subarray(0, 8).toString('hex')})`}` };
        },
      };
    },
  };
}
