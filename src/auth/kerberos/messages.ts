// The Kerberos messages a WinRM context carries (RFC 4120 §5.5, RFC 4121 §4.1), read only as far
// as the emulator needs them: the service principal and encrypted parts of an AP-REQ, the session
// key in the ticket, the subkey, sequence number and GSS checksum (flags) in the authenticator, and
// the acceptor's subkey and sequence number in the AP-REP. MIT GSSAPI has already validated all of
// it (times, replay, checksum); this module only reads keys (docs/decisions/0003-kerberos-wrap.md).
import { DerError, decodeOid, readAll, readTlv, tlv, encodeOid, type Tlv } from '../der.js';
import { decrypt, type EncryptionKey } from './crypto.js';

export const KRB5_OID = '1.2.840.113554.1.2.2';
export const MS_KRB5_OID = '1.2.840.48018.1.2.2';

/** RFC 4120 §7.5.1 key usages. */
export const KEY_USAGE = { ticket: 2, apReqAuthenticator: 11, apRepEncPart: 12, krbCred: 14 } as const;

/** GSS flags carried in the authenticator checksum (RFC 4121 §4.1.1.1). */
export const GSS_FLAG = { deleg: 1, mutual: 2, replay: 4, sequence: 8, conf: 16, integ: 32, dceStyle: 0x1000 } as const;

export interface EncryptedData {
  readonly etype: number;
  readonly kvno: number | undefined;
  readonly cipher: Buffer;
}

export interface PrincipalName {
  readonly nameType: number;
  readonly components: readonly string[];
}

export interface ApReq {
  readonly apOptions: number;
  readonly ticket: { readonly realm: string; readonly sname: PrincipalName; readonly encPart: EncryptedData };
  readonly authenticator: EncryptedData;
}

export interface EncTicketPart {
  readonly key: EncryptionKey;
  readonly crealm: string;
  readonly cname: PrincipalName;
}

export interface Authenticator {
  readonly crealm: string;
  readonly cname: PrincipalName;
  readonly checksum: { readonly type: number; readonly value: Buffer } | undefined;
  readonly subkey: EncryptionKey | undefined;
  readonly seqNumber: number | undefined;
}

export interface EncApRepPart {
  readonly subkey: EncryptionKey | undefined;
  readonly seqNumber: number | undefined;
}

/** A krb5 GSS context token: `60 L 06 09 <krb5 OID> <TOK_ID 2 bytes> <Kerberos message>`. */
export interface Krb5Token {
  readonly oid: string;
  /** 0x0100 AP-REQ, 0x0200 AP-REP, 0x0300 KRB-ERROR. */
  readonly tokId: number;
  readonly message: Buffer;
}

export const TOK_ID = { apReq: 0x0100, apRep: 0x0200, error: 0x0300 } as const;

/** Strips the RFC 2743 §3.1 framing of a krb5 mechanism token. */
export function parseKrb5Token(token: Buffer): Krb5Token {
  const outer = readTlv(token);
  if (outer.tag !== 0x60) throw new DerError('not a GSS InitialContextToken (0x60)');
  const oid = readTlv(outer.value);
  if (oid.tag !== 0x06) throw new DerError('GSS token without a mechanism OID');
  const name = decodeOid(oid.value);
  if (name !== KRB5_OID && name !== MS_KRB5_OID) throw new DerError(`GSS token for ${name}, not Kerberos`);
  const rest = outer.value.subarray(oid.end);
  if (rest.length < 3) throw new DerError('krb5 GSS token without a TOK_ID');
  return { oid: name, tokId: rest.readUInt16BE(0), message: rest.subarray(2) };
}

export function buildKrb5Token(tokId: number, message: Buffer, oid: string = KRB5_OID): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(tokId, 0);
  return tlv(0x60, encodeOid(oid), id, message);
}

// ---- DER helpers ------------------------------------------------------------------------------

function fields(seqValue: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (const t of readAll(seqValue)) {
    if ((t.tag & 0xe0) !== 0xa0) throw new DerError(`unexpected tag 0x${t.tag.toString(16)} in a Kerberos SEQUENCE`);
    out.set(t.tag & 0x1f, t.value);
  }
  return out;
}

function application(buf: Buffer, number: number, what: string): Map<number, Buffer> {
  const outer = readTlv(buf);
  if (outer.tag !== (0x60 | number)) throw new DerError(`expected ${what} ([APPLICATION ${number}]), got tag 0x${outer.tag.toString(16)}`);
  return sequence(outer.value, what);
}

function sequence(buf: Buffer, what: string): Map<number, Buffer> {
  const seq = readTlv(buf);
  if (seq.tag !== 0x30) throw new DerError(`${what} is not a SEQUENCE`);
  return fields(seq.value);
}

function need(m: Map<number, Buffer>, n: number, what: string): Buffer {
  const v = m.get(n);
  if (v === undefined) throw new DerError(`${what} has no [${n}]`);
  return v;
}

function integer(wrapped: Buffer): number {
  const t = readTlv(wrapped);
  if (t.tag !== 0x02 || t.value.length === 0 || t.value.length > 5) throw new DerError('expected a 32-bit INTEGER');
  let v = t.value[0]! & 0x80 ? -1 : 0;
  for (const b of t.value) v = v * 256 + b;
  // seq-numbers are UInt32, but old encoders sent them as negative Int32: read both as unsigned.
  return v < 0 ? v + 2 ** 32 : v;
}

function octets(wrapped: Buffer): Buffer {
  const t = readTlv(wrapped);
  if (t.tag !== 0x04) throw new DerError('expected an OCTET STRING');
  return Buffer.from(t.value);
}

function kstring(wrapped: Buffer): string {
  const t: Tlv = readTlv(wrapped);
  if (t.tag !== 0x1b && t.tag !== 0x0c && t.tag !== 0x16) throw new DerError('expected a KerberosString');
  return t.value.toString('utf8');
}

function principal(wrapped: Buffer): PrincipalName {
  const m = sequence(wrapped, 'PrincipalName');
  const list = readTlv(need(m, 1, 'PrincipalName'));
  if (list.tag !== 0x30) throw new DerError('name-string is not a SEQUENCE OF');
  return { nameType: integer(need(m, 0, 'PrincipalName')), components: readAll(list.value).map((t) => kstring(t.raw)) };
}

function encryptedData(wrapped: Buffer): EncryptedData {
  const m = sequence(wrapped, 'EncryptedData');
  const kvno = m.get(1);
  return { etype: integer(need(m, 0, 'EncryptedData')), kvno: kvno === undefined ? undefined : integer(kvno), cipher: octets(need(m, 2, 'EncryptedData')) };
}

function encryptionKey(wrapped: Buffer): EncryptionKey {
  const m = sequence(wrapped, 'EncryptionKey');
  return { etype: integer(need(m, 0, 'EncryptionKey')), value: octets(need(m, 1, 'EncryptionKey')) };
}

// ---- messages ---------------------------------------------------------------------------------

export function parseApReq(der: Buffer): ApReq {
  const m = application(der, 14, 'AP-REQ');
  const options = readTlv(need(m, 2, 'AP-REQ'));
  if (options.tag !== 0x03) throw new DerError('ap-options is not a BIT STRING');
  const bits = options.value.subarray(1);
  const apOptions = bits.length >= 4 ? bits.readUInt32BE(0) : 0;
  const t = application(need(m, 3, 'AP-REQ'), 1, 'Ticket');
  return {
    apOptions,
    ticket: { realm: kstring(need(t, 1, 'Ticket')), sname: principal(need(t, 2, 'Ticket')), encPart: encryptedData(need(t, 3, 'Ticket')) },
    authenticator: encryptedData(need(m, 4, 'AP-REQ')),
  };
}

export function parseApRep(der: Buffer): EncryptedData {
  const m = application(der, 15, 'AP-REP');
  return encryptedData(need(m, 2, 'AP-REP'));
}

export function decryptTicket(ticketKey: EncryptionKey, enc: EncryptedData): EncTicketPart {
  const m = application(decrypt(ticketKey, KEY_USAGE.ticket, enc.cipher), 3, 'EncTicketPart');
  return { key: encryptionKey(need(m, 1, 'EncTicketPart')), crealm: kstring(need(m, 2, 'EncTicketPart')), cname: principal(need(m, 3, 'EncTicketPart')) };
}

export function decryptAuthenticator(sessionKey: EncryptionKey, enc: EncryptedData): Authenticator {
  const m = application(decrypt(sessionKey, KEY_USAGE.apReqAuthenticator, enc.cipher), 2, 'Authenticator');
  const ck = m.get(3);
  let checksum: Authenticator['checksum'];
  if (ck !== undefined) {
    const c = sequence(ck, 'Checksum');
    checksum = { type: integer(need(c, 0, 'Checksum')), value: octets(need(c, 1, 'Checksum')) };
  }
  const sub = m.get(6);
  const seq = m.get(7);
  return {
    crealm: kstring(need(m, 1, 'Authenticator')),
    cname: principal(need(m, 2, 'Authenticator')),
    checksum,
    subkey: sub === undefined ? undefined : encryptionKey(sub),
    seqNumber: seq === undefined ? undefined : integer(seq),
  };
}

export function decryptApRepPart(sessionKey: EncryptionKey, enc: EncryptedData): EncApRepPart {
  const m = application(decrypt(sessionKey, KEY_USAGE.apRepEncPart, enc.cipher), 27, 'EncAPRepPart');
  const sub = m.get(2);
  const seq = m.get(3);
  return { subkey: sub === undefined ? undefined : encryptionKey(sub), seqNumber: seq === undefined ? undefined : integer(seq) };
}

/** GSS flags from a 0x8003 authenticator checksum (RFC 4121 §4.1.1), or undefined. */
export function gssChecksumFlags(checksum: Authenticator['checksum']): number | undefined {
  if (checksum?.type !== 0x8003 || checksum.value.length < 24) return undefined;
  return checksum.value.readUInt32LE(20);
}
