// Client-certificate logon without sockets: the mapping rules of winrm-config.md §7 (Issuer,
// Subject wildcards against the SAN UPN, URI, Enabled, longest match) and every refusal reason.
import { beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate, randomBytes } from 'node:crypto';
import { createCertificateMechanism, subjectMatches, uriMatches, CERTIFICATE_AUTH_HEADER } from '../../../src/auth/certificate.js';
import { generateCertificateAuthority, generateClientCertificate, generateServerCertificate, type GeneratedCertificate } from '../../../src/certs/generate.js';
import { Host } from '../../../src/hosts/host.js';
import { loadConfig } from '../../../src/config/load.js';
import type { CertMappingConfig } from '../../../src/config/types.js';
import type { AuthStep, ConnectionInfo } from '../../../src/auth/types.js';
import { LAB } from '../../helpers/emulator.js';

const SHELL = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd';

describe('certmapping patterns', () => {
  it('matches Subject exactly, as *suffix or prefix*, case-insensitively', () => {
    expect(subjectMatches('*', 'a@b')).toBe(true);
    expect(subjectMatches('Alice@Localhost', 'alice@localhost')).toBe(true);
    expect(subjectMatches('*@localhost', 'alice@localhost')).toBe(true);
    expect(subjectMatches('alice*', 'alice@localhost')).toBe(true);
    expect(subjectMatches('*@corp', 'alice@localhost')).toBe(false);
  });
  it('matches URI as *, prefix* or exact', () => {
    expect(uriMatches('*', undefined)).toBe(true);
    expect(uriMatches('http://schemas.microsoft.com/wbem/wsman/1/windows/shell*', SHELL)).toBe(true);
    expect(uriMatches(SHELL, SHELL.toUpperCase())).toBe(true);
    expect(uriMatches('http://schemas.microsoft.com/powershell*', SHELL)).toBe(false);
    expect(uriMatches('http://schemas.microsoft.com/powershell*', undefined)).toBe(false);
  });
});

describe('certificate mechanism', () => {
  let ca: GeneratedCertificate;
  let other: GeneratedCertificate;
  let admin: GeneratedCertificate;
  let expired: GeneratedCertificate;
  let server: GeneratedCertificate;

  beforeAll(() => {
    ca = generateCertificateAuthority({ name: 'Unit CA' });
    other = generateCertificateAuthority({ name: 'Other CA' });
    admin = generateClientCertificate({ upn: 'administrator@localhost', ca: { certPem: ca.certPem, keyPem: ca.keyPem } });
    expired = generateClientCertificate({ upn: 'administrator@localhost', ca: { certPem: ca.certPem, keyPem: ca.keyPem }, now: new Date('2020-01-01T00:00:00Z'), days: 1 });
    server = generateServerCertificate({ dnsNames: ['win-emu01'], ca: { certPem: ca.certPem, keyPem: ca.keyPem } });
  });

  const host = (mappings: Array<Partial<CertMappingConfig>>) =>
    new Host(
      loadConfig({
        env: {},
        overrides: {
          users: [
            { name: 'Administrator', password: LAB.admin.password, groups: ['Administrators'] },
            { name: 'visitor', password: LAB.visitor.password, groups: [] },
            { name: 'gone', password: 'Gone-Passw0rd!', enabled: false },
          ],
          winrm: { Service: { Auth: { Certificate: true }, CertMapping: mappings.map((m) => ({ Issuer: ca.thumbprint, Subject: '*', URI: '*', UserName: 'Administrator', Enabled: true, ...m })) } },
        },
      }).config,
    );
  const step = (h: Host, cert: GeneratedCertificate | undefined, opts: { tls?: boolean; uri?: string; trusted?: GeneratedCertificate[] } = {}): AuthStep => {
    const trusted = new Map((opts.trusted ?? [ca, other]).map((c) => [c.thumbprint, new X509Certificate(c.certPem)]));
    const conn: ConnectionInfo = { id: 'c1', tls: opts.tls ?? true, remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', peerCertificate: () => (cert ? new X509Certificate(cert.certPem) : undefined) };
    const r = createCertificateMechanism({ trusted: (t) => trusted.get(t) }).createContext(h, conn, { now: () => Date.now(), randomBytes }).step(CERTIFICATE_AUTH_HEADER, { resourceUri: opts.uri ?? SHELL });
    if (r instanceof Promise) throw new Error('certificate steps are synchronous');
    return r;
  };
  const reason = (s: AuthStep) => (s.kind === 'failure' ? s.reason : `not a failure: ${s.kind}`);

  it('logs on as the mapped local account', () => {
    const s = step(host([{}]), admin);
    expect(s.kind).toBe('success');
    if (s.kind === 'success') expect(s.principal).toMatchObject({ mechanism: 'Certificate', displayName: 'WIN-EMU01\\Administrator', user: { name: 'Administrator' } });
  });
  it('prefers the longest Subject, then the longest URI', () => {
    const h = host([{ UserName: 'visitor' }, { Subject: '*@localhost', URI: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell*', UserName: 'Administrator' }, { Subject: '*@localhost', UserName: 'visitor' }]);
    const s = step(h, admin);
    expect(s.kind === 'success' && s.principal.user.name).toBe('Administrator');
  });
  it('refuses, naming the reason: no certificate, HTTP, expired, no EKU/UPN, untrusted issuer, no or disabled mapping, missing or disabled account', () => {
    expect(reason(step(host([{}]), undefined))).toMatch(/no client certificate was presented/);
    expect(reason(step(host([{}]), admin, { tls: false }))).toMatch(/HTTPS only/);
    expect(reason(step(host([{}]), expired))).toMatch(/expired on/);
    expect(reason(step(host([{}]), server))).toMatch(/lacks the Client Authentication EKU|no userPrincipalName/);
    expect(reason(step(host([{}]), admin, { trusted: [other] }))).toMatch(/is not in the certificate store/);
    expect(reason(step(host([{ Issuer: other.thumbprint }]), admin))).toMatch(/was not signed by the Issuer of any certificate mapping/);
    expect(reason(step(host([{ Subject: 'bob@localhost' }]), admin))).toMatch(/no certificate mapping for Issuer/);
    expect(reason(step(host([{ URI: 'http://schemas.microsoft.com/powershell*' }]), admin))).toMatch(/no certificate mapping/);
    expect(reason(step(host([{ Enabled: false }]), admin))).toMatch(/is disabled/);
    expect(reason(step(host([{ UserName: 'gone' }]), admin))).toMatch(/account 'gone' \(certificate mapping\) is disabled/);
  });
});
