// SecureStrings before any key exchange (psrp.md §3.6, MS-PSRP 2.2.2.5 PUBLIC_KEY_REQUEST), as
// Windows PowerShell 5.1's PSRemotingCryptoHelperServer decides [pwsh@60b3b304f2:
// src/System.Management.Automation/utils/CryptoUtils.cs EncryptSecureString / DecryptSecureString]:
// a `<SS>` from the client with no key makes the server ask for one and wait; SecureString output
// for a client of protocol 2.2 or later is encrypted with a key the server makes without asking
// (handed over if the client exchanges keys later); a 2.0/2.1 client is asked first. Protocol 2.4
// pairs send SecureStrings unencrypted. The client here is the independent test client, answering
// PUBLIC_KEY_REQUEST (MS-PSRP 2.2.2.5) with PUBLIC_KEY.
import { describe, expect, it } from 'vitest';
import { createPsrpCore, sandboxPsrpEngine } from '../../helpers/psrp-core.js';
import { MSG, PsrpTestClient, openSecureString, sealSecureString, prop, type Decoded, type Node } from '../../helpers/psrp-client.js';

async function client(protocolVersion?: string): Promise<PsrpTestClient> {
  // Random bytes that are not all one value, so a key the server made is not guessable here.
  let n = 0;
  const core = createPsrpCore({}, { engine: sandboxPsrpEngine(), random: (len) => Buffer.from(Array.from({ length: len }, () => (n = (n * 73 + 41) % 251))) });
  const c = new PsrpTestClient(core.transport());
  await c.open(protocolVersion ? { protocolVersion } : {});
  return c;
}

const ssOutputs = (r: { sequence: Array<{ type: string; node: Node | undefined }> }) => r.sequence.filter((m) => m.type === 'PIPELINE_OUTPUT' && m.node?.tag === 'SS').map((m) => m.node!.text!);
const zero = (b: Buffer) => b.every((x) => x === 0);
const requestOf = (msgs: Decoded[]) => msgs.find((m) => m.type === MSG.PUBLIC_KEY_REQUEST);

describe('a SecureString argument before any key exchange', () => {
  it('makes the server send PUBLIC_KEY_REQUEST (RPID zero) and wait; after PUBLIC_KEY → ENCRYPTED_SESSION_KEY the argument decrypts', async () => {
    const c = await client();
    // The client makes up a key it does not have yet: it seals with the key it will be given.
    c.answerKeyRequests = false;
    const pid = await c.command([{ cmd: 'param($s) $null -eq $s', isScript: true, args: [[undefined, '<SS>AAAA</SS>']] }]);
    const request = requestOf(await c.receivePool());
    expect(request).toBeDefined();
    expect(zero(request!.rpid)).toBe(true);
    expect(zero(request!.pid)).toBe(true);
    expect(c.keyRequests).toBe(1);
    // Still waiting: nothing for the pipeline until the key is there.
    await c.sendPublicKey();
    const reply = await c.receivePool();
    expect(reply.map((m) => m.type)).toContain(MSG.ENCRYPTED_SESSION_KEY);
    expect(c.sessionKey).toHaveLength(32);
    const r = await c.collect(pid);
    expect(r.state).toBe(4);
    // 'AAAA' is no AES block under any key: the argument is there but has no value.
    expect(r.output).toEqual([true]);
  });

  it('the client answering the request as it comes (pool Receive while the pipeline waits): the value decrypts', async () => {
    const c = await client();
    const pid = await c.command([{ cmd: 'param($s) $s.Length', isScript: true, args: [[undefined, '<SS>placeholder</SS>']] }]);
    const r = await c.collect(pid, { poolWhileWaiting: true });
    expect(c.keyRequests).toBe(1);
    expect(c.sessionKey).toHaveLength(32);
    expect(r.state).toBe(4);
    // With the key now known, a sealed argument decrypts without another request.
    const again = await c.collect(await c.command([{ cmd: 'param($s) [Runtime.InteropServices.Marshal]::PtrToStringAuto([Runtime.InteropServices.Marshal]::SecureStringToBSTR($s))', isScript: true, args: [[undefined, c.secureString('Pa$$w0rd')]] }]));
    expect(again.output).toEqual(['Pa$$w0rd']);
    expect(c.keyRequests).toBe(1);
  });
});

describe('SecureString output before any key exchange', () => {
  it('protocol 2.2+: no PUBLIC_KEY_REQUEST; the <SS> is sealed with a key the server made, which a later exchange hands over', async () => {
    const c = await client('2.3');
    const r = await c.collect(await c.command([{ cmd: "ConvertTo-SecureString 'secret' -AsPlainText -Force", isScript: true }]), { poolWhileWaiting: true });
    expect(c.keyRequests).toBe(0);
    const [sealed] = ssOutputs(r);
    expect(sealed).toBeDefined();
    const key = await c.exchangeKeys();
    expect(openSecureString(key, sealed!)).toBe('secret');
    // And the same key seals what comes next.
    const next = await c.collect(await c.command([{ cmd: "ConvertTo-SecureString 'next' -AsPlainText -Force", isScript: true }]));
    expect(openSecureString(key, ssOutputs(next)[0]!)).toBe('next');
  });

  it('protocol 2.1 (a PowerShell 2.0 client): the server asks for the key first, then sends the <SS> under it', async () => {
    const c = await client('2.1');
    const r = await c.collect(await c.command([{ cmd: "'before'; ConvertTo-SecureString 'old client' -AsPlainText -Force", isScript: true }]), { poolWhileWaiting: true });
    expect(c.keyRequests).toBe(1);
    expect(r.output[0]).toBe('before');
    expect(openSecureString(c.sessionKey!, ssOutputs(r)[0]!)).toBe('old client');
  });

  it('a stop while the server waits for the key ends the pipeline Stopped', async () => {
    const c = await client('2.1');
    c.answerKeyRequests = false;
    const pid = await c.command([{ cmd: "ConvertTo-SecureString 'x' -AsPlainText -Force", isScript: true }]);
    expect(requestOf(await c.receivePool())).toBeDefined();
    await c.signal(pid, 'powershell/signal/crtl_c');
    const r = await c.collect(pid);
    expect(r.state).toBe(3);
  });
});

describe('protocol 2.4 pairs', () => {
  it('send and read SecureStrings as base64 of UTF-16LE, with no exchange', async () => {
    const c = await client('2.4');
    const plain = Buffer.from('open text', 'utf16le').toString('base64');
    const r = await c.collect(
      await c.command([{ cmd: "param($s) [Runtime.InteropServices.Marshal]::PtrToStringAuto([Runtime.InteropServices.Marshal]::SecureStringToBSTR($s)); ConvertTo-SecureString 'back' -AsPlainText -Force", isScript: true, args: [[undefined, `<SS>${plain}</SS>`]] }]),
    );
    expect(c.keyRequests).toBe(0);
    expect(r.output[0]).toBe('open text');
    expect(Buffer.from(ssOutputs(r)[0]!, 'base64').toString('utf16le')).toBe('back');
  });
});

// Keep the helpers honest: the client's seal/open pair is AES-256-CBC with a zero IV.
it('the test client seals and opens SecureStrings symmetrically', () => {
  const key = Buffer.alloc(32, 3);
  expect(openSecureString(key, sealSecureString(key, 'ü€'))).toBe('ü€');
  expect(prop).toBeTypeOf('function');
});
