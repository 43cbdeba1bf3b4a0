import { afterAll, describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkExposure, ConfigError, embeddedDefaultPath, loadConfig, packageRoot } from '../../../src/config/load.js';
import { DEFAULT_LAB_PASSWORDS } from '../../../src/config/defaults.js';
import { configError, DEV_THUMBPRINT, removeTempFiles, tempYaml } from './helpers.js';

afterAll(removeTempFiles);

const NO_ENV = {};

const SAMPLE = `computerName: WIN-EMU01
winrm:
  MaxEnvelopeSizekb: 500
  MaxTimeoutms: 60000
  Service:
    AllowUnencrypted: false
    Auth: { Basic: false, Kerberos: true, Negotiate: true, Certificate: false, CredSSP: false, CbtHardeningLevel: Relaxed }
  Winrs: { IdleTimeout: 7200000, MaxShellsPerUser: 2147483647, MaxConcurrentUsers: 2147483647, MaxProcessesPerShell: 2147483647 }
  Listener:
    - { Address: "IP:127.0.0.1", Transport: HTTP, Port: 5985 }
    - { Address: "IP:127.0.0.1", Transport: HTTPS, Port: 5986, Hostname: win-emu01, CertificateThumbprint: "${DEV_THUMBPRINT}" }
certificateStore: ./certs
users:
  - { name: Administrator, password: "Sample-Admin-1", groups: [Administrators] }
  - { name: operator, ntHash: "8846f7eaee8fb117ad06bdd830b7586c", groups: ["Remote Management Users"] }
  - { name: visitor, password: "Sample-Visitor-1", groups: [] }
`;

describe('loadConfig: the embedded default', () => {
  it('with no file gives the lab host of config/default.yaml', () => {
    const loaded = loadConfig({ env: NO_ENV });
    expect(loaded.file).toBeUndefined();
    expect(loaded.baseDir).toBe(packageRoot());
    expect(loaded.config.computerName).toBe('WIN-EMU01');
    expect(loaded.config.winrm.Service.Auth.Basic).toBe(true);
    expect(loaded.config.winrm.Service.AllowUnencrypted).toBe(false);
    expect(loaded.config.winrm.Listener).toEqual([
      { Address: 'IP:127.0.0.1', Transport: 'HTTP', Port: 5985, Hostname: '', Enabled: true, URLPrefix: 'wsman', CertificateThumbprint: '' },
      { Address: 'IP:127.0.0.1', Transport: 'HTTPS', Port: 5986, Hostname: 'win-emu01', Enabled: true, URLPrefix: 'wsman', CertificateThumbprint: DEV_THUMBPRINT },
    ]);
    expect(loaded.config.certificateStore).toBe(join(packageRoot(), 'certs'));
    expect(loaded.config.users.map((u) => [u.name, u.password, u.groups, u.rid])).toEqual([
      ['Administrator', DEFAULT_LAB_PASSWORDS.Administrator, ['Administrators'], 500],
      ['labadmin', DEFAULT_LAB_PASSWORDS.labadmin, ['Administrators'], 1000],
      ['operator', DEFAULT_LAB_PASSWORDS.operator, ['Remote Management Users'], 1001],
      ['visitor', DEFAULT_LAB_PASSWORDS.visitor, [], 1002],
    ]);
    expect(loaded.usesDefaultPasswords).toBe(true);
  });

  it('config/default.yaml also loads as a file', () => {
    const loaded = loadConfig({ file: embeddedDefaultPath(), env: NO_ENV });
    expect(loaded.file).toBe(embeddedDefaultPath());
    expect(loaded.config).toEqual(loadConfig({ env: NO_ENV }).config);
  });

  it.each(readdirSync(join(packageRoot(), 'config', 'examples')).filter((f) => f.endsWith('.yaml')))('config/examples/%s loads', (name) => {
    const loaded = loadConfig({ file: join(packageRoot(), 'config', 'examples', name), env: NO_ENV });
    expect(loaded.config.winrm.Listener.length).toBeGreaterThan(0);
  });

  it('the CI example is HTTP + Basic + AllowUnencrypted with a non-default password', () => {
    const loaded = loadConfig({ file: join(packageRoot(), 'config', 'examples', 'ci.yaml'), env: NO_ENV });
    expect(loaded.config.winrm.Service.AllowUnencrypted).toBe(true);
    expect(loaded.config.winrm.Service.Auth.Basic).toBe(true);
    expect(loaded.config.winrm.Listener.map((l) => l.Transport)).toEqual(['HTTP']);
    expect(loaded.usesDefaultPasswords).toBe(false);
  });
});

describe('loadConfig: a YAML file', () => {
  it('loads the documented sample shape', () => {
    const file = tempYaml(SAMPLE);
    const loaded = loadConfig({ file, env: NO_ENV });
    expect(loaded.file).toBe(file);
    expect(loaded.config.winrm.Service.Auth.Basic).toBe(false);
    expect(loaded.config.winrm.Listener[1]?.CertificateThumbprint).toBe(DEV_THUMBPRINT);
    expect(loaded.config.users.map((u) => u.name)).toEqual(['Administrator', 'operator', 'visitor']);
    expect(loaded.config.users[1]?.ntHash).toBe('8846F7EAEE8FB117AD06BDD830B7586C');
    expect(loaded.usesDefaultPasswords).toBe(false);
  });

  it('resolves a relative certificateStore against the file’s folder', () => {
    const file = tempYaml(SAMPLE);
    const loaded = loadConfig({ file, env: NO_ENV });
    expect(loaded.baseDir).toBe(dirname(file));
    expect(loaded.config.certificateStore).toBe(join(dirname(file), 'certs'));
  });

  it('merges over the embedded default: mappings key by key, lists replaced', () => {
    const file = tempYaml('winrm:\n  Service:\n    AllowUnencrypted: true\nusers:\n  - { name: solo, password: Solo-Passw0rd }\n');
    const { config } = loadConfig({ file, env: NO_ENV });
    expect(config.winrm.Service.AllowUnencrypted).toBe(true);
    expect(config.winrm.Service.Auth.Basic).toBe(true); // from the embedded default
    expect(config.winrm.Listener).toHaveLength(2); // from the embedded default
    expect(config.users.map((u) => u.name)).toEqual(['solo']);
  });

  it('accepts lower-case Windows keys in the file and merges them with the default’s canonical ones', () => {
    const file = tempYaml('winrm:\n  service:\n    auth:\n      basic: false\n');
    expect(loadConfig({ file, env: NO_ENV }).config.winrm.Service.Auth.Basic).toBe(false);
  });

  it('an empty file is the embedded default', () => {
    expect(loadConfig({ file: tempYaml(''), env: NO_ENV }).config).toEqual(loadConfig({ env: NO_ENV }).config);
  });

  it('WINRM_EMU_CONFIG names the file when none is given', () => {
    const file = tempYaml('computerName: FROM-ENV-FILE\n');
    const loaded = loadConfig({ env: { WINRM_EMU_CONFIG: file } });
    expect(loaded.file).toBe(file);
    expect(loaded.config.computerName).toBe('FROM-ENV-FILE');
  });

  it('an explicit file wins over WINRM_EMU_CONFIG', () => {
    const file = tempYaml('computerName: EXPLICIT\n');
    expect(loadConfig({ file, env: { WINRM_EMU_CONFIG: tempYaml('computerName: IGNORED\n') } }).config.computerName).toBe('EXPLICIT');
  });
});

describe('loadConfig: precedence', () => {
  it('command line > environment > file > embedded default', () => {
    const file = tempYaml('computerName: FROM-FILE\nlogging: { level: warn }\nserver: { keepAliveTimeoutMs: 5000 }\n');
    const env = { WINRM_EMU_COMPUTER_NAME: 'from-env', WINRM_EMU_LOG_LEVEL: 'debug' };
    const loaded = loadConfig({ file, env, overrides: { logging: { level: 'trace' } } });
    expect(loaded.config.computerName).toBe('FROM-ENV');
    expect(loaded.config.logging.level).toBe('trace');
    expect(loaded.config.server.keepAliveTimeoutMs).toBe(5000);
    expect(loaded.config.os.version).toBe('10.0.17763');
  });

  it('WINRM_EMU_ALLOW_DEFAULT_PASSWORDS_ON_NETWORK takes true/1/yes', () => {
    for (const value of ['true', '1', 'YES']) {
      expect(loadConfig({ env: { WINRM_EMU_ALLOW_DEFAULT_PASSWORDS_ON_NETWORK: value } }).config.server.allowDefaultPasswordsOnNetwork).toBe(true);
    }
    expect(loadConfig({ env: { WINRM_EMU_ALLOW_DEFAULT_PASSWORDS_ON_NETWORK: '0' } }).config.server.allowDefaultPasswordsOnNetwork).toBe(false);
  });

  it('empty environment variables are ignored', () => {
    expect(loadConfig({ env: { WINRM_EMU_COMPUTER_NAME: '', WINRM_EMU_CONFIG: '' } }).config.computerName).toBe('WIN-EMU01');
  });

  it('overrides may replace lists and use any case under winrm; undefined values are ignored', () => {
    const loaded = loadConfig({
      env: NO_ENV,
      overrides: { computerName: undefined, winrm: { Listener: [{ Address: 'IP:127.0.0.1', Transport: 'HTTP', Port: 15985 }] } },
    });
    expect(loaded.config.computerName).toBe('WIN-EMU01');
    expect(loaded.config.winrm.Listener.map((l) => l.Port)).toEqual([15985]);
  });

  it('a relative certificateStore from the command line resolves against the working directory', () => {
    expect(loadConfig({ env: NO_ENV, overrides: { certificateStore: 'my-certs' } }).config.certificateStore).toBe(join(process.cwd(), 'my-certs'));
  });
});

describe('loadConfig: the result', () => {
  it('is deep-frozen', () => {
    const loaded = loadConfig({ env: NO_ENV });
    expect(Object.isFrozen(loaded)).toBe(true);
    expect(Object.isFrozen(loaded.config)).toBe(true);
    expect(Object.isFrozen(loaded.config.winrm.Service.Auth)).toBe(true);
    expect(Object.isFrozen(loaded.config.winrm.Listener)).toBe(true);
    expect(Object.isFrozen(loaded.config.users[0]?.groups)).toBe(true);
    expect(() => {
      (loaded.config.winrm.Service.Auth as { Basic: boolean }).Basic = false;
    }).toThrow(TypeError);
  });

  it('usesDefaultPasswords also catches the NT hash of a documented password', () => {
    const file = tempYaml('users:\n  - { name: x, ntHash: 615595E809CE4791F1A76FC8B0358E5D }\n');
    expect(loadConfig({ file, env: NO_ENV }).usesDefaultPasswords).toBe(true);
  });
});

describe('loadConfig: errors name the source, the key path and the problem', () => {
  it('unknown key, with the closest known key suggested, at file:line:col', () => {
    const file = tempYaml('winrm:\n  MaxEnvelopSizekb: 500\n');
    const error = configError(() => loadConfig({ file, env: NO_ENV }));
    expect(error.message).toContain(`${file}:2:3: winrm.MaxEnvelopSizekb: unknown key 'MaxEnvelopSizekb'; did you mean 'MaxEnvelopeSizekb'?`);
    expect(error.problems).toEqual([{ source: file, line: 2, column: 3, path: 'winrm.MaxEnvelopSizekb', message: expect.stringContaining('did you mean') }]);
  });

  it('unknown top-level key outside winrm', () => {
    const error = configError(() => loadConfig({ file: tempYaml('computername: X\n'), env: NO_ENV }));
    expect(error.message).toContain("computername: unknown key 'computername'; did you mean 'computerName'?");
  });

  it('bad type', () => {
    const file = tempYaml('winrm:\n  Service:\n    AllowUnencrypted: maybe\n');
    const error = configError(() => loadConfig({ file, env: NO_ENV }));
    expect(error.message).toContain(`${file}:3:5: winrm.Service.AllowUnencrypted: expected true or false, got 'maybe'`);
  });

  it('bad thumbprint', () => {
    const file = tempYaml('winrm:\n  Listener:\n    - { Address: "*", Transport: HTTPS, CertificateThumbprint: "12:34" }\n');
    const error = configError(() => loadConfig({ file, env: NO_ENV }));
    expect(error.message).toMatch(new RegExp(`${file}:3:\\d+: winrm\\.Listener\\[0\\]\\.CertificateThumbprint: must be 40 hexadecimal digits.*got '12:34'`));
  });

  it('HTTP listener with a thumbprint', () => {
    const file = tempYaml(`winrm:\n  Listener:\n    - Address: IP:127.0.0.1\n      Transport: HTTP\n      CertificateThumbprint: ${DEV_THUMBPRINT}\n`);
    const error = configError(() => loadConfig({ file, env: NO_ENV }));
    expect(error.message).toContain(`${file}:5:7: winrm.Listener[0].CertificateThumbprint: must be empty for an HTTP listener`);
  });

  it('duplicate listener', () => {
    const file = tempYaml('winrm:\n  Listener:\n    - { Address: "*", Transport: HTTP }\n    - { Address: "*", Transport: http, Port: 8080 }\n');
    const error = configError(() => loadConfig({ file, env: NO_ENV }));
    expect(error.message).toContain(`${file}:4:9: winrm.Listener[1].Address: duplicate listener`);
  });

  it('password and ntHash both', () => {
    const file = tempYaml('users:\n  - name: a\n    password: Pw-1\n    ntHash: 8846F7EAEE8FB117AD06BDD830B7586C\n');
    const error = configError(() => loadConfig({ file, env: NO_ENV }));
    expect(error.message).toContain(`${file}:4:5: users[0].ntHash: give either password or ntHash, not both`);
  });

  it('unknown group', () => {
    const file = tempYaml('users:\n  - name: a\n    password: Pw-1\n    groups: [WinRMRemoteWMIUsers__]\n');
    const error = configError(() => loadConfig({ file, env: NO_ENV }));
    expect(error.message).toContain(`${file}:4:14: users[0].groups[0]: unknown local group 'WinRMRemoteWMIUsers__'; known groups: Administrators, Remote Management Users`);
  });

  it('YAML syntax error with line and column', () => {
    const file = tempYaml('winrm:\n  Listener: [\n    { Address: "*" }\n');
    const error = configError(() => loadConfig({ file, env: NO_ENV }));
    expect(error.problems).toHaveLength(1);
    expect(error.message).toMatch(new RegExp(`${file}:\\d+:\\d+: YAML syntax error: `));
  });

  it('duplicate YAML keys are a syntax error', () => {
    const file = tempYaml('computerName: A\ncomputerName: B\n');
    expect(configError(() => loadConfig({ file, env: NO_ENV })).message).toContain(`${file}:2:1: YAML syntax error: Map keys must be unique`);
  });

  it('one key given twice in different case under winrm', () => {
    const file = tempYaml('winrm:\n  MaxTimeoutms: 1000\n  maxtimeoutms: 2000\n');
    expect(configError(() => loadConfig({ file, env: NO_ENV })).message).toContain(`${file}:2:3: winrm.MaxTimeoutms: 'maxtimeoutms' and 'MaxTimeoutms' are the same setting`);
  });

  it('reports every problem at once, one line each', () => {
    const file = tempYaml('computerName: bad_name\nwinrm:\n  MaxEnvelopeSizekb: 10\nlogging: { level: loud }\n');
    const error = configError(() => loadConfig({ file, env: NO_ENV }));
    expect(error.problems.map((p) => p.path)).toEqual(['computerName', 'winrm.MaxEnvelopeSizekb', 'logging.level']);
    expect(error.message.split('\n')).toHaveLength(4);
    expect(error.message.split('\n')[0]).toBe('invalid configuration (3 problems):');
  });

  it('names the environment variable or the command line as the source of a bad value', () => {
    const error = configError(() => loadConfig({ env: { WINRM_EMU_LOG_LEVEL: 'loud' }, overrides: { server: { keepAliveTimeoutMs: 5 } } }));
    expect(error.message).toContain("environment WINRM_EMU_LOG_LEVEL: logging.level: must be one of fatal, error, warn, info, debug, trace, silent; got 'loud'");
    expect(error.message).toContain('command line: server.keepAliveTimeoutMs: must be from 1000 to 2147483647; got number 5');
  });

  it('a missing file names the file', () => {
    const missing = join(dirname(tempYaml('')), 'nope.yaml');
    const error = configError(() => loadConfig({ file: missing, env: NO_ENV }));
    expect(error.message).toContain(`${missing}: cannot read the configuration file (given by --config): no such file`);
  });

  it('a file that is not a mapping', () => {
    expect(configError(() => loadConfig({ file: tempYaml('- a\n- b\n'), env: NO_ENV })).message).toContain('the top level must be a mapping');
  });

  it('never echoes a password', () => {
    const file = tempYaml(`users:\n  - { name: a, password: "${'S'.repeat(300)}" }\n`);
    const error = configError(() => loadConfig({ file, env: NO_ENV }));
    expect(error.message).toContain('users[0].password: must be at most 256 characters');
    expect(error.message).not.toContain('SSSS');
  });

  it('is a ConfigError (an Error)', () => {
    const error = configError(() => loadConfig({ file: tempYaml('x: 1\n'), env: NO_ENV }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
  });
});

describe('loadConfig: safe YAML', () => {
  it('refuses an alias bomb', () => {
    let text = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n';
    let previous = 'a';
    for (const name of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']) {
      text += `${name}: &${name} [${new Array(9).fill(`*${previous}`).join(',')}]\n`;
      previous = name;
    }
    const error = configError(() => loadConfig({ file: tempYaml(text), env: NO_ENV }));
    expect(error.message).toContain('alias bomb');
  });

  it('allows a few plain aliases', () => {
    const file = tempYaml('users:\n  - &u { name: a, password: Pw-a-1, groups: &g [Administrators] }\n  - { name: b, password: Pw-b-1, groups: *g }\n');
    expect(loadConfig({ file, env: NO_ENV }).config.users[1]?.groups).toEqual(['Administrators']);
  });

  it('refuses merge keys', () => {
    const file = tempYaml('base: &b { Basic: true }\nwinrm:\n  Service:\n    Auth:\n      <<: *b\n');
    expect(configError(() => loadConfig({ file, env: NO_ENV })).message).toContain(`${file}:5:7: YAML merge keys (<<) are not supported`);
  });

  it.each(['!!binary aGVsbG8=', '!!js/function "x"', '!custom x', '!!set {a}'])('refuses the tag in %s', (value) => {
    const error = configError(() => loadConfig({ file: tempYaml(`computerName: ${value}\n`), env: NO_ENV }));
    expect(error.message).toMatch(/YAML (tag|problem)/);
  });

  it('a __proto__ key is an unknown key, not a prototype change', () => {
    const error = configError(() => loadConfig({ file: tempYaml('__proto__: { computerName: HACKED }\n'), env: NO_ENV }));
    expect(error.message).toContain("unknown key '__proto__'");
    expect(({} as Record<string, unknown>).computerName).toBeUndefined();
  });
});

describe('checkExposure', () => {
  const wide = { winrm: { Listener: [{ Address: '*', Transport: 'HTTP' as const }] } };

  it('explains the refusal when * is bound while default passwords are in use', () => {
    const message = checkExposure(loadConfig({ env: NO_ENV, overrides: wide }));
    expect(message).toBeDefined();
    expect(message).toContain("winrm.Listener[0]: Address '*', HTTP port 5985");
    expect(message).toContain('Administrator, labadmin, operator, visitor');
    expect(message).toContain('--allow-default-passwords-on-network');
    expect(message).toContain('server.allowDefaultPasswordsOnNetwork');
  });

  it('also for a non-loopback IP', () => {
    expect(checkExposure(loadConfig({ env: NO_ENV, overrides: { winrm: { Listener: [{ Address: 'IP:10.0.0.5', Transport: 'HTTP' }] } } }))).toBeDefined();
  });

  it('not with the flag', () => {
    expect(checkExposure(loadConfig({ env: NO_ENV, overrides: { ...wide, server: { allowDefaultPasswordsOnNetwork: true } } }))).toBeUndefined();
  });

  it('not on loopback (127.0.0.0/8, ::1)', () => {
    expect(checkExposure(loadConfig({ env: NO_ENV }))).toBeUndefined();
    const loopback = { winrm: { Listener: [{ Address: 'IP:127.0.0.2', Transport: 'HTTP' as const }, { Address: 'IP:[::1]', Transport: 'HTTP' as const }] } };
    expect(checkExposure(loadConfig({ env: NO_ENV, overrides: loopback }))).toBeUndefined();
  });

  it('not for a disabled listener', () => {
    expect(checkExposure(loadConfig({ env: NO_ENV, overrides: { winrm: { Listener: [{ Address: '*', Transport: 'HTTP', Enabled: false }] } } }))).toBeUndefined();
  });

  it('not when the passwords are your own', () => {
    const overrides = { ...wide, users: [{ name: 'Administrator', password: 'My-Own-Passw0rd', groups: ['Administrators'] }] };
    expect(checkExposure(loadConfig({ env: NO_ENV, overrides }))).toBeUndefined();
  });
});

describe('loadConfig: empty sections', () => {
  it('a section left empty (all its keys commented out) keeps its defaults', () => {
    const file = tempYaml('winrm:\n  Service:\n    # AllowUnencrypted: true\npolicy:\n');
    const { config } = loadConfig({ file, env: NO_ENV });
    expect(config.winrm.Service.Auth.Basic).toBe(true);
    expect(config.policy.LocalAccountTokenFilterPolicy).toBe(false);
  });
});
