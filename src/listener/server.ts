// One fastify server per configured listener: the only place that touches sockets and TLS.
// fastify mechanics follow auth.md §1.10 (catch-all Buffer parser, keep-alive ≥ 120 s, no
// compression) and HTTP.sys's answers for what is not WS-Man (wsman-protocol.md §1.1).
import fastify, { type FastifyInstance } from 'fastify';
import type { ListenerConfig } from '../config/types.js';
import type { StoredCertificate } from '../certs/store.js';
import { Pipeline, SEALING_OVERHEAD_BYTES, SERVER_HEADER, type PipelineOptions } from './pipeline.js';

/** The schema compiler of a server whose routes have no schemas (see schemaController below). */
function NO_SCHEMAS(): never {
  throw new Error('the WinRM listener routes have no JSON schemas to compile');
}

export interface ListenerOptions extends Omit<PipelineOptions, 'tls' | 'certificateDer'> {
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

export async function startListener(opts: ListenerOptions): Promise<RunningListener> {
  const tls = opts.listener.Transport === 'HTTPS';
  if (tls && !opts.certificate?.keyPem) throw new Error(`HTTPS listener ${opts.listener.Address} has no certificate with a private key`);
  // With Service/Auth/Certificate on, ask for (never require) a client certificate in the handshake
  // and decide at the HTTP layer, which works for every client (winrm-config.md §7.2 item 2).
  const clientCert = opts.host.winrm.Service.Auth.Certificate ? { requestCert: true, rejectUnauthorized: false } : {};
  const https = tls && opts.certificate?.keyPem ? { https: { cert: opts.certificate.certPem, key: opts.certificate.keyPem, minVersion: 'TLSv1.2' as const, ...clientCert } } : {};
  const app = fastify({
    // No logger for fastify (decision 0007): with one it adds response listeners and a request
    // child to every request; the pipeline writes the one line per operation to opts.logger.
    logger: false,
    // NTLM authenticates the connection: keep idle ones long enough for real clients (auth.md §1.3).
    keepAliveTimeout: opts.keepAliveTimeoutMs,
    // A sealed envelope carries multipart framing and a signature around MaxEnvelopeSizekb.
    bodyLimit: opts.bodyLimit + SEALING_OVERHEAD_BYTES,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    return503OnClosing: true,
    forceCloseConnections: true,
    // No route has a JSON schema, so fastify never compiles one: compilers that refuse spare
    // loading ajv at every start (about 40 ms of the start-up, decision 0008).
    schemaController: { compilersFactory: { buildValidator: () => NO_SCHEMAS, buildSerializer: () => NO_SCHEMAS } },
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
      opts.logger.warn({ event: 'limit.MaxConnections', active: opts.activity.active }, `${opts.activity.active} requests in progress reach Service/MaxConnections -> 503`);
      reply.code(503).header('content-length', '0').header('retry-after', '1').send();
      return;
    }
    // Over the live MaxEnvelopeSizekb by its Content-Length: 413 before reading the body [WSMV 3.1.4.1.20].
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > opts.host.winrm.MaxEnvelopeSizekb * 1024 + SEALING_OVERHEAD_BYTES) {
      reply.code(413).header('content-length', '0').header('connection', 'close').send();
      return;
    }
    done();
  });

  const prefix = `/${opts.listener.URLPrefix}`;
  // A request is in progress from its handler's start to its answer (a long-poll Receive until it
  // answers or its connection closes). A handler that answered synchronously returns nothing.
  app.post(prefix, (req, reply) => {
    opts.activity.active++;
    let answering: Promise<unknown> | undefined;
    try {
      answering = pipeline.handle(req, reply);
    } finally {
      if (answering === undefined) opts.activity.active--;
    }
    return answering?.finally(() => opts.activity.active--);
  });
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
    if (status === 500) opts.logger.error({ err, url: req.url }, 'unexpected error in the listener');
    return reply.code(status).header('content-length', '0').send();
  });

  // Bounds: open connections, and the time a client may take to send one whole request
  // (Service/MaxPacketRetrievalTimeSeconds).
  app.server.maxConnections = opts.maxTcpConnections;
  app.server.requestTimeout = opts.host.winrm.Service.MaxPacketRetrievalTimeSeconds * 1000;
  const bound = await app.listen({ host: opts.bindHost, port: opts.port });
  opts.logger.info({ event: 'listener.bound', transport: opts.listener.Transport, address: opts.listener.Address }, `listener ${opts.listener.Transport} ${opts.listener.Address} bound to ${bound}`);
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
