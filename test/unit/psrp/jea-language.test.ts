// JEA per session (issue 9): a RestrictedRemoteServer endpoint's languageMode and visible commands
// hold inside the scripts the emulated PowerShell runs (psrp.md §6.2), with Windows PowerShell
// 5.1's texts [ParserStrings.resx, ExtendedTypeSystem.resx, NewObjectStrings.resx,
// AddTypeStrings.resx]; a default endpoint of the same emulator stays FullLanguage.
import { describe, expect, it } from 'vitest';
import { createPowerShell } from '../../../src/sandbox/powershell/index.js';
import { createHostVfs } from '../../../src/sandbox/vfs/memory.js';
import { FakeClock } from '../../../src/core/clock.js';
import { MICROSOFT_POWERSHELL_SDDL } from '../../../src/config/defaults.js';
import { sandboxEngine } from '../../../src/shell/psrp/sandbox-engine.js';
import { createPsrpCore } from '../../helpers/psrp-core.js';
import { PS_URI, PsrpTestClient, prop, value, type Node, type TestCommand } from '../../helpers/psrp-client.js';

type Mode = 'ConstrainedLanguage' | 'RestrictedLanguage';

function core(mode: Mode) {
  const clock = new FakeClock();
  const vfs = createHostVfs({ clock, users: ['Administrator'], seed: { directories: [], files: [] }, limitBytes: 64 * 1024 * 1024, maxFiles: 10_000 } as never);
  return createPsrpCore(
    {
      sessionConfigurations: [
        { name: 'Microsoft.PowerShell', sddl: MICROSOFT_POWERSHELL_SDDL },
        {
          name: 'JEARole',
          sddl: MICROSOFT_POWERSHELL_SDDL,
          sessionType: 'RestrictedRemoteServer',
          languageMode: mode,
          roleDefinitions: [{ principals: ['BUILTIN\\Administrators'], visibleCmdlets: ['Write-Output', 'ForEach-Object', 'New-Object', 'Get-Date', 'Add-Type', 'ConvertTo-SecureString'], visibleFunctions: [], visibleExternalCommands: ['C:\\Windows\\System32\\whoami.exe'], visibleProviders: [] }],
        },
      ],
    },
    // whoami.exe: a stand-in program, so that a visible external command has something to run.
    { engine: sandboxEngine(createPowerShell({ vfs, externals: (name, _args, ctx) => (/^whoami(\.exe)?$/i.test(name) ? ctx.write('stdout', 'server\\administrator\r\n').then(() => 0) : undefined) })) },
  );
}

async function client(mode: Mode, endpoint = 'http://schemas.microsoft.com/powershell/JEARole'): Promise<PsrpTestClient> {
  const c = new PsrpTestClient(core(mode).transport(), endpoint);
  await c.open();
  return c;
}

const script = (cmd: string): TestCommand[] => [{ cmd, isScript: true }];
const exceptionMessage = (n: Node | undefined) => (n ? value(prop(prop(n, 'Exception')!, 'Message')) : undefined);
const fqid = (n: Node | undefined) => (n ? value(prop(n, 'FullyQualifiedErrorId')) : undefined);

async function run(c: PsrpTestClient, cmd: string) {
  return c.collect(await c.command(script(cmd)));
}

describe('a ConstrainedLanguage JEA endpoint', () => {
  it('runs core-type scripts and denies methods on other types with 5.1’s text', async () => {
    const c = await client('ConstrainedLanguage');
    const ok = await run(c, '"abc".ToUpper(); [string]::Join("-", @(1, 2)); @{a = 1}.a; $ExecutionContext.SessionState.LanguageMode');
    expect(ok.state).toBe(4);
    expect(ok.output).toEqual(['ABC', '1-2', 1, 'ConstrainedLanguage']);
    // A runtime error in a script ends its statement, not the script: an error record, then Completed.
    const r = await run(c, "[math]::Round(2.5); 'next'");
    expect(r.state).toBe(4);
    expect(r.output).toEqual(['next']);
    expect(exceptionMessage(r.errors[0])).toBe('Cannot invoke method. Method invocation is supported only on core types in this language mode.');
    expect(fqid(r.errors[0])).toBe('MethodInvocationNotSupportedInConstrainedLanguage');
  });

  it('denies conversions to other types, property setting on them, New-Object of them, COM and Add-Type', async () => {
    const c = await client('ConstrainedLanguage');
    const cases: Array<[string, string, string]> = [
      ['[System.Text.StringBuilder]"x"', 'Cannot convert value to type "System.Text.StringBuilder". Only core types are supported in this language mode.', 'ConversionSupportedOnlyToCoreTypes'],
      ['$Host.Name = "x"', 'Cannot set property. Property setting is supported only on core types in this language mode.', 'PropertySetterNotSupportedInConstrainedLanguage'],
      ['New-Object System.Collections.ArrayList', 'Cannot create type. Only core types are supported in this language mode.', 'CannotCreateTypeConstrainedLanguage,Microsoft.PowerShell.Commands.NewObjectCommand'],
      ['New-Object -ComObject WScript.Shell', 'Cannot create type. Only core types are supported in this language mode.', 'CannotCreateComTypeConstrainedLanguage,Microsoft.PowerShell.Commands.NewObjectCommand'],
      ['Add-Type -TypeDefinition "public class X {}"', 'Cannot add type. Definition of new types is not supported in this language mode.', 'CannotDefineNewType,Microsoft.PowerShell.Commands.AddTypeCommand'],
      ['$s = ConvertTo-SecureString x -AsPlainText -Force; [Runtime.InteropServices.Marshal]::SecureStringToBSTR($s)', 'Cannot invoke method. Method invocation is supported only on core types in this language mode.', 'MethodInvocationNotSupportedInConstrainedLanguage'],
    ];
    for (const [text, message, id] of cases) {
      const r = await run(c, text);
      expect(r.state, text).toBe(4);
      expect(r.errors, text).toHaveLength(1);
      expect(exceptionMessage(r.errors[0]), text).toBe(message);
      expect(fqid(r.errors[0]), text).toBe(id);
    }
    // A PSCredential is a core type: its methods run.
    const cred = await run(c, "(New-Object PSCredential 'u', (ConvertTo-SecureString 'p' -AsPlainText -Force)).GetNetworkCredential().Password");
    expect(cred.output).toEqual(['p']);
  });

  it('checks commands inside scripts against the role: not visible is not found, visible programs run', async () => {
    const c = await client('ConstrainedLanguage');
    const r = await run(c, "Write-Output 'before'; Get-Process; dir; whoami; Write-Output 'after'");
    expect(r.state).toBe(4);
    expect(r.output).toEqual(['before', 'server\\administrator', 'after']);
    expect(r.errors.map((e) => value(prop(prop(e, 'Exception')!, 'Message')))).toEqual([
      "The term 'Get-Process' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
      "The term 'dir' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
    ]);
    expect(r.errors.map((e) => fqid(e))).toEqual(['CommandNotFoundException', 'CommandNotFoundException']);
    // Functions the session defines itself are its own to call.
    const f = await run(c, 'function Show-It { Write-Output "mine" }; Show-It');
    expect(f.output).toEqual(['mine']);
  });

  it('matches a top-level external command to its System32 entry: whoami and whoami.exe sent as commands run, hostname.exe is not found', async () => {
    const c = await client('ConstrainedLanguage');
    for (const name of ['whoami.exe', 'whoami', 'WHOAMI.EXE']) {
      const r = await c.collect(await c.command([{ cmd: name }]));
      expect(r.state, name).toBe(4);
      expect(r.output, name).toEqual(['server\\administrator']);
    }
    const denied = await c.collect(await c.command([{ cmd: 'hostname.exe' }]));
    expect(denied.state).toBe(5);
    expect(exceptionMessage(denied.failure)).toContain("The term 'hostname.exe' is not recognized");
  });

  it('Get-Command lists only what the role shows', async () => {
    const c = await client('ConstrainedLanguage');
    const r = await run(c, 'Get-Command | ForEach-Object Name');
    const names = r.output as string[];
    expect(names).toContain('Write-Output');
    expect(names).toContain('Get-Command');
    expect(names).not.toContain('Get-Process');
    expect(names).not.toContain('dir');
  });

  it('leaves the default endpoint of the same emulator in FullLanguage', async () => {
    const c = await client('ConstrainedLanguage', PS_URI);
    const r = await run(c, '[math]::Round(2.4); (Get-Process | Measure-Object).Count -gt 0');
    expect(r.output).toEqual([2, true]);
  });
});

describe('a RestrictedLanguage JEA endpoint', () => {
  it('refuses assignments, property references, script blocks and operators as parse errors with 5.1’s texts', async () => {
    const c = await client('RestrictedLanguage');
    const cases: Array<[string, string, string]> = [
      ['$x = 1', 'AssignmentStatementNotSupportedInDataSection', 'Assignment statements are not allowed in restricted language mode or a Data section.'],
      ['Get-Date | ForEach-Object { $_ }', 'ScriptBlockNotSupportedInDataSection', 'Script block literals are not allowed in restricted language mode or a Data section.'],
      ['(Get-Date).Year', 'PropertyReferenceNotSupportedInDataSection', 'Property references are not allowed in restricted language mode or a Data section.'],
      ['1..3', 'OperatorNotSupportedInDataSection', "The '..' operator is not allowed in restricted language mode or a Data section."],
      ['Write-Output $HOME', 'VariableReferenceNotSupportedInDataSection', 'A variable that cannot be referenced in restricted language mode or a Data section is being referenced. Variables that can be referenced include the following: $PSCulture, $PSUICulture, $true, $false, $null.'],
    ];
    for (const [text, id, message] of cases) {
      const r = await run(c, text);
      expect(r.state, text).toBe(5);
      expect(fqid(r.failure), text).toBe(id);
      expect(String(exceptionMessage(r.failure)), text).toContain(message);
      const types = prop(r.failure!, 'Exception')!.children.find((x) => x.tag === 'TN')?.children.map((t) => t.text);
      expect(types?.[0], text).toBe('System.Management.Automation.ParseException');
      expect(value(prop(r.failure!, 'ErrorCategory_Category')), text).toBe(17);
    }
  });

  it('runs what a Data section allows: commands with constant arguments, $true, $PSCulture, hashtables', async () => {
    const c = await client('RestrictedLanguage');
    const r = await run(c, "Write-Output 'a' $true $PSCulture; Write-Output @{ k = 'v' } | ForEach-Object k");
    expect(r.state).toBe(4);
    expect(r.output).toEqual(['a', true, 'en-US', 'v']);
  });
});
