// The configuration as live WS-Man resources, driven over real sockets: recorded Gets, both Put
// styles, listeners created and deleted over WS-Man (a real client served by the new one), Basic
// switched off for the next request, shell and WMI resources, and winrm.cmd's text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createConnection } from 'node:net';
import { fixture } from '../helpers/fixtures.js';
import { startEmulator, LAB, type TestEmulator } from '../helpers/emulator.js';
import { basic, request, SOAP } from '../helpers/http.js';
import { env, A, pick } from '../helpers/core.js';
import { pywinrm, pywinrmClient } from '../helpers/clients.js';
import { runWinrmCommand } from '../../src/cli/winrm.js';
import { stripActivityId } from '../helpers/normalise.js';

const CONFIG = 'http://schemas.microsoft.com/wbem/wsman/1/config';
const py = pywinrmClient();

async function winrm(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runWinrmCommand(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

const portOpen = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createConnection({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

describe('winrm/config over WS-Man', () => {
  let emu: TestEmulator;
  const admin = () => ({ ...SOAP, authorization: basic(LAB.admin.name, LAB.admin.password) });
  const post = async (xml: string) => request(emu.https, { headers: admin(), body: xml });
  const cli = (...a: string[]) => winrm(...a, `-r:${emu.https}`, `-u:${LAB.admin.name}`, `-p:${LAB.admin.password}`, '-a:basic', '-skipCAcheck');
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.close());

  it('answers the recorded Get of winrm/config with the recorded body (fx pypsrp/test_wsman_update_envelope_size_500)', async () => {
    const host = await startEmulator({ winrm: { Service: { Auth: { Basic: true, CredSSP: true } } } });
    try {
      const doc = parseYaml(fixture('pypsrp/test_wsman_update_envelope_size_500.yml')) as { messages: Array<{ request: string; response: string }> };
      const m = doc.messages[0]!;
      const r = await request(host.https, { headers: admin(), body: m.request });
      const norm = (x: string) => stripActivityId(x).replace(/<a:MessageID>[^<]*</, '<a:MessageID>M<');
      expect(norm(r.text)).toBe(norm(m.response));
    } finally {
      await host.close();
    }
  });

  it('prints `winrm get winrm/config/service/auth` and `enumerate winrm/config/listener` as winrm.cmd does', async () => {
    const auth = await cli('get', 'winrm/config/service/auth');
    expect(auth.out).toBe('Auth\r\n    Basic = true\r\n    Kerberos = true\r\n    Negotiate = true\r\n    Certificate = false\r\n    CredSSP = false\r\n    CbtHardeningLevel = Relaxed\r\n\r\n');
    const listeners = await cli('enumerate', 'winrm/config/listener');
    expect(listeners.out).toBe(
      'Listener\r\n    Address = IP:127.0.0.1\r\n    Transport = HTTP\r\n    Port = 5985\r\n    Hostname\r\n    Enabled = true\r\n    URLPrefix = wsman\r\n    CertificateThumbprint\r\n    ListeningOn = 127.0.0.1\r\n\r\n' +
        'Listener\r\n    Address = IP:127.0.0.1\r\n    Transport = HTTPS\r\n    Port = 5986\r\n    Hostname = win-emu01\r\n    Enabled = true\r\n    URLPrefix = wsman\r\n    CertificateThumbprint = C913BA3A5649BDE9F0CBDFE24897AA23315F89F6\r\n    ListeningOn = 127.0.0.1\r\n\r\n',
    );
    const all = await cli('get', 'winrm/config');
    expect(all.out).toMatch(/^Config\r\n {4}MaxEnvelopeSizekb = 500\r\n/);
    expect(all.out).toContain('\r\n    Winrs\r\n        AllowRemoteShellAccess = true\r\n');
  });

  it('round-trips both Put styles: winrm set (full document) and a PowerShell fragment', async () => {
    const set = await cli('set', 'winrm/config', '@{MaxTimeoutms="1800000"}');
    expect(set.code, set.err).toBe(0);
    expect(set.out).toContain('    MaxTimeoutms = 1800000\r\n');
    expect(emu.host.winrm.MaxTimeoutms).toBe(1_800_000);
    const fragment = await post(
      env({
        action: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Put',
        resourceUri: `${CONFIG}/service/auth`,
        body: '<cfg:Auth xmlns:cfg="http://schemas.microsoft.com/wbem/wsman/1/config/service/auth"><cfg:CredSSP>true</cfg:CredSSP></cfg:Auth>',
      }),
    );
    expect(fragment.status).toBe(200);
    expect(fragment.text).toContain('<a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/PutResponse</a:Action>');
    expect(fragment.text).toContain('<cfg:CredSSP>true</cfg:CredSSP>');
    const deprecated = await cli('set', 'winrm/config', '@{MaxProviderRequests="25"}');
    expect(deprecated.err).toContain('Error number:  -2144108114 0x803381AE');
  });

  it('refuses changes from a user the RootSDDL does not give write access', async () => {
    const r = await winrm('set', 'winrm/config/winrs', '@{MaxShellsPerUser="1"}', `-r:${emu.https}`, `-u:${LAB.operator.name}`, `-p:${LAB.operator.password}`, '-a:basic', '-skipCAcheck');
    expect(r.err).toContain('Access is denied.');
    expect(emu.host.winrm.Winrs.MaxShellsPerUser).toBe(2147483647);
  });

  it('lists open cmd shells with `winrm enumerate shell` and answers Get on a ShellId', async () => {
    const shellId = pick(/<rsp:ShellId>([^<]+)</, (await post(env({ action: A.create, body: '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>' }))).text);
    const list = await cli('enumerate', 'shell');
    expect(list.out).toContain(`Shell\r\n    ShellId = ${shellId}\r\n    ResourceUri = http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd\r\n    Owner = Administrator\r\n`);
    const got = await post(env({ action: A.get, resourceUri: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell', shellId }));
    expect(got.text).toContain(`<rsp:ShellId>${shellId}</rsp:ShellId>`);
    await post(env({ action: A.delete, shellId }));
  });

  it('answers WMI: Get of Win32_OperatingSystem, a WQL enumeration, an unknown class, and Win32_Process Create into the sandbox', async () => {
    const os = await cli('get', 'wmicimv2/Win32_OperatingSystem');
    expect(os.out).toContain('    CSName = WIN-EMU01\r\n');
    expect(os.out).toContain('    Version = 10.0.17763\r\n');
    const svc = await cli('get', 'wmicimv2/Win32_Service?Name=WinRM');
    expect(svc.out).toContain('    State = Running\r\n');
    const missing = await cli('get', 'wmicimv2/Win32_NoSuchClass');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('0x80338000');
    const enumerated = await post(
      env({
        action: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate',
        resourceUri: 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/*',
        body: `<n:Enumerate xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration"><w:OptimizeEnumeration/><w:MaxElements>32000</w:MaxElements><w:Filter Dialect="http://schemas.microsoft.com/wbem/wsman/1/WQL">select * from Win32_Service where Name="WinRM"</w:Filter></n:Enumerate>`,
      }),
    );
    expect(enumerated.text).toContain('<p:Name>WinRM</p:Name>');
    expect(enumerated.text).not.toContain('<p:Name>Spooler</p:Name>');
    const badWql = await post(
      env({
        action: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate',
        resourceUri: 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/*',
        body: `<n:Enumerate xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration"><w:Filter Dialect="http://schemas.microsoft.com/wbem/wsman/1/WQL">Select * from Win32_Processa where name="sshd.exe"</w:Filter></n:Enumerate>`,
      }),
    );
    expect(badWql.text).toContain('<s:Value>n:CannotProcessFilter</s:Value>');
    expect(badWql.text).toContain('The specified class does not exist in the given namespace. ');
    const created = await cli('invoke', 'Create', 'wmicimv2/Win32_Process', '@{CommandLine="cmd /c echo from-wmi> C:\\Users\\Public\\wmi.txt"}');
    expect(created.out).toMatch(/Create_OUTPUT\r\n {4}ProcessId = \d+\r\n {4}ReturnValue = 0\r\n/);
    await new Promise((r) => setTimeout(r, 100));
    expect(emu.journal.list({ commandLine: 'from-wmi' })[0]?.backend).toBe('wmi:cmd');
  });
});

describe('live listeners and auth settings', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.close());
  const cli = (...a: string[]) => winrm(...a, `-r:${emu.https}`, `-u:${LAB.admin.name}`, `-p:${LAB.admin.password}`, '-a:basic', '-skipCAcheck');

  it.skipIf(!py.available)('creates an HTTPS listener over WS-Man, serves a real client on it, deletes it and closes the port', async () => {
    const created = await cli('create', 'winrm/config/Listener?Address=IP:127.0.0.2+Transport=HTTPS', '@{Hostname="win-emu01";CertificateThumbprint="C913BA3A5649BDE9F0CBDFE24897AA23315F89F6"}');
    expect(created.code, created.err).toBe(0);
    expect(created.out).toContain('Selector = IP:127.0.0.2, HTTPS');
    const listener = emu.listeners.find((l) => l.address === 'IP:127.0.0.2');
    expect(listener).toBeDefined();
    const url = `https://127.0.0.2:${listener!.port}/wsman`;
    const r = await pywinrm({ endpoint: url, username: LAB.admin.name, password: LAB.admin.password, steps: [{ op: 'run_cmd', command: 'hostname' }] });
    expect(r.results[0], JSON.stringify(r)).toMatchObject({ status_code: 0, std_out: 'WIN-EMU01\r\n' });
    const listed = await cli('enumerate', 'winrm/config/listener');
    expect(listed.out).toContain('    Address = IP:127.0.0.2\r\n    Transport = HTTPS\r\n');
    expect(await portOpen('127.0.0.2', listener!.port)).toBe(true);
    const deleted = await cli('delete', 'winrm/config/Listener?Address=IP:127.0.0.2+Transport=HTTPS');
    expect(deleted.code, deleted.err).toBe(0);
    expect(await portOpen('127.0.0.2', listener!.port)).toBe(false);
    expect(emu.listeners.some((l) => l.address === 'IP:127.0.0.2')).toBe(false);
  });

  it('refuses a listener whose certificate is not in the store, and changes nothing', async () => {
    const before = emu.listeners.length;
    const r = await cli('create', 'winrm/config/Listener?Address=IP:127.0.0.3+Transport=HTTPS', '@{Hostname="x";CertificateThumbprint="ABCDEF0123456789ABCDEF0123456789ABCDEF01"}');
    expect(r.code).toBe(1);
    expect(r.err).toContain('ABCDEF0123456789ABCDEF0123456789ABCDEF01');
    expect(emu.listeners.length).toBe(before);
  });

  it('refuses the next Basic request once Service/Auth/Basic is switched off over WS-Man', async () => {
    const off = await cli('set', 'winrm/config/service/auth', '@{Basic="false"}');
    expect(off.code, off.err).toBe(0);
    expect(off.out).toContain('    Basic = false\r\n');
    const next = await request(emu.https, { headers: { ...SOAP, authorization: basic(LAB.admin.name, LAB.admin.password) }, body: env({ action: A.get, resourceUri: CONFIG }) });
    expect(next.status).toBe(401);
  });
});

describe('server.persistConfigChanges', () => {
  it('writes changes made over WS-Man back to the config file', async () => {
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { createEmulator } = await import('../../src/emulator.js');
    const { loadConfig } = await import('../../src/config/load.js');
    const { createLogger } = await import('../../src/logging.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'winrm-emu-persist-'));
    const file = path.join(dir, 'lab.yaml');
    writeFileSync(file, `# my lab\nserver:\n  persistConfigChanges: true\ncertificateStore: ${path.resolve('certs')}\n`);
    const emu = await createEmulator({ config: loadConfig({ file, env: {} }), ephemeralPorts: true, logger: createLogger('silent') });
    try {
      const https = emu.listeners.find((l) => l.transport === 'HTTPS')!.url.replace('localhost', '127.0.0.1');
      const r = await winrm('set', 'winrm/config/winrs', '@{MaxShellsPerUser="7"}', `-r:${https}`, `-u:${LAB.admin.name}`, `-p:${LAB.admin.password}`, '-a:basic', '-skipCAcheck');
      expect(r.code, r.err).toBe(0);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('# my lab');
      expect(loadConfig({ file, env: {} }).config.winrm.Winrs.MaxShellsPerUser).toBe(7);
    } finally {
      await emu.close();
    }
  });
});
