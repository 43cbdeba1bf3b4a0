// The one table `npm run bench` prints: each figure, its baseline from the same run, the ratio,
// the goal and whether it is met (docs/performance.md carries it as printed).
export interface Row {
  readonly benchmark: string;
  readonly figure: string;
  readonly baseline: string;
  /** subject / baseline, or undefined when the goal is an absolute figure. */
  readonly ratio: number | undefined;
  /** e.g. `ratio ≥ 0.8`, `≥ 50 MB/s`; '—' for figures without a goal. */
  readonly goal: string;
  readonly met: boolean | undefined;
  /** Load-generator CPU and other context, so a reader can tell what limited a figure. */
  readonly notes?: string;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function renderTable(rows: readonly Row[]): string {
  const head = ['benchmark', 'figure', 'baseline (same run)', 'ratio', 'goal', 'met', 'notes'];
  const cells = rows.map((r) => [r.benchmark, r.figure, r.baseline, r.ratio === undefined ? '—' : r.ratio.toFixed(2), r.goal, r.met === undefined ? '—' : r.met ? 'met' : 'NOT met', r.notes ?? ''].map((c) => c.replace(/\|/g, '\\|')));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}
