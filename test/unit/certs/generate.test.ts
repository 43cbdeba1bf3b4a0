import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterAll, describe, expect, it } from 'vitest';
import {
  OID,
  generateCertificateAuthority,
  generateClientCertificate,
  generateServerCertificate,
  ipToBytes,
  thumbprintOf,
  writeToStore,
} from '../../../src/certs/generate.js';

const NOW = new Date('2026-03-04T05:06:07.890Z');
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'winrm-emu-certs-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

interface ForgeExtension { name?: string; [k: string]: unknown }
function forgeExtension(certPem: string, name: string): ForgeExtension | undefined {
  return forge.pki.certificateFromPem(certPem).getExtension(name) as ForgeExtension | undefined;
}

describe('generateServerCertificate', () => {
  const server = generateServerCertificate({ dnsNames: ['win-emu02', 'localhost'], ipAddresses: ['127.0.0.1', '::1'], now: NOW });
  const x509 = new X509Certificate(server.certPem);

  it('puts the first DNS name in the CN and is self-signed', () => {
    expect(x509.subject).toBe('CN=win-emu02');
    expect(x509.issuer).toBe('CN=win-emu02');
    expect(x509.verify(x509.publicKey)).toBe(true);
  });

  it('lists every DNS name and IP address in the SAN', () => {
    expect(x509.subjectAltName).toBe('DNS:win-emu02, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkIP('::1')).toBe('::1');
  });

  it('has EKU Server Authentication only, KeyUsage digitalSignature+keyEncipherment and CA:FALSE', () => {
    expect(x509.keyUsage).toEqual([OID.serverAuth]);
    expect(x509.ca).toBe(false);
    const ku = forgeExtension(server.certPem, 'keyUsage');
    expect(ku).toMatchObject({ digitalSignature: true, keyEncipherment: true, keyCertSign: false, critical: true });
    expect(forgeExtension(server.certPem, 'basicConstraints')).toMatchObject({ cA: false });
  });

  it('is valid for 365 days from now by default, to the second', () => {
    expect(new Date(x509.validFrom).toISOString()).toBe('2026-03-04T05:06:07.000Z');
    expect(new Date(x509.validTo).toISOString()).toBe('2027-03-04T05:06:07.000Z');
    const short = new X509Certificate(generateServerCertificate({ dnsNames: ['h'], days: 7, now: NOW }).certPem);
    expect(new Date(short.validTo).toISOString()).toBe('2026-03-11T05:06:07.000Z');
  });

  it('reports the thumbprint as X509Certificate.fingerprint without colons', () => {
    expect(server.thumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(server.thumbprint).toBe(x509.fingerprint.replace(/:/g, ''));
    expect(thumbprintOf(server.certPem)).toBe(server.thumbprint);
  });

  it('signs with SHA-256, a 2048-bit RSA key given as PKCS#8, and a random positive serial', () => {
    expect(forge.pki.certificateFromPem(server.certPem).siginfo.algorithmOid).toBe(SHA256_WITH_RSA);
    expect(x509.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(server.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(x509.checkPrivateKey(createPrivateKey(server.keyPem))).toBe(true);
    expect(x509.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
    const other = new X509Certificate(generateServerCertificate({ dnsNames: ['win-emu02'], now: NOW }).certPem);
    expect(other.serialNumber).not.toBe(x509.serialNumber);
  });

  it('uses the first IP address as CN when there is no DNS name', () => {
    const ipOnly = new X509Certificate(generateServerCertificate({ dnsNames: [], ipAddresses: ['10.1.2.3', 'fe80::1'] }).certPem);
    expect(ipOnly.subject).toBe('CN=10.1.2.3');
    expect(ipOnly.subjectAltName).toBe('IP Address:10.1.2.3, IP Address:FE80:0:0:0:0:0:0:1');
  });

  it('honours keyBits', () => {
    const big = new X509Certificate(generateServerCertificate({ dnsNames: ['h'], keyBits: 3072 }).certPem);
    expect(big.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
  });

  it('refuses missing names, bad names, bad addresses and out-of-range numbers', () => {
    expect(() => generateServerCertificate({ dnsNames: [] })).toThrow(/at least one DNS name or IP address/);
    expect(() => generateServerCertificate({ dnsNames: ['bad name'] })).toThrow(/not a valid DNS name/);
    expect(() => generateServerCertificate({ dnsNames: ['-x.example'] })).toThrow(/not a valid DNS name/);
    expect(() => generateServerCertificate({ dnsNames: ['h'], ipAddresses: ['300.1.1.1'] })).toThrow(/not an IPv4 or IPv6 address/);
    expect(() => generateServerCertificate({ dnsNames: ['h'], days: 0 })).toThrow(/days/);
    expect(() => generateServerCertificate({ dnsNames: ['h'], keyBits: 1024 })).toThrow(/keyBits/);
  });

  it('accepts a wildcard first label', () => {
    const wild = new X509Certificate(generateServerCertificate({ dnsNames: ['*.lab.example'] }).certPem);
    expect(wild.subjectAltName).toBe('DNS:*.lab.example');
  });
});

describe('ipToBytes', () => {
  it.each([
    ['127.0.0.1', '7f000001'],
    ['::1', '00000000000000000000000000000001'],
    ['::', '00000000000000000000000000000000'],
    ['fe80::', 'fe800000000000000000000000000000'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['2001:db8::ff00:42:8329', '20010db8000000000000ff0000428329'],
    ['::ffff:10.0.0.1', '00000000000000000000ffff0a000001'],
  ])('%s', (ip, hex) => {
    expect(ipToBytes(ip).toString('hex')).toBe(hex);
  });

  it('refuses text that is not an address', () => {
    expect(() => ipToBytes('localhost')).toThrow(/not an IP address/);
  });
});

describe('generateCertificateAuthority', () => {
  const ca = generateCertificateAuthority({ name: 'WinRM Test CA', now: NOW });
  const x509 = new X509Certificate(ca.certPem);

  it('is a self-signed CA that may sign certificates, valid ten years, without EKU', () => {
    expect(x509.subject).toBe('CN=WinRM Test CA');
    expect(x509.issuer).toBe('CN=WinRM Test CA');
    expect(x509.ca).toBe(true);
    expect(forgeExtension(ca.certPem, 'keyUsage')).toMatchObject({ keyCertSign: true, cRLSign: true });
    expect(x509.keyUsage).toBeUndefined();
    expect(x509.subjectAltName).toBeUndefined();
    expect(new Date(x509.validTo).getTime() - new Date(x509.validFrom).getTime()).toBe(3650 * 86_400_000);
  });
});

describe('generateClientCertificate', () => {
  const ca = generateCertificateAuthority({ name: 'WinRM Test CA' });
  const caX509 = new X509Certificate(ca.certPem);
  const client = generateClientCertificate({ upn: 'alice@localhost', ca });
  const x509 = new X509Certificate(client.certPem);

  it('carries the UPN as SAN otherName, which Node renders as othername:UPN:…', () => {
    expect(x509.subjectAltName).toBe('othername:UPN:alice@localhost');
  });

  it('writes the UPN as otherName 1.3.6.1.4.1.311.20.2.3 with a UTF8String value', () => {
    const san = forgeExtension(client.certPem, 'subjectAltName') as { altNames: { type: number; value: forge.asn1.Asn1[] }[] };
    const other = san.altNames[0];
    expect(other?.type).toBe(0);
    const [oid, explicit] = other?.value ?? [];
    expect(forge.asn1.derToOid(oid?.value as string)).toBe(OID.userPrincipalName);
    const utf8 = (explicit?.value as forge.asn1.Asn1[])[0];
    expect(utf8?.type).toBe(forge.asn1.Type.UTF8);
    expect(utf8?.value).toBe('alice@localhost');
  });

  it('has EKU Client Authentication only, CN = the user, CA:FALSE', () => {
    expect(x509.keyUsage).toEqual([OID.clientAuth]);
    expect(x509.subject).toBe('CN=alice');
    expect(x509.ca).toBe(false);
  });

  it('is issued by the CA: issuer name, signature and key identifiers chain up', () => {
    expect(x509.issuer).toBe('CN=WinRM Test CA');
    expect(x509.checkIssued(caX509)).toBe(true);
    expect(x509.verify(caX509.publicKey)).toBe(true);
    const aki = forgeExtension(client.certPem, 'authorityKeyIdentifier') as { value: string };
    const ski = forgeExtension(ca.certPem, 'subjectKeyIdentifier') as { subjectKeyIdentifier: string };
    expect(forge.util.bytesToHex(aki.value)).toContain(ski.subjectKeyIdentifier);
  });

  it('keeps non-ASCII UPNs and names intact', () => {
    const c = new X509Certificate(generateClientCertificate({ upn: 'jörg@localhost', ca }).certPem);
    expect(c.subjectAltName).toBe('othername:UPN:jörg@localhost');
    expect(c.subject).toBe('CN=jörg');
    const utfCa = generateCertificateAuthority({ name: 'Prüf-CA' });
    const issued = new X509Certificate(generateClientCertificate({ upn: 'a@localhost', ca: utfCa }).certPem);
    expect(issued.issuer).toBe('CN=Prüf-CA');
    expect(issued.checkIssued(new X509Certificate(utfCa.certPem))).toBe(true);
  });

  it('is self-signed when no CA is given (its own CertMapping Issuer)', () => {
    const self = new X509Certificate(generateClientCertificate({ upn: 'bob@localhost', commonName: 'Bob' }).certPem);
    expect(self.subject).toBe('CN=Bob');
    expect(self.issuer).toBe('CN=Bob');
    expect(self.verify(self.publicKey)).toBe(true);
  });

  it('refuses a bad UPN, a signer that is not a CA, and a CA key that is not its own', () => {
    expect(() => generateClientCertificate({ upn: 'alice' })).toThrow(/not a user principal name/);
    const server = generateServerCertificate({ dnsNames: ['h'] });
    expect(() => generateClientCertificate({ upn: 'a@b', ca: server })).toThrow(/is not a CA/);
    expect(() => generateClientCertificate({ upn: 'a@b', ca: { certPem: ca.certPem, keyPem: server.keyPem } })).toThrow(/does not belong/);
  });

  it('a CA can also sign a server certificate', () => {
    const s = new X509Certificate(generateServerCertificate({ dnsNames: ['win-emu03'], ca }).certPem);
    expect(s.checkIssued(caX509)).toBe(true);
    expect(s.keyUsage).toEqual([OID.serverAuth]);
  });
});

describe('writeToStore', () => {
  it('writes <thumbprint>.pem, certificate then key, mode 0600, creating the folder', () => {
    const dir = join(tempDir(), 'nested', 'store');
    const cert = generateServerCertificate({ dnsNames: ['win-emu02'] });
    const file = writeToStore(dir, cert);
    expect(file).toBe(join(dir, `${cert.thumbprint}.pem`));
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(cert.certPem + cert.keyPem);
    expect(text.indexOf('BEGIN CERTIFICATE')).toBeLessThan(text.indexOf('BEGIN PRIVATE KEY'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('writes a certificate alone when no key is given', () => {
    const dir = tempDir();
    const ca = generateCertificateAuthority({ name: 'Anchor' });
    const file = writeToStore(dir, { certPem: ca.certPem });
    expect(readFileSync(file, 'utf8')).toBe(ca.certPem);
  });
});
