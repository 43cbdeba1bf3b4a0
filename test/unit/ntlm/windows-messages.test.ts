// The recorded Windows NTLM exchange of auth.md Appendix B (Windows client → Server 2016 DC, from
// pyspnego docs/scenarios/sspi_ntlm.md), the tested client's NEGOTIATE, and the CHALLENGE flags
// Windows chose (auth.md §2.2, §2.3).
import { describe, expect, it } from 'vitest';
import { ntHash } from '../../../src/auth/crypto/md4.js';
import { NtlmAcceptor, challengeFlags } from '../../../src/auth/ntlm/acceptor.js';
import { AvId, NtlmMessageError, fileTimeToMs, parseAuthenticate, parseAvPairs, parseChallenge, parseNegotiate } from '../../../src/auth/ntlm/messages.js';

const h = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

const NEGOTIATE = h('4E544C4D5353500001000000B78208E2000000000000000000000000000000000A0063450000000F');
const CHALLENGE = h(
  '4E544C4D53535000020000000C000C0038000000358289E28E3415A6A6EC237F00000000000000008A008A00440000000A0039380000000F44004F004D00410049004E0002000C0044004F004D00410049004E000100080044004300300031000400180064006F006D00610069006E002E006C006F00630061006C000300220044004300300031002E0064006F006D00610069006E002E006C006F00630061006C000500180064006F006D00610069006E002E006C006F00630061006C0007000800FEB44E1B5B24D60100000000',
);
const AUTHENTICATE = h(
  '4E544C4D535350000300000018001800A20000003A013A01BA00000000000000580000003600360058000000140014008E00000010001000F4010000358288E20A0063450000000F8B0051B4B8BF4F11C8B2CDAAC151C410760061006700720061006E0074002D0064006F006D00610069006E00400044004F004D00410049004E002E004C004F00430041004C005300450052005600450052003200300031003900000000000000000000000000000000000000000000000000604147F7C888141283A9A1DD0036EF7F0101000000000000FEB44E1B5B24D6018696BCBFDE92E6180000000002000C0044004F004D00410049004E000100080044004300300031000400180064006F006D00610069006E002E006C006F00630061006C000300220044004300300031002E0064006F006D00610069006E002E006C006F00630061006C000500180064006F006D00610069006E002E006C006F00630061006C0007000800FEB44E1B5B24D601060004000200000008003000300000000000000001000000002000004135E6AB9D279B8D0642C048E0C1F24D0A9017A55C35B1A184872FEDFA712BDC0A0010000000000000000000000000000000000009002C0048004F00530054005C0064006300300031002E0064006F006D00610069006E002E006C006F00630061006C000000000000000000622379B8A5D93EB74EFF58314295224E',
);

function acceptor(): NtlmAcceptor {
  const a = new NtlmAcceptor({
    target: { computerName: 'DC01', dnsComputerName: 'DC01.domain.local', version: { major: 10, minor: 0, build: 14393, revision: 15 } },
    now: () => 0,
    randomBytes: (n) => Buffer.alloc(n),
  });
  a.adoptChallenge(NEGOTIATE, CHALLENGE);
  return a;
}

function verify(a: NtlmAcceptor, token: Buffer, password: string, cbt?: 'None' | 'Relaxed' | 'Strict') {
  const input = a.readAuthenticate(token);
  if (input.kind !== 'ntlmv2' && input.kind !== 'ntlmv1') throw new Error(`unexpected ${input.kind}`);
  return a.verify(input, ntHash(password), { allowNtlmV1: false, ...(cbt ? { channelBinding: { level: cbt, expected: Buffer.alloc(16, 1) } } : {}) });
}

describe('recorded Windows NTLM messages (auth.md Appendix B)', () => {
  it('parses the NEGOTIATE, CHALLENGE and AUTHENTICATE', () => {
    expect(parseNegotiate(NEGOTIATE).flags >>> 0).toBe(0xe20882b7);
    const c = parseChallenge(CHALLENGE);
    expect(c.flags >>> 0).toBe(0xe2898235);
    expect(c.targetName).toBe('DOMAIN');
    expect(c.serverChallenge).toEqual(h('8E3415A6A6EC237F'));
    expect(c.targetInfo.map((p) => p.id)).toEqual([2, 1, 4, 3, 5, 7]);
    expect(c.version).toEqual({ major: 10, minor: 0, build: 14393, revision: 15 });
    const a = parseAuthenticate(AUTHENTICATE);
    expect(a.user).toBe('vagrant-domain@DOMAIN.LOCAL');
    expect(a.domain).toBe('');
    expect(a.workstation).toBe('SERVER2019');
    expect(a.payloadStart).toBe(88);
  });

  it('Windows answered NEGOTIATE flags 0xE20882B7 with CHALLENGE flags 0xE2898235; the same rule gives them', () => {
    expect(challengeFlags(0xe20882b7, true)).toBe(0xe2898235);
    // The tested client (ntlm-auth 1.4.0: OEM, no UNICODE) on a workgroup host (auth.md §2.3).
    expect(challengeFlags(0xe2889032, false)).toBe(0xe28a8236);
  });

  it('validates the AUTHENTICATE: NTProofStr, session key and MIC over the exact bytes', () => {
    const r = verify(acceptor(), AUTHENTICATE, 'VagrantPass1');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.exportedSessionKey.toString('hex')).toBe('454f5835e1c047a3b6ae693c33e7712c');
    expect(r.micPresent).toBe(true);
    expect(r.version).toBe('NTLMv2');
  });

  it('echoes AV pairs 2,1,4,3,5,7,6,8,10,9 with MsvAvFlags=MIC and a zero channel binding', () => {
    const a = acceptor();
    const input = a.readAuthenticate(AUTHENTICATE);
    if (input.kind !== 'ntlmv2') throw new Error(input.kind);
    expect(input.avPairs.map((p) => p.id)).toEqual([2, 1, 4, 3, 5, 7, 6, 8, 10, 9]);
    expect(input.avPairs.find((p) => p.id === AvId.ChannelBindings)?.value).toEqual(Buffer.alloc(16));
    expect(new Date(fileTimeToMs(input.avPairs.find((p) => p.id === AvId.Timestamp)!.value)).getUTCFullYear()).toBe(2020);
  });

  it('refuses a wrong password, a changed MIC and a changed byte under the MIC', () => {
    expect(verify(acceptor(), AUTHENTICATE, 'VagrantPass2')).toMatchObject({ ok: false, code: 'bad-response' });
    const mic = Buffer.from(AUTHENTICATE);
    mic[80]! ^= 0x01;
    expect(verify(acceptor(), mic, 'VagrantPass1')).toMatchObject({ ok: false, code: 'mic' });
    // The workstation name is covered by the MIC but not by NTProofStr.
    const ws = Buffer.from(AUTHENTICATE);
    ws[0x8e]! ^= 0x01;
    expect(verify(acceptor(), ws, 'VagrantPass1')).toMatchObject({ ok: false, code: 'mic' });
  });

  it('treats an all-zero channel binding as unbound: accepted when Relaxed, refused when Strict', () => {
    expect(verify(acceptor(), AUTHENTICATE, 'VagrantPass1', 'Relaxed').ok).toBe(true);
    expect(verify(acceptor(), AUTHENTICATE, 'VagrantPass1', 'None').ok).toBe(true);
    expect(verify(acceptor(), AUTHENTICATE, 'VagrantPass1', 'Strict')).toMatchObject({ ok: false, code: 'channel-binding' });
  });

  it('bounds-checks descriptors and AV pairs', () => {
    const cut = AUTHENTICATE.subarray(0, 200);
    expect(() => parseAuthenticate(cut)).toThrow(NtlmMessageError);
    expect(() => parseAvPairs(h('0100ff00'))).toThrow(NtlmMessageError);
    expect(() => parseNegotiate(CHALLENGE)).toThrow(/expected NTLM NEGOTIATE/);
  });
});

describe('the tested client (pywinrm/ntlm-auth 1.4.0, auth.md §2.2)', () => {
  it('parses its NEGOTIATE: OEM, not UNICODE, version 6.1.7601', () => {
    const n = parseNegotiate(h('4e544c4d5353500001000000329088e2000000002800000000000000280000000601b11d0000000f'));
    expect(n.flags >>> 0).toBe(0xe2889032);
    expect(n.domain).toBe('');
    expect(n.version).toEqual({ major: 6, minor: 1, build: 7601, revision: 15 });
  });
});
