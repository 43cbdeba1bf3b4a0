// Account lockout as Windows' local security policy models it (secpol: "Account lockout
// threshold", "Reset account lockout counter after", "Account lockout duration"): a count of bad
// passwords per account within an observation window; reaching the threshold locks the account
// for the duration (0 = until an administrator unlocks it), during which even the right password
// fails; a successful logon resets the count. Off by default (threshold 0, Windows' own default
// before Windows 11 22H2). The built-in Administrator (RID 500) is exempt unless configured, as
// on Windows Server 2019 ("Allow Administrator account lockout" is a later policy).
// Sans-I/O: the caller passes the time.

export interface LockoutPolicy {
  /** Bad logons that lock the account; 0 disables lockout. */
  readonly threshold: number;
  /** "Reset account lockout counter after", in ms. */
  readonly windowMs: number;
  /** "Account lockout duration", in ms; 0 keeps the account locked until `unlock`. */
  readonly durationMs: number;
  /** Lock out the built-in Administrator (RID 500) too. */
  readonly includeBuiltinAdministrator?: boolean;
}

export const LOCKOUT_OFF: LockoutPolicy = { threshold: 0, windowMs: 30 * 60_000, durationMs: 30 * 60_000 };

interface Entry {
  count: number;
  lastFailure: number;
  lockedAt: number | undefined;
}

export interface LockoutAccount {
  /** Unique per host and account, e.g. `WIN-EMU01\administrator`. */
  readonly key: string;
  readonly rid: number;
}

export class AccountLockout {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly policy: LockoutPolicy = LOCKOUT_OFF) {}

  private applies(account: LockoutAccount): boolean {
    return this.policy.threshold > 0 && (account.rid !== 500 || this.policy.includeBuiltinAdministrator === true);
  }

  /** Milliseconds until the account unlocks (Infinity when only an administrator can), or 0 when not locked. */
  lockedFor(account: LockoutAccount, now: number): number {
    if (!this.applies(account)) return 0;
    const e = this.entries.get(account.key);
    if (e?.lockedAt === undefined) return 0;
    if (this.policy.durationMs === 0) return Number.POSITIVE_INFINITY;
    const left = e.lockedAt + this.policy.durationMs - now;
    if (left > 0) return left;
    this.entries.delete(account.key);
    return 0;
  }

  /** Records a bad password; returns true when this failure locked the account. */
  recordFailure(account: LockoutAccount, now: number): boolean {
    if (!this.applies(account)) return false;
    let e = this.entries.get(account.key);
    if (!e || now - e.lastFailure >= this.policy.windowMs) {
      e = { count: 0, lastFailure: now, lockedAt: undefined };
      this.entries.set(account.key, e);
    }
    e.count++;
    e.lastFailure = now;
    if (e.count >= this.policy.threshold && e.lockedAt === undefined) {
      e.lockedAt = now;
      return true;
    }
    return false;
  }

  recordSuccess(account: LockoutAccount): void {
    this.entries.delete(account.key);
  }

  unlock(key: string): void {
    this.entries.delete(key);
  }
}
