// Bulk output: one command writes 10 MB (10,000,000 bytes) of stdout in 64 KiB writes (an injected
// backend, so the figure is the WinRS layer and the wire, not a program); the client runs
// pywinrm's cycle over HTTPS with Basic and reads it through Receive with pywinrm's
// MaxEnvelopeSize (153600), decoding every stream as it goes. MB/s = decoded bytes / wall time of
// the whole cycle, as the client sees it. Baseline, same run: the same client reading 10 MB from a
// bare fastify over HTTPS answering every Receive with one static ReceiveResponse carrying as
// many output bytes as the emulator puts in one.
import { startDistEmulator } from './lib/dist.js';
import { minimalBackend } from '../src/shell/minimal-backend.js';
import type { CommandBackend, Program } from '../src/shell/backend.js';
import { median, runLoad, type LoadResult } from './lib/load.js';
import { bulkChunkResponse, startBareFastify } from './lib/baseline.js';
import { fmt, type Row } from './lib/table.js';

export const BULK_BYTES = 10_000_000;
/** Output bytes in one Receive at MaxEnvelopeSize 153600 (shells.ts: budget, overheads, base64). */
const PER_RECEIVE = Math.floor((153_600 - 1200 - 400 - 100) / 4) * 3;

const bulkProgram: Program = async (ctx) => {
  const block = Buffer.alloc(64 * 1024, 'x');
  for (let left = BULK_BYTES; left > 0; left -= block.length) await ctx.write('stdout', left >= block.length ? block : block.subarray(0, left));
  return 0;
};

const backend: CommandBackend = {
  resolve: (spec) => (/^bulk10mb$/i.test(spec.command.trim()) ? Object.assign(bulkProgram, { backend: 'bench' }) : minimalBackend.resolve(spec)),
};

export async function benchBulk(o: { rounds: number }): Promise<Row[]> {
  const emu = await startDistEmulator({ backend });
  const bare = await startBareFastify({ tls: true, body: bulkChunkResponse(PER_RECEIVE) });
  const url = emu.listeners.find((l) => l.transport === 'HTTPS')!.url.replace('localhost', '127.0.0.1');
  const authorization = `Basic ${Buffer.from('Administrator:Emu-Admin-Passw0rd!').toString('base64')}`;
  const subject: LoadResult[] = [];
  const baseline: LoadResult[] = [];
  const serverMs: number[] = [];
  try {
    // One unmeasured transfer each first (JIT), then `rounds` measured transfers each, interleaved.
    for (let r = -1; r < o.rounds; r++) {
      const b = await runLoad({ url: bare.url, scenario: 'receive-stream', authorization, concurrency: 1, warmupMs: 0, durationMs: 30_000, maxIterations: 1, expectBytes: BULK_BYTES });
      const before = process.cpuUsage();
      const s = await runLoad({ url, scenario: 'bulk', command: 'bulk10mb', authorization, concurrency: 1, warmupMs: 0, durationMs: 30_000, maxIterations: 1, expectBytes: BULK_BYTES });
      const used = process.cpuUsage(before);
      if (r >= 0) {
        serverMs.push((used.user + used.system) / 1000);
        baseline.push(b);
        subject.push(s);
      }
    }
  } finally {
    await emu.close();
    await bare.close();
  }
  const mbps = (x: LoadResult) => x.output / 1e6 / x.seconds;
  const s = median(subject.map(mbps));
  const b = median(baseline.map(mbps));
  return [
    {
      benchmark: '10 MB of command output through Receive, HTTPS Basic, 1 conn',
      figure: `${fmt(s, 1)} MB/s (${fmt(median(subject.map((x) => x.seconds * 1000)))} ms for 10 MB)`,
      baseline: `${fmt(b, 1)} MB/s bare fastify, static Receive chunks`,
      ratio: s / b,
      goal: '≥ 50 MB/s',
      met: s >= 50,
      notes: `server CPU ${fmt(median(serverMs))} ms per 10 MB; load generator ${median(subject.map((x) => x.generatorCpu)).toFixed(2)} cores (it decodes the base64)`,
    },
  ];
}
