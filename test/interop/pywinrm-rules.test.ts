// Scripted rules and the journal of what ran, driven by the real pywinrm client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, LAB, type TestEmulator } from '../helpers/emulator.js';
import { pywinrm, pywinrmClient } from '../helpers/clients.js';

const py = pywinrmClient();

describe.skipIf(!py.available)('pywinrm against scripted rules', () => {
  let emu: TestEmulator;
  const journalFile = path.join(mkdtempSync(path.join(tmpdir(), 'winrm-emu-journal-')), 'journal.jsonl');
  const base = () => ({ endpoint: emu.https, username: LAB.admin.name, password: LAB.admin.password });
  beforeAll(async () => {
    emu = await startEmulator({
      sandbox: {
        journalFile,
        rules: [
          { name: 'winrm-service', match: { glob: 'sc query winrm' }, stdout: 'SERVICE_NAME: WinRM\r\n        STATE              : 4  RUNNING\r\n', stderr: 'note: scripted\r\n', exitCode: 0 },
          { name: 'deploy', match: { regex: '^deploy\\.cmd' }, stdout: 'deploying\r\n', stderr: 'disk almost full\r\n', exitCode: 42 },
          { name: 'ps-service', match: { exact: 'Get-Service WinRM | Select-Object -ExpandProperty Status' }, stdout: 'Running\r\n' },
        ],
      },
    });
  });
  afterAll(() => emu.close());

  it("answers with the rule's exact stdout, stderr and exit code", async () => {
    const r = await pywinrm({ ...base(), steps: [{ op: 'run_cmd', command: 'deploy.cmd', args: ['--env', 'ci'] }] });
    expect(r.results[0]).toMatchObject({ status_code: 42, std_out: 'deploying\r\n', std_err: 'disk almost full\r\n' });
  });

  it("matches run_ps's decoded -EncodedCommand script", async () => {
    const r = await pywinrm({ ...base(), steps: [{ op: 'run_ps', script: 'Get-Service WinRM | Select-Object -ExpandProperty Status' }] });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(r.results[0]).toMatchObject({ status_code: 0, std_out: 'Running\r\n' });
  });

  it('records what ran in the journal, in memory and as JSON lines', async () => {
    await pywinrm({ ...base(), steps: [{ op: 'run_cmd', command: 'sc', args: ['query', 'winrm'] }] });
    const [entry] = emu.journal.list({ rule: 'winrm-service' });
    expect(entry).toMatchObject({ host: 'WIN-EMU01', user: 'Administrator', commandLine: 'sc query winrm', stderr: 'note: scripted\r\n', exitCode: 0, backend: 'rule', rule: 'winrm-service' });
    expect(entry!.stdout).toContain('RUNNING');
    const lines = readFileSync(journalFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { rule?: string; commandLine: string });
    expect(lines.map((l) => l.rule)).toContain('winrm-service');
    expect(lines.find((l) => l.rule === 'deploy')?.commandLine).toBe('deploy.cmd --env ci');
  });
});
