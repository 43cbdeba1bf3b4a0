// Golden checks against the response fixtures kept by the Go (masterzen) and Ruby (WinRb) clients:
// the Go client's own sample requests (CDATA, SelectorSet before ResourceURI, quoted commands)
// drive the emulator, and its answers must have the recorded shapes once ids, owner, client
// address, times and whitespace between elements are normalised.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../helpers/fixtures.js';
import { startEmulator, LAB, type TestEmulator } from '../helpers/emulator.js';
import { basic, request } from '../helpers/http.js';

const GUID = /[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/gi;

function squash(xml: string): string {
  return xml.replace(/<\?xml[^>]*\?>/, '').replace(/>\s+</g, '><').trim();
}

function normalise(xml: string): string {
  return squash(xml)
    .replace(/<a:MessageID>[^<]*</, '<a:MessageID>M<')
    .replace(/<a:RelatesTo>[^<]*</, '<a:RelatesTo>R<')
    .replace(/<a:Address>[^<]*<\/a:Address>/, '<a:Address>TO</a:Address>')
    .replace(/<rsp:Owner>[^<]*</, '<rsp:Owner>O<')
    .replace(/<rsp:ClientIP>[^<]*</, '<rsp:ClientIP>C<')
    .replace(/P0DT0H0M\dS/g, 'P0DT0H0M0S')
    // The Go literal was re-indented: its OutputStreams text holds a newline and tabs.
    .replace(/<rsp:OutputStreams>([^<]*)</, (_m, v: string) => `<rsp:OutputStreams>${v.trim().split(/\s+/).join(' ')}<`)
    .replace(GUID, 'ID');
}

/** The five envelopes in masterzen's development/sample_requests.txt, in order. */
function sampleRequests(): string[] {
  return fixture('masterzen-winrm/sample_requests.txt').match(/<env:Envelope[\s\S]*?<\/env:Envelope>/g) ?? [];
}

describe('masterzen and WinRb fixtures', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ winrm: { Service: { AllowUnencrypted: true } } });
  });
  afterAll(() => emu.close());

  const post = (body: string) =>
    request(emu.http, { headers: { 'content-type': 'application/soap+xml;charset=UTF-8', authorization: basic(LAB.admin.name, LAB.admin.password) }, body });

  it("answers the Go client's sample Create, Command, Receive, Signal and Delete with the recorded shapes", async () => {
    const [create, command, receive, del, signal] = sampleRequests();
    expect(signal, 'five sample requests').toBeDefined();
    const c = await post(create!);
    expect(c.status).toBe(200);
    expect(normalise(c.text)).toBe(normalise(fixture('masterzen-winrm/create_shell_response.xml')));
    const shellId = /<rsp:ShellId>([^<]+)</.exec(c.text)![1]!;
    // The samples were captured in different sessions: put our ids where theirs were.
    const withShell = (xml: string) => xml.replace(/(<w:Selector Name="ShellId">)[^<]+/, `$1${shellId}`);

    const cmd = await post(withShell(command!));
    expect(cmd.status).toBe(200);
    expect(normalise(cmd.text)).toBe(normalise(fixture('masterzen-winrm/command_response.xml')));
    const commandId = /<rsp:CommandId>([^<]+)</.exec(cmd.text)![1]!;
    const withIds = (xml: string) => withShell(xml).replace(/CommandId="[^"]+"/g, `CommandId="${commandId}"`);

    const out = await post(withIds(receive!));
    expect(out.status).toBe(200);
    // Same elements and attributes as the recorded Done response (streams, then CommandState last).
    expect(out.text).toMatch(/<rsp:ReceiveResponse>(<rsp:Stream Name="(stdout|stderr)" CommandId="[^"]+"( End="true")?>[A-Za-z0-9+/=]*<\/rsp:Stream>)+<rsp:CommandState CommandId="[^"]+" State="http:\/\/schemas.microsoft.com\/wbem\/wsman\/1\/windows\/shell\/CommandState\/Done"><rsp:ExitCode>\d+<\/rsp:ExitCode><\/rsp:CommandState><\/rsp:ReceiveResponse>/);
    expect((await post(withIds(signal!))).text).toContain('<rsp:SignalResponse/>');
    const d = await post(withIds(del!));
    expect(d.status).toBe(200);
    expect(d.text).toContain('<s:Body></s:Body>');
  });

  it('creates shells whose ResourceCreated part matches the WinRb stub', async () => {
    const c = await post(sampleRequests()[0]!);
    const created = (xml: string) => normalise(/<x:ResourceCreated>[\s\S]*<\/x:ResourceCreated>/.exec(xml)![0]);
    expect(created(c.text)).toBe(created(fixture('winrb-winrm/open_shell_v2.xml')));
  });
});
