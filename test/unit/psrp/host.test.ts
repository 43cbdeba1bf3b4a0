// Host calls (psrp.md §3.4, MS-PSRP 2.2.2.27-28): the codec against the recorded CLIXML, the
// call channel (void ci -100, value calls 1, 2, …, responses, errors, bounds), and the pipeline
// that blocks on a value call: CommandState Pending in its Receive until the `pr` response.
import { describe, expect, it } from 'vitest';
import { deserializeObject, serialize, type PsObject } from '../../../src/shell/psrp/clixml.js';
import { HostCallAborted, HostCallChannel, HostCallError, VOID_CALL_ID, bufferWidth, hostCallData, hostTarget, parseHostResponse } from '../../../src/shell/psrp/host.js';
import { NULL_HOST, parseHostInfo } from '../../../src/shell/psrp/records.js';
import { deserialize } from '../../../src/shell/psrp/clixml.js';
import { createPsrpCore } from '../../helpers/psrp-core.js';
import { MSG, PsrpTestClient, hostInfo, parseClixml, prop, value, type HostCall } from '../../helpers/psrp-client.js';

const HOST = { bufferWidth: 100, foreground: 7, background: 0 };

describe('host call codec', () => {
  it('encodes a void WriteLine2 call as Windows does (fixture test_psrp_pshost_ui_mocked_methods.yml #10)', () => {
    expect(serialize(hostCallData(VOID_CALL_ID, 'WriteLine2', ['WriteLine2']))).toBe(
      '<Obj RefId="0"><MS><I64 N="ci">-100</I64><Obj N="mi" RefId="1"><TN RefId="0"><T>System.Management.Automation.Remoting.RemoteHostMethodId</T><T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN><ToString>WriteLine2</ToString><I32>16</I32></Obj><Obj N="mp" RefId="2"><TN RefId="1"><T>System.Collections.ArrayList</T><T>System.Object</T></TN><LST><S>WriteLine2</S></LST></Obj></MS></Obj>',
    );
  });

  it('encodes a value call with an empty ArrayList (ReadLine, fixture #6)', () => {
    expect(serialize(hostCallData(1n, 'ReadLine', []))).toBe(
      '<Obj RefId="0"><MS><I64 N="ci">1</I64><Obj N="mi" RefId="1"><TN RefId="0"><T>System.Management.Automation.Remoting.RemoteHostMethodId</T><T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN><ToString>ReadLine</ToString><I32>11</I32></Obj><Obj N="mp" RefId="2"><TN RefId="1"><T>System.Collections.ArrayList</T><T>System.Object</T></TN><LST /></Obj></MS></Obj>',
    );
  });

  it('reads the recorded host responses: mr as a string, an I32, a Hashtable', () => {
    const mi = (name: string, id: number) => `<Obj N="mi" RefId="1"><TN RefId="0"><T>System.Management.Automation.Remoting.RemoteHostMethodId</T><T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN><ToString>${name}</ToString><I32>${id}</I32></Obj>`;
    const r1 = parseHostResponse(deserializeObject(`<Obj RefId="0"><MS><I64 N="ci">1</I64>${mi('ReadLine', 11)}<S N="mr">ReadLine response</S></MS></Obj>`));
    expect(r1).toEqual({ ci: 1n, methodId: 11, result: 'ReadLine response', error: undefined });
    const r2 = parseHostResponse(deserializeObject(`<Obj RefId="0"><MS><I64 N="ci">5</I64>${mi('PromptForChoice', 26)}<I32 N="mr">1</I32></MS></Obj>`));
    expect(r2.result).toBe(1);
    const r3 = parseHostResponse(deserializeObject(`<Obj RefId="0"><MS><I64 N="ci">3</I64>${mi('Prompt', 23)}<Obj N="mr" RefId="2"><TN RefId="1"><T>System.Collections.Hashtable</T><T>System.Object</T></TN><DCT><En><S N="Key">prompt field</S><S N="Value">prompt response</S></En></DCT></Obj></MS></Obj>`));
    expect((r3.result as PsObject).dict).toEqual([['prompt field', 'prompt response']]);
    expect(() => parseHostResponse(deserializeObject('<Obj RefId="0"><MS><S N="ci">x</S></MS></Obj>'))).toThrow();
  });

  it('reads HostInfo: BufferSize width, and which target host calls use', () => {
    const info = parseHostInfo(deserialize(hostInfo(HOST).replace(' N="HostInfo"', ' RefId="0"')));
    expect(bufferWidth(info)).toBe(100);
    expect(hostTarget(info, NULL_HOST)).toBe('pipeline');
    expect(hostTarget(NULL_HOST, NULL_HOST)).toBeUndefined();
    const useRunspace = parseHostInfo(deserialize(hostInfo({ ...HOST, useRunspaceHost: true }).replace(' N="HostInfo"', ' RefId="0"')));
    expect(hostTarget(useRunspace, NULL_HOST)).toBeUndefined();
    expect(hostTarget(useRunspace, info)).toBe('pool');
  });
});

describe('host call channel', () => {
  const channel = (max = 4) => {
    const sent: PsObject[] = [];
    return { sent, ch: new HostCallChannel({ send: (d) => void sent.push(d) }, max) };
  };
  const ci = (o: PsObject | undefined) => String((o?.get('ci') as { text: string }).text);

  it('sends void calls with ci -100 and value calls with 1, 2, … that wait for their response', async () => {
    const { sent, ch } = channel();
    await ch.voidCall('WriteLine2', ['a']);
    const first = ch.call('ReadLine');
    expect(sent.map(ci)).toEqual(['-100', '1']);
    expect(ch.pending).toBe(1);
    ch.respond({ ci: 1n, methodId: 11, result: 'typed', error: undefined });
    await expect(first).resolves.toBe('typed');
    const second = ch.call('PromptForChoice', ['c', 'm', null, 0]);
    expect(ci(sent[2])).toBe('2');
    ch.respond({ ci: 2n, methodId: 26, result: 1, error: undefined });
    await expect(second).resolves.toBe(1);
  });

  it('rejects with HostCallError when the client answers me, and refuses unknown or mismatched responses', async () => {
    const { ch } = channel();
    const p = ch.call('ReadLine');
    expect(() => ch.respond({ ci: 9n, methodId: 11, result: 'x', error: undefined })).toThrow(/not waiting/);
    expect(() => ch.respond({ ci: 1n, methodId: 12, result: 'x', error: undefined })).toThrow(/ReadLine/);
    ch.respond({ ci: 1n, methodId: 11, result: undefined, error: 'the user cancelled' });
    await expect(p).rejects.toBeInstanceOf(HostCallError);
  });

  it('bounds the calls waiting at once and fails them all when closed', async () => {
    const { ch } = channel(2);
    const a = ch.call('ReadLine');
    const b = ch.call('ReadLine');
    await expect(ch.call('ReadLine')).rejects.toThrow(/more than 2/);
    ch.close('the pipeline is Stopped');
    await expect(a).rejects.toBeInstanceOf(HostCallAborted);
    await expect(b).rejects.toBeInstanceOf(HostCallAborted);
    await expect(ch.voidCall('WriteLine2', ['x'])).rejects.toBeInstanceOf(HostCallAborted);
  });
});

describe('pipelines with a client host (stand-in engine)', () => {
  const answer = (c: HostCall) => (c.method === 'ReadLine' ? '<S>typed line</S>' : c.method === 'Prompt' ? '<Obj><TN><T>System.Collections.Hashtable</T><T>System.Object</T></TN><DCT><En><S N="Key">Name</S><S N="Value">Ada</S></En></DCT></Obj>' : '<Nil />');

  it('blocks Read-Host in a ReadLine call: CommandState Pending, then the answer as output', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: 'Read-Host' }], { host: HOST });
    const r = await c.collect(pid, { onHostCall: answer });
    expect(r.hostCalls.map((h) => [h.ci, h.method])).toEqual([[1, 'ReadLine']]);
    expect(r.pending).toBe(1);
    expect(r.output).toEqual(['typed line']);
    expect(r.state).toBe(4);
  });

  it('Read-Host -Prompt is a Prompt call with a FieldDescription; the answers come out', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: 'Read-Host', args: [['Prompt', '<S>Name</S>']] }], { host: HOST });
    const r = await c.collect(pid, { onHostCall: answer });
    expect(r.hostCalls[0]!.method).toBe('Prompt');
    const field = r.hostCalls[0]!.args[2]!.children.find((x) => x.tag === 'LST')!.children[0]!;
    expect(value(prop(field, 'name'))).toBe('Name');
    expect(value(prop(field, 'parameterTypeFullName'))).toBe('System.String');
    expect(r.output).toEqual(['Ada']);
  });

  it('without a host (pypsrp), Read-Host fails with HostFunctionNotImplemented and no host call is sent', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: 'Read-Host' }]);
    const r = await c.collect(pid);
    expect(r.hostCalls).toEqual([]);
    expect(r.state).toBe(5);
    expect(value(prop(r.failure!, 'FullyQualifiedErrorId'))).toBe('HostFunctionNotImplemented,Microsoft.PowerShell.Commands.ReadHostCommand');
    expect(value(r.failure)).toMatch(/^A command that prompts the user failed because the host program/);
  });

  it('Write-Host: WriteLine3 with the host colours and the PSHOST record with a host; only the record without', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const withHost = await c.collect(await c.command([{ cmd: 'Write-Host', args: [[undefined, '<S>hello</S>']] }], { host: HOST }));
    expect(withHost.hostCalls.map((h) => [h.ci, h.method, h.args.map((a) => a.text)])).toEqual([[-100, 'WriteLine3', ['7', '0', 'hello']]]);
    expect(withHost.streams.map((s) => s.type)).toEqual(['INFORMATION_RECORD']);
    expect(withHost.pending).toBe(0);
    const without = await c.collect(await c.command([{ cmd: 'Write-Host', args: [[undefined, '<S>hello</S>']] }]));
    expect(without.hostCalls).toEqual([]);
    expect(without.streams.map((s) => s.type)).toEqual(['INFORMATION_RECORD']);
  });

  it('warnings, verbose, debug and progress: the record, then the host call; merged into output, no host call', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const r = await c.collect(await c.command([{ cmd: "Write-Warning 'careful'; Write-Verbose 'v' -Verbose; Write-Progress -Activity 'act' -Status 'st'", isScript: true }], { host: HOST }));
    expect(r.streams.map((x) => x.type)).toEqual(['WARNING_RECORD', 'VERBOSE_RECORD', 'PROGRESS_RECORD']);
    expect(r.hostCalls.map((h) => [h.ci, h.method])).toEqual([
      [-100, 'WriteWarningLine'],
      [-100, 'WriteVerboseLine'],
      [-100, 'WriteProgress'],
    ]);
    expect(value(r.hostCalls[0]!.args[0])).toBe('careful');
    expect(value(prop(r.hostCalls[2]!.args[1]!, 'Activity'))).toBe('act');
    // 3>&1: the warning travels as output (WarningOutputPipe), the host is not called.
    const merged = await c.collect(await c.command([{ cmd: 'Write-Warning', args: [[undefined, '<S>merged</S>']], mergeWarningToOutput: true }], { host: HOST }));
    expect(merged.hostCalls).toEqual([]);
    expect(merged.output).toEqual(['merged']);
    const none = await c.collect(await c.command([{ cmd: 'Write-Warning', args: [[undefined, '<S>x</S>']] }]));
    expect(none.hostCalls).toEqual([]);
  });

  it('Exit-PSSession is a void PopRunspace call, then Completed; prompt returns the location prompt', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const exit = await c.collect(await c.command([{ cmd: 'Exit-PSSession' }], { host: HOST }));
    expect(exit.hostCalls.map((h) => [h.ci, h.mi, h.method])).toEqual([[-100, 53, 'PopRunspace']]);
    expect(exit.state).toBe(4);
    const prompt = await c.collect(await c.command([{ cmd: 'prompt' }], { host: HOST }));
    expect(prompt.output).toEqual(['PS C:\\Users\\Administrator\\Documents> ']);
  });

  it('a stop while blocked in a host call ends the pipeline Stopped; the late answer is dropped', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: 'Read-Host' }], { host: HOST });
    const calls: HostCall[] = [];
    // Leave the ReadLine unanswered: the responder records it and gives up.
    const giveUp = (call: HostCall): never => {
      calls.push(call);
      throw new Error('no answer');
    };
    await expect(c.collect(pid, { onHostCall: giveUp })).rejects.toThrow('no answer');
    expect(calls.map((x) => x.method)).toEqual(['ReadLine']);
    await c.signal(pid, 'powershell/signal/crtl_c');
    await c.hostResponse(pid, calls[0]!, '<S>too late</S>');
    const r = await c.collect(pid);
    expect(r.state).toBe(3);
  });

  it('a host response for a call that is not waiting is refused', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: 'Start-Sleep', args: [['Seconds', '<I32>30</I32>']] }], { host: HOST });
    await expect(c.hostResponse(pid, { ci: 7, mi: 11, method: 'ReadLine', args: [] }, '<S>x</S>')).rejects.toThrow(/WS-Man fault/);
    await c.signal(pid, 'powershell/signal/crtl_c');
  });

  it('a pipeline using the runspace host makes RUNSPACEPOOL_HOST_CALLs, answered by RUNSPACEPOOL_HOST_RESPONSE', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open({ host: HOST });
    const pid = await c.command([{ cmd: 'Read-Host' }], { host: { ...HOST, useRunspaceHost: true } });
    const calls = (await c.receivePool()).filter((m) => m.type === MSG.RUNSPACEPOOL_HOST_CALL);
    expect(calls).toHaveLength(1);
    const call = parseClixml(calls[0]!.data);
    expect(value(prop(call, 'ci'))).toBe(1);
    const mi = '<Obj N="mi"><TN><T>System.Management.Automation.Remoting.RemoteHostMethodId</T><T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN><ToString>ReadLine</ToString><I32>11</I32></Obj>';
    await c.sendPool(MSG.RUNSPACEPOOL_HOST_RESPONSE, `<Obj RefId="0"><MS><I64 N="ci">1</I64>${mi}<S N="mr">from the pool host</S></MS></Obj>`);
    const r = await c.collect(pid);
    expect(r.output).toEqual(['from the pool host']);
    expect(r.pending).toBe(0);
  });

  it('GET_COMMAND_METADATA for Out-Default, Exit-PSSession gives the Count and two commands (the push-runspace probe)', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const r = await c.collect(await c.metadata(['Out-Default', 'Exit-PSSession']));
    expect(r.output).toHaveLength(3);
    expect(r.errors).toEqual([]);
  });
});
