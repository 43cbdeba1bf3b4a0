// What may touch the host: nothing by default; the opt-in real-process backend only when
// configured, confined by bubblewrap; and the optional persistence of the virtual file system.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCore } from '../helpers/core.js';
import { startEmulator, LAB, type TestEmulator } from '../helpers/emulator.js';
import { basic, request } from '../helpers/http.js';
import { StartupError } from '../../src/emulator.js';

const bwrapOk = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-all', '/bin/true'], { stdio: 'ignore' }).status === 0;
if (!bwrapOk && process.env.CI === 'true') throw new Error('CI=true and bubblewrap does not work: apt-get install bubblewrap');
if (!bwrapOk) console.warn('[socket] skipping real-process tests: bubblewrap is not installed (apt-get install bubblewrap)');

/** Runs one command over WinRS with raw envelopes and returns its output. */
async function run(emu: TestEmulator, command: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const { env, A, pick } = await import('../helpers/core.js');
  const post = async (xml: string) => (await request(emu.https, { headers: { 'content-type': 'application/soap+xml;charset=UTF-8', authorization: basic(LAB.admin.name, LAB.admin.password) }, body: xml })).text;
  const shell = pick(/<rsp:ShellId>([^<]+)</, await post(env({ action: A.create, body: '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>' })));
  const cmd = pick(/<rsp:CommandId>([^<]+)</, await post(env({ action: A.command, shellId: shell, body: `<rsp:CommandLine><rsp:Command>${command}</rsp:Command></rsp:CommandLine>` })));
  const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  for (;;) {
    const r = await post(env({ action: A.receive, shellId: shell, body: `<rsp:Receive><rsp:DesiredStream CommandId="${cmd}">stdout stderr</rsp:DesiredStream></rsp:Receive>` }));
    for (const m of r.matchAll(/<rsp:Stream Name="(\w+)" CommandId="[^"]+">([^<]+)</g)) out[m[1] as 'stdout' | 'stderr'].push(Buffer.from(m[2]!, 'base64'));
    const done = /<rsp:ExitCode>(\d+)</.exec(r);
    if (done) {
      await post(env({ action: A.delete, shellId: shell }));
      return { stdout: Buffer.concat(out.stdout).toString(), stderr: Buffer.concat(out.stderr).toString(), exitCode: Number(done[1]) };
    }
  }
}

describe('nothing runs on the host by default', () => {
  it('answers a Linux command as cmd.exe answers an unknown program', async () => {
    const core = createCore();
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'uname', ['-a']);
    expect((await core.collect(shell, cmd)).exitCode).toBe(9009);
  });
});

describe.skipIf(!bwrapOk)('the opt-in real-process backend, confined by bubblewrap', () => {
  let emu: TestEmulator;
  afterAll(() => emu?.close());

  it('runs matching commands confined: read-only system, no network, nobody, scrubbed environment, limits', async () => {
    emu = await startEmulator({ sandbox: { realProcess: { enabled: true, match: { regex: '^(uname|id|touch|getent|env|sleep|yes)\\b' }, timeoutMs: 1500, maxOutputBytes: 100_000 } } });
    expect(await run(emu, 'uname -s')).toMatchObject({ stdout: 'Linux\n', exitCode: 0 });
    expect((await run(emu, 'id -u')).stdout).toBe('65534\n');
    expect((await run(emu, 'touch /etc/winrm-emulator-escape')).exitCode).not.toBe(0);
    expect((await run(emu, 'getent hosts localhost6 example.com')).exitCode).not.toBe(0);
    expect((await run(emu, 'env')).stdout).not.toMatch(/WINRM|CI=|HOME=\/root/);
    const slow = await run(emu, 'sleep 10');
    expect(slow.exitCode).toBe(137);
    expect(slow.stderr).toContain('killed after 1500 ms');
    expect((await run(emu, 'yes')).stderr).toContain('killed after 100000 bytes of output');
    // Other commands stay emulated.
    expect((await run(emu, 'hostname')).stdout).toBe('WIN-EMU01\r\n');
    expect(emu.journal.list({ commandLine: 'uname -s' })[0]?.backend).toBe('real-process (bubblewrap)');
  });
});

describe('real-process confinement is required', () => {
  it('refuses to start when bubblewrap does not work and allowUnconfined is false', async () => {
    await expect(startEmulator({ sandbox: { realProcess: { enabled: true, bubblewrap: '/nonexistent/bwrap', match: { exact: 'x' } } } })).rejects.toThrow(StartupError);
    await expect(startEmulator({ sandbox: { realProcess: { enabled: true, bubblewrap: '/nonexistent/bwrap', match: { exact: 'x' } } } })).rejects.toThrow(/refusing to start/);
  });

  it('starts unconfined only when allowed, and says so loudly', async () => {
    const emu = await startEmulator({ sandbox: { realProcess: { enabled: true, bubblewrap: '/nonexistent/bwrap', allowUnconfined: true, match: { exact: 'x' } } } });
    try {
      expect(emu.logs.join('\n')).toMatch(/!! sandbox.realProcess is ENABLED but bubblewrap .* UNCONFINED/);
    } finally {
      await emu.close();
    }
  });
});

describe('persistence of the virtual file system', () => {
  it('keeps files written in one run for the next when sandbox.persistFile is set', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'winrm-emu-vfs-')), 'vfs.json');
    const first = await startEmulator({ sandbox: { persistFile: file } });
    expect((await run(first, 'echo kept across restarts> C:\\Users\\Public\\note.txt')).exitCode).toBe(0);
    await first.close();
    const second = await startEmulator({ sandbox: { persistFile: file } });
    try {
      expect((await run(second, 'type C:\\Users\\Public\\note.txt')).stdout).toBe('kept across restarts\r\n');
    } finally {
      await second.close();
    }
  });
});
