// The baseline every ratio is taken against: a bare fastify server (no logger, a catch-all Buffer
// body parser, one POST route) answering static bytes, on loopback, over HTTP and over HTTPS with
// the emulator's own development certificate and TLS floor. It runs in the same process as the
// emulator under test and is driven by the same load generator, in the same run.
import fastify, { type FastifyInstance } from 'fastify';
import { fileURLToPath } from 'node:url';
import { loadCertificateStore } from '../../src/certs/store.js';

const DEV_THUMBPRINT = 'C913BA3A5649BDE9F0CBDFE24897AA23315F89F6';
const SOAP = 'application/soap+xml;charset=UTF-8';
const NS = 'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"';
const HEAD = (action: string) =>
  `<s:Header><a:Action>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/${action}</a:Action><a:MessageID>uuid:8D1C2F6E-3B2A-4C55-9E51-2A1F0C7B9D10</a:MessageID><a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To><a:RelatesTo>uuid:0F5E0B3C-51A4-4D0B-8F6A-6F4C2B7E1A99</a:RelatesTo></s:Header>`;

/** The anonymous IdentifyResponse, byte for byte as the emulator answers it (487 B). */
export const IDENTIFY_RESPONSE =
  '<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header></s:Header><s:Body><wsmid:IdentifyResponse xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion><wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor><wsmid:ProductVersion>OS: 0.0.0 SP: 0.0 Stack: 3.0</wsmid:ProductVersion></wsmid:IdentifyResponse></s:Body></s:Envelope>';

/**
 * One static body (~1.3 KB, the size of Windows' ReceiveResponse) that satisfies every read the
 * cycle client makes (ShellId after Create, CommandId after Command, Done after Receive), so the
 * baseline runs the very same client loop with the very same request bytes as the emulator.
 */
export const CYCLE_RESPONSE =
  `<s:Envelope xml:lang="en-US" ${NS}>${HEAD('ReceiveResponse')}<s:Body><rsp:ReceiveResponse><rsp:ShellId>6B0E5C5A-2B8B-4B8E-9E3C-7E5D0A1F2C3D</rsp:ShellId><rsp:CommandId>A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF</rsp:CommandId>` +
  `<rsp:Stream Name="stdout" CommandId="A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF">aGkNCg==</rsp:Stream><rsp:Stream Name="stdout" CommandId="A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF" End="true"></rsp:Stream><rsp:Stream Name="stderr" CommandId="A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF" End="true"></rsp:Stream>` +
  `<rsp:CommandState CommandId="A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"><rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse></s:Body></s:Envelope>`;

/** A ReceiveResponse carrying `outputBytes` of stdout, still Running: the bulk baseline's static answer. */
export function bulkChunkResponse(outputBytes: number): string {
  const data = Buffer.alloc(outputBytes, 'x').toString('base64');
  return `<s:Envelope xml:lang="en-US" ${NS}>${HEAD('ReceiveResponse')}<s:Body><rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF">${data}</rsp:Stream><rsp:CommandState CommandId="A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"></rsp:CommandState></rsp:ReceiveResponse></s:Body></s:Envelope>`;
}

export interface BareServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A bare fastify answering every POST to /wsman with `body`; with `spinUs`, after a busy loop of
 * that many µs per request (what a fixed amount of work per request costs at the wire).
 */
export async function startBareFastify(opts: { tls: boolean; body: string | Buffer; spinUs?: number }): Promise<BareServer> {
  let https = {};
  if (opts.tls) {
    const cert = loadCertificateStore(fileURLToPath(new URL('../../certs', import.meta.url))).get(DEV_THUMBPRINT);
    if (!cert?.keyPem) throw new Error('the development certificate is missing from certs/');
    https = { https: { cert: cert.certPem, key: cert.keyPem, minVersion: 'TLSv1.2' as const } };
  }
  const app: FastifyInstance = fastify({ logger: false, keepAliveTimeout: 120_000, bodyLimit: 64 * 1024 * 1024, ...https }) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  const payload = Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
  const spinMs = (opts.spinUs ?? 0) / 1000;
  app.post('/wsman', (_req, reply) => {
    if (spinMs > 0) for (const until = performance.now() + spinMs; performance.now() < until; );
    return reply.header('content-type', SOAP).send(payload);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}/wsman`, close: () => app.close() };
}
