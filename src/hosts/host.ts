// One emulated Windows machine: its name, OS facts, local accounts and WinRM configuration.
// Everything host-specific lives here, never in module state, so that one emulator process can
// later serve a fleet of hosts, each on its own addresses (issue: one process, several hosts).
import type { EmulatorConfig, OsConfig, SessionConfigurationConfig, WinrmConfig } from '../config/types.js';
import { ntHash } from '../auth/crypto/md4.js';
import { domainSidFor, lookupLocalGroup, machineSidFor } from '../authz/sids.js';
import type { DomainIdentity } from '../authz/token.js';
import { BUILTIN_DOMAIN_GROUPS, FIRST_DOMAIN_RID } from '../config/defaults.js';

export interface LocalUser {
  readonly name: string;
  readonly rid: number;
  readonly sid: string;
  readonly groups: readonly string[];
  readonly fullName: string;
  readonly enabled: boolean;
  /** NTOWFv1; the only secret the auth mechanisms need (Basic compares NT hashes). */
  readonly ntHash: Buffer;
  /**
   * Set for a domain account (Kerberos logons): its domain and domain groups. `sid` is then
   * relative to the domain, and `groups` are the local groups it reaches through nesting.
   */
  readonly domain?: DomainIdentity;
}

/** The domain a host is joined to (config `domain`). */
export interface HostDomain {
  /** `EMU.TEST`: DNS name upper-cased, the Kerberos realm. */
  readonly realm: string;
  readonly netbiosName: string;
  readonly dnsName: string;
  readonly sid: string;
}

export class Host {
  readonly computerName: string;
  readonly os: OsConfig;
  readonly machineSid: string;
  readonly sessionConfigurations: readonly SessionConfigurationConfig[];
  private readonly users: ReadonlyMap<string, LocalUser>;
  /** The domain, when the host is joined to one; its accounts are in `domainUsers`. */
  readonly domain: HostDomain | undefined;
  private readonly domainUsers: ReadonlyMap<string, LocalUser>;
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
    const joined = buildDomain(config);
    this.domain = joined?.domain;
    this.domainUsers = joined?.users ?? new Map();
  }

  /**
   * A domain account by the name a ticket or client gives: `alice`, `alice@EMU.TEST`,
   * `EMU\\alice` or `emu.test\\alice`. Undefined when the host is in a workgroup.
   */
  findDomainUser(input: string): LocalUser | undefined {
    const d = this.domain;
    if (d === undefined) return undefined;
    let name = input;
    const slash = input.indexOf('\\');
    if (slash >= 0) {
      const dom = input.slice(0, slash).toUpperCase();
      if (dom !== d.netbiosName && dom !== d.realm) return undefined;
      name = input.slice(slash + 1);
    } else {
      const at = input.lastIndexOf('@');
      if (at >= 0) {
        if (input.slice(at + 1).toUpperCase() !== d.realm) return undefined;
        name = input.slice(0, at);
      }
    }
    return this.domainUsers.get(name.toLowerCase());
  }

  /** A local or domain account by its SID. */
  findUserBySid(sid: string): LocalUser | undefined {
    for (const u of this.users.values()) if (u.sid === sid) return u;
    for (const u of this.domainUsers.values()) if (u.sid === sid) return u;
    return undefined;
  }

  allDomainUsers(): LocalUser[] {
    return [...this.domainUsers.values()];
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

/** The host's domain and its accounts, with groups resolved and nested into local groups. */
function buildDomain(config: EmulatorConfig): { domain: HostDomain; users: Map<string, LocalUser> } | undefined {
  const d = config.domain;
  if (d.realm === '') return undefined;
  const netbiosName = d.netbiosName !== '' ? d.netbiosName : (d.realm.split('.')[0] ?? d.realm).slice(0, 15);
  const sid = d.sid !== '' ? d.sid : domainSidFor(netbiosName);
  const domain: HostDomain = { realm: d.realm, netbiosName, dnsName: d.realm.toLowerCase(), sid };

  // RIDs: explicit ones first, then 1103, 1104, … in order (groups, then users), skipping used ones.
  const used = new Set<number>(Object.values(BUILTIN_DOMAIN_GROUPS));
  for (const g of d.groups) if (g.rid !== undefined) used.add(g.rid);
  for (const u of d.users) if (u.rid !== undefined) used.add(u.rid);
  let next = FIRST_DOMAIN_RID;
  const nextRid = (): number => {
    while (used.has(next)) next++;
    used.add(next);
    return next;
  };
  const groups = new Map<string, { name: string; sid: string }>();
  for (const [name, rid] of Object.entries(BUILTIN_DOMAIN_GROUPS)) groups.set(name.toLowerCase(), { name, sid: `${sid}-${rid}` });
  for (const g of d.groups) groups.set(g.name.toLowerCase(), { name: g.name, sid: `${sid}-${g.rid ?? nextRid()}` });
  const bare = (name: string): string => {
    const slash = name.indexOf('\\');
    return (slash < 0 ? name : name.slice(slash + 1)).toLowerCase();
  };

  const users = new Map<string, LocalUser>();
  for (const u of d.users) {
    const rid = u.rid ?? nextRid();
    const memberOf = ['domain users', ...u.groups.map(bare)].filter((g, i, all) => all.indexOf(g) === i);
    const domainGroups = memberOf.map((g) => groups.get(g)).filter((g): g is { name: string; sid: string } => g !== undefined);
    // Local groups through nesting: a local group counts the user when it lists the user or one of its groups.
    const local: string[] = [];
    for (const [localGroup, members] of Object.entries(d.localGroupMembers)) {
      const canonical = lookupLocalGroup(localGroup)?.name;
      if (canonical === undefined || local.includes(canonical)) continue;
      if (members.some((m) => bare(m) === u.name.toLowerCase() || memberOf.includes(bare(m)))) local.push(canonical);
    }
    users.set(u.name.toLowerCase(), {
      name: u.name,
      rid,
      sid: `${sid}-${rid}`,
      groups: local,
      fullName: u.fullName,
      enabled: u.enabled,
      // Domain accounts authenticate at the KDC; the host holds no secret for them.
      ntHash: Buffer.alloc(16),
      domain: { netbiosName, domainSid: sid, groups: domainGroups.map((g) => ({ name: `${netbiosName}\\${g.name}`, sid: g.sid })) },
    });
  }
  return { domain, users };
}
