import { describe, it, expect } from 'vitest';
import { HOST, lines, makeHarness } from './harness.js';

function flat(s: string): string {
  return s.split('\r\n').join('');
}

describe('file system cmdlets over the virtual file system', () => {
  it('lists C:\\Users names (Get-ChildItem | Select-Object -ExpandProperty Name)', async () => {
    const h = makeHarness();
    const r = await h.run('Get-ChildItem C:\\Users | Select-Object -ExpandProperty Name');
    expect(r).toEqual({ stdout: 'Administrator\r\nPublic\r\n', stderr: '', code: 0 });
  });

  it('writes with Set-Content and Add-Content and reads back with Get-Content', async () => {
    const h = makeHarness();
    const r = await h.run("Set-Content -Path C:\\data.txt -Value 'one','two'; Add-Content C:\\data.txt 'three'; Get-Content C:\\data.txt; (Get-Content C:\\data.txt -Raw).Length; Get-Content C:\\data.txt -TotalCount 1; Get-Content C:\\data.txt -Tail 1");
    expect(lines(r.stdout)).toEqual(['one', 'two', 'three', '17', 'one', 'three']);
    // Set-Content writes the ANSI code page with CRLF line endings, as Windows PowerShell 5.1 does
    expect(new TextDecoder().decode(h.vfs.readFile('C:\\data.txt'))).toBe('one\r\ntwo\r\nthree\r\n');
  });

  it('writes UTF-8 with a BOM for -Encoding UTF8 and UTF-16LE for > redirection', async () => {
    const h = makeHarness();
    await h.run("Set-Content C:\\u8.txt 'é' -Encoding UTF8; 'hi' > C:\\redir.txt");
    expect([...h.vfs.readFile('C:\\u8.txt')]).toEqual([0xef, 0xbb, 0xbf, 0xc3, 0xa9, 13, 10]);
    expect([...h.vfs.readFile('C:\\redir.txt')]).toEqual([0xff, 0xfe, 0x68, 0, 0x69, 0, 13, 0, 10, 0]);
    expect(lines((await h.run('Get-Content C:\\redir.txt')).stdout)).toEqual(['hi']);
  });

  it('creates, copies, moves, renames and removes items', async () => {
    const h = makeHarness();
    const r = await h.run(
      "New-Item -ItemType Directory C:\\work | Out-Null; New-Item C:\\work\\a.txt -Value 'A' | Out-Null; Copy-Item C:\\work\\a.txt C:\\work\\b.txt; Move-Item C:\\work\\b.txt C:\\work\\c.txt; Rename-Item C:\\work\\c.txt d.txt; (Get-ChildItem C:\\work).Name -join ','; Remove-Item C:\\work\\a.txt; Test-Path C:\\work\\a.txt; Remove-Item C:\\work -Recurse; Test-Path C:\\work",
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['a.txt,d.txt', 'False', 'False']);
  });

  it('copies directories with -Recurse and expands wildcards', async () => {
    const h = makeHarness();
    const r = await h.run("mkdir C:\\src\\sub | Out-Null; 'x' | Set-Content C:\\src\\sub\\f.log; 'y' | Set-Content C:\\src\\g.txt; Copy-Item C:\\src C:\\dst -Recurse; (Get-ChildItem C:\\dst -Recurse -File).Name -join ','; (Get-ChildItem C:\\src\\*.txt).Name; (Get-ChildItem C:\\src -Recurse -Filter *.log).FullName");
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['g.txt,f.log', 'g.txt', 'C:\\src\\sub\\f.log']);
  });

  it('reports a missing path as Windows PowerShell does', async () => {
    const h = makeHarness();
    const r = await h.run('Get-ChildItem C:\\nope');
    expect(lines(r.stderr)).toEqual([
      "Get-ChildItem : Cannot find path 'C:\\nope' because it does not exist.",
      'At line:1 char:1',
      '+ Get-ChildItem C:\\nope',
      '+ ~~~~~~~~~~~~~~~~~~~~~',
      // CategoryInfo and FullyQualifiedErrorId are cut every 74 characters, then word-wrapped at 79
      '    + CategoryInfo          : ObjectNotFound: (C:\\nope:String) [Get-ChildItem] ',
      '   , ItemNotFoundException',
      '    + FullyQualifiedErrorId : PathNotFound,Microsoft.PowerShell.Commands.GetCh ',
      '   ildItemCommand',
      ' ',
    ]);
    expect(r.code).toBe(1);
  });

  it('reports New-Item on an existing file and directory', async () => {
    const h = makeHarness();
    const r = await h.run('New-Item C:\\x.txt | Out-Null; New-Item C:\\x.txt; New-Item -ItemType Directory C:\\Users');
    expect(flat(r.stderr)).toContain("New-Item : The file 'C:\\x.txt' already exists.");
    expect(flat(r.stderr)).toContain('New-Item : An item with the specified name C:\\Users already exists.');
    const inv = await h.ps.invoke('New-Item C:\\x.txt; New-Item -ItemType Directory C:\\Users', { host: HOST, clock: h.clock });
    expect(inv.errors.map((e) => e.fullyQualifiedErrorId)).toEqual(['NewItemIOError,Microsoft.PowerShell.Commands.NewItemCommand', 'DirectoryExist,Microsoft.PowerShell.Commands.NewItemCommand']);
    expect(inv.errors.map((e) => e.category)).toEqual(['WriteError', 'ResourceExists']);
  });

  it('moves with Set-Location / Get-Location and resolves relative paths', async () => {
    const h = makeHarness();
    const r = await h.run('Set-Location C:\\Windows; (Get-Location).Path; cd ..; $PWD.Path; cd ~; (pwd).Path; Test-Path .\\Desktop -PathType Container');
    expect(lines(r.stdout)).toEqual(['C:\\Windows', 'C:\\', 'C:\\Users\\Administrator', 'True']);
  });

  it('joins and splits paths', async () => {
    const h = makeHarness();
    const r = await h.run("Join-Path C:\\a b.txt; Split-Path C:\\a\\b.txt; Split-Path C:\\a\\b.txt -Leaf; Split-Path C:\\a -Qualifier");
    expect(lines(r.stdout)).toEqual(['C:\\a\\b.txt', 'C:\\a', 'b.txt', 'C:']);
  });

  it('lists environment variables through the Env: drive', async () => {
    const h = makeHarness();
    const r = await h.run('(Get-ChildItem Env:COMPUTERNAME).Value; Test-Path Env:USERNAME; (Get-Item env:nope -ErrorAction SilentlyContinue) -eq $null');
    expect(lines(r.stdout)).toEqual(['WIN-EMU01', 'True', 'True']);
  });

  it('exposes FileInfo properties', async () => {
    const h = makeHarness();
    const r = await h.run("'abc' | Set-Content C:\\f.txt; $f = Get-Item C:\\f.txt; $f.Name; $f.Length; $f.Extension; $f.BaseName; $f.DirectoryName; $f.Mode; $f.PSIsContainer; $f.FullName; \"$f\"; (Get-ChildItem C:\\ -Filter f.txt).ToString()");
    expect(lines(r.stdout)).toEqual(['f.txt', '5', '.txt', 'f', 'C:\\', '-a----', 'False', 'C:\\f.txt', 'C:\\f.txt', 'f.txt']);
  });
});

describe('object cmdlets', () => {
  const h = makeHarness();
  const out = async (s: string): Promise<string[]> => {
    const r = await h.run(s);
    if (r.stderr !== '') throw new Error(r.stderr);
    return lines(r.stdout);
  };

  it('Select-Object: properties, calculated properties, -First, -Last, -Skip, -Unique, -ExpandProperty', async () => {
    expect(await out("$o = 1..5 | ForEach-Object { [pscustomobject]@{ N = $_; Sq = $_ * $_ } }; ($o | Select-Object -First 2).N -join ','; ($o | Select-Object -Last 2 -ExpandProperty Sq) -join ','; ($o | Select-Object -Skip 3).N -join ','; (1,1,2 | Select-Object -Unique) -join ','; ($o | Select-Object N, @{Name='Double'; Expression={ $_.N * 2 }} | Select-Object -Last 1).Double")).toEqual(['1,2', '16,25', '4,5', '1,2', '10']);
  });

  it('Select-Object -First stops the upstream pipeline', async () => {
    expect(await out('$count = 0; 1..1000 | ForEach-Object { $count++; $_ } | Select-Object -First 3 | Out-Null; $count')).toEqual(['3']);
  });

  it('Where-Object: script block and simplified syntax', async () => {
    expect(await out("(1..10 | Where-Object { $_ % 3 -eq 0 }) -join ','; (Get-Service | Where-Object Status -eq 'Stopped' | Select-Object -First 1).Name; (Get-Service | Where-Object -Property Name -Like 'Win*').Count; ('a','bb','ccc' | ? Length -gt 1) -join ','")).toEqual(['3,6,9', 'BITS', '3', 'bb,ccc']);
  });

  it('ForEach-Object: -Begin/-Process/-End, member name and method name', async () => {
    expect(await out("1..3 | ForEach-Object -Begin { $s = 0 } -Process { $s += $_ } -End { \"sum=$s\" }; 'a','b' | ForEach-Object ToUpper; ('abc','de' | % Length) -join ','")).toEqual(['sum=6', 'A', 'B', '3,2']);
  });

  it('Sort-Object: properties, -Descending, -Unique, script blocks, case-insensitive strings', async () => {
    expect(await out("(3,1,2 | Sort-Object) -join ','; ('b','A','c','a' | Sort-Object) -join ','; ('b','a','B' | Sort-Object -Unique) -join ','; (Get-Service | Sort-Object Name -Descending | Select-Object -First 1).Name; ('aaa','b','cc' | Sort-Object { $_.Length }) -join ','")).toEqual(['1,2,3', 'A,a,b,c', 'a,b', 'wuauserv', 'b,cc,aaa']);
  });

  it('Measure-Object: count, sum, average, min, max and properties', async () => {
    expect(await out('$m = 2,4,9 | Measure-Object -Sum -Average -Maximum -Minimum; "$($m.Count) $($m.Sum) $($m.Average) $($m.Maximum) $($m.Minimum)"; (Get-ChildItem C:\\Users | Measure-Object).Count')).toEqual(['3 15 5 9 2', '2']);
  });

  it('Group-Object: groups in order of first appearance, case-insensitively', async () => {
    expect(await out("$g = 'a','B','b','c','A','a' | Group-Object; $g | ForEach-Object { \"$($_.Name)=$($_.Count)\" }; ($g[0].Group) -join ''")).toEqual(['a=3', 'B=2', 'c=1', 'aAa']);
  });

  it('New-Object and Get-Member', async () => {
    expect(await out("$l = New-Object System.Collections.ArrayList; [void]$l.Add('x'); $l.Count; $o = New-Object PSObject -Property @{ A = 1 }; $o.A; ('x' | Get-Member -MemberType Property).Name")).toEqual(['1', '1', 'Length']);
  });
});

describe('ConvertTo-Json / ConvertFrom-Json (Windows PowerShell 5.1 format)', () => {
  const h = makeHarness();
  const out = async (s: string): Promise<string[]> => {
    const r = await h.run(s);
    if (r.stderr !== '') throw new Error(r.stderr);
    return lines(r.stdout);
  };

  it('indents like 5.1: four spaces, two after the colon, arrays aligned under their key', async () => {
    expect(await out('[ordered]@{ name = "web"; ports = @(80, 443); meta = [ordered]@{ ok = $true; none = $null } } | ConvertTo-Json')).toEqual([
      '{',
      '    "name":  "web",',
      '    "ports":  [',
      '                  80,',
      '                  443',
      '              ],',
      '    "meta":  {',
      '                 "ok":  true,',
      '                 "none":  null',
      '             }',
      '}',
    ]);
  });

  it('compresses, escapes HTML-sensitive characters and writes dates as \\/Date(ms)\\/', async () => {
    expect(await out("[pscustomobject]@{ s = \"<a href='x'>&</a>\"; d = [datetime]'2026-01-02T03:04:05Z' } | ConvertTo-Json -Compress")).toEqual([
      '{"s":"\\u003ca href=\\u0027x\\u0027\\u003e\\u0026\\u003c/a\\u003e","d":"\\/Date(1767323045000)\\/"}',
    ]);
  });

  it('cuts off at -Depth by converting deeper objects to strings', async () => {
    expect(await out('@{ a = @{ b = @{ c = 1 } } } | ConvertTo-Json -Compress; @{ a = @{ b = @{ c = 1 } } } | ConvertTo-Json -Compress -Depth 1')).toEqual([
      '{"a":{"b":{"c":1}}}',
      '{"a":{"b":"System.Collections.Hashtable"}}',
    ]);
  });

  it('serialises pipeline input as an array and single input as an object', async () => {
    expect(await out('1,2 | ConvertTo-Json -Compress; ConvertTo-Json @(1) -Compress; 1 | ConvertTo-Json')).toEqual(['[1,2]', '[1]', '1']);
  });

  it('parses JSON into PSCustomObjects and arrays (arrays as one object, as 5.1 does)', async () => {
    expect(await out('$o = \'{"name":"x","n":[1,2,3],"in":{"k":true}}\' | ConvertFrom-Json; $o.name; $o.n.Count; $o.in.k; (\'[1,2]\' | ConvertFrom-Json | Measure-Object).Count')).toEqual(['x', '3', 'True', '1']);
  });

  it('reports invalid JSON', async () => {
    const r = await h.run("'{nope' | ConvertFrom-Json");
    expect(r.stderr.startsWith('ConvertFrom-Json : Invalid object passed in')).toBe(true);
    const inv = await h.ps.invoke("'{nope' | ConvertFrom-Json", { host: HOST, clock: h.clock });
    expect(inv.errors[0]?.fullyQualifiedErrorId).toBe('System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand');
  });
});

describe('system cmdlets', () => {
  const h = makeHarness();

  it('Get-Process and Get-Service return plausible static lists including WinRM and this process', async () => {
    const r = await h.run('(Get-Service WinRM).Status; (Get-Service winrm).DisplayName; (Get-Process -Id $PID).ProcessName; (Get-Process powershell).Id -eq $PID; Get-Service nope');
    expect(lines(r.stdout)).toEqual(['Running', 'Windows Remote Management (WS-Management)', 'powershell', 'True']);
    expect(flat(r.stderr)).toContain("Get-Service : Cannot find any service with service name 'nope'.");
    const inv = await h.ps.invoke('Get-Service nope', { host: HOST, clock: h.clock });
    expect(inv.errors[0]?.fullyQualifiedErrorId).toBe('NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand');
  });

  it('Get-Command finds cmdlets, aliases and reports unknown names', async () => {
    const r = await h.run("(Get-Command Get-ChildItem).Source; (Get-Command dir).Definition; (Get-Command Get-*).Count -gt 10; Get-Command Nope-Nope");
    expect(lines(r.stdout)).toEqual(['Microsoft.PowerShell.Management', 'Get-ChildItem', 'True']);
    expect(flat(r.stderr)).toContain("Get-Command : The term 'Nope-Nope' is not recognized");
  });

  it('Get-Variable and Get-Host', async () => {
    const r = await h.run('$myVar = 3; (Get-Variable myVar).Value; Get-Variable myVar -ValueOnly; (Get-Host).Name; $Host.Version.Major; $Host.UI.RawUI.BufferSize.Width');
    expect(lines(r.stdout)).toEqual(['3', '3', 'ConsoleHost', '5', '80']);
  });

  it('Start-Sleep waits on the injected clock', async () => {
    const h2 = makeHarness();
    const before = h2.clock.now();
    await h2.run('Start-Sleep -Seconds 2; Start-Sleep -Milliseconds 500');
    expect(h2.clock.now() - before).toBe(2500);
  });

  it('Out-String renders like the console and -Stream writes lines', async () => {
    const r = await h.run("$s = Get-Service winrm | Out-String; $s.GetType().Name; ($s -split \"`r`n\").Count; (Get-Service winrm | Out-String -Stream).Count");
    expect(lines(r.stdout)).toEqual(['String', '7', '6']);
  });
});
