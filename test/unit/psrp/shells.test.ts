// The WS-Man side of PowerShell shells: faults Windows answers, idle expiry to Disconnected,
// Disconnect/Reconnect/Connect states, Signal terminate, Enumerate, envelope bounds.
import { describe, expect, it } from 'vitest';
import { createPsrpCore } from '../../helpers/psrp-core.js';
import { MSG, PsrpTestClient, Reassembler, buildFragments, buildMessage, envelope, initRunspacePool, sessionCapability } from '../../helpers/psrp-client.js';
import { randomUUID } from 'node:crypto';

const RSP = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell';
const code = (xml: string) => /Code="(\d+)"/.exec(xml)?.[1];

describe('PowerShell shells over WS-Man', () => {
  it('refuses a Create without the protocolversion option', async () => {
    const core = createPsrpCore();
    const rpid = randomUUID().toUpperCase();
    const creation = Buffer.concat([buildFragments(1, buildMessage(MSG.SESSION_CAPABILITY, rpid, undefined, sessionCapability())), buildFragments(2, buildMessage(MSG.INIT_RUNSPACEPOOL, rpid, undefined, initRunspacePool()))]).toString('base64');
    const r = await core.call(envelope({ action: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create', body: `<rsp:Shell ShellId="${rpid}"><rsp:InputStreams>stdin pr</rsp:InputStreams><rsp:OutputStreams>stdout</rsp:OutputStreams><creationXml xmlns="http://schemas.microsoft.com/powershell">${creation}</creationXml></rsp:Shell>` }));
    expect(r.status).toBe(500);
    expect(r.xml).toContain('protocolversion option');
    expect(r.xml).toContain('provider="microsoft.powershell"');
  });

  it('answers bad PSRP data with a fault naming the problem', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const bad = buildFragments(9, buildMessage(MSG.PIPELINE_OUTPUT, c.rpid, undefined, '<S>x</S>')).toString('base64');
    await expect(c.call(`${RSP}/Send`, `<rsp:Send><rsp:Stream Name="stdin">${bad}</rsp:Stream></rsp:Send>`)).rejects.toThrow(/PIPELINE_OUTPUT is not a message a client sends/);
    const truncated = Buffer.from('AAAAAAAA', 'base64').toString('base64');
    await expect(c.call(`${RSP}/Send`, `<rsp:Send><rsp:Stream Name="stdin">${truncated}</rsp:Stream></rsp:Send>`)).rejects.toThrow(/truncated fragment/);
  });

  it('moves an idle pool to Disconnected, refuses Receive there, and deletes it after another idle period', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    core.clock.advance(7_200_000 + 1);
    expect(core.psrp.all()[0]!.wsmanState).toBe('Disconnected');
    const e = await c.receivePool().catch((x: { xml: string }) => x.xml);
    expect(code(e as string)).toBe('2150859204');
    core.clock.advance(7_200_000 + 1);
    expect(core.psrp.size).toBe(0);
  });

  it('Disconnect twice is refused; Reconnect brings the pool back', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    expect(await c.call(`${RSP}/Disconnect`, '<rsp:Disconnect><rsp:IdleTimeOut>PT120S</rsp:IdleTimeOut></rsp:Disconnect>')).toContain('DisconnectResponse');
    await expect(c.call(`${RSP}/Disconnect`, '<rsp:Disconnect/>')).rejects.toThrow(/2150859215/);
    expect(await c.call(`${RSP}/Reconnect`, '')).toContain('ReconnectResponse');
    const pid = await c.command([{ cmd: 'Write-Output', args: [[undefined, '<S>back</S>']] }]);
    expect((await c.collect(pid)).output).toEqual(['back']);
  });

  it('Signal terminate drops a command, even a running one', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: 'Start-Sleep', args: [['Seconds', '<I32>100</I32>']] }]);
    expect(await c.signal(pid, 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/Terminate')).toContain('SignalResponse');
    await expect(c.collect(pid)).rejects.toThrow(/2150858843/);
    await expect(c.signal(pid, 'powershell/signal/crtl_c')).rejects.toThrow(/2150858843/);
  });

  it('enumerates commands only with a ShellId filter', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const pid = await c.command([{ cmd: 'Start-Sleep', args: [['Seconds', '<I32>100</I32>']] }]);
    const en = (filter: string) =>
      core.call(envelope({ action: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate', resourceUri: `${RSP}/Command`, body: `<wsen:Enumerate xmlns:wsen="http://schemas.xmlsoap.org/ws/2004/09/enumeration"><wsman:OptimizeEnumeration/><wsman:MaxElements>32000</wsman:MaxElements>${filter}</wsen:Enumerate>` }));
    const ok = await en(`<wsman:Filter Dialect="http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter"><wsman:SelectorSet><wsman:Selector Name="ShellId">${c.rpid}</wsman:Selector></wsman:SelectorSet></wsman:Filter>`);
    expect(ok.xml).toContain(`<rsp:CommandId>${pid}</rsp:CommandId><rsp:CommandLine></rsp:CommandLine><rsp:CommandState>Running</rsp:CommandState>`);
    const bad = await en('');
    expect(code(bad.xml)).toBe('2150859200');
  });

  it('keeps every Receive within the request’s MaxEnvelopeSize', async () => {
    const core = createPsrpCore();
    const c = new PsrpTestClient(core.transport());
    await c.open();
    const big = 'x'.repeat(60_000);
    const pid = await c.command([{ cmd: 'Write-Output', args: [[undefined, `<S>${big}</S>`], [undefined, `<S>${big}</S>`]] }]);
    const re = new Reassembler();
    const out: string[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await core.call(envelope({ action: `${RSP}/Receive`, shellId: c.rpid, maxEnvelope: 8192, body: `<rsp:Receive><rsp:DesiredStream CommandId="${pid}">stdout</rsp:DesiredStream></rsp:Receive>` }));
      expect(r.status).toBe(200);
      expect(Buffer.byteLength(r.xml)).toBeLessThanOrEqual(8192);
      for (const m of r.xml.matchAll(/<rsp:Stream Name="stdout" CommandId="[^"]+">([^<]+)</g)) for (const d of re.feed(m[1]!)) if (d.type === MSG.PIPELINE_OUTPUT) out.push(d.data);
      if (r.xml.includes('CommandState/Done')) break;
    }
    expect(out).toEqual([`<S>${big}</S>`, `<S>${big}</S>`]);
  });
});
