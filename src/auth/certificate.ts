// Client-certificate logon (winrm-config.md §7, auth.md §6): on an HTTPS listener the client
// presents a certificate in the TLS handshake and sends the literal header
// `Authorization: http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual` on every
// request. The certificate must carry the Client Authentication EKU and a UPN in its SAN, be in
// its validity period, and be signed by a CA the host trusts (a certificate in the store); then
// `winrm/config/service/certmapping` picks the local account: rows whose Issuer is the signer's
// thumbprint, whose Subject pattern matches the UPN and whose URI matches the request's
// ResourceURI; the longest Subject wins, then the longest URI [WSMV 3.1.4.1.35]. Any failure is a
// 401 with an empty body (what clients see, winrm-config.md §7.2 item 6), with the reason in the
// `auth.failed` event. Stateless: every request carries the header and the TLS session the cert.
import type { X509Certificate } from 'node:crypto';
import type { CertMappingConfig } from '../config/types.js';
import type { AuthMechanism, AuthRequestInfo, AuthStep, ConnectionInfo } from './types.js';
import type { Host } from '../hosts/host.js';

export const CERTIFICATE_AUTH_HEADER = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual';
const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';

export interface CertificateOptions {
  /** A certificate the host trusts (Root / TrustedPeople: the emulator's certificate store), by SHA-1 thumbprint. */
  readonly trusted: (thumbprint: string) => X509Certificate | undefined;
}

export function thumbprintOf(cert: X509Certificate): string {
  return cert.fingerprint.replace(/:/g, '').toUpperCase();
}

/** UPNs in a certificate's SAN (Node renders otherName UPN as `othername:UPN:alice@host`). */
export function upnsOf(cert: X509Certificate): string[] {
  const san = cert.subjectAltName ?? '';
  const out: string[] = [];
  for (const m of san.matchAll(/othername:\s*UPN:\s*("(?:[^"\\]|\\.)*"|[^,]*)/gi)) {
    const raw = m[1]!.trim();
    out.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return out;
}

/** Subject pattern: exact, `*suffix` or `prefix*`, case-insensitive (winrm-config.md §7.1). */
export function subjectMatches(pattern: string, upn: string): boolean {
  const p = pattern.toLowerCase();
  const u = upn.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*')) return u.endsWith(p.slice(1));
  if (p.endsWith('*')) return u.startsWith(p.slice(0, -1));
  return p === u;
}

/** URI selector: `*` all, `prefix*`, or exact (case-insensitive). */
export function uriMatches(pattern: string, uri: string | undefined): boolean {
  if (pattern === '*') return true;
  if (uri === undefined) return false;
  const p = pattern.toLowerCase();
  const u = uri.toLowerCase();
  return p.endsWith('*') ? u.startsWith(p.slice(0, -1)) : u === p;
}

/** The specificity of a pattern: its length without the wildcard. */
function weight(pattern: string): number {
  return pattern.replace('*', '').length;
}

export function createCertificateMechanism(options: CertificateOptions): AuthMechanism {
  return {
    name: 'Certificate',
    scheme: CERTIFICATE_AUTH_HEADER,
    enabled: (auth) => auth.Certificate,
    // Nothing in the 401: certificate logon is asked for by the client's header (auth.md §1.2).
    challenge: () => '',
    createContext(host: Host, conn: ConnectionInfo, deps) {
      return {
        step(_credentials: string, request?: AuthRequestInfo): AuthStep {
          if (!conn.tls) return { kind: 'failure', reason: 'certificate logon is HTTPS only (winrm-config.md §7.2)' };
          const cert = conn.peerCertificate?.();
          if (!cert) return { kind: 'failure', reason: 'no client certificate was presented in the TLS handshake' };
          const thumb = thumbprintOf(cert);
          const now = deps.now();
          if (now < Date.parse(cert.validFrom)) return { kind: 'failure', reason: `client certificate ${thumb} is not valid before ${cert.validFrom}` };
          if (now > Date.parse(cert.validTo)) return { kind: 'failure', reason: `client certificate ${thumb} expired on ${cert.validTo}` };
          const ekus = cert.keyUsage ?? [];
          if (ekus.length > 0 && !ekus.includes(CLIENT_AUTH_EKU) && !ekus.includes(ANY_EKU)) {
            return { kind: 'failure', reason: `client certificate ${thumb} lacks the Client Authentication EKU (${CLIENT_AUTH_EKU})` };
          }
          const upns = upnsOf(cert);
          if (upns.length === 0) return { kind: 'failure', reason: `client certificate ${thumb} has no userPrincipalName in its subjectAltName` };

          const mappings: readonly CertMappingConfig[] = host.winrm.Service.CertMapping;
          // The signer: a trusted CA from a mapping's Issuer that issued and signed this certificate,
          // or the certificate itself when it is self-signed and trusted.
          let signer: string | undefined;
          const issuers = [...new Set(mappings.map((m) => m.Issuer.toUpperCase()))];
          for (const issuer of issuers) {
            const ca = options.trusted(issuer);
            if (!ca) continue;
            const self = issuer === thumb;
            if (!self && !ca.ca) continue;
            let ok = false;
            try {
              ok = (self || cert.checkIssued(ca)) && cert.verify(ca.publicKey);
            } catch {
              ok = false;
            }
            if (ok) {
              signer = issuer;
              break;
            }
          }
          if (signer === undefined) {
            const named = issuers.filter((i) => options.trusted(i) === undefined);
            const hint = named.length > 0 ? `; mapped Issuer ${named.join(', ')} is not in the certificate store` : '';
            return { kind: 'failure', reason: `client certificate ${thumb} (issuer ${cert.issuer.replace(/\n/g, ', ')}) was not signed by the Issuer of any certificate mapping that the host trusts${hint}` };
          }
          const uri = request?.resourceUri;
          const candidates = mappings.filter((m) => m.Issuer.toUpperCase() === signer && upns.some((u) => subjectMatches(m.Subject, u)) && uriMatches(m.URI, uri));
          const enabled = candidates.filter((m) => m.Enabled);
          if (enabled.length === 0) {
            if (candidates.length > 0) return { kind: 'failure', reason: `the certificate mapping for ${upns.join(', ')} (Issuer ${signer}) is disabled` };
            return { kind: 'failure', reason: `no certificate mapping for Issuer ${signer}, Subject ${upns.join(', ')} and URI ${uri ?? '(none)'}` };
          }
          const best = [...enabled].sort((a, b) => weight(b.Subject) - weight(a.Subject) || weight(b.URI) - weight(a.URI));
          const [top, second] = best;
          if (second && weight(top!.Subject) === weight(second.Subject) && weight(top!.URI) === weight(second.URI) && top!.UserName.toLowerCase() !== second.UserName.toLowerCase()) {
            return { kind: 'failure', reason: `certificate mappings are ambiguous for ${upns.join(', ')}: ${top!.UserName} and ${second.UserName}` };
          }
          const user = host.findLocalUser(top!.UserName);
          if (!user) return { kind: 'failure', reason: `certificate mapping names '${top!.UserName}', which is not a local account` };
          if (!user.enabled) return { kind: 'failure', reason: `account '${user.name}' (certificate mapping) is disabled` };
          return { kind: 'success', principal: { user, mechanism: 'Certificate', displayName: `${host.computerName}\\${user.name}` }, connectionBound: false };
        },
      };
    },
  };
}
