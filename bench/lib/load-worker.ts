// Child-process side of load.ts: closed-loop virtual users over keep-alive agents.
import http from 'node:http';
import https from 'node:https';
import type { LoadSpec, LoadResult } from './load.js';
import * as env from './envelopes.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const u = new URL(spec.url);
const mod = u.protocol === 'https:' ? https : http;
const MAX_ITERATIONS = 5_000_000;

function post(agent: http.Agent, body: string, extra: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const buf = Buffer.from(body);
    const req = mod.request(
      { hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, rejectUnauthorized: false, headers: { 'content-type': 'application/soap+xml;charset=UTF-8', 'content-length': buf.length, ...extra } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(buf);
  });
}

async function main(): Promise<void> {
  const auth: Record<string, string> = spec.authorization ? { authorization: spec.authorization } : { wsmanidentify: 'unauthenticated' };
  let requests = 0;
  let iterations = 0;
  let errors = 0;
  let bytes = 0;
  const start = performance.now();
  const end = start + spec.durationMs;
  const user = async () => {
    const agent = new mod.Agent({ keepAlive: true, maxSockets: 1 });
    const send = async (body: string) => {
      const r = await post(agent, body, auth);
      requests++;
      bytes += r.text.length;
      if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.text.slice(0, 300)}`);
      return r.text;
    };
    while (performance.now() < end && iterations < MAX_ITERATIONS) {
      try {
        if (spec.scenario === 'identify') await send(env.IDENTIFY);
        else {
          const shell = /<rsp:ShellId>([^<]+)</.exec(await send(env.create()))![1]!;
          const cmd = /<rsp:CommandId>([^<]+)</.exec(await send(env.command(shell, spec.command ?? 'echo hi')))![1]!;
          for (let i = 0; i < 1000 && !(await send(env.receive(shell, cmd))).includes('CommandState/Done'); i++);
          await send(env.signal(shell, cmd));
          await send(env.del(shell));
        }
        iterations++;
      } catch (e) {
        errors++;
        if (errors === 1) console.error(e instanceof Error ? e.message : e);
        if (errors > 1000) break;
      }
    }
    agent.destroy();
  };
  await Promise.all(Array.from({ length: spec.concurrency }, user));
  const result: LoadResult = { requests, iterations, errors, seconds: (performance.now() - start) / 1000, bytes };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

void main();
