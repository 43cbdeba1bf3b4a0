// The emulated cmd.exe and PowerShell, as pywinrm (Debian, /usr/bin/python3) sees them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, LAB, type TestEmulator } from '../helpers/emulator.js';
import { pywinrm, pywinrmClient } from '../helpers/clients.js';

const py = pywinrmClient();

describe.skipIf(!py.available)('pywinrm against the sandbox', () => {
  let emu: TestEmulator;
  const as = (u: { name: string; password: string }) => ({ endpoint: emu.https, username: u.name, password: u.password });
  beforeAll(async () => {
    // RM members may use the cmd shell here, to show their groups.
    emu = await startEmulator({ winrm: { Service: { RootSDDL: 'O:NSG:BAD:P(A;;GA;;;BA)(A;;GXGR;;;RM)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)' } } });
  });
  afterAll(() => emu.close());

  it("run_cmd('ipconfig', ['/all']) prints Windows' IP configuration", async () => {
    const r = await pywinrm({ ...as(LAB.admin), steps: [{ op: 'run_cmd', command: 'ipconfig', args: ['/all'] }] });
    const out = String(r.results[0]?.std_out);
    expect(r.results[0]?.status_code).toBe(0);
    expect(out).toMatch(/^\r\nWindows IP Configuration\r\n\r\n {3}Host Name \. \. \. \. \. \. \. \. \. \. \. \. : WIN-EMU01\r\n/);
    expect(out).toContain('Physical Address');
    expect(out).toContain('IPv4 Address');
  });

  it("run_cmd('whoami', ['/groups']) lists the caller's groups with their well-known SIDs", async () => {
    const admin = String((await pywinrm({ ...as(LAB.admin), steps: [{ op: 'run_cmd', command: 'whoami', args: ['/groups'] }] })).results[0]?.std_out);
    expect(admin).toContain('GROUP INFORMATION');
    expect(admin).toMatch(/BUILTIN\\Administrators\s+Alias\s+S-1-5-32-544\s+Mandatory group, Enabled by default, Enabled group, Group owner/);
    expect(admin).toMatch(/NT AUTHORITY\\NETWORK\s+Well-known group S-1-5-2 /);
    expect(admin).toMatch(/Mandatory Label\\High Mandatory Level\s+Label\s+S-1-16-12288/);
    const operator = String((await pywinrm({ ...as(LAB.operator), steps: [{ op: 'run_cmd', command: 'whoami', args: ['/groups'] }] })).results[0]?.std_out);
    expect(operator).toMatch(/BUILTIN\\Remote Management Users\s+Alias\s+S-1-5-32-580/);
    expect(operator).not.toContain('S-1-5-32-544');
    expect(operator).toMatch(/Mandatory Label\\Medium Mandatory Level/);
  });

  it("answers an unknown command with cmd.exe's exact text and exit code 9009", async () => {
    const r = await pywinrm({ ...as(LAB.admin), steps: [{ op: 'run_cmd', command: 'frobnicate', args: ['--now'] }] });
    expect(r.results[0]).toMatchObject({ status_code: 9009, std_out: '', std_err: "'frobnicate' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n" });
  });

  it("run_ps: Write-Output, $PSVersionTable and a pipeline over the virtual file system", async () => {
    const r = await pywinrm({
      ...as(LAB.admin),
      steps: [
        { op: 'run_ps', script: 'Write-Output hello' },
        { op: 'run_ps', script: '$PSVersionTable.PSVersion.Major' },
        { op: 'run_ps', script: 'Get-ChildItem C:\\Users | Select-Object -ExpandProperty Name' },
      ],
    });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(r.results.map((x) => x.std_out)).toEqual(['hello\r\n', '5\r\n', 'Administrator\r\nlabadmin\r\noperator\r\nPublic\r\nvisitor\r\n']);
  });

  it('reads back with cmd type what Set-Content wrote in an earlier PowerShell command', async () => {
    const r = await pywinrm({
      ...as(LAB.admin),
      steps: [
        { op: 'run_ps', script: 'Set-Content -Path C:\\Users\\Public\\release.txt -Value "v1.2.3"' },
        { op: 'run_cmd', command: 'type', args: ['C:\\Users\\Public\\release.txt'] },
      ],
    });
    expect(r.results[1]).toMatchObject({ status_code: 0, std_out: 'v1.2.3\r\n' });
  });

  it("answers an unknown PowerShell command with PowerShell's exact CommandNotFoundException text", async () => {
    const r = await pywinrm({ ...as(LAB.admin), steps: [{ op: 'run_ps_text', script: 'Get-Frobnicator' }] });
    const res = r.results[0]!;
    expect(res.status_code).toBe(1);
    expect(String(res.raw_std_err)).toMatch(/^#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http:\/\/schemas.microsoft.com\/powershell\/2004\/04">/);
    const text = String(res.std_err).replace(/\s*\n\s*/g, ' ');
    expect(text).toContain(
      "Get-Frobnicator : The term 'Get-Frobnicator' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
    );
    // PowerShell 5.1 wraps its error view at the 80-column buffer of a non-interactive host.
    expect(text).toMatch(/At line:1 char:1 \+ Get-Frobnicator \+ ~{15} \+ CategoryInfo\s+: ObjectNotFound: \(Get-Frobnicator:String\) \[\],\s?Com\s?mandNotFoundException \+ FullyQualifiedErrorId : CommandNotFoundException/);
  });

  it('keeps a file written by one command for the next one in the same host', async () => {
    const r = await pywinrm({
      ...as(LAB.admin),
      steps: [
        { op: 'run_cmd', command: 'mkdir C:\\work && echo build 42> C:\\work\\version.txt' },
        { op: 'run_cmd', command: 'type', args: ['C:\\work\\version.txt'] },
      ],
    });
    expect(r.results[1]).toMatchObject({ status_code: 0, std_out: 'build 42\r\n' });
  });
});
