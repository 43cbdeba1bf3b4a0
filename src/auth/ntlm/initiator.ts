// An NTLMv2 initiator (client side), sans-I/O: what the tests, the benchmark and any future
// emulator-side client use to talk to the acceptor. Behaves like ntlm-auth/pyspnego: copies the
// CHALLENGE flags, echoes its AV pairs, adds MsvAvFlags=MIC when a timestamp came, and
// MsvAvChannelBindings when given (auth.md §2.2).
import { rc4 } from '../crypto/rc4.js';
import { hmacMd5, lmv2Response, ntlmv2Blob, ntowfv2 } from './crypto.js';
import {
  AV_FLAG_MIC,
  AvId,
  NegotiateFlags as F,
  buildAuthenticate,
  encodeAvPairs,
  fileTime,
  parseChallenge,
  type AvPair,
  type NtlmVersion,
} from './messages.js';
import { NtlmSession } from './session.js';

export interface NtlmInitiatorOptions {
  readonly user: string;
  readonly domain: string;
  readonly ntHash: Buffer;
  readonly workstation?: string;
  readonly now: () => number;
  readonly randomBytes: (n: number) => Buffer;
  /** NEGOTIATE flags; default UNICODE-capable, sign, seal, ESS, 128, KEY_EXCH, VERSION. */
  readonly flags?: number;
  /** 16-byte MsvAvChannelBindings value (see channelBindingsHash). */
  readonly channelBindings?: Buffer;
}

export const DEFAULT_INITIATOR_FLAGS =
  (F.UNICODE | F.OEM | F.REQUEST_TARGET | F.SIGN | F.SEAL | F.NTLM | F.ALWAYS_SIGN | F.EXTENDED_SESSIONSECURITY | F.VERSION | F.N128 | F.KEY_EXCH | F.N56) >>> 0;

const CLIENT_VERSION: NtlmVersion = { major: 10, minor: 0, build: 19041, revision: 15 };

export class NtlmInitiator {
  private negotiateMsg: Buffer | undefined;
  session: NtlmSession | undefined;

  constructor(private readonly opts: NtlmInitiatorOptions) {}

  negotiate(): Buffer {
    const flags = (this.opts.flags ?? DEFAULT_INITIATOR_FLAGS) >>> 0;
    const m = Buffer.alloc(40);
    m.write('NTLMSSP\0', 0, 'latin1');
    m.writeUInt32LE(1, 8);
    m.writeUInt32LE(flags, 12);
    m.writeUInt32LE(40, 20);
    m.writeUInt32LE(40, 28);
    Buffer.from([CLIENT_VERSION.major, CLIENT_VERSION.minor, CLIENT_VERSION.build & 0xff, CLIENT_VERSION.build >> 8, 0, 0, 0, 15]).copy(m, 32);
    this.negotiateMsg = m;
    return m;
  }

  authenticate(challengeBytes: Buffer): Buffer {
    if (!this.negotiateMsg) throw new Error('negotiate() first');
    const challenge = parseChallenge(challengeBytes);
    const flags = challenge.flags >>> 0;
    const timestamp = challenge.targetInfo.find((p) => p.id === AvId.Timestamp)?.value;
    const withMic = timestamp !== undefined;
    const pairs: AvPair[] = challenge.targetInfo.filter((p) => p.id !== AvId.Flags);
    if (withMic) {
      const v = Buffer.alloc(4);
      v.writeUInt32LE(AV_FLAG_MIC, 0);
      pairs.push({ id: AvId.Flags, value: v });
    }
    if (this.opts.channelBindings) pairs.push({ id: AvId.ChannelBindings, value: this.opts.channelBindings });
    const clientChallenge = this.opts.randomBytes(8);
    const blob = ntlmv2Blob(timestamp ?? fileTime(this.opts.now()), clientChallenge, encodeAvPairs(pairs));
    const responseKey = ntowfv2(this.opts.ntHash, this.opts.user, this.opts.domain);
    const proof = hmacMd5(responseKey, challenge.serverChallenge, blob);
    const keyExchangeKey = hmacMd5(responseKey, proof);
    let exportedSessionKey = keyExchangeKey;
    let encryptedKey: Buffer = Buffer.alloc(0);
    if (flags & F.KEY_EXCH && (flags & F.SIGN || flags & F.SEAL)) {
      exportedSessionKey = this.opts.randomBytes(16);
      encryptedKey = rc4(keyExchangeKey, exportedSessionKey);
    }
    const msg = buildAuthenticate({
      flags,
      lmChallengeResponse: withMic ? Buffer.alloc(24) : lmv2Response(responseKey, challenge.serverChallenge, clientChallenge),
      ntChallengeResponse: Buffer.concat([proof, blob]),
      domain: this.opts.domain,
      user: this.opts.user,
      workstation: this.opts.workstation ?? 'CLIENT',
      encryptedRandomSessionKey: encryptedKey,
      version: CLIENT_VERSION,
      withMic,
    });
    if (withMic) hmacMd5(exportedSessionKey, this.negotiateMsg, challengeBytes, msg).copy(msg, 72);
    this.session = new NtlmSession(flags, exportedSessionKey, 'initiator');
    return msg;
  }
}
