// pywinrm (Debian python3-winrm 0.3.0, requests-ntlm 1.1.0, ntlm-auth 1.4.0 under /usr/bin/python3)
// with transport='ntlm': message encryption over HTTP, refusals, HTTPS with channel binding.
// Debian's client computes MD4 through OpenSSL 3, which needs the legacy provider: the test
// writes its own OPENSSL_CONF for the child (auth.md §2.10).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, LAB, type TestEmulator } from '../helpers/emulator.js';
import { recordingProxy } from '../helpers/proxy.js';
import { spawnSync } from 'node:child_process';
import { PYTHON, clientEnv, pywinrm, pywinrmClient, type PywinrmSpec } from '../helpers/clients.js';
import type { CommandBackend, Program } from '../../src/shell/backend.js';
import { minimalBackend } from '../../src/shell/minimal-backend.js';

const py = pywinrmClient();
/** pywinrm's ntlm transport also needs requests-ntlm (and ntlm-auth); skip, or fail under CI, without it. */
const ntlmClient = (() => {
  if (!py.available) return false;
  const ok = spawnSync(PYTHON, ['-c', 'import requests_ntlm, ntlm_auth'], { stdio: 'ignore' }).status === 0;
  const reason = 'requests-ntlm is not installed for /usr/bin/python3 (apt-get install python3-requests-ntlm)';
  if (!ok && process.env.CI === 'true') throw new Error(`CI=true and ${reason}: interop tests must not be skipped in CI`);
  if (!ok) console.warn(`[interop] skipping: ${reason}`);
  return ok;
})();

const TEN_MB = (() => {
  const b = Buffer.alloc(10 * 1024 * 1024);
  let x = 0x9e3779b9;
  for (let i = 0; i < b.length; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
})();

const bulk: Program = async (ctx) => {
  for (let off = 0; off < TEN_MB.length; off += 65_521) await ctx.write('stdout', TEN_MB.subarray(off, Math.min(TEN_MB.length, off + 65_521)));
  return 0;
};
const backend: CommandBackend = { resolve: (spec) => (spec.command === 'emit-10mb' ? bulk : minimalBackend.resolve(spec)) };

const OPENSSL_LEGACY = `openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
legacy = legacy_sect
[default_sect]
activate = 1
[legacy_sect]
activate = 1
`;


describe.skipIf(!ntlmClient)('pywinrm transport=ntlm', () => {
  let emu: TestEmulator;
  let strict: TestEmulator;
  let confDir: string;
  let env: NodeJS.ProcessEnv;
  const ntlm = (endpoint: string, steps: PywinrmSpec['steps'], extra: Partial<PywinrmSpec> = {}) =>
    pywinrm({ endpoint, transport: 'ntlm', username: LAB.admin.name, password: LAB.admin.password, steps, ...extra }, env);

  beforeAll(async () => {
    confDir = mkdtempSync(join(tmpdir(), 'winrm-emu-openssl-'));
    writeFileSync(join(confDir, 'openssl.cnf'), OPENSSL_LEGACY);
    env = clientEnv({ OPENSSL_CONF: join(confDir, 'openssl.cnf') });
    emu = await startEmulator({}, { backend });
    strict = await startEmulator({ winrm: { Service: { Auth: { CbtHardeningLevel: 'Strict' } } } });
  });
  afterAll(async () => {
    await emu.close();
    await strict.close();
    rmSync(confDir, { recursive: true, force: true });
  });

  it('runs a command over HTTP with message encryption, and the wire carries only ciphertext', async () => {
    const proxy = await recordingProxy(new URL(emu.http));
    try {
      const r = await ntlm(proxy.url, [{ op: 'run_cmd', command: 'echo', args: ['secret-marker-42'] }]);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ status_code: 0, std_out: 'secret-marker-42\r\n' });
      const up = Buffer.concat(proxy.up).toString('latin1');
      const down = Buffer.concat(proxy.down).toString('latin1');
      // The handshake is there, then every body is multipart/encrypted both ways.
      expect(up).toContain('Authorization: Negotiate TlRMTVNTUAAB');
      const encrypted = /content-type: multipart\/encrypted;protocol="application\/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"\r\n/gi;
      const requests = up.match(/^POST /gm)?.length ?? 0;
      // Every request after the three handshake legs, and every answer to them, is sealed.
      expect(up.match(encrypted)?.length).toBe(requests - 3);
      expect(down.match(encrypted)?.length).toBe(requests - 3);
      expect(requests).toBeGreaterThan(6);
      for (const clear of ['Envelope', 'secret-marker-42', 'c2VjcmV0LW1hcmtlci00Mg', 'ShellId', 'http://schemas']) {
        expect(up, clear).not.toContain(clear);
        expect(down, clear).not.toContain(clear);
      }
    } finally {
      await proxy.close();
    }
  });

  it('runs several operations on one authenticated connection (open, command, close)', async () => {
    const r = await ntlm(emu.http, [{ op: 'open_shell' }, { op: 'close_shell' }, { op: 'run_cmd', command: 'hostname' }]);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(r.results[2]).toMatchObject({ status_code: 0, std_out: 'WIN-EMU01\r\n' });
  });

  it('delivers a 10 MB output byte for byte over the encrypted HTTP connection', async () => {
    const r = await ntlm(emu.http, [{ op: 'cycle', command: 'emit-10mb' }]);
    expect(r.ok, JSON.stringify(r).slice(0, 2000)).toBe(true);
    expect(r.results[0]).toMatchObject({ status_code: 0, stdout_len: TEN_MB.length, stdout_sha256: createHash('sha256').update(TEN_MB).digest('hex') });
  });

  it("accepts the user as '.\\name' and 'COMPUTER\\name'", async () => {
    for (const username of ['.\\Administrator', 'WIN-EMU01\\Administrator']) {
      const r = await ntlm(emu.http, [{ op: 'run_cmd', command: 'whoami' }], { username });
      expect(r.ok, `${username}: ${JSON.stringify(r)}`).toBe(true);
      expect(r.results[0]).toMatchObject({ status_code: 0, std_out: 'win-emu01\\administrator\r\n' });
    }
  });

  it("is refused with message_encryption='never' over HTTP while AllowUnencrypted is false (HTTP 500)", async () => {
    const r = await ntlm(emu.http, [{ op: 'run_cmd', command: 'hostname' }], { message_encryption: 'never' });
    expect(r.ok).toBe(false);
    expect(r.error).toBe('WinRMTransportError');
    expect(r.code).toBe(500);
  });

  it("works with message_encryption='never' over HTTP once AllowUnencrypted is true", async () => {
    const open = await startEmulator({ winrm: { Service: { AllowUnencrypted: true } } });
    try {
      const r = await ntlm(open.http, [{ op: 'run_cmd', command: 'hostname' }], { message_encryption: 'never' });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ status_code: 0, std_out: 'WIN-EMU01\r\n' });
      // And the default (encrypting) client still works against it.
      expect((await ntlm(open.http, [{ op: 'run_cmd', command: 'hostname' }])).ok).toBe(true);
    } finally {
      await open.close();
    }
  });

  it('raises InvalidCredentialsError for a wrong password', async () => {
    const r = await ntlm(emu.http, [{ op: 'run_cmd', command: 'hostname' }], { password: 'Not-The-Passw0rd' });
    expect(r.ok).toBe(false);
    expect(r.error).toBe('InvalidCredentialsError');
  });

  it('works over HTTPS without message encryption, its channel binding accepted even when Strict', async () => {
    for (const target of [emu, strict]) {
      const r = await ntlm(target.https, [{ op: 'run_cmd', command: 'hostname' }]);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(r.results[0]).toMatchObject({ status_code: 0, std_out: 'WIN-EMU01\r\n' });
    }
    expect(strict.logs.join('\n')).not.toMatch(/auth\.failed/);
  });

  it('authenticates 20 clients in parallel, each running a command on its own connection', async () => {
    const r = await ntlm(emu.http, [{ op: 'parallel', n: 20 }]);
    expect(r.ok, JSON.stringify(r).slice(0, 2000)).toBe(true);
    const clients = (r.results[0] as { clients: Array<{ i: number; status_code: number; std_out: string }> }).clients;
    expect(clients).toHaveLength(20);
    for (const c of clients) expect(c).toMatchObject({ status_code: 0, std_out: `client-${c.i}\r\n` });
  });
});
