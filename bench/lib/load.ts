// A bounded closed-loop load generator running in a child process, so the server under test keeps
// its event loop (and a core) to itself. Each virtual user runs one scenario step after another on a keep-alive
// connection of its own, for a fixed time; loopback targets only.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LoadSpec {
  /** http(s)://127.0.0.1:port/path; refused unless loopback. */
  readonly url: string;
  readonly scenario: 'identify' | 'cycle';
  readonly authorization?: string;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly command?: string;
}

export interface LoadResult {
  readonly requests: number;
  readonly iterations: number;
  readonly errors: number;
  readonly seconds: number;
  readonly bytes: number;
}

export function assertLoopback(url: string): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (!(host === 'localhost' || host === '::1' || /^127\./.test(host))) throw new Error(`refusing to load-test ${host}: loopback only`);
}

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  assertLoopback(spec.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./load-worker.ts', import.meta.url)), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), spec.durationMs + 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      if (code !== 0) return reject(new Error(`load generator exited ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as LoadResult);
    });
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
