// Counts as the pages print them: the charts' own grouping (src/report/charts/svg.ts), which
// test/serve/format.test.ts checks under node against Intl.
import { formatCount } from '../../src/report/charts/svg.js';

export function fmt(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : formatCount(n);
}
