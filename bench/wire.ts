// Over real loopback sockets, in one interleaved run (performance.md: only same-run ratios carry
// over), each round in the same order:
//   1. bare fastify over HTTP answering the static anonymous IdentifyResponse   (baseline of 2)
//   2. the emulator's anonymous Identify over HTTP
//   3. bare fastify over HTTPS answering one static body to pywinrm's cycle    (baseline of 4)
//   4. the WinRS command cycle with pywinrm's envelopes, HTTPS + Basic          (baseline of 5, 6)
//   5. the same cycle over HTTP with NTLM and message encryption
//   6. PSRP: one pipeline (Write-Output hi) at a time on an open runspace pool, HTTPS + Basic
//   7. the cycle's budget: bare fastify over HTTPS again, with 20 and then 40 µs of busy loop per
//      request, which shows how much work per request the cycle's 0.5 goal leaves (no goal)
// Then, for every wire goal not met, a CPU profile of this process under that load (profile.ts).
// Every figure is the median of the rounds; the generator is a child process (one core), the
// servers share this process (the other core). The emulator is the compiled dist/ (as `npm start`
// runs it) and logs at its default level and mode into /dev/null, as a real run pays for its lines.
import { startDistEmulator } from './lib/dist.js';
import { median, runRounds, type LoadResult, type LoadSpec } from './lib/load.js';
import { CYCLE_RESPONSE, IDENTIFY_RESPONSE, startBareFastify } from './lib/baseline.js';
import { fmt, type Row } from './lib/table.js';
import { profileLoad, renderProfile } from './lib/profile.js';

export interface WireOptions {
  readonly rounds: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly concurrency: number;
  readonly only?: ReadonlySet<string>;
  /** false: run the emulator's scenarios only (for a CPU profile of the emulator alone). */
  readonly baselines?: boolean;
  /** Profile the goals not met (default), or every goal's run (the smoke pass: the code still works). */
  readonly profile?: 'unmet' | 'all';
}

const ADMIN = { user: 'Administrator', password: 'Emu-Admin-Passw0rd!' };
const BASIC = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`;

/** Spin per request of the cycle-budget baselines, µs. */
const BUDGETS = [20, 40] as const;

export async function benchWire(o: WireOptions): Promise<{ rows: Row[]; profiles: string[] }> {
  const emu = await startDistEmulator();
  const bareHttp = await startBareFastify({ tls: false, body: IDENTIFY_RESPONSE });
  const bareHttps = await startBareFastify({ tls: true, body: CYCLE_RESPONSE });
  const budgets = await Promise.all(BUDGETS.map((spinUs) => startBareFastify({ tls: true, body: CYCLE_RESPONSE, spinUs })));
  const url = (t: 'HTTP' | 'HTTPS') => emu.listeners.find((l) => l.transport === t)!.url.replace('localhost', '127.0.0.1');
  const base = { concurrency: o.concurrency, warmupMs: o.warmupMs, durationMs: o.durationMs, maxIterations: 2_000_000 };
  const runs: Array<[string, LoadSpec]> = [
    ['bare-identify', { ...base, url: bareHttp.url, scenario: 'identify' }],
    ['identify', { ...base, url: url('HTTP'), scenario: 'identify' }],
    ['bare-cycle', { ...base, url: bareHttps.url, scenario: 'cycle', authorization: BASIC }],
    ['cycle', { ...base, url: url('HTTPS'), scenario: 'cycle', authorization: BASIC }],
    ['ntlm', { ...base, url: url('HTTP'), scenario: 'ntlm-cycle', credentials: ADMIN }],
    ['psrp', { ...base, url: url('HTTPS'), scenario: 'psrp', authorization: BASIC }],
    ...BUDGETS.map((us, i): [string, LoadSpec] => [`bare-cycle-${us}us`, { ...base, url: budgets[i]!.url, scenario: 'cycle', authorization: BASIC }]),
  ];
  const subject = (name: string) => name.replace(/^bare-/, '').replace(/-\d+us$/, '');
  const wanted = runs.filter(([name]) => (!o.only || o.only.has(subject(name))) && (o.baselines !== false || !name.startsWith('bare-')));
  const rows: Row[] = [];
  const profiles: string[] = [];
  try {
    const { results, serverCpu } = await runRounds(o.rounds, wanted);
    const measured = tableRows(o, results, serverCpu);
    rows.push(...measured.map(([row]) => row));
    // Where the time goes, for each wire goal not met: the emulator alone under the same load.
    for (const [row, run] of measured.filter(([r]) => r.met === false || (o.profile === 'all' && r.met !== undefined))) {
      const spec = runs.find(([n]) => n === run)![1];
      profiles.push(renderProfile(`CPU profile of the emulator: ${row.benchmark}`, await profileLoad({ ...spec, durationMs: o.profile === 'all' ? spec.durationMs : Math.max(spec.durationMs, 4000) })));
    }
  } finally {
    await emu.close();
    await bareHttp.close();
    await bareHttps.close();
    await Promise.all(budgets.map((b) => b.close()));
  }
  return { rows, profiles };
}

/** The table's rows, each with the run it measures. */
function tableRows(o: WireOptions, results: Map<string, LoadResult[]>, serverCpu: Map<string, number[]>): Array<[Row, string]> {
  const reqs = (name: string) => median((results.get(name) ?? []).map((x) => x.requests / x.seconds));
  const iters = (name: string) => median((results.get(name) ?? []).map((x) => x.iterations / x.seconds));
  const gen = (name: string) => median((results.get(name) ?? []).map((x) => x.generatorCpu)).toFixed(2);
  const us = (name: string) => fmt(median(serverCpu.get(name) ?? []));
  /** The spread of subject/baseline over the rounds, each pair measured back to back (how noisy the run was). */
  const spread = (a: string, b: string) => {
    const pairs = (results.get(a) ?? []).map((x, i) => x.requests / x.seconds / (((results.get(b) ?? [])[i]?.requests ?? 0) / ((results.get(b) ?? [])[i]?.seconds ?? 1)));
    return pairs.length > 1 ? `; ratio per round ${Math.min(...pairs).toFixed(2)}–${Math.max(...pairs).toFixed(2)}` : '';
  };
  const cpu = (a: string, b?: string) => `server CPU ${us(a)}${b ? ` / ${us(b)}` : ''} µs/req; load generator ${gen(a)}${b ? ` / ${gen(b)}` : ''} cores${b ? spread(a, b) : ''}`;
  const has = (name: string) => results.has(name);
  const rows: Array<[Row, string]> = [];
  const c = o.concurrency;
  if (has('identify') && has('bare-identify')) {
    const ratio = reqs('identify') / reqs('bare-identify');
    rows.push([
      {
        benchmark: `Identify, anonymous, HTTP keep-alive, ${c} conn`,
        figure: `${fmt(reqs('identify'))} req/s`,
        baseline: `${fmt(reqs('bare-identify'))} req/s bare fastify, HTTP`,
        ratio,
        goal: 'ratio ≥ 0.80',
        met: ratio >= 0.8,
        notes: cpu('identify', 'bare-identify'),
      },
      'identify',
    ]);
  }
  if (has('cycle') && has('bare-cycle')) {
    const ratio = reqs('cycle') / reqs('bare-cycle');
    rows.push([
      {
        benchmark: `WinRS cycle (pywinrm envelopes, echo hi), HTTPS Basic, ${c} conn`,
        figure: `${fmt(reqs('cycle'))} req/s (${fmt(iters('cycle'))} cycles/s)`,
        baseline: `${fmt(reqs('bare-cycle'))} req/s bare fastify, HTTPS, same requests`,
        ratio,
        goal: 'ratio ≥ 0.50',
        met: ratio >= 0.5,
        notes: cpu('cycle', 'bare-cycle'),
      },
      'cycle',
    ]);
    // The cycle's budget: bare fastify doing a fixed amount of work per request.
    for (const us of BUDGETS) {
      const name = `bare-cycle-${us}us`;
      if (!has(name)) continue;
      rows.push([
        {
          benchmark: `Cycle budget: bare fastify over HTTPS + ${us} µs of busy loop per request`,
          figure: `${fmt(reqs(name))} req/s`,
          baseline: `${fmt(reqs('bare-cycle'))} req/s bare fastify, HTTPS, same requests`,
          ratio: reqs(name) / reqs('bare-cycle'),
          goal: '— (what the cycle goal leaves for the emulator\'s own work)',
          met: undefined,
          notes: cpu(name),
        },
        name,
      ]);
    }
  }
  if (has('ntlm') && has('cycle')) {
    const ratio = reqs('ntlm') / reqs('cycle');
    rows.push([
      {
        benchmark: `WinRS cycle, HTTP NTLM + message encryption, ${c} conn`,
        figure: `${fmt(reqs('ntlm'))} req/s (${fmt(iters('ntlm'))} cycles/s)`,
        baseline: `${fmt(reqs('cycle'))} req/s the HTTPS Basic cycle`,
        ratio,
        goal: 'ratio ≥ 0.70',
        met: ratio >= 0.7,
        notes: `${cpu('ntlm', 'cycle')} (the generator seals and unseals in JS)`,
      },
      'ntlm',
    ]);
  }
  if (has('psrp') && has('cycle')) {
    rows.push([
      {
        benchmark: `PSRP pipelines (Write-Output hi) on open pools, HTTPS Basic, ${c} conn`,
        figure: `${fmt(iters('psrp'))} pipelines/s (${fmt(reqs('psrp'))} req/s)`,
        baseline: `${fmt(iters('cycle'))} WinRS cycles/s`,
        ratio: iters('psrp') / iters('cycle'),
        goal: '— (issue 9: beside the WinRS cycle)',
        met: undefined,
        notes: cpu('psrp', 'cycle'),
      },
      'psrp',
    ]);
  }
  return rows;
}
