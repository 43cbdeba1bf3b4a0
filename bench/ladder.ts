// Where an anonymous Identify's time goes, as a ladder of servers measured in one interleaved run
// (decision 0007): bare fastify (the Identify baseline); the same with the listener's fastify
// options and its onRequest hook; then one log line per request through the emulator's own
// logger and default log writing; then the same with a fixed 3 µs of CPU added per request, which
// shows what a few µs of work cost in requests per second on this machine kind; then the emulator.
// No goal: the rows explain the Identify row of the table.
import fastify, { type FastifyInstance } from 'fastify';
import { importDist, startDistEmulator } from './lib/dist.js';
import { median, runRounds } from './lib/load.js';
import { IDENTIFY_RESPONSE, startBareFastify, type BareServer } from './lib/baseline.js';
import { fmt, type Row } from './lib/table.js';
import type * as LoggingSource from '../src/logging.js';
import type * as ConfigSource from '../src/config/load.js';

const SOAP = 'application/soap+xml;charset=UTF-8';

type Step = 'hook' | 'line' | 'spin';

async function startStep(step: Step): Promise<BareServer> {
  const { createLogger, logDestination } = await importDist<typeof LoggingSource>('logging.js');
  const { loadConfig } = await importDist<typeof ConfigSource>('config/load.js');
  const logging = loadConfig({ env: {} }).config.logging;
  const logger = createLogger(logging.level, logDestination('/dev/null', logging));
  // The listener's options (src/listener/server.ts) and a hook doing what its onRequest hook does.
  const app: FastifyInstance = fastify({ logger: false, keepAliveTimeout: 120_000, bodyLimit: 600_000, routerOptions: { caseSensitive: false, ignoreTrailingSlash: true }, return503OnClosing: true, forceCloseConnections: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  const active = { n: 0 };
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('server', 'Microsoft-HTTPAPI/2.0');
    if (active.n >= 300) return void reply.code(503).send();
    if (Number(req.headers['content-length'] ?? 0) > 512 * 1024 + 4096) return void reply.code(413).send();
    done();
  });
  const payload = Buffer.from(IDENTIFY_RESPONSE);
  let conn = 0;
  app.post('/wsman', (_req, reply) => {
    if (step === 'spin') {
      const until = performance.now() + 0.003;
      while (performance.now() < until);
    }
    if (step !== 'hook') logger.info({ conn: `c${++conn % 16}`, op: 'Identify', status: 200, sealed: false }, 'Identify user=- -> 200');
    return reply.code(200).header('content-type', SOAP).send(payload);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  return { url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/wsman`, close: () => app.close() };
}

export async function benchLadder(o: { rounds: number; warmupMs: number; durationMs: number; concurrency: number }): Promise<Row[]> {
  const emu = await startDistEmulator();
  const servers: Array<[string, BareServer]> = [
    ['bare fastify answering the static IdentifyResponse (the Identify baseline)', await startBareFastify({ tls: false, body: IDENTIFY_RESPONSE })],
    ["+ the listener's fastify options and onRequest hook (Server header, MaxConnections and size checks)", await startStep('hook')],
    ["+ one log line per request (the emulator's logger and default log writing)", await startStep('line')],
    ['+ 3 µs of CPU per request (a busy loop)', await startStep('spin')],
    ['the emulator (anonymous Identify, answered from its memo)', { url: emu.listeners.find((l) => l.transport === 'HTTP')!.url.replace('localhost', '127.0.0.1'), close: () => emu.close() }],
  ];
  let measured: Awaited<ReturnType<typeof runRounds>>;
  try {
    measured = await runRounds(
      o.rounds,
      servers.map(([name, s]) => [name, { url: s.url, scenario: 'identify', concurrency: o.concurrency, warmupMs: o.warmupMs, durationMs: o.durationMs, maxIterations: 2_000_000 }] as const),
    );
  } finally {
    for (const [, s] of servers) await s.close();
  }
  const rate = (name: string) => median((measured.results.get(name) ?? []).map((x) => x.requests / x.seconds));
  const cpu = (name: string) => median(measured.serverCpu.get(name) ?? []);
  const bare = rate(servers[0]![0]);
  return servers.map(([name]) => ({
    benchmark: `Identify ladder: ${name}`,
    figure: `${fmt(rate(name))} req/s`,
    baseline: `${fmt(bare)} req/s bare fastify`,
    ratio: rate(name) / bare,
    goal: '—',
    met: undefined,
    notes: `server CPU ${fmt(cpu(name))} µs/req`,
  }));
}
