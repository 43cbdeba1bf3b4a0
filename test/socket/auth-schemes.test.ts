// Schemes the WinRM service does not accept, over a real socket: 401 with the list of enabled
// schemes, an empty body and Connection: close (auth.md §1.1, §7), and an auth.failed event that
// says why. Also: Certificate adds nothing to the 401 list, and Kerberos is offered only by a host
// with a keytab (test/interop/kerberos.test.ts covers that side).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { startEmulator, type TestEmulator } from '../helpers/emulator.js';
import type { EmulatorEventMap } from '../../src/events.js';

interface Answer {
  status: number;
  challenges: string[];
  connection: string | undefined;
  body: string;
}

function post(url: string, authorization?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-length': '0' };
    if (authorization !== undefined) headers.authorization = authorization;
    const req = request(url, { method: 'POST', headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, challenges: res.headersDistinct['www-authenticate'] ?? [], connection: res.headers.connection, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('schemes the service refuses', () => {
  let emu: TestEmulator;
  const failed: EmulatorEventMap['auth.failed'][] = [];
  beforeAll(async () => {
    emu = await startEmulator({ winrm: { Service: { Auth: { Certificate: true, CredSSP: true } } } });
    emu.events.on('auth.failed', (e) => failed.push(e));
  });
  afterAll(() => emu.close());

  it('offers Negotiate and Basic only: no Kerberos without a keytab, nothing for Certificate, no CredSSP (not emulated)', async () => {
    const a = await post(emu.http);
    expect(a.status).toBe(401);
    expect(a.challenges).toEqual(['Negotiate', 'Basic realm="WSMAN"']);
    expect(emu.logs.join('\n')).toMatch(/Service\/Auth\/CredSSP is true, but CredSSP is not emulated/);
  });

  const cases: Array<[string, string, RegExp]> = [
    ['Digest', 'Digest username="Administrator", realm="WSMAN", nonce="1", uri="/wsman", response="0"', /Digest is never accepted by the WinRM service/],
    ['CredSSP', 'CredSSP MIIBAg==', /CredSSP is not emulated/],
    ['NTLM', 'NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==', /the NTLM scheme is never accepted by the WinRM service; NTLM travels under Negotiate/],
    ['Kerberos', 'Kerberos YIIB', /the Kerberos scheme needs a domain-joined host with a keytab/],
    ['Bearer', 'Bearer abc', /scheme 'Bearer' is not offered/],
  ];
  for (const [name, authorization, reason] of cases) {
    it(`${name}: 401, the normal challenge list, empty body, Connection: close, and the reason in auth.failed`, async () => {
      failed.length = 0;
      const a = await post(emu.http, authorization);
      expect(a).toMatchObject({ status: 401, connection: 'close', body: '' });
      expect(a.challenges).toEqual(['Negotiate', 'Basic realm="WSMAN"']);
      expect(failed.map((f) => f.reason).join('\n')).toMatch(reason);
    });
  }

  it('certificate logon over HTTP (enabled, so a failed logon rather than an unknown scheme): 401, HTTPS only', async () => {
    failed.length = 0;
    const a = await post(emu.http, 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual');
    expect(a).toMatchObject({ status: 401, body: '' });
    expect(failed).toMatchObject([{ mechanism: 'Certificate', reason: expect.stringMatching(/certificate logon is HTTPS only/) }]);
  });

  it('a raw Kerberos token under Negotiate on a host without a keytab: 401 and the reason', async () => {
    failed.length = 0;
    const krb = Buffer.from('608202b706092a864886f71201020201006e', 'hex').toString('base64');
    const a = await post(emu.http, `Negotiate ${krb}`);
    expect(a.status).toBe(401);
    expect(failed.map((f) => f.reason).join('\n')).toMatch(/this host has no keytab/);
  });
});
