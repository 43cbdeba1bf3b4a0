// The per-message keys of a krb5 context MIT has accepted, read from the AP-REQ it was given and
// the AP-REP it answered with: the ticket (decrypted with the service key from the keytab) gives
// the session key; the authenticator gives the initiator's subkey, sequence number and GSS flags;
// the AP-REP gives the acceptor's subkey and sequence number (RFC 4121 §2, §4.1). Only reading:
// every check that matters (times, replay, checksum, principal) was MIT's.
import { DerError } from '../der.js';
import { KerberosCryptoError, etypeName, keyLength } from './crypto.js';
import type { KeytabEntry } from './keytab.js';
import { TOK_ID, decryptApRepPart, decryptAuthenticator, decryptTicket, gssChecksumFlags, parseApRep, parseApReq, parseKrb5Token, GSS_FLAG } from './messages.js';
import type { Krb5ContextKeys } from './wrap.js';

export type ContextKeysResult = { readonly ok: true; readonly keys: Krb5ContextKeys } | { readonly ok: false; readonly reason: string };

/** A raw krb5 token (framed `60 …` or a bare Kerberos message) → the Kerberos message. */
function message(token: Buffer, expected: number): Buffer {
  if (token[0] === 0x60) {
    const t = parseKrb5Token(token);
    if (t.tokId !== expected) throw new DerError(`krb5 token TOK_ID ${t.tokId.toString(16).padStart(4, '0')} (expected ${expected.toString(16).padStart(4, '0')})`);
    return t.message;
  }
  return token;
}

function componentsEqual(a: readonly string[], b: readonly string[]): boolean {
  // Service names are case-sensitive in Kerberos; host names are not (DNS).
  return a.length === b.length && a.every((x, i) => (i === 0 ? x === b[i] : x.toLowerCase() === b[i]?.toLowerCase()));
}

export function deriveContextKeys(keytab: readonly KeytabEntry[], apReqToken: Buffer, apRepToken: Buffer | undefined): ContextKeysResult {
  try {
    const apReq = parseApReq(message(apReqToken, TOK_ID.apReq));
    const { ticket } = apReq;
    const etype = ticket.encPart.etype;
    const service = `${ticket.sname.components.join('/')}@${ticket.realm}`;
    if (keyLength(etype) === undefined) return { ok: false, reason: `the ticket for ${service} is encrypted with ${etypeName(etype)}; only AES (aes128/aes256-cts-hmac-sha1-96) is emulated for message encryption` };
    const candidates = keytab.filter((e) => e.realm === ticket.realm && e.etype === etype && componentsEqual(e.components, ticket.sname.components));
    const entry = candidates.filter((e) => ticket.encPart.kvno === undefined || e.kvno === ticket.encPart.kvno).sort((a, b) => b.kvno - a.kvno)[0];
    if (!entry) return { ok: false, reason: `the keytab has no ${etypeName(etype)} key${ticket.encPart.kvno !== undefined ? ` with kvno ${ticket.encPart.kvno}` : ''} for ${service}` };
    const encTicket = decryptTicket({ etype, value: entry.key }, ticket.encPart);
    const auth = decryptAuthenticator(encTicket.key, apReq.authenticator);
    const apRep = apRepToken === undefined ? undefined : decryptApRepPart(encTicket.key, parseApRep(message(apRepToken, TOK_ID.apRep)));
    const key = apRep?.subkey ?? auth.subkey ?? encTicket.key;
    if (keyLength(key.etype) === undefined) return { ok: false, reason: `the context key is ${etypeName(key.etype)}; only AES is emulated for message encryption` };
    const initiatorSeq = auth.seqNumber ?? 0;
    return {
      ok: true,
      keys: {
        key,
        acceptorSubkey: apRep?.subkey !== undefined,
        initiatorSeq,
        // Without a seq-number in the AP-REP the acceptor starts from the initiator's (RFC 1964 practice).
        acceptorSeq: apRep?.seqNumber ?? initiatorSeq,
        // No GSS checksum (a raw AP-REQ): MIT always offers confidentiality, so assume it.
        gssFlags: gssChecksumFlags(auth.checksum) ?? GSS_FLAG.conf | GSS_FLAG.integ,
      },
    };
  } catch (e) {
    if (e instanceof DerError || e instanceof KerberosCryptoError) return { ok: false, reason: `cannot read the context keys: ${e.message}` };
    throw e;
  }
}
