import { describe, it, expect } from 'vitest';
import { EmulatorConfigSchema } from '../../../src/config/schema.js';
import { MICROSOFT_POWERSHELL_SDDL, WINDOWS_ROOT_SDDL } from '../../../src/config/defaults.js';
import { DEV_THUMBPRINT } from './helpers.js';

function parse(input: unknown) {
  return EmulatorConfigSchema.parse(input);
}

function issues(input: unknown): { path: string; message: string }[] {
  const result = EmulatorConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

describe('schema defaults', () => {
  it('an empty object gives Windows’ documented defaults for every winrm/config setting (winrm-config.md §3)', () => {
    const config = parse({});
    expect(config.winrm).toEqual({
      MaxEnvelopeSizekb: 500,
      MaxTimeoutms: 60000,
      MaxBatchItems: 32000,
      MaxProviderRequests: 4294967295,
      Client: {
        NetworkDelayms: 5000,
        URLPrefix: 'wsman',
        AllowUnencrypted: false,
        Auth: { Basic: true, Digest: true, Kerberos: true, Negotiate: true, Certificate: true, CredSSP: false },
        DefaultPorts: { HTTP: 5985, HTTPS: 5986 },
        TrustedHosts: '',
      },
      Service: {
        RootSDDL: 'O:NSG:BAD:P(A;;GA;;;BA)(A;;GR;;;IU)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)',
        MaxConcurrentOperations: 4294967295,
        MaxConcurrentOperationsPerUser: 1500,
        EnumerationTimeoutms: 240000,
        MaxConnections: 300,
        MaxPacketRetrievalTimeSeconds: 120,
        AllowUnencrypted: false,
        Auth: { Basic: false, Kerberos: true, Negotiate: true, Certificate: false, CredSSP: false, CbtHardeningLevel: 'Relaxed' },
        DefaultPorts: { HTTP: 5985, HTTPS: 5986 },
        IPv4Filter: '*',
        IPv6Filter: '*',
        EnableCompatibilityHttpListener: false,
        EnableCompatibilityHttpsListener: false,
        CertificateThumbprint: '',
        AllowRemoteAccess: true,
        CertMapping: [],
      },
      Winrs: {
        AllowRemoteShellAccess: true,
        IdleTimeout: 7200000,
        MaxConcurrentUsers: 2147483647,
        MaxShellRunTime: 2147483647,
        MaxProcessesPerShell: 2147483647,
        MaxMemoryPerShellMB: 2147483647,
        MaxShellsPerUser: 2147483647,
      },
      Listener: [],
    });
    expect(config.winrm.Service.RootSDDL).toBe(WINDOWS_ROOT_SDDL);
  });

  it('an empty object gives the emulator’s own defaults for the host', () => {
    const config = parse({});
    expect(config.computerName).toBe('WIN-EMU01');
    expect(config.os).toEqual({ version: '10.0.17763', servicePack: '0.0', stackVersion: '3.0', productName: 'Windows Server 2019 Datacenter' });
    expect(config.sessionConfigurations).toEqual([{ name: 'Microsoft.PowerShell', sddl: MICROSOFT_POWERSHELL_SDDL, sessionType: 'Default', roleDefinitions: [] }]);
    expect(config.policy).toEqual({
      LocalAccountTokenFilterPolicy: false,
      FilterAdministratorToken: false,
      AccountLockout: { Threshold: 0, ResetLockoutCounterAfterms: 1_800_000, LockoutDurationms: 1_800_000, AllowAdministratorLockout: false },
      AllowNtlmV1: false,
      AllowAnonymousNtlm: false,
    });
    expect(config.sandbox).toMatchObject({ rules: [], strict: false, journalEntries: 1000, journalFile: '', maxBufferedOutputBytes: 1024 * 1024 });
    expect(config.logging).toEqual({ level: 'info', sync: true, flushIntervalMs: 100 });
    expect(config.server).toEqual({ keepAliveTimeoutMs: 120000, allowDefaultPasswordsOnNetwork: false, unencryptedRefusalStatus: 500, persistConfigChanges: false, maxTcpConnections: 4096 });
    expect(config.certificateStore).toBe('./certs');
    expect(config.users).toEqual([]);
  });

  it('a listener without Port gets Service.DefaultPorts of its transport, and Windows’ item defaults', () => {
    const config = parse({
      winrm: {
        Service: { DefaultPorts: { HTTPS: 15986 } },
        Listener: [
          { Address: '*', Transport: 'HTTP' },
          { Address: 'IP:127.0.0.1', Transport: 'HTTPS', CertificateThumbprint: DEV_THUMBPRINT },
        ],
      },
    });
    expect(config.winrm.Listener).toEqual([
      { Address: '*', Transport: 'HTTP', Port: 5985, Hostname: '', Enabled: true, URLPrefix: 'wsman', CertificateThumbprint: '' },
      { Address: 'IP:127.0.0.1', Transport: 'HTTPS', Port: 15986, Hostname: '', Enabled: true, URLPrefix: 'wsman', CertificateThumbprint: DEV_THUMBPRINT },
    ]);
  });
});

describe('Windows-style input', () => {
  it('keys under winrm are case-insensitive and come out in canonical spelling', () => {
    const config = parse({ winrm: { maxenvelopesizekb: 150, SERVICE: { auth: { basic: true, cbthardeninglevel: 'strict' } }, winrs: { idletimeout: 60000 } } });
    expect(config.winrm.MaxEnvelopeSizekb).toBe(150);
    expect(config.winrm.Service.Auth.Basic).toBe(true);
    expect(config.winrm.Service.Auth.CbtHardeningLevel).toBe('Strict');
    expect(config.winrm.Winrs.IdleTimeout).toBe(60000);
  });

  it('keys outside winrm stay case-sensitive', () => {
    expect(issues({ ComputerName: 'X' })).toEqual([expect.objectContaining({ path: '' })]);
  });

  it("booleans may be the strings 'true'/'false' in any case and numbers numeric strings, as winrm set takes them", () => {
    const config = parse({ winrm: { MaxTimeoutms: '1800000', Service: { AllowUnencrypted: 'TRUE', Auth: { Kerberos: 'False' } } } });
    expect(config.winrm.MaxTimeoutms).toBe(1800000);
    expect(config.winrm.Service.AllowUnencrypted).toBe(true);
    expect(config.winrm.Service.Auth.Kerberos).toBe(false);
  });

  it("other strings are not booleans ('yes' is refused)", () => {
    expect(issues({ winrm: { Service: { AllowUnencrypted: 'yes' } } })).toEqual([expect.objectContaining({ path: 'winrm.Service.AllowUnencrypted' })]);
  });

  it('an empty value under winrm is an empty string (like xsi:nil)', () => {
    expect(parse({ winrm: { Client: { TrustedHosts: null } } }).winrm.Client.TrustedHosts).toBe('');
  });

  it('Transport is matched case-insensitively and stored upper-case; IP:/MAC: prefixes likewise', () => {
    const config = parse({ winrm: { Listener: [{ Address: 'ip:127.0.0.1', Transport: 'http' }] } });
    expect(config.winrm.Listener[0]).toMatchObject({ Address: 'IP:127.0.0.1', Transport: 'HTTP' });
  });

  it('a thumbprint with spaces, colons and lower case is normalised to 40 upper-case hex digits', () => {
    const spaced = DEV_THUMBPRINT.toLowerCase().replace(/(..)/g, '$1 ').trim();
    const config = parse({ winrm: { Listener: [{ Address: '*', Transport: 'HTTPS', CertificateThumbprint: spaced }] } });
    expect(config.winrm.Listener[0]?.CertificateThumbprint).toBe(DEV_THUMBPRINT);
  });

  it('computerName is stored upper-case', () => {
    expect(parse({ computerName: 'lab-host7' }).computerName).toBe('LAB-HOST7');
  });
});

describe('ranges and formats', () => {
  it.each([
    [{ winrm: { MaxEnvelopeSizekb: 31 } }, 'winrm.MaxEnvelopeSizekb'],
    [{ winrm: { MaxEnvelopeSizekb: 1039441 } }, 'winrm.MaxEnvelopeSizekb'],
    [{ winrm: { MaxTimeoutms: 499 } }, 'winrm.MaxTimeoutms'],
    [{ winrm: { MaxEnvelopeSizekb: 1.5 } }, 'winrm.MaxEnvelopeSizekb'],
    [{ winrm: { Service: { MaxConnections: 513 } } }, 'winrm.Service.MaxConnections'],
    [{ winrm: { Service: { DefaultPorts: { HTTP: 0 } } } }, 'winrm.Service.DefaultPorts.HTTP'],
    [{ winrm: { Service: { IPv4Filter: '10.0.0.1-fe80::1' } } }, 'winrm.Service.IPv4Filter'],
    [{ winrm: { Listener: [{ Address: '*', Transport: 'HTTP', Port: 65536 }] } }, 'winrm.Listener.0.Port'],
    [{ winrm: { Listener: [{ Address: '*', Transport: 'HTTP', URLPrefix: '/wsman' }] } }, 'winrm.Listener.0.URLPrefix'],
    [{ winrm: { Listener: [{ Address: '*', Transport: 'FTP' }] } }, 'winrm.Listener.0.Transport'],
    [{ computerName: 'WAY-TOO-LONG-NAME1' }, 'computerName'],
    [{ computerName: 'bad_name' }, 'computerName'],
    [{ computerName: '12345' }, 'computerName'],
    [{ server: { keepAliveTimeoutMs: 999 } }, 'server.keepAliveTimeoutMs'],
    [{ server: { unencryptedRefusalStatus: 403 } }, 'server.unencryptedRefusalStatus'],
    [{ logging: { level: 'verbose' } }, 'logging.level'],
    [{ os: { version: '10.0' } }, 'os.version'],
  ])('%j is refused at %s', (input, path) => {
    expect(issues(input).map((i) => i.path)).toContain(path);
  });

  it('Winrs.IdleTimeout below Windows’ effective minimum of 60000 is accepted as given (documented)', () => {
    expect(parse({ winrm: { Winrs: { IdleTimeout: 1000 } } }).winrm.Winrs.IdleTimeout).toBe(1000);
  });

  it('IP filters accept *, blank and comma lists of ranges', () => {
    const config = parse({ winrm: { Service: { IPv4Filter: '10.0.0.1-10.0.0.20, 127.0.0.1', IPv6Filter: '' } } });
    expect(config.winrm.Service.IPv4Filter).toBe('10.0.0.1-10.0.0.20, 127.0.0.1');
    expect(config.winrm.Service.IPv6Filter).toBe('');
  });
});

describe('listeners', () => {
  it.each(['*', 'IP:10.1.2.3', 'IP:[::1]', 'IP:::1', 'IP:fe80::1'])('Address %s is accepted', (Address) => {
    expect(issues({ winrm: { Listener: [{ Address, Transport: 'HTTP' }] } })).toEqual([]);
  });

  it.each(['localhost', 'IP:999.1.1.1', 'IP:', '10.0.0.1', 'MAC:zz'])('Address %s is refused as invalid', (Address) => {
    const found = issues({ winrm: { Listener: [{ Address, Transport: 'HTTP' }] } });
    expect(found).toEqual([expect.objectContaining({ path: 'winrm.Listener.0.Address', message: expect.stringContaining('invalid listener address') })]);
  });

  it('a MAC address is valid Windows syntax but refused as not emulated', () => {
    const found = issues({ winrm: { Listener: [{ Address: 'MAC:00-15-5D-01-02-03', Transport: 'HTTP' }] } });
    expect(found).toEqual([expect.objectContaining({ path: 'winrm.Listener.0.Address', message: expect.stringContaining('not emulated') })]);
  });

  it('HTTPS needs a thumbprint; HTTP must not have one (2150858987)', () => {
    expect(issues({ winrm: { Listener: [{ Address: '*', Transport: 'HTTPS' }] } })).toEqual([
      expect.objectContaining({ path: 'winrm.Listener.0.CertificateThumbprint', message: expect.stringContaining('required for an HTTPS listener') }),
    ]);
    expect(issues({ winrm: { Listener: [{ Address: '*', Transport: 'HTTP', CertificateThumbprint: DEV_THUMBPRINT }] } })).toEqual([
      expect.objectContaining({ path: 'winrm.Listener.0.CertificateThumbprint', message: expect.stringContaining('2150858987') }),
    ]);
  });

  it('the same Address and Transport twice is refused, even written differently', () => {
    const found = issues({ winrm: { Listener: [{ Address: 'IP:[::1]', Transport: 'HTTP', Port: 5985 }, { Address: 'ip:0:0:0:0:0:0:0:1', Transport: 'http', Port: 8080 }] } });
    expect(found).toEqual([expect.objectContaining({ path: 'winrm.Listener.1.Address', message: expect.stringContaining('duplicate listener') })]);
  });

  it('two enabled listeners on the same address and port are refused; * overlaps every address', () => {
    const clash = issues({ winrm: { Listener: [{ Address: '*', Transport: 'HTTP' }, { Address: 'IP:127.0.0.1', Transport: 'HTTPS', Port: 5985, CertificateThumbprint: DEV_THUMBPRINT }] } });
    expect(clash).toEqual([expect.objectContaining({ path: 'winrm.Listener.1.Port', message: expect.stringContaining('already bound by Listener[0]') })]);
  });

  it('a disabled listener does not clash, and different addresses on one port do not clash', () => {
    expect(
      issues({
        winrm: {
          Listener: [
            { Address: '*', Transport: 'HTTP', Enabled: false },
            { Address: 'IP:127.0.0.1', Transport: 'HTTPS', Port: 5985, CertificateThumbprint: DEV_THUMBPRINT },
            { Address: 'IP:127.0.0.2', Transport: 'HTTP', Port: 5985 },
          ],
        },
      }),
    ).toEqual([]);
  });
});

describe('certificate mappings', () => {
  const user = { name: 'certuser', password: 'Secret-1', groups: ['Administrators'] };
  const mapping = { Issuer: DEV_THUMBPRINT.toLowerCase(), Subject: 'certuser@localhost', UserName: 'CertUser' };

  it('defaults URI to * and Enabled to true, and upper-cases the Issuer', () => {
    const config = parse({ users: [user], winrm: { Service: { CertMapping: [mapping] } } });
    expect(config.winrm.Service.CertMapping).toEqual([{ ...mapping, Issuer: DEV_THUMBPRINT, URI: '*', Enabled: true }]);
  });

  it('UserName must be a configured user', () => {
    const found = issues({ users: [user], winrm: { Service: { CertMapping: [{ ...mapping, UserName: 'nobody' }] } } });
    expect(found).toEqual([expect.objectContaining({ path: 'winrm.Service.CertMapping.0.UserName', message: expect.stringContaining('not one of the configured users') })]);
  });

  it.each(['a*b', '**x', 'a*b*'])("Subject '%s' is refused (one '*', first or last)", (Subject) => {
    expect(issues({ users: [user], winrm: { Service: { CertMapping: [{ ...mapping, Subject }] } } }).map((i) => i.path)).toEqual(['winrm.Service.CertMapping.0.Subject']);
  });

  it("URI with '*' not last, a space or '?' is refused", () => {
    for (const URI of ['*/x', 'http://a b', 'http://x?y']) {
      expect(issues({ users: [user], winrm: { Service: { CertMapping: [{ ...mapping, URI }] } } }).map((i) => i.path)).toContain('winrm.Service.CertMapping.0.URI');
    }
  });

  it('the same Issuer, Subject and URI twice is refused', () => {
    expect(issues({ users: [user], winrm: { Service: { CertMapping: [mapping, mapping] } } }).map((i) => i.path)).toEqual(['winrm.Service.CertMapping.1']);
  });
});

describe('users', () => {
  it('assigns Administrator 500, Guest 501 and others 1000+ in order, skipping explicit ids', () => {
    const config = parse({
      users: [
        { name: 'alice', password: 'a' },
        { name: 'administrator', password: 'b' },
        { name: 'bob', password: 'c', rid: 1001 },
        { name: 'Guest', password: 'd' },
        { name: 'carol', password: 'e' },
      ],
    });
    expect(config.users.map((u) => [u.name, u.rid])).toEqual([
      ['alice', 1000],
      ['administrator', 500],
      ['bob', 1001],
      ['Guest', 501],
      ['carol', 1002],
    ]);
  });

  it('group names are matched case-insensitively and stored in canonical spelling', () => {
    const config = parse({ users: [{ name: 'op', password: 'x', groups: ['remote management users', 'ADMINISTRATORS'] }] });
    expect(config.users[0]?.groups).toEqual(['Remote Management Users', 'Administrators']);
  });

  it('an unknown group is refused with the list of known groups and a suggestion', () => {
    const found = issues({ users: [{ name: 'op', password: 'x', groups: ['Administrator'] }] });
    expect(found).toEqual([
      expect.objectContaining({ path: 'users.0.groups.0', message: expect.stringMatching(/did you mean 'Administrators'\?.*Remote Management Users/) }),
    ]);
  });

  it('exactly one of password and ntHash', () => {
    expect(issues({ users: [{ name: 'a', password: 'x', ntHash: '8846F7EAEE8FB117AD06BDD830B7586C' }] })).toEqual([
      expect.objectContaining({ path: 'users.0.ntHash', message: 'give either password or ntHash, not both' }),
    ]);
    expect(issues({ users: [{ name: 'a' }] })).toEqual([expect.objectContaining({ path: 'users.0.password' })]);
  });

  it('ntHash is 32 hex digits, upper-cased', () => {
    expect(parse({ users: [{ name: 'a', ntHash: '8846f7eaee8fb117ad06bdd830b7586c' }] }).users[0]?.ntHash).toBe('8846F7EAEE8FB117AD06BDD830B7586C');
    expect(issues({ users: [{ name: 'a', ntHash: 'abc' }] }).map((i) => i.path)).toEqual(['users.0.ntHash']);
  });

  it('names are unique case-insensitively, and rids unique', () => {
    expect(issues({ users: [{ name: 'Bob', password: 'x' }, { name: 'BOB', password: 'y' }] }).map((i) => i.path)).toEqual(['users.1.name']);
    expect(issues({ users: [{ name: 'a', password: 'x', rid: 1005 }, { name: 'b', password: 'y', rid: 1005 }] }).map((i) => i.path)).toEqual(['users.1.rid']);
  });

  it.each(['', 'a'.repeat(21), 'dom\\user', 'user@dom', 'a,b', '...'])("name '%s' is refused", (name) => {
    expect(issues({ users: [{ name, password: 'x' }] }).map((i) => i.path)).toContain('users.0.name');
  });

  it('enabled defaults to true and fullName to empty', () => {
    expect(parse({ users: [{ name: 'a', password: 'x' }] }).users[0]).toEqual({ name: 'a', password: 'x', groups: [], rid: 1000, enabled: true, fullName: '' });
  });
});

describe('session configurations', () => {
  it('names are unique case-insensitively', () => {
    const found = issues({ sessionConfigurations: [{ name: 'Microsoft.PowerShell', sddl: 'O:NS' }, { name: 'microsoft.powershell', sddl: 'O:NS' }] });
    expect(found.map((i) => i.path)).toEqual(['sessionConfigurations.1.name']);
  });
});
