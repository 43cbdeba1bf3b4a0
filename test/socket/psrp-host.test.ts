// Enter-PSSession over a real socket (psrp.md §3.4): the independent test client plays the
// PowerShell console host against the emulated PowerShell (the default engine) over HTTPS with
// Basic — the push-runspace probe, `prompt`, a line with the Out-Default the client appends
// rendered as WriteLine2 host calls, Read-Host answered through a host response on `pr`, and
// `exit` (Exit-PSSession) as the PopRunspace host call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, LAB, type TestEmulator } from '../helpers/emulator.js';
import { basic, request, SOAP } from '../helpers/http.js';
import { PsrpTestClient, prop, value, type HostCall, type TestCommand } from '../helpers/psrp-client.js';

/** The console's host data: a 120-column buffer, grey on black. */
const HOST = { bufferWidth: 120, foreground: 7, background: 0 };

/** What ConsoleHost sends for one typed line: the command, MergeMyResult Error→Output, then Out-Default (Output|Error). */
const line = (c: TestCommand): TestCommand[] => [{ ...c, mergeErrorToOutput: !c.isScript }, { cmd: 'Out-Default', mergePrevious: 3 }];

describe('Enter-PSSession against the emulated PowerShell over HTTPS', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.close());

  it('probes, prompts, renders output and errors on the host, reads a line, and exits with PopRunspace', async () => {
    const c = new PsrpTestClient(async (xml) => {
      const r = await request(emu.https, { headers: { ...SOAP, authorization: basic(LAB.admin.name, LAB.admin.password) }, body: xml });
      return { status: r.status, text: r.text };
    });
    expect(await c.open({ host: HOST })).toBe(2);

    // 1. The push-runspace probe: no errors and at least 3 objects (Count + 2 commands).
    const probe = await c.collect(await c.metadata(['Out-Default', 'Exit-PSSession']));
    expect(probe.errors).toEqual([]);
    expect(probe.output).toHaveLength(3);

    // 2. prompt: the session's location.
    const prompt = await c.collect(await c.command([{ cmd: 'prompt' }], { host: HOST }));
    expect(prompt.output).toEqual(['PS C:\\Users\\Administrator\\Documents> ']);

    // 3. `Get-ChildItem C:\`: the 5.1 table as WriteLine2 host calls, nothing as output.
    const dir = await c.collect(await c.command(line({ cmd: 'Get-ChildItem', args: [[undefined, '<S>C:\\</S>']] }), { host: HOST }));
    expect(dir.state).toBe(4);
    expect(dir.output).toEqual([]);
    expect(new Set(dir.hostCalls.map((h) => `${h.ci} ${h.method}`))).toEqual(new Set(['-100 WriteLine2']));
    const text = dir.hostCalls.map((h) => String(value(h.args[0])));
    expect(text).toContain('    Directory: C:\\');
    expect(text.find((l) => l.startsWith('Mode '))).toMatch(/^Mode {16}LastWriteTime {9}Length Name/);
    expect(text.some((l) => / Windows\s*$/.test(l))).toBe(true);
    expect(Math.max(...text.map((l) => l.length))).toBeLessThanOrEqual(119);

    // 4. An error goes to the host's error lines (the command's errors are merged into Out-Default).
    const missing = await c.collect(await c.command(line({ cmd: 'Get-Item', args: [[undefined, '<S>C:\\nope</S>']] }), { host: HOST }));
    expect(missing.errors).toEqual([]);
    expect(missing.hostCalls[0]?.method).toBe('WriteErrorLine');
    expect(String(value(missing.hostCalls[0]?.args[0]))).toBe("Get-Item : Cannot find path 'C:\\nope' because it does not exist.");

    // 5. Read-Host: a ReadLine call, CommandState Pending, answered on `pr`; Write-Host on the host.
    const asked: HostCall[] = [];
    const read = await c.collect(await c.command(line({ cmd: '$name = Read-Host; Write-Host "Hi $name"; "Hello $name"', isScript: true }), { host: HOST }), {
      onHostCall: (call) => {
        asked.push(call);
        return '<S>Ada</S>';
      },
    });
    expect(asked.map((a) => [a.ci, a.method])).toEqual([[1, 'ReadLine']]);
    expect(read.pending).toBe(1);
    expect(read.hostCalls.filter((h) => h.ci < 0).map((h) => [h.method, h.args.map((a) => value(a))])).toEqual([
      ['WriteLine3', [7, 0, 'Hi Ada']],
      ['WriteLine2', ['Hello Ada']],
    ]);
    // Write-Host's record still travels (clients tag it FORWARDED and do not show it twice).
    expect(read.streams).toEqual([{ type: 'INFORMATION_RECORD', message: 'Hi Ada' }]);
    expect(read.output).toEqual([]);

    // 6. `exit`: Exit-PSSession → the void PopRunspace call, then Completed.
    const exit = await c.collect(await c.command(line({ cmd: 'Exit-PSSession' }), { host: HOST }));
    expect(exit.hostCalls.map((h) => [h.ci, h.mi, h.method])).toEqual([[-100, 53, 'PopRunspace']]);
    expect(exit.state).toBe(4);
    await c.close();
  });

  it('sends no host call to a client without a host: Read-Host fails as on Windows, Out-Default leaves objects as output', async () => {
    const c = new PsrpTestClient(async (xml) => {
      const r = await request(emu.https, { headers: { ...SOAP, authorization: basic(LAB.admin.name, LAB.admin.password) }, body: xml });
      return { status: r.status, text: r.text };
    });
    await c.open();
    const read = await c.collect(await c.command([{ cmd: 'Read-Host' }]));
    expect(read.hostCalls).toEqual([]);
    // HostException from the cmdlet: the emulated PowerShell treats it as statement-terminating
    // (ERROR_RECORD, Completed); Windows fails a one-command pipeline with it. Either carries the record.
    const record = read.failure ?? read.errors[0];
    expect(value(prop(record!, 'FullyQualifiedErrorId'))).toMatch(/^HostFunctionNotImplemented/);
    expect(value(record)).toMatch(/^A command that prompts the user failed because the host program or the command type does not support user interaction\./);
    const hostWrite = await c.collect(await c.command([{ cmd: "Write-Host 'x'; $host.UI.WriteLine('y'); 'z'", isScript: true }, { cmd: 'Out-Default', mergePrevious: 3 }]));
    expect(hostWrite.hostCalls).toEqual([]);
    expect(hostWrite.streams.map((s) => s.type)).toEqual(['INFORMATION_RECORD']);
    expect(hostWrite.output).toEqual(['z']);
    await c.close();
  });
});
