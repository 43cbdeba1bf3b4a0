// PowerShellSession.invokeCommands: a pipeline given as commands and argument objects (PSRP
// CREATE_PIPELINE, psrp.md §3.2) runs with the values as they are, checks script elements against
// the session's language mode and commands against its visible commands.
import { describe, expect, it } from 'vitest';
import { PSHashtable, PSObject, errorViewLines, type PSValue } from '../../../../src/sandbox/powershell/index.js';
import { secureString } from '../../../../src/sandbox/powershell/runtime/secure.js';
import { HOST, makeHarness } from './harness.js';

const h = () => makeHarness();

describe('bound pipelines', () => {
  it('passes argument objects unchanged, by position and by (prefix) name', async () => {
    const { ps, clock } = h();
    const s = ps.openSession({ host: HOST, clock });
    const table = new PSHashtable();
    table.set('k', [1, PSObject.custom([['Name', 'x']])]);
    const r = await s.invokeCommands([{ command: 'Write-Output', isScript: false, args: [{ name: 'InputO', value: table }] }]);
    expect(r.errors).toEqual([]);
    expect(r.output).toEqual([table]);
    expect(r.output[0]).toBe(table);
    const pos = await s.invokeCommands([{ command: 'Write-Output', isScript: false, args: [{ name: undefined, value: secureString('p') }] }]);
    expect((pos.output[0] as PSObject).typeNames[0]).toBe('System.Security.SecureString');
  });

  it('leaves no placeholder behind and keeps odd parameter names as sent', async () => {
    const { ps, clock } = h();
    const s = ps.openSession({ host: HOST, clock });
    const r = await s.invokeCommands([{ command: 'Write-Output', isScript: false, args: [{ name: "it's", value: 1 }] }]);
    expect(r.terminatingError?.exception.message ?? r.errors[0]?.exception.message).toBe("A parameter cannot be found that matches parameter name 'it's'.");
    const vars = await s.invoke("@(Get-Variable | Where-Object Name -like '__psrp*').Count");
    expect(vars.output).toEqual([0]);
  });

  it('errors of commands sent by name have no script position: no synthetic text in the view or InvocationInfo', async () => {
    const { ps, clock } = h();
    const s = ps.openSession({ host: HOST, clock });
    await s.invoke('function Show-Line { $MyInvocation.Line }');
    const r = await s.invokeCommands([{ command: 'Get-Item', isScript: false, args: [{ name: undefined, value: 'C:\\nope' }] }]);
    // PowerShell's PositionMessage is empty without a ScriptPosition [SMA/engine/InvocationInfo.cs].
    expect(errorViewLines(r.errors[0]!, 120)).toEqual([
      "Get-Item : Cannot find path 'C:\\nope' because it does not exist.",
      '    + CategoryInfo          : ObjectNotFound: (C:\\nope:String) [Get-Item], ItemNotFoundException',
      '    + FullyQualifiedErrorId : PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand',
      ' ',
    ]);
    const info = await s.invoke('$e = $Error[0].InvocationInfo; $e.Line; $e.PositionMessage; $e.ScriptLineNumber');
    expect(info.output).toEqual(['', '', 0]);
    const line = await s.invokeCommands([{ command: 'Show-Line', isScript: false, args: [{ name: undefined, value: 1 }] }]);
    expect(line.output).toEqual(['']);
    // Write-Error with no script around it keeps its own InvocationInfo (Write.cs: no $MyInvocation).
    const we = await s.invokeCommands([{ command: 'Write-Error', isScript: false, args: [{ name: 'Message', value: 'boom' }] }]);
    expect(errorViewLines(we.errors[0]!, 200)).toEqual([
      'Write-Error : boom',
      '    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException',
      '    + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException,Microsoft.PowerShell.Commands.WriteErrorCommand',
      ' ',
    ]);
    // A script element keeps its own text and positions (line 1, its own columns).
    const sc = await s.invokeCommands([{ command: 'Get-Item C:\\nope2', isScript: true, useLocalScope: true, args: [] }]);
    expect(errorViewLines(sc.errors[0]!, 120).slice(1, 4)).toEqual(['At line:1 char:1', '+ Get-Item C:\\nope2', '+ ~~~~~~~~~~~~~~~~~']);
    const piped = await s.invokeCommands([
      { command: "'C:\\a'", isScript: true, args: [] },
      { command: 'Get-Item', isScript: false, args: [] },
    ]);
    expect(errorViewLines(piped.errors[0]!, 120)[1]).toBe('    + CategoryInfo          : ObjectNotFound: (C:\\a:String) [Get-Item], ItemNotFoundException');
  });

  it('a Nil named argument is a present switch for a switch parameter and $null for any other', async () => {
    const { ps, clock } = h();
    const s = ps.openSession({ host: HOST, clock });
    await s.invoke('function Show-It([switch]$Flag, $Value = 5) { "Flag=$Flag Value=$($null -eq $Value)" }');
    const r = await s.invokeCommands([{ command: 'Show-It', isScript: false, args: [{ name: 'Flag', value: null, switchPresent: true }, { name: 'Value', value: null, switchPresent: true }] }]);
    expect(r.output).toEqual(['Flag=True Value=True']);
  });

  it('runs script elements and script block arguments in the pipeline', async () => {
    const { ps, clock } = h();
    const s = ps.openSession({ host: HOST, clock });
    const r = await s.invokeCommands([
      { command: '1..3', isScript: true, args: [] },
      { command: 'ForEach-Object', isScript: false, args: [{ name: 'Process', value: null, scriptBlock: '$_ * 2' }] },
    ]);
    expect(r.output).toEqual([2, 4, 6]);
    const p = await s.invokeCommands([{ command: 'param($a, $b) $a + $b', isScript: true, args: [{ name: undefined, value: 2 }, { name: undefined, value: 40 }] }]);
    expect(p.output).toEqual([42]);
  });

  it('checks a script element against the session language mode; the bound wrapper itself is not checked', async () => {
    const { ps, clock } = h();
    const s = ps.openSession({ host: HOST, clock, languageMode: 'RestrictedLanguage' });
    const ok = await s.invokeCommands([{ command: 'Write-Output', isScript: false, args: [{ name: undefined, value: 'fine' as PSValue }] }]);
    expect(ok.output).toEqual(['fine']);
    const bad = await s.invokeCommands([{ command: '$x = 1', isScript: true, args: [] }, { command: 'Write-Output', isScript: false, args: [] }]);
    expect(bad.terminatingError?.fullyQualifiedErrorId).toBe('AssignmentStatementNotSupportedInDataSection');
  });

  it('checks every command a script calls against the session’s visible commands', async () => {
    const { ps, clock } = h();
    const s = ps.openSession({ host: HOST, clock, commandVisible: (n) => ['write-output', 'whoami.exe'].includes(n.toLowerCase()) });
    const r = await s.invoke("Write-Output a; Get-Date; echo b; Write-Output c");
    expect(r.output).toEqual(['a', 'c']);
    expect(r.errors.map((e) => e.exception.message.split(' is not recognized')[0])).toEqual(["The term 'Get-Date'", "The term 'echo'"]);
    const top = await s.invokeCommands([{ command: 'Get-Date', isScript: false, args: [] }]);
    expect(top.terminatingError?.fullyQualifiedErrorId).toBe('CommandNotFoundException');
    // The other session of the same engine is not restricted.
    const other = ps.openSession({ host: HOST, clock });
    expect((await other.invoke('(Get-Date).Year -gt 2000')).output).toEqual([true]);
  });
});
