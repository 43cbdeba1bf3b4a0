// Constants shared by the config schema, the loader and other layers: Windows' own default values
// that appear in more than one place, the local groups the emulated host knows, and the documented
// lab passwords of the embedded default configuration (config/default.yaml).

/** Service/RootSDDL on Windows 10 / Server 2016 and later (winrm-config.md §3.3). */
export const WINDOWS_ROOT_SDDL = 'O:NSG:BAD:P(A;;GA;;;BA)(A;;GR;;;IU)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)';

/** SDDL of the Microsoft.PowerShell session configuration (BA, Remote Management Users, IU: full). */
export const MICROSOFT_POWERSHELL_SDDL = 'O:NSG:BAD:P(A;;GA;;;BA)(A;;GA;;;RM)(A;;GA;;;IU)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)';

/** Service/DefaultPorts and Client/DefaultPorts (winrm-config.md §3.2, §3.3). */
export const WINDOWS_DEFAULT_PORTS = { HTTP: 5985, HTTPS: 5986 } as const;

export const DEFAULT_COMPUTER_NAME = 'WIN-EMU01';

/** Built-in local groups of a Windows Server host that the emulator knows, in canonical spelling. */
export const KNOWN_LOCAL_GROUPS = [
  'Administrators',
  'Remote Management Users',
  'Users',
  'Remote Desktop Users',
  'Backup Operators',
  'Power Users',
  'Guests',
  'Event Log Readers',
  'Performance Monitor Users',
  'Distributed COM Users',
] as const;

export type KnownLocalGroup = (typeof KNOWN_LOCAL_GROUPS)[number];

/** Well-known relative ids of built-in accounts; other local accounts get 1000, 1001, … */
export const BUILTIN_ACCOUNT_RIDS: Readonly<Record<string, number>> = { administrator: 500, guest: 501 };
export const FIRST_USER_RID = 1000;

/**
 * The passwords of the embedded default lab host (config/default.yaml). They are public, so the
 * loader flags any configuration that still uses one (`LoadedConfig.usesDefaultPasswords`) and
 * `checkExposure` refuses to listen beyond loopback with them unless explicitly allowed.
 */
export const DEFAULT_LAB_PASSWORDS: Readonly<Record<string, string>> = {
  Administrator: 'Emu-Admin-Passw0rd!',
  labadmin: 'Emu-LabAdmin-Passw0rd!',
  operator: 'Emu-Operator-Passw0rd!',
  visitor: 'Emu-Visitor-Passw0rd!',
};

/** NT hashes (MD4 of UTF-16LE) of DEFAULT_LAB_PASSWORDS, so an `ntHash` of a default password is caught too. */
export const DEFAULT_LAB_NT_HASHES: readonly string[] = [
  '615595E809CE4791F1A76FC8B0358E5D', // Emu-Admin-Passw0rd!
  '9EE71281BD97254EBF67569B74B6F7C8', // Emu-LabAdmin-Passw0rd!
  '6841FB76FB232691BCC43D73E8261562', // Emu-Operator-Passw0rd!
  'D588CFFE51F1AB970DAD64A352A3FE0D', // Emu-Visitor-Passw0rd!
];

/** True when the password is one of the documented lab passwords (exact, case-sensitive). */
export function isDefaultLabPassword(password: string): boolean {
  return Object.values(DEFAULT_LAB_PASSWORDS).includes(password);
}

/** True when the (upper-case) NT hash is that of a documented lab password. */
export function isDefaultLabNtHash(ntHash: string): boolean {
  return DEFAULT_LAB_NT_HASHES.includes(ntHash.toUpperCase());
}

/** Built-in groups of an Active Directory domain and their relative ids (MS-DTYP 2.4.2.4). */
export const BUILTIN_DOMAIN_GROUPS: Readonly<Record<string, number>> = {
  'Domain Admins': 512,
  'Domain Users': 513,
  'Domain Guests': 514,
  'Domain Computers': 515,
  'Domain Controllers': 516,
  'Schema Admins': 518,
  'Enterprise Admins': 519,
  'Group Policy Creator Owners': 520,
  'Protected Users': 525,
};

/** What joining a domain puts into the member's local groups (Administrators ← Domain Admins, Users ← Domain Users). */
export const DOMAIN_JOIN_LOCAL_GROUP_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  Administrators: ['Domain Admins'],
  Users: ['Domain Users'],
};

/** Domain accounts and groups without an explicit rid are numbered from here, as a fresh domain's RID pool does. */
export const FIRST_DOMAIN_RID = 1103;
