// One emulated Windows machine: its name, OS facts, local accounts and WinRM configuration.
// Everything host-specific lives here, never in module state, so that one emulator process can
// later serve a fleet of hosts, each on its own addresses (issue: one process, several hosts).
import type { EmulatorConfig, OsConfig, SessionConfigurationConfig, WinrmConfig } from '../config/types.js';
import { ntHash } from '../auth/crypto/md4.js';
import { machineSidFor } from '../authz/sids.js';

export interface LocalUser {
  readonly name: string;
  readonly rid: number;
  readonly sid: string;
  readonly groups: readonly string[];
  readonly fullName: string;
  readonly enabled: boolean;
  /** NTOWFv1; the only secret the auth mechanisms need (Basic compares NT hashes). */
  readonly ntHash: Buffer;
}

export class Host {
  readonly computerName: string;
  readonly os: OsConfig;
  readonly machineSid: string;
  readonly sessionConfigurations: readonly SessionConfigurationConfig[];
  private readonly users: ReadonlyMap<string, LocalUser>;
  private winrmConfig: WinrmConfig;
  readonly policy: EmulatorConfig['policy'];

  constructor(config: EmulatorConfig) {
    this.computerName = config.computerName.toUpperCase();
    this.os = config.os;
    this.machineSid = machineSidFor(this.computerName);
    this.sessionConfigurations = config.sessionConfigurations;
    this.policy = config.policy;
    this.winrmConfig = config.winrm;
    const users = new Map<string, LocalUser>();
    let nextRid = 1000;
    for (const u of config.users) {
      let rid = u.rid;
      if (rid === undefined) {
        if (u.name.toLowerCase() === 'administrator') rid = 500;
        else if (u.name.toLowerCase() === 'guest') rid = 501;
        else rid = nextRid++;
      }
      const hash = u.ntHash !== undefined ? Buffer.from(u.ntHash, 'hex') : ntHash(u.password ?? '');
      users.set(u.name.toLowerCase(), {
        name: u.name,
        rid,
        sid: `${this.machineSid}-${rid}`,
        groups: u.groups,
        fullName: u.fullName,
        enabled: u.enabled,
        ntHash: hash,
      });
    }
    this.users = users;
  }

  /** The live `winrm/config` tree (replaced wholesale when configuration resources change it). */
  get winrm(): WinrmConfig {
    return this.winrmConfig;
  }

  replaceWinrmConfig(next: WinrmConfig): void {
    this.winrmConfig = next;
  }

  /**
   * A local account by the name a client sent: `name`, `.\name`, `COMPUTER\name` or
   * `name@COMPUTER`. Another domain never matches a local account.
   */
  findLocalUser(input: string): LocalUser | undefined {
    let name = input;
    const slash = input.indexOf('\\');
    if (slash >= 0) {
      const domain = input.slice(0, slash);
      if (domain !== '.' && domain.toUpperCase() !== this.computerName && domain.toLowerCase() !== 'localhost') return undefined;
      name = input.slice(slash + 1);
    } else {
      const at = input.lastIndexOf('@');
      if (at >= 0) {
        const domain = input.slice(at + 1);
        if (domain.toUpperCase() !== this.computerName && domain.toLowerCase() !== 'localhost') return undefined;
        name = input.slice(0, at);
      }
    }
    return this.users.get(name.toLowerCase());
  }

  allUsers(): LocalUser[] {
    return [...this.users.values()];
  }
}
