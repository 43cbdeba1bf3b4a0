// The `winrm` command against a running emulator: winrm.cmd's vocabulary and text output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWinrmCommand, parseResource, parseHashtable } from '../../src/cli/winrm.js';
import { startEmulator, LAB, type TestEmulator } from '../helpers/emulator.js';

async function winrm(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runWinrmCommand(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe('winrm argument syntax', () => {
  it('expands aliases and selectors as winrm.cmd does', () => {
    expect(parseResource('winrm/config/Listener?Address=*+Transport=HTTPS')).toEqual({ uri: 'http://schemas.microsoft.com/wbem/wsman/1/config/Listener', selectors: [['Address', '*'], ['Transport', 'HTTPS']] });
    expect(parseResource('wmicimv2/Win32_Service?Name=WinRM').uri).toBe('http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service');
    expect(parseHashtable('@{Hostname="win-emu01";CertificateThumbprint="ABC";Port=5986}')).toEqual([['Hostname', 'win-emu01'], ['CertificateThumbprint', 'ABC'], ['Port', '5986']]);
    expect(() => parseHashtable('Hostname=x')).toThrow(/expected @\{/);
  });
});

describe('winrm against the emulator', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.close());

  it('identify prints the IdentifyResponse, anonymously and with credentials over NTLM', async () => {
    const anon = await winrm('identify', `-r:${emu.http}`);
    expect(anon.code).toBe(0);
    expect(anon.out).toBe(
      'IdentifyResponse\r\n    ProtocolVersion = http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\r\n    ProductVendor = Microsoft Corporation\r\n    ProductVersion = OS: 0.0.0 SP: 0.0 Stack: 3.0\r\n\r\n',
    );
    const ntlm = await winrm('id', `-r:${emu.http}`, `-u:${LAB.admin.name}`, `-p:${LAB.admin.password}`);
    expect(ntlm.out).toContain('ProductVersion = OS: 10.0.17763 SP: 0.0 Stack: 3.0');
    expect(ntlm.out).toContain('SecurityProfileName = http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/basic, ');
  });

  it('prints faults as winrm.cmd does, with the HRESULT for Access denied', async () => {
    const r = await winrm('get', 'winrm/config', `-r:${emu.https}`, `-u:${LAB.visitor.name}`, `-p:${LAB.visitor.password}`, '-a:basic', '-skipCAcheck');
    expect(r.code).toBe(1);
    expect(r.err).toBe('WSManFault\r\n    Message = Access is denied. \r\n\r\nError number:  -2147024891 0x80070005\r\nAccess is denied.\r\n');
  });

  it('refuses a wrong password as Access denied, and an unknown switch with usage', async () => {
    expect((await winrm('get', 'winrm/config', `-r:${emu.https}`, '-u:Administrator', '-p:wrong', '-a:basic', '-skipCAcheck')).err).toContain('Access is denied.');
    const bad = await winrm('get', 'winrm/config', '-bogus');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown switch -bogus');
  });

  it('reads a configuration file offline with --config', async () => {
    const r = await winrm('get', 'winrm/config/winrs', '--config', 'config/default.yaml');
    expect(r.out).toBe(
      'Winrs\r\n    AllowRemoteShellAccess = true\r\n    IdleTimeout = 7200000\r\n    MaxConcurrentUsers = 2147483647\r\n    MaxShellRunTime = 2147483647\r\n    MaxProcessesPerShell = 2147483647\r\n    MaxMemoryPerShellMB = 2147483647\r\n    MaxShellsPerUser = 2147483647\r\n\r\n',
    );
  });
});
