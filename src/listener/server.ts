// One fastify server per configured listener: the only place that touches sockets and TLS.
// fastify mechanics follow auth.md §1.10 (catch-all Buffer parser, keep-alive ≥ 120 s, no
// compression) and HTTP.sys's answers for what is not WS-Man (wsman-protocol.md §1.1).
import fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ListenerConfig } from '../config/types.js';
import type { StoredCertificate } from '../certs/store.js';
import { Pipeline, SEALING_OVERHEAD_BYTES, SERVER_HEADER, type PipelineOptions } from './pipeline.js';

export interface ListenerOptions extends Omit<PipelineOptions, 'tls' | 'certificateDer'> {
  readonly logger: Logger;
  readonly certificate: StoredCertificate | undefined;
  readonly bindHost: string;
  readonly port: number;
  readonly keepAliveTimeoutMs: number;
  /** Body bytes read at most before answering 413; above MaxEnvelopeSizekb so 413 is ours. */
  readonly bodyLimit: number;
  readonly health: () => Record<string, unknown>;
  /** Requests in progress on all of this host's listeners, bounded by Service/MaxConnections. */
  readonly activity: { active: number };
  /** Open TCP connections per listener at most (an emulator bound; excess ones are dropped). */
  readonly maxTcpConnections: number;
}

export interface RunningListener {
  readonly config: ListenerConfig;
  readonly app: FastifyInstance;
  readonly url: string;
  readonly address: string;
  readonly port: number;
  readonly thumbprint: string | undefined;
  readonly pipeline: Pipeline;
}

let requestSeq = 0;

export async function startListener(opts: ListenerOptions): Promise<RunningListener> {
  const tls = opts.listener.Transport === 'HTTPS';
  if (tls && !opts.certificate?.keyPem) throw new Error(`HTTPS listener ${opts.listener.Address} has no certificate with a private key`);
  // With Service/Auth/Certificate on, ask for (never require) a client certificate in the handshake
  // and decide at the HTTP layer, which works for every client (winrm-config.md §7.2 item 2).
  const clientCert = opts.host.winrm.Service.Auth.Certificate ? { requestCert: true, rejectUnauthorized: false } : {};
  const https = tls && opts.certificate?.keyPem ? { https: { cert: opts.certificate.certPem, key: opts.certificate.keyPem, minVersion: 'TLSv1.2' as const, ...clientCert } } : {};
  const app = fastify({
    // pino's Logger is a FastifyBaseLogger at run time; the declared types differ only in generics.
    loggerInstance: opts.logger as unknown as FastifyBaseLogger,
    // One line per operation comes from the pipeline, not fastify's request logging.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (a pino child costs more than the rest of an Identify): the
    // pipeline's line carries the connection id instead (decision 0006).
    childLoggerFactory: (logger) => logger,
    genReqId: () => `r${++requestSeq}`,
    // NTLM authenticates the connection: keep idle ones long enough for real clients (auth.md §1.3).
    keepAliveTimeout: opts.keepAliveTimeoutMs,
    // A sealed envelope carries multipart framing and a signature around MaxEnvelopeSizekb.
    bodyLimit: opts.bodyLimit + SEALING_OVERHEAD_BYTES,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    return503OnClosing: true,
    forceCloseConnections: true,
    ...https,
  });
  // The certificate's DER goes to the NTLM acceptor for channel binding (auth.md §2.6).
  const pipeline = new Pipeline({ ...opts, tls, ...(tls && opts.certificate ? { certificateDer: opts.certificate.x509.raw } : {}) });

  // Every body arrives as a Buffer, whatever its Content-Type (auth.md §1.10).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // Callback style, not async: no promise per request on the hot path (decision 0006).
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('server', SERVER_HEADER);
    // Service/MaxConnections bounds the requests in progress (long-poll Receives included) across
    // the host's listeners; over it HTTP.sys-style 503 with no body (wsman-protocol.md §1.3).
    if (opts.activity.active >= opts.host.winrm.Service.MaxConnections && req.url !== '/_emulator/health') {
      req.log.warn({ event: 'limit.MaxConnections', active: opts.activity.active }, `${opts.activity.active} requests in progress reach Service/MaxConnections -> 503`);
      reply.code(503).header('content-length', '0').header('retry-after', '1').send();
      return;
    }
    opts.activity.active++;
    // 'close' follows every response, finished or cut off (node:http ServerResponse): one listener.
    reply.raw.once('close', () => opts.activity.active--);
    // Over the live MaxEnvelopeSizekb by its Content-Length: 413 before reading the body [WSMV 3.1.4.1.20].
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > opts.host.winrm.MaxEnvelopeSizekb * 1024 + SEALING_OVERHEAD_BYTES) {
      reply.code(413).header('content-length', '0').header('connection', 'close').send();
      return;
    }
    done();
  });

  const prefix = `/${opts.listener.URLPrefix}`;
  app.post(prefix, (req, reply) => pipeline.handle(req, reply));
  // Anything but POST on the WS-Man path: 405, Allow: POST, Connection: close (auth.md §1.1).
  app.route({
    method: ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
    url: prefix,
    handler: (_req, reply) => reply.code(405).header('allow', 'POST').header('connection', 'close').header('content-length', '0').send(),
  });
  app.get('/_emulator/health', async () => ({ status: 'ok', ...opts.health() }));
  app.setNotFoundHandler((_req, reply) => reply.code(404).header('content-length', '0').send());
  app.setErrorHandler((err: { statusCode?: number; code?: string }, req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).header('content-length', '0').header('connection', 'close').send();
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'unexpected error in the listener');
    return reply.code(status).header('content-length', '0').send();
  });

  // Bounds: open connections, and the time a client may take to send one whole request
  // (Service/MaxPacketRetrievalTimeSeconds).
  app.server.maxConnections = opts.maxTcpConnections;
  app.server.requestTimeout = opts.host.winrm.Service.MaxPacketRetrievalTimeSeconds * 1000;
  await app.listen({ host: opts.bindHost, port: opts.port, listenTextResolver: (address) => `listener ${opts.listener.Transport} ${opts.listener.Address} bound to ${address}` });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const shownHost = opts.bindHost === '::' || opts.bindHost === '0.0.0.0' ? 'localhost' : opts.bindHost.includes(':') ? `[${opts.bindHost}]` : opts.bindHost;
  return {
    config: opts.listener,
    app,
    url: `${tls ? 'https' : 'http'}://${shownHost}:${port}${prefix}`,
    address: opts.bindHost,
    port,
    thumbprint: opts.certificate?.thumbprint,
    pipeline,
  };
}
