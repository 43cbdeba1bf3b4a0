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
