// Endpoint profiles: what a session configuration lets the connecting user see and do
// (psrp.md §6). A default configuration is FullLanguage with every command; a JEA one
// (SessionType RestrictedRemoteServer) starts from NoLanguage and the eight commands remoting
// itself needs, plus the visible cmdlets, functions and external commands of every role
// definition that names the user or one of the user's groups.
import type { SessionConfigurationConfig } from '../../config/types.js';
import { isCommandVisible, type EndpointProfile, type LanguageMode } from './engine.js';

/** What RestrictedRemoteServer leaves public [pwsh SMA/engine/InitialSessionState.cs ~L1389]. */
export const RESTRICTED_REMOTE_SERVER_COMMANDS: readonly string[] = ['Get-Command', 'Get-FormatData', 'Clear-Host', 'Select-Object', 'Get-Help', 'Measure-Object', 'Out-Default', 'Exit-PSSession'];

export interface ProfileUser {
  readonly name: string;
  readonly groups: readonly string[];
  readonly computerName: string;
}

function principalMatches(principal: string, user: ProfileUser): boolean {
  const p = principal.toLowerCase();
  const names = [user.name, `${user.computerName}\\${user.name}`, `.\\${user.name}`, ...user.groups, ...user.groups.map((g) => `${user.computerName}\\${g}`), ...user.groups.map((g) => `BUILTIN\\${g}`)];
  return names.some((n) => n.toLowerCase() === p);
}

export function endpointProfile(sc: SessionConfigurationConfig, user: ProfileUser): EndpointProfile {
  const restricted = sc.sessionType === 'RestrictedRemoteServer';
  const languageMode: LanguageMode = sc.languageMode ?? (restricted ? 'NoLanguage' : 'FullLanguage');
  if (!restricted) {
    return { configurationName: sc.name, languageMode, visibleCommands: undefined, visibleProviders: undefined };
  }
  const visible = [...RESTRICTED_REMOTE_SERVER_COMMANDS];
  const providers: string[] = [];
  for (const role of sc.roleDefinitions) {
    if (!role.principals.some((p) => principalMatches(p, user))) continue;
    visible.push(...role.visibleCmdlets, ...role.visibleFunctions, ...role.visibleExternalCommands);
    providers.push(...role.visibleProviders);
  }
  return { configurationName: sc.name, languageMode, visibleCommands: visible, visibleProviders: providers };
}

/**
 * May a script of this session call `name`? The name as typed, or the program it finds on the
 * Path: `whoami` is also `whoami.exe` and `C:\Windows\System32\whoami.exe` for VisibleExternalCommands.
 */
export function isCommandCallable(profile: EndpointProfile, name: string): boolean {
  const names = [name];
  if (!/[\\/]/.test(name)) {
    const exe = /\.[a-z0-9]{1,4}$/i.test(name) ? [name] : [`${name}.exe`, `${name}.com`];
    names.push(...exe, ...exe.map((e) => `C:\\Windows\\System32\\${e}`));
  }
  return names.some((n) => isCommandVisible(profile, n));
}
