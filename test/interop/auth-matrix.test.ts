// The whole authentication matrix with real clients (test/interop/auth-matrix.ts): each mechanism
// a client on this machine can produce × enabled/disabled × HTTP/HTTPS × AllowUnencrypted, and
// the outcome observed (accepted, 401, refused as unencrypted, access denied) against the one
// Windows documents. Kerberos rows need the test KDC (skipped with a reason locally without it,
// a failure under CI=true); docs/auth-matrix.md must show the same table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB, startEmulator, type TestEmulator } from '../helpers/emulator.js';
import { PYTHON, clientEnv, pywinrm, pywinrmClient, run, type PywinrmOutcome, type PywinrmSpec } from '../helpers/clients.js';
import { kerberosConfig, kinit, testKdc, type Ticket } from '../helpers/kdc.js';
import { runCertsCommand } from '../../src/cli/certs.js';
import { packageRoot, type DeepPartial } from '../../src/config/load.js';
import type { EmulatorConfig } from '../../src/config/types.js';
import type { EmulatorEventMap } from '../../src/events.js';
import { DENIED, matrixRows, renderMatrix, type MatrixClient, type Outcome } from './auth-matrix.js';

const py = pywinrmClient();
const kdc = testKdc();
const GSSAPI_CLIENT = fileURLToPath(new URL('./py/gssapi_winrm_client.py', import.meta.url));
const ntlmReady = py.available && spawnSync(PYTHON, ['-c', 'import requests_ntlm, ntlm_auth'], { stdio: 'ignore' }).status === 0;

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

describe('docs/auth-matrix.md', () => {
  it('shows the table this test walks (regenerate: npx tsx test/interop/auth-matrix-doc.ts)', () => {
    const doc = readFileSync(join(packageRoot(), 'docs', 'auth-matrix.md'), 'utf8');
    expect(doc).toContain(renderMatrix());
  });
});

describe.skipIf(!py.available)('authentication matrix with real clients', () => {
  let dir: string;
  let store: string;
  let clientCert: string;
  let env: NodeJS.ProcessEnv;
  const emulators = new Map<string, TestEmulator>();
  const tickets = new Map<string, Ticket>();

  const ON = { Basic: true, Negotiate: true, Kerberos: true, Certificate: true, CredSSP: true };
  const OFF = { Basic: false, Negotiate: false, Kerberos: false, Certificate: false, CredSSP: false };
  const key = (enabled: boolean, au: boolean) => `${enabled ? 'on' : 'off'}/${au ? 'au' : 'enc'}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'winrm-emu-matrix-'));
    store = join(dir, 'store');
    writeFileSync(join(dir, 'openssl.cnf'), OPENSSL_LEGACY);
    env = clientEnv({ OPENSSL_CONF: join(dir, 'openssl.cnf') });
    spawnSync('mkdir', ['-p', store]);
    copyFileSync(join(packageRoot(), 'certs', 'dev-win-emu01.pem'), join(store, 'dev-win-emu01.pem'));
    let out = '';
    const io = { stdout: (s: string) => (out += s), stderr: () => {} };
    await runCertsCommand(['ca', '--store', store], io);
    const ca = out.split('\n')[0]!.trim();
    out = '';
    await runCertsCommand(['client', '--ca', ca, '--upn', 'administrator@localhost', '--user', 'Administrator', '--store', store, '--out', dir], io);
    clientCert = join(dir, `${out.split('\n')[0]!.trim()}.pem`);
    for (const enabled of [true, false]) {
      for (const au of [false, true]) {
        const base: DeepPartial<EmulatorConfig> = {
          certificateStore: store,
          winrm: { Service: { AllowUnencrypted: au, Auth: enabled ? ON : OFF, CertMapping: [{ Issuer: ca, Subject: '*', URI: '*', UserName: 'Administrator', Enabled: true }] } },
        };
        emulators.set(key(enabled, au), await startEmulator(kdc.available ? kerberosConfig(kdc, base) : base));
      }
    }
  });
  afterAll(async () => {
    await Promise.all([...emulators.values()].map((e) => e.close()));
    for (const t of tickets.values()) t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function ticket(who: 'alice' | 'bob'): Promise<Ticket> {
    let t = tickets.get(who);
    if (!t) tickets.set(who, (t = await kinit(kdc, kdc.users[who])));
    return t;
  }

  function raw(url: string, authorization: string): Promise<{ status: number; connection: string | undefined }> {
    const req = url.startsWith('https') ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const r = req(url, { method: 'POST', rejectUnauthorized: false, headers: { authorization, 'content-type': 'application/soap+xml;charset=UTF-8', 'content-length': '0' } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
      });
      r.on('error', reject);
      r.end();
    });
  }

  /** Runs one client against one listener and names what happened, from the client and the emulator's log. */
  async function attempt(client: MatrixClient['id'], emu: TestEmulator, transport: 'HTTP' | 'HTTPS', user?: string): Promise<Outcome | string> {
    const url = transport === 'HTTP' ? emu.http : emu.https;
    const failed: EmulatorEventMap['auth.failed'][] = [];
    const off = emu.events.on('auth.failed', (e) => failed.push(e));
    const logStart = emu.logs.length;
    try {
      let r: PywinrmOutcome;
      const steps: PywinrmSpec['steps'] = [{ op: 'run_cmd', command: 'hostname' }];
      switch (client) {
        case 'digest':
        case 'credssp': {
          const res = await raw(url, client === 'digest' ? 'Digest username="Administrator", realm="WSMAN", nonce="abc", uri="/wsman", response="00"' : 'CredSSP MIIBAg==');
          return res.status === 401 && res.connection === 'close' ? '401' : `HTTP ${res.status} connection=${res.connection}`;
        }
        case 'kerberos-sealed': {
          const spec = { endpoint: url, host: kdc.host, scheme: 'Kerberos', mech: 'krb5', command: 'hostname' };
          const out = await run(PYTHON, [GSSAPI_CLIENT, JSON.stringify(spec)], { env: (await ticket('alice')).env });
          const g = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as { ok: boolean; message?: string };
          if (g.ok) return 'accepted';
          return /answered 401/.test(g.message ?? '') ? '401' : `gssapi: ${g.message}`;
        }
        case 'kerberos': {
          const who = (user ?? 'alice') as 'alice' | 'bob';
          r = await pywinrm({ endpoint: url, transport: 'kerberos', username: `${who}@${kdc.realm}`, password: 'ticket-in-ccache', kerberos_hostname_override: kdc.host, steps }, (await ticket(who)).env);
          break;
        }
        case 'certificate':
          r = await pywinrm({ endpoint: url, transport: 'certificate', username: 'unused', password: 'unused', cert_pem: clientCert, cert_key_pem: clientCert, steps }, env);
          break;
        default: {
          const name = user ?? LAB.admin.name;
          const password = Object.values(LAB).find((u) => u.name === name)?.password ?? '';
          r = await pywinrm({ endpoint: url, transport: client === 'basic' ? 'basic' : 'ntlm', username: name, password, steps, ...(client === 'ntlm-never' ? { message_encryption: 'never' as const } : {}) }, env);
        }
      }
      const log = emu.logs.slice(logStart).join('\n');
      if (r.ok) return 'accepted';
      if (r.error === 'InvalidCredentialsError') return failed.some((f) => /AllowUnencrypted/.test(f.reason)) ? '401 unencrypted' : '401';
      if (/w:AccessDenied/.test(log)) return '500 access denied';
      if (/plaintext body over HTTP/.test(log)) return '500 unencrypted';
      return `${r.error}: ${r.message}`;
    } finally {
      off();
    }
  }

  for (const row of matrixRows()) {
    const name = `${row.client.id} ${row.client.setting === undefined ? '' : row.enabled ? 'enabled' : 'disabled'} over ${row.transport}, AllowUnencrypted=${row.allowUnencrypted} → ${row.expected}`;
    const skip = (row.client.kerberos && !kdc.available) || ((row.client.id === 'ntlm' || row.client.id === 'ntlm-never') && !ntlmReady);
    it.skipIf(skip)(name, async () => {
      const emu = emulators.get(key(row.enabled, row.allowUnencrypted))!;
      expect(await attempt(row.client.id, emu, row.transport)).toBe(row.expected);
    });
  }

  for (const d of DENIED) {
    const skip = (d.client === 'kerberos' && !kdc.available) || (d.client === 'ntlm' && !ntlmReady);
    it.skipIf(skip)(`${d.client} as ${d.user} over ${d.transport} authenticates, then → 500 access denied (${d.why})`, async () => {
      const emu = emulators.get(key(true, false))!;
      expect(await attempt(d.client, emu, d.transport, d.user)).toBe('500 access denied');
    });
  }
});
