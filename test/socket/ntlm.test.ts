// Negotiate/NTLM on real sockets: the handshake binds the TCP connection, message encryption
// both ways, refusals of plaintext on HTTP, tampering, channel binding on HTTPS, SPNEGO framing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startEmulator, LAB, type TestEmulator } from '../helpers/emulator.js';
import { NtlmHttpClient, ENCRYPTED_CT } from '../helpers/ntlm.js';
import { IDENTIFY } from '../helpers/http.js';
import { expectedChannelBindings } from '../../src/auth/channel-binding.js';
import { buildEncryptedBody } from '../../src/auth/sealing/multipart.js';
import { channelBindingsHash } from '../../src/auth/ntlm/crypto.js';
import { NegotiateFlags as F } from '../../src/auth/ntlm/messages.js';
import { DEFAULT_INITIATOR_FLAGS } from '../../src/auth/ntlm/initiator.js';

const CMD = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd';

function envelope(action: string, body = '', resourceUri = CMD): string {
  return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header><a:To>http://windows-host:5985/wsman</a:To><a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo><w:MaxEnvelopeSize s:mustUnderstand="true">153600</w:MaxEnvelopeSize><a:MessageID>uuid:11111111-2222-3333-4444-555555555555</a:MessageID><w:OperationTimeout>PT20S</w:OperationTimeout><w:ResourceURI s:mustUnderstand="true">${resourceUri}</w:ResourceURI><a:Action s:mustUnderstand="true">${action}</a:Action></s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

const CREATE_SHELL = envelope(
  'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  '<rsp:Shell xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>',
);
const BOGUS_ACTION = envelope('http://example.test/Bogus');

const admin = { user: LAB.admin.name, password: LAB.admin.password };
const clients: NtlmHttpClient[] = [];
function client(url: string, opts: Partial<ConstructorParameters<typeof NtlmHttpClient>[1]> = {}): NtlmHttpClient {
  const c = new NtlmHttpClient(url, { ...admin, ...opts });
  clients.push(c);
  return c;
}
afterAll(() => clients.forEach((c) => c.close()));

describe('NTLM over HTTP with message encryption (the Windows default)', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.close());

  it("runs pywinrm's priming handshake on one connection: 401 list, 401 CHALLENGE, 200 with Content-Length 0", async () => {
    const c = client(emu.http);
    const [first, second, third] = await c.authenticate();
    expect(first!.status).toBe(401);
    expect(first!.headers['www-authenticate']).toBe('Negotiate, Basic realm="WSMAN"');
    expect(first!.headers['content-length']).toBe('0');
    expect(second!.status).toBe(401);
    expect(String(second!.headers['www-authenticate'])).toMatch(/^Negotiate TlRMTVNTUAACAAAA/);
    expect(third!.status).toBe(200);
    expect(third!.headers['content-length']).toBe('0');
    expect(third!.headers['www-authenticate']).toBeUndefined();
    expect(new Set([first!.port, second!.port, third!.port]).size).toBe(1);
    // Kept alive for at least the 120 s real clients need (auth.md §1.3).
    expect(third!.headers['keep-alive']).toBe('timeout=120');
  });

  it('answers later sealed requests on the same connection without a new handshake, sealed', async () => {
    const c = client(emu.http);
    const legs = await c.authenticate();
    for (let i = 0; i < 3; i++) {
      const r = await c.sealed(IDENTIFY);
      expect(r.status).toBe(200);
      expect(r.port).toBe(legs[0]!.port);
      expect(r.headers['content-type']).toBe(ENCRYPTED_CT);
      expect(r.plaintext).toContain('<wsmid:ProductVersion>OS: 10.0.17763 SP: 0.0 Stack: 3.0</wsmid:ProductVersion>');
    }
  });

  it('puts only ciphertext on the wire in both directions', async () => {
    const c = client(emu.http);
    await c.authenticate();
    const r = await c.sealed(CREATE_SHELL);
    expect(r.body.includes('Envelope')).toBe(false);
    expect(r.body.includes('ShellId')).toBe(false);
    expect(r.body.toString('latin1')).toMatch(/^--Encrypted Boundary\r\n\tContent-Type: application\/HTTP-SPNEGO-session-encrypted\r\n\tOriginalContent: type=application\/soap\+xml;charset=UTF-8;Length=\d+\r\n--Encrypted Boundary\r\n\tContent-Type: application\/octet-stream\r\n/);
    expect(r.plaintext).toMatch(/<rsp:ShellId>[0-9A-F-]{36}<\/rsp:ShellId>/);
  });

  it('seals faults too (HTTP 500)', async () => {
    const c = client(emu.http);
    await c.authenticate();
    const r = await c.sealed(BOGUS_ACTION);
    expect(r.status).toBe(500);
    expect(r.headers['content-type']).toBe(ENCRYPTED_CT);
    expect(r.plaintext).toContain('<s:Value>a:ActionNotSupported</s:Value>');
    // The streams stay in step after a fault.
    expect((await c.sealed(IDENTIFY)).status).toBe(200);
  });

  it('refuses a plaintext body after NTLM while AllowUnencrypted is false: HTTP 500, empty', async () => {
    const c = client(emu.http);
    await c.authenticate();
    const r = await c.plain(IDENTIFY);
    expect(r.status).toBe(500);
    expect(r.body.length).toBe(0);
    // pywinrm message_encryption='never': the body rides on all three legs; the third gets the 500.
    const never = client(emu.http);
    const legs = await never.authenticate(Buffer.from(CREATE_SHELL));
    expect(legs.map((l) => l.status)).toEqual([401, 401, 500]);
  });

  it('rejects a tampered signature with 400 and closes only that connection', async () => {
    const a = client(emu.http);
    const b = client(emu.http);
    await a.authenticate();
    await b.authenticate();
    expect((await b.sealed(IDENTIFY)).status).toBe(200);
    const bad = await a.sealed(IDENTIFY, (body) => {
      body[body.length - 30]! ^= 0x01; // a ciphertext byte
    });
    expect(bad.status).toBe(400);
    expect(bad.body.length).toBe(0);
    expect(bad.headers.connection).toBe('close');
    expect((await b.sealed(IDENTIFY)).status).toBe(200);
    // The tampering connection is gone; its next request lands on a fresh, unauthenticated one.
    expect((await a.sealed(IDENTIFY)).status).toBe(401);
    expect(emu.logs.join('\n')).toMatch(/unsealing failed: NTLM signature mismatch -> 400/);
  });

  it('a new connection starts a new context (a sealed body without Authorization gets 401)', async () => {
    const c = client(emu.http);
    await c.authenticate();
    c.agent.destroy();
    const fresh = await c.sealed(IDENTIFY);
    expect(fresh.status).toBe(401);
    expect(fresh.headers['www-authenticate']).toBe('Negotiate, Basic realm="WSMAN"');
  });

  it('answers 400 when a client re-authenticates a new connection and re-sends a body sealed on the old one (auth.md §1.3 trap)', async () => {
    const c = client(emu.http);
    await c.authenticate();
    c.agent.destroy();
    const stale = buildEncryptedBody(c.security!, Buffer.from(IDENTIFY), 'application/soap+xml;charset=UTF-8');
    const legs = await c.authenticate(stale, ENCRYPTED_CT);
    expect(legs.map((l) => l.status)).toEqual([401, 401, 400]);
    expect(legs[2]!.body.length).toBe(0);
  });

  it('answers a wrong password with 401, an empty body and an auth.failed event without the secret', async () => {
    const seen: Array<{ reason: string; mechanism: string | undefined }> = [];
    const off = emu.events.on('auth.failed', (e) => seen.push(e));
    const legs = await client(emu.http, { password: 'Wrong-Secret-456' }).authenticate();
    off();
    const last = legs.at(-1)!;
    expect(last.status).toBe(401);
    expect(last.body.length).toBe(0);
    expect(last.headers['www-authenticate']).toBe('Negotiate, Basic realm="WSMAN"');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.mechanism).toBe('Negotiate');
    expect(seen[0]!.reason).toMatch(/^wrong password for 'Administrator'/);
    expect(JSON.stringify(seen) + emu.logs.join('\n')).not.toContain('Wrong-Secret-456');
  });

  it('refuses, at AUTHENTICATE, a client that did not negotiate sealing (401, as Windows for go-ntlmssp)', async () => {
    const legs = await client(emu.http, { flags: DEFAULT_INITIATOR_FLAGS & ~(F.SEAL | F.KEY_EXCH) }).authenticate();
    expect(legs.map((l) => l.status)).toEqual([401, 401, 401]);
    expect(emu.logs.join('\n')).toMatch(/cannot seal/);
  });

  it('speaks SPNEGO to a SPNEGO client: NegTokenResp legs, mechListMIC, then sealed messages', async () => {
    const c = client(emu.http, { spnego: true });
    const legs = await c.authenticate();
    expect(legs.map((l) => l.status)).toEqual([401, 401, 200]);
    expect(String(legs[1]!.headers['www-authenticate'])).toMatch(/^Negotiate oY/); // a1 …
    expect(String(legs[2]!.headers['www-authenticate'])).toMatch(/^Negotiate oR/); // a1 1b …
    const r = await c.sealed(IDENTIFY);
    expect(r.status).toBe(200);
    expect(r.plaintext).toContain('IdentifyResponse');
  });

  it('serves 20 connections authenticating and sealing in parallel', async () => {
    const many = Array.from({ length: 20 }, () => client(emu.http));
    const results = await Promise.all(
      many.map(async (c) => {
        await c.authenticate();
        const a = await c.sealed(IDENTIFY);
        const b = await c.sealed(IDENTIFY);
        return [a.status, b.status, a.plaintext?.includes('IdentifyResponse')];
      }),
    );
    expect(results).toEqual(Array.from({ length: 20 }, () => [200, 200, true]));
  });
});

describe('NTLM over HTTP with AllowUnencrypted true or a 401 refusal', () => {
  it('accepts plaintext and sealed bodies when AllowUnencrypted is true', async () => {
    const emu = await startEmulator({ winrm: { Service: { AllowUnencrypted: true } } });
    try {
      const c = client(emu.http);
      await c.authenticate();
      const plain = await c.plain(IDENTIFY);
      expect(plain.status).toBe(200);
      expect(plain.body.toString()).toContain('IdentifyResponse');
      expect((await c.sealed(IDENTIFY)).plaintext).toContain('IdentifyResponse');
      // A context without sealing is fine here.
      const unsealed = client(emu.http, { flags: DEFAULT_INITIATOR_FLAGS & ~(F.SEAL | F.KEY_EXCH) });
      expect((await unsealed.authenticate()).at(-1)!.status).toBe(200);
      expect((await unsealed.plain(IDENTIFY)).status).toBe(200);
    } finally {
      await emu.close();
    }
  });

  it('answers 401 with the challenge list when server.unencryptedRefusalStatus is 401', async () => {
    const emu = await startEmulator({ server: { unencryptedRefusalStatus: 401 } });
    try {
      const c = client(emu.http);
      await c.authenticate();
      const r = await c.plain(IDENTIFY);
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Negotiate, Basic realm="WSMAN"');
    } finally {
      await emu.close();
    }
  });
});

describe('NTLM over HTTPS: no message encryption needed, channel binding per CbtHardeningLevel', () => {
  const der = new X509Certificate(readFileSync(new URL('../../certs/dev-win-emu01.pem', import.meta.url), 'utf8')).raw;
  const good = expectedChannelBindings(der)!;
  const wrong = channelBindingsHash(Buffer.from('tls-server-end-point:not-this-certificate'));

  let emu: TestEmulator;
  let strict: TestEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
    strict = await startEmulator({ winrm: { Service: { Auth: { CbtHardeningLevel: 'Strict' } } } });
  });
  afterAll(async () => {
    await emu.close();
    await strict.close();
  });

  it('authenticates with the right binding and answers plaintext SOAP in clear', async () => {
    const c = client(emu.https, { channelBindings: good });
    const legs = await c.authenticate(Buffer.from(IDENTIFY));
    expect(legs.map((l) => l.status)).toEqual([401, 401, 200]);
    expect(legs[2]!.body.toString()).toContain('IdentifyResponse');
    const again = await c.plain(CREATE_SHELL);
    expect(again.status).toBe(200);
    expect(again.body.toString()).toContain('ShellId');
  });

  it('refuses a wrong binding (Relaxed, the default) and a missing one when Strict', async () => {
    expect((await client(emu.https, { channelBindings: wrong }).authenticate()).at(-1)!.status).toBe(401);
    expect((await client(emu.https).authenticate()).at(-1)!.status).toBe(200);
    expect((await client(strict.https).authenticate()).at(-1)!.status).toBe(401);
    expect((await client(strict.https, { channelBindings: good }).authenticate()).at(-1)!.status).toBe(200);
  });

  it('also accepts sealed bodies over HTTPS', async () => {
    const c = client(emu.https, { channelBindings: good });
    await c.authenticate();
    expect((await c.sealed(IDENTIFY)).plaintext).toContain('IdentifyResponse');
  });
});
