// One table of every figure `npm run bench` measured: each bench records its rows here (one JSON line per
// row in $KABI_BENCH_TABLE, which `npm run bench` empties first), and bench/summary.ts prints them last.
import { appendFileSync } from 'node:fs';

export interface BenchRow {
  /** What was timed, as a user runs it. */
  work: string;
  /** The baseline run in the same process of benches, and its median. */
  baseline: string;
  baselineMs: number;
  /** kabi's median (whole command, process start included). */
  kabiMs: number;
  /** kabi / baseline; or, when `faster` is set, baseline / kabi (how many times faster). */
  ratio: number;
  faster?: boolean;
  /** The goal for the ratio, in words (`≤ 1.3×`, `≥ 20× faster`). */
  goal?: string;
  /** Whether the goal holds (undefined: no goal). */
  met?: boolean;
  peakRssMb?: number;
}

export function recordRow(row: BenchRow): void {
  const file = process.env.KABI_BENCH_TABLE;
  if (file) appendFileSync(file, `${JSON.stringify(row)}\n`);
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** The scaling exponent: least squares of log time on log size (1 is linear). */
export function exponent(xs: readonly number[], ys: readonly number[]): number {
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b) / lx.length;
  const my = ly.reduce((a, b) => a + b) / ly.length;
  const num = lx.reduce((a, x, i) => a + (x - mx) * (ly[i]! - my), 0);
  return num / lx.reduce((a, x) => a + (x - mx) ** 2, 0);
}
