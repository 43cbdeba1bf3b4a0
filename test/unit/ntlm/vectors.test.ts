// MS-NLMP §4.2 test vectors (auth.md §2.9), the SPNEGO mechListMIC and CBT vectors, RFC 6229 RC4.
import { describe, expect, it } from 'vitest';
import { Rc4, rc4 } from '../../../src/auth/crypto/rc4.js';
import { crc32 } from '../../../src/auth/crypto/crc32.js';
import { ntHash } from '../../../src/auth/crypto/md4.js';
import { channelBindingsHash, desl, hmacMd5, lmv2Response, ntlmv1, ntlmv2Blob, ntowfv2, sealKey, signKey } from '../../../src/auth/ntlm/crypto.js';
import { NtlmSession, NtlmSignatureError } from '../../../src/auth/ntlm/session.js';
import { expectedChannelBindings, tlsServerEndPointHash } from '../../../src/auth/channel-binding.js';
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const h = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const hex = (b: Buffer) => b.toString('hex');

// MS-NLMP 4.2.1 common values.
const USER = 'User';
const DOMAIN = 'Domain';
const SERVER_CHALLENGE = h('0123456789abcdef');
const CLIENT_CHALLENGE = Buffer.alloc(8, 0xaa);
const RANDOM_SESSION_KEY = Buffer.alloc(16, 0x55);
const PLAINTEXT = Buffer.from('Plaintext', 'utf16le');

describe('RC4 (in-house, no legacy provider)', () => {
  it('matches RFC 6229 for key 0102030405', () => {
    expect(hex(new Rc4(h('0102030405')).update(Buffer.alloc(16)))).toBe('b2396305f03dc027ccc3524a0a1118a8');
  });

  it('is one continuous stream across calls, and snapshot/restore rewinds it', () => {
    const key = h('0102030405');
    const whole = rc4(key, Buffer.alloc(40));
    const s = new Rc4(key);
    const a = s.update(Buffer.alloc(13));
    const snap = s.snapshot();
    const b = s.update(Buffer.alloc(27));
    expect(Buffer.concat([a, b])).toEqual(whole);
    s.restore(snap);
    expect(s.update(Buffer.alloc(27))).toEqual(b);
  });

  it('CRC-32 matches zlib', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

describe('MS-NLMP 4.2.2 NTLMv1 (flags 0xE2028233)', () => {
  const nt = ntHash('Password');
  it('NTOWFv1', () => expect(hex(nt)).toBe('a4f49c406510bdcab6824ee7c30fd852'));
  it('NT response and session base key', () => {
    const r = ntlmv1(nt, 0xe2028233, SERVER_CHALLENGE, Buffer.alloc(24));
    expect(hex(r.nt)).toBe('67c43011f30298a2ad35ece64f16331c44bdbed927841f94');
    expect(hex(r.keyExchangeKey)).toBe('d87262b0cde4b1cb7499becccdf10784');
    expect(hex(rc4(r.keyExchangeKey, RANDOM_SESSION_KEY))).toBe('518822b1b3f350c8958682ecbb3e3cb7');
  });
  it('seals "Plaintext" with the shared RC4 handle and a CRC32 signature (pad zeroed)', () => {
    const { sealed, signature } = new NtlmSession(0xe2028233, RANDOM_SESSION_KEY, 'initiator').seal(PLAINTEXT);
    expect(hex(sealed)).toBe('56fe04d861f9319af0d7238a2e3b4d457fb8');
    expect(hex(signature)).toBe('010000000000000009dcd1df2e459d36');
  });
  it('DESL is three single-DES blocks (node-forge, no legacy provider)', () => {
    expect(desl(nt, SERVER_CHALLENGE)).toEqual(h('67c43011f30298a2ad35ece64f16331c44bdbed927841f94'));
  });
});

describe('MS-NLMP 4.2.3 NTLMv1 with extended session security (flags 0x820A8233)', () => {
  const flags = 0x820a8233;
  const lm = Buffer.concat([CLIENT_CHALLENGE, Buffer.alloc(16)]);
  const r = ntlmv1(ntHash('Password'), flags, SERVER_CHALLENGE, lm);
  it('NT response and KeyExchangeKey', () => {
    expect(hex(r.nt)).toBe('7537f803ae367128ca458204bde7caf81e97ed2683267232');
    expect(hex(r.keyExchangeKey)).toBe('eb93429a8bd952f8b89c55b87f475edc');
  });
  it('56-bit seal key, sign key, and GSS_WrapEx without KEY_EXCH', () => {
    expect(hex(sealKey(flags, r.keyExchangeKey, 'client'))).toBe('04dd7f014d8504d265a25cc86a3a7c06');
    expect(hex(signKey(flags, r.keyExchangeKey, 'client')!)).toBe('60e799be5c72fc92922ae8ebe961fb8d');
    const { sealed, signature } = new NtlmSession(flags, r.keyExchangeKey, 'initiator').seal(PLAINTEXT);
    expect(hex(sealed)).toBe('a02372f6530273f3aa1eb90190ce5200c99d');
    expect(hex(signature)).toBe('01000000ff2aeb52f681793a00000000');
  });
});

describe('MS-NLMP 4.2.4 NTLMv2 (flags 0xE28A8233)', () => {
  const flags = 0xe28a8233;
  const avPairs = h('02000c0044006f006d00610069006e0001000c005300650072007600650072000000 0000');
  const key = ntowfv2(ntHash('Password'), USER, DOMAIN);
  const blob = ntlmv2Blob(Buffer.alloc(8), CLIENT_CHALLENGE, avPairs);
  const proof = hmacMd5(key, SERVER_CHALLENGE, blob);
  it('NTOWFv2 upper-cases the user and keeps the domain as given', () => {
    expect(hex(key)).toBe('0c868a403bfd7a93a3001ef22ef02e3f');
    expect(hex(ntowfv2(ntHash('Password'), 'user', DOMAIN))).toBe('0c868a403bfd7a93a3001ef22ef02e3f');
    expect(hex(ntowfv2(ntHash('Password'), USER, 'DOMAIN'))).not.toBe('0c868a403bfd7a93a3001ef22ef02e3f');
  });
  it('NTProofStr (blob with the trailing Z(4)), LMv2, SessionBaseKey, EncryptedRandomSessionKey', () => {
    expect(hex(proof)).toBe('68cd0ab851e51c96aabc927bebef6a1c');
    expect(hex(lmv2Response(key, SERVER_CHALLENGE, CLIENT_CHALLENGE))).toBe('86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa');
    const sbk = hmacMd5(key, proof);
    expect(hex(sbk)).toBe('8de40ccadbc14a82f15cb0ad0de95ca3');
    expect(hex(rc4(sbk, RANDOM_SESSION_KEY))).toBe('c5dad2544fc9799094ce1ce90bc9d03e');
  });
  it('sealing and signing keys per direction', () => {
    expect(hex(sealKey(flags, RANDOM_SESSION_KEY, 'client'))).toBe('59f600973cc4960a25480a7c196e4c58');
    expect(hex(signKey(flags, RANDOM_SESSION_KEY, 'client')!)).toBe('4788dc861b4782f35d43fd98fe1a2d39');
    expect(hex(sealKey(flags, RANDOM_SESSION_KEY, 'server'))).toBe('9355f3a957c1583d25c4c2f11e40390e');
    expect(hex(signKey(flags, RANDOM_SESSION_KEY, 'server')!)).toBe('d04d6f10741041d1d246d64188d7a8ad');
  });
  it('GSS_WrapEx of "Plaintext" at seq 0, and the acceptor unseals it', () => {
    const client = new NtlmSession(flags, RANDOM_SESSION_KEY, 'initiator');
    const server = new NtlmSession(flags, RANDOM_SESSION_KEY, 'acceptor');
    const { sealed, signature } = client.seal(PLAINTEXT);
    expect(hex(sealed)).toBe('54e50165bf1936dc996020c1811b0f06fb5f');
    expect(hex(signature)).toBe('010000007fb38ec5c55d497600000000');
    expect(server.unseal(sealed, signature)).toEqual(PLAINTEXT);
  });
  it('keeps both streams continuous over many messages each way, and rejects a flipped bit', () => {
    const client = new NtlmSession(flags, RANDOM_SESSION_KEY, 'initiator');
    const server = new NtlmSession(flags, RANDOM_SESSION_KEY, 'acceptor');
    for (let i = 0; i < 5; i++) {
      const up = Buffer.from(`request ${i} `.repeat(i + 1));
      const a = client.seal(up);
      expect(server.unseal(a.sealed, a.signature)).toEqual(up);
      const down = Buffer.from(`response ${i}`);
      const b = server.seal(down);
      expect(client.unseal(b.sealed, b.signature)).toEqual(down);
      expect(b.signature.readUInt32LE(12)).toBe(i);
    }
    const bad = client.seal(Buffer.from('tampered'));
    bad.sealed[0]! ^= 1;
    expect(() => server.unseal(bad.sealed, bad.signature)).toThrow(NtlmSignatureError);
  });
});

describe('SPNEGO mechListMIC (Windows capture, auth.md §2.9)', () => {
  it('client and server MICs over the MechTypeList at seq 0', () => {
    const key = h('6a93befd8d75cf8e32db8a6870599984');
    const mechTypes = h('300c060a2b06010401823702020a');
    expect(hex(new NtlmSession(0xe2888215, key, 'initiator').sign(mechTypes))).toBe('01000000a32d4dd6161b084f00000000');
    expect(hex(new NtlmSession(0xe2888215, key, 'acceptor').sign(mechTypes))).toBe('01000000791f335a883b1df000000000');
  });
});

describe('channel binding (tls-server-end-point, auth.md §2.6)', () => {
  it('MsvAvChannelBindings for the ntlm-auth vector', () => {
    const hash = h('E3CA49271E5089CC48CE82109F1324F41DBEDDC29A777410C738F7868C4FF405');
    expect(hex(channelBindingsHash(Buffer.concat([Buffer.from('tls-server-end-point:'), hash])))).toBe('6ea19df066da4622051f9c4f92c6df74');
  });

  it('hashes the dev certificate with SHA-256 (its signature hash, or SHA-256 for SHA-1/MD5)', () => {
    const pem = readFileSync(new URL('../../../certs/dev-win-emu01.pem', import.meta.url), 'utf8');
    const der = new X509Certificate(pem).raw;
    expect(tlsServerEndPointHash(der)).toEqual(createHash('sha256').update(der).digest());
    expect(expectedChannelBindings(der)).toHaveLength(16);
  });
});
