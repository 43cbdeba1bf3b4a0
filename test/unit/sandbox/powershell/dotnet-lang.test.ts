// What Ansible's bootstrap_wrapper.ps1 and exec_wrapper.ps1 need from the language around them:
// redirected stdin as pipeline input ($input, process blocks), a nested powershell.exe reading
// the same stdin, [StringSplitOptions] with String.Split(string[], int, options),
// [ScriptBlock]::Create, script files run by path, and [PowerShell]::Create() runspaces.
import { describe, expect, it } from 'vitest';
import { lines, makeHarness } from './harness.js';

describe('stdin as pipeline input of powershell.exe', () => {
  it('a process block runs once per stdin line with $input; begin and end once', async () => {
    const h = makeHarness();
    const r = await h.run('begin { $n = 0 } process { $n++; "got $input" } end { "lines: $n" }', { encoded: true, stdin: 'YQ==\r\nYmM=\r\n' });
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['got YQ==', 'got YmM=', 'lines: 2']);
  });

  it('without a process block $input is every line; empty stdin runs no process block', async () => {
    const h = makeHarness();
    const all = await h.run('$text = $input | Out-String; $text.Length', { encoded: true, stdin: 'one\r\ntwo\r\n' });
    expect(lines(all.stdout)).toEqual(['10']);
    const none = await h.run('begin { "b" } process { "p" } end { "e" }', { encoded: true, stdin: '' });
    expect(lines(none.stdout)).toEqual(['b', 'e']);
  });

  it('a program first in its pipeline reads powershell.exe\'s stdin; piped input replaces it', async () => {
    const h = makeHarness();
    await h.run('cmd /c echo x', { stdin: 'from-stdin\r\n' });
    await h.run("'piped' | cmd /c echo y", { stdin: 'from-stdin\r\n' });
    expect(h.externalCalls.map((c) => c.stdin)).toEqual(['from-stdin\r\n', 'piped\r\n']);
  });

  it('an argument with white space reaches the program quoted, as PowerShell 5.1 builds the command line', async () => {
    const h = makeHarness();
    await h.run('$two = "two words"; cmd /c echo one $two \'"already quoted"\'');
    expect(h.externalCalls.at(-1)?.args).toEqual(['/c', 'echo', 'one', '"two words"', '"already quoted"']);
  });
});

describe('[StringSplitOptions] and String.Split overloads', () => {
  it('is an enum; Split(string[], count, options) splits on the whole separator, as bootstrap_wrapper does', async () => {
    const h = makeHarness();
    const r = await h.run(
      [
        '[StringSplitOptions]::RemoveEmptyEntries',
        '[int]([System.StringSplitOptions]::RemoveEmptyEntries)',
        '$p = "wrapper`0`0`0`0{""a"":1}`0`0`0`0tail".Split(@("`0`0`0`0"), 2, [StringSplitOptions]::RemoveEmptyEntries)',
        '$p.Length; $p[0]; $p[1]',
        '"a,,b".Split(@(","), [StringSplitOptions]::None).Length',
        '"a,,b".Split([char[]]",", [StringSplitOptions]::RemoveEmptyEntries) -join "|"',
        '"a--b".Split(@("--"), [StringSplitOptions]::None) -join "|"',
        '"a,,b,,c".Split([char[]]",", 2, [StringSplitOptions]::RemoveEmptyEntries) -join "|"',
        '"a,,b,,c".Split([char[]]",", 2) -join "|"',
        '",a,".Split([char[]]",", [StringSplitOptions]::RemoveEmptyEntries).Length',
        '"ab".Split([char[]]",", 1) -join "|"',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['RemoveEmptyEntries', '1', '2', 'wrapper', '{"a":1}\0\0\0\0tail', '3', 'a|b', 'a|b', 'a|b,,c', 'a|,b,,c', '1', 'ab']);
  });
});

describe('[ScriptBlock]::Create', () => {
  it('returns a script block that & and .Invoke() run, with parameters', async () => {
    const h = makeHarness();
    const r = await h.run(
      ["$sb = [ScriptBlock]::Create('param($Name) \"hello $Name\"')", '$sb.GetType().FullName', '& $sb -Name world', '$sb.Invoke("again")', '$sb.ToString()'].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['System.Management.Automation.ScriptBlock', 'hello world', 'hello again', 'param($Name) "hello $Name"']);
  });

  it('a syntax error is a MethodInvocationException around the ParseException text', async () => {
    const h = makeHarness();
    const r = await h.run("try { [ScriptBlock]::Create('if (') } catch { $_.Exception.Message; $_.FullyQualifiedErrorId }");
    expect(lines(r.stdout)[0]).toBe('Exception calling "Create" with "1" argument(s): "At line:1 char:5');
    expect(lines(r.stdout).at(-1)).toBe('ParseException');
  });
});

describe('script files by path', () => {
  it('& C:\\path\\x.ps1 args runs the file with $args and param()', async () => {
    const h = makeHarness();
    h.vfs.writeFile(h.vfs.resolve('C:\\', 'C:\\Users\\Administrator\\s.ps1'), new TextEncoder().encode('\ufeffWrite-Output "ran: $($args -join \',\')"\r\n'));
    h.vfs.writeFile(h.vfs.resolve('C:\\', 'C:\\Users\\Administrator\\p.ps1'), new TextEncoder().encode('param($A, $B) "$B-$A"'));
    const r = await h.run(["& 'C:\\Users\\Administrator\\s.ps1' a b", '.\\p.ps1 -A 1 -B 2'].join('\n'));
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['ran: a,b', '2-1']);
  });
});

describe('[PowerShell]::Create()', () => {
  it('runs added scripts in a runspace of its own and returns their output', async () => {
    const h = makeHarness();
    const r = await h.run(
      [
        '$ps = [PowerShell]::Create()',
        '$ps.Runspace.SessionStateProxy.SetVariable("greeting", "hi")',
        "$ps.AddScript('function Write-Host($msg) { Write-Output -InputObject $msg }').AddStatement() > $null",
        "$ps.AddScript('Write-Host \"$greeting there\"; 1 + 1').AddStatement() > $null",
        '$ps.AddCommand("Write-Output").AddParameter("InputObject", "cmd") > $null',
        '$out = $ps.Invoke()',
        '$out.Count',
        '$out -join "|"',
        '$ps.HadErrors',
        '$ps.InvocationStateInfo.State',
        'Test-Path function:Write-Host',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['3', 'hi there|2|cmd', 'False', 'Completed', 'False']);
  });

  it('non-terminating errors land in Streams.Error and HadErrors; exit N sets $LASTEXITCODE of the runspace', async () => {
    const h = makeHarness();
    const r = await h.run(
      [
        '$ps = [PowerShell]::Create()',
        "$ps.AddScript('Write-Error \"bad thing\"; \"after\"; exit 7; \"never\"') > $null",
        '$o = $ps.Invoke()',
        '$o -join "|"',
        '$ps.HadErrors',
        '$ps.Streams.Error.Count',
        '$ps.Streams.Error[0].ToString()',
        '$ps.Runspace.SessionStateProxy.GetVariable("LASTEXITCODE")',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['after', 'True', '1', 'bad thing', '7']);
  });

  it('a terminating error makes Invoke throw and the state Failed', async () => {
    const h = makeHarness();
    const r = await h.run(["$ps = [PowerShell]::Create().AddScript('throw \"boom\"')", 'try { $ps.Invoke() } catch { $_.Exception.Message }', '$ps.InvocationStateInfo.State'].join('\n'));
    expect(lines(r.stdout)).toEqual(['Exception calling "Invoke" with "0" argument(s): "boom"', 'Failed']);
  });

  it('[Console]::Out / SetOut and a StringWriter over a StringBuilder; $host.SetShouldExit sets the exit code', async () => {
    const h = makeHarness();
    const r = await h.run(
      [
        '$orig = [System.Console]::Out',
        '$sb = New-Object -TypeName System.Text.StringBuilder',
        '$w = New-Object -TypeName System.IO.StringWriter -ArgumentList $sb',
        '[System.Console]::SetOut($w)',
        '[System.Console]::Out -eq $w',
        '$w.Write("captured")',
        '[System.Console]::SetOut($orig)',
        '$sb.ToString()',
        '[Console]::InputEncoding = New-Object Text.UTF8Encoding $false',
        '[Console]::InputEncoding.WebName',
        '$host.SetShouldExit(3)',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['True', 'captured', 'utf-8']);
    expect(r.code).toBe(3);
  });
});

describe('exit in a script file', () => {
  it('ends the script only and sets $LASTEXITCODE', async () => {
    const h = makeHarness();
    h.vfs.writeFile(h.vfs.resolve('C:\\', 'C:\\Users\\Administrator\\e.ps1'), new TextEncoder().encode('"in"; exit 3; "not here"'));
    const r = await h.run('& C:\\Users\\Administrator\\e.ps1; "after $LASTEXITCODE"; exit $LASTEXITCODE');
    expect(lines(r.stdout)).toEqual(['in', 'after 3']);
    expect(r.code).toBe(3);
  });
});
