// A runspace pool and pipelines end to end through the WS-Man service core, driven by the
// independent test client (test/helpers/psrp-client.ts), with the stand-in engine.
import { describe, expect, it } from 'vitest';
import { createPsrpCore } from '../../helpers/psrp-core.js';
import { MSG, PsrpTestClient, parseClixml, prop, value } from '../../helpers/psrp-client.js';

describe('PSRP session through the WS-Man core', () => {
  it('opens a pool: SESSION_CAPABILITY, APPLICATION_PRIVATE_DATA, then RUNSPACEPOOL_STATE Opened', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    expect(await c.open()).toBe(2);
    expect(c.poolMessages.map((m) => m.type)).toEqual([MSG.SESSION_CAPABILITY, MSG.APPLICATION_PRIVATE_DATA, MSG.RUNSPACEPOOL_STATE]);
    expect(c.poolMessages.every((m) => m.hadBom)).toBe(true);
    // SESSION_CAPABILITY carries an all-zero RPID, the others echo ours.
    expect(c.poolMessages[0]!.rpid.equals(Buffer.alloc(16))).toBe(true);
    expect(c.poolMessages[1]!.rpid.toString('hex')).not.toBe('0'.repeat(32));
    await c.close();
  });

  it('runs a pipeline with output and completes', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: 'Write-Output', args: [[undefined, '<S>hello</S>'], [undefined, '<I32>5</I32>']] }]);
    const r = await c.collect(pid);
    expect(r.output).toEqual(['hello', 5]);
    expect(r.state).toBe(4);
  });

  it('feeds pipeline input and ends it with END_OF_PIPELINE_INPUT', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: 'Write-Output' }], { noInput: false });
    await c.input(pid, ['<S>one</S>', '<I32>2</I32>']);
    const r = await c.collect(pid);
    expect(r.output).toEqual(['one', 2]);
  });

  it('fails a pipeline whose command is not found, with PowerShell 5.1 text', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: 'Get-Nothing' }]);
    const r = await c.collect(pid);
    expect(r.state).toBe(5);
    expect(value(r.failure)).toBe(
      "The term 'Get-Nothing' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
    );
    expect(value(prop(r.failure!, 'FullyQualifiedErrorId'))).toBe('CommandNotFoundException');
  });

  it('stops a long pipeline with powershell/signal/crtl_c', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: 'Start-Sleep', args: [['Seconds', '<I32>600</I32>']] }]);
    await c.signal(pid, 'powershell/signal/crtl_c');
    const r = await c.collect(pid);
    expect(r.state).toBe(3);
    expect(value(r.failure)).toBe('The pipeline has been stopped.');
  });

  it('writes a non-terminating error record and completes', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: "Write-Output a; Write-Error 'boom'; Write-Output b", isScript: true }]);
    const r = await c.collect(pid);
    expect(r.output).toEqual(['a', 'b']);
    expect(r.errors.map((e) => value(e))).toEqual(['boom']);
    expect(value(prop(r.errors[0]!, 'writeErrorStream'))).toBe(true);
    expect(r.state).toBe(4);
    expect(parseClixml('<S>x</S>').tag).toBe('S');
  });
});
