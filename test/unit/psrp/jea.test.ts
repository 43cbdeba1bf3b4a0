// Session configurations as endpoint profiles: default endpoints see everything in FullLanguage;
// RestrictedRemoteServer (JEA) endpoints start from NoLanguage and remoting's eight commands,
// plus what the roles naming the user or one of its groups make visible (psrp.md §6).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/config/errors.js';
import { endpointProfile, RESTRICTED_REMOTE_SERVER_COMMANDS } from '../../../src/shell/psrp/jea.js';
import { isCommandVisible } from '../../../src/shell/psrp/engine.js';
import { MICROSOFT_POWERSHELL_SDDL } from '../../../src/config/defaults.js';

const configWith = (sc: Record<string, unknown>) => loadConfig({ env: {}, overrides: { sessionConfigurations: [{ name: 'JEA', sddl: MICROSOFT_POWERSHELL_SDDL, ...sc }] } as never }).config.sessionConfigurations[0]!;

describe('endpoint profiles', () => {
  it('a default configuration shows every command in FullLanguage', () => {
    const p = endpointProfile(configWith({}), { name: 'u', groups: [], computerName: 'WIN' });
    expect(p).toEqual({ configurationName: 'JEA', languageMode: 'FullLanguage', visibleCommands: undefined, visibleProviders: undefined });
  });

  it('RestrictedRemoteServer shows remoting’s commands and the roles of the user’s groups', () => {
    const sc = configWith({
      sessionType: 'restrictedremoteserver',
      roleDefinitions: [
        { principals: ['BUILTIN\\Administrators'], visibleCmdlets: ['Get-Item'], visibleProviders: ['WSMan'] },
        { principals: ['Operators'], visibleCmdlets: ['Restart-*'], visibleExternalCommands: ['C:\\Windows\\System32\\whoami.exe'] },
      ],
    });
    const admin = endpointProfile(sc, { name: 'admin', groups: ['Administrators'], computerName: 'WIN' });
    expect(admin.languageMode).toBe('NoLanguage');
    expect(admin.visibleCommands).toEqual([...RESTRICTED_REMOTE_SERVER_COMMANDS, 'Get-Item']);
    expect(admin.visibleProviders).toEqual(['WSMan']);
    expect(isCommandVisible(admin, 'get-item')).toBe(true);
    expect(isCommandVisible(admin, 'Restart-Service')).toBe(false);
    const op = endpointProfile(sc, { name: 'op', groups: ['Operators'], computerName: 'WIN' });
    expect(isCommandVisible(op, 'Restart-Service')).toBe(true);
    expect(isCommandVisible(op, 'C:\\Windows\\System32\\whoami.exe')).toBe(true);
    expect(isCommandVisible(op, 'Get-Item')).toBe(false);
    expect(isCommandVisible(op, 'Exit-PSSession')).toBe(true);
  });

  it('a language mode given in the configuration wins', () => {
    const p = endpointProfile(configWith({ sessionType: 'RestrictedRemoteServer', languageMode: 'ConstrainedLanguage' }), { name: 'u', groups: [], computerName: 'WIN' });
    expect(p.languageMode).toBe('ConstrainedLanguage');
  });

  it('a role without principals is refused at load, naming the path', () => {
    expect(() => configWith({ roleDefinitions: [{ principals: [], visibleCmdlets: ['x'] }] })).toThrow(ConfigError);
    expect(() => configWith({ roleDefinitions: [{ principals: [], visibleCmdlets: ['x'] }] })).toThrow(/sessionConfigurations.*roleDefinitions.*principals/);
  });
});
