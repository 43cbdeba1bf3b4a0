// Types the host prompts need in the emulated PowerShell: [System.ConsoleColor] as an enum,
// ChoiceDescription / FieldDescription and Collection[T]; and a cast of a parenthesised
// expression (`[int]("5")`), which used to be taken for an attribute.
import { describe, it, expect } from 'vitest';
import { lines, makeHarness } from './harness.js';

const h = makeHarness();

async function out(script: string): Promise<string[]> {
  const r = await h.run(script);
  if (r.stderr !== '') throw new Error(`unexpected stderr:\n${r.stderr}`);
  return lines(r.stdout);
}

describe('casts of parenthesised expressions', () => {
  it('[int]("5"), [int]([math]::Abs(-3)) and [string](1 + 1) are casts; [CmdletBinding()] stays an attribute', async () => {
    expect(await out('[int]("5") + 1; [int]([math]::Abs(-3)); [string](1 + 1)')).toEqual(['6', '3', '2']);
    expect(await out('function f { [CmdletBinding()] param($a) $a }; f 7')).toEqual(['7']);
  });
});

describe('[System.ConsoleColor]', () => {
  it('has its sixteen values by name and number; unknown names fail with 5.1\'s conversion text', async () => {
    expect(await out('[int]([System.ConsoleColor]::White); [ConsoleColor]12; [System.ConsoleColor]"darkyellow"; ([ConsoleColor]::Red).GetType().FullName')).toEqual(['15', 'Red', 'DarkYellow', 'System.ConsoleColor']);
    const r = await h.run('[ConsoleColor]"Purple"');
    expect(r.stderr.replace(/\r\n/g, '')).toContain('Cannot convert value "Purple" to type "System.ConsoleColor". Error: "Unable to match the identifier name Purple to a valid enumerator name.');
  });
});

describe('ChoiceDescription, FieldDescription, Collection[T]', () => {
  it('build as .NET does, with their constructors and settable properties', async () => {
    expect(
      await out(
        "$c = New-Object System.Management.Automation.Host.ChoiceDescription '&Yes', 'help'; $c.Label; $c.HelpMessage; $a = [System.Management.Automation.Host.ChoiceDescription[]]('&A', '&B'); $a.Count; $a[1].Label; $a[0].HelpMessage.Length",
      ),
    ).toEqual(['&Yes', 'help', '2', '&B', '0']);
    expect(
      await out(
        "$f = New-Object System.Management.Automation.Host.FieldDescription 'n'; $f.ParameterTypeFullName; $f.SetParameterType([int]); $f.ParameterTypeName; $f.IsMandatory; $l = New-Object 'System.Collections.ObjectModel.Collection[System.Management.Automation.Host.FieldDescription]'; $l.Add($f); $l.Count; $l.GetType().Name",
      ),
    ).toEqual(['System.String', 'Int32', 'True', '1', 'Collection`1']);
    const r = await h.run("New-Object System.Management.Automation.Host.FieldDescription ''");
    expect(r.stderr.replace(/\r\n/g, '')).toContain('Exception calling ".ctor" with "1" argument(s): "name cannot be null or empty.');
  });
});
