// Kerberos without a KDC: RFC 3961/3962 crypto vectors, keytab parsing, reading context keys from
// a synthetic AP-REQ/AP-REP, RFC 4121 wrap/unwrap both ways, and the acceptor's principal mapping
// over a fake GSSAPI (the real one is exercised in test/interop/kerberos.test.ts).
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ctsDecrypt, ctsEncrypt, decrypt, encrypt, nfold, KerberosCryptoError, type EncryptionKey } from '../../../src/auth/kerberos/crypto.js';
import { parseKeytab, principalName, type KeytabEntry } from '../../../src/auth/kerberos/keytab.js';
import { buildKrb5Token, KEY_USAGE, TOK_ID } from '../../../src/auth/kerberos/messages.js';
import { deriveContextKeys } from '../../../src/auth/kerberos/context-keys.js';
import { KG_USAGE, Krb5WrapContext, type Krb5ContextKeys } from '../../../src/auth/kerberos/wrap.js';
import { GssError, KerberosService, type GssAcceptor } from '../../../src/auth/kerberos/acceptor.js';
import { tlv, encodeOid } from '../../../src/auth/der.js';
import { encodeNegTokenInit, encodeNegTokenResp, NegState, OID } from '../../../src/auth/spnego.js';
import { SealingError } from '../../../src/auth/sealing/types.js';
import { Host } from '../../../src/hosts/host.js';
import { loadConfig } from '../../../src/config/load.js';
import type { AuthDeps } from '../../../src/auth/types.js';

describe('RFC 3961 n-fold', () => {
  const vectors: Array<[string, number, string]> = [
    ['012345', 64, 'be072631276b1955'],
    ['password', 56, '78a07b6caf85fa'],
    ['Rough Consensus, and Running Code', 64, 'bb6ed30870b7f0e0'],
    ['password', 168, '59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e'],
    ['MASSACHVSETTS INSTITVTE OF TECHNOLOGY', 192, 'db3b0d8f0b061e603282b308a50841229ad798fab9540c1b'],
    ['Q', 168, '518a54a215a8452a518a54a215a8452a518a54a215'],
    ['ba', 168, 'fb25d531ae8974499f52fd92ea9857c4ba24cf297e'],
    ['kerberos', 64, '6b65726265726f73'],
    ['kerberos', 128, '6b65726265726f737b9b5b2b93132b93'],
    ['kerberos', 168, '8372c236344e5f1550cd0747e15d62ca7a5a3bcea4'],
    ['kerberos', 256, '6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4'],
  ];
  for (const [input, bits, hex] of vectors) {
    it(`${bits}-fold(${JSON.stringify(input)}) = ${hex}`, () => expect(nfold(Buffer.from(input), bits / 8).toString('hex')).toBe(hex));
  }
});

describe('RFC 3962 AES-CTS (appendix B, key "chicken teriyaki", IV 0)', () => {
  const key = Buffer.from('636869636b656e207465726979616b69', 'hex');
  const vectors: Array<[string, string]> = [
    ['4920776f756c64206c696b652074686520', 'c6353568f2bf8cb4d8a580362da7ff7f97'],
    ['4920776f756c64206c696b65207468652047656e6572616c20476175277320', 'fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5'],
    ['4920776f756c64206c696b65207468652047656e6572616c2047617527732043', '39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584'],
    ['4920776f756c64206c696b65207468652047656e6572616c20476175277320436869636b656e2c20706c656173652c', '97687268d6ecccc0c07b25e25ecfe584b3fffd940c16a18c1b5549d2f838029e39312523a78662d5be7fcbcc98ebf5'],
    ['4920776f756c64206c696b65207468652047656e6572616c20476175277320436869636b656e2c20706c656173652c20', '97687268d6ecccc0c07b25e25ecfe5849dad8bbb96c4cdc03bc103e1a194bbd839312523a78662d5be7fcbcc98ebf5a8'],
    [
      '4920776f756c64206c696b65207468652047656e6572616c20476175277320436869636b656e2c20706c656173652c20616e6420776f6e746f6e20736f75702e',
      '97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a84807efe836ee89a526730dbc2f7bc8409dad8bbb96c4cdc03bc103e1a194bbd8',
    ],
  ];
  for (const [plain, cipher] of vectors) {
    it(`${plain.length / 2} bytes encrypt and decrypt`, () => {
      expect(ctsEncrypt(key, Buffer.from(plain, 'hex')).toString('hex')).toBe(cipher);
      expect(ctsDecrypt(key, Buffer.from(cipher, 'hex')).toString('hex')).toBe(plain);
    });
  }
});

describe('RFC 3961 encrypt/decrypt with AES keys', () => {
  for (const etype of [17, 18]) {
    it(`round-trips with etype ${etype} and refuses a flipped bit or the wrong usage`, () => {
      const key: EncryptionKey = { etype, value: randomBytes(etype === 17 ? 16 : 32) };
      for (const len of [0, 1, 15, 16, 17, 100]) {
        const plain = randomBytes(len);
        const c = encrypt(key, 7, plain, randomBytes(16));
        expect(c.length).toBe(len + 16 + 12);
        expect(decrypt(key, 7, c).equals(plain)).toBe(true);
        expect(() => decrypt(key, 8, c)).toThrow(KerberosCryptoError);
        const bad = Buffer.from(c);
        bad[0]! ^= 1;
        expect(() => decrypt(key, 7, bad)).toThrow(/integrity check failed/);
      }
    });
  }
  it('refuses enctypes other than AES', () => {
    expect(() => encrypt({ etype: 23, value: randomBytes(16) }, 1, Buffer.alloc(1), randomBytes(16))).toThrow(/rc4-hmac is not implemented/);
  });
});

/** An MIT keytab (0x0502) with the given entries. */
function keytabBytes(entries: Array<{ realm: string; components: string[]; kvno: number; etype: number; key: Buffer }>): Buffer {
  const parts = [Buffer.from([0x05, 0x02])];
  const counted = (b: Buffer) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
  for (const e of entries) {
    const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(n);
      return b;
    };
    const body = Buffer.concat([u16(e.components.length), counted(Buffer.from(e.realm)), ...e.components.map((c) => counted(Buffer.from(c))), u32(3), u32(1700000000), Buffer.from([e.kvno & 0xff]), u16(e.etype), counted(e.key), u32(e.kvno)]);
    parts.push(u32(body.length), body);
  }
  // A deleted slot, which readers skip.
  const hole = Buffer.alloc(4);
  hole.writeInt32BE(-8);
  parts.push(hole, Buffer.alloc(8));
  return Buffer.concat(parts);
}

describe('keytab', () => {
  it('reads MIT 0x0502 entries (principal, kvno, enctype, key) and skips holes', () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(16);
    const entries = parseKeytab(
      keytabBytes([
        { realm: 'EMU.TEST', components: ['HTTP', 'win-emu01.emu.test'], kvno: 2, etype: 18, key: k1 },
        { realm: 'EMU.TEST', components: ['HTTP', 'win-emu01.emu.test'], kvno: 300, etype: 17, key: k2 },
      ]),
    );
    expect(entries.map(principalName)).toEqual(['HTTP/win-emu01.emu.test@EMU.TEST', 'HTTP/win-emu01.emu.test@EMU.TEST']);
    expect(entries.map((e) => [e.kvno, e.etype])).toEqual([[2, 18], [300, 17]]);
    expect(entries[0]!.key.equals(k1)).toBe(true);
  });
  it('refuses other files', () => {
    expect(() => parseKeytab(Buffer.from('not a keytab'))).toThrow(/not an MIT keytab/);
    expect(() => parseKeytab(Buffer.from([0x05, 0x01]))).toThrow(/0x0501 is not supported/);
  });
});

// ---- a synthetic context: what a KDC and an initiator would produce ----------------------------

const int = (n: number) => {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
};
const kstr = (s: string) => tlv(0x1b, Buffer.from(s));
const seq = (...fields: Array<[number, Buffer] | undefined>) => tlv(0x30, ...fields.filter((f): f is [number, Buffer] => f !== undefined).map(([n, v]) => tlv(0xa0 | n, v)));
const principal = (...names: string[]) => seq([0, int(1)], [1, tlv(0x30, ...names.map(kstr))]);
const encKey = (k: EncryptionKey) => seq([0, int(k.etype)], [1, tlv(0x04, k.value)]);
const encData = (etype: number, cipher: Buffer, kvno?: number) => seq([0, int(etype)], kvno === undefined ? undefined : [1, int(kvno)], [2, tlv(0x04, cipher)]);
const time = tlv(0x18, Buffer.from('20260101000000Z'));

interface Synthetic {
  keytab: KeytabEntry[];
  apReq: Buffer;
  apRep: Buffer;
  session: EncryptionKey;
  initiatorSubkey: EncryptionKey;
  acceptorSubkey: EncryptionKey;
}

function synthetic(opts: { flags?: number; withApRepSubkey?: boolean } = {}): Synthetic {
  const service: EncryptionKey = { etype: 18, value: randomBytes(32) };
  const session: EncryptionKey = { etype: 18, value: randomBytes(32) };
  const initiatorSubkey: EncryptionKey = { etype: 18, value: randomBytes(32) };
  const acceptorSubkey: EncryptionKey = { etype: 18, value: randomBytes(32) };
  const encTicket = tlv(0x63, seq([0, tlv(0x03, Buffer.from([0, 0x40, 0, 0, 0]))], [1, encKey(session)], [2, kstr('EMU.TEST')], [3, principal('alice')], [4, seq([0, int(1)], [1, tlv(0x04, Buffer.alloc(0))])], [5, time], [7, time]));
  const ticket = tlv(0x61, seq([0, int(5)], [1, kstr('EMU.TEST')], [2, principal('HTTP', 'win-emu01.emu.test')], [3, encData(18, encrypt(service, KEY_USAGE.ticket, encTicket, randomBytes(16)), 2)]));
  const gssChecksum = Buffer.alloc(24);
  gssChecksum.writeUInt32LE(16, 0);
  gssChecksum.writeUInt32LE(opts.flags ?? 0x3e, 20);
  const authenticator = tlv(0x62, seq([0, int(5)], [1, kstr('EMU.TEST')], [2, principal('alice')], [3, seq([0, int(0x8003)], [1, tlv(0x04, gssChecksum)])], [4, int(0)], [5, time], [6, encKey(initiatorSubkey)], [7, int(1000)]));
  const apReqDer = tlv(0x6e, seq([0, int(5)], [1, int(14)], [2, tlv(0x03, Buffer.from([0, 0x20, 0, 0, 0]))], [3, ticket], [4, encData(18, encrypt(session, KEY_USAGE.apReqAuthenticator, authenticator, randomBytes(16)))]));
  const encRep = tlv(0x7b, seq([0, time], [1, int(0)], opts.withApRepSubkey === false ? undefined : [2, encKey(acceptorSubkey)], [3, int(5000)]));
  const apRepDer = tlv(0x6f, seq([0, int(5)], [1, int(15)], [2, encData(18, encrypt(session, KEY_USAGE.apRepEncPart, encRep, randomBytes(16)))]));
  return {
    keytab: [{ realm: 'EMU.TEST', components: ['HTTP', 'win-emu01.emu.test'], nameType: 3, timestamp: 0, kvno: 2, etype: 18, key: service.value }],
    apReq: buildKrb5Token(TOK_ID.apReq, apReqDer),
    apRep: buildKrb5Token(TOK_ID.apRep, apRepDer),
    session,
    initiatorSubkey,
    acceptorSubkey,
  };
}

/** What an MIT initiator's gss_wrap_iov sends (RFC 4121 §4.2.4, RRC 28), split the WinRM way. */
function initiatorWrap(keys: Krb5ContextKeys, seqNo: bigint, plaintext: Buffer): { header: Buffer; data: Buffer } {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(0x0504, 0);
  h[2] = 0x02 | (keys.acceptorSubkey ? 0x04 : 0);
  h[3] = 0xff;
  h.writeBigUInt64BE(seqNo, 8);
  const c = encrypt(keys.key, KG_USAGE.initiatorSeal, Buffer.concat([plaintext, h]), randomBytes(16));
  const sent = Buffer.from(h);
  sent.writeUInt16BE(28, 6);
  const rotated = Buffer.concat([c.subarray(c.length - 28), c.subarray(0, c.length - 28)]);
  const token = Buffer.concat([sent, rotated]);
  return { header: token.subarray(0, 60), data: token.subarray(60) };
}

describe('context keys from the AP-REQ and AP-REP', () => {
  it('reads the acceptor subkey and both sequence numbers', () => {
    const s = synthetic();
    const r = deriveContextKeys(s.keytab, s.apReq, s.apRep);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.keys.key.value.equals(s.acceptorSubkey.value)).toBe(true);
    expect(r.keys).toMatchObject({ acceptorSubkey: true, initiatorSeq: 1000, acceptorSeq: 5000, gssFlags: 0x3e });
  });
  it('falls back to the initiator subkey without an acceptor subkey', () => {
    const s = synthetic({ withApRepSubkey: false });
    const r = deriveContextKeys(s.keytab, s.apReq, s.apRep);
    expect(r.ok && r.keys.key.value.equals(s.initiatorSubkey.value) && !r.keys.acceptorSubkey).toBe(true);
  });
  it('says why when the keytab lacks the key', () => {
    const s = synthetic();
    const r = deriveContextKeys([{ ...s.keytab[0]!, kvno: 9 }], s.apReq, s.apRep);
    expect(r).toEqual({ ok: false, reason: 'the keytab has no aes256-cts-hmac-sha1-96 key with kvno 2 for HTTP/win-emu01.emu.test@EMU.TEST' });
  });
});

describe('RFC 4121 wrap tokens in the WinRM layout', () => {
  const keysOf = (s: Synthetic) => {
    const r = deriveContextKeys(s.keytab, s.apReq, s.apRep);
    if (!r.ok) throw new Error(r.reason);
    return r.keys;
  };
  it('unwraps what an initiator sealed, in sequence, and refuses replays, tampering and reflection', () => {
    const keys = keysOf(synthetic());
    const ctx = new Krb5WrapContext(keys, randomBytes);
    for (let i = 0; i < 3; i++) {
      const msg = Buffer.from(`<s:Envelope>${i}</s:Envelope>`);
      const { header, data } = initiatorWrap(keys, 1000n + BigInt(i), msg);
      expect(header.length).toBe(60);
      expect(data.length).toBe(msg.length);
      expect(ctx.unwrap(header, data).equals(msg)).toBe(true);
    }
    const replay = initiatorWrap(keys, 1000n, Buffer.from('again'));
    expect(() => ctx.unwrap(replay.header, replay.data)).toThrow(/replayed/);
    const fresh = initiatorWrap(keys, 1003n, Buffer.from('tampered'));
    fresh.data[0]! ^= 1;
    expect(() => ctx.unwrap(fresh.header, fresh.data)).toThrow(SealingError);
    const mine = ctx.wrap(Buffer.from('from the acceptor'));
    expect(() => ctx.unwrap(mine.header, mine.data)).toThrow(/reflected/);
  });
  it('wraps as the acceptor: flags 07, RRC 28, 60-byte header, data as long as the plaintext, sequence from the AP-REP', () => {
    const keys = keysOf(synthetic());
    const ctx = new Krb5WrapContext(keys, randomBytes);
    const plain = Buffer.from('x'.repeat(1000));
    const a = ctx.wrap(plain);
    const b = ctx.wrap(plain);
    expect(a.header.length).toBe(60);
    expect(a.data.length).toBe(plain.length);
    expect(a.header.subarray(0, 8).toString('hex')).toBe('050407ff0000001c');
    expect(a.header.readBigUInt64BE(8)).toBe(5000n);
    expect(b.header.readBigUInt64BE(8)).toBe(5001n);
    // Decrypt as the initiator would: un-rotate, usage 22, header copy with RRC 0 at the end.
    const body = Buffer.concat([a.header.subarray(16), a.data]);
    const unrotated = Buffer.concat([body.subarray(28), body.subarray(0, 28)]);
    const inner = decrypt(keys.key, KG_USAGE.acceptorSeal, unrotated);
    expect(inner.subarray(0, plain.length).equals(plain)).toBe(true);
    expect(inner.subarray(plain.length).toString('hex')).toBe(`050407ff00000000${(5000).toString(16).padStart(16, '0')}`);
  });
});

describe('KerberosService (principal → domain account)', () => {
  const host = new Host(
    loadConfig({
      env: {},
      overrides: { domain: { realm: 'EMU.TEST', users: [{ name: 'alice', groups: ['Domain Admins'] }, { name: 'dave', enabled: false }] } },
    }).config,
  );
  const deps: AuthDeps = { now: () => Date.now(), randomBytes };
  const gss = (clientName: string, targetName = 'HTTP/win-emu01.emu.test@EMU.TEST', output?: Buffer): GssAcceptor => ({ accept: async () => ({ output, clientName, targetName }) });
  const service = (acceptor: GssAcceptor, serviceName = '') => new KerberosService({ realm: 'EMU.TEST', serviceName, keytab: [], gss: acceptor });
  const token = buildKrb5Token(TOK_ID.apReq, Buffer.from([0x6e, 0x00]));

  it('maps alice@EMU.TEST to the domain account with its groups; the AP-REP goes back; wrap is unavailable without keys', async () => {
    const step = await service(gss('alice@EMU.TEST', undefined, Buffer.from('6f00', 'hex'))).accept(host, token, 'raw', 'application/HTTP-SPNEGO-session-encrypted', deps);
    expect(step.kind).toBe('success');
    if (step.kind !== 'success') return;
    expect(step.principal).toMatchObject({ mechanism: 'Kerberos', displayName: 'EMU\\alice' });
    expect(step.principal.user.groups).toEqual(['Administrators', 'Users']);
    expect(step.principal.user.domain?.groups.map((g) => g.name)).toEqual(['EMU\\Domain Users', 'EMU\\Domain Admins']);
    expect(step.responseToken).toBe(Buffer.from('6f00', 'hex').toString('base64'));
    expect(step.security?.canSeal).toBe(true);
    expect(() => step.security?.unwrap(Buffer.alloc(60), Buffer.alloc(1))).toThrow(/not available on this connection/);
  });
  it('refuses other realms, unknown and disabled accounts, another service principal, and GSS errors, saying why', async () => {
    const cases: Array<[GssAcceptor, string, RegExp]> = [
      [gss('alice@OTHER.TEST'), '', /not from realm EMU\.TEST/],
      [gss('mallory@EMU.TEST'), '', /mallory@EMU\.TEST is not a user of domain EMU/],
      [gss('dave@EMU.TEST'), '', /domain account 'dave' is disabled/],
      [gss('alice@EMU.TEST', 'HTTP/other.emu.test@EMU.TEST'), 'HTTP/win-emu01.emu.test', /is for HTTP\/other\.emu\.test@EMU\.TEST, not HTTP\/win-emu01\.emu\.test/],
      [{ accept: async () => Promise.reject(new GssError('Request is a replay')) }, '', /^Kerberos: Request is a replay$/],
    ];
    for (const [acceptor, name, reason] of cases) {
      const step = await service(acceptor, name).accept(host, token, 'raw', 'x', deps);
      expect(step.kind === 'failure' && step.reason, String(reason)).toMatch(reason);
    }
  });
  it('completes SPNEGO only when the acceptor answered accept-completed in one leg', async () => {
    const init = encodeNegTokenInit([OID.krb5, OID.ntlm], token);
    const done = encodeNegTokenResp({ negState: NegState.acceptCompleted, supportedMech: OID.krb5, responseToken: Buffer.from('6f00', 'hex') });
    expect((await service(gss('alice@EMU.TEST', undefined, done)).accept(host, init, 'spnego', 'x', deps)).kind).toBe('success');
    const more = encodeNegTokenResp({ negState: NegState.acceptIncomplete, supportedMech: OID.krb5 });
    const step = await service(gss('alice@EMU.TEST', undefined, more)).accept(host, init, 'spnego', 'x', deps);
    expect(step.kind === 'failure' && step.reason).toMatch(/did not complete in one leg/);
  });
  it('builds tokens with the krb5 OID framing', () => {
    expect(buildKrb5Token(TOK_ID.apRep, Buffer.from([0x6f])).equals(Buffer.concat([Buffer.from([0x60, 0x0e]), encodeOid(OID.krb5), Buffer.from([2, 0, 0x6f])]))).toBe(true);
  });
});
