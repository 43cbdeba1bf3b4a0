// What Import-PSSession asks a server (psrp.md §3.5), answered by the emulated PowerShell in a
// pipeline: `Get-FormatData -TypeName * [-PowerShellVersion v] | Measure-Object` (no format data:
// Count 0, and then no objects), and `Get-Command -CommandType … -Name * | Select-Object Name,
// CommandType, ResolvedCommandName, DefaultParameterSet, CmdletBinding, Parameters` whose
// Parameters carry what the client reads (Name, IsDynamic, Aliases, SwitchParameter) and every
// common parameter, so that it writes a proxy for a cmdlet. Checked on the CLIXML that goes out,
// in the shape of Windows' own (recorded: test_psrp_get_command_metadata.yml).
import { describe, expect, it } from 'vitest';
import { openSandboxClient } from '../../helpers/psrp-core.js';
import { prop, value, type Node } from '../../helpers/psrp-client.js';

const client = openSandboxClient;

const typeNames = (n: Node) => n.children.find((c) => c.tag === 'TN')?.children.map((t) => t.text) ?? [];
const COMMON = ['Verbose', 'Debug', 'ErrorAction', 'WarningAction', 'InformationAction', 'ErrorVariable', 'WarningVariable', 'InformationVariable', 'OutVariable', 'OutBuffer', 'PipelineVariable'];

/** The Parameters dictionary of a selected command: name → ParameterMetadata node. */
function parameters(o: Node): Map<string, Node> {
  const dict = prop(o, 'Parameters')!;
  const dct = dict.children.find((c) => c.tag === 'DCT')!;
  return new Map(dct.children.map((en) => [en.children.find((c) => c.attrs.N === 'Key')!.text, en.children.find((c) => c.attrs.N === 'Value')!]));
}

describe('Import-PSSession against the emulated PowerShell', () => {
  it('Get-FormatData -TypeName * answers no objects, and Measure-Object counts 0', async () => {
    const c = await client();
    const measured = await c.collect(await c.command([{ cmd: 'Get-FormatData', args: [['TypeName', '<S>*</S>'], ['PowerShellVersion', '<Version>5.1.17763.1</Version>']] }, { cmd: 'Measure-Object' }]));
    expect(measured.state).toBe(4);
    expect(measured.output).toHaveLength(1);
    expect(value(prop(measured.output[0] as Node, 'Count'))).toBe(0);
    const data = await c.collect(await c.command([{ cmd: 'Get-FormatData', args: [['TypeName', '<S>*</S>']] }]));
    expect(data.state).toBe(4);
    expect(data.output).toEqual([]);
    expect(data.errors).toEqual([]);
  });

  it('Get-Command | Select-Object gives Selected.*Info objects whose Parameters make a cmdlet proxy', async () => {
    const c = await client();
    const commandTypes = '<Obj RefId="1"><TN RefId="1"><T>System.Management.Automation.CommandTypes</T><T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN><ToString>Alias, Function, Filter, Cmdlet, Workflow</ToString><I32>143</I32></Obj>';
    const properties = '<Obj RefId="2"><TN RefId="2"><T>System.String[]</T><T>System.Array</T><T>System.Object</T></TN><LST><S>Name</S><S>CommandType</S><S>ResolvedCommandName</S><S>DefaultParameterSet</S><S>CmdletBinding</S><S>Parameters</S></LST></Obj>';
    const r = await c.collect(
      await c.command([
        { cmd: 'Get-Command', args: [['CommandType', commandTypes], ['Name', '<S>*</S>'], ['Module', '<Nil />'], ['ArgumentList', '<Nil />']] },
        { cmd: 'Select-Object', args: [['Property', properties]] },
      ]),
    );
    expect(r.state).toBe(4);
    const objects = r.output as Node[];
    const byName = new Map(objects.map((o) => [value(prop(o, 'Name')) as string, o]));

    const item = byName.get('Get-Item')!;
    expect(typeNames(item)).toEqual(['Selected.System.Management.Automation.CmdletInfo', 'System.Management.Automation.PSCustomObject', 'System.Object']);
    expect(value(prop(item, 'CommandType'))).toBe('Cmdlet');
    expect(prop(item, 'ResolvedCommandName')?.tag).toBe('Nil');
    expect(typeNames(prop(item, 'Parameters')!)[0]).toMatch(/^System\.Collections\.Generic\.Dictionary`2\[\[System\.String, mscorlib.*\],\[System\.Management\.Automation\.ParameterMetadata, System\.Management\.Automation.*\]\]$/);
    const params = parameters(item);
    for (const p of COMMON) expect(params.has(p), p).toBe(true);
    const path = params.get('Path')!;
    expect(typeNames(path)[0]).toBe('System.Management.Automation.ParameterMetadata');
    expect(value(prop(path, 'Name'))).toBe('Path');
    expect(value(prop(path, 'IsDynamic'))).toBe(false);
    expect(value(prop(path, 'SwitchParameter'))).toBe(false);
    expect(typeNames(prop(path, 'Aliases')!)[0]).toMatch(/^System\.Collections\.ObjectModel\.Collection`1\[\[System\.String/);
    const verbose = params.get('Verbose')!;
    expect(value(prop(verbose, 'SwitchParameter'))).toBe(true);
    expect(prop(verbose, 'Aliases')!.children.find((x) => x.tag === 'LST')!.children.map((x) => x.text)).toEqual(['vb']);
    expect(value(prop(params.get('ErrorAction')!, 'ParameterType'))).toBe('System.Management.Automation.ActionPreference');

    // An alias names the command it resolves to and carries its parameters.
    const gi = byName.get('gi')!;
    expect(typeNames(gi)[0]).toBe('Selected.System.Management.Automation.AliasInfo');
    expect(value(prop(gi, 'ResolvedCommandName'))).toBe('Get-Item');
    expect(parameters(gi).has('LiteralPath')).toBe(true);

    // Built-in functions: FunctionInfo with CmdletBinding.
    const mkdir = byName.get('mkdir')!;
    expect(value(prop(mkdir, 'CommandType'))).toBe('Function');
    expect(value(prop(mkdir, 'CmdletBinding'))).toBe(true);
    expect(parameters(mkdir).has('ErrorAction')).toBe(true);
  });
});
