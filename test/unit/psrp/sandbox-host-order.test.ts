// Host calls from the emulated PowerShell leave in the order the script produced them (psrp.md
// §3.2 "Stream records in the order produced", §3.4): Write-Host sends each call as it happens
// (Write1/Write2 for -NoNewline, WriteLine2/WriteLine3 otherwise) with one PSHOST record per call
// whose NoNewLine is set [pwsh:WriteConsoleCmdlet.cs ProcessRecord, MshCommandRuntime.cs
// WriteInformation]; an error written before a host call goes out before it; Out-Default inside a
// script renders on the client's host; Out-Host writes to the host only.
import { describe, expect, it } from 'vitest';
import { openSandboxClient } from '../../helpers/psrp-core.js';
import { prop, value, type HostResponder, type Node, type TestCommand, type PsrpTestClient } from '../../helpers/psrp-client.js';

/** A console host with its RawUI colours (Gray on Black); pypsrp's host without a RawUI is in test/interop/pypsrp.test.ts. */
const RAW = { bufferWidth: 100, foreground: 7, background: 0 };
const PLAIN = RAW;

const client = openSandboxClient;

const readLine: HostResponder = (call) => (call.method === 'ReadLine' ? '<S>Ada</S>' : '<Nil />');

async function run(c: PsrpTestClient, commands: TestCommand[], host?: typeof RAW | typeof PLAIN) {
  return c.collect(await c.command(commands, host ? { host } : {}), { onHostCall: readLine });
}
const script = (cmd: string): TestCommand[] => [{ cmd, isScript: true }];
const types = (r: { sequence: Array<{ type: string }> }) => r.sequence.map((m) => m.type);
const args = (n: Node | undefined) => prop(n!, 'mp')!.children.find((x) => x.tag === 'LST')!.children.map((a) => a.text);
/** The NoNewLine of each Write-Host record. */
const noNewLine = (r: { sequence: Array<{ type: string; node: Node | undefined }> }) =>
  r.sequence.filter((m) => m.type === 'INFORMATION_RECORD').map((m) => value(prop(prop(m.node!, 'MessageData')!, 'NoNewLine')));

describe('Write-Host over PSRP on the emulated PowerShell', () => {
  it('sends -NoNewline text when written, before a later Read-Host, as Write2 with the RawUI colours, with its own record', async () => {
    const c = await client();
    const r = await run(c, script('Write-Host -NoNewline "Name? "; $x = Read-Host; "got $x"'), PLAIN);
    expect(types(r)).toEqual(['PIPELINE_HOST_CALL Write2', 'INFORMATION_RECORD', 'PIPELINE_HOST_CALL ReadLine', 'PIPELINE_OUTPUT', 'PIPELINE_STATE']);
    expect(args(r.sequence[0]!.node)).toEqual(['7', '0', 'Name? ']);
    expect(noNewLine(r)).toEqual([true]);
    expect(r.output).toEqual(['got Ada']);
    const raw = await run(c, script('Write-Host -NoNewline a; Write-Host b'), RAW);
    expect(types(raw)).toEqual(['PIPELINE_HOST_CALL Write2', 'INFORMATION_RECORD', 'PIPELINE_HOST_CALL WriteLine3', 'INFORMATION_RECORD', 'PIPELINE_STATE']);
    expect(args(raw.sequence[0]!.node)).toEqual(['7', '0', 'a']);
    expect(args(raw.sequence[2]!.node)).toEqual(['7', '0', 'b']);
    expect(noNewLine(raw)).toEqual([true, false]);
  });

  it('without a host: one record per call, NoNewLine set, no host call', async () => {
    const c = await client();
    const r = await run(c, script('Write-Host -NoNewline a; Write-Host b; Write-Host "c`nd"'));
    expect(types(r)).toEqual(['INFORMATION_RECORD', 'INFORMATION_RECORD', 'INFORMATION_RECORD', 'PIPELINE_STATE']);
    expect(r.streams.map((s) => s.message)).toEqual(['a', 'b', 'c\nd']);
    expect(noNewLine(r)).toEqual([true, false, false]);
  });
});

describe('records written before a host call go out before it', () => {
  it('an error before Read-Host and before $host.UI.WriteLine', async () => {
    const c = await client();
    const read = await run(c, script('Write-Error e1; $x = Read-Host; "got $x"'), PLAIN);
    expect(types(read)).toEqual(['ERROR_RECORD', 'PIPELINE_HOST_CALL ReadLine', 'PIPELINE_OUTPUT', 'PIPELINE_STATE']);
    const write = await run(c, script('Write-Error e1; $host.UI.WriteLine("after")'), PLAIN);
    expect(types(write)).toEqual(['ERROR_RECORD', 'PIPELINE_HOST_CALL WriteLine2', 'PIPELINE_STATE']);
  });

  it('under the Out-Default the client appends, the WriteErrorLine calls come before the ReadLine', async () => {
    const c = await client();
    const r = await run(c, [{ cmd: 'Write-Error e1; $x = Read-Host; "got $x"', isScript: true }, { cmd: 'Out-Default', mergePrevious: 3 }], PLAIN);
    const seq = types(r);
    expect(seq[0]).toBe('PIPELINE_HOST_CALL WriteErrorLine');
    expect(seq.indexOf('PIPELINE_HOST_CALL ReadLine')).toBeGreaterThan(seq.lastIndexOf('PIPELINE_HOST_CALL WriteErrorLine'));
    expect(seq.slice(-2)).toEqual(['PIPELINE_HOST_CALL WriteLine2', 'PIPELINE_STATE']);
    expect(r.output).toEqual([]);
  });
});

describe('Out-Default and Out-Host inside a script', () => {
  it('Out-Default renders on the client host (no PIPELINE_OUTPUT); without a host the objects pass on', async () => {
    const c = await client();
    const r = await run(c, script("[pscustomobject]@{Name = 'a'; Size = 1} | Out-Default; Write-Error oops 2>&1 | Out-Default"), PLAIN);
    expect(r.output).toEqual([]);
    expect(types(r)).not.toContain('PIPELINE_OUTPUT');
    const lines = r.hostCalls.filter((h) => h.method === 'WriteLine2').map((h) => h.args[0]!.text);
    expect(lines).toContain('Name Size');
    expect(lines).toContain('a       1');
    expect(r.hostCalls.some((h) => h.method === 'WriteErrorLine' && /oops/.test(h.args[0]!.text ?? ''))).toBe(true);
    const none = await run(c, script("'x' | Out-Default"));
    expect(none.output).toEqual(['x']);
    expect(none.hostCalls).toEqual([]);
  });

  it('Out-Host writes WriteLine2 calls and no information record; without a host its lines go nowhere', async () => {
    const c = await client();
    const r = await run(c, script('"a","b" | Out-Host; "c"'), RAW);
    expect(types(r)).toEqual(['PIPELINE_HOST_CALL WriteLine2', 'PIPELINE_HOST_CALL WriteLine2', 'PIPELINE_OUTPUT', 'PIPELINE_STATE']);
    expect(r.hostCalls.map((h) => h.args[0]!.text)).toEqual(['a', 'b']);
    const none = await run(c, script('"a","b" | Out-Host; "c"'));
    expect(types(none)).toEqual(['PIPELINE_OUTPUT', 'PIPELINE_STATE']);
  });
});

describe('errors of commands sent by name (AddCommand) carry no synthetic script text', () => {
  it('no position lines in the error view on the host, nothing of the bound text in any message', async () => {
    const c = await client();
    const typed = await run(c, [{ cmd: 'Get-Item', args: [[undefined, '<S>C:\\nope</S>']], mergeErrorToOutput: true }, { cmd: 'Out-Default', mergePrevious: 3 }], RAW);
    const lines = typed.hostCalls.filter((h) => h.method === 'WriteErrorLine').map((h) => h.args[0]!.text);
    expect(lines).toEqual([
      "Get-Item : Cannot find path 'C:\\nope' because it does not exist.",
      '    + CategoryInfo          : ObjectNotFound: (C:\\nope:String) [Get-Item], ItemNotFoundException',
      '    + FullyQualifiedErrorId : PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand',
      ' ',
    ]);
    const plain = await run(c, [{ cmd: 'Get-Item', args: [[undefined, '<S>C:\\nope</S>']] }]);
    expect(types(plain)).toEqual(['ERROR_RECORD', 'PIPELINE_STATE']);
    const info = await run(c, script('$e = $Error[0].InvocationInfo; $e.Line; $e.PositionMessage'));
    expect(info.output).toEqual(['', '']);
    for (const r of [typed, plain, info]) expect(JSON.stringify(r.sequence)).not.toMatch(/__psrp|& 'Get-Item'/);
  });
});
