// Start: from spawning `node dist/src/main.js --config <temp>` to the first answered anonymous
// Identify on its HTTP listener (free high loopback ports, found just before). Baseline, same run:
// the same measurement for a process that starts a bare fastify answering static bytes.
// Needs `npm run build` (dist/ is rebuilt here when it is missing or older than src/).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RawHttpConnection } from './lib/raw-http.js';
import { ensureBuilt, MAIN, ROOT } from './lib/dist.js';
import { IDENTIFY } from './lib/envelopes.js';
import { median } from './lib/load.js';
import { fmt, type Row } from './lib/table.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port: 0 }, () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Spawn `args`, poll Identify on `url` until a 200; ms from spawn to that answer. */
async function timeToFirstIdentify(args: string[], url: string, env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  try {
    for (let attempt = 0; attempt < 5000; attempt++) {
      if (exited) throw new Error(`process exited before answering: ${stderr.slice(0, 500)}`);
      if (performance.now() - t0 > 20_000) throw new Error('no answer within 20 s');
      const c = new RawHttpConnection(url);
      try {
        const r = await c.request({ 'content-type': 'application/soap+xml;charset=UTF-8', wsmanidentify: 'unauthenticated' }, Buffer.from(IDENTIFY));
        if (r.status === 200) return performance.now() - t0;
      } catch {
        // not listening yet
      } finally {
        c.close();
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    throw new Error('no answer');
  } finally {
    child.kill('SIGKILL');
  }
}

const BARE = `
import fastify from 'fastify';
const app = fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_r, b, d) => d(null, b));
app.post('/wsman', (_q, r) => r.header('content-type', 'application/soap+xml;charset=UTF-8').send('<s:Envelope/>'));
await app.listen({ host: '127.0.0.1', port: Number(process.argv[1]) });
`;

export async function benchStart(o: { rounds: number }): Promise<Row[]> {
  ensureBuilt();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'winrm-emu-bench-'));
  const subject: number[] = [];
  const baseline: number[] = [];
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('WINRM_EMU_')) delete env[k];
  try {
    for (let r = -1; r < o.rounds; r++) {
      const [http, https] = [await freePort(), await freePort()];
      const config = path.join(dir, 'start.yaml');
      writeFileSync(
        config,
        [
          'winrm:',
          '  Listener:',
          `    - { Address: "IP:127.0.0.1", Transport: HTTP, Port: ${http} }`,
          `    - { Address: "IP:127.0.0.1", Transport: HTTPS, Port: ${https}, Hostname: win-emu01, CertificateThumbprint: C913BA3A5649BDE9F0CBDFE24897AA23315F89F6 }`,
          `certificateStore: ${JSON.stringify(path.join(ROOT, 'certs'))}`,
          '',
        ].join('\n'),
      );
      const bPort = await freePort();
      const b = await timeToFirstIdentify(['--input-type=module', '-e', BARE, String(bPort)], `http://127.0.0.1:${bPort}/wsman`, env);
      const s = await timeToFirstIdentify([MAIN, '--config', config], `http://127.0.0.1:${http}/wsman`, env);
      if (r >= 0) {
        baseline.push(b);
        subject.push(s);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const s = median(subject);
  const b = median(baseline);
  return [
    {
      benchmark: 'Start: `node dist/src/main.js` to the first answered Identify',
      figure: `${fmt(s)} ms`,
      baseline: `${fmt(b)} ms node + bare fastify`,
      ratio: s / b,
      goal: '≤ 500 ms',
      met: s <= 500,
      notes: `median of ${subject.length}; runs ${subject.map((x) => fmt(x)).join(', ')} ms`,
    },
  ];
}
