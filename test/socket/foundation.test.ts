// The listener on real sockets: Identify, Basic, AllowUnencrypted, authorisation, bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, LAB, type TestEmulator } from '../helpers/emulator.js';
import { basic, IDENTIFY, request, SOAP } from '../helpers/http.js';

const CMD = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd';

function envelope(opts: { action: string; resourceUri?: string; messageId?: string; body?: string; extraHeaders?: string }): string {
  return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header><a:To>http://windows-host:5985/wsman</a:To><a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo><w:MaxEnvelopeSize s:mustUnderstand="true">153600</w:MaxEnvelopeSize><a:MessageID>${opts.messageId ?? 'uuid:11111111-2222-3333-4444-555555555555'}</a:MessageID><w:OperationTimeout>PT20S</w:OperationTimeout>${opts.resourceUri ? `<w:ResourceURI s:mustUnderstand="true">${opts.resourceUri}</w:ResourceURI>` : ''}<a:Action s:mustUnderstand="true">${opts.action}</a:Action>${opts.extraHeaders ?? ''}</s:Header><s:Body>${opts.body ?? ''}</s:Body></s:Envelope>`;
}

const CREATE_SHELL = envelope({
  action: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  resourceUri: CMD,
  body: '<rsp:Shell xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>',
});

const auth = (u: { name: string; password: string }) => ({ ...SOAP, authorization: basic(u.name, u.password) });

function faultCode(text: string): string | undefined {
  return /Code="(\d+)"/.exec(text)?.[1];
}

describe('listener on the embedded default config', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.close());

  it('answers an anonymous Identify (WSMANIDENTIFY: unauthenticated) with OS 0.0.0 and no SecurityProfiles', async () => {
    const r = await request(emu.http, { headers: { ...SOAP, wsmanidentify: 'unauthenticated' }, body: IDENTIFY });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/soap+xml;charset=UTF-8');
    expect(r.headers.server).toBe('Microsoft-HTTPAPI/2.0');
    expect(r.text).toBe(
      '<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header></s:Header><s:Body><wsmid:IdentifyResponse xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion><wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor><wsmid:ProductVersion>OS: 0.0.0 SP: 0.0 Stack: 3.0</wsmid:ProductVersion></wsmid:IdentifyResponse></s:Body></s:Envelope>',
    );
  });

  it('logs each answered anonymous Identify probe at debug and an authenticated Identify at info', async () => {
    const lines = () => emu.logs.map((l) => JSON.parse(l) as { level: number; op?: string; conn?: string; user?: string }).filter((l) => l.op === 'Identify');
    const before = lines().length;
    for (let i = 0; i < 2; i++) expect((await request(emu.http, { headers: { ...SOAP, wsmanidentify: 'unauthenticated' }, body: IDENTIFY })).status).toBe(200);
    expect((await request(emu.https, { headers: auth(LAB.admin), body: IDENTIFY })).status).toBe(200);
    const added = lines().slice(before);
    expect(added.map((l) => [l.level, l.user ?? '-'])).toEqual([
      [20, '-'],
      [20, '-'],
      [30, `${emu.host.computerName}\\Administrator`],
    ]);
  });

  it('challenges an Identify without credentials or the unauthenticated header: 401, Basic realm, empty body', async () => {
    const r = await request(emu.http, { headers: SOAP, body: IDENTIFY });
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toContain('Basic realm="WSMAN"');
    expect(r.body.length).toBe(0);
  });

  it('answers an authenticated Identify over HTTPS with the product version and https security profiles', async () => {
    const r = await request(emu.https, { headers: auth(LAB.admin), body: IDENTIFY });
    expect(r.status).toBe(200);
    expect(r.text).toContain('<wsmid:ProductVersion>OS: 10.0.17763 SP: 0.0 Stack: 3.0</wsmid:ProductVersion>');
    expect(r.text).toContain('<wsmid:SecurityProfileName>http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/basic</wsmid:SecurityProfileName>');
  });

  it('answers a wrong password with 401, an empty body and an auth.failed event without the secret', async () => {
    const seen: string[] = [];
    const off = emu.events.on('auth.failed', (e) => seen.push(e.reason));
    const r = await request(emu.https, { headers: auth({ name: 'Administrator', password: 'Wrong-Secret-123' }), body: IDENTIFY });
    off();
    expect(r.status).toBe(401);
    expect(r.body.length).toBe(0);
    expect(seen).toEqual(["wrong password for 'Administrator'"]);
    expect(emu.logs.join('\n')).not.toContain('Wrong-Secret-123');
  });

  it('refuses Basic over HTTP while AllowUnencrypted is false, as Windows does', async () => {
    const r = await request(emu.http, { headers: auth(LAB.admin), body: IDENTIFY });
    expect(r.status).toBe(401);
    expect(r.body.length).toBe(0);
  });

  it('refuses a scheme it does not offer (NTLM) with 401 and Connection: close', async () => {
    const r = await request(emu.https, { headers: { ...SOAP, authorization: 'NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==' }, body: IDENTIFY });
    expect(r.status).toBe(401);
    expect(r.headers.connection).toBe('close');
    expect(String(r.headers['www-authenticate'])).not.toMatch(/NTLM/);
  });

  it('answers GET /wsman with a bare 405 and Allow: POST', async () => {
    const r = await request(emu.http, { method: 'GET' });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('POST');
    expect(r.body.length).toBe(0);
  });

  it('serves GET /_emulator/health on every listener', async () => {
    for (const base of [emu.http, emu.https]) {
      const r = await request(base.replace('/wsman', '/_emulator/health'), { method: 'GET' });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toMatchObject({ status: 'ok', computerName: 'WIN-EMU01' });
    }
  });

  it('denies a user in no group the cmd shell: HTTP 500, w:AccessDenied, WSManFault code 5', async () => {
    const r = await request(emu.https, { headers: auth(LAB.visitor), body: CREATE_SHELL });
    expect(r.status).toBe(500);
    expect(r.text).toContain('<s:Value>w:AccessDenied</s:Value>');
    expect(faultCode(r.text)).toBe('5');
    expect(r.text).toContain('<a:RelatesTo>uuid:11111111-2222-3333-4444-555555555555</a:RelatesTo>');
  });

  it('denies a Remote Management Users member the cmd shell under the default RootSDDL', async () => {
    const r = await request(emu.https, { headers: auth(LAB.operator), body: CREATE_SHELL });
    expect(r.status).toBe(500);
    expect(r.text).toContain('w:AccessDenied');
  });

  it('denies a non-built-in local admin (UAC remote restrictions) while LocalAccountTokenFilterPolicy is off', async () => {
    const r = await request(emu.https, { headers: auth(LAB.labadmin), body: CREATE_SHELL });
    expect(r.text).toContain('w:AccessDenied');
    expect(emu.logs.join('\n')).toMatch(/LocalAccountTokenFilterPolicy/);
  });

  it('answers an unknown Action with a:ActionNotSupported and an unknown ResourceURI with the catalogue fault', async () => {
    const a = await request(emu.https, { headers: auth(LAB.admin), body: envelope({ action: 'http://example.test/Bogus', resourceUri: CMD }) });
    expect(a.status).toBe(500);
    expect(a.text).toContain('<s:Value>a:ActionNotSupported</s:Value>');
    expect(a.text).toContain('<a:Action>http://schemas.xmlsoap.org/ws/2004/08/addressing/fault</a:Action>');
    const r = await request(emu.https, { headers: auth(LAB.admin), body: envelope({ action: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Get', resourceUri: 'winrm/config/listener' }) });
    expect(r.text).toContain('The resource URI (winrm/config/listener) was not found in the WS-Management catalog.');
    expect(faultCode(r.text)).toBe('2150858811');
  });

  it('answers malformed XML with a fault and keeps serving', async () => {
    const bad = await request(emu.https, { headers: auth(LAB.admin), body: '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>' });
    expect(bad.status).toBe(500);
    expect(faultCode(bad.text)).toBe('2150858819');
    expect((await request(emu.https, { headers: auth(LAB.admin), body: IDENTIFY })).status).toBe(200);
  });

  it('answers a billion-laughs envelope with a fault without expanding it, and keeps serving', async () => {
    const lol = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i < 10; i++) lol.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [${lol.join('')}]><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header/><s:Body>&lol9;</s:Body></s:Envelope>`;
    const before = process.memoryUsage().heapUsed;
    const r = await request(emu.https, { headers: auth(LAB.admin), body: bomb });
    expect(r.status).toBe(500);
    expect(r.text).toContain('The WS-Management service cannot process the request because the XML is invalid.');
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(50 * 1024 * 1024);
    expect((await request(emu.https, { headers: auth(LAB.admin), body: IDENTIFY })).status).toBe(200);
  });

  it('answers a 2 MB envelope with HTTP 413 and no SOAP, and keeps serving', async () => {
    const big = CREATE_SHELL.replace('<rsp:InputStreams>', `<rsp:InputStreams>${'x'.repeat(2 * 1024 * 1024)}`);
    const r = await request(emu.https, { headers: auth(LAB.admin), body: big });
    expect(r.status).toBe(413);
    expect(r.body.length).toBe(0);
    expect((await request(emu.https, { headers: auth(LAB.admin), body: IDENTIFY })).status).toBe(200);
  });

  it('answers a UTF-16 request in UTF-16', async () => {
    const body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(IDENTIFY, 'utf16le')]);
    const r = await request(emu.https, { headers: { 'content-type': 'application/soap+xml;charset=UTF-16', authorization: basic(LAB.admin.name, LAB.admin.password) }, body });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/soap+xml;charset=UTF-16');
    expect(r.body.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    expect(r.body.subarray(2).toString('utf16le')).toContain('IdentifyResponse');
  });

  it('refuses a charset WinRM does not speak with the unsupported-encoding fault', async () => {
    const r = await request(emu.https, { headers: { 'content-type': 'application/soap+xml;charset=ISO-8859-1', authorization: basic(LAB.admin.name, LAB.admin.password) }, body: IDENTIFY });
    expect(r.status).toBe(500);
    expect(faultCode(r.text)).toBe('2150858796');
  });

  it('never writes a password or an Authorization header to the log', async () => {
    await request(emu.https, { headers: auth(LAB.operator), body: CREATE_SHELL });
    await request(emu.https, { headers: auth({ name: 'operator', password: 'Typo-Passw0rd!' }), body: IDENTIFY });
    const all = emu.logs.join('\n');
    expect(all).not.toContain(LAB.operator.password);
    expect(all).not.toContain('Typo-Passw0rd!');
    expect(all).not.toContain(Buffer.from(`operator:${LAB.operator.password}`).toString('base64'));
    expect(all).toMatch(/auth\.failed/);
  });
});

describe('configuration changes what Windows would change', () => {
  it('accepts Basic over HTTP once AllowUnencrypted is true', async () => {
    const emu = await startEmulator({ winrm: { Service: { AllowUnencrypted: true } } });
    try {
      const r = await request(emu.http, { headers: auth(LAB.admin), body: IDENTIFY });
      expect(r.status).toBe(200);
      expect(r.text).toContain('secprofile/http/basic');
    } finally {
      await emu.close();
    }
  });

  it('admits Remote Management Users to the cmd shell once RootSDDL grants RM', async () => {
    const emu = await startEmulator({ winrm: { Service: { RootSDDL: 'O:NSG:BAD:P(A;;GA;;;BA)(A;;GA;;;RM)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)' } } });
    try {
      const r = await request(emu.https, { headers: auth(LAB.operator), body: CREATE_SHELL });
      expect(r.text).not.toContain('w:AccessDenied');
    } finally {
      await emu.close();
    }
  });

  it('admits a non-built-in local admin when LocalAccountTokenFilterPolicy is set', async () => {
    const emu = await startEmulator({ policy: { LocalAccountTokenFilterPolicy: true } });
    try {
      const r = await request(emu.https, { headers: auth(LAB.labadmin), body: CREATE_SHELL });
      expect(r.text).not.toContain('w:AccessDenied');
    } finally {
      await emu.close();
    }
  });

  it('locks an account out after AccountLockout.Threshold bad passwords, even for the right one', async () => {
    const emu = await startEmulator({ policy: { AccountLockout: { Threshold: 2 } } });
    try {
      const wrong = { name: 'operator', password: 'nope' };
      expect((await request(emu.https, { headers: auth(wrong), body: IDENTIFY })).status).toBe(401);
      expect((await request(emu.https, { headers: auth(LAB.operator), body: IDENTIFY })).status).toBe(200);
      expect((await request(emu.https, { headers: auth(wrong), body: IDENTIFY })).status).toBe(401);
      expect((await request(emu.https, { headers: auth(wrong), body: IDENTIFY })).status).toBe(401);
      expect((await request(emu.https, { headers: auth(LAB.operator), body: IDENTIFY })).status).toBe(401);
      // The built-in Administrator is exempt unless AllowAdministratorLockout (as on Windows).
      expect((await request(emu.https, { headers: auth(LAB.admin), body: IDENTIFY })).status).toBe(200);
    } finally {
      await emu.close();
    }
  });

  it('stops offering Basic when Service/Auth/Basic is false', async () => {
    const emu = await startEmulator({ winrm: { Service: { Auth: { Basic: false } } } });
    try {
      const r = await request(emu.https, { headers: auth(LAB.admin), body: IDENTIFY });
      expect(r.status).toBe(401);
      expect(r.headers.connection).toBe('close');
    } finally {
      await emu.close();
    }
  });
});
