// `npm run bench`: every benchmark in bench/, one table. `--smoke` runs a short pass (CI).
import { benchWinrsCycle } from './winrs-cycle.js';
import { benchSandbox } from './sandbox.js';

const smoke = process.argv.includes('--smoke');
const durationMs = smoke ? 300 : 3000;
const rounds = smoke ? 1 : 3;

const rows = [
  ...(await benchWinrsCycle({ durationMs, rounds, concurrencies: smoke ? [4] : [1, 8, 32] })),
  ...(await benchSandbox({ durationMs, rounds, powershell: true })),
];
console.table(rows);
