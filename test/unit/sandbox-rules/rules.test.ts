import { describe, expect, it } from 'vitest';
import { createCore } from '../../helpers/core.js';
import { createRulesBackend, candidateTexts } from '../../../src/sandbox/rules.js';
import { minimalBackend } from '../../../src/shell/minimal-backend.js';
import type { ScriptedRuleConfig } from '../../../src/config/types.js';
import type { CommandSpec } from '../../../src/shell/backend.js';

function rule(r: Partial<ScriptedRuleConfig> & Pick<ScriptedRuleConfig, 'match'>): ScriptedRuleConfig {
  return { name: '', host: '', user: '', stdout: '', stderr: '', exitCode: 0, delayMs: 0, chunkSize: 0, chunkDelayMs: 0, ...r };
}

const encoded = (script: string) => Buffer.from(script, 'utf16le').toString('base64');

describe('scripted rules', () => {
  it('answers the first matching rule with its exact stdout, stderr and exit code', async () => {
    const backend = createRulesBackend({
      strict: false,
      fallback: minimalBackend,
      rules: [rule({ name: 'svc', match: { glob: 'sc query *' }, stdout: 'RUNNING\r\n', stderr: 'warn\r\n', exitCode: 3 }), rule({ match: { regex: '^sc' }, stdout: 'second' })],
    });
    const core = createCore({}, backend);
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'sc', ['query', 'winrm']);
    expect(await core.collect(shell, cmd)).toMatchObject({ stdout: 'RUNNING\r\n', stderr: 'warn\r\n', exitCode: 3 });
  });

  it('matches the decoded script of powershell -EncodedCommand, as pywinrm run_ps sends it', () => {
    const spec = { commandLine: `powershell -encodedcommand ${encoded('Get-Service WinRM')}` } as CommandSpec;
    expect(candidateTexts(spec)).toContain('Get-Service WinRM');
    const viaCmd = { commandLine: `cmd.exe /c powershell.exe -NoProfile -Command "Get-Date"` } as CommandSpec;
    expect(candidateTexts(viaCmd)).toEqual(['powershell.exe -NoProfile -Command "Get-Date"', 'Get-Date']);
  });

  it('only applies a rule for its host and user', async () => {
    const backend = createRulesBackend({ strict: true, fallback: minimalBackend, rules: [rule({ match: { exact: 'whoami' }, user: 'someone-else', stdout: 'x' })] });
    const core = createCore({}, backend);
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'whoami');
    expect((await core.collect(shell, cmd)).exitCode).toBe(9009);
  });

  it('in strict mode answers an unmatched command as cmd.exe does and reports the closest rules', async () => {
    const seen: string[][] = [];
    const backend = createRulesBackend({ strict: true, fallback: minimalBackend, rules: [rule({ name: 'near', match: { exact: 'ipconfig /all' } })], onUnmatched: (_s, c) => seen.push(c) });
    const core = createCore({}, backend);
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'ipconfig');
    expect(await core.collect(shell, cmd)).toMatchObject({ exitCode: 9009, stderr: "'ipconfig' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n" });
    expect(seen[0]![0]).toContain('near');
  });

  it('delays and chunks the output over time on the injected clock', async () => {
    const backend = createRulesBackend({ strict: true, fallback: minimalBackend, rules: [rule({ match: { exact: 'slow' }, stdout: 'abcdef', delayMs: 1000, chunkSize: 2, chunkDelayMs: 500 })] });
    const core = createCore({}, backend);
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'slow');
    const flush = async () => {
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    };
    const first = core.receive(shell, cmd);
    await flush();
    core.clock.advance(999);
    await flush();
    core.clock.advance(1);
    await flush();
    core.clock.advance(0);
    const r = await first;
    expect(r.xml).toContain(Buffer.from('ab').toString('base64'));
    expect(r.xml).toContain('CommandState/Running');
    for (let i = 0; i < 4; i++) {
      await flush();
      core.clock.advance(500);
    }
    expect((await core.collect(shell, cmd)).stdout).toBe('cdef');
  });

  it('checks stdin against expectStdin', async () => {
    const backend = createRulesBackend({ strict: true, fallback: minimalBackend, rules: [rule({ name: 'needs-yes', match: { exact: 'confirm' }, expectStdin: { regex: '^yes' }, stdout: 'ok' })] });
    const core = createCore({}, backend);
    const shell = await core.createShell();
    const cmd = await core.runCommand(shell, 'confirm');
    await core.call(
      (await import('../../helpers/core.js')).env({
        action: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send',
        shellId: shell,
        body: `<rsp:Send><rsp:Stream Name="stdin" CommandId="${cmd}" End="true">${Buffer.from('no').toString('base64')}</rsp:Stream></rsp:Send>`,
      }),
    );
    const res = await core.collect(shell, cmd);
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toContain('stdin did not match the expectation of rule needs-yes');
  });
});
