// The part of the library `kabi diff` needs for two plain Module.symvers, importable alone: the CLI loads
// it first, so the common diff evaluates ~40 modules instead of the whole library (src/index.ts, which
// re-exports all of this too). Anything the table path declines goes on through src/index.ts.
import type { Policy } from './model/policy.js';

export type { WasmSymversTable } from './model/symvers-wasm.js';

import type { LoadPolicyOptions } from './readers/load-policy.js';

export { compareTables, tablesComparable } from './analysis/exports-table-diff.js';
export { compareWasmTables } from './analysis/exports-table-wasm.js';
export { DEFAULT_POLICY } from './analysis/severity.js';
export { readSymversTable } from './readers/module-symvers-table.js';
export {
  readSymversTableWasm,
  readSymversTableWasmAny,
  readSymversTableWasmXz,
} from './readers/module-symvers-wasm.js';
export { tableDiffToJson, tableDiffToText } from './report/diff-table.js';
export { wasmDiffJsonTo, wasmDiffTextTo, wasmDiffToJson, wasmDiffToText } from './report/diff-table-wasm.js';

/**
 * loadPolicy (readers/load-policy.ts), loaded only when called: the policy and stablelist readers bring
 * the decompressors (zlib, the xz workers), which cost a diff without a policy more to load than its parse.
 */
export async function loadPolicy(opts: LoadPolicyOptions): Promise<Policy> {
  return (await import('./readers/load-policy.js')).loadPolicy(opts);
}
