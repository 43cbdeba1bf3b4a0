// The NTLM acceptor (auth.md §2.3–§2.6; MS-NLMP 3.2.5): NEGOTIATE → CHALLENGE, then AUTHENTICATE
// validated against an NT hash. Sans-I/O: time and randomness come in through the options, the
// account lookup and lockout are the caller's (src/auth/negotiate.ts), so this class only knows
// NTLM.
import { timingSafeEqual } from 'node:crypto';
import { rc4 } from '../crypto/rc4.js';
import { hmacMd5, ntlmv1, ntowfv2 } from './crypto.js';
import {
  AV_FLAG_MIC,
  AvId,
  NegotiateFlags as F,
  avString,
  buildChallenge,
  fileTime,
  parseAuthenticate,
  parseAvPairs,
  parseChallenge,
  parseNegotiate,
  type AuthenticateMessage,
  type AvPair,
  type NegotiateMessage,
  type NtlmVersion,
} from './messages.js';
import { NtlmSession } from './session.js';

/** What the CHALLENGE says about the server (auth.md §2.3). */
export interface NtlmTarget {
  /** NetBIOS computer name (MsvAvNbComputerName), upper case. */
  readonly computerName: string;
  /** MsvAvDnsComputerName. */
  readonly dnsComputerName: string;
  /**
   * A domain member answers with its NetBIOS domain as TargetName and TARGET_TYPE_DOMAIN; a
   * workgroup host (undefined) with its computer name everywhere and TARGET_TYPE_SERVER.
   */
  readonly domain?: { readonly netbiosName: string; readonly dnsName: string; readonly dnsTreeName: string };
  readonly version: NtlmVersion;
}

export interface NtlmAcceptorOptions {
  readonly target: NtlmTarget;
  readonly now: () => number;
  readonly randomBytes: (n: number) => Buffer;
}

export type ChannelBindingLevel = 'None' | 'Relaxed' | 'Strict';

export interface VerifyOptions {
  readonly allowNtlmV1: boolean;
  /** HTTPS only: the CbtHardeningLevel and the expected MsvAvChannelBindings (auth.md §2.6). */
  readonly channelBinding?: { readonly level: ChannelBindingLevel; readonly expected: Buffer | undefined };
}

/** The AUTHENTICATE, read and classified before any account is looked up. */
export type AuthenticateInput =
  | { readonly kind: 'anonymous'; readonly message: AuthenticateMessage }
  | { readonly kind: 'ntlmv1' | 'ntlmv2'; readonly message: AuthenticateMessage; readonly avPairs: AvPair[] }
  | { readonly kind: 'lm-only'; readonly message: AuthenticateMessage };

export type VerifyResult =
  | { readonly ok: true; readonly session: NtlmSession; readonly flags: number; readonly exportedSessionKey: Buffer; readonly micPresent: boolean; readonly version: 'NTLMv1' | 'NTLMv2' }
  | { readonly ok: false; readonly code: 'bad-response' | 'ntlmv1-refused' | 'mic' | 'channel-binding' | 'malformed'; readonly reason: string };

export class NtlmProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NtlmProtocolError';
  }
}

const KEEP_FROM_CLIENT = F.SIGN | F.SEAL | F.EXTENDED_SESSIONSECURITY | F.N128 | F.N56 | F.KEY_EXCH | F.VERSION | F.IDENTIFY;

/** The CHALLENGE flags for a client's NEGOTIATE flags (auth.md §2.3, MS-NLMP 3.2.5.1.1). */
export function challengeFlags(client: number, domainMember: boolean): number {
  let flags = client & KEEP_FROM_CLIENT;
  flags |= client & F.UNICODE ? F.UNICODE : F.OEM;
  flags |= F.REQUEST_TARGET | F.NTLM | F.ALWAYS_SIGN | F.TARGET_INFO;
  flags |= domainMember ? F.TARGET_TYPE_DOMAIN : F.TARGET_TYPE_SERVER;
  return flags >>> 0;
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export class NtlmAcceptor {
  private negotiateMsg: NegotiateMessage | undefined;
  private challengeMsg: Buffer | undefined;
  private serverChallenge: Buffer | undefined;

  constructor(private readonly opts: NtlmAcceptorOptions) {}

  /** The CHALLENGE bytes for a NEGOTIATE, kept (with the NEGOTIATE) for the MIC. */
  acceptNegotiate(token: Buffer): Buffer {
    const negotiate = parseNegotiate(token);
    const { target } = this.opts;
    const flags = challengeFlags(negotiate.flags, target.domain !== undefined);
    const serverChallenge = this.opts.randomBytes(8);
    const nbDomain = target.domain?.netbiosName ?? target.computerName;
    const dnsDomain = target.domain?.dnsName ?? target.dnsComputerName;
    // Windows' order [O] pyspnego sspi_ntlm.md: 2, 1, 4, 3, (5), 7.
    const info: AvPair[] = [
      { id: AvId.NbDomainName, value: avString(nbDomain) },
      { id: AvId.NbComputerName, value: avString(target.computerName) },
      { id: AvId.DnsDomainName, value: avString(dnsDomain) },
      { id: AvId.DnsComputerName, value: avString(target.dnsComputerName) },
    ];
    if (target.domain) info.push({ id: AvId.DnsTreeName, value: avString(target.domain.dnsTreeName) });
    info.push({ id: AvId.Timestamp, value: fileTime(this.opts.now()) });
    const challenge = buildChallenge({ flags, serverChallenge, targetName: nbDomain, targetInfo: info, version: target.version });
    this.negotiateMsg = negotiate;
    this.challengeMsg = challenge;
    this.serverChallenge = serverChallenge;
    return challenge;
  }

  /**
   * Resume from a NEGOTIATE and CHALLENGE exchanged elsewhere (replaying recorded Windows
   * traffic, auth.md Appendix B): the next AUTHENTICATE is checked against these exact bytes.
   */
  adoptChallenge(negotiate: Buffer, challenge: Buffer): void {
    this.negotiateMsg = parseNegotiate(negotiate);
    this.challengeMsg = challenge;
    this.serverChallenge = Buffer.from(parseChallenge(challenge).serverChallenge);
  }

  get expectingAuthenticate(): boolean {
    return this.challengeMsg !== undefined;
  }

  /** Parse and classify (auth.md §2.4 steps 1–3). Throws NtlmMessageError on malformed input. */
  readAuthenticate(token: Buffer): AuthenticateInput {
    if (!this.challengeMsg) throw new NtlmProtocolError('AUTHENTICATE before NEGOTIATE on this connection');
    const message = parseAuthenticate(token);
    const nt = message.ntChallengeResponse;
    const lm = message.lmChallengeResponse;
    if (message.user === '' && nt.length === 0 && (lm.length === 0 || (lm.length === 1 && lm[0] === 0))) return { kind: 'anonymous', message };
    if (nt.length === 0) return { kind: 'lm-only', message };
    if (nt.length === 24) return { kind: 'ntlmv1', message, avPairs: [] };
    if (nt.length < 16 + 28 + 4) throw new NtlmProtocolError(`NtChallengeResponse of ${nt.length} bytes is neither NTLMv1 nor NTLMv2`);
    // NTLMv2_CLIENT_CHALLENGE: AV pairs start 28 bytes into the blob [MS-NLMP 2.2.2.7].
    const avPairs = parseAvPairs(nt.subarray(16 + 28));
    return { kind: 'ntlmv2', message, avPairs };
  }

  /** Validate against the account's NT hash (auth.md §2.4 steps 5–10). */
  verify(input: Exclude<AuthenticateInput, { kind: 'anonymous' | 'lm-only' }>, ntHash: Buffer, opts: VerifyOptions): VerifyResult {
    const { message } = input;
    const serverChallenge = this.serverChallenge!;
    let keyExchangeKey: Buffer;
    if (input.kind === 'ntlmv1') {
      if (!opts.allowNtlmV1) return { ok: false, code: 'ntlmv1-refused', reason: 'NTLMv1 response refused (LAN Manager authentication level: NTLMv2 only)' };
      const v1 = ntlmv1(ntHash, message.flags, serverChallenge, message.lmChallengeResponse);
      if (!safeEqual(v1.nt, message.ntChallengeResponse)) return { ok: false, code: 'bad-response', reason: 'NTLMv1 response does not match' };
      keyExchangeKey = v1.keyExchangeKey;
    } else {
      const proof = message.ntChallengeResponse.subarray(0, 16);
      const blob = message.ntChallengeResponse.subarray(16);
      // NTOWFv2 with the domain as received, then once with an empty domain [MS-NLMP 3.2.5.1.2].
      let matched: Buffer | undefined;
      for (const domain of message.domain === '' ? [''] : [message.domain, '']) {
        const key = ntowfv2(ntHash, message.user, domain);
        if (safeEqual(hmacMd5(key, serverChallenge, blob), proof)) {
          matched = key;
          break;
        }
      }
      if (!matched) return { ok: false, code: 'bad-response', reason: 'NTLMv2 response does not match' };
      keyExchangeKey = hmacMd5(matched, proof); // SessionBaseKey = KeyExchangeKey for v2
    }

    const flags = message.flags;
    let exportedSessionKey = keyExchangeKey;
    if (flags & F.KEY_EXCH && (flags & F.SIGN || flags & F.SEAL)) {
      if (message.encryptedRandomSessionKey.length !== 16) return { ok: false, code: 'malformed', reason: `KEY_EXCH without a 16-byte EncryptedRandomSessionKey (${message.encryptedRandomSessionKey.length} bytes)` };
      exportedSessionKey = rc4(keyExchangeKey, message.encryptedRandomSessionKey);
    }

    let micPresent = false;
    if (input.kind === 'ntlmv2') {
      const avFlags = input.avPairs.find((p) => p.id === AvId.Flags);
      micPresent = avFlags !== undefined && avFlags.value.length >= 4 && (avFlags.value.readUInt32LE(0) & AV_FLAG_MIC) !== 0;
      if (micPresent) {
        if (message.payloadStart < 88 || message.raw.length < 88) return { ok: false, code: 'malformed', reason: 'MsvAvFlags announces a MIC but the AUTHENTICATE has no room for one' };
        const received = Buffer.from(message.raw.subarray(72, 88));
        const zeroed = Buffer.from(message.raw);
        zeroed.fill(0, 72, 88);
        const mic = hmacMd5(exportedSessionKey, this.negotiateMsg!.raw, this.challengeMsg!, zeroed);
        if (!safeEqual(mic, received)) return { ok: false, code: 'mic', reason: 'MIC in the AUTHENTICATE does not match' };
      }
      const cb = opts.channelBinding;
      if (cb && cb.level !== 'None') {
        const sent = input.avPairs.find((p) => p.id === AvId.ChannelBindings)?.value;
        const unbound = sent === undefined || sent.every((b) => b === 0);
        if (unbound) {
          if (cb.level === 'Strict') return { ok: false, code: 'channel-binding', reason: 'no channel binding token over HTTPS while CbtHardeningLevel is Strict' };
        } else if (cb.expected === undefined || !safeEqual(sent, cb.expected)) {
          return { ok: false, code: 'channel-binding', reason: 'channel binding token does not match the listener certificate' };
        }
      }
    } else if (opts.channelBinding?.level === 'Strict') {
      return { ok: false, code: 'channel-binding', reason: 'NTLMv1 carries no channel binding token and CbtHardeningLevel is Strict' };
    }

    this.negotiateMsg = undefined;
    this.challengeMsg = undefined;
    this.serverChallenge = undefined;
    return { ok: true, session: new NtlmSession(flags, exportedSessionKey, 'acceptor'), flags, exportedSessionKey, micPresent, version: input.kind === 'ntlmv1' ? 'NTLMv1' : 'NTLMv2' };
  }
}
