// Channel binding for NTLM over HTTPS (auth.md §2.6): the `tls-server-end-point` binding of
// RFC 5929 §4.1 — a hash of the listener certificate's DER, with SHA-256 standing in for MD5
// and SHA-1 — wrapped in a gss_channel_bindings_struct and MD5-hashed into the 16 bytes the
// client puts in MsvAvChannelBindings.
import { createHash } from 'node:crypto';
import { decodeOid, readAll, readTlv } from './der.js';
import { channelBindingsHash } from './ntlm/crypto.js';

const HASH_BY_SIGNATURE_OID: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.4': 'sha256', // md5WithRSAEncryption → SHA-256
  '1.2.840.113549.1.1.5': 'sha256', // sha1WithRSAEncryption → SHA-256
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.10045.4.1': 'sha256', // ecdsa-with-SHA1 → SHA-256
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10040.4.3': 'sha256', // dsa-with-sha1 → SHA-256
  '2.16.840.1.101.3.4.3.2': 'sha256', // dsa-with-sha256
};

/** The certificate's signature algorithm OID (Certificate.signatureAlgorithm, RFC 5280 §4.1.1.2). */
export function certificateSignatureOid(der: Buffer): string {
  const cert = readTlv(der);
  const [, sigAlg] = readAll(cert.value);
  if (!sigAlg || sigAlg.tag !== 0x30) throw new Error('certificate has no signatureAlgorithm');
  const oid = readTlv(sigAlg.value);
  return decodeOid(oid.value);
}

/**
 * The RFC 5929 hash of a certificate, or undefined when its signature algorithm has no single
 * hash (Ed25519, RSASSA-PSS: requests-ntlm then sends no binding either).
 */
export function tlsServerEndPointHash(der: Buffer): Buffer | undefined {
  let alg: string | undefined;
  try {
    alg = HASH_BY_SIGNATURE_OID[certificateSignatureOid(der)];
  } catch {
    return undefined;
  }
  return alg === undefined ? undefined : createHash(alg).update(der).digest();
}

/** The expected MsvAvChannelBindings for a listener certificate. */
export function expectedChannelBindings(der: Buffer): Buffer | undefined {
  const hash = tlsServerEndPointHash(der);
  return hash === undefined ? undefined : channelBindingsHash(Buffer.concat([Buffer.from('tls-server-end-point:', 'latin1'), hash]));
}
