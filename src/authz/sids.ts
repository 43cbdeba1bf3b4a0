// Well-known SIDs, their SDDL aliases and the names Windows prints for them (en-US), the
// local group name → SID table, and deterministic machine SIDs for emulated hosts.
//
// Sources: MS-DTYP 2.4.2.4 (well-known SID structures), learn.microsoft.com "SID strings"
// (SDDL aliases, sddl.h), and `whoami /groups` output from real hosts for the printed names
// and the "Type" column (e.g. "NT AUTHORITY\Local account and member of Administrators group").

import { createHash } from 'node:crypto';

/** The "Type" column of `whoami /groups`. */
export type SidType = 'Well-known group' | 'Alias' | 'Label' | 'Group';

export interface WellKnownSid {
  readonly sid: string;
  /** Two-letter SDDL alias, when sddl.h defines one. */
  readonly alias?: string;
  /** The account name Windows prints (LookupAccountSid, en-US), e.g. `BUILTIN\Users`. */
  readonly name: string;
  readonly type: SidType;
}

/** SID strings of the identities this emulator refers to by name in code. */
export const SID = {
  Everyone: 'S-1-1-0',
  Local: 'S-1-2-0',
  ConsoleLogon: 'S-1-2-1',
  CreatorOwner: 'S-1-3-0',
  CreatorGroup: 'S-1-3-1',
  OwnerRights: 'S-1-3-4',
  Network: 'S-1-5-2',
  Batch: 'S-1-5-3',
  Interactive: 'S-1-5-4',
  Service: 'S-1-5-6',
  Anonymous: 'S-1-5-7',
  EnterpriseDomainControllers: 'S-1-5-9',
  PrincipalSelf: 'S-1-5-10',
  AuthenticatedUsers: 'S-1-5-11',
  RestrictedCode: 'S-1-5-12',
  RemoteInteractiveLogon: 'S-1-5-14',
  ThisOrganization: 'S-1-5-15',
  LocalSystem: 'S-1-5-18',
  LocalService: 'S-1-5-19',
  NetworkService: 'S-1-5-20',
  WriteRestrictedCode: 'S-1-5-33',
  NtlmAuthentication: 'S-1-5-64-10',
  SChannelAuthentication: 'S-1-5-64-14',
  DigestAuthentication: 'S-1-5-64-21',
  LocalAccount: 'S-1-5-113',
  LocalAccountAndAdministrator: 'S-1-5-114',
  Administrators: 'S-1-5-32-544',
  Users: 'S-1-5-32-545',
  Guests: 'S-1-5-32-546',
  PowerUsers: 'S-1-5-32-547',
  AccountOperators: 'S-1-5-32-548',
  ServerOperators: 'S-1-5-32-549',
  PrintOperators: 'S-1-5-32-550',
  BackupOperators: 'S-1-5-32-551',
  Replicator: 'S-1-5-32-552',
  PreWindows2000CompatibleAccess: 'S-1-5-32-554',
  RemoteDesktopUsers: 'S-1-5-32-555',
  NetworkConfigurationOperators: 'S-1-5-32-556',
  PerformanceMonitorUsers: 'S-1-5-32-558',
  PerformanceLogUsers: 'S-1-5-32-559',
  DistributedComUsers: 'S-1-5-32-562',
  IisIusrs: 'S-1-5-32-568',
  CryptographicOperators: 'S-1-5-32-569',
  EventLogReaders: 'S-1-5-32-573',
  CertificateServiceDcomAccess: 'S-1-5-32-574',
  RdsRemoteAccessServers: 'S-1-5-32-575',
  RdsEndpointServers: 'S-1-5-32-576',
  RdsManagementServers: 'S-1-5-32-577',
  HyperVAdministrators: 'S-1-5-32-578',
  AccessControlAssistanceOperators: 'S-1-5-32-579',
  RemoteManagementUsers: 'S-1-5-32-580',
  AllAppPackages: 'S-1-15-2-1',
  AuthenticationAuthorityAssertedIdentity: 'S-1-18-1',
  UntrustedMandatoryLevel: 'S-1-16-0',
  LowMandatoryLevel: 'S-1-16-4096',
  MediumMandatoryLevel: 'S-1-16-8192',
  MediumPlusMandatoryLevel: 'S-1-16-8448',
  HighMandatoryLevel: 'S-1-16-12288',
  SystemMandatoryLevel: 'S-1-16-16384',
} as const;

const WK = 'Well-known group' as const;
const AL = 'Alias' as const;
const LB = 'Label' as const;

/** The table. Aliases from sddl.h; names as LookupAccountSid returns them on en-US Windows. */
export const WELL_KNOWN_SIDS: readonly WellKnownSid[] = [
  { sid: SID.Everyone, alias: 'WD', name: 'Everyone', type: WK },
  { sid: SID.Local, name: 'LOCAL', type: WK },
  { sid: SID.ConsoleLogon, name: 'CONSOLE LOGON', type: WK },
  { sid: SID.CreatorOwner, alias: 'CO', name: 'CREATOR OWNER', type: WK },
  { sid: SID.CreatorGroup, alias: 'CG', name: 'CREATOR GROUP', type: WK },
  { sid: SID.OwnerRights, alias: 'OW', name: 'OWNER RIGHTS', type: WK },
  { sid: SID.Network, alias: 'NU', name: 'NT AUTHORITY\\NETWORK', type: WK },
  { sid: SID.Batch, name: 'NT AUTHORITY\\BATCH', type: WK },
  { sid: SID.Interactive, alias: 'IU', name: 'NT AUTHORITY\\INTERACTIVE', type: WK },
  { sid: SID.Service, alias: 'SU', name: 'NT AUTHORITY\\SERVICE', type: WK },
  { sid: SID.Anonymous, alias: 'AN', name: 'NT AUTHORITY\\ANONYMOUS LOGON', type: WK },
  { sid: SID.EnterpriseDomainControllers, alias: 'ED', name: 'NT AUTHORITY\\ENTERPRISE DOMAIN CONTROLLERS', type: WK },
  { sid: SID.PrincipalSelf, alias: 'PS', name: 'NT AUTHORITY\\SELF', type: WK },
  { sid: SID.AuthenticatedUsers, alias: 'AU', name: 'NT AUTHORITY\\Authenticated Users', type: WK },
  { sid: SID.RestrictedCode, alias: 'RC', name: 'NT AUTHORITY\\RESTRICTED', type: WK },
  { sid: SID.RemoteInteractiveLogon, name: 'NT AUTHORITY\\REMOTE INTERACTIVE LOGON', type: WK },
  { sid: SID.ThisOrganization, name: 'NT AUTHORITY\\This Organization', type: WK },
  { sid: SID.LocalSystem, alias: 'SY', name: 'NT AUTHORITY\\SYSTEM', type: WK },
  { sid: SID.LocalService, alias: 'LS', name: 'NT AUTHORITY\\LOCAL SERVICE', type: WK },
  { sid: SID.NetworkService, alias: 'NS', name: 'NT AUTHORITY\\NETWORK SERVICE', type: WK },
  { sid: SID.WriteRestrictedCode, alias: 'WR', name: 'NT AUTHORITY\\WRITE RESTRICTED', type: WK },
  { sid: SID.NtlmAuthentication, name: 'NT AUTHORITY\\NTLM Authentication', type: WK },
  { sid: SID.SChannelAuthentication, name: 'NT AUTHORITY\\SChannel Authentication', type: WK },
  { sid: SID.DigestAuthentication, name: 'NT AUTHORITY\\Digest Authentication', type: WK },
  { sid: SID.LocalAccount, name: 'NT AUTHORITY\\Local account', type: WK },
  { sid: SID.LocalAccountAndAdministrator, name: 'NT AUTHORITY\\Local account and member of Administrators group', type: WK },
  { sid: SID.Administrators, alias: 'BA', name: 'BUILTIN\\Administrators', type: AL },
  { sid: SID.Users, alias: 'BU', name: 'BUILTIN\\Users', type: AL },
  { sid: SID.Guests, alias: 'BG', name: 'BUILTIN\\Guests', type: AL },
  { sid: SID.PowerUsers, alias: 'PU', name: 'BUILTIN\\Power Users', type: AL },
  { sid: SID.AccountOperators, alias: 'AO', name: 'BUILTIN\\Account Operators', type: AL },
  { sid: SID.ServerOperators, alias: 'SO', name: 'BUILTIN\\Server Operators', type: AL },
  { sid: SID.PrintOperators, alias: 'PO', name: 'BUILTIN\\Print Operators', type: AL },
  { sid: SID.BackupOperators, alias: 'BO', name: 'BUILTIN\\Backup Operators', type: AL },
  { sid: SID.Replicator, alias: 'RE', name: 'BUILTIN\\Replicator', type: AL },
  { sid: SID.PreWindows2000CompatibleAccess, alias: 'RU', name: 'BUILTIN\\Pre-Windows 2000 Compatible Access', type: AL },
  { sid: SID.RemoteDesktopUsers, alias: 'RD', name: 'BUILTIN\\Remote Desktop Users', type: AL },
  { sid: SID.NetworkConfigurationOperators, alias: 'NO', name: 'BUILTIN\\Network Configuration Operators', type: AL },
  { sid: SID.PerformanceMonitorUsers, alias: 'MU', name: 'BUILTIN\\Performance Monitor Users', type: AL },
  { sid: SID.PerformanceLogUsers, alias: 'LU', name: 'BUILTIN\\Performance Log Users', type: AL },
  // Distributed COM Users has no SDDL alias: "CD" is Certificate Service DCOM Access (574).
  { sid: SID.DistributedComUsers, name: 'BUILTIN\\Distributed COM Users', type: AL },
  { sid: SID.IisIusrs, alias: 'IS', name: 'BUILTIN\\IIS_IUSRS', type: AL },
  { sid: SID.CryptographicOperators, alias: 'CY', name: 'BUILTIN\\Cryptographic Operators', type: AL },
  { sid: SID.EventLogReaders, alias: 'ER', name: 'BUILTIN\\Event Log Readers', type: AL },
  { sid: SID.CertificateServiceDcomAccess, alias: 'CD', name: 'BUILTIN\\Certificate Service DCOM Access', type: AL },
  { sid: SID.RdsRemoteAccessServers, alias: 'RA', name: 'BUILTIN\\RDS Remote Access Servers', type: AL },
  { sid: SID.RdsEndpointServers, alias: 'ES', name: 'BUILTIN\\RDS Endpoint Servers', type: AL },
  { sid: SID.RdsManagementServers, alias: 'MS', name: 'BUILTIN\\RDS Management Servers', type: AL },
  { sid: SID.HyperVAdministrators, alias: 'HA', name: 'BUILTIN\\Hyper-V Administrators', type: AL },
  { sid: SID.AccessControlAssistanceOperators, alias: 'AA', name: 'BUILTIN\\Access Control Assistance Operators', type: AL },
  { sid: SID.RemoteManagementUsers, alias: 'RM', name: 'BUILTIN\\Remote Management Users', type: AL },
  { sid: SID.AllAppPackages, alias: 'AC', name: 'APPLICATION PACKAGE AUTHORITY\\ALL APPLICATION PACKAGES', type: WK },
  // In Kerberos logon tokens of domain accounts (MS-SFU; whoami /groups on domain members).
  { sid: SID.AuthenticationAuthorityAssertedIdentity, alias: 'AS', name: 'Authentication authority asserted identity', type: WK },
  { sid: SID.UntrustedMandatoryLevel, name: 'Mandatory Label\\Untrusted Mandatory Level', type: LB },
  { sid: SID.LowMandatoryLevel, alias: 'LW', name: 'Mandatory Label\\Low Mandatory Level', type: LB },
  { sid: SID.MediumMandatoryLevel, alias: 'ME', name: 'Mandatory Label\\Medium Mandatory Level', type: LB },
  { sid: SID.MediumPlusMandatoryLevel, alias: 'MP', name: 'Mandatory Label\\Medium Plus Mandatory Level', type: LB },
  { sid: SID.HighMandatoryLevel, alias: 'HI', name: 'Mandatory Label\\High Mandatory Level', type: LB },
  { sid: SID.SystemMandatoryLevel, alias: 'SI', name: 'Mandatory Label\\System Mandatory Level', type: LB },
];

/**
 * sddl.h aliases that are relative to a domain SID. On a workgroup host only LA and LG (the
 * local Administrator and Guest accounts) can resolve, against the machine SID.
 */
export const DOMAIN_RELATIVE_ALIASES: Readonly<Record<string, number>> = {
  LA: 500, LG: 501,
  DA: 512, DU: 513, DG: 514, DC: 515, DD: 516, CA: 517, SA: 518, EA: 519, PA: 520, RO: 521,
  CN: 522, AP: 525, KA: 526, EK: 527, RS: 553,
};

const bySid = new Map<string, WellKnownSid>(WELL_KNOWN_SIDS.map((w) => [w.sid, w]));
const byAlias = new Map<string, WellKnownSid>();
for (const w of WELL_KNOWN_SIDS) if (w.alias !== undefined) byAlias.set(w.alias, w);

/** The well-known entry for a SID string (canonical form), if any. */
export function lookupWellKnownSid(sid: string): WellKnownSid | undefined {
  return bySid.get(sid);
}

/** `S-1-…` for an SDDL alias (exact, upper-case as in sddl.h), if it is a well-known one. */
export function sidFromAlias(alias: string): string | undefined {
  return byAlias.get(alias)?.sid;
}

/** The SDDL alias Windows prints for a SID, if it has one. */
export function aliasForSid(sid: string): string | undefined {
  return bySid.get(sid)?.alias;
}

/** The name Windows prints for a well-known SID, or undefined. */
export function wellKnownSidName(sid: string): string | undefined {
  return bySid.get(sid)?.name;
}

/** A built-in local group the emulated hosts know by name. */
export interface LocalGroup {
  /** Canonical spelling, as `net localgroup` lists it. */
  readonly name: string;
  readonly sid: string;
}

/** Local groups a configured user may belong to (config `users[].groups`). */
export const LOCAL_GROUPS: readonly LocalGroup[] = [
  { name: 'Administrators', sid: SID.Administrators },
  { name: 'Users', sid: SID.Users },
  { name: 'Guests', sid: SID.Guests },
  { name: 'Power Users', sid: SID.PowerUsers },
  { name: 'Backup Operators', sid: SID.BackupOperators },
  { name: 'Remote Desktop Users', sid: SID.RemoteDesktopUsers },
  { name: 'Remote Management Users', sid: SID.RemoteManagementUsers },
  { name: 'Event Log Readers', sid: SID.EventLogReaders },
  { name: 'Performance Monitor Users', sid: SID.PerformanceMonitorUsers },
  { name: 'Distributed COM Users', sid: SID.DistributedComUsers },
];

const groupsByLowerName = new Map<string, LocalGroup>(LOCAL_GROUPS.map((g) => [g.name.toLowerCase(), g]));

/**
 * Case-insensitive lookup of a local group by name (Windows account names are
 * case-insensitive). Accepts an optional `BUILTIN\` prefix. Returns the canonical spelling.
 */
export function lookupLocalGroup(name: string): LocalGroup | undefined {
  let key = name.trim().toLowerCase();
  if (key.startsWith('builtin\\')) key = key.slice('builtin\\'.length);
  return groupsByLowerName.get(key);
}

/**
 * A deterministic machine SID `S-1-5-21-a-b-c` for an emulated computer: a, b, c are the
 * first three little-endian uint32 words of SHA-256 over the upper-cased name (NetBIOS
 * names are case-insensitive, so `web01` and `WEB01` are the same machine). Real Windows picks
 * these at install time at random; all that matters here is stable and distinct per host.
 */
export function machineSidFor(computerName: string): string {
  const digest = createHash('sha256').update(`winrm-emulator machine sid:${computerName.toUpperCase()}`, 'utf8').digest();
  return `S-1-5-21-${digest.readUInt32LE(0)}-${digest.readUInt32LE(4)}-${digest.readUInt32LE(8)}`;
}

const SID_RE = /^S-1-(\d+|0[xX][0-9A-Fa-f]+)((?:-\d+)*)$/;

/**
 * Parse a literal SID string into canonical form (`S-1-5-32-544`), or undefined when it is not
 * one. Follows ConvertStringSidToSid: revision 1, authority decimal (< 2^32) or hex `0x…`
 * (< 2^48), up to 15 sub-authorities of 32 bits each. Canonical output prints the authority in
 * decimal below 2^32 and as `0x` + 12 hex digits above, as ConvertSidToStringSid does.
 */
export function canonicalSid(text: string): string | undefined {
  const m = SID_RE.exec(text.replace(/^s-/, 'S-'));
  if (m === null) return undefined;
  const authText = m[1] ?? '';
  const authority = authText.startsWith('0x') || authText.startsWith('0X') ? Number.parseInt(authText.slice(2), 16) : Number(authText);
  if (!Number.isSafeInteger(authority) || authority >= 2 ** 48) return undefined;
  const subs = (m[2] ?? '').split('-').slice(1);
  if (subs.length > 15) return undefined;
  const out: string[] = [];
  for (const s of subs) {
    const v = Number(s);
    if (!Number.isSafeInteger(v) || v > 0xffffffff) return undefined;
    out.push(String(v));
  }
  const auth = authority >= 2 ** 32 ? `0x${authority.toString(16).toUpperCase().padStart(12, '0')}` : String(authority);
  return ['S-1', auth, ...out].join('-');
}

/**
 * A deterministic domain SID for an emulated domain, derived like machineSidFor but from the
 * NetBIOS domain name, so the same configuration always yields the same SIDs.
 */
export function domainSidFor(netbiosName: string): string {
  const digest = createHash('sha256').update(`winrm-emulator domain sid:${netbiosName.toUpperCase()}`, 'utf8').digest();
  return `S-1-5-21-${digest.readUInt32LE(0)}-${digest.readUInt32LE(4)}-${digest.readUInt32LE(8)}`;
}
