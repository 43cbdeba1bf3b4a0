import { describe, it, expect } from 'vitest';
import { lines, makeHarness } from './harness.js';

const h = makeHarness();

async function out(script: string): Promise<string[]> {
  const r = await h.run(script);
  if (r.stderr !== '') throw new Error(`unexpected stderr:\n${r.stderr}`);
  return lines(r.stdout);
}

/** stderr with the console's line wrapping undone (wrapped lines keep their trailing spaces). */
function flat(s: string): string {
  return s.split('\r\n').join('');
}

async function value(script: string): Promise<string> {
  return (await out(script)).join('\n');
}

describe('values, variables and scopes', () => {
  it('reads $PSVersionTable.PSVersion.Major as 5', async () => {
    expect(await value('$PSVersionTable.PSVersion.Major')).toBe('5');
    expect(await value('$PSVersionTable.PSVersion.ToString()')).toBe('5.1.17763.1971');
    expect(await value('$PSVersionTable.PSEdition')).toBe('Desktop');
  });

  it('keeps scopes: functions get a child scope, $script: and $global: reach out', async () => {
    expect(await out('$x = 1; function f { $x = 2; $script:y = 3; $global:z = 4; $x }; f; $x; $y; $z')).toEqual(['2', '1', '3', '4']);
  });

  it('reads $env: from the shell environment, case-insensitively, and writes only to this process', async () => {
    expect(await out('$env:computername; $env:FOO = "bar"; $env:foo; [Environment]::GetEnvironmentVariable("foo")')).toEqual(['WIN-EMU01', 'bar', 'bar']);
    expect(await out('"[$env:FOO]"')).toEqual(['[]']);
  });

  it('supports type-constrained variables and casts', async () => {
    expect(await out('[int]$n = "42"; $n + 1; $n = "7"; $n.GetType().Name')).toEqual(['43', 'Int32']);
    expect(await out('[int]2.5; [int]3.5; [int]"0x10"; [double]"1e3"; [bool]"false"; [string]$null -eq ""')).toEqual(['2', '4', '16', '1000', 'True', 'True']);
    expect(await value('[datetime]"2026-03-04 05:06:07" | ForEach-Object { $_.ToString("yyyy-MM-dd HH:mm:ss") }')).toBe('2026-03-04 05:06:07');
  });

  it('has $true, $false, $null, $_ and $PSItem', async () => {
    expect(await out('$true; $false; $null -eq $nothing; 1..2 | ForEach-Object { $PSItem * $_ }')).toEqual(['True', 'False', 'True', '1', '4']);
  });

  it('refuses to overwrite constants', async () => {
    const r = await h.run('$true = 1');
    expect(flat(r.stderr)).toContain('Cannot overwrite variable true because it is read-only or constant.');
  });
});

describe('strings', () => {
  it('interpolates variables, subexpressions and escapes', async () => {
    expect(await value('$n = "World"; "Hello, $n! $(1 + 2) `t|"')).toBe('Hello, World! 3 \t|');
    expect(await value("'single $n'")).toBe('single $n');
    expect(await value('$a = 1,2,3; "$a"')).toBe('1 2 3');
    expect(await value('$o = [pscustomobject]@{a=1}; "$o"')).toBe('@{a=1}');
  });

  it('supports here-strings', async () => {
    // The body keeps the script's own line breaks (CRLF here, as a Windows script has them).
    expect(await out('$v = 5\r\n@"\r\nvalue: $v\r\n"quoted"\r\n"@\r\n@\'\r\nraw $v\r\n\'@')).toEqual(['value: 5', '"quoted"', 'raw $v']);
    expect(await value('@"\nA\nB\n"@ -split "`n" | Measure-Object | % Count')).toBe('2');
  });

  it('implements the common String methods', async () => {
    expect(await out(`$s = '  Hello, World  '; $s.Trim(); $s.Trim().ToUpper(); $s.Trim().ToLower(); $s.Trim().Split(',')[1].Trim(); $s.Replace('World', 'There').Trim(); $s.Contains('World'); $s.Trim().StartsWith('hello'); $s.Trim().StartsWith('Hello'); $s.Trim().Substring(7, 5); $s.Length; $s.Trim().IndexOf('o'); 'a-b-c'.Split('-').Count; 'x'.PadLeft(3, '*')`)).toEqual([
      'Hello, World',
      'HELLO, WORLD',
      'hello, world',
      'World',
      'Hello, There',
      'True',
      'False',
      'True',
      'World',
      '16',
      '4',
      '3',
      '**x',
    ]);
  });

  it('reports .NET method errors as MethodInvocationException', async () => {
    const r = await h.run('"abc".Substring(5)');
    expect(lines(r.stderr).slice(0, 2)).toEqual(['Exception calling "Substring" with "1" argument(s): "startIndex cannot be ', 'larger than length of string.']);
    expect(r.stderr).toContain('+ CategoryInfo          : NotSpecified: (:) [], MethodInvocationException');
    expect(r.stderr).toContain('+ FullyQualifiedErrorId : ArgumentOutOfRangeException');
  });
});

describe('operators', () => {
  it('does arithmetic with PowerShell conversions', async () => {
    expect(await out('1 + 2 * 3; 7 / 2; 8 / 2; 7 % 3; "5" + 1; 1 + "5"; "ab" * 3; 0.1 + 0.2; [math]::Round(2.5); [math]::Round(3.456, 2); 10kb')).toEqual(['7', '3.5', '4', '1', '51', '6', 'ababab', '0.3', '2', '3.46', '10240']);
  });

  it('compares case-insensitively by default and case-sensitively with -c', async () => {
    expect(await out("'abc' -eq 'ABC'; 'abc' -ceq 'ABC'; 'a' -lt 'B'; 10 -gt 9; '10' -gt 9; 9 -gt '10'")).toEqual(['True', 'False', 'True', 'True', 'False', 'False']);
  });

  it('filters collections with comparison operators', async () => {
    expect(await out('1,2,3,2 -eq 2; (1,2,3 -gt 1).Count; "a","b" -ne "a"')).toEqual(['2', '2', '2', 'b']);
  });

  it('implements -like, -match (with $matches), -replace, -split, -join and -f', async () => {
    expect(
      await out(
        "'Windows' -like 'win*'; 'Windows' -notlike '*x'; 'abc123' -match '(?<word>[a-z]+)(\\d+)'; $matches.word; $matches[1]; 'a.b.c' -replace '\\.', '/'; 'John Smith' -replace '(\\w+) (\\w+)', '$2, $1'; ('a,b;c' -split '[,;]').Count; (1,2,3) -join '+'; '{0:N2} {1,5} {2:X4} {0:P0}' -f 0.5, 'x', 255",
      ),
    ).toEqual(['True', 'True', 'True', 'abc', '123', 'a/b/c', 'Smith, John', '3', '1+2+3', '0.50     x 00FF 50 %']);
  });

  it('implements -contains, -in, -is, -as, -and, -or, -xor, -not and !', async () => {
    expect(await out("1,2 -contains 2; 3 -in 1,2; 'x' -is [string]; 5 -is [int]; '5' -as [int]; 'x' -as [int]; $true -and $false; $true -or $false; $true -xor $true; -not $false; !0")).toEqual([
      'True',
      'False',
      'True',
      'True',
      '5',
      'False',
      'True',
      'False',
      'True',
      'True',
    ]);
  });

  it('makes ranges and arrays', async () => {
    expect(await out('1..3; (5..1).Count; @().Count; @(1).Count; (,1).Count; $a = 1,2; $a += 3; $a.Count; $a[-1]')).toEqual(['1', '2', '3', '5', '0', '1', '1', '3', '3']);
  });
});

describe('hashtables and objects', () => {
  it('uses case-insensitive hashtables with Keys, Values, ContainsKey and member syntax', async () => {
    expect(await out("$h = @{ Name = 'srv'; Port = 5985 }; $h.name; $h['PORT']; $h.Count; $h.ContainsKey('port'); $h.Add('x', 1); $h.Keys.Count; $h.x")).toEqual(['srv', '5985', '2', 'True', '3', '1']);
  });

  it('keeps [ordered] order and builds [pscustomobject]', async () => {
    expect(await out("$o = [ordered]@{ z = 1; a = 2 }; $o.Keys -join ','; $p = [pscustomobject]@{ B = 1; A = 'x' }; $p.A; $p.PSObject.Properties.Name -join ','")).toEqual(['z,a', 'x', 'B,A']);
  });

  it('enumerates members of collections (member enumeration)', async () => {
    expect(await value("@([pscustomobject]@{n=1}, [pscustomobject]@{n=2}).n -join ','")).toBe('1,2');
  });

  it('reports calling a method on $null', async () => {
    const r = await h.run('$null.Foo()');
    expect(lines(r.stderr)).toEqual([
      'You cannot call a method on a null-valued expression.',
      'At line:1 char:1',
      '+ $null.Foo()',
      '+ ~~~~~~~~~~~',
      '    + CategoryInfo          : InvalidOperation: (:) [], RuntimeException',
      '    + FullyQualifiedErrorId : InvokeMethodOnNull',
      ' ',
    ]);
  });
});

describe('flow control', () => {
  it('runs if / elseif / else', async () => {
    expect(await value('$x = 5; if ($x -lt 3) { "small" } elseif ($x -lt 10) { "medium" } else { "large" }')).toBe('medium');
  });

  it('runs foreach, for, while, do-while and do-until, with break and continue', async () => {
    expect(await out('foreach ($i in 1..5) { if ($i -eq 2) { continue }; if ($i -eq 4) { break }; $i }')).toEqual(['1', '3']);
    expect(await out('for ($i = 0; $i -lt 3; $i++) { $i }')).toEqual(['0', '1', '2']);
    expect(await out('$i = 0; while ($i -lt 2) { $i; $i++ }')).toEqual(['0', '1']);
    expect(await out('$i = 0; do { $i++ } while ($i -lt 3); $i; do { $i-- } until ($i -le 0); $i')).toEqual(['3', '0']);
  });

  it('breaks out of labeled loops', async () => {
    expect(await out(':outer foreach ($a in 1..3) { foreach ($b in 1..3) { if ($b -eq 2) { continue outer }; "$a$b" } }')).toEqual(['11', '21', '31']);
  });

  it('runs switch with exact, -wildcard, -regex, arrays and default', async () => {
    expect(await out("switch (2) { 1 { 'one' } 2 { 'two' } default { 'other' } }")).toEqual(['two']);
    expect(await out("switch -wildcard ('report.txt') { '*.txt' { 'text' } '*.log' { 'log' } }")).toEqual(['text']);
    expect(await out("switch -regex ('abc123') { '^\\d' { 'digit' } '\\d+$' { \"ends: $($matches[0])\" } }")).toEqual(['ends: 123']);
    expect(await out("switch (1, 5) { 1 { 'a' } default { 'd' } }")).toEqual(['a', 'd']);
    expect(await out("switch ('x') { 'y' { 1 } }")).toEqual([]);
  });

  it('catches terminating errors with try / catch / finally and exposes $_', async () => {
    expect(await out("try { throw 'boom' } catch { \"caught $($_.Exception.Message)\"; $_.FullyQualifiedErrorId } finally { 'done' }")).toEqual(['caught boom', 'boom', 'done']);
    expect(await out('try { 1/0 } catch [System.DivideByZeroException] { "dbz" } catch { "other: $($_.Exception.GetType().FullName)" }')).toEqual(['other: System.Management.Automation.RuntimeException']);
    expect(await out('try { Get-Item C:\\nope -ErrorAction Stop } catch { $_.CategoryInfo.Category }')).toEqual(['ObjectNotFound']);
    expect(await out('try { Get-Item C:\\nope -ErrorAction Stop } catch [System.Management.Automation.ItemNotFoundException] { "typed" }')).toEqual(['typed']);
  });

  it('continues after a statement-terminating error and stops at throw', async () => {
    const r = await h.run('1/0; "after"; throw "stop"; "never"');
    expect(lines(r.stdout)).toEqual(['after']);
    expect(r.stderr).toContain('Attempted to divide by zero.');
    expect(r.stderr).toContain('+ FullyQualifiedErrorId : stop');
    expect(r.code).toBe(1);
  });

  it('honours $ErrorActionPreference = Stop and -ErrorAction SilentlyContinue', async () => {
    const r = await h.run('$ErrorActionPreference = "Stop"; Get-Item C:\\nope; "never"');
    expect(r.stdout).toBe('');
    expect(flat(r.stderr)).toContain("Cannot find path 'C:\\nope' because it does not exist.");
    const q = await h.run('Get-Item C:\\nope -ErrorAction SilentlyContinue; "ok: $? $($Error.Count)"');
    expect(q.stderr).toBe('');
    expect(lines(q.stdout)).toEqual(['ok: False 1']);
  });

  it('sets $? and $LASTEXITCODE, and exit N gives the exit code', async () => {
    expect(await out('cmd /c exit 3; "$LASTEXITCODE $?"; $?; hostname; "$?"')).toEqual(['3 False', 'True', 'WIN-EMU01', 'True']);
    expect((await h.run('exit 7')).code).toBe(7);
    expect((await h.run('cmd /c exit 5')).code).toBe(1);
    expect((await h.run('"fine"')).code).toBe(0);
  });
});

describe('functions and script blocks', () => {
  it('binds typed, default, switch and positional parameters', async () => {
    const f = 'function Get-Greeting { param([Parameter(Mandatory=$true)][string]$Name, [int]$Times = 1, [switch]$Loud) $g = "Hello $Name"; if ($Loud) { $g = $g.ToUpper() }; ($g + " ") * $Times }';
    expect(await out(`${f}; Get-Greeting World; Get-Greeting -Name x -Times 2; Get-Greeting -Loud -n y`)).toEqual(['Hello World ', 'Hello x Hello x ', 'HELLO Y ']);
  });

  it('supports function f($a, $b) syntax, $args and return', async () => {
    expect(await out('function add($a, $b) { return $a + $b; "unreached" }; add 2 3; function rest { $args.Count }; rest 1 2 3')).toEqual(['5', '3']);
  });

  it('reports missing mandatory parameters and unknown parameters of advanced functions', async () => {
    const r = await h.run('function f { [CmdletBinding()] param([Parameter(Mandatory=$true)]$Name) $Name }; f');
    expect(flat(r.stderr)).toContain('Cannot process command because of one or more missing mandatory parameters: Name.');
    const u = await h.run('function g { [CmdletBinding()] param($A) }; g -Nope 1');
    expect(flat(u.stderr)).toContain("A parameter cannot be found that matches parameter name 'Nope'.");
  });

  it('pipes into functions with process blocks and $input', async () => {
    expect(await out('function dbl { process { $_ * 2 } }; 1..3 | dbl')).toEqual(['2', '4', '6']);
    expect(await out('function total { $s = 0; foreach ($x in $input) { $s += $x }; $s }; 1..4 | total')).toEqual(['10']);
    expect(await out('function pv { param([Parameter(ValueFromPipeline=$true)]$Item) process { "[$Item]" } }; "a","b" | pv')).toEqual(['[a]', '[b]']);
    expect(await out('filter sq { $_ * $_ }; 2,3 | sq')).toEqual(['4', '9']);
  });

  it('invokes script blocks with & and . and .Invoke()', async () => {
    expect(await out('$sb = { param($x) $x + 1 }; & $sb 1; $sb.Invoke(2); $v = 1; . { $v = 5 }; $v; & { $v = 9 }; $v')).toEqual(['2', '3', '5', '5']);
  });

  it('supports .Where() and .ForEach() on collections', async () => {
    expect(await out('(1..6).Where({ $_ % 2 -eq 0 }) -join ","; (1..3).ForEach({ $_ * 10 }) -join ","')).toEqual(['2,4,6', '10,20,30']);
  });

  it('recurses', async () => {
    expect(await value('function fact($n) { if ($n -le 1) { 1 } else { $n * (fact ($n - 1)) } }; fact 10')).toBe('3628800');
  });
});

describe('static members and .NET types', () => {
  it('answers [Environment]::MachineName and friends from the host facts', async () => {
    expect(await out('[Environment]::MachineName; [Environment]::UserName; [Environment]::OSVersion.VersionString; [System.Net.Dns]::GetHostName()')).toEqual(['WIN-EMU01', 'Administrator', 'Microsoft Windows NT 10.0.17763.0', 'WIN-EMU01']);
  });

  it('implements [math], [string], [convert], [text.encoding] and [io.path]', async () => {
    expect(
      await out(
        "[math]::Max(3, 7); [math]::Floor(2.7); [math]::Pow(2, 10); [string]::IsNullOrEmpty(''); [string]::Join(',', @('a','b')); [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes('hi')); [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('aGk=')); [IO.Path]::Combine('C:\\a', 'b.txt'); [IO.Path]::GetExtension('x.tar.gz'); [IO.Path]::GetFileNameWithoutExtension('C:\\d\\x.txt')",
      ),
    ).toEqual(['7', '2', '1024', 'True', 'a,b', 'aABpAA==', 'hi', 'C:\\a\\b.txt', '.gz', 'x']);
  });

  it('reports unknown types', async () => {
    const r = await h.run('[Foo.Bar]::Baz()');
    expect(lines(r.stderr)[0]).toBe('Unable to find type [Foo.Bar].');
  });

  it('uses the fake clock for dates', async () => {
    expect(await out('(Get-Date).ToString("yyyy-MM-dd HH:mm:ss"); Get-Date -Format "dddd"; (Get-Date).AddDays(1).Day; ((Get-Date) - (Get-Date).AddHours(-2)).TotalHours; Get-Date -UFormat "%Y%m%d"')).toEqual([
      '2026-01-15 09:30:05',
      'Thursday',
      '16',
      '2',
      '20260115',
    ]);
  });
});

describe('Invoke-Expression and external programs', () => {
  it('runs Invoke-Expression in the caller scope', async () => {
    expect(await out("$cmd = '$x = 40; $x + 2'; Invoke-Expression $cmd; iex '$x'")).toEqual(['42', '40']);
  });

  it('calls hostname and whoami through the external-program hook and captures their output', async () => {
    expect(await out('hostname; $w = whoami; $w.ToUpper(); (hostname).Length')).toEqual(['WIN-EMU01', 'WIN-EMU01\\ADMINISTRATOR', '9']);
  });

  it('passes pipeline input as stdin and the current location to external programs', async () => {
    h.externalCalls.length = 0;
    await h.run('cd C:\\Windows; "a","b" | cmd /c more');
    const call = h.externalCalls.at(-1);
    expect(call?.stdin).toBe('a\r\nb\r\n');
    expect(call?.args).toEqual(['/c', 'more']);
    expect(await out('cd C:\\Windows; cmd /c cd')).toEqual(['C:\\Windows']);
  });
});

describe('bounds', () => {
  it('ends an endless loop with an error after the instruction budget', async () => {
    const small = makeHarness({ maxSteps: 5000 });
    const r = await small.run('while ($true) { }');
    expect(r.code).toBe(1);
    expect(flat(r.stderr)).toContain("exceeded the emulator's instruction budget of 5000 steps");
  });

  it('ends endless recursion and pipelines too', async () => {
    const small = makeHarness({ maxSteps: 5000 });
    expect(flat((await small.run('function f { f }; f')).stderr)).toContain('instruction budget');
    expect(flat((await small.run('1..100000 | ForEach-Object { $_ }')).stderr)).toContain('instruction budget');
  });

  it('refuses to build huge strings and arrays', async () => {
    const r = await h.run("$s = 'x' * 100000000");
    expect(flat(r.stderr)).toContain('over its configured limit');
    const a = await h.run('$a = 1..100000000');
    expect(flat(a.stderr)).toContain('over its configured limit');
  });

  it('stops when the command is aborted (Ctrl+C)', async () => {
    const abort = new AbortController();
    abort.abort('ctrl_c');
    const r = await h.run('while ($true) { }', { abort });
    expect(r.code).toBe(0xc000013a);
  });
});

describe('stdin mode (powershell -Command -)', () => {
  it('runs statements as they complete, keeping variables between them', async () => {
    const r = await h.run('', { fromStdin: true, stdin: '$x = 5\nif ($x -gt 1) {\n  "big"\n}\nelse { "small" }\n"x=$x"\n' });
    expect(lines(r.stdout)).toEqual(['big', 'x=5']);
    expect(r.code).toBe(0);
  });
});
