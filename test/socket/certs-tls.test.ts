// Generated and committed certificates work in real TLS handshakes on port 0: the server
// certificate verifies against host names and IPs in its SAN, and a CA-signed client certificate
// reaches the server with its UPN and Client Authentication EKU (auth.md §6: request the
// certificate in the initial handshake, decide at the HTTP layer).
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connect, createServer } from 'node:tls';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateCertificateAuthority,
  generateClientCertificate,
  generateServerCertificate,
} from '../../src/certs/generate.js';
import { loadCertificateStore, requireServerCertificate } from '../../src/certs/store.js';

interface Seen { authorized: boolean; authorizationError: string | undefined; peer: X509Certificate | undefined }

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

/** A TLS server on 127.0.0.1:0 that asks for (but does not require) a client certificate. */
async function listen(cert: { certPem: string; keyPem: string }, clientCa?: string): Promise<{ port: number; seen: Promise<Seen> }> {
  let resolveSeen: (s: Seen) => void = () => undefined;
  const seen = new Promise<Seen>((r) => { resolveSeen = r; });
  const server = createServer({
    cert: cert.certPem,
    key: cert.keyPem,
    requestCert: true,
    rejectUnauthorized: false,
    ...(clientCa !== undefined ? { ca: clientCa } : {}),
  }, (socket: TLSSocket) => {
    resolveSeen({
      authorized: socket.authorized,
      authorizationError: socket.authorizationError === null ? undefined : String(socket.authorizationError),
      peer: socket.getPeerX509Certificate(),
    });
    socket.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as AddressInfo).port, seen };
}

/**
 * Connects and resolves with whether the client trusted the server and the server's certificate.
 * With rejectUnauthorized false Node still runs the chain and host-name checks and reports the
 * outcome in `authorized` / `authorizationError` (checked on Node 20).
 */
function handshake(port: number, opts: { ca: string; servername?: string; cert?: string; key?: string }): Promise<{ authorized: boolean; error: string | undefined; peer: PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      ca: opts.ca,
      rejectUnauthorized: false,
      ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
      ...(opts.cert !== undefined && opts.key !== undefined ? { cert: opts.cert, key: opts.key } : {}),
    }, () => {
      resolve({ authorized: socket.authorized, error: socket.authorizationError?.toString(), peer: socket.getPeerCertificate() });
      socket.on('data', () => undefined);
      socket.on('end', () => socket.destroy());
    });
    socket.on('error', reject);
  });
}

describe('generated server certificate over TLS', () => {
  const server = generateServerCertificate({ dnsNames: ['win-emu02', 'localhost'], ipAddresses: ['127.0.0.1'] });

  it('verifies for each SAN name and IP, and not for another name', async () => {
    const { port } = await listen(server);
    expect((await handshake(port, { ca: server.certPem, servername: 'win-emu02' })).authorized).toBe(true);
    expect((await handshake(port, { ca: server.certPem, servername: 'localhost' })).authorized).toBe(true);
    expect((await handshake(port, { ca: server.certPem })).authorized).toBe(true); // by IP 127.0.0.1
    const wrong = await handshake(port, { ca: server.certPem, servername: 'other-host' });
    expect(wrong.authorized).toBe(false);
    expect(wrong.error).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('presents the certificate whose thumbprint was reported', async () => {
    const { port } = await listen(server);
    const r = await handshake(port, { ca: server.certPem, servername: 'win-emu02' });
    expect(r.peer.fingerprint.replace(/:/g, '')).toBe(server.thumbprint);
  });
});

describe('committed development certificate over TLS', () => {
  it('serves localhost and 127.0.0.1 from certs/dev-win-emu01.pem', async () => {
    const store = loadCertificateStore(fileURLToPath(new URL('../../certs', import.meta.url)));
    const dev = requireServerCertificate(store, 'C913BA3A5649BDE9F0CBDFE24897AA23315F89F6');
    const { port } = await listen(dev);
    const ca = readFileSync(dev.file, 'utf8');
    expect((await handshake(port, { ca, servername: 'localhost' })).authorized).toBe(true);
    expect((await handshake(port, { ca, servername: 'win-emu01' })).authorized).toBe(true);
    expect((await handshake(port, { ca })).authorized).toBe(true);
  });
});

describe('client certificate over TLS', () => {
  const server = generateServerCertificate({ dnsNames: ['win-emu02'] });
  const ca = generateCertificateAuthority({ name: 'Socket Test CA' });
  const client = generateClientCertificate({ upn: 'alice@localhost', ca });

  it('reaches the server with its UPN, EKU and thumbprint, and chains to the CA', async () => {
    const { port, seen } = await listen(server, ca.certPem);
    await handshake(port, { ca: server.certPem, servername: 'win-emu02', cert: client.certPem, key: client.keyPem });
    const s = await seen;
    expect(s.authorized).toBe(true);
    expect(s.peer?.subjectAltName).toBe('othername:UPN:alice@localhost');
    expect(s.peer?.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(s.peer?.fingerprint.replace(/:/g, '')).toBe(client.thumbprint);
  });

  it('is seen but not authorized when its issuer is not trusted', async () => {
    const stranger = generateClientCertificate({ upn: 'mallory@localhost' }); // self-signed
    const { port, seen } = await listen(server, ca.certPem);
    await handshake(port, { ca: server.certPem, servername: 'win-emu02', cert: stranger.certPem, key: stranger.keyPem });
    const s = await seen;
    expect(s.authorized).toBe(false);
    expect(s.authorizationError).toBeDefined();
    expect(s.peer?.subjectAltName).toBe('othername:UPN:mallory@localhost');
  });
});
