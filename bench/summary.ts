// Prints the table of every row the benches recorded (bench/table.ts), last in `npm run bench`.
import { existsSync, readFileSync } from 'node:fs';
import type { BenchRow } from './table.js';

const file = process.env.KABI_BENCH_TABLE;
if (!file || !existsSync(file)) {
  console.log('no bench rows recorded (set KABI_BENCH_TABLE, as `npm run bench` does)');
  process.exit(0);
}
const rows = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as BenchRow);
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
const table = [
  ['work', 'baseline (same run)', 'baseline', 'kabi', 'ratio', 'RSS', 'goal', ''],
  ...rows.map((r) => [
    r.work,
    r.baseline,
    ms(r.baselineMs),
    ms(r.kabiMs),
    r.faster ? `${r.ratio.toFixed(1)}× faster` : `${r.ratio.toFixed(2)}×`,
    r.peakRssMb === undefined ? '' : `${r.peakRssMb.toFixed(0)} MB`,
    r.goal ?? '',
    r.met === undefined ? '' : r.met ? 'met' : 'NOT MET',
  ]),
];
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
console.log(`\n== every figure of this run (${rows.length} rows; medians, ratios to the baseline)\n`);
for (const [i, row] of table.entries()) {
  console.log(
    row
      .map((c, j) => c.padEnd(widths[j]!))
      .join('  ')
      .trimEnd(),
  );
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
