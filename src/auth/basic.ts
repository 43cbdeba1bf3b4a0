// Basic (RFC 7617) as the WinRM service accepts it: local accounts only [WSMV <79>], checked
// against the account's NT hash in constant time. Whether Basic may travel in clear is the
// listener's decision (AllowUnencrypted), made before this runs. An AccountLockout shared with
// Negotiate makes bad passwords count per account whatever the scheme, as on Windows.
import { timingSafeEqual } from 'node:crypto';
import { ntHash } from './crypto/md4.js';
import { AccountLockout } from './lockout.js';
import type { AuthMechanism, AuthStep } from './types.js';

export interface BasicOptions {
  readonly lockout?: AccountLockout;
}

export function createBasicMechanism(options: BasicOptions = {}): AuthMechanism {
  const lockout = options.lockout ?? new AccountLockout();
  // Basic sends the same credentials on every request: the user name and NT hash of those that
  // logged on lately are kept (bounded), so MD4 runs once per credential, not per request
  // (decision 0006). Every check below still runs against the account as it is now.
  const recent = new Map<string, { readonly userName: string; readonly hash: Buffer }>();
  const RECENT_MAX = 256;
  return {
    name: 'Basic',
    scheme: 'Basic',
    enabled: (auth) => auth.Basic,
    challenge: () => 'Basic realm="WSMAN"',
    createContext(host, _conn, deps) {
      return {
        step(credentials: string): AuthStep {
          let known = recent.get(credentials);
          if (known === undefined) {
            const decoded = Buffer.from(credentials.trim(), 'base64').toString('utf8');
            const colon = decoded.indexOf(':');
            if (colon < 0) return { kind: 'failure', reason: 'malformed Basic credentials (no colon)' };
            // Hash even when the user is unknown so both paths cost the same.
            known = { userName: decoded.slice(0, colon), hash: ntHash(decoded.slice(colon + 1)) };
          }
          const { userName, hash: offered } = known;
          const user = host.findLocalUser(userName);
          const expected = user?.ntHash ?? Buffer.alloc(16);
          const match = timingSafeEqual(offered, expected);
          if (!user) return { kind: 'failure', reason: `unknown user '${userName}' (Basic accepts local accounts only)` };
          const account = { key: `${host.computerName}\\${user.name.toLowerCase()}`, rid: user.rid };
          const now = deps.now();
          const locked = lockout.lockedFor(account, now);
          if (locked > 0) return { kind: 'failure', reason: `account '${user.name}' is locked out` };
          if (!match) {
            const lockedNow = lockout.recordFailure(account, now);
            return { kind: 'failure', reason: `wrong password for '${user.name}'${lockedNow ? '; the account is now locked out' : ''}` };
          }
          if (!user.enabled) return { kind: 'failure', reason: `account '${user.name}' is disabled` };
          lockout.recordSuccess(account);
          if (!recent.has(credentials)) {
            if (recent.size >= RECENT_MAX) recent.clear();
            recent.set(credentials, known);
          }
          return { kind: 'success', principal: { user, mechanism: 'Basic', displayName: `${host.computerName}\\${user.name}` }, connectionBound: false };
        },
      };
    },
  };
}

export const basicMechanism: AuthMechanism = createBasicMechanism();
