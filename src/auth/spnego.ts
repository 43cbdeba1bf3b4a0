// SPNEGO tokens (RFC 4178 §4.2, MS-SPNG) as WinRM's Negotiate scheme carries them (auth.md §2.7):
// the GSS InitialContextToken with a NegTokenInit from the client, NegTokenResp both ways.
import { DerError, decodeOid, encodeOid, readAll, readTlv, tlv } from './der.js';

export const OID = {
  spnego: '1.3.6.1.5.5.2',
  ntlm: '1.3.6.1.4.1.311.2.2.10',
  krb5: '1.2.840.113554.1.2.2',
  msKrb5: '1.2.840.48018.1.2.2',
  negoex: '1.3.6.1.4.1.311.2.2.30',
} as const;

export const NegState = { acceptCompleted: 0, acceptIncomplete: 1, reject: 2, requestMic: 3 } as const;
export type NegStateValue = (typeof NegState)[keyof typeof NegState];

export interface NegTokenInit {
  readonly mechTypes: string[];
  /** The DER MechTypeList exactly as received (`30 L …`): the mechListMIC covers these bytes. */
  readonly mechTypesDer: Buffer;
  readonly mechToken: Buffer | undefined;
  readonly mechListMIC: Buffer | undefined;
}

export interface NegTokenResp {
  readonly negState?: NegStateValue;
  readonly supportedMech?: string;
  readonly responseToken?: Buffer;
  readonly mechListMIC?: Buffer;
}

export type TokenKind = 'ntlm' | 'spnego-init' | 'spnego-resp' | 'kerberos' | 'unknown';

const NTLMSSP = Buffer.from('NTLMSSP\0', 'latin1');

/** What an `Authorization: Negotiate <b64>` token is, by its first bytes (auth.md §2.7 table). */
export function sniffToken(token: Buffer): TokenKind {
  if (token.length >= 8 && token.subarray(0, 8).equals(NTLMSSP)) return 'ntlm';
  if (token[0] === 0xa1) return 'spnego-resp';
  if (token[0] === 0x60 && token.length > 2) {
    // Skip the outer length without requiring the whole token (a truncated one still names its mech).
    const first = token[1]!;
    const at = first < 0x80 ? 2 : 2 + (first & 0x7f);
    try {
      const oid = readTlv(token, at);
      if (oid.tag !== 0x06) return 'unknown';
      const name = decodeOid(oid.value);
      if (name === OID.spnego) return 'spnego-init';
      if (name === OID.krb5 || name === OID.msKrb5) return 'kerberos';
    } catch {
      return 'unknown';
    }
  }
  return 'unknown';
}

function contextChildren(seq: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (const t of readAll(seq)) {
    if ((t.tag & 0xe0) !== 0xa0) throw new DerError(`unexpected tag 0x${t.tag.toString(16)} in a SPNEGO sequence`);
    out.set(t.tag & 0x1f, t.value);
  }
  return out;
}

function octetString(wrapped: Buffer | undefined): Buffer | undefined {
  if (wrapped === undefined) return undefined;
  const t = readTlv(wrapped);
  if (t.tag !== 0x04) throw new DerError('expected an OCTET STRING');
  return t.value;
}

/** Parses `60 L 06 06 <spnego> a0 L 30 L {…}` (the client's first token). */
export function parseNegTokenInit(token: Buffer): NegTokenInit {
  const outer = readTlv(token);
  if (outer.tag !== 0x60) throw new DerError('not a GSS InitialContextToken');
  const oid = readTlv(outer.value);
  if (oid.tag !== 0x06 || decodeOid(oid.value) !== OID.spnego) throw new DerError('InitialContextToken is not SPNEGO');
  const init = readTlv(outer.value, oid.end);
  if (init.tag !== 0xa0) throw new DerError('expected NegotiationToken [0] negTokenInit');
  const seq = readTlv(init.value);
  if (seq.tag !== 0x30) throw new DerError('negTokenInit is not a SEQUENCE');
  const fields = contextChildren(seq.value);
  const mechTypesWrapped = fields.get(0);
  if (!mechTypesWrapped) throw new DerError('negTokenInit has no mechTypes');
  const mechTypesTlv = readTlv(mechTypesWrapped);
  if (mechTypesTlv.tag !== 0x30) throw new DerError('mechTypes is not a SEQUENCE OF OID');
  const mechTypes = readAll(mechTypesTlv.value).map((t) => {
    if (t.tag !== 0x06) throw new DerError('mechTypes holds a non-OID');
    return decodeOid(t.value);
  });
  return { mechTypes, mechTypesDer: Buffer.from(mechTypesTlv.raw), mechToken: octetString(fields.get(2)), mechListMIC: octetString(fields.get(3)) };
}

export function parseNegTokenResp(token: Buffer): NegTokenResp {
  const outer = readTlv(token);
  if (outer.tag !== 0xa1) throw new DerError('not a NegTokenResp');
  const seq = readTlv(outer.value);
  if (seq.tag !== 0x30) throw new DerError('negTokenResp is not a SEQUENCE');
  const fields = contextChildren(seq.value);
  const out: { -readonly [K in keyof NegTokenResp]: NegTokenResp[K] } = {};
  const state = fields.get(0);
  if (state) {
    const e = readTlv(state);
    if (e.tag !== 0x0a || e.value.length !== 1) throw new DerError('negState is not a one-byte ENUMERATED');
    out.negState = e.value[0]! as NegStateValue;
  }
  const mech = fields.get(1);
  if (mech) out.supportedMech = decodeOid(readTlv(mech).value);
  const rt = octetString(fields.get(2));
  if (rt) out.responseToken = rt;
  const mic = octetString(fields.get(3));
  if (mic) out.mechListMIC = mic;
  return out;
}

export function encodeNegTokenResp(r: NegTokenResp): Buffer {
  const parts: Buffer[] = [];
  if (r.negState !== undefined) parts.push(tlv(0xa0, tlv(0x0a, Buffer.from([r.negState]))));
  if (r.supportedMech !== undefined) parts.push(tlv(0xa1, encodeOid(r.supportedMech)));
  if (r.responseToken !== undefined) parts.push(tlv(0xa2, tlv(0x04, r.responseToken)));
  if (r.mechListMIC !== undefined) parts.push(tlv(0xa3, tlv(0x04, r.mechListMIC)));
  return tlv(0xa1, tlv(0x30, ...parts));
}

/** The MechTypeList DER for a list of OIDs. */
export function encodeMechTypes(mechs: readonly string[]): Buffer {
  return tlv(0x30, ...mechs.map(encodeOid));
}

/** A client's first token (for tests and the emulator's own clients). */
export function encodeNegTokenInit(mechs: readonly string[], mechToken?: Buffer, mechListMIC?: Buffer): Buffer {
  const parts = [tlv(0xa0, encodeMechTypes(mechs))];
  if (mechToken) parts.push(tlv(0xa2, tlv(0x04, mechToken)));
  if (mechListMIC) parts.push(tlv(0xa3, tlv(0x04, mechListMIC)));
  return tlv(0x60, encodeOid(OID.spnego), tlv(0xa0, tlv(0x30, ...parts)));
}
