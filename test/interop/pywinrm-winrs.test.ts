// pywinrm (Debian python3-winrm under /usr/bin/python3) driving WinRS shells over HTTPS Basic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { startEmulator, LAB, type TestEmulator } from '../helpers/emulator.js';
import { pywinrm, pywinrmClient } from '../helpers/clients.js';
import type { CommandBackend, Program } from '../../src/shell/backend.js';
import { minimalBackend } from '../../src/shell/minimal-backend.js';

const py = pywinrmClient();

/** 10 MB of deterministic, non-text bytes, written in uneven pieces. */
const TEN_MB = (() => {
  const b = Buffer.alloc(10 * 1024 * 1024);
  let x = 0x12345678;
  for (let i = 0; i < b.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
})();

const bulk: Program = async (ctx) => {
  for (let off = 0, step = 1; off < TEN_MB.length; off += step, step = (step * 7 + 13) % 200_000 + 1) {
    await ctx.write('stdout', TEN_MB.subarray(off, Math.min(TEN_MB.length, off + step)));
  }
  return 0;
};

const backend: CommandBackend = { resolve: (spec) => (spec.command === 'emit-10mb' ? bulk : minimalBackend.resolve(spec)) };

describe.skipIf(!py.available)('pywinrm WinRS over HTTPS Basic', () => {
  let emu: TestEmulator;
  const base = () => ({ endpoint: emu.https, username: LAB.admin.name, password: LAB.admin.password });
  beforeAll(async () => {
    emu = await startEmulator({}, { backend });
  });
  afterAll(() => emu.close());

  it("run_cmd('hostname') prints the computer name", async () => {
    const r = await pywinrm({ ...base(), steps: [{ op: 'run_cmd', command: 'hostname' }] });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(r.results[0]).toMatchObject({ status_code: 0, std_out: 'WIN-EMU01\r\n', std_err: '' });
  });

  it("run_cmd('cmd', ['/c', 'exit 7']) returns 7", async () => {
    const r = await pywinrm({ ...base(), steps: [{ op: 'run_cmd', command: 'cmd', args: ['/c', 'exit 7'] }] });
    expect(r.results[0]).toMatchObject({ status_code: 7 });
  });

  it('keeps stderr apart from stdout', async () => {
    const r = await pywinrm({ ...base(), steps: [{ op: 'run_cmd', command: 'echo out && echo err>&2 && exit 1' }] });
    expect(r.results[0]).toMatchObject({ status_code: 1, std_out: 'out \r\n', std_err: 'err \r\n' });
  });

  it('passes stdin sent in two Sends through the low-level Protocol API', async () => {
    const r = await pywinrm({ ...base(), steps: [{ op: 'cycle', command: 'more', stdin: ['first line\r\n', 'second line\r\n'] }] });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(r.results[0]).toMatchObject({ status_code: 0, std_out: 'first line\r\nsecond line\r\n' });
  });

  it('delivers a 10 MB output byte for byte', async () => {
    const r = await pywinrm({ ...base(), steps: [{ op: 'cycle', command: 'emit-10mb' }] });
    expect(r.ok, JSON.stringify(r).slice(0, 2000)).toBe(true);
    expect(r.results[0]).toMatchObject({ status_code: 0, stdout_len: TEN_MB.length, stdout_sha256: createHash('sha256').update(TEN_MB).digest('hex') });
  });

  it('round-trips UTF-8 with WINRS_CODEPAGE=65001', async () => {
    const text = 'こんにちは ünïcödé ✓';
    const r = await pywinrm({ ...base(), steps: [{ op: 'cycle', codepage: 65001, command: 'echo', args: [text] }] });
    expect(r.results[0]).toMatchObject({ status_code: 0, std_out: `${text}\r\n` });
  });

  it('serves 50 clients in parallel, each with its own shell', async () => {
    const before = emu.shells.size;
    const r = await pywinrm({ ...base(), steps: [{ op: 'parallel', n: 50 }] });
    expect(r.ok, JSON.stringify(r).slice(0, 2000)).toBe(true);
    const clients = (r.results[0] as { clients: Array<{ i: number; status_code: number; std_out: string }> }).clients;
    expect(clients).toHaveLength(50);
    for (const c of clients) expect(c).toMatchObject({ status_code: 0, std_out: `client-${c.i}\r\n` });
    expect(emu.shells.size).toBe(before);
  });
});
