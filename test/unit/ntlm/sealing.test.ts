// multipart/encrypted framing (MS-WSMV 2.2.9.1, auth.md §3.1) and SPNEGO DER shapes (§2.7).
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { NtlmSession } from '../../../src/auth/ntlm/session.js';
import { NtlmMessageSecurity } from '../../../src/auth/sealing/ntlm.js';
import { buildEncryptedBody, encryptedContentType, parseEncryptedBody, parseEncryptedContentType, unsealBody } from '../../../src/auth/sealing/multipart.js';
import { SPNEGO_ENCRYPTED, SealingError } from '../../../src/auth/sealing/types.js';
import { NegState, OID, encodeNegTokenResp, encodeNegTokenInit, parseNegTokenInit, parseNegTokenResp, sniffToken } from '../../../src/auth/spnego.js';

const FLAGS = 0xe28a8235;
const CT = 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"';

function pair() {
  const key = randomBytes(16);
  return { client: new NtlmSession(FLAGS, key, 'initiator'), server: new NtlmMessageSecurity(new NtlmSession(FLAGS, key, 'acceptor')) };
}

/** What pywinrm 0.3.0 sends (winrm/encryption.py), byte for byte. */
function pywinrmBody(client: NtlmSession, message: Buffer, tabs = true): Buffer {
  const { sealed, signature } = client.seal(message);
  const t = tabs ? '\t' : '';
  const len = Buffer.alloc(4);
  len.writeInt32LE(16);
  return Buffer.concat([
    Buffer.from(`--Encrypted Boundary\r\n${t}Content-Type: application/HTTP-SPNEGO-session-encrypted\r\n${t}OriginalContent: type=application/soap+xml;charset=UTF-8;Length=${message.length}\r\n--Encrypted Boundary\r\n${t}Content-Type: application/octet-stream\r\n`),
    len,
    signature,
    sealed,
    Buffer.from('--Encrypted Boundary--\r\n'),
  ]);
}

describe('multipart/encrypted', () => {
  it('reads the content type, and ignores plain SOAP', () => {
    expect(parseEncryptedContentType(CT)).toEqual({ multi: false, protocol: SPNEGO_ENCRYPTED, boundary: 'Encrypted Boundary' });
    expect(parseEncryptedContentType('application/soap+xml;charset=UTF-8')).toBeUndefined();
    expect(parseEncryptedContentType(undefined)).toBeUndefined();
    expect(encryptedContentType(SPNEGO_ENCRYPTED)).toBe(CT);
  });

  it("unseals pywinrm's exact body (1941 bytes for a 1683-byte envelope)", () => {
    const { client, server } = pair();
    const envelope = Buffer.from('x'.repeat(1683));
    const body = pywinrmBody(client, envelope);
    expect(body.length).toBe(1941);
    const out = unsealBody(server, body, parseEncryptedContentType(CT)!);
    expect(out.plaintext).toEqual(envelope);
    expect(out.contentType).toBe('application/soap+xml;charset=UTF-8');
  });

  it('accepts header lines without tabs and a CRLF before the closing boundary', () => {
    const { client, server } = pair();
    const body = pywinrmBody(client, Buffer.from('<a/>'), false);
    const withCrlf = Buffer.concat([body.subarray(0, body.length - 24), Buffer.from('\r\n'), body.subarray(body.length - 24)]);
    expect(unsealBody(server, withCrlf, parseEncryptedContentType(CT)!).plaintext.toString()).toBe('<a/>');
  });

  it('finds the end of the data by length even when the ciphertext contains the boundary', () => {
    const { client, server } = pair();
    // Encrypt a message whose ciphertext embeds the boundary text: seal, then patch is impossible,
    // so check the parser on a crafted block instead.
    const data = Buffer.from('--Encrypted Boundary--\r\n--Encrypted Boundary\r\n');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(16);
    const crafted = Buffer.concat([Buffer.from(`--Encrypted Boundary\r\n\tContent-Type: ${SPNEGO_ENCRYPTED}\r\n\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=${data.length}\r\n--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n`), len, Buffer.alloc(16), data, Buffer.from('--Encrypted Boundary--\r\n')]);
    const [block] = parseEncryptedBody(crafted);
    expect(block!.data).toEqual(data);
    // And a real round trip still works after it.
    expect(unsealBody(server, pywinrmBody(client, Buffer.from('ok')), parseEncryptedContentType(CT)!).plaintext.toString()).toBe('ok');
  });

  it('builds what pywinrm 0.3.0 parses: tabbed lines, Length, 16-byte signature, closing boundary', () => {
    const { client, server } = pair();
    const xml = Buffer.from('<s:Envelope>ü</s:Envelope>');
    const body = buildEncryptedBody(server, xml, 'application/soap+xml;charset=UTF-8');
    const text = body.toString('latin1');
    expect(text.startsWith(`--Encrypted Boundary\r\n\tContent-Type: ${SPNEGO_ENCRYPTED}\r\n\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=${xml.length}\r\n--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n`)).toBe(true);
    expect(text.endsWith('--Encrypted Boundary--\r\n')).toBe(true);
    // pywinrm's _decrypt_response, transliterated.
    const parts = body.toString('latin1').split('--Encrypted Boundary\r\n').filter(Boolean);
    let payload = Buffer.from(parts[1]!, 'latin1');
    payload = payload.subarray(0, payload.length - 24);
    const enc = Buffer.from(payload.toString('latin1').replace('\tContent-Type: application/octet-stream\r\n', ''), 'latin1');
    const sigLen = enc.readInt32LE(0);
    expect(sigLen).toBe(16);
    expect(client.unseal(enc.subarray(4 + sigLen), enc.subarray(4, 4 + sigLen))).toEqual(xml);
  });

  it('refuses a tampered signature, a wrong Length, a foreign protocol and truncation', () => {
    const ct = parseEncryptedContentType(CT)!;
    let { client, server } = pair();
    const body = pywinrmBody(client, Buffer.from('<a/>'));
    body[body.length - 24 - 4 - 1]! ^= 0x80; // inside the signature
    expect(() => unsealBody(server, body, ct)).toThrow(SealingError);
    ({ client, server } = pair());
    const wrongLen = Buffer.from(pywinrmBody(client, Buffer.from('<a/>')).toString('latin1').replace('Length=4', 'Length=3'), 'latin1');
    expect(() => unsealBody(server, wrongLen, ct)).toThrow(SealingError);
    ({ client, server } = pair());
    expect(() => unsealBody(server, pywinrmBody(client, Buffer.from('<a/>')), { ...ct, protocol: 'application/HTTP-Kerberos-session-encrypted' })).toThrow(/does not match/);
    ({ client, server } = pair());
    const full = pywinrmBody(client, Buffer.from('<a/>'));
    for (const cut of [10, 100, full.length - 30, full.length - 5]) expect(() => unsealBody(server, full.subarray(0, cut), ct)).toThrow(SealingError);
  });
});

describe('SPNEGO DER', () => {
  it("encodes the server's final NegTokenResp exactly as Windows did", () => {
    const mic = Buffer.from('01000000791f335a883b1df000000000', 'hex');
    expect(encodeNegTokenResp({ negState: NegState.acceptCompleted, mechListMIC: mic }).toString('hex')).toBe('a11b3019a0030a0100a3120410' + mic.toString('hex'));
  });

  it("encodes the CHALLENGE reply with Windows' framing (a1 81 ea 30 81 e7 a0 03 0a 01 01 a1 0c …)", () => {
    const token = encodeNegTokenResp({ negState: NegState.acceptIncomplete, supportedMech: OID.ntlm, responseToken: Buffer.alloc(0xce, 0x4e) });
    expect(token.subarray(0, 31).toString('hex')).toBe('a181ea3081e7a0030a0101a10c060a2b06010401823702020aa281d10481ce');
    expect(parseNegTokenResp(token)).toMatchObject({ negState: 1, supportedMech: OID.ntlm });
  });

  it('round-trips a NegTokenInit and keeps the MechTypeList bytes for the mechListMIC', () => {
    const init = encodeNegTokenInit([OID.ntlm], Buffer.from('NTLMSSP\0'));
    expect(sniffToken(init)).toBe('spnego-init');
    const parsed = parseNegTokenInit(init);
    expect(parsed.mechTypes).toEqual([OID.ntlm]);
    expect(parsed.mechTypesDer.toString('hex')).toBe('300c060a2b06010401823702020a');
    expect(sniffToken(Buffer.from('NTLMSSP\0\x01\0\0\0', 'latin1'))).toBe('ntlm');
    expect(sniffToken(Buffer.from('a1033001', 'hex'))).toBe('spnego-resp');
  });
});
