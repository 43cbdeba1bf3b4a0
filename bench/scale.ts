// Scale: heap per idle shell and heap growth over many command cycles, measured in a child
// process under `node --expose-gc` (scale-worker.ts) so full GCs can be forced and no other
// benchmark's heap is counted. Baseline: the heap before (no shells open; after the warm-up).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmt, type Row } from './lib/table.js';

interface ScaleResult {
  shells: number;
  perShellBytes: number;
  heapBeforeShells: number;
  heapWithShells: number;
  warmupCycles: number;
  cycles: number;
  heapWarm: number;
  heapEnd: number;
  growth: number;
  cyclesPerSecond: number;
}

const WORKER = fileURLToPath(new URL('./scale-worker.ts', import.meta.url));

function runScale(o: { shells: number; warmupCycles: number; cycles: number; maxMs: number }): Promise<ScaleResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', WORKER, JSON.stringify(o)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), o.maxMs + 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      if (code !== 0) return reject(new Error(`scale worker exited ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as ScaleResult);
    });
  });
}

export async function benchScale(o: { shells: number; warmupCycles: number; cycles: number; maxMs: number }): Promise<Row[]> {
  const r = await runScale(o);
  const kib = r.perShellBytes / 1024;
  const complete = r.cycles === o.cycles;
  return [
    {
      benchmark: `Scale: ${fmt(r.shells)} idle shells open at once (in-process core)`,
      figure: `${fmt(kib, 1)} KiB heap per idle shell`,
      baseline: `${fmt(r.heapBeforeShells / 1048576, 1)} MiB heap with none → ${fmt(r.heapWithShells / 1048576, 1)} MiB`,
      ratio: undefined,
      goal: '≤ 16 KiB per shell',
      met: kib <= 16,
    },
    {
      benchmark: `Scale: heap after ${fmt(r.cycles)} command cycles (in-process core)`,
      figure: `${r.growth >= 0 ? '+' : ''}${(r.growth * 100).toFixed(1)}% (${fmt(r.heapEnd / 1048576, 1)} MiB)`,
      baseline: `${fmt(r.heapWarm / 1048576, 1)} MiB after ${fmt(r.warmupCycles)} warm-up cycles`,
      ratio: r.heapEnd / r.heapWarm,
      goal: 'within 5% after 100,000 cycles',
      met: complete && o.cycles >= 100_000 ? Math.abs(r.growth) <= 0.05 : undefined,
      notes: `${fmt(r.cyclesPerSecond)} cycles/s in process${complete ? '' : `; stopped at the time bound after ${fmt(r.cycles)} of ${fmt(o.cycles)}`}${o.cycles < 100_000 ? '; smoke: fewer cycles, not judged' : ''}`,
    },
  ];
}
