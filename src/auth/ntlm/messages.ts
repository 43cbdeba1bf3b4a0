// NTLM message layouts (MS-NLMP 2.2.1, auth.md §2.1): parsing what clients send and building
// what the acceptor sends, over the exact bytes (the MIC covers them, auth.md §2.4 step 9).
// Every field descriptor is bounds-checked; malformed input raises NtlmMessageError.

export const NTLMSSP_SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

/** NegotiateFlags [MS-NLMP 2.2.2.5]. */
export const NegotiateFlags = {
  UNICODE: 0x00000001,
  OEM: 0x00000002,
  REQUEST_TARGET: 0x00000004,
  SIGN: 0x00000010,
  SEAL: 0x00000020,
  DATAGRAM: 0x00000040,
  LM_KEY: 0x00000080,
  NTLM: 0x00000200,
  ANONYMOUS: 0x00000800,
  OEM_DOMAIN_SUPPLIED: 0x00001000,
  OEM_WORKSTATION_SUPPLIED: 0x00002000,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  TARGET_TYPE_SERVER: 0x00020000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  IDENTIFY: 0x00100000,
  REQUEST_NON_NT_SESSION_KEY: 0x00400000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  N128: 0x20000000,
  KEY_EXCH: 0x40000000,
  N56: 0x80000000,
} as const;

/** AV_PAIR ids [MS-NLMP 2.2.2.1]. */
export const AvId = {
  EOL: 0,
  NbComputerName: 1,
  NbDomainName: 2,
  DnsComputerName: 3,
  DnsDomainName: 4,
  DnsTreeName: 5,
  Flags: 6,
  Timestamp: 7,
  SingleHost: 8,
  TargetName: 9,
  ChannelBindings: 10,
} as const;

/** MsvAvFlags bit: the AUTHENTICATE carries a MIC. */
export const AV_FLAG_MIC = 0x2;

export class NtlmMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NtlmMessageError';
  }
}

export interface AvPair {
  readonly id: number;
  readonly value: Buffer;
}

export interface NtlmVersion {
  readonly major: number;
  readonly minor: number;
  readonly build: number;
  /** NTLMSSP_REVISION_W2K3 = 15. */
  readonly revision: number;
}

export interface NegotiateMessage {
  readonly flags: number;
  readonly domain: string;
  readonly workstation: string;
  readonly version: NtlmVersion | undefined;
  readonly raw: Buffer;
}

export interface ChallengeMessage {
  readonly flags: number;
  readonly serverChallenge: Buffer;
  readonly targetName: string;
  readonly targetInfo: AvPair[];
  readonly targetInfoRaw: Buffer;
  readonly version: NtlmVersion | undefined;
  readonly raw: Buffer;
}

export interface AuthenticateMessage {
  readonly flags: number;
  readonly lmChallengeResponse: Buffer;
  readonly ntChallengeResponse: Buffer;
  readonly domain: string;
  readonly user: string;
  readonly workstation: string;
  readonly encryptedRandomSessionKey: Buffer;
  readonly version: NtlmVersion | undefined;
  /** Lowest payload offset: a MIC at 72..88 is only possible when this is ≥ 88. */
  readonly payloadStart: number;
  readonly raw: Buffer;
}

/** The NTLM message type (1, 2, 3) of `buf`, or undefined when it is not NTLMSSP. */
export function ntlmMessageType(buf: Buffer): number | undefined {
  if (buf.length < 12 || !buf.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) return undefined;
  return buf.readUInt32LE(8);
}

function expectType(buf: Buffer, type: number, minLength: number, name: string): void {
  const t = ntlmMessageType(buf);
  if (t === undefined) throw new NtlmMessageError(`not an NTLMSSP message (${buf.length} bytes)`);
  if (t !== type) throw new NtlmMessageError(`expected NTLM ${name} (type ${type}), got type ${t}`);
  if (buf.length < minLength) throw new NtlmMessageError(`NTLM ${name} of ${buf.length} bytes is shorter than its ${minLength}-byte header`);
}

interface Field {
  readonly value: Buffer;
  readonly offset: number;
}

function readField(buf: Buffer, at: number, name: string): Field {
  const len = buf.readUInt16LE(at);
  const offset = buf.readUInt32LE(at + 4);
  if (len === 0) return { value: Buffer.alloc(0), offset: Number.POSITIVE_INFINITY };
  if (offset + len > buf.length) throw new NtlmMessageError(`${name} (${len} bytes at ${offset}) runs past the end of the ${buf.length}-byte message`);
  return { value: buf.subarray(offset, offset + len), offset };
}

function readVersion(buf: Buffer, at: number): NtlmVersion {
  return { major: buf[at]!, minor: buf[at + 1]!, build: buf.readUInt16LE(at + 2), revision: buf[at + 7]! };
}

export function encodeVersion(v: NtlmVersion): Buffer {
  const b = Buffer.alloc(8);
  b[0] = v.major;
  b[1] = v.minor;
  b.writeUInt16LE(v.build & 0xffff, 2);
  b[7] = v.revision;
  return b;
}

/** `10.0.17763` → Windows' VERSION structure (revision 15). */
export function versionFromOs(os: string): NtlmVersion {
  const [major, minor, build] = os.split('.').map((p) => Number.parseInt(p, 10));
  return { major: (major ?? 10) & 0xff, minor: (minor ?? 0) & 0xff, build: build ?? 0, revision: 15 };
}

/** Text fields: UTF-16LE when UNICODE was negotiated, else OEM (read as latin1). */
function decodeText(b: Buffer, flags: number): string {
  return flags & NegotiateFlags.UNICODE ? b.toString('utf16le') : b.toString('latin1');
}

function encodeText(s: string, flags: number): Buffer {
  return flags & NegotiateFlags.UNICODE ? Buffer.from(s, 'utf16le') : Buffer.from(s, 'latin1');
}

export function parseNegotiate(buf: Buffer): NegotiateMessage {
  expectType(buf, 1, 16, 'NEGOTIATE');
  const flags = buf.readUInt32LE(12);
  // Domain and workstation descriptors and the version are optional in old clients.
  let domain = '';
  let workstation = '';
  let version: NtlmVersion | undefined;
  if (buf.length >= 32) {
    if (flags & NegotiateFlags.OEM_DOMAIN_SUPPLIED) domain = readField(buf, 16, 'DomainName').value.toString('latin1');
    if (flags & NegotiateFlags.OEM_WORKSTATION_SUPPLIED) workstation = readField(buf, 24, 'Workstation').value.toString('latin1');
  }
  if (flags & NegotiateFlags.VERSION && buf.length >= 40) version = readVersion(buf, 32);
  return { flags, domain, workstation, version, raw: buf };
}

export function parseAvPairs(buf: Buffer): AvPair[] {
  const out: AvPair[] = [];
  let off = 0;
  for (;;) {
    if (off + 4 > buf.length) throw new NtlmMessageError('AV pair list is not terminated by MsvAvEOL');
    const id = buf.readUInt16LE(off);
    const len = buf.readUInt16LE(off + 2);
    if (off + 4 + len > buf.length) throw new NtlmMessageError(`AV pair ${id} (${len} bytes) runs past the end of the list`);
    if (id === AvId.EOL) return out;
    out.push({ id, value: buf.subarray(off + 4, off + 4 + len) });
    off += 4 + len;
  }
}

export function encodeAvPairs(pairs: readonly AvPair[]): Buffer {
  const parts: Buffer[] = [];
  for (const p of pairs) {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(p.id, 0);
    h.writeUInt16LE(p.value.length, 2);
    parts.push(h, p.value);
  }
  parts.push(Buffer.alloc(4)); // MsvAvEOL
  return Buffer.concat(parts);
}

export function avString(s: string): Buffer {
  return Buffer.from(s, 'utf16le');
}

/** FILETIME (100 ns since 1601-01-01 UTC) for a JavaScript time in ms, u64 LE. */
export function fileTime(ms: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE((BigInt(Math.round(ms)) + 11644473600000n) * 10000n);
  return b;
}

export function fileTimeToMs(b: Buffer): number {
  return Number(b.readBigUInt64LE(0) / 10000n - 11644473600000n);
}

export interface ChallengeSpec {
  readonly flags: number;
  readonly serverChallenge: Buffer;
  readonly targetName: string;
  readonly targetInfo: readonly AvPair[];
  readonly version: NtlmVersion;
}

/** CHALLENGE_MESSAGE with the version and payload in Windows' order: TargetName, TargetInfo. */
export function buildChallenge(spec: ChallengeSpec): Buffer {
  const targetName = spec.flags & NegotiateFlags.REQUEST_TARGET ? encodeText(spec.targetName, spec.flags) : Buffer.alloc(0);
  const targetInfo = spec.flags & NegotiateFlags.TARGET_INFO ? encodeAvPairs(spec.targetInfo) : Buffer.alloc(0);
  const header = Buffer.alloc(56);
  NTLMSSP_SIGNATURE.copy(header, 0);
  header.writeUInt32LE(2, 8);
  header.writeUInt16LE(targetName.length, 12);
  header.writeUInt16LE(targetName.length, 14);
  header.writeUInt32LE(56, 16);
  header.writeUInt32LE(spec.flags >>> 0, 20);
  spec.serverChallenge.copy(header, 24, 0, 8);
  header.writeUInt16LE(targetInfo.length, 40);
  header.writeUInt16LE(targetInfo.length, 42);
  header.writeUInt32LE(56 + targetName.length, 44);
  encodeVersion(spec.version).copy(header, 48);
  return Buffer.concat([header, targetName, targetInfo]);
}

export function parseChallenge(buf: Buffer): ChallengeMessage {
  expectType(buf, 2, 32, 'CHALLENGE');
  const flags = buf.readUInt32LE(20);
  const targetName = readField(buf, 12, 'TargetName');
  let targetInfoRaw: Buffer = Buffer.alloc(0);
  let version: NtlmVersion | undefined;
  if (buf.length >= 48) targetInfoRaw = readField(buf, 40, 'TargetInfo').value;
  if (flags & NegotiateFlags.VERSION && buf.length >= 56) version = readVersion(buf, 48);
  return {
    flags,
    serverChallenge: Buffer.from(buf.subarray(24, 32)),
    targetName: decodeText(targetName.value, flags),
    targetInfo: targetInfoRaw.length ? parseAvPairs(targetInfoRaw) : [],
    targetInfoRaw,
    version,
    raw: buf,
  };
}

export function parseAuthenticate(buf: Buffer): AuthenticateMessage {
  expectType(buf, 3, 64, 'AUTHENTICATE');
  const flags = buf.readUInt32LE(60);
  const lm = readField(buf, 12, 'LmChallengeResponse');
  const nt = readField(buf, 20, 'NtChallengeResponse');
  const domain = readField(buf, 28, 'DomainName');
  const user = readField(buf, 36, 'UserName');
  const ws = readField(buf, 44, 'Workstation');
  const key = readField(buf, 52, 'EncryptedRandomSessionKey');
  const payloadStart = Math.min(lm.offset, nt.offset, domain.offset, user.offset, ws.offset, key.offset, buf.length);
  const version = flags & NegotiateFlags.VERSION && payloadStart >= 72 ? readVersion(buf, 64) : undefined;
  return {
    flags,
    lmChallengeResponse: lm.value,
    ntChallengeResponse: nt.value,
    domain: decodeText(domain.value, flags),
    user: decodeText(user.value, flags),
    workstation: decodeText(ws.value, flags),
    encryptedRandomSessionKey: key.value,
    version,
    payloadStart,
    raw: buf,
  };
}

export interface AuthenticateSpec {
  readonly flags: number;
  readonly lmChallengeResponse: Buffer;
  readonly ntChallengeResponse: Buffer;
  readonly domain: string;
  readonly user: string;
  readonly workstation: string;
  readonly encryptedRandomSessionKey: Buffer;
  readonly version: NtlmVersion | undefined;
  /** Reserve 16 bytes for a MIC at offset 72 (filled later with `setMic`). */
  readonly withMic: boolean;
}

/** AUTHENTICATE_MESSAGE as Windows lays it out (payload: LM, NT, domain, user, workstation, key). */
export function buildAuthenticate(spec: AuthenticateSpec): Buffer {
  const headerLen = spec.withMic ? 88 : spec.version ? 72 : 64;
  const fields = [
    spec.lmChallengeResponse,
    spec.ntChallengeResponse,
    encodeText(spec.domain, spec.flags),
    encodeText(spec.user, spec.flags),
    encodeText(spec.workstation, spec.flags),
    spec.encryptedRandomSessionKey,
  ];
  const header = Buffer.alloc(headerLen);
  NTLMSSP_SIGNATURE.copy(header, 0);
  header.writeUInt32LE(3, 8);
  let offset = headerLen;
  fields.forEach((f, k) => {
    const at = 12 + k * 8;
    header.writeUInt16LE(f.length, at);
    header.writeUInt16LE(f.length, at + 2);
    header.writeUInt32LE(offset, at + 4);
    offset += f.length;
  });
  header.writeUInt32LE(spec.flags >>> 0, 60);
  if (headerLen >= 72 && spec.version) encodeVersion(spec.version).copy(header, 64);
  return Buffer.concat([header, ...fields]);
}
