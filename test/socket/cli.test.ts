// The command line as a new user meets it: the default start, a bad config, an unknown thumbprint.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IDENTIFY, request, SOAP } from '../helpers/http.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Proc {
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
  waitFor(re: RegExp, ms?: number): Promise<void>;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, WINRM_EMU_CONFIG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    exited,
    stdout: () => out,
    stderr: () => err,
    kill: (s) => child.kill(s),
    async waitFor(re, ms = 20_000) {
      const start = Date.now();
      while (!re.test(out)) {
        if (Date.now() - start > ms) throw new Error(`timed out waiting for ${re}; stdout:\n${out}\nstderr:\n${err}`);
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before ${re}; stderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

function tmpConfig(yaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'winrm-emu-cli-'));
  const file = path.join(dir, 'bad.yaml');
  writeFileSync(file, yaml);
  return file;
}

describe('winrm-emulator command line', () => {
  it('starts on the embedded default config, prints the banner, answers Identify and stops on SIGTERM', async () => {
    const p = cli([]);
    await p.waitFor(/Try it with pywinrm/);
    const banner = p.stdout();
    expect(banner).toContain('emulating WIN-EMU01');
    expect(banner).toContain('http://127.0.0.1:5985/wsman');
    expect(banner).toContain('https://127.0.0.1:5986/wsman  CertificateThumbprint C913BA3A5649BDE9F0CBDFE24897AA23315F89F6');
    expect(banner).toMatch(/WARNING: this HTTPS listener uses the bundled DEVELOPMENT certificate/);
    expect(banner).toMatch(/Administrator\s+Emu-Admin-Passw0rd!\s+\[Administrators\]/);
    expect(banner).toContain("Windows' own default is off");
    const r = await request('http://127.0.0.1:5985/wsman', { headers: { ...SOAP, wsmanidentify: 'unauthenticated' }, body: IDENTIFY });
    expect(r.status).toBe(200);
    p.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('exits non-zero naming the file, the key path and the problem for a bad config', async () => {
    const file = tmpConfig('winrm:\n  MaxEnvelopSizekb: 500\n');
    const p = cli(['--config', file]);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain(file);
    expect(p.stderr()).toContain("winrm.MaxEnvelopSizekb: unknown key 'MaxEnvelopSizekb'; did you mean 'MaxEnvelopeSizekb'?");
  });

  it('exits non-zero naming a listener thumbprint that is not in the certificate store', async () => {
    const thumb = 'ABCDEF0123456789ABCDEF0123456789ABCDEF01';
    const file = tmpConfig(
      `winrm:\n  Listener:\n    - { Address: "IP:127.0.0.1", Transport: HTTPS, Port: 15986, Hostname: win-emu01, CertificateThumbprint: ${thumb} }\ncertificateStore: ${path.join(ROOT, 'certs')}\n`,
    );
    const p = cli(['--config', file]);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain(thumb);
    expect(p.stderr()).toContain('winrm.Listener[0].CertificateThumbprint');
  });

  it('refuses to bind every address while the documented lab passwords are in use', async () => {
    const file = tmpConfig('winrm:\n  Listener:\n    - { Address: "*", Transport: HTTP, Port: 15985 }\n');
    const p = cli(['--config', file]);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(/--allow-default-passwords-on-network/);
  });

  it('refuses unknown options with usage and exit code 2', async () => {
    const p = cli(['--no-such-flag']);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(/Usage:/);
  });
});
