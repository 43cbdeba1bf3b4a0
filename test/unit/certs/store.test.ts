import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import forge from 'node-forge';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generateCertificateAuthority,
  generateClientCertificate,
  generateServerCertificate,
  writeToStore,
} from '../../../src/certs/generate.js';
import {
  describeMissingThumbprint,
  isThumbprint,
  loadCertificateStore,
  normalizeThumbprint,
  parseSubjectAltName,
  requireServerCertificate,
} from '../../../src/certs/store.js';

const REPO_CERTS = fileURLToPath(new URL('../../../certs', import.meta.url));
const DEV_THUMBPRINT = 'C913BA3A5649BDE9F0CBDFE24897AA23315F89F6';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'winrm-emu-store-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

// Shared material: key generation costs a few hundred milliseconds each.
const server = generateServerCertificate({ dnsNames: ['win-emu02', 'localhost'], ipAddresses: ['127.0.0.1', '::1'] });
const other = generateServerCertificate({ dnsNames: ['other'] });
const ca = generateCertificateAuthority({ name: 'Store Test CA' });
const client = generateClientCertificate({ upn: 'alice@localhost', ca });

describe('loadCertificateStore: the committed development certificate', () => {
  it('loads certs/dev-win-emu01.pem with its key under the known thumbprint', () => {
    const store = loadCertificateStore(REPO_CERTS);
    expect(store.problems).toEqual([]);
    const dev = store.get(DEV_THUMBPRINT);
    expect(dev).toBeDefined();
    expect(dev?.file).toBe(join(REPO_CERTS, 'dev-win-emu01.pem'));
    expect(dev?.subject).toBe('CN=win-emu01');
    expect(dev?.selfSigned).toBe(true);
    expect(dev?.dnsNames).toEqual(['win-emu01', 'localhost']);
    expect(dev?.ipAddresses).toEqual(['127.0.0.1', '::1']);
    expect(dev?.ekus).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(dev?.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(requireServerCertificate(store, DEV_THUMBPRINT).thumbprint).toBe(DEV_THUMBPRINT);
  });
});

describe('loadCertificateStore', () => {
  it('indexes a generated certificate by thumbprint with its facts', () => {
    const dir = tempDir();
    const file = writeToStore(dir, server);
    const store = loadCertificateStore(dir);
    expect(store.dir).toBe(dir);
    expect(store.problems).toEqual([]);
    expect(store.all().map((c) => c.thumbprint)).toEqual([server.thumbprint]);
    const c = store.get(server.thumbprint);
    expect(c).toMatchObject({
      thumbprint: server.thumbprint,
      file,
      subject: 'CN=win-emu02',
      issuer: 'CN=win-emu02',
      dnsNames: ['win-emu02', 'localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
      upns: [],
      ekus: ['1.3.6.1.5.5.7.3.1'],
      ca: false,
      selfSigned: true,
      certPem: server.certPem,
      keyPem: server.keyPem,
    });
    expect(c?.notAfter.getTime()).toBeGreaterThan(c?.notBefore.getTime() ?? Infinity);
  });

  it('looks thumbprints up case-insensitively, ignoring spaces, colons and the mark Windows copies', () => {
    const dir = tempDir();
    writeToStore(dir, server);
    const store = loadCertificateStore(dir);
    const t = server.thumbprint;
    const spaced = t.toLowerCase().replace(/(..)/g, '$1 ').trim();
    const colons = t.replace(/(..)(?!$)/g, '$1:');
    for (const form of [t, t.toLowerCase(), spaced, colons, `\u200e${t}`]) {
      expect(store.get(form)?.thumbprint).toBe(t);
    }
    expect(store.get(other.thumbprint)).toBeUndefined();
    expect(normalizeThumbprint(spaced)).toBe(t);
    expect(isThumbprint(colons)).toBe(true);
    expect(isThumbprint('ABC')).toBe(false);
  });

  it('indexes a certificate without a key as a trust anchor, and a CA-signed client certificate with its UPN', () => {
    const dir = tempDir();
    writeToStore(dir, { certPem: ca.certPem });
    writeToStore(dir, client);
    const store = loadCertificateStore(dir);
    expect(store.problems).toEqual([]);
    const anchor = store.get(ca.thumbprint);
    expect(anchor?.keyPem).toBeUndefined();
    expect(anchor?.ca).toBe(true);
    expect(anchor?.ekus).toEqual([]);
    const c = store.get(client.thumbprint);
    expect(c?.upns).toEqual(['alice@localhost']);
    expect(c?.ekus).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(c?.issuer).toBe('CN=Store Test CA');
    expect(c?.selfSigned).toBe(false);
  });

  it('puts an unparsable file and a key that does not match its certificate in problems, and keeps the rest', () => {
    const dir = tempDir();
    writeToStore(dir, server);
    writeFileSync(join(dir, 'garbage.pem'), 'not a certificate\n');
    writeFileSync(join(dir, 'broken.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    writeFileSync(join(dir, 'mismatch.pem'), other.certPem + server.keyPem);
    writeFileSync(join(dir, 'two-keys.pem'), other.certPem + other.keyPem + server.keyPem);
    writeFileSync(join(dir, 'key-only.pem'), other.keyPem);
    const store = loadCertificateStore(dir);
    expect(store.all().map((c) => c.thumbprint)).toEqual([server.thumbprint]);
    const byFile = (name: string): string | undefined => store.problems.find((p) => p.startsWith(`${name}: `));
    expect(byFile('garbage.pem')).toMatch(/no PEM block/);
    expect(byFile('broken.pem')).toMatch(/cannot parse the certificate/);
    expect(byFile('mismatch.pem')).toMatch(new RegExp(`private key does not match the certificate ${other.thumbprint}`));
    expect(byFile('two-keys.pem')).toMatch(/2 private keys/);
    expect(byFile('key-only.pem')).toMatch(/no certificate/);
    expect(store.problems).toHaveLength(5);
  });

  it('reports an encrypted key instead of guessing a password', () => {
    const dir = tempDir();
    const encrypted = createPrivateKey(other.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    writeFileSync(join(dir, 'enc.pem'), other.certPem + encrypted);
    const store = loadCertificateStore(dir);
    expect(store.all()).toEqual([]);
    expect(store.problems).toEqual([expect.stringMatching(/^enc\.pem: the private key is encrypted/)]);
  });

  it('accepts a PKCS#1 RSA key, a key before its certificate, and CRLF line ends', () => {
    const dir = tempDir();
    const pkcs1 = createPrivateKey(server.keyPem).export({ type: 'pkcs1', format: 'pem' }) as string;
    expect(pkcs1).toMatch(/BEGIN RSA PRIVATE KEY/);
    writeFileSync(join(dir, 'pkcs1.pem'), server.certPem + pkcs1);
    writeFileSync(join(dir, 'reversed.pem'), (other.keyPem + other.certPem).replace(/\n/g, '\r\n'));
    const store = loadCertificateStore(dir);
    expect(store.problems).toEqual([]);
    expect(store.get(server.thumbprint)?.keyPem).toBe(pkcs1);
    expect(store.get(other.thumbprint)?.keyPem).toBe(other.keyPem);
    expect(store.get(other.thumbprint)?.certPem).toBe(other.certPem);
  });

  it('takes the certificate that matches the key from a file with a chain, and indexes the chain without keys', () => {
    const dir = tempDir();
    const leaf = generateServerCertificate({ dnsNames: ['chained'], ca });
    writeFileSync(join(dir, 'chain.pem'), ca.certPem + leaf.certPem + leaf.keyPem);
    const store = loadCertificateStore(dir);
    expect(store.problems).toEqual([]);
    expect(store.get(leaf.thumbprint)?.keyPem).toBe(leaf.keyPem);
    expect(store.get(ca.thumbprint)?.keyPem).toBeUndefined();
  });

  it('prefers the copy with a key when a certificate is in two files', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-cert-only.pem'), ca.certPem);
    writeFileSync(join(dir, 'b-with-key.pem'), ca.certPem + ca.keyPem);
    const store = loadCertificateStore(dir);
    expect(store.all()).toHaveLength(1);
    expect(store.get(ca.thumbprint)?.file).toBe(join(dir, 'b-with-key.pem'));
    expect(store.problems).toEqual([]);
  });

  it('reads only *.pem files directly in the folder', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'server.crt'), server.certPem);
    writeFileSync(join(dir, 'README.md'), '# notes\n');
    mkdirSync(join(dir, 'sub'));
    writeToStore(join(dir, 'sub'), other);
    const store = loadCertificateStore(dir);
    expect(store.all()).toEqual([]);
    expect(store.problems).toEqual([]);
  });

  it('throws for a missing folder, naming it', () => {
    const missing = join(tempDir(), 'no-such-store');
    expect(() => loadCertificateStore(missing)).toThrow(missing);
    expect(() => loadCertificateStore(missing)).toThrow(/does not exist/);
  });

  it('shows a subject with several RDNs as Windows does, most specific first', () => {
    const dir = tempDir();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const key = forge.pki.privateKeyFromPem(privateKey);
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
    cert.validity.notAfter = new Date('2027-01-01T00:00:00Z');
    const name = [{ shortName: 'C', value: 'US' }, { shortName: 'O', value: 'Contoso' }, { shortName: 'CN', value: 'web01.contoso.com' }];
    cert.setSubject(name);
    cert.setIssuer(name);
    cert.sign(key, forge.md.sha256.create());
    writeFileSync(join(dir, 'multi.pem'), forge.pki.certificateToPem(cert) + privateKey);
    const [c] = loadCertificateStore(dir).all();
    expect(c?.subject).toBe('CN=web01.contoso.com, O=Contoso, C=US');
    expect(c?.ekus).toEqual([]);
    expect(c?.dnsNames).toEqual([]);
  });
});

describe('describeMissingThumbprint', () => {
  it('names the thumbprint, the folder, what is there and the command that makes one', () => {
    const dir = tempDir();
    writeToStore(dir, server);
    writeFileSync(join(dir, 'junk.pem'), 'junk');
    const store = loadCertificateStore(dir);
    const text = describeMissingThumbprint(store, other.thumbprint.toLowerCase());
    expect(text).toContain(other.thumbprint);
    expect(text).toContain(dir);
    expect(text).toContain(`${server.thumbprint}  CN=win-emu02`);
    expect(text).toContain('junk.pem');
    expect(text).toContain('winrm-emulator certs new --dns <host>');
  });

  it('says when the store is empty and when the text is not a thumbprint', () => {
    const store = loadCertificateStore(tempDir());
    const text = describeMissingThumbprint(store, 'abc');
    expect(text).toContain('The store holds no certificates.');
    expect(text).toContain('40 hex digits');
  });
});

describe('describeMissingThumbprint for a certificate without its key', () => {
  it('says the certificate is there but keyless, naming the file', () => {
    const dir = tempDir();
    const file = writeToStore(dir, { certPem: server.certPem });
    const text = describeMissingThumbprint(loadCertificateStore(dir), server.thumbprint);
    expect(text).toMatch(new RegExp(`^Certificate ${server.thumbprint} \\(CN=win-emu02\\) is in .* without its private key`));
    expect(text).toContain(file);
    expect(text).toContain('winrm-emulator certs new --dns <host>');
  });
});

describe('requireServerCertificate', () => {
  it('throws the missing-thumbprint text, or says the key is missing', () => {
    const dir = tempDir();
    writeToStore(dir, { certPem: server.certPem });
    const store = loadCertificateStore(dir);
    expect(() => requireServerCertificate(store, other.thumbprint)).toThrow(/No certificate with thumbprint/);
    expect(() => requireServerCertificate(store, server.thumbprint)).toThrow(/without its private key/);
  });
});

describe('parseSubjectAltName', () => {
  // Node 20 writes awkward values as JSON strings, the comma escaped (checked with a forge-made certificate).
  it('splits Node\'s rendering, including JSON-quoted values and othername', () => {
    expect(parseSubjectAltName('DNS:a.example, DNS:"x\\u002c y", othername:UPN:alice@localhost, IP Address:0:0:0:0:0:0:0:1, email:"q\\"r"')).toEqual([
      { type: 'DNS', value: 'a.example' },
      { type: 'DNS', value: 'x, y' },
      { type: 'othername', value: 'UPN:alice@localhost' },
      { type: 'IP Address', value: '0:0:0:0:0:0:0:1' },
      { type: 'email', value: 'q"r' },
    ]);
    expect(parseSubjectAltName('')).toEqual([]);
  });
});
