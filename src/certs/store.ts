// The emulator's certificate store: one folder of PEM files standing in for Windows'
// Cert:\LocalMachine\My (certificates with keys, for HTTPS listeners) and Root/TrustedPeople
// (certificates alone: CAs and client certificates for CertMapping, winrm-config.md §7).
//
// Each `*.pem` file holds a certificate followed by its unencrypted private key (PKCS#8
// `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`, or SEC1 `EC PRIVATE KEY`), or a certificate alone.
// Certificates are indexed by SHA-1 thumbprint, as `CertificateThumbprint` and the CertMapping
// `Issuer` name them. Bad files are reported in `problems`, never thrown, so one stray file does
// not stop the emulator.
import { X509Certificate, createPublicKey } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

export interface StoredCertificate {
  /** SHA-1 of the DER certificate, 40 upper-case hex digits (Windows' `Thumbprint`). */
  readonly thumbprint: string;
  /** Absolute path of the file it came from. */
  readonly file: string;
  readonly certPem: string;
  /** Present when the file holds the matching private key (normalised to PEM as found). */
  readonly keyPem?: string;
  /** As Windows shows it: most specific RDN first, `CN=host, O=Org, C=US`. */
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SAN dNSName entries, in certificate order. */
  readonly dnsNames: string[];
  /** SAN iPAddress entries, canonical text (`127.0.0.1`, `::1`). */
  readonly ipAddresses: string[];
  /** SAN otherName userPrincipalName entries (client certificates, winrm-config.md §7.2). */
  readonly upns: string[];
  /** Extended key usage OIDs; empty when the certificate has no EKU extension (any purpose). */
  readonly ekus: string[];
  /**
   * May sign certificates: basicConstraints CA:TRUE and, when KeyUsage is present, keyCertSign
   * (Node's `X509Certificate.ca`, OpenSSL's X509_check_ca). The CertMapping Issuer must be such a
   * certificate (winrm-config.md §7.1).
   */
  readonly ca: boolean;
  /** Issuer equals subject and the certificate verifies with its own public key. */
  readonly selfSigned: boolean;
  readonly x509: X509Certificate;
}

export interface CertificateStore {
  /** Absolute folder path. */
  readonly dir: string;
  /** Lookup by thumbprint: case-insensitive, spaces, colons and the invisible marks Windows copies are ignored. */
  get(thumbprint: string): StoredCertificate | undefined;
  /** Every certificate, ordered by file name. */
  all(): StoredCertificate[];
  /** `<file name>: <reason>` for each file or block that was skipped. */
  readonly problems: string[];
}

/**
 * Canonical thumbprint: upper-case, without spaces, colons or the U+200E mark that Windows'
 * certificate dialog puts in front when copied. Does not check the length.
 */
export function normalizeThumbprint(thumbprint: string): string {
  return thumbprint.replace(/[\s:\u200e\u200f\ufeff]/g, '').toUpperCase();
}

/** 40 hex digits after normalising. */
export function isThumbprint(thumbprint: string): boolean {
  return /^[0-9A-F]{40}$/.test(normalizeThumbprint(thumbprint));
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;
const KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);

/** Reads every `*.pem` file directly in `dir`. Throws only when `dir` is missing or not a folder. */
export function loadCertificateStore(dir: string): CertificateStore {
  const absDir = resolve(dir);
  let names: string[];
  try {
    if (!statSync(absDir).isDirectory()) throw new Error('not a folder');
    names = readdirSync(absDir);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (err as Error).message;
    throw new Error(
      `Certificate store folder ${absDir} ${reason === 'does not exist' ? reason : `cannot be read: ${reason}`}. ` +
        `Create it with \`winrm-emulator certs new --dns <host> --store ${dir}\`, or point certificateStore at the folder holding your PEM files.`,
    );
  }

  const byThumbprint = new Map<string, StoredCertificate>();
  const problems: string[] = [];
  const files = names.filter((n) => /\.pem$/i.test(n)).sort();
  for (const name of files) {
    const file = join(absDir, name);
    try {
      if (!statSync(file).isFile()) continue;
      const entries = parsePemFile(readFileSync(file, 'utf8'), file);
      for (const entry of entries) {
        const existing = byThumbprint.get(entry.thumbprint);
        if (existing === undefined) {
          byThumbprint.set(entry.thumbprint, entry);
        } else if (existing.keyPem === undefined && entry.keyPem !== undefined) {
          byThumbprint.set(entry.thumbprint, entry); // the copy with a key is the useful one
        } else if (entry.keyPem !== undefined) {
          problems.push(`${name}: certificate ${entry.thumbprint} is also in ${basename(existing.file)}; using that file`);
        }
      }
    } catch (err) {
      problems.push(`${name}: ${(err as Error).message}`);
    }
  }

  const ordered = [...byThumbprint.values()];
  return {
    dir: absDir,
    get: (thumbprint) => byThumbprint.get(normalizeThumbprint(thumbprint)),
    all: () => [...ordered],
    problems,
  };
}

/**
 * Text for a listener that names a thumbprint the store cannot serve (absent, or present without
 * its private key): what was asked, where we looked, what is there, and how to make one.
 */
export function describeMissingThumbprint(store: CertificateStore, thumbprint: string): string {
  const wanted = normalizeThumbprint(thumbprint);
  const keyless = store.get(wanted);
  const lines = keyless === undefined
    ? [`No certificate with thumbprint ${wanted || '(empty)'} in the certificate store ${store.dir}.`]
    : [
        `Certificate ${wanted} (${keyless.subject}) is in ${keyless.file} without its private key, so it cannot serve HTTPS.`,
        'Append the unencrypted private key (PEM) after the certificate in that file, or use another certificate.',
      ];
  if (wanted !== '' && !/^[0-9A-F]{40}$/.test(wanted)) {
    lines.push(`(A thumbprint is 40 hex digits, the SHA-1 of the certificate; ${JSON.stringify(thumbprint)} has ${wanted.length} characters after removing spaces and colons.)`);
  }
  const present = store.all();
  if (present.length === 0) {
    lines.push('The store holds no certificates.');
  } else {
    lines.push('Certificates in the store:');
    for (const c of present) {
      lines.push(`  ${c.thumbprint}  ${c.subject}  ${c.keyPem === undefined ? 'no private key' : 'with private key'}, expires ${isoDate(c.notAfter)}  (${basename(c.file)})`);
    }
  }
  for (const p of store.problems) lines.push(`  skipped ${p}`);
  lines.push(`To make one: winrm-emulator certs new --dns <host> --store ${store.dir}`);
  lines.push('then put the thumbprint it prints in the listener\'s CertificateThumbprint (and its name in Hostname).');
  return lines.join('\n');
}

/** A certificate usable by a TLS server: it has its private key. */
export type ServerCertificate = StoredCertificate & { readonly keyPem: string };

/**
 * The certificate for an HTTPS listener. Throws an Error with an actionable message when the
 * thumbprint is absent or the file holds no private key.
 */
export function requireServerCertificate(store: CertificateStore, thumbprint: string): ServerCertificate {
  const cert = store.get(thumbprint);
  if (cert === undefined) throw new Error(describeMissingThumbprint(store, thumbprint));
  if (cert.keyPem === undefined) throw new Error(describeMissingThumbprint(store, thumbprint));
  return cert as ServerCertificate;
}

// ---------------------------------------------------------------------------------------------

function parsePemFile(text: string, file: string): StoredCertificate[] {
  const blocks = [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1] ?? '', pem: m[0] }));
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE');
  const keys = blocks.filter((b) => KEY_LABELS.has(b.label));
  if (blocks.some((b) => b.label === 'ENCRYPTED PRIVATE KEY') || /Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new Error('the private key is encrypted; store it unencrypted (e.g. `openssl pkey -in key.pem -out plain.pem`)');
  }
  const first = certs[0];
  if (first === undefined) {
    throw new Error(blocks.length === 0 ? 'no PEM block found (expected -----BEGIN CERTIFICATE----- then the private key)' : 'no certificate (only ' + blocks.map((b) => b.label).join(', ') + ')');
  }
  if (keys.length > 1) throw new Error(`${keys.length} private keys; expected one, after the certificate`);

  const key = keys[0];
  if (key === undefined) {
    // A certificate alone: a trust anchor (CA, or a client certificate for CertMapping).
    return certs.map((c) => describe(c.pem, file));
  }
  let keySpki: Buffer;
  try {
    keySpki = createPublicKey(key.pem).export({ type: 'spki', format: 'der' });
  } catch (err) {
    throw new Error(`cannot read the private key (${key.label}): ${(err as Error).message}`);
  }
  const described = certs.map((c) => describe(c.pem, file));
  // The key's certificate is usually the first; `openssl pkcs12 -nodes` may put a chain around it.
  const leafIndex = described.findIndex((c) => keySpki.equals(c.x509.publicKey.export({ type: 'spki', format: 'der' })));
  const leaf = described[leafIndex];
  if (leaf === undefined) {
    const c = described[0] ?? describe(first.pem, file);
    throw new Error(`the private key does not match the certificate ${c.thumbprint} (${c.subject})`);
  }
  const result: StoredCertificate = { ...leaf, keyPem: normalisePem(key.pem) };
  // Further certificates (an exported chain) are indexed as certificates without keys.
  return [result, ...described.filter((_, i) => i !== leafIndex)];
}

function describe(pem: string, file: string): StoredCertificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch (err) {
    throw new Error(`cannot parse the certificate: ${(err as Error).message}`);
  }
  const san = parseSubjectAltName(x509.subjectAltName ?? '');
  const subject = windowsName(x509.subject);
  const issuer = windowsName(x509.issuer);
  return {
    thumbprint: x509.fingerprint.replace(/:/g, '').toUpperCase(),
    file,
    certPem: normalisePem(pem),
    subject,
    issuer,
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    dnsNames: san.filter((e) => e.type === 'DNS').map((e) => e.value),
    ipAddresses: san.filter((e) => e.type === 'IP Address').map((e) => canonicalIp(e.value)),
    upns: san.filter((e) => e.type === 'othername' && e.value.startsWith('UPN:')).map((e) => e.value.slice(4)),
    ekus: x509.keyUsage ?? [],
    ca: x509.ca,
    selfSigned: x509.subject === x509.issuer && verifiesWith(x509, x509),
    x509,
  };
}

function verifiesWith(cert: X509Certificate, signer: X509Certificate): boolean {
  try {
    return cert.verify(signer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Node's `subjectAltName`: `type:value` entries joined by `, `; a value with awkward characters is
 * written as a JSON string (`DNS:"a,b"`). The othername value keeps its `UPN:` prefix.
 */
export function parseSubjectAltName(text: string): { type: string; value: string }[] {
  const out: { type: string; value: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon);
    let j = colon + 1;
    let value = '';
    // othername:UPN:value — the inner prefix is part of the value
    const inner = type === 'othername' ? /^[A-Za-z0-9]+:/.exec(text.slice(j)) : null;
    const prefix = inner?.[0] ?? '';
    j += prefix.length;
    if (text[j] === '"') {
      let k = j + 1;
      while (k < text.length && text[k] !== '"') k += text[k] === '\\' ? 2 : 1;
      value = JSON.parse(text.slice(j, k + 1)) as string;
      j = k + 1;
    } else {
      const end = text.indexOf(', ', j);
      value = text.slice(j, end < 0 ? text.length : end);
      j = end < 0 ? text.length : end;
    }
    out.push({ type, value: prefix + value });
    i = text.startsWith(', ', j) ? j + 2 : j;
  }
  return out;
}

/** `0:0:0:0:0:0:0:1` → `::1` (Node prints IPv6 SAN entries uncompressed). */
function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}

/** Node prints one RDN per line, least specific first; Windows shows `CN=…, O=…, C=…`. */
function windowsName(name: string): string {
  return name.split('\n').filter((s) => s !== '').reverse().join(', ');
}

function normalisePem(pem: string): string {
  return `${pem.replace(/\r\n/g, '\n').trim()}\n`;
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
