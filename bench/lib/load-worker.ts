// Child-process side of load.ts: closed-loop virtual users, each on a kept-alive raw HTTP/1.1
// connection of its own (raw-http.ts). A warm-up phase runs first (its work is not counted), then
// the measured window; both bounded in time and in iterations. Prints one JSON LoadResult line.
import type { LoadSpec, LoadResult } from './load.js';
import * as env from './envelopes.js';
import { RawHttpConnection } from './raw-http.js';
import { NtlmHttpClient, type Reply } from '../../src/client/ntlm-http.js';
import { PsrpTestClient } from '../../test/helpers/psrp-client.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const SOAP = 'application/soap+xml;charset=UTF-8';

/** NtlmHttpClient's handshake and sealing, carried over the generator's raw connection. */
class RawNtlmClient extends NtlmHttpClient {
  constructor(
    private readonly conn: RawHttpConnection,
    url: string,
    creds: { user: string; password: string },
  ) {
    super(url, creds);
  }
  override send(headers: Record<string, string | number>, body: Buffer = Buffer.alloc(0)): Promise<Reply> {
    return this.conn.request(headers, body);
  }
  override close(): void {
    this.conn.close();
    super.close();
  }
}

interface Counters {
  requests: number;
  iterations: number;
  bytes: number;
  /** Decoded command output (bulk). */
  output: number;
}

async function main(): Promise<void> {
  const counted: Counters = { requests: 0, iterations: 0, bytes: 0, output: 0 };
  const scratch: Counters = { requests: 0, iterations: 0, bytes: 0, output: 0 };
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const measureStart = t0 + spec.warmupMs;
  const end = measureStart + spec.durationMs;
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  let lastDone = measureStart;
  const counters = () => (performance.now() >= measureStart ? counted : scratch);
  const startCpu = setTimeout(() => (cpuAtStart = process.cpuUsage()), Math.max(0, spec.warmupMs));

  const user = async () => {
    const conn = new RawHttpConnection(spec.url);
    const fixed: Record<string, string> = spec.authorization ? { authorization: spec.authorization } : spec.scenario === 'identify' ? { wsmanidentify: 'unauthenticated' } : {};
    let ntlm: RawNtlmClient | undefined;
    let psrp: PsrpTestClient | undefined;
    const send = async (xml: string): Promise<string> => {
      let status: number;
      let text: string;
      if (ntlm) {
        const r = await ntlm.sealed(xml);
        status = r.status;
        text = r.plaintext ?? '';
      } else {
        const r = await conn.request({ 'content-type': SOAP, ...fixed }, Buffer.from(xml));
        status = r.status;
        text = r.body.toString('utf8');
      }
      const c = counters();
      c.requests++;
      c.bytes += text.length;
      if (status !== 200) throw new Error(`HTTP ${status}: ${text.slice(0, 300)}`);
      return text;
    };
    if (spec.scenario === 'ntlm-cycle') {
      ntlm = new RawNtlmClient(conn, spec.url, spec.credentials ?? { user: '', password: '' });
      const legs = await ntlm.authenticate();
      if (legs.at(-1)?.status !== 200) throw new Error(`NTLM handshake failed: ${legs.map((l) => l.status).join(',')}`);
    }
    if (spec.scenario === 'psrp') {
      psrp = new PsrpTestClient(async (xml) => {
        const r = await conn.request({ 'content-type': SOAP, ...fixed }, Buffer.from(xml));
        const c = counters();
        c.requests++;
        c.bytes += r.body.length;
        return { status: r.status, text: r.body.toString('utf8') };
      });
      await psrp.open();
    }
    let iterations = 0;
    while (performance.now() < end && iterations < spec.maxIterations) {
      try {
        switch (spec.scenario) {
          case 'identify':
            await send(env.IDENTIFY);
            break;
          case 'cycle':
          case 'ntlm-cycle': {
            const shell = /<rsp:ShellId>([^<]+)</.exec(await send(env.create()))![1]!;
            const cmd = /<rsp:CommandId>([^<]+)</.exec(await send(env.command(shell, spec.command ?? 'echo hi')))![1]!;
            for (let i = 0; i < 1000 && !(await send(env.receive(shell, cmd))).includes('CommandState/Done'); i++);
            await send(env.signal(shell, cmd));
            await send(env.del(shell));
            break;
          }
          case 'bulk': {
            // Output bytes as the client decodes them from the Receive responses' streams.
            const shell = /<rsp:ShellId>([^<]+)</.exec(await send(env.create()))![1]!;
            const cmd = /<rsp:CommandId>([^<]+)</.exec(await send(env.command(shell, spec.command ?? 'echo hi')))![1]!;
            let decoded = 0;
            for (let i = 0; i < 100_000; i++) {
              const r = await send(env.receive(shell, cmd));
              for (const m of r.matchAll(/<rsp:Stream Name="stdout"[^>]*>([^<]*)<\/rsp:Stream>/g)) decoded += Buffer.from(m[1]!, 'base64').length;
              if (r.includes('CommandState/Done')) break;
            }
            await send(env.signal(shell, cmd));
            await send(env.del(shell));
            if (spec.expectBytes !== undefined && decoded !== spec.expectBytes) throw new Error(`bulk: decoded ${decoded} bytes, expected ${spec.expectBytes}`);
            counters().output += decoded;
            break;
          }
          case 'receive-stream': {
            // The bulk baseline: Receives only, against a server answering one static chunk.
            let decoded = 0;
            for (let i = 0; i < 100_000 && decoded < (spec.expectBytes ?? 0); i++) {
              const r = await send(env.receive('S', 'C'));
              for (const m of r.matchAll(/<rsp:Stream Name="stdout"[^>]*>([^<]*)<\/rsp:Stream>/g)) decoded += Buffer.from(m[1]!, 'base64').length;
            }
            counters().output += decoded;
            break;
          }
          case 'psrp': {
            const pid = await psrp!.command([{ cmd: spec.command ?? 'Write-Output', args: [[undefined, '<S>hi</S>']] }]);
            const r = await psrp!.collect(pid);
            if (r.state !== 4 || r.output.length !== 1) throw new Error(`pipeline ended in state ${r.state} with ${r.output.length} outputs`);
            break;
          }
        }
        iterations++;
        const now = performance.now();
        if (now >= measureStart) {
          counted.iterations++;
          lastDone = now;
        }
      } catch (e) {
        errors++;
        firstError ??= e instanceof Error ? e.message : String(e);
        if (errors > 100) break;
      }
    }
    if (psrp) await psrp.close().catch(() => undefined);
    conn.close();
  };
  await Promise.all(Array.from({ length: spec.concurrency }, user));
  clearTimeout(startCpu);
  const cpu = process.cpuUsage(cpuAtStart);
  const seconds = Math.max(lastDone - measureStart, 1) / 1000;
  const result: LoadResult = {
    requests: counted.requests,
    allRequests: counted.requests + scratch.requests,
    iterations: counted.iterations,
    errors,
    seconds,
    bytes: counted.bytes,
    output: counted.output,
    generatorCpu: cpuAtStart ? (cpu.user + cpu.system) / 1000 / (seconds * 1000) : 0,
    ...(firstError !== undefined ? { firstError } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`load generator: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
