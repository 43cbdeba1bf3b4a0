// PowerShell Remoting over a real socket: HTTPS with Basic, driven by the independent test client
// (test/helpers/psrp-client.ts, written from MS-PSRP and the recordings). A default endpoint and
// a JEA endpoint whose role shows only Write-Output to Remote Management Users.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, LAB, type TestEmulator } from '../helpers/emulator.js';
import { basic, request, SOAP } from '../helpers/http.js';
import { MSG, PsrpTestClient, prop, value, type Transport } from '../helpers/psrp-client.js';
import { MICROSOFT_POWERSHELL_SDDL } from '../../src/config/defaults.js';
import { minimalEngine } from '../../src/shell/psrp/minimal-engine.js';

const NOT_RECOGNIZED = (name: string) =>
  `The term '${name}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`;

// The protocol is checked with the stand-in engine (src/shell/psrp/minimal-engine.ts), whose
// behaviour is fixed; the last block runs the emulated PowerShell the emulator uses by default.
describe('PowerShell Remoting over HTTPS with Basic', () => {
  let emu: TestEmulator;
  const transport =
    (user: { name: string; password: string }): Transport =>
    async (xml) => {
      const r = await request(`${emu.https}`, { headers: { ...SOAP, authorization: basic(user.name, user.password) }, body: xml });
      return { status: r.status, text: r.text };
    };

  beforeAll(async () => {
    emu = await startEmulator({
      sessionConfigurations: [
        { name: 'Microsoft.PowerShell', sddl: MICROSOFT_POWERSHELL_SDDL },
        { name: 'Operators', sddl: MICROSOFT_POWERSHELL_SDDL, sessionType: 'RestrictedRemoteServer', roleDefinitions: [{ principals: ['Remote Management Users'], visibleCmdlets: ['Write-Output'] }] },
      ],
    }, { psrpEngine: minimalEngine });
  });
  afterAll(() => emu.close());

  it('opens a pool, runs a pipeline with input, gets an error record, stops a long pipeline, closes', async () => {
    const c = new PsrpTestClient(transport(LAB.admin));
    expect(await c.open()).toBe(2);
    expect(c.poolMessages.map((m) => m.type)).toEqual([MSG.SESSION_CAPABILITY, MSG.APPLICATION_PRIVATE_DATA, MSG.RUNSPACEPOOL_STATE]);

    // Input objects through Send, ended by END_OF_PIPELINE_INPUT.
    const withInput = await c.command([{ cmd: 'Write-Output' }], { noInput: false });
    await c.input(withInput, ['<S>first</S>', '<I32>2</I32>', '<Obj RefId="0"><TN RefId="0"><T>System.Object[]</T><T>System.Array</T><T>System.Object</T></TN><LST><S>a</S><S>b</S></LST></Obj>']);
    const r1 = await c.collect(withInput);
    expect(r1.output.slice(0, 2)).toEqual(['first', 2]);
    expect(r1.state).toBe(4);

    // A non-terminating error record beside output; the pipeline completes.
    const withError = await c.command([{ cmd: "Write-Output 'before'; Write-Error 'it went wrong'; Write-Output 'after'", isScript: true }]);
    const r2 = await c.collect(withError);
    expect(r2.output).toEqual(['before', 'after']);
    expect(r2.errors.map((e) => value(e))).toEqual(['it went wrong']);
    expect(value(prop(r2.errors[0]!, 'FullyQualifiedErrorId'))).toBe('Microsoft.PowerShell.Commands.WriteErrorException');
    expect(r2.state).toBe(4);

    // A long pipeline stopped by the PowerShell client's signal (crtl_c, sic).
    const long = await c.command([{ cmd: 'Start-Sleep', args: [['Seconds', '<I32>3600</I32>']] }]);
    const signalled = await c.signal(long, 'powershell/signal/crtl_c');
    expect(signalled).toContain('<rsp:SignalResponse/>');
    const r3 = await c.collect(long);
    expect(r3.state).toBe(3);
    expect(value(prop(r3.failure!, 'FullyQualifiedErrorId'))).toBe('PipelineStopped');

    // The command is gone once Done was delivered.
    await expect(c.collect(long)).rejects.toThrow(/2150858843/);
    await c.close();
    await expect(c.receivePool()).rejects.toThrow(/2150858843/);
  });

  it('times a Receive out with w:TimedOut 2150858793 while a pipeline produces nothing', async () => {
    const c = new PsrpTestClient(transport(LAB.admin));
    await c.open();
    const pid = await c.command([{ cmd: 'Start-Sleep', args: [['Milliseconds', '<I32>1500</I32>']] }, { cmd: 'Write-Output', args: [[undefined, '<S>late</S>']] }]);
    const started = Date.now();
    await expect(c.call('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive', `<rsp:Receive><rsp:DesiredStream CommandId="${pid}">stdout</rsp:DesiredStream></rsp:Receive>`, { timeout: 'PT0.5S' })).rejects.toThrow(/2150858793/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    const r = await c.collect(pid);
    expect(r.output).toEqual(['late']);
    await c.close();
  });

  it('denies a command the JEA role does not show, with PowerShell’s not-found text', async () => {
    const c = new PsrpTestClient(transport(LAB.operator), 'http://schemas.microsoft.com/powershell/Operators');
    expect(await c.open()).toBe(2);
    const allowed = await c.command([{ cmd: 'Write-Output', args: [[undefined, '<S>visible</S>']] }]);
    expect((await c.collect(allowed)).output).toEqual(['visible']);
    const denied = await c.command([{ cmd: 'Start-Sleep', args: [['Seconds', '<I32>1</I32>']] }]);
    const r = await c.collect(denied);
    expect(r.state).toBe(5);
    expect(value(r.failure)).toBe(NOT_RECOGNIZED('Start-Sleep'));
    expect(value(prop(r.failure!, 'FullyQualifiedErrorId'))).toBe('CommandNotFoundException');
    const script = await c.command([{ cmd: "Write-Output 'x'", isScript: true }]);
    const s = await c.collect(script);
    expect(value(s.failure)).toBe('The syntax is not supported by this runspace. This can occur if the runspace is in no-language mode.');
    expect(value(prop(s.failure!, 'FullyQualifiedErrorId'))).toBe('ScriptsNotAllowed');
    await c.close();
  });

  it('refuses a user the endpoint SDDL does not admit', async () => {
    const c = new PsrpTestClient(transport(LAB.visitor));
    await expect(c.open()).rejects.toThrow(/Code="5"/);
  });

  it('answers Get on the shell resource with the PowerShell shell fields', async () => {
    const c = new PsrpTestClient(transport(LAB.admin));
    await c.open();
    const r = await request(emu.https, {
      headers: { ...SOAP, authorization: basic(LAB.admin.name, LAB.admin.password) },
      body: `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header><wsa:Action s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</wsa:Action><wsa:MessageID>uuid:6C6E7B38-29A6-4A38-8D5F-9F4E2D2C3C21</wsa:MessageID><wsa:ReplyTo><wsa:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:Address></wsa:ReplyTo><wsman:ResourceURI s:mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/windows/shell</wsman:ResourceURI><wsa:To>https://server:5986/wsman</wsa:To><wsman:SelectorSet><wsman:Selector Name="ShellId">${c.rpid}</wsman:Selector></wsman:SelectorSet></s:Header><s:Body /></s:Envelope>`,
    });
    expect(r.status).toBe(200);
    for (const f of ['<rsp:State>Connected</rsp:State>', '<rsp:MaxIdleTimeOut>PT2147483.647S</rsp:MaxIdleTimeOut>', '<rsp:CompressionMode>NoCompression</rsp:CompressionMode>', '<rsp:ProfileLoaded>Yes</rsp:ProfileLoaded>', '<rsp:Encoding>UTF8</rsp:Encoding>', '<rsp:BufferMode>Block</rsp:BufferMode>', '<rsp:ProcessId>', '<rsp:Locale>']) {
      expect(r.text).toContain(f);
    }
    await c.close();
  });
});

describe('PowerShell Remoting with the emulated PowerShell (the default engine)', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.close());

  it('returns objects from the emulated PowerShell', async () => {
    const c = new PsrpTestClient(async (xml) => {
      const r = await request(emu.https, { headers: { ...SOAP, authorization: basic(LAB.admin.name, LAB.admin.password) }, body: xml });
      return { status: r.status, text: r.text };
    });
    expect(await c.open()).toBe(2);
    const pid = await c.command([{ cmd: "$PSVersionTable.PSVersion.Major; [pscustomobject]@{ Name = 'x'; Size = 3 }", isScript: true }]);
    const r = await c.collect(pid);
    expect(r.state).toBe(4);
    expect(r.output[0]).toBe(5);
    expect(value(prop(r.output[1] as never, 'Size'))).toBe(3);
    await c.close();
    // PowerShell Remoting pipelines join the journal of what ran.
    expect(emu.journal.list({ backend: 'psrp:sandbox' }).map((e) => [e.commandLine, e.exitCode])).toEqual([["$PSVersionTable.PSVersion.Major; [pscustomobject]@{ Name = 'x'; Size = 3 }", 0]]);
  });
});
