// The adapter to the emulated Windows PowerShell (src/sandbox/powershell): statements become
// script text, engine objects become CLIXML, pipeline input becomes engine values.
import { describe, expect, it } from 'vitest';
import { createPowerShell } from '../../../src/sandbox/powershell/index.js';
import { PSHashtable, PSObject, PSVersion } from '../../../src/sandbox/powershell/index.js';
import { createHostVfs } from '../../../src/sandbox/vfs/memory.js';
import { FakeClock } from '../../../src/core/clock.js';
import { fromClixml, literal, sandboxEngine, statementText, toClixml } from '../../../src/shell/psrp/sandbox-engine.js';
import { PsObject, PsPrim, deserialize, serialize } from '../../../src/shell/psrp/clixml.js';
import type { PipelineCommand } from '../../../src/shell/psrp/records.js';
import { createPsrpCore } from '../../helpers/psrp-core.js';
import { PsrpTestClient, prop, value } from '../../helpers/psrp-client.js';

const cmd = (command: string, args: PipelineCommand['args'] = [], isScript = false): PipelineCommand => ({
  command,
  isScript,
  useLocalScope: undefined,
  args,
  mergeMyResult: 0,
  mergeToResult: 0,
  mergePreviousResults: 0,
  mergeError: 0,
  mergeWarning: 0,
  mergeVerbose: 0,
  mergeDebug: 0,
  mergeInformation: 0,
});

describe('statements as script text', () => {
  it('calls commands with literal arguments and present switches', () => {
    expect(statementText([cmd('Get-Item', [{ name: 'Path', value: "C:\\it's" }]), cmd('Out-String', [{ name: 'Stream', value: null }])])).toBe("& 'Get-Item' -Path:'C:\\it''s' | & 'Out-String' -Stream");
    expect(statementText([cmd('Write-Output', [{ name: undefined, value: 5 }, { name: 'NoEnumerate', value: false }])])).toBe("& 'Write-Output' 5 -NoEnumerate:$false");
    expect(statementText([cmd('$x = 1; $x', [], true)])).toBe('$x = 1; $x');
    expect(statementText([cmd('1..3', [], true), cmd('Measure-Object')])).toBe(". {1..3\n} | & 'Measure-Object'");
  });

  it('writes literals for lists, hashtables, versions and objects', () => {
    expect(literal(new PsObject({ list: ['a', 1] }))).toBe("@('a', 1)");
    expect(literal(new PsObject({ dict: [['k', true]] }))).toBe("@{'k' = $true}");
    expect(literal(new PsPrim('Version', '1.2'))).toBe("[version]'1.2'");
    expect(literal(new PsObject({ members: [['A', 1]] }))).toBe("[pscustomobject]@{'A' = 1}");
    expect(literal(new PsPrim('SS', 'x'))).toBeUndefined();
  });
});

describe('values between the engine and CLIXML', () => {
  it('serialises a PSCustomObject with note properties in MS', () => {
    const o = PSObject.custom([
      ['A', 1],
      ['B', 'x'],
    ]);
    expect(serialize(toClixml(o))).toBe('<Obj RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN><MS><I32 N="A">1</I32><S N="B">x</S></MS></Obj>');
  });

  it('serialises hashtables, arrays and versions', () => {
    const h = new PSHashtable();
    h.set('a', [1, 'b']);
    expect(serialize(toClixml(h))).toBe(
      '<Obj RefId="0"><TN RefId="0"><T>System.Collections.Hashtable</T><T>System.Object</T></TN><DCT><En><S N="Key">a</S><Obj N="Value" RefId="1"><TN RefId="1"><T>System.Object[]</T><T>System.Array</T><T>System.Object</T></TN><LST><I32>1</I32><S>b</S></LST></Obj></En></DCT></Obj>',
    );
    expect(serialize(toClixml(new PSVersion(5, 1, 17763, 1)))).toBe('<Version>5.1.17763.1</Version>');
  });

  it('turns received objects into engine values', () => {
    const h = fromClixml(deserialize('<Obj RefId="0"><TN RefId="0"><T>System.Collections.Hashtable</T><T>System.Object</T></TN><DCT><En><S N="Key">a</S><I64 N="Value">7</I64></En></DCT></Obj>'));
    expect(h).toBeInstanceOf(PSHashtable);
    expect((h as PSHashtable).get('A')).toBe(7);
    const o = fromClixml(deserialize('<Obj RefId="0"><MS><S N="Name">x</S></MS></Obj>')) as PSObject;
    expect(o.getValue('name')).toBe('x');
  });
});

describe('PSRP pipelines run by the emulated PowerShell', () => {
  const engine = () => {
    const clock = new FakeClock();
    const vfs = createHostVfs({ clock, users: ['Administrator'], seed: { directories: [], files: [] }, limitBytes: 64 * 1024 * 1024, maxFiles: 10_000 } as never);
    return sandboxEngine(createPowerShell({ vfs }));
  };

  it('returns objects, error records and information records', async () => {
    const core = createPsrpCore({}, { engine: engine() });
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: "[pscustomobject]@{A=1}; Write-Error 'bad'; Write-Warning 'careful'; Write-Host 'shown'; 2 + 3", isScript: true }]);
    const r = await c.collect(pid);
    expect(r.state).toBe(4);
    expect(r.output).toHaveLength(2);
    expect(value(prop(r.output[0] as never, 'A'))).toBe(1);
    expect(r.output[1]).toBe(5);
    expect(r.errors.map((e) => value(e))).toEqual(['bad']);
    expect(r.streams.map((s) => s.type)).toEqual(['WARNING_RECORD', 'INFORMATION_RECORD']);
  });

  it('feeds pipeline input as $input', async () => {
    const core = createPsrpCore({}, { engine: engine() });
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: '$input | ForEach-Object { $_ * 2 }', isScript: true }], { noInput: false });
    await c.input(pid, ['<I32>1</I32>', '<I32>20</I32>']);
    expect((await c.collect(pid)).output).toEqual([2, 40]);
  });

  it('fails the pipeline with a terminating error, not also sent as ERROR_RECORD; keeps the order of records', async () => {
    const core = createPsrpCore({}, { engine: engine() });
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: "'one'; Write-Error 'first'; 'two'; throw 'boom'; 'never'", isScript: true }]);
    const r = await c.collect(pid);
    expect(r.output).toEqual(['one', 'two']);
    expect(r.errors.map((e) => value(e))).toEqual(['first']);
    expect(r.state).toBe(5);
    expect(value(r.failure)).toBe('boom');
  });

  it('fails pypsrp’s execute_ps pipeline (Invoke-Expression | Out-String -Stream) for an unknown command, as Windows does', async () => {
    const core = createPsrpCore({}, { engine: engine() });
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: 'Invoke-Expression', args: [['Command', '<S>Get-ServiceTypo -Name winrm</S>']] }, { cmd: 'Out-String', args: [['Stream', '<Nil />']] }]);
    const r = await c.collect(pid);
    // fixture test_client_execute_ps_failure.yml: Failed, the error only as ExceptionAsErrorRecord.
    expect(r.state).toBe(5);
    expect(r.errors).toEqual([]);
    expect(r.output).toEqual([]);
    expect(value(prop(r.failure!, 'FullyQualifiedErrorId'))).toBe('CommandNotFoundException,Microsoft.PowerShell.Commands.InvokeExpressionCommand');
    expect(value(prop(r.failure!, 'ErrorCategory_Activity'))).toBe('Invoke-Expression');
    expect(value(r.failure)).toMatch(/^The term 'Get-ServiceTypo' is not recognized as the name of a cmdlet/);
  });

  it('stops a busy loop with the PowerShell client’s signal', async () => {
    const core = createPsrpCore({}, { engine: engine() });
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: 'while ($true) { Start-Sleep -Milliseconds 100 }', isScript: true }]);
    await c.signal(pid, 'powershell/signal/crtl_c');
    const r = await c.collect(pid);
    expect(r.state).toBe(3);
    const again = await c.command([{ cmd: "'still here'", isScript: true }]);
    expect((await c.collect(again)).output).toEqual(['still here']);
  });

  it('fails the pipeline on a parse error', async () => {
    const core = createPsrpCore({}, { engine: engine() });
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: 'if (', isScript: true }]);
    const r = await c.collect(pid);
    expect(r.state).toBe(5);
    expect(value(prop(r.failure!, 'ErrorCategory_Category'))).toBe(17);
  });
});
