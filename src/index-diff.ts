// The part of the library `kabi diff` needs for two plain Module.symvers, importable alone: the CLI loads
// it first, so the common diff evaluates ~40 modules instead of the whole library (src/index.ts, which
// re-exports all of this too). Anything the table path declines goes on through src/index.ts.
export { compareTables, tablesComparable } from './analysis/exports-table-diff.js';
export { loadPolicy } from './readers/load-policy.js';
export { readSymversTable } from './readers/module-symvers-table.js';
export { tableDiffToJson, tableDiffToText } from './report/diff-table.js';
