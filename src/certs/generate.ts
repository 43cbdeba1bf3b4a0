// Certificate generation for the emulator's certificate store (architecture.md §5: `certs new`).
//
// Keys come from node:crypto (OpenSSL, fast); node-forge only builds and signs the X.509 structure.
// Every kind of certificate goes through one `issue()` so that server, CA and client certificates
// differ only in their profile (subject, SAN, basicConstraints, keyUsage, EKU).
//
// Profiles:
// * server: what an HTTPS listener needs (winrm-config.md §5.1: Hostname = CN). Like
//   `New-SelfSignedCertificate -DnsName …` (CN = first DNS name, SAN = all names, KeyUsage
//   digitalSignature+keyEncipherment, SHA-256, RSA 2048, one year), but with EKU Server
//   Authentication only. (Windows' default `-Type SSLServerAuthentication` also adds Client
//   Authentication; a listener certificate has no use for it.)
// * CA: signs client certificates; its thumbprint is a CertMapping `Issuer` (winrm-config.md §7.1).
// * client: EKU Client Authentication + SAN otherName UPN 1.3.6.1.4.1.311.20.2.3 as UTF8String
//   (winrm-config.md §7.2 step 4, auth.md §6), CN = the user, as in Ansible's WinRM guide.
import { X509Certificate, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import forge from 'node-forge';

export const OID = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  /** Microsoft userPrincipalName otherName (szOID_NT_PRINCIPAL_NAME). */
  userPrincipalName: '1.3.6.1.4.1.311.20.2.3',
  subjectAltName: '2.5.29.17',
} as const;

/** A certificate and its unencrypted PKCS#8 private key, both PEM, plus the SHA-1 thumbprint. */
export interface GeneratedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  /** 40 upper-case hex digits, as Windows shows `CertificateThumbprint`. */
  readonly thumbprint: string;
}

/** The certificate and key that sign a new certificate (a CA made by `generateCertificateAuthority`). */
export interface IssuerKeyPair {
  readonly certPem: string;
  readonly keyPem: string;
}

interface CommonOptions {
  /** Validity in days from `now`. */
  readonly days?: number;
  /** RSA modulus length, 2048 (default) to 16384. */
  readonly keyBits?: number;
  /** Start of validity (default: the current time), truncated to the second. */
  readonly now?: Date;
}

export interface ServerCertificateOptions extends CommonOptions {
  /** DNS names for the SAN; the first is the CN (the listener's Hostname). */
  readonly dnsNames: readonly string[];
  /** IPv4/IPv6 addresses for the SAN; the first is the CN when there is no DNS name. */
  readonly ipAddresses?: readonly string[];
  /** Sign with this CA instead of self-signing. */
  readonly ca?: IssuerKeyPair;
}

export interface CertificateAuthorityOptions extends CommonOptions {
  /** The CA's CN. */
  readonly name: string;
}

export interface ClientCertificateOptions extends CommonOptions {
  /** userPrincipalName for the SAN, conventionally `<user>@localhost` (winrm-config.md §7.2). */
  readonly upn: string;
  /** CN of the subject; default the part of the UPN before `@`. */
  readonly commonName?: string;
  /** Sign with this CA; without it the certificate is self-signed (its own CertMapping Issuer). */
  readonly ca?: IssuerKeyPair;
}

/** @types/node-forge types `valueTagClass` as a tag class; forge really stores the value's tag there. */
const UTF8_TAG = forge.asn1.Type.UTF8 as number as forge.asn1.Class;
const DEFAULT_SERVER_DAYS = 365;
const DEFAULT_CLIENT_DAYS = 365;
const DEFAULT_CA_DAYS = 3650;
const DEFAULT_KEY_BITS = 2048;
const MAX_DAYS = 36_500;

/** SHA-1 thumbprint of a PEM certificate: 40 upper-case hex digits (`X509Certificate.fingerprint` without colons). */
export function thumbprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint.replace(/:/g, '').toUpperCase();
}

/** A self-signed server certificate for an HTTPS listener (see the profile at the top of this file). */
export function generateServerCertificate(opts: ServerCertificateOptions): GeneratedCertificate {
  const dnsNames = opts.dnsNames.map((n) => n.trim());
  const ipAddresses = (opts.ipAddresses ?? []).map((a) => a.trim());
  for (const name of dnsNames) assertDnsName(name);
  for (const ip of ipAddresses) assertIp(ip);
  const commonName = dnsNames[0] ?? ipAddresses[0];
  if (commonName === undefined) throw new TypeError('generateServerCertificate needs at least one DNS name or IP address');
  return issue({
    commonName,
    sans: [...dnsNames.map((d): GeneralName => ({ kind: 'dns', value: d })), ...ipAddresses.map((a): GeneralName => ({ kind: 'ip', value: a }))],
    ca: false,
    keyUsage: { digitalSignature: true, keyEncipherment: true },
    ekus: [OID.serverAuth],
    days: opts.days ?? DEFAULT_SERVER_DAYS,
    keyBits: opts.keyBits ?? DEFAULT_KEY_BITS,
    now: opts.now ?? new Date(),
    issuer: opts.ca,
  });
}

/** A self-signed CA that can sign client (and server) certificates. */
export function generateCertificateAuthority(opts: CertificateAuthorityOptions): GeneratedCertificate {
  const name = opts.name.trim();
  if (name === '') throw new TypeError('generateCertificateAuthority needs a non-empty name');
  return issue({
    commonName: name,
    sans: [],
    ca: true,
    keyUsage: { keyCertSign: true, cRLSign: true, digitalSignature: true },
    ekus: [],
    days: opts.days ?? DEFAULT_CA_DAYS,
    keyBits: opts.keyBits ?? DEFAULT_KEY_BITS,
    now: opts.now ?? new Date(),
    issuer: undefined,
  });
}

/** A client certificate for WinRM certificate authentication (EKU clientAuth, SAN UPN). */
export function generateClientCertificate(opts: ClientCertificateOptions): GeneratedCertificate {
  const upn = opts.upn.trim();
  assertUpn(upn);
  const commonName = (opts.commonName ?? upn.slice(0, upn.indexOf('@'))).trim();
  if (commonName === '') throw new TypeError('generateClientCertificate needs a non-empty commonName');
  return issue({
    commonName,
    sans: [{ kind: 'upn', value: upn }],
    ca: false,
    keyUsage: { digitalSignature: true, keyEncipherment: true },
    ekus: [OID.clientAuth],
    days: opts.days ?? DEFAULT_CLIENT_DAYS,
    keyBits: opts.keyBits ?? DEFAULT_KEY_BITS,
    now: opts.now ?? new Date(),
    issuer: opts.ca,
  });
}

/**
 * Writes `<thumbprint>.pem` (certificate, then the key when given) into `dir` with mode 0600,
 * creating the folder. Returns the file's path.
 */
export function writeToStore(dir: string, cert: { readonly certPem: string; readonly keyPem?: string }): string {
  const thumbprint = thumbprintOf(cert.certPem);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${thumbprint}.pem`);
  const body = ensureTrailingNewline(cert.certPem) + (cert.keyPem === undefined ? '' : ensureTrailingNewline(cert.keyPem));
  writeFileSync(file, body, { mode: 0o600 });
  chmodSync(file, 0o600); // mode only applies when the file is created
  return file;
}

// ---------------------------------------------------------------------------------------------

type GeneralName = { kind: 'dns'; value: string } | { kind: 'ip'; value: string } | { kind: 'upn'; value: string };

interface KeyUsageFlags {
  digitalSignature?: boolean;
  keyEncipherment?: boolean;
  keyCertSign?: boolean;
  cRLSign?: boolean;
}

interface Profile {
  commonName: string;
  sans: GeneralName[];
  ca: boolean;
  keyUsage: KeyUsageFlags;
  ekus: string[];
  days: number;
  keyBits: number;
  now: Date;
  issuer: IssuerKeyPair | undefined;
}

function issue(p: Profile): GeneratedCertificate {
  if (!Number.isInteger(p.days) || p.days < 1 || p.days > MAX_DAYS) {
    throw new RangeError(`days must be a whole number from 1 to ${MAX_DAYS}, got ${p.days}`);
  }
  if (!Number.isInteger(p.keyBits) || p.keyBits < 2048 || p.keyBits > 16384) {
    throw new RangeError(`keyBits must be a whole number from 2048 to 16384, got ${p.keyBits}`);
  }
  if (Number.isNaN(p.now.getTime())) throw new RangeError('now is an invalid Date');

  const { privateKey: keyPem } = generateKeyPairSync('rsa', {
    modulusLength: p.keyBits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const subjectKey = forge.pki.privateKeyFromPem(keyPem);

  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(subjectKey.n, subjectKey.e);
  cert.serialNumber = randomSerialHex();
  const notBefore = new Date(Math.floor(p.now.getTime() / 1000) * 1000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + p.days * 86_400_000);
  const subject: forge.pki.CertificateField[] = [{ shortName: 'CN', value: p.commonName, valueTagClass: UTF8_TAG }];
  cert.setSubject(subject);

  let signingKey: forge.pki.rsa.PrivateKey = subjectKey;
  let authorityKeyId: string;
  if (p.issuer === undefined) {
    cert.setIssuer(subject);
    authorityKeyId = cert.generateSubjectKeyIdentifier().getBytes();
  } else {
    const ca = loadIssuer(p.issuer);
    // forge keeps parsed UTF8String values as raw bytes but encodes them again on output.
    cert.setIssuer(ca.cert.subject.attributes.map((a) =>
      a.valueTagClass === UTF8_TAG && typeof a.value === 'string' ? { ...a, value: forge.util.decodeUtf8(a.value) } : a));
    signingKey = ca.key;
    authorityKeyId = ca.keyId;
  }

  const extensions: object[] = [
    { name: 'basicConstraints', cA: p.ca, critical: true },
    { name: 'keyUsage', critical: true, ...p.keyUsage },
  ];
  if (p.ekus.length > 0) extensions.push({ id: '2.5.29.37', value: extendedKeyUsage(p.ekus) });
  if (p.sans.length > 0) extensions.push({ id: OID.subjectAltName, critical: false, value: generalNames(p.sans) });
  extensions.push({ name: 'subjectKeyIdentifier' });
  extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: authorityKeyId });
  cert.setExtensions(extensions);
  cert.sign(signingKey, forge.md.sha256.create());

  const certPem = forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
  return { certPem, keyPem, thumbprint: thumbprintOf(certPem) };
}

function loadIssuer(issuer: IssuerKeyPair): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey; keyId: string } {
  const x509 = new X509Certificate(issuer.certPem);
  const thumb = x509.fingerprint.replace(/:/g, '');
  if (!x509.ca) {
    throw new Error(`certificate ${thumb} (${x509.subject}) is not a CA (basicConstraints CA:FALSE), so it cannot sign certificates`);
  }
  const publicDer = (k: string): Buffer => createPublicKey(k).export({ type: 'spki', format: 'der' });
  if (!publicDer(issuer.keyPem).equals(x509.publicKey.export({ type: 'spki', format: 'der' }))) {
    throw new Error(`the private key given for CA ${thumb} does not belong to its certificate`);
  }
  let key: forge.pki.rsa.PrivateKey;
  let cert: forge.pki.Certificate;
  try {
    key = forge.pki.privateKeyFromPem(issuer.keyPem);
    cert = forge.pki.certificateFromPem(issuer.certPem);
  } catch (err) {
    throw new Error(`CA ${thumb} cannot be used to sign (only RSA CAs are supported): ${(err as Error).message}`);
  }
  const ski = cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
  const keyId = ski?.subjectKeyIdentifier !== undefined
    ? forge.util.hexToBytes(ski.subjectKeyIdentifier)
    : cert.generateSubjectKeyIdentifier().getBytes();
  return { cert, key, keyId };
}

/** ExtKeyUsageSyntax ::= SEQUENCE OF KeyPurposeId (RFC 5280 4.2.1.12). */
function extendedKeyUsage(oids: readonly string[]): forge.asn1.Asn1 {
  const { asn1 } = forge;
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true,
    oids.map((oid) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes())));
}

/**
 * GeneralNames (RFC 5280 4.2.1.6), built here rather than by forge: forge writes otherName as a
 * primitive and its IPv6 parser does not handle every textual form.
 */
function generalNames(names: readonly GeneralName[]): forge.asn1.Asn1 {
  const { asn1 } = forge;
  const ctx = asn1.Class.CONTEXT_SPECIFIC;
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, names.map((n) => {
    switch (n.kind) {
      case 'dns': // [2] IA5String
        return asn1.create(ctx, 2 as forge.asn1.Type, false, n.value);
      case 'ip': // [7] OCTET STRING, 4 or 16 bytes
        return asn1.create(ctx, 7 as forge.asn1.Type, false, ipToBytes(n.value).toString('binary'));
      case 'upn': // [0] otherName { type-id OID, [0] EXPLICIT UTF8String }
        return asn1.create(ctx, 0 as forge.asn1.Type, true, [
          asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(OID.userPrincipalName).getBytes()),
          asn1.create(ctx, 0 as forge.asn1.Type, true, [
            asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, forge.util.encodeUtf8(n.value)),
          ]),
        ]);
    }
  }));
}

/** 16 random bytes, positive and without a leading zero byte (minimal DER INTEGER). */
function randomSerialHex(): string {
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 1) & 0x7f) || 0x01;
  return b.toString('hex');
}

/** Network-order bytes of an IPv4 or IPv6 address (IPv6 may use `::` and a dotted IPv4 tail). */
export function ipToBytes(ip: string): Buffer {
  const family = isIP(ip);
  if (family === 4) return Buffer.from(ip.split('.').map(Number));
  if (family !== 6) throw new TypeError(`not an IP address: ${JSON.stringify(ip)}`);
  let text = ip.replace(/%.*$/, ''); // zone id
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1] !== undefined) {
    tail.push(...v4[1].split('.').map(Number));
    text = text.slice(0, -v4[1].length) + '0:0';
  }
  const [head = '', rest] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? 0 : 8 - headGroups.length - restGroups.length;
  const groups = [...headGroups, ...Array<string>(fill).fill('0'), ...restGroups];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  if (tail.length === 4) Buffer.from(tail).copy(out, 12);
  return out;
}

const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** A host name for a SAN: letters, digits and hyphens per label, optionally `*.` first. */
export function isValidDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = (name.endsWith('.') ? name.slice(0, -1) : name).split('.');
  return labels.every((label, i) => (i === 0 && label === '*' && labels.length > 1) || DNS_LABEL.test(label));
}

function assertDnsName(name: string): void {
  if (!isValidDnsName(name)) {
    throw new TypeError(`not a valid DNS name: ${JSON.stringify(name)} (letters, digits and hyphens per label, labels separated by dots)`);
  }
}

function assertIp(ip: string): void {
  if (isIP(ip) === 0) throw new TypeError(`not an IPv4 or IPv6 address: ${JSON.stringify(ip)}`);
}

/** `user@host`: one `@`, something either side, no whitespace. */
export function isValidUpn(upn: string): boolean {
  return /^[^@\s]+@[^@\s]+$/.test(upn);
}

function assertUpn(upn: string): void {
  if (!isValidUpn(upn)) throw new TypeError(`not a user principal name: ${JSON.stringify(upn)} (expected user@host, e.g. alice@localhost)`);
}

function ensureTrailingNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}
