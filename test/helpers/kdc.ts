// The throwaway MIT KDC of test/kdc/start-kdc.sh, as the Kerberos tests see it: where its files
// are, its users, an emulator config for its realm, and tickets in private credential caches.
// Missing KDC: the tests skip with a printed reason locally; under CI=true that is a failure
// (.ci/run starts the KDC before the tests).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { DeepPartial } from '../../src/config/load.js';
import type { EmulatorConfig } from '../../src/config/types.js';
import { clientEnv, run } from './clients.js';

export interface TestKdc {
  readonly available: boolean;
  readonly reason: string;
  readonly dir: string;
  readonly realm: string;
  /** The service host name: the keytab holds HTTP/<host>@<realm>. */
  readonly host: string;
  readonly krb5Config: string;
  readonly keytab: string;
  readonly users: Readonly<Record<'alice' | 'bob' | 'carol', { readonly name: string; readonly password: string }>>;
}

const DEFAULT_DIR = '/tmp/winrm-emu-kdc';

function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of readFileSync(file, 'utf8').matchAll(/^export (\w+)='([^']*)'$/gm)) out[m[1]!] = m[2]!;
  return out;
}

let cached: TestKdc | undefined;

/** The running test KDC, or a reason it is not there (printed; thrown under CI=true). */
export function testKdc(): TestKdc {
  if (cached) return cached;
  const dir = process.env.WINRM_EMU_KDC_DIR ?? DEFAULT_DIR;
  const envFile = join(dir, 'env');
  let reason = '';
  let vars: Record<string, string> = {};
  if (!existsSync(envFile)) reason = `no test KDC is running (${envFile} is missing; start one with test/kdc/start-kdc.sh)`;
  else {
    vars = readEnvFile(envFile);
    const pid = Number(readFileSync(join(dir, 'kdc.pid'), 'utf8').trim());
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    if (!alive) reason = `the test KDC of ${dir} is not running (pid ${pid}); restart it with test/kdc/start-kdc.sh`;
    else if (spawnSync('kinit', ['--version'], { stdio: 'ignore' }).error) reason = 'kinit is missing (apt-get install krb5-user)';
  }
  if (reason !== '' && process.env.CI === 'true') throw new Error(`CI=true and ${reason}: Kerberos tests must not be skipped in CI (.ci/run starts the KDC)`);
  if (reason !== '') console.warn(`[kerberos] skipping: ${reason}`);
  const users = { alice: { name: 'alice', password: '' }, bob: { name: 'bob', password: '' }, carol: { name: 'carol', password: '' } };
  if (reason === '') {
    for (const line of readFileSync(join(dir, 'users'), 'utf8').split('\n')) {
      const [name, password] = line.split(':');
      if (name && password && name in users) users[name as keyof typeof users].password = password;
    }
  }
  cached = {
    available: reason === '',
    reason,
    dir,
    realm: vars.WINRM_EMU_REALM ?? 'EMU.TEST',
    host: vars.WINRM_EMU_KRB_HOST ?? 'win-emu01.emu.test',
    krb5Config: vars.WINRM_EMU_KRB5_CONFIG ?? join(dir, 'krb5.conf'),
    keytab: vars.WINRM_EMU_KEYTAB ?? join(dir, 'http.keytab'),
    users,
  };
  return cached;
}

/**
 * The emulator config for the KDC's realm: the keytab, and domain EMU with alice in Domain Admins
 * (so in local Administrators), bob in Domain Users only, carol in "WinRM Operators", a domain
 * group nested into Remote Management Users.
 */
export function kerberosConfig(kdc: TestKdc, extra: DeepPartial<EmulatorConfig> = {}): DeepPartial<EmulatorConfig> {
  return {
    ...extra,
    kerberos: { keytab: kdc.keytab, krb5Config: kdc.krb5Config },
    domain: {
      realm: kdc.realm,
      netbiosName: 'EMU',
      groups: [{ name: 'WinRM Operators' }],
      users: [
        { name: 'alice', groups: ['Domain Admins'], fullName: 'Alice (Domain Admins)' },
        { name: 'bob', groups: [] },
        { name: 'carol', groups: ['WinRM Operators'] },
      ],
      localGroupMembers: { Administrators: ['Domain Admins'], Users: ['Domain Users'], 'Remote Management Users': ['WinRM Operators'] },
    },
  };
}

export interface Ticket {
  /** Environment for a client process: KRB5_CONFIG and KRB5CCNAME pointing at a private cache. */
  readonly env: NodeJS.ProcessEnv;
  readonly ccache: string;
  dispose(): void;
}

/** `kinit` with the password on stdin into a fresh FILE: cache in a temporary folder. */
export async function kinit(kdc: TestKdc, user: { name: string; password: string }, opts: { forwardable?: boolean } = {}): Promise<Ticket> {
  const dir = mkdtempSync(join(tmpdir(), 'winrm-emu-cc-'));
  const ccache = `FILE:${join(dir, 'cc')}`;
  const env = clientEnv({ KRB5_CONFIG: kdc.krb5Config, KRB5CCNAME: ccache });
  const r = await run('kinit', [...(opts.forwardable ? ['-f'] : []), `${user.name}@${kdc.realm}`], { env, input: `${user.password}\n` });
  if (r.code !== 0) throw new Error(`kinit ${user.name}@${kdc.realm} failed (${r.code}): ${r.stderr}`);
  return { env, ccache, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
