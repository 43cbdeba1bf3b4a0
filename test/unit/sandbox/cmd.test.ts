import { describe, expect, it } from 'vitest';
import { STATUS_CONTROL_C_EXIT, type ProcessContext } from '../../../src/shell/backend.js';
import { createSandboxBackend } from '../../../src/sandbox/backend.js';
import { parsePowerShellCommandLine } from '../../../src/sandbox/cmd/powershell.js';
import type { PowerShellRunOptions } from '../../../src/sandbox/cmd/types.js';
import { Harness, hostFacts, makeSpec } from './harness.js';

const NOT_RECOGNIZED = (name: string): string => `'${name}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`;

describe('echo, set and variables', () => {
  it.each([
    ['echo hello world', 'hello world\r\n'],
    ['echo', 'ECHO is on.\r\n'],
    ['echo    ', 'ECHO is on.\r\n'],
    ['echo.', '\r\n'],
    ['echo(', '\r\n'],
    ['echo.hi', 'hi\r\n'],
    ['echo:x', 'x\r\n'],
    ['echo "quoted & kept"', '"quoted & kept"\r\n'],
    ['echo a^&b', 'a&b\r\n'],
    ['@echo off & echo', 'ECHO is off.\r\n'],
    ['echo %USERNAME% on %COMPUTERNAME%', 'vagrant on WIN-LAB\r\n'],
    ['echo %username%', 'vagrant\r\n'],
    ['echo %NOPE%', '%NOPE%\r\n'],
    ['echo %CD%', 'C:\\Users\\vagrant\r\n'],
    ['set X=1 & echo %X%', '%X%\r\n'],
    // CALL expands a second time, when X is set.
    ['set X=1& call echo %X%', '1\r\n'],
    ['set /a 6*7', '42'],
    ['set /a x=2+3& echo.& set x', '5\r\nx=5\r\n'],
    ['echo. ', ' \r\n'],
    ['set USERP', 'USERPROFILE=C:\\Users\\vagrant\r\n'],
    ['set "Q=a b" & set Q', 'Q=a b\r\n'],
    ['set name with spaces=v & set name', 'name with spaces=v \r\n'],
  ])('%s', async (line, stdout) => {
    const r = await new Harness().run(line);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(stdout);
  });

  it('set on an undefined prefix fails with errorlevel 1', async () => {
    const r = await new Harness().run('set NOSUCHVAR');
    expect(r.stderr).toBe('Environment variable NOSUCHVAR not defined\r\n');
    expect(r.exitCode).toBe(1);
  });

  it('set with an empty value removes the variable; names are case-insensitive and keep their spelling', async () => {
    const r = await new Harness().run('set MyVar=1 & set myvar=2 & set MYVAR & set myvar=& set MyVar');
    expect(r.stdout).toBe('MyVar=2 \r\n');
    expect(r.stderr).toBe('Environment variable MyVar not defined\r\n');
  });

  it('set /p reads a line from stdin', async () => {
    const r = await new Harness().run('set /p NAME=Who? & set NAME', { stdin: ['Alice\r\nrest\r\n'] });
    expect(r.stdout).toBe('Who? NAME=Alice\r\n');
  });

  it('set /a divide by zero', async () => {
    const r = await new Harness().run('set /a 1/0');
    expect(r.stderr).toBe('Divide by zero error.\r\n');
    expect(r.exitCode).toBe(1073750993);
  });

  it('%ERRORLEVEL% is expanded when the line is read, and after a failing command in a nested cmd', async () => {
    const h = new Harness();
    expect((await h.run('nope 2>nul & echo %ERRORLEVEL%')).stdout).toBe('0\r\n');
    expect((await h.run('nope 2>nul & cmd /c echo %ERRORLEVEL%')).stdout).toBe('0\r\n');
    const r = await h.run('nope 2>nul & if errorlevel 9009 echo failed');
    expect(r.stdout).toBe('failed\r\n');
  });
});

describe('operators, blocks and redirections', () => {
  it('&& runs on success, || on failure', async () => {
    const h = new Harness();
    expect((await h.run('echo a && echo b')).stdout).toBe('a \r\nb\r\n');
    expect((await h.run('nope 2>nul && echo b || echo c')).stdout).toBe('c\r\n');
    expect((await h.run('(nope 2>nul || echo recovered) && echo then')).stdout).toBe('recovered\r\nthen\r\n');
  });

  it('an unknown command answers exactly as cmd.exe, ERRORLEVEL 9009', async () => {
    const r = await new Harness().run('frobnicate --now');
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(NOT_RECOGNIZED('frobnicate'));
    expect(r.exitCode).toBe(9009);
  });

  it('a syntax error is printed and ends the line with errorlevel 255', async () => {
    const r = await new Harness().run('echo a | ');
    expect(r.stderr).toBe('The syntax of the command is incorrect.\r\n');
    expect(r.exitCode).toBe(255);
  });

  it('writes, appends and reads files; 2>&1 and 1>&2 follow handle order', async () => {
    const h = new Harness();
    let r = await h.run('echo one> f.txt & echo two>>f.txt& type f.txt');
    // The space before `&` belongs to the echoed text, as in Windows.
    expect(r.stdout).toBe('one \r\ntwo\r\n');
    r = await h.run('(echo out & nope) > all.txt 2>&1 & type all.txt');
    expect(r.stdout).toBe(`out \r\n${NOT_RECOGNIZED('nope')}`);
    r = await h.run('nope 2>&1 1>nul');
    expect(r.stdout).toBe(NOT_RECOGNIZED('nope'));
    r = await h.run('echo to-err 1>&2');
    expect(r.stderr).toBe('to-err \r\n');
    r = await h.run('type nul > empty.txt & dir /b empty.txt');
    expect(r.stdout).toBe('empty.txt\r\n');
    expect(h.vfs.stat('C:\\Users\\vagrant\\empty.txt')?.size).toBe(0);
  });

  it('redirection to NUL discards, and into a missing folder fails before the command runs', async () => {
    const h = new Harness();
    let r = await h.run('echo gone > nul & echo gone 2> NUL 1>&2');
    expect(r.stdout + r.stderr).toBe('');
    r = await h.run('echo x > C:\\nope\\f.txt');
    expect(r.stderr).toBe('The system cannot find the path specified.\r\n');
    expect(r.exitCode).toBe(1);
    r = await h.run('echo x > C:\\Windows');
    expect(r.stderr).toBe('Access is denied.\r\n');
  });

  it('< feeds a file to stdin; pipes feed one command to the next', async () => {
    const h = new Harness();
    await h.run('(echo pear& echo Apple& echo fig) > fruit.txt');
    expect((await h.run('sort < fruit.txt')).stdout).toBe('Apple\r\nfig\r\npear\r\n');
    expect((await h.run('type fruit.txt | sort /r')).stdout).toBe('pear\r\nfig\r\nApple\r\n');
    expect((await h.run('type fruit.txt | findstr /i apple')).stdout).toBe('Apple\r\n');
    expect((await h.run('type fruit.txt | findstr /v /n p')).stdout).toBe('3:fig\r\n');
    expect((await h.run('dir /b | findstr /c:"Saved Games"')).stdout).toBe('Saved Games\r\n');
    expect((await h.run('type fruit.txt | more')).stdout).toBe('pear\r\nApple\r\nfig\r\n');
    const r = await h.run('type fruit.txt | findstr kiwi');
    expect(r.stdout).toBe('');
    expect(r.exitCode).toBe(1);
  });

  it('each side of a pipe is its own cmd.exe: variables set there do not come back', async () => {
    const r = await new Harness().run('set ZZPIPE=1 | sort & set ZZPIPE');
    expect(r.stderr).toBe('Environment variable ZZPIPE not defined\r\n');
  });

  it('IF: exist, defined, comparisons, else', async () => {
    const h = new Harness();
    expect((await h.run('if exist C:\\Windows\\System32\\drivers\\etc\\hosts (echo yes) else (echo no)')).stdout).toBe('yes\r\n');
    expect((await h.run('if not exist C:\\nope echo missing')).stdout).toBe('missing\r\n');
    expect((await h.run('if exist C:\\Windows\\System32\\*.exe echo some')).stdout).toBe('some\r\n');
    expect((await h.run('if defined USERNAME echo def')).stdout).toBe('def\r\n');
    expect((await h.run('if /i "%USERNAME%"=="VAGRANT" echo same')).stdout).toBe('same\r\n');
    expect((await h.run('if "%USERNAME%"=="VAGRANT" (echo same) else (echo differs)')).stdout).toBe('differs\r\n');
    expect((await h.run('if 10 GTR 9 echo numeric')).stdout).toBe('numeric\r\n');
    expect((await h.run('if 1==2 echo a & echo b')).stdout).toBe('');
  });

  it('exit ends cmd with its code; exit /b too (outside a batch file)', async () => {
    const h = new Harness();
    let r = await h.run('echo before & exit /b 3 & echo after');
    expect(r.stdout).toBe('before \r\n');
    expect(r.exitCode).toBe(3);
    r = await h.run('cmd /c exit 5 & echo %ERRORLEVEL%');
    expect(r.exitCode).toBe(5);
    r = await h.run('cmd /c exit 7');
    expect(r.exitCode).toBe(7);
    r = await h.run('nope 2>nul & exit');
    expect(r.exitCode).toBe(9009);
  });

  it('cmd /c strips the outer quotes of its line as cmd /? documents', async () => {
    const h = new Harness();
    expect((await h.run('cmd /c "echo a & echo b"')).stdout).toBe('a \r\nb\r\n');
    expect((await h.run('cmd /c ""C:\\Windows\\System32\\hostname.exe""')).stdout).toBe('WIN-LAB\r\n');
    expect((await h.run('cmd /s /c "echo "x""')).stdout).toBe('"x"\r\n');
  });

  it('cmd without /c reads commands from stdin, echoing each after the prompt', async () => {
    const r = await new Harness().run('cmd', { stdin: ['echo hi\r\n', 'cd C:\\Windows\r\nexit 4\r\n'] });
    expect(r.stdout).toBe('Microsoft Windows [Version 10.0.17763.1]\r\n(c) 2018 Microsoft Corporation. All rights reserved.\r\n\r\nC:\\Users\\vagrant>echo hi\r\nhi\r\n\r\nC:\\Users\\vagrant>cd C:\\Windows\r\n\r\nC:\\Windows>exit 4\r\n');
    expect(r.exitCode).toBe(4);
  });
});

describe('files and directories', () => {
  it('cd changes directory with the case on disk; cd alone prints it; a missing path fails', async () => {
    const h = new Harness();
    expect((await h.run('cd c:\\windows\\SYSTEM32 & cd')).stdout).toBe('C:\\Windows\\System32\r\n');
    expect((await h.run('cd.. & cd')).stdout).toBe('C:\\Users\r\n');
    expect((await h.run('chdir /d \\Windows & cd')).stdout).toBe('C:\\Windows\r\n');
    const r = await h.run('cd C:\\nope');
    expect(r.stderr).toBe('The system cannot find the path specified.\r\n');
    expect(r.exitCode).toBe(1);
  });

  it('mkdir creates intermediate folders and refuses an existing one', async () => {
    const h = new Harness();
    expect((await h.run('mkdir a\\b\\c && md x y')).exitCode).toBe(0);
    expect(h.vfs.stat('C:\\Users\\vagrant\\a\\b\\c')?.type).toBe('directory');
    expect(h.vfs.stat('C:\\Users\\vagrant\\y')?.type).toBe('directory');
    const r = await h.run('mkdir a\\b');
    expect(r.stderr).toBe('A subdirectory or file a\\b already exists.\r\n');
    expect(r.exitCode).toBe(1);
  });

  it('rmdir refuses a non-empty folder without /s, removes it with /s /q', async () => {
    const h = new Harness();
    await h.run('mkdir d\\sub & echo x > d\\sub\\f.txt');
    let r = await h.run('rmdir d');
    expect(r.stderr).toBe('The directory is not empty.\r\n');
    r = await h.run('rd /s /q d');
    expect(r.exitCode).toBe(0);
    expect(h.vfs.stat('C:\\Users\\vagrant\\d')).toBeUndefined();
    r = await h.run('rd nope');
    expect(r.stderr).toBe('The system cannot find the file specified.\r\n');
  });

  it('rmdir /s without /q asks, reading the answer from stdin', async () => {
    const h = new Harness();
    await h.run('mkdir d\\sub');
    const r = await h.run('rmdir /s d', { stdin: ['y\r\n'] });
    expect(r.stdout).toBe('d, Are you sure (Y/N)? ');
    expect(h.vfs.stat('C:\\Users\\vagrant\\d')).toBeUndefined();
  });

  it('del removes files (wildcards too), says "Could Not Find" and leaves errorlevel 0', async () => {
    const h = new Harness();
    await h.run('echo 1 > a.txt & echo 2 > b.txt & echo 3 > c.log');
    expect((await h.run('del *.txt')).stdout).toBe('');
    expect(h.vfs.stat('C:\\Users\\vagrant\\a.txt')).toBeUndefined();
    expect(h.vfs.stat('C:\\Users\\vagrant\\c.log')).toBeDefined();
    const r = await h.run('del nothing.txt');
    expect(r.stderr).toBe('Could Not Find C:\\Users\\vagrant\\nothing.txt\r\n');
    expect(r.exitCode).toBe(0);
  });

  it('copy, move and ren with Windows messages', async () => {
    const h = new Harness();
    await h.run('echo data>src.txt& mkdir dest');
    let r = await h.run('copy src.txt dest');
    expect(r.stdout).toBe('        1 file(s) copied.\r\n');
    expect(h.text('C:\\Users\\vagrant\\dest\\src.txt')).toBe('data\r\n');
    r = await h.run('copy /y src.txt dest\\src.txt');
    expect(r.stdout).toBe('        1 file(s) copied.\r\n');
    r = await h.run('copy src.txt dest\\src.txt', { stdin: ['n\r\n'] });
    expect(r.stdout).toBe('Overwrite dest\\src.txt? (Yes/No/All):         0 file(s) copied.\r\n');
    r = await h.run('copy missing.txt x.txt');
    expect(r.stderr).toBe('The system cannot find the file specified.\r\n');
    expect(r.stdout).toBe('        0 file(s) copied.\r\n');
    r = await h.run('copy src.txt src.txt');
    expect(r.stderr).toBe('The file cannot be copied onto itself.\r\n');
    r = await h.run('move src.txt moved.txt');
    expect(r.stdout).toBe('        1 file(s) moved.\r\n');
    r = await h.run('move dest dest2');
    expect(r.stdout).toBe('        1 dir(s) moved.\r\n');
    r = await h.run('ren moved.txt renamed.txt & dir /b renamed.txt');
    expect(r.stdout).toBe('renamed.txt\r\n');
    r = await h.run('ren nothere.txt x.txt');
    expect(r.stderr).toBe('A duplicate file name exists, or the file\r\ncannot be found.\r\n');
    r = await h.run('echo x>a.log& echo y>b.log& ren *.log *.bak & dir /b *.bak');
    expect(r.stdout).toBe('a.bak\r\nb.bak\r\n');
  });

  it('type prints a file as stored, a UTF-16 file as text, and errors as Windows', async () => {
    const h = new Harness();
    h.vfs.writeFile('C:\\u16.txt', new Uint8Array([0xff, 0xfe, 0x68, 0x00, 0x69, 0x00]));
    expect((await h.run('type C:\\u16.txt')).stdout).toBe('hi');
    expect((await h.run('type C:\\Windows\\System32\\drivers\\etc\\hosts')).stdout).toContain('# Copyright (c) 1993-2009 Microsoft Corp.\r\n');
    let r = await h.run('type nope.txt');
    expect(r.stderr).toBe('The system cannot find the file specified.\r\n');
    expect(r.exitCode).toBe(1);
    r = await h.run('type C:\\nope\\x.txt');
    expect(r.stderr).toBe('The system cannot find the path specified.\r\n');
    r = await h.run('type C:\\Windows');
    expect(r.stderr).toBe('Access is denied.\r\n');
  });

  it('dir: /b, /a for hidden entries, /s, and File Not Found', async () => {
    const h = new Harness();
    expect((await h.run('dir /b C:\\')).stdout).toBe('PerfLogs\r\nProgram Files\r\nProgram Files (x86)\r\nUsers\r\nWindows\r\n');
    expect((await h.run('dir /b /a C:\\')).stdout).toContain('ProgramData\r\n');
    // An attribute filter without -h shows hidden folders too.
    expect((await h.run('dir /b /ad C:\\Users')).stdout).toBe('Default\r\nPublic\r\nvagrant\r\n');
    expect((await h.run('dir /b C:\\Users')).stdout).toBe('Public\r\nvagrant\r\n');
    const r = await h.run('dir nothing.*');
    expect(r.stdout).toBe(' Volume in drive C has no label.\r\n Volume Serial Number is D346-8BC0\r\n\r\n Directory of C:\\Users\\vagrant\r\n\r\n');
    expect(r.stderr).toBe('File Not Found\r\n');
    expect(r.exitCode).toBe(1);
    await h.run('mkdir t\\u & echo 12345> t\\u\\f.txt');
    const s = await h.run('dir /s /b t');
    expect(s.stdout).toBe('C:\\Users\\vagrant\\t\\u\r\nC:\\Users\\vagrant\\t\\u\\f.txt\r\n');
    const full = await h.run('dir /s t');
    expect(full.stdout).toContain(' Directory of C:\\Users\\vagrant\\t\\u\r\n\r\n01/15/2026  09:30 AM    <DIR>          .\r\n01/15/2026  09:30 AM    <DIR>          ..\r\n01/15/2026  09:30 AM                 7 f.txt\r\n               1 File(s)              7 bytes\r\n');
    expect(full.stdout).toMatch(/\r\n {5}Total Files Listed:\r\n {15}1 File\(s\) {14}7 bytes\r\n {15}5 Dir\(s\) +[\d,]+ bytes free\r\n$/);
  });

  it('ENOSPC from the bounded VFS surfaces as Windows\' disk-full message', async () => {
    const h = new Harness({ limitBytes: 2930 + 1500 });
    const r = await h.run('type C:\\Windows\\System32\\drivers\\etc\\hosts > a.txt & type a.txt > b.txt & type a.txt > c.txt');
    expect(r.stderr).toContain('There is not enough space on the disk.\r\n');
  });
});

describe('information programs', () => {
  it('ver and hostname', async () => {
    const h = new Harness();
    expect((await h.run('ver')).stdout).toBe('\r\nMicrosoft Windows [Version 10.0.17763.1]\r\n');
    expect((await h.run('hostname')).stdout).toBe('WIN-LAB\r\n');
    expect((await h.run('C:\\Windows\\System32\\HOSTNAME.EXE')).stdout).toBe('WIN-LAB\r\n');
  });

  it('where finds the placeholder programs along PATH with PATHEXT', async () => {
    const h = new Harness();
    expect((await h.run('where cmd whoami')).stdout).toBe('C:\\Windows\\System32\\cmd.exe\r\nC:\\Windows\\System32\\whoami.exe\r\n');
    expect((await h.run('where powershell')).stdout).toBe('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\r\n');
    const r = await h.run('where nothing');
    expect(r.stderr).toBe('INFO: Could not find files for the given pattern(s).\r\n');
    expect(r.exitCode).toBe(1);
  });

  it('a program whose file was deleted is no longer recognized', async () => {
    const h = new Harness();
    h.vfs.remove('C:\\Windows\\System32\\whoami.exe');
    const r = await h.run('whoami');
    expect(r.stderr).toBe(NOT_RECOGNIZED('whoami'));
  });

  it('ipconfig shows one loopback-only adapter; /all adds the host and adapter details', async () => {
    const h = new Harness();
    const r = await h.run('ipconfig');
    expect(r.stdout).toBe(
      '\r\nWindows IP Configuration\r\n\r\n\r\nEthernet adapter Ethernet:\r\n\r\n' +
        '   Connection-specific DNS Suffix  . : \r\n' +
        '   Link-local IPv6 Address . . . . . : fe80::b5c1:6a3d:2f4e:91a7%5\r\n' +
        '   IPv4 Address. . . . . . . . . . . : 10.0.2.15\r\n' +
        '   Subnet Mask . . . . . . . . . . . : 255.255.255.0\r\n' +
        '   Default Gateway . . . . . . . . . : \r\n',
    );
    const all = await h.run('ipconfig /all');
    expect(all.stdout).toContain('   Host Name . . . . . . . . . . . . : WIN-LAB\r\n');
    expect(all.stdout).toContain('   Description . . . . . . . . . . . : Microsoft KM-TEST Loopback Adapter\r\n');
    expect(all.stdout).toContain('   IPv4 Address. . . . . . . . . . . : 10.0.2.15(Preferred) \r\n');
    for (const line of all.stdout.split('\r\n')) if (line.startsWith('   ') && line.includes(' : ')) expect(line.indexOf(' : ')).toBe(36);
    expect((await h.run('ipconfig /bogus')).exitCode).toBe(1);
  });

  it('systeminfo names the OS from HostFacts', async () => {
    const r = await new Harness().run('systeminfo');
    expect(r.stdout).toContain('\r\nHost Name:                 WIN-LAB\r\nOS Name:                   Microsoft Windows Server 2019 Datacenter\r\nOS Version:                10.0.17763 N/A Build 17763\r\n');
  });

  it('timeout /t N /nobreak waits on the injected clock; without /nobreak it refuses redirected input', async () => {
    const h = new Harness();
    const refused = await h.run('timeout /t 5');
    expect(refused.stderr).toBe('ERROR: Input redirection is not supported, exiting the process immediately.\r\n');
    expect(refused.exitCode).toBe(1);
    let done = false;
    const p = h.run('timeout /t 2 /nobreak > nul & echo done').then((r) => {
      done = true;
      return r;
    });
    for (let i = 0; i < 5; i++) await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    h.clock.advance(1000);
    await new Promise((r) => setImmediate(r));
    h.clock.advance(1000);
    const r = await p;
    expect(r.stdout).toBe('done\r\n');
    expect(r.exitCode).toBe(0);
  });

  it('a Signal (abort) during timeout ends cmd with STATUS_CONTROL_C_EXIT', async () => {
    const h = new Harness();
    const abort = new AbortController();
    const p = h.run('timeout /t 100 /nobreak & echo never', { abort });
    await new Promise((r) => setImmediate(r));
    abort.abort('ctrl_c');
    const r = await p;
    expect(r.exitCode).toBe(STATUS_CONTROL_C_EXIT);
    expect(r.stdout).not.toContain('never');
  });
});

describe('whoami', () => {
  const header = (widths: number[], names: string[]): string => `${names.map((n, i) => n.padEnd(widths[i] ?? 0)).join(' ')}\r\n${widths.map((w) => '='.repeat(w)).join(' ')}\r\n`;
  const row = (widths: number[], cells: string[]): string => `${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' ')}\r\n`;
  const ENABLED = 'Mandatory group, Enabled by default, Enabled group';

  it('plain whoami prints computer\\user in lower case', async () => {
    const h = new Harness({ host: hostFacts({ name: 'Administrator', rid: 500, groups: ['Administrators'] }) });
    expect((await h.run('whoami')).stdout).toBe('win-lab\\administrator\r\n');
  });

  it('/groups for the built-in Administrator: unfiltered, group owner, High integrity', async () => {
    const h = new Harness({ host: hostFacts({ name: 'Administrator', rid: 500, groups: ['Administrators'] }) });
    const r = await h.run('whoami /groups');
    const w = [61, 16, 12, 63];
    expect(r.stdout).toBe(
      '\r\nGROUP INFORMATION\r\n-----------------\r\n\r\n' +
        header(w, ['Group Name', 'Type', 'SID', 'Attributes']) +
        row(w, ['Everyone', 'Well-known group', 'S-1-1-0', ENABLED]) +
        row(w, ['NT AUTHORITY\\Local account and member of Administrators group', 'Well-known group', 'S-1-5-114', ENABLED]) +
        row(w, ['BUILTIN\\Administrators', 'Alias', 'S-1-5-32-544', `${ENABLED}, Group owner`]) +
        row(w, ['BUILTIN\\Users', 'Alias', 'S-1-5-32-545', ENABLED]) +
        row(w, ['NT AUTHORITY\\NETWORK', 'Well-known group', 'S-1-5-2', ENABLED]) +
        row(w, ['NT AUTHORITY\\Authenticated Users', 'Well-known group', 'S-1-5-11', ENABLED]) +
        row(w, ['NT AUTHORITY\\This Organization', 'Well-known group', 'S-1-5-15', ENABLED]) +
        row(w, ['NT AUTHORITY\\Local account', 'Well-known group', 'S-1-5-113', ENABLED]) +
        row(w, ['NT AUTHORITY\\NTLM Authentication', 'Well-known group', 'S-1-5-64-10', ENABLED]) +
        row(w, ['Mandatory Label\\High Mandatory Level', 'Label', 'S-1-16-12288', '']),
    );
    const priv = await h.run('whoami /priv');
    expect(priv.stdout).toContain('SeDebugPrivilege ');
    expect(priv.stdout.split('\r\n').filter((l) => l.startsWith('Se'))).toHaveLength(24);
  });

  it('/groups for a Remote Management Users member: Medium integrity, no admin groups', async () => {
    const h = new Harness({ host: hostFacts({ name: 'ci', rid: 1001, groups: ['Remote Management Users'] }) });
    const r = await h.run('whoami /groups');
    const w = [38, 16, 12, 50];
    expect(r.stdout).toBe(
      '\r\nGROUP INFORMATION\r\n-----------------\r\n\r\n' +
        header(w, ['Group Name', 'Type', 'SID', 'Attributes']) +
        row(w, ['Everyone', 'Well-known group', 'S-1-1-0', ENABLED]) +
        row(w, ['BUILTIN\\Users', 'Alias', 'S-1-5-32-545', ENABLED]) +
        row(w, ['BUILTIN\\Remote Management Users', 'Alias', 'S-1-5-32-580', ENABLED]) +
        row(w, ['NT AUTHORITY\\NETWORK', 'Well-known group', 'S-1-5-2', ENABLED]) +
        row(w, ['NT AUTHORITY\\Authenticated Users', 'Well-known group', 'S-1-5-11', ENABLED]) +
        row(w, ['NT AUTHORITY\\This Organization', 'Well-known group', 'S-1-5-15', ENABLED]) +
        row(w, ['NT AUTHORITY\\Local account', 'Well-known group', 'S-1-5-113', ENABLED]) +
        row(w, ['NT AUTHORITY\\NTLM Authentication', 'Well-known group', 'S-1-5-64-10', ENABLED]) +
        row(w, ['Mandatory Label\\Medium Mandatory Level', 'Label', 'S-1-16-8192', '']),
    );
    const priv = await h.run('whoami /priv');
    expect(priv.stdout.split('\r\n').filter((l) => l.startsWith('Se')).map((l) => l.split(' ')[0])).toEqual(['SeChangeNotifyPrivilege', 'SeIncreaseWorkingSetPrivilege']);
  });

  it('/user, /all sections, /fo csv, /upn for a local account, bad options', async () => {
    const host = hostFacts({ name: 'ci', rid: 1001, groups: ['Remote Management Users'] });
    const h = new Harness({ host });
    const user = await h.run('whoami /user');
    expect(user.stdout).toBe(`\r\nUSER INFORMATION\r\n----------------\r\n\r\nUser Name  SID${' '.repeat(host.user.sid.length - 3)}\r\n${'='.repeat(10)} ${'='.repeat(host.user.sid.length)}\r\nwin-lab\\ci ${host.user.sid}\r\n`);
    const all = await h.run('whoami /all');
    expect(all.stdout.match(/^[A-Z ]+ INFORMATION$/gm)).toEqual(['USER INFORMATION', 'GROUP INFORMATION', 'PRIVILEGES INFORMATION', 'USER CLAIMS INFORMATION']);
    expect(all.stdout.endsWith('User claims unknown.\r\n\r\nKerberos support for Dynamic Access Control on this device has been disabled.\r\n')).toBe(true);
    const csv = await h.run('whoami /groups /fo csv /nh');
    expect(csv.stdout.split('\r\n')[0]).toBe('"Everyone","Well-known group","S-1-1-0","Mandatory group, Enabled by default, Enabled group"');
    const upn = await h.run('whoami /upn');
    expect(upn.stderr).toBe('ERROR: Unable to get User Principal Name (UPN) as the current logged-on user\r\nis not a domain user.\r\n');
    expect(upn.exitCode).toBe(1);
    const bad = await h.run('whoami /bogus');
    expect(bad.stderr).toBe(`ERROR: Invalid argument/option - '/bogus'.\r\nType "WHOAMI /?" for usage.\r\n`);
  });
});

describe('powershell from cmd', () => {
  function recorder(): { calls: { script: string; opts: PowerShellRunOptions; stdin: string | null }[]; run: (script: string, ctx: ProcessContext, opts: PowerShellRunOptions) => Promise<number> } {
    const calls: { script: string; opts: PowerShellRunOptions; stdin: string | null }[] = [];
    return {
      calls,
      run: async (script, ctx, opts) => {
        calls.push({ script, opts, stdin: opts.fromStdin ? await ctx.readAllStdin() : null });
        await ctx.write('stdout', `ran in ${ctx.spec.workingDirectory}\r\n`);
        return 3;
      },
    };
  }

  it('-EncodedCommand as pywinrm run_ps sends it (UTF-16LE base64)', async () => {
    const ps = recorder();
    const h = new Harness({ powershell: ps.run });
    const script = '$PSVersionTable.PSVersion.Major';
    const b64 = Buffer.from(script, 'utf16le').toString('base64');
    const r = await h.run(`powershell -encodedcommand ${b64}`);
    expect(ps.calls).toEqual([{ script, opts: { encoded: true, fromStdin: false, noProfile: false }, stdin: null }]);
    expect(r.stdout).toBe('ran in C:\\Users\\vagrant\r\n');
    expect(r.exitCode).toBe(3);
  });

  it('-NoProfile -NonInteractive -ExecutionPolicy Bypass -Command joins the rest as powershell.exe does', async () => {
    const ps = recorder();
    const h = new Harness({ powershell: ps.run });
    await h.run('cd C:\\Windows & powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "Get-ChildItem C:\\Users | Select-Object -ExpandProperty Name"');
    expect(ps.calls[0]?.script).toBe('Get-ChildItem C:\\Users | Select-Object -ExpandProperty Name');
    expect(ps.calls[0]?.opts).toEqual({ encoded: false, fromStdin: false, noProfile: true });
    await h.run('pwsh -c Write-Output "a b"');
    expect(ps.calls[1]?.script).toBe('Write-Output a b');
  });

  it('`-` and `-Command -` read the script from stdin', async () => {
    const ps = recorder();
    const h = new Harness({ powershell: ps.run });
    await h.run('powershell -NoProfile -', { stdin: ['Write-Host "output 1";\r\n', 'Write-Host "output 2";\r\n'] });
    expect(ps.calls[0]).toEqual({ script: '', opts: { encoded: false, fromStdin: true, noProfile: true }, stdin: 'Write-Host "output 1";\r\nWrite-Host "output 2";\r\n' });
    await h.run('powershell -InputFormat text -OutputFormat text -Command -', { stdin: ['x'] });
    expect(ps.calls[1]?.opts.fromStdin).toBe(true);
  });

  it('refuses a bad -EncodedCommand and unsupported -OutputFormat xml with powershell.exe exit code 64', async () => {
    const ps = recorder();
    const h = new Harness({ powershell: ps.run });
    let r = await h.run('powershell -EncodedCommand %%%');
    expect(r.stderr).toContain('-EncodedCommand is not properly encoded');
    expect(r.exitCode).toBe(64);
    r = await h.run('powershell -OutputFormat xml -Command 1');
    expect(r.exitCode).toBe(64);
    expect(ps.calls).toHaveLength(0);
  });

  it('without a PowerShell engine answers as for an unknown program', async () => {
    const r = await new Harness().run('powershell -Command Get-Date');
    expect(r.stderr).toBe(NOT_RECOGNIZED('powershell'));
    expect(r.exitCode).toBe(9009);
  });

  it('parses the powershell.exe parameters and their prefixes', () => {
    expect(parsePowerShellCommandLine('-nop -noni -ep bypass -w hidden -c "1+1"')).toMatchObject({ kind: 'run', script: '1+1', opts: { noProfile: true }, nonInteractive: true });
    expect(parsePowerShellCommandLine('Write-Host hi')).toMatchObject({ kind: 'run', script: 'Write-Host hi' });
    expect(parsePowerShellCommandLine('')).toMatchObject({ kind: 'run', opts: { fromStdin: true } });
    expect(parsePowerShellCommandLine('-Command')).toMatchObject({ kind: 'error', exitCode: 64 });
    expect(parsePowerShellCommandLine(`-e ${Buffer.from('dir', 'utf16le').toString('base64')}`)).toMatchObject({ kind: 'run', script: 'dir', opts: { encoded: true } });
  });
});

describe('createSandboxBackend', () => {
  const backend = createSandboxBackend({ vfs: new Harness().vfs });

  it('runs everything through cmd.exe when WINRS_SKIP_CMD_SHELL is false', async () => {
    const h = new Harness();
    const b = createSandboxBackend({ vfs: h.vfs });
    const spec = makeSpec({ command: 'ipconfig', arguments: ['/all'] });
    const program = b.resolve(spec);
    expect(program).toBeDefined();
    if (program === undefined) return;
    const r = await h.exec(program, spec);
    expect(r.stdout).toContain('Windows IP Configuration');
  });

  it('with WINRS_SKIP_CMD_SHELL only resolves full paths of known programs (recorded: test_winrs_no_cmd_shell.yml)', async () => {
    expect(backend.resolve(makeSpec({ command: 'powershell.exe', arguments: ['Write-Host', 'hi'], skipCmdShell: true }))).toBeUndefined();
    expect(backend.resolve(makeSpec({ command: 'whoami', skipCmdShell: true }))).toBeUndefined();
    expect(backend.resolve(makeSpec({ command: 'C:\\Windows\\system32\\nothing.exe', skipCmdShell: true }))).toBeUndefined();
    // No PowerShell engine: powershell.exe is as absent as an unknown program.
    expect(backend.resolve(makeSpec({ command: 'C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\powershell.exe', skipCmdShell: true }))).toBeUndefined();
    const h = new Harness();
    const b = createSandboxBackend({ vfs: h.vfs });
    for (const command of ['C:\\Windows\\System32\\whoami.exe', 'c:\\windows\\system32\\WHOAMI', '"C:\\Windows\\System32\\whoami.exe"']) {
      const spec = makeSpec({ command, skipCmdShell: true });
      const program = b.resolve(spec);
      expect(program, command).toBeDefined();
      if (program !== undefined) expect((await h.exec(program, spec)).stdout).toBe('win-lab\\vagrant\r\n');
    }
    const cmdSpec = makeSpec({ command: 'C:\\Windows\\System32\\cmd.exe', arguments: ['/c', 'echo', 'hi'], skipCmdShell: true });
    const cmdProgram = b.resolve(cmdSpec);
    expect(cmdProgram).toBeDefined();
    if (cmdProgram !== undefined) expect((await h.exec(cmdProgram, cmdSpec)).stdout).toBe('hi\r\n');
  });

  it('hands powershell.exe arguments to the engine when skipping cmd', async () => {
    const h = new Harness();
    const seen: string[] = [];
    const b = createSandboxBackend({
      vfs: h.vfs,
      powershell: async (script) => {
        seen.push(script);
        return 0;
      },
    });
    const spec = makeSpec({ command: 'C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\powershell.exe', arguments: ['Write-Host', 'hi'], skipCmdShell: true });
    const program = b.resolve(spec);
    expect(program).toBeDefined();
    if (program !== undefined) await h.exec(program, spec);
    expect(seen).toEqual(['Write-Host hi']);
  });
});

describe('commands cannot reach outside the virtual file system', () => {
  it('paths built by commands stay inside: traversal, UNC and device paths', async () => {
    const h = new Harness();
    const before = JSON.stringify(h.vfs.snapshot());
    for (const line of [
      'type ..\\..\\..\\..\\..\\etc\\passwd',
      'type \\\\server\\share\\file',
      'type \\\\?\\C:\\Windows\\win.ini',
      'dir \\\\.\\PhysicalDrive0',
      'cd \\\\localhost\\c$',
      'echo x > \\\\server\\share\\x.txt',
      'mkdir \\\\?\\C:\\evil',
      'copy C:\\Windows\\System32\\drivers\\etc\\hosts \\\\attacker\\share',
      'type /etc/passwd',
      'type C:/../../etc/passwd',
    ]) {
      const r = await h.run(line);
      expect(r.stdout, line).not.toMatch(/root:|\[fonts\]/);
    }
    expect(JSON.stringify(h.vfs.snapshot())).toBe(before);
  });
});

describe('the journal sees which backend answered', () => {
  it('tags programs: cmd for the shell, process for WINRS_SKIP_CMD_SHELL', () => {
    const b = createSandboxBackend({ vfs: new Harness().vfs });
    expect(b.resolve(makeSpec({ command: 'dir' }))?.backend).toBe('cmd');
    expect(b.resolve(makeSpec({ command: 'C:\\Windows\\System32\\whoami.exe', skipCmdShell: true }))?.backend).toBe('process');
  });
});
