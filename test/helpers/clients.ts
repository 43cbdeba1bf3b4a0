// Real third-party clients for interop tests. A missing client skips with a printed reason
// locally; under CI=true it is a failure, never a skip (DEVELOPERS.md quality bar).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';

export const PYTHON = '/usr/bin/python3';
export const PYWINRM_DRIVER = fileURLToPath(new URL('../interop/py/pywinrm_driver.py', import.meta.url));

export interface ClientCheck {
  readonly available: boolean;
  readonly reason: string;
}

function check(name: string, probe: () => boolean, install: string): ClientCheck {
  let ok = false;
  try {
    ok = probe();
  } catch {
    ok = false;
  }
  const reason = ok ? '' : `${name} is not installed (${install})`;
  if (!ok && process.env.CI === 'true') throw new Error(`CI=true and ${reason}: interop tests must not be skipped in CI`);
  if (!ok) console.warn(`[interop] skipping: ${reason}`);
  return { available: ok, reason };
}

export function pywinrmClient(): ClientCheck {
  return check(
    'pywinrm under /usr/bin/python3',
    () => existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import winrm'], { stdio: 'ignore' }).status === 0,
    'apt-get install python3-winrm python3-requests-ntlm python3-requests-kerberos',
  );
}

export const ANSIBLE = '/usr/bin/ansible';
export const ANSIBLE_PLAYBOOK = '/usr/bin/ansible-playbook';

/** Debian's ansible-core (its scripts run /usr/bin/python3) with what its winrm connection plugin imports. */
export function ansibleClient(): ClientCheck {
  return check(
    'ansible-core with pywinrm under /usr/bin/python3',
    () =>
      existsSync(ANSIBLE) &&
      existsSync(ANSIBLE_PLAYBOOK) &&
      spawnSync(PYTHON, ['-c', 'import ansible.release, winrm, xmltodict, requests_ntlm'], { stdio: 'ignore' }).status === 0,
    'apt-get install ansible-core python3-winrm python3-requests-ntlm',
  );
}

export function curlClient(): ClientCheck {
  return check('curl', () => spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0, 'apt-get install curl');
}

export function opensslClient(): ClientCheck {
  return check('openssl', () => spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0, 'apt-get install openssl');
}

/** Environment for clients: the CA-bundle variables would override "ignore certificate" (auth.md trap 9). */
export function clientEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.REQUESTS_CA_BUNDLE;
  delete env.CURL_CA_BUNDLE;
  return env;
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Asynchronous: the emulator under test runs in this process and must keep serving. */
export function run(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? clientEnv(), stdio: ['pipe', 'pipe', 'pipe'], ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export interface PywinrmSpec {
  readonly endpoint: string;
  readonly transport?: 'basic' | 'plaintext' | 'ntlm' | 'kerberos' | 'certificate' | 'ssl';
  readonly username?: string;
  readonly password?: string;
  readonly message_encryption?: 'auto' | 'always' | 'never';
  readonly operation_timeout_sec?: number;
  readonly cert_pem?: string;
  readonly cert_key_pem?: string;
  /** transport 'kerberos': the host name for the SPN (HTTP@<name>) when the URL uses an IP. */
  readonly kerberos_hostname_override?: string;
  readonly kerberos_delegation?: boolean;
  readonly steps: ReadonlyArray<Record<string, unknown>>;
}

export interface PywinrmOutcome {
  readonly ok: boolean;
  readonly error?: string;
  readonly message?: string;
  readonly code?: number;
  readonly fault?: Record<string, string> | null;
  readonly results: Array<Record<string, unknown>>;
}

export async function pywinrm(spec: PywinrmSpec, env?: NodeJS.ProcessEnv): Promise<PywinrmOutcome> {
  const r = await run(PYTHON, [PYWINRM_DRIVER, JSON.stringify(spec)], { env: env ?? clientEnv() });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as PywinrmOutcome;
  } catch {
    throw new Error(`pywinrm driver printed no result (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

// The Go WinRM library (github.com/masterzen/winrm, what Packer and Terraform use), from Debian's
// source package, driven by test/interop/go/winrm_driver.go built offline in GOPATH mode.
export const GO_GOPATH = '/usr/share/gocode';
export const GO_WINRM_DRIVER_SRC = fileURLToPath(new URL('../interop/go/winrm_driver.go', import.meta.url));

export function goWinrmClient(): ClientCheck {
  return check(
    'the Go WinRM library (go and github.com/masterzen/winrm sources)',
    () => spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0 && existsSync(`${GO_GOPATH}/src/github.com/masterzen/winrm/client.go`),
    'apt-get install golang-go golang-github-masterzen-winrm-dev',
  );
}

/**
 * Builds the driver into `outDir` (no network: GOPATH mode over Debian's sources); returns the
 * binary's path. Go's build cache (GOCACHE, else one under the temp folder) makes a rebuild ~1 s.
 */
export async function buildGoWinrmDriver(outDir: string): Promise<string> {
  const bin = `${outDir}/winrm_driver`;
  const goCache = process.env.GOCACHE ?? `${tmpdir()}/winrm-emulator-gocache`;
  const env = clientEnv({ GO111MODULE: 'off', GOPATH: GO_GOPATH, GOFLAGS: '', GOPROXY: 'off', GOCACHE: goCache });
  const r = await run('go', ['build', '-o', bin, GO_WINRM_DRIVER_SRC], { env, timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`go build of ${GO_WINRM_DRIVER_SRC} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return bin;
}
