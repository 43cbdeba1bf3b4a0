// The WinRS command cycle (pywinrm's Create, Command `echo hi`, Receive until Done, Signal,
// Delete) over HTTPS Basic with keep-alive, at several concurrencies, beside a bare anonymous
// Identify measured in the same run. Prints cycles/s, requests/s and the ratio to Identify.
import { createEmulator } from '../src/emulator.js';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/logging.js';
import { median, runLoad } from './lib/load.js';

export async function benchWinrsCycle(opts: { durationMs: number; rounds: number; concurrencies: number[] }): Promise<Array<Record<string, string | number>>> {
  const emu = await createEmulator({ config: loadConfig({ env: {} }), ephemeralPorts: true, logger: createLogger('silent') });
  const https = emu.listeners.find((l) => l.transport === 'HTTPS')!.url.replace('localhost', '127.0.0.1');
  const authorization = `Basic ${Buffer.from('Administrator:Emu-Admin-Passw0rd!').toString('base64')}`;
  const rows: Array<Record<string, string | number>> = [];
  try {
    for (const concurrency of opts.concurrencies) {
      const identify: number[] = [];
      const cycles: number[] = [];
      const cycleReqs: number[] = [];
      // Interleave baseline and subject so machine noise hits both alike.
      for (let r = 0; r < opts.rounds; r++) {
        const base = await runLoad({ url: https, scenario: 'identify', concurrency, durationMs: opts.durationMs });
        identify.push(base.requests / base.seconds);
        const c = await runLoad({ url: https, scenario: 'cycle', authorization, concurrency, durationMs: opts.durationMs });
        if (c.errors > 0) throw new Error(`${c.errors} failed cycles`);
        cycles.push(c.iterations / c.seconds);
        cycleReqs.push(c.requests / c.seconds);
      }
      const id = median(identify);
      rows.push({
        benchmark: `WinRS cycle (pywinrm envelopes), HTTPS Basic, ${concurrency} conn`,
        figure: `${Math.round(median(cycleReqs))} req/s (${Math.round(median(cycles))} cycles/s)`,
        baseline: `${Math.round(id)} req/s anonymous Identify`,
        ratio: +(median(cycleReqs) / id).toFixed(2),
      });
    }
  } finally {
    await emu.close();
  }
  return rows;
}
