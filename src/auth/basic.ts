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
  return {
    name: 'Basic',
    scheme: 'Basic',
    enabled: (auth) => auth.Basic,
    challenge: () => 'Basic realm="WSMAN"',
    createContext(host, _conn, deps) {
      return {
        step(credentials: string): AuthStep {
          const decoded = Buffer.from(credentials.trim(), 'base64').toString('utf8');
          const colon = decoded.indexOf(':');
          if (colon < 0) return { kind: 'failure', reason: 'malformed Basic credentials (no colon)' };
          const userName = decoded.slice(0, colon);
          const password = decoded.slice(colon + 1);
          const user = host.findLocalUser(userName);
          // Hash even when the user is unknown so both paths cost the same.
          const offered = ntHash(password);
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
          return { kind: 'success', principal: { user, mechanism: 'Basic', displayName: `${host.computerName}\\${user.name}` }, connectionBound: false };
        },
      };
    },
  };
}

export const basicMechanism: AuthMechanism = createBasicMechanism();
