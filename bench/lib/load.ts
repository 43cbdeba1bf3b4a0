// A bounded closed-loop load generator running in a child process, so the server under test keeps
// its event loop (and a core) to itself. Each virtual user runs one scenario step after another on
// a keep-alive connection of its own (raw-http.ts), for a fixed time and at most a fixed number of
// iterations; loopback targets only. The child reports its own CPU use, so a table can show when
// the generator rather than the server was the limit.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { assertLoopback } from './raw-http.js';

export { assertLoopback };

export interface LoadSpec {
  /** http(s)://127.0.0.1:port/path; refused unless loopback. */
  readonly url: string;
  readonly scenario: 'identify' | 'cycle' | 'ntlm-cycle' | 'psrp' | 'bulk' | 'receive-stream';
  readonly authorization?: string;
  /** NTLM scenario: who authenticates (the handshake runs once per connection, before the warm-up ends). */
  readonly credentials?: { readonly user: string; readonly password: string };
  readonly concurrency: number;
  /** Unmeasured run time before the measured window (JIT, TLS handshakes, NTLM handshakes). */
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Per virtual user. */
  readonly maxIterations: number;
  readonly command?: string;
  /** bulk: the output size every command must deliver, byte for byte. */
  readonly expectBytes?: number;
}

export interface LoadResult {
  readonly requests: number;
  /** Warm-up included: what the server answered in all. */
  readonly allRequests: number;
  readonly iterations: number;
  readonly errors: number;
  readonly seconds: number;
  /** Response text the client read. */
  readonly bytes: number;
  /** Decoded command output (bulk). */
  readonly output: number;
  /** The generator's CPU time over the window, in cores (1 = one core busy all the time). */
  readonly generatorCpu: number;
  readonly firstError?: string;
}

const WORKER = fileURLToPath(new URL('./load-worker.ts', import.meta.url));

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  assertLoopback(spec.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // The worker stops by itself; this is the backstop.
    const killer = setTimeout(() => child.kill('SIGKILL'), spec.warmupMs + spec.durationMs + 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      if (code !== 0) return reject(new Error(`load generator exited ${code}`));
      const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as LoadResult;
      if (r.errors > 0) return reject(new Error(`${spec.scenario} on ${spec.url}: ${r.errors} errors, first: ${r.firstError ?? '?'}`));
      resolve(r);
    });
  });
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Interleaved rounds: every run once per round, in order, in this process's servers. Returns each
 * run's results and the servers' CPU per answered request (this process's CPU over the run: the
 * servers live here, one loaded at a time).
 */
export async function runRounds(rounds: number, runs: ReadonlyArray<readonly [string, LoadSpec]>): Promise<{ results: Map<string, LoadResult[]>; serverCpu: Map<string, number[]> }> {
  const results = new Map<string, LoadResult[]>();
  const serverCpu = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    for (const [name, spec] of runs) {
      const before = process.cpuUsage();
      const res = await runLoad(spec);
      const used = process.cpuUsage(before);
      results.set(name, [...(results.get(name) ?? []), res]);
      serverCpu.set(name, [...(serverCpu.get(name) ?? []), (used.user + used.system) / Math.max(1, res.allRequests)]);
    }
  }
  return { results, serverCpu };
}
