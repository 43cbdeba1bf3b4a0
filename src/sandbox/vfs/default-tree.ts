// The default file tree of an emulated Windows Server 2019 host: what `dir C:\` and
// `dir C:\Users\<user>` show on a fresh install, Windows' default hosts file, and placeholder
// files for the programs the emulated cmd.exe runs (so that `where whoami` finds them).
import type { VfsSeed } from './memory.js';

/** Windows' default `drivers\etc\hosts` (824 bytes, CRLF), unchanged since Windows 7. */
export const DEFAULT_HOSTS = [
  '# Copyright (c) 1993-2009 Microsoft Corp.',
  '#',
  '# This is a sample HOSTS file used by Microsoft TCP/IP for Windows.',
  '#',
  '# This file contains the mappings of IP addresses to host names. Each',
  '# entry should be kept on an individual line. The IP address should',
  '# be placed in the first column followed by the corresponding host name.',
  '# The IP address and the host name should be separated by at least one',
  '# space.',
  '#',
  '# Additionally, comments (such as these) may be inserted on individual',
  "# lines or following the machine name denoted by a '#' symbol.",
  '#',
  '# For example:',
  '#',
  '#      102.54.94.97     rhino.acme.com          # source server',
  '#       38.25.63.10     x.acme.com              # x client host',
  '',
  '# localhost name resolution is handled within DNS itself.',
  '#\t127.0.0.1       localhost',
  '#\t::1             localhost',
  '',
].join('\r\n');

/** Programs in C:\Windows\System32 the emulated cmd.exe knows how to run (name → program). */
export const SYSTEM32_PROGRAMS = ['cmd.exe', 'whoami.exe', 'hostname.exe', 'ipconfig.exe', 'systeminfo.exe', 'where.exe', 'sort.exe', 'findstr.exe', 'more.com', 'timeout.exe', 'chcp.com'] as const;

/** Other System32 files people look for (present, not runnable). */
const SYSTEM32_OTHER = ['notepad.exe', 'ping.exe', 'net.exe', 'netsh.exe', 'reg.exe', 'sc.exe', 'tasklist.exe', 'taskkill.exe', 'certutil.exe', 'winrm.cmd', 'winrs.exe', 'wsmsvc.dll', 'winrscmd.dll'];

export const POWERSHELL_EXE = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';

/** Folders Windows creates in each profile (Server 2019). AppData is hidden. */
const PROFILE_DIRS = ['3D Objects', 'Contacts', 'Desktop', 'Documents', 'Downloads', 'Favorites', 'Links', 'Music', 'Pictures', 'Saved Games', 'Searches', 'Videos'];
const PROFILE_HIDDEN = ['AppData\\Local\\Temp', 'AppData\\Local\\Microsoft\\WindowsApps', 'AppData\\LocalLow', 'AppData\\Roaming'];
const PUBLIC_DIRS = ['Documents', 'Downloads', 'Music', 'Pictures', 'Videos'];

/** A placeholder: the first bytes of a PE file and a note, so `type` shows something binary-ish. */
function placeholder(name: string): string {
  return `MZ\u0090\u0000 placeholder for ${name} (winrm-emulator: emulated, not a real program)\r\n`;
}

export function defaultTree(users: readonly string[]): { seed: VfsSeed; hidden: string[] } {
  const directories: string[] = [
    'C:\\PerfLogs',
    'C:\\Program Files\\Common Files',
    'C:\\Program Files\\Internet Explorer',
    'C:\\Program Files\\WindowsPowerShell\\Modules',
    'C:\\Program Files (x86)\\Common Files',
    'C:\\Program Files (x86)\\WindowsPowerShell\\Modules',
    'C:\\ProgramData\\Microsoft',
    'C:\\Windows\\Temp',
    'C:\\Windows\\Logs',
    'C:\\Windows\\System32\\config',
    'C:\\Windows\\System32\\Wbem',
    'C:\\Windows\\System32\\OpenSSH',
    'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\Modules',
    'C:\\Windows\\SysWOW64',
    'C:\\Users\\Public\\Desktop',
  ];
  const hidden = ['C:\\ProgramData', 'C:\\Users\\Default', 'C:\\Users\\Public\\Desktop'];
  for (const d of PUBLIC_DIRS) directories.push(`C:\\Users\\Public\\${d}`);
  const profiles = ['Default', ...users.filter((u) => u.toLowerCase() !== 'default' && u.toLowerCase() !== 'public')];
  for (const user of profiles) {
    for (const d of PROFILE_DIRS) directories.push(`C:\\Users\\${user}\\${d}`);
    for (const d of PROFILE_HIDDEN) directories.push(`C:\\Users\\${user}\\${d}`);
    hidden.push(`C:\\Users\\${user}\\AppData`);
  }
  const files: { path: string; text: string }[] = [
    { path: 'C:\\Windows\\System32\\drivers\\etc\\hosts', text: DEFAULT_HOSTS },
    { path: POWERSHELL_EXE, text: placeholder('powershell.exe') },
    { path: 'C:\\Program Files\\PowerShell\\7\\pwsh.exe', text: placeholder('pwsh.exe') },
  ];
  for (const name of [...SYSTEM32_PROGRAMS, ...SYSTEM32_OTHER]) files.push({ path: `C:\\Windows\\System32\\${name}`, text: placeholder(name) });
  files.push({ path: 'C:\\Windows\\explorer.exe', text: placeholder('explorer.exe') });
  return { seed: { directories, files }, hidden };
}
