// whoami.exe: the caller's name, SID, groups (from the network-logon token the authz core builds,
// with the well-known SIDs and attributes Windows shows), privileges and claims, in whoami's
// TABLE, LIST and CSV formats. Tables: every column padded to its widest cell (header included),
// `=` rules under the headers, one space between columns.
import type { AccessToken, TokenGroup } from '../../authz/token.js';
import { splitArgv } from './argv.js';
import type { CmdProgram, Invocation } from './types.js';

/** Privileges of a network logon token; WinRM tokens have them all enabled. Descriptions as whoami prints them (en-US). */
const ADMIN_PRIVILEGES: readonly (readonly [string, string])[] = [
  ['SeIncreaseQuotaPrivilege', 'Adjust memory quotas for a process'],
  ['SeSecurityPrivilege', 'Manage auditing and security log'],
  ['SeTakeOwnershipPrivilege', 'Take ownership of files or other objects'],
  ['SeLoadDriverPrivilege', 'Load and unload device drivers'],
  ['SeSystemProfilePrivilege', 'Profile system performance'],
  ['SeSystemtimePrivilege', 'Change the system time'],
  ['SeProfileSingleProcessPrivilege', 'Profile single process'],
  ['SeIncreaseBasePriorityPrivilege', 'Increase scheduling priority'],
  ['SeCreatePagefilePrivilege', 'Create a pagefile'],
  ['SeBackupPrivilege', 'Back up files and directories'],
  ['SeRestorePrivilege', 'Restore files and directories'],
  ['SeShutdownPrivilege', 'Shut down the system'],
  ['SeDebugPrivilege', 'Debug programs'],
  ['SeSystemEnvironmentPrivilege', 'Modify firmware environment values'],
  ['SeChangeNotifyPrivilege', 'Bypass traverse checking'],
  ['SeRemoteShutdownPrivilege', 'Force shutdown from a remote system'],
  ['SeUndockPrivilege', 'Remove computer from docking station'],
  ['SeManageVolumePrivilege', 'Perform volume maintenance tasks'],
  ['SeImpersonatePrivilege', 'Impersonate a client after authentication'],
  ['SeCreateGlobalPrivilege', 'Create global objects'],
  ['SeIncreaseWorkingSetPrivilege', 'Increase a process working set'],
  ['SeTimeZonePrivilege', 'Change the time zone'],
  ['SeCreateSymbolicLinkPrivilege', 'Create symbolic links'],
  ['SeDelegateSessionUserImpersonatePrivilege', 'Obtain an impersonation token for another user in the same session'],
];

/** What UAC leaves a filtered administrator (the privileges a standard user may hold). */
const FILTERED_ADMIN_PRIVILEGES = new Set(['SeShutdownPrivilege', 'SeChangeNotifyPrivilege', 'SeUndockPrivilege', 'SeIncreaseWorkingSetPrivilege', 'SeTimeZonePrivilege']);

/** Users on Windows Server: Bypass traverse checking and Increase a process working set. */
const USER_PRIVILEGES = new Set(['SeChangeNotifyPrivilege', 'SeIncreaseWorkingSetPrivilege']);

export function privilegesOf(token: AccessToken): (readonly [string, string])[] {
  const isAdmin = token.groups.some((g) => g.sid === 'S-1-5-32-544');
  if (isAdmin && !token.filtered) return [...ADMIN_PRIVILEGES];
  const keep = isAdmin ? FILTERED_ADMIN_PRIVILEGES : USER_PRIVILEGES;
  return ADMIN_PRIVILEGES.filter(([name]) => keep.has(name));
}

/** The Attributes column: flags in whoami's order. */
export function groupAttributes(g: TokenGroup): string {
  const a = g.attributes;
  const parts: string[] = [];
  if (a.mandatory) parts.push('Mandatory group');
  if (a.enabledByDefault) parts.push('Enabled by default');
  if (a.enabled) parts.push('Enabled group');
  if (a.owner) parts.push('Group owner');
  if (a.denyOnly) parts.push('Group used for deny only');
  return parts.join(', ');
}

type Format = 'table' | 'list' | 'csv';

function section(title: string): string {
  return `\r\n${title}\r\n${'-'.repeat(title.length)}\r\n\r\n`;
}

/** A whoami table in one of its formats. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], format: Format, noHeader: boolean): string {
  if (format === 'csv') {
    const q = (s: string): string => `"${s}"`;
    const lines = noHeader ? [] : [headers.map(q).join(',')];
    for (const r of rows) lines.push(r.map(q).join(','));
    return lines.map((l) => `${l}\r\n`).join('');
  }
  if (format === 'list') {
    const width = Math.max(...headers.map((h) => h.length)) + 1;
    return rows.map((r) => headers.map((h, i) => `${`${h}:`.padEnd(width + 1)}${r[i] ?? ''}\r\n`).join('')).join('\r\n');
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' ')}\r\n`;
  let out = '';
  if (!noHeader) {
    out += line(headers);
    out += `${widths.map((w) => '='.repeat(w)).join(' ')}\r\n`;
  }
  for (const r of rows) out += line(r);
  return out;
}

function userName(token: AccessToken): string {
  return token.userName.toLowerCase();
}

function userTable(token: AccessToken, format: Format, nh: boolean): string {
  return renderTable(['User Name', 'SID'], [[userName(token), token.userSid]], format, nh);
}

function groupTable(token: AccessToken, format: Format, nh: boolean): string {
  return renderTable(
    ['Group Name', 'Type', 'SID', 'Attributes'],
    token.groups.map((g) => [g.name, g.type, g.sid, groupAttributes(g)]),
    format,
    nh,
  );
}

function privTable(token: AccessToken, format: Format, nh: boolean): string {
  return renderTable(
    ['Privilege Name', 'Description', 'State'],
    privilegesOf(token).map(([n, d]) => [n, d, 'Enabled']),
    format,
    nh,
  );
}

const CLAIMS = `${section('USER CLAIMS INFORMATION')}User claims unknown.\r\n\r\nKerberos support for Dynamic Access Control on this device has been disabled.\r\n`;

const usage = (arg: string): string => `ERROR: Invalid argument/option - '${arg}'.\r\nType "WHOAMI /?" for usage.\r\n`;

export const whoami: CmdProgram = async (inv: Invocation) => {
  const args = splitArgv(inv.args);
  const seen = new Set<string>();
  let format: Format = 'table';
  let noHeader = false;
  for (let i = 0; i < args.length; i++) {
    const raw = args[i] ?? '';
    const a = raw.toLowerCase().replace(/^-/, '/');
    if (a === '/fo') {
      const f = (args[++i] ?? '').toLowerCase();
      if (f !== 'table' && f !== 'list' && f !== 'csv') {
        await inv.ctx.write('stderr', `ERROR: Invalid value '${args[i] ?? ''}' for '/FO' option.\r\nType "WHOAMI /?" for usage.\r\n`);
        return 1;
      }
      format = f;
      continue;
    }
    if (a === '/nh') {
      noHeader = true;
      continue;
    }
    if (!['/upn', '/fqdn', '/logonid', '/user', '/groups', '/claims', '/priv', '/all'].includes(a)) {
      await inv.ctx.write('stderr', usage(raw));
      return 1;
    }
    seen.add(a);
  }
  const token = inv.rt.token(inv.ctx.spec);
  if (noHeader && format === 'list') {
    await inv.ctx.write('stderr', `ERROR: /NH switch cannot be used with the LIST format.\r\nType "WHOAMI /?" for usage.\r\n`);
    return 1;
  }
  if (seen.size === 0) {
    await inv.ctx.write('stdout', `${userName(token)}\r\n`);
    return 0;
  }
  if (seen.has('/upn') || seen.has('/fqdn')) {
    const what = seen.has('/upn') ? 'User Principal Name (UPN)' : 'Fully Qualified Distinguished Name (FQDN)';
    await inv.ctx.write('stderr', `ERROR: Unable to get ${what} as the current logged-on user\r\nis not a domain user.\r\n`);
    return 1;
  }
  if (seen.has('/logonid')) {
    await inv.ctx.write('stdout', 'S-1-5-5-0-1234567\r\n');
    return 0;
  }
  let out = '';
  const all = seen.has('/all');
  // CSV is for machines: no section titles.
  const title = (t: string): string => (format === 'csv' ? '' : section(t));
  if (all || seen.has('/user')) out += title('USER INFORMATION') + userTable(token, format, noHeader);
  if (all || seen.has('/groups')) out += title('GROUP INFORMATION') + groupTable(token, format, noHeader);
  if (all || seen.has('/priv')) out += title('PRIVILEGES INFORMATION') + privTable(token, format, noHeader);
  if ((all || seen.has('/claims')) && format !== 'csv') out += CLAIMS;
  await inv.ctx.write('stdout', out);
  return 0;
};
