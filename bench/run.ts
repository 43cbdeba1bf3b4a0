// `npm run bench`: every benchmark in bench/, one table (figure, baseline from the same run,
// ratio, the goal, met or not). `--smoke` runs a short pass that only shows they still
// work (CI; under a minute, nothing judged on it). `--only=identify,cycle,ntlm,psrp,ladder,bulk,scale,
// start,sandbox` runs a subset (for profiling one path: `node --cpu-prof --import tsx bench/run.ts
// --only=cycle --rounds=1 --duration=10000 --no-baselines`). Loopback only; every load loop is bounded in time and in iterations.
import os from 'node:os';
import { benchWire } from './wire.js';
import { benchBulk } from './bulk.js';
import { benchScale } from './scale.js';
import { benchStart } from './start.js';
import { benchSandbox } from './sandbox.js';
import { benchLadder } from './ladder.js';
import { renderTable, type Row } from './lib/table.js';

const smoke = process.argv.includes('--smoke');
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : undefined;
const want = (...names: string[]) => !only || names.some((n) => only.has(n));
const num = (flag: string) => {
  const a = process.argv.find((x) => x.startsWith(`--${flag}=`));
  return a === undefined ? undefined : Number(a.slice(flag.length + 3));
};
const WIRE = ['identify', 'cycle', 'ntlm', 'psrp'];

const started = performance.now();
const rows: Row[] = [];
/** CPU profiles of the emulator for the wire goals not met (profile.ts), printed after the table. */
const profiles: string[] = [];
if (want('wire', ...WIRE)) {
  const sub = only ? new Set([...only].filter((n) => WIRE.includes(n))) : undefined;
  // The NTLM and PSRP rows are ratios to the HTTPS Basic cycle: it always runs with them.
  if (sub && (sub.has('ntlm') || sub.has('psrp'))) sub.add('cycle');
  const wire = await benchWire({
    rounds: num('rounds') ?? (smoke ? 1 : 5),
    warmupMs: smoke ? 150 : 1000,
    durationMs: num('duration') ?? (smoke ? 400 : 3000),
    concurrency: num('connections') ?? (smoke ? 4 : 16),
    ...(sub && sub.size > 0 ? { only: sub } : {}),
    baselines: !process.argv.includes('--no-baselines'),
    profile: smoke ? 'all' : 'unmet',
  });
  rows.push(...wire.rows);
  profiles.push(...wire.profiles);
}
if (want('ladder')) {
  rows.push(...(await benchLadder({ rounds: num('rounds') ?? (smoke ? 1 : 5), warmupMs: smoke ? 150 : 1000, durationMs: num('duration') ?? (smoke ? 300 : 3000), concurrency: num('connections') ?? (smoke ? 4 : 16) })));
}
if (want('bulk')) rows.push(...(await benchBulk({ rounds: smoke ? 1 : 5 })));
if (want('scale')) rows.push(...(await benchScale(smoke ? { shells: 1000, warmupCycles: 200, cycles: 1000, maxMs: 20_000 } : { shells: 10_000, warmupCycles: 5_000, cycles: 100_000, maxMs: 400_000 })));
if (want('start')) rows.push(...(await benchStart({ rounds: smoke ? 1 : 5 })));
if (want('sandbox')) {
  for (const r of await benchSandbox({ durationMs: smoke ? 200 : 2000, rounds: smoke ? 1 : 3, powershell: true })) {
    rows.push({ benchmark: String(r.benchmark), figure: String(r.figure), baseline: String(r.baseline), ratio: Number(r.ratio), goal: '—', met: undefined });
  }
}

const cpus = os.cpus();
console.log(`\nwinrm-emulator benchmarks${smoke ? ' (SMOKE: too short to judge; nothing below is a measurement)' : ''} — Node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim() ?? '?'}, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
console.log(renderTable(rows));
for (const p of profiles) console.log(`\n${p}`);
