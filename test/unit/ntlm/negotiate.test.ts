// The Negotiate mechanism without sockets: raw NTLM and SPNEGO framing, local-account domain
// handling, refusals (wrong password, NTLMv1, anonymous, Kerberos), lockout, channel binding.
import { describe, expect, it } from 'vitest';
import { loadConfig, type DeepPartial } from '../../../src/config/load.js';
import type { EmulatorConfig } from '../../../src/config/types.js';
import { Host } from '../../../src/hosts/host.js';
import { ntHash } from '../../../src/auth/crypto/md4.js';
import { createNegotiateMechanism, type NegotiateOptions } from '../../../src/auth/negotiate.js';
import { AccountLockout } from '../../../src/auth/lockout.js';
import { NtlmInitiator } from '../../../src/auth/ntlm/initiator.js';
import { AvId, NegotiateFlags as F, buildAuthenticate, parseChallenge } from '../../../src/auth/ntlm/messages.js';
import { ntlmv1 } from '../../../src/auth/ntlm/crypto.js';
import { NegState, OID, encodeMechTypes, encodeNegTokenInit, encodeNegTokenResp, parseNegTokenResp } from '../../../src/auth/spnego.js';
import { channelBindingsHash } from '../../../src/auth/ntlm/crypto.js';
import type { AuthContext, AuthDeps, AuthStep, ConnectionInfo } from '../../../src/auth/types.js';
import { randomBytes } from 'node:crypto';

const ADMIN = { name: 'Administrator', password: 'Emu-Admin-Passw0rd!' };

function host(overrides: DeepPartial<EmulatorConfig> = {}): Host {
  return new Host(loadConfig({ env: {}, overrides }).config);
}

const HTTP: ConnectionInfo = { id: 'c1', tls: false, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1' };

class Clock {
  t = Date.UTC(2026, 0, 1);
}

function deps(clock = new Clock()): AuthDeps {
  return { now: () => clock.t, randomBytes: (n) => randomBytes(n) };
}

function initiator(user: string, domain: string, password: string, extra: { flags?: number; channelBindings?: Buffer } = {}): NtlmInitiator {
  return new NtlmInitiator({ user, domain, ntHash: ntHash(password), now: () => Date.UTC(2026, 0, 1), randomBytes: (n) => randomBytes(n), ...extra });
}

const b64 = (b: Buffer) => b.toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64');

function continueToken(step: AuthStep): Buffer {
  if (step.kind !== 'continue') throw new Error(`expected continue, got ${JSON.stringify(step)}`);
  return unb64(step.responseToken);
}

/** NTLM answers synchronously; Kerberos (asynchronous) is not exercised here. */
interface SyncContext {
  step(credentials: string): AuthStep;
}

function sync(ctx: AuthContext): SyncContext {
  return {
    step(credentials: string): AuthStep {
      const r = ctx.step(credentials);
      if (r instanceof Promise) throw new Error('an NTLM step answered asynchronously');
      return r;
    },
  };
}

function rawHandshake(ctx: SyncContext, client: NtlmInitiator): { challenge: Buffer; result: AuthStep } {
  const challenge = continueToken(ctx.step(b64(client.negotiate())));
  return { challenge, result: ctx.step(b64(client.authenticate(challenge))) };
}

function newContext(h: Host, opts: NegotiateOptions = {}, conn: ConnectionInfo = HTTP, clock = new Clock()): SyncContext {
  return sync(createNegotiateMechanism(opts).createContext(h, conn, deps(clock)));
}

describe('Negotiate, raw NTLM (what pywinrm sends)', () => {
  const h = host();

  it('answers a NEGOTIATE with a CHALLENGE naming the host, with a timestamp, and accepts the AUTHENTICATE', () => {
    const client = initiator(ADMIN.name, '', ADMIN.password);
    const { challenge, result } = rawHandshake(newContext(h), client);
    const c = parseChallenge(challenge);
    expect(c.targetName).toBe('WIN-EMU01');
    const text = (id: number) => c.targetInfo.find((p) => p.id === id)?.value.toString('utf16le');
    expect(text(AvId.NbComputerName)).toBe('WIN-EMU01');
    expect(text(AvId.NbDomainName)).toBe('WIN-EMU01');
    expect(text(AvId.DnsComputerName)).toBe('WIN-EMU01');
    expect(text(AvId.DnsDomainName)).toBe('WIN-EMU01');
    expect(c.targetInfo.map((p) => p.id)).toEqual([2, 1, 4, 3, 7]);
    expect(c.flags & F.TARGET_TYPE_SERVER).toBeTruthy();
    expect(c.flags & (F.SIGN | F.SEAL | F.KEY_EXCH | F.EXTENDED_SESSIONSECURITY | F.N128)).toBe(F.SIGN | F.SEAL | F.KEY_EXCH | F.EXTENDED_SESSIONSECURITY | F.N128);
    expect(c.version).toEqual({ major: 10, minor: 0, build: 17763, revision: 15 });
    expect(result).toMatchObject({ kind: 'success', connectionBound: true, principal: { displayName: 'WIN-EMU01\\Administrator', mechanism: 'Negotiate' } });
    expect(result.kind === 'success' && result.responseToken).toBeFalsy();
    expect(result.kind === 'success' && result.security?.canSeal).toBe(true);
  });

  it('hands back a sealing context that talks to the client', () => {
    const client = initiator(ADMIN.name, '', ADMIN.password);
    const { result } = rawHandshake(newContext(h), client);
    if (result.kind !== 'success' || !result.security) throw new Error('no security');
    const up = client.session!.seal(Buffer.from('<s:Envelope/>'));
    expect(result.security.unwrap(up.signature, up.sealed).toString()).toBe('<s:Envelope/>');
    const down = result.security.wrap(Buffer.from('<s:Envelope>reply</s:Envelope>'));
    expect(client.session!.unseal(down.data, down.header).toString()).toBe('<s:Envelope>reply</s:Envelope>');
  });

  for (const domain of ['', '.', 'WIN-EMU01', 'win-emu01', 'localhost', 'WORKGROUP']) {
    it(`accepts the local account with domain '${domain}'`, () => {
      expect(rawHandshake(newContext(h), initiator(ADMIN.name, domain, ADMIN.password)).result.kind).toBe('success');
    });
  }

  it('accepts user@COMPUTER with an empty domain, and a user name in any case', () => {
    expect(rawHandshake(newContext(h), initiator('administrator@WIN-EMU01', '', ADMIN.password)).result.kind).toBe('success');
    expect(rawHandshake(newContext(h), initiator('ADMINISTRATOR', '', ADMIN.password)).result.kind).toBe('success');
  });

  it('refuses another domain when foreignDomain is reject', () => {
    const r = rawHandshake(newContext(h, { foreignDomain: 'reject' }), initiator(ADMIN.name, 'CORP', ADMIN.password)).result;
    expect(r).toMatchObject({ kind: 'failure' });
    expect(r.kind === 'failure' && r.reason).toContain("unknown user 'CORP\\Administrator'");
  });

  it('refuses a wrong password with a reason that never holds the secret', () => {
    const r = rawHandshake(newContext(h), initiator(ADMIN.name, '', 'Wrong-Secret-123')).result;
    expect(r.kind).toBe('failure');
    if (r.kind !== 'failure') return;
    expect(r.reason).toMatch(/^wrong password for 'Administrator'/);
    expect(r.reason).not.toContain('Wrong-Secret-123');
  });

  it('refuses an unknown user and a disabled account', () => {
    expect(rawHandshake(newContext(h), initiator('nobody', '', 'x')).result).toMatchObject({ kind: 'failure', reason: "unknown user 'nobody'" });
    const disabled = host({ users: [{ name: 'Administrator', password: 'P@ssw0rd-1', groups: ['Administrators'] }, { name: 'gone', password: 'P@ssw0rd-2', enabled: false, groups: [] }] });
    expect(rawHandshake(newContext(disabled), initiator('gone', '', 'P@ssw0rd-2')).result).toMatchObject({ kind: 'failure', reason: "account 'gone' is disabled" });
  });

  it('accepts a configured NT hash instead of a password', () => {
    const hashed = host({ users: [{ name: 'Administrator', ntHash: ntHash('Hash-Only-1').toString('hex'), groups: ['Administrators'] }] });
    expect(rawHandshake(newContext(hashed), initiator('Administrator', '', 'Hash-Only-1')).result.kind).toBe('success');
  });

  it('refuses an AUTHENTICATE without a NEGOTIATE, and garbage', () => {
    const ctx = newContext(h);
    const other = initiator(ADMIN.name, '', ADMIN.password);
    const challenge = continueToken(newContext(h).step(b64(other.negotiate())));
    expect(ctx.step(b64(other.authenticate(challenge))).kind).toBe('failure');
    expect(newContext(h).step(b64(Buffer.from('NTLMSSP\0\x01\0\0\0', 'latin1')))).toMatchObject({ kind: 'failure' });
    expect(newContext(h).step('bm90IGEgdG9rZW4=')).toMatchObject({ kind: 'failure', reason: expect.stringContaining('unrecognised') });
  });

  it('refuses a raw Kerberos token (not emulated yet)', () => {
    const krb = Buffer.from('6082010006092a864886f71201020201006e82', 'hex');
    expect(newContext(h).step(b64(krb))).toMatchObject({ kind: 'failure', reason: expect.stringContaining('Kerberos') });
  });

  it('refuses anonymous unless allowed', () => {
    const anon = (ctx: SyncContext) => {
      const challenge = continueToken(ctx.step(b64(initiator('', '', '').negotiate())));
      const c = parseChallenge(challenge);
      return ctx.step(b64(buildAuthenticate({ flags: c.flags | F.ANONYMOUS, lmChallengeResponse: Buffer.alloc(1), ntChallengeResponse: Buffer.alloc(0), domain: '', user: '', workstation: 'X', encryptedRandomSessionKey: Buffer.alloc(0), version: undefined, withMic: false })));
    };
    expect(anon(newContext(h))).toMatchObject({ kind: 'failure', reason: expect.stringContaining('anonymous') });
    expect(anon(newContext(h, { allowAnonymous: true }))).toMatchObject({ kind: 'success', principal: { displayName: 'NT AUTHORITY\\ANONYMOUS LOGON' } });
  });

  it('refuses NTLMv1 by default and accepts it when allowed', () => {
    const v1 = (ctx: SyncContext) => {
      const challenge = continueToken(ctx.step(b64(initiator(ADMIN.name, '', '').negotiate())));
      const c = parseChallenge(challenge);
      const flags = c.flags & ~F.KEY_EXCH;
      const lm = Buffer.concat([randomBytes(8), Buffer.alloc(16)]);
      const { nt } = ntlmv1(ntHash(ADMIN.password), flags, c.serverChallenge, lm);
      return ctx.step(b64(buildAuthenticate({ flags, lmChallengeResponse: lm, ntChallengeResponse: nt, domain: '', user: ADMIN.name, workstation: 'X', encryptedRandomSessionKey: Buffer.alloc(0), version: undefined, withMic: false })));
    };
    expect(v1(newContext(h))).toMatchObject({ kind: 'failure', reason: expect.stringContaining('NTLMv1') });
    expect(v1(newContext(h, { allowNtlmV1: true }))).toMatchObject({ kind: 'success' });
  });

  it('restarts the handshake when a new NEGOTIATE arrives mid-way', () => {
    const ctx = newContext(h);
    ctx.step(b64(initiator(ADMIN.name, '', ADMIN.password).negotiate()));
    expect(rawHandshake(ctx, initiator(ADMIN.name, '', ADMIN.password)).result.kind).toBe('success');
  });
});

describe('Negotiate, SPNEGO-wrapped NTLM (Windows, pypsrp)', () => {
  const h = host();

  function spnego(ctx: SyncContext, mechs: string[], optimistic: boolean, opts: { sendMic?: boolean; badMic?: boolean } = {}) {
    const client = initiator(ADMIN.name, '', ADMIN.password);
    const mechTypes = encodeMechTypes(mechs);
    const negotiate = client.negotiate();
    let first = parseNegTokenResp(continueToken(ctx.step(b64(encodeNegTokenInit(mechs, optimistic ? negotiate : undefined)))));
    const replies = [first];
    if (!first.responseToken) {
      first = parseNegTokenResp(continueToken(ctx.step(b64(encodeNegTokenResp({ responseToken: negotiate })))));
      replies.push(first);
    }
    const authenticate = client.authenticate(first.responseToken!);
    let mic: Buffer | undefined;
    if (opts.sendMic ?? true) {
      const saved = client.session!.snapshot();
      mic = client.session!.sign(mechTypes);
      client.session!.restore(saved);
      if (opts.badMic) mic[6]! ^= 1;
    }
    const final = ctx.step(b64(encodeNegTokenResp({ negState: NegState.acceptIncomplete, responseToken: authenticate, ...(mic ? { mechListMIC: mic } : {}) })));
    return { client, replies, final, mechTypes };
  }

  it('answers NegTokenInit([NTLM], NEGOTIATE) with NegTokenResp(accept-incomplete, NTLM, CHALLENGE)', () => {
    const { replies, final, client, mechTypes } = spnego(newContext(h), [OID.ntlm], true);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ negState: NegState.acceptIncomplete, supportedMech: OID.ntlm });
    expect(final.kind).toBe('success');
    if (final.kind !== 'success') return;
    // accept-completed with the server's mechListMIC, verifiable by the client at its seq 0.
    const done = parseNegTokenResp(unb64(final.responseToken!));
    expect(done.negState).toBe(NegState.acceptCompleted);
    const saved = client.session!.snapshot();
    expect(() => client.session!.verify(mechTypes, done.mechListMIC!)).not.toThrow();
    client.session!.restore(saved);
    // First sealed messages run at seq 1 both ways, on the keystream the MIC started from.
    const up = client.session!.seal(Buffer.from('hello'));
    expect(up.signature.readUInt32LE(12)).toBe(1);
    expect(final.security!.unwrap(up.signature, up.sealed).toString()).toBe('hello');
    const down = final.security!.wrap(Buffer.from('world'));
    expect(down.header.readUInt32LE(12)).toBe(1);
    expect(client.session!.unseal(down.data, down.header).toString()).toBe('world');
  });

  it('picks NTLM when Kerberos is offered first: request-mic, then the NTLM exchange', () => {
    const { replies, final } = spnego(newContext(h), [OID.msKrb5, OID.krb5, OID.ntlm], false);
    expect(replies[0]).toMatchObject({ negState: NegState.requestMic, supportedMech: OID.ntlm });
    expect(replies[0]!.responseToken).toBeUndefined();
    expect(replies[1]).toMatchObject({ negState: NegState.acceptIncomplete });
    expect(final.kind).toBe('success');
  });

  it('requires the mechListMIC when NTLM carried a MIC, and refuses a wrong one', () => {
    expect(spnego(newContext(h), [OID.ntlm], true, { sendMic: false }).final).toMatchObject({ kind: 'failure', reason: expect.stringContaining('mechListMIC missing') });
    expect(spnego(newContext(h), [OID.ntlm], true, { badMic: true }).final).toMatchObject({ kind: 'failure', reason: 'SPNEGO mechListMIC does not match' });
  });

  it('refuses a NegTokenInit without NTLM', () => {
    expect(newContext(h).step(b64(encodeNegTokenInit([OID.krb5])))).toMatchObject({ kind: 'failure', reason: expect.stringContaining('only NTLM') });
  });
});

describe('Negotiate over HTTPS: channel binding per CbtHardeningLevel', () => {
  const der = Buffer.from('not really a certificate, but any bytes hash');
  const TLS: ConnectionInfo = { ...HTTP, tls: true, serverCertificate: der };

  it('Relaxed: accepts no binding, refuses a wrong one', () => {
    const h = host();
    expect(rawHandshake(newContext(h, {}, TLS), initiator(ADMIN.name, '', ADMIN.password)).result.kind).toBe('success');
    const wrong = channelBindingsHash(Buffer.from('tls-server-end-point:other'));
    expect(rawHandshake(newContext(h, {}, TLS), initiator(ADMIN.name, '', ADMIN.password, { channelBindings: wrong })).result).toMatchObject({ kind: 'failure', reason: expect.stringContaining('channel binding') });
  });

  it('Strict: refuses a missing binding; None ignores a wrong one', () => {
    const strict = host({ winrm: { Service: { Auth: { CbtHardeningLevel: 'Strict' } } } });
    expect(rawHandshake(newContext(strict, {}, TLS), initiator(ADMIN.name, '', ADMIN.password)).result).toMatchObject({ kind: 'failure', reason: expect.stringContaining('Strict') });
    const none = host({ winrm: { Service: { Auth: { CbtHardeningLevel: 'None' } } } });
    const wrong = channelBindingsHash(Buffer.from('tls-server-end-point:other'));
    expect(rawHandshake(newContext(none, {}, TLS), initiator(ADMIN.name, '', ADMIN.password, { channelBindings: wrong })).result.kind).toBe('success');
  });
});

describe('account lockout (off by default)', () => {
  it('locks after the threshold within the window, refuses even the right password, unlocks after the duration', () => {
    const h = host();
    const clock = new Clock();
    const lockout = new AccountLockout({ threshold: 3, windowMs: 60_000, durationMs: 300_000, includeBuiltinAdministrator: true });
    const mech = createNegotiateMechanism({ lockout });
    const attempt = (password: string) => rawHandshake(sync(mech.createContext(h, HTTP, deps(clock))), initiator(ADMIN.name, '', password)).result;
    expect(attempt('bad-1').kind).toBe('failure');
    expect(attempt('bad-2').kind).toBe('failure');
    const third = attempt('bad-3');
    expect(third.kind === 'failure' && third.reason).toContain('now locked out');
    const locked = attempt(ADMIN.password);
    expect(locked.kind === 'failure' && locked.reason).toMatch(/is locked out for another 300 s/);
    clock.t += 300_001;
    expect(attempt(ADMIN.password).kind).toBe('success');
  });

  it('forgets failures older than the window and resets on success; exempts RID 500 unless included', () => {
    const h = host();
    const clock = new Clock();
    const lockout = new AccountLockout({ threshold: 2, windowMs: 10_000, durationMs: 60_000 });
    const mech = createNegotiateMechanism({ lockout });
    const attempt = (user: { name: string; password: string }) => rawHandshake(sync(mech.createContext(h, HTTP, deps(clock))), initiator(user.name, '', user.password)).result;
    const op = { name: 'operator', password: 'Emu-Operator-Passw0rd!' };
    expect(attempt({ ...op, password: 'x' }).kind).toBe('failure');
    clock.t += 10_000;
    expect(attempt({ ...op, password: 'x' }).kind).toBe('failure');
    expect(attempt(op).kind).toBe('success');
    expect(attempt({ ...op, password: 'x' }).kind).toBe('failure');
    expect(attempt(op).kind).toBe('success');
    for (let i = 0; i < 5; i++) attempt({ ...ADMIN, password: 'x' });
    expect(attempt(ADMIN).kind).toBe('success');
  });
});
