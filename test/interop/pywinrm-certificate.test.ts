// pywinrm (Debian python3-winrm 0.3.0) with transport='certificate' against an HTTPS listener:
// client certificates made by `winrm-emulator certs ca` / `certs client`, mapped to local accounts
// through winrm.Service.CertMapping (winrm-config.md §7). Refusals are 401 with an empty body,
// which pywinrm reports as InvalidCredentialsError, and an auth.failed event naming the reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type TestEmulator } from '../helpers/emulator.js';
import { pywinrm, pywinrmClient, type PywinrmSpec } from '../helpers/clients.js';
import { runCertsCommand } from '../../src/cli/certs.js';
import { packageRoot } from '../../src/config/load.js';
import type { DeepPartial } from '../../src/config/load.js';
import type { EmulatorConfig } from '../../src/config/types.js';
import type { EmulatorEventMap } from '../../src/events.js';

const py = pywinrmClient();

async function certs(args: string[]): Promise<{ thumbprint: string; out: string }> {
  let out = '';
  let err = '';
  const code = await runCertsCommand(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  if (code !== 0) throw new Error(`certs ${args.join(' ')} failed (${code}): ${err}`);
  return { thumbprint: out.split('\n')[0]!.trim(), out };
}

describe.skipIf(!py.available)('pywinrm transport=certificate', () => {
  let store: string;
  let clients: string;
  let ca: string;
  let otherCa: string;
  let admin: string;
  let visitor: string;
  let stranger: string;
  const started: TestEmulator[] = [];

  const config = (mapping: DeepPartial<EmulatorConfig>['winrm'] = {}): DeepPartial<EmulatorConfig> => ({
    certificateStore: store,
    winrm: { ...mapping, Service: { Auth: { Certificate: true }, CertMapping: [{ Issuer: ca, Subject: '*', URI: '*', UserName: 'Administrator', Enabled: true }], ...mapping.Service } },
  });
  const start = async (overrides: DeepPartial<EmulatorConfig>): Promise<TestEmulator> => {
    const emu = await startEmulator(overrides);
    started.push(emu);
    return emu;
  };
  const whoami = (emu: TestEmulator, certFile: string, extra: Partial<PywinrmSpec> = {}) =>
    pywinrm({
      endpoint: emu.https,
      transport: 'certificate',
      // pywinrm's Session insists on a username and password even though certificates carry none.
      username: 'unused',
      password: 'unused',
      cert_pem: certFile,
      cert_key_pem: certFile,
      steps: [{ op: 'run_cmd', command: 'whoami' }],
      ...extra,
    });
  const failures = (emu: TestEmulator): EmulatorEventMap['auth.failed'][] => {
    const seen: EmulatorEventMap['auth.failed'][] = [];
    emu.events.on('auth.failed', (e) => seen.push(e));
    return seen;
  };

  beforeAll(async () => {
    store = mkdtempSync(join(tmpdir(), 'winrm-emu-certstore-'));
    clients = mkdtempSync(join(tmpdir(), 'winrm-emu-clientcerts-'));
    // The listener's own certificate, then a CA for client certificates (as the README steps do).
    copyFileSync(join(packageRoot(), 'certs', 'dev-win-emu01.pem'), join(store, 'dev-win-emu01.pem'));
    ca = (await certs(['ca', '--store', store, '--name', 'Emulator Test Client CA'])).thumbprint;
    otherCa = (await certs(['ca', '--store', store, '--name', 'Unmapped CA'])).thumbprint;
    const made = await certs(['client', '--ca', ca, '--upn', 'administrator@localhost', '--user', 'Administrator', '--store', store, '--out', clients]);
    expect(made.out).toContain(`- { Issuer: "${ca}", Subject: "*", URI: "*", UserName: Administrator, Enabled: true }`);
    admin = join(clients, `${made.thumbprint}.pem`);
    visitor = join(clients, `${(await certs(['client', '--ca', ca, '--upn', 'visitor@localhost', '--store', store, '--out', clients])).thumbprint}.pem`);
    stranger = join(clients, `${(await certs(['client', '--ca', otherCa, '--upn', 'administrator@localhost', '--store', store, '--out', clients])).thumbprint}.pem`);
  });
  afterAll(async () => {
    await Promise.all(started.map((e) => e.close()));
    rmSync(store, { recursive: true, force: true });
    rmSync(clients, { recursive: true, force: true });
  });

  it('logs on as the mapped local account: run_cmd("whoami") prints it', async () => {
    const emu = await start(config());
    const r = await whoami(emu, admin);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(r.results[0]).toMatchObject({ status_code: 0, std_out: 'win-emu01\\administrator\r\n' });
  });

  it('picks the mapping with the longest matching Subject (the UPN in the SAN)', async () => {
    const emu = await start(
      config({
        Service: {
          CertMapping: [
            { Issuer: ca, Subject: '*', URI: '*', UserName: 'Administrator', Enabled: true },
            { Issuer: ca, Subject: 'visitor@localhost', URI: '*', UserName: 'visitor', Enabled: true },
          ],
        },
      }),
    );
    const r = await whoami(emu, visitor);
    // visitor is in no group the RootSDDL lets in: authenticated, then Access denied (HTTP 500).
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).toMatch(/500|AccessDenied|Access is denied/);
    expect(emu.logs.join('\n')).toMatch(/Create user=WIN-EMU01\\\\visitor -> 500 w:AccessDenied/);
  });

  it('refuses a certificate from a CA no mapping names: 401 (InvalidCredentialsError) and an auth.failed reason', async () => {
    const emu = await start(config());
    const seen = failures(emu);
    const r = await whoami(emu, stranger);
    expect(r.ok).toBe(false);
    expect(r.error).toBe('InvalidCredentialsError');
    expect(seen.map((e) => e.reason).join('\n')).toMatch(/was not signed by the Issuer of any certificate mapping/);
    expect(seen[0]?.mechanism).toBe('Certificate');
  });

  it('refuses a disabled mapping, naming it', async () => {
    const emu = await start(config({ Service: { CertMapping: [{ Issuer: ca, Subject: '*', URI: '*', UserName: 'Administrator', Enabled: false }] } }));
    const seen = failures(emu);
    const r = await whoami(emu, admin);
    expect(r.error).toBe('InvalidCredentialsError');
    expect(seen.map((e) => e.reason).join('\n')).toMatch(/is disabled/);
  });

  it('refuses a mapping whose Subject does not match the UPN', async () => {
    const emu = await start(config({ Service: { CertMapping: [{ Issuer: ca, Subject: '*@corp.example', URI: '*', UserName: 'Administrator', Enabled: true }] } }));
    const seen = failures(emu);
    expect((await whoami(emu, admin)).error).toBe('InvalidCredentialsError');
    expect(seen.map((e) => e.reason).join('\n')).toMatch(/no certificate mapping for Issuer .* Subject administrator@localhost/);
  });

  it('refuses every certificate while Service/Auth/Certificate is false', async () => {
    const emu = await start({ certificateStore: store, winrm: { Service: { Auth: { Certificate: false }, CertMapping: [{ Issuer: ca, Subject: '*', URI: '*', UserName: 'Administrator', Enabled: true }] } } });
    const seen = failures(emu);
    expect((await whoami(emu, admin)).error).toBe('InvalidCredentialsError');
    expect(seen.map((e) => e.reason).join('\n')).toMatch(/Service\/Auth\/Certificate is false/);
  });
});
