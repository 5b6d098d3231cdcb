// kabi-tracker's public API: readers (artifact → model), the model, analyses (model → results),
// reports (results → text) and writers. The CLI and server use only what this file exports.

export * from './analysis/check.js';
export * from './analysis/exports-diff.js';
export * from './analysis/severity.js';
export * from './analysis/summary.js';
export * from './errors.js';
export * from './model/change.js';
export * from './model/export.js';
export * from './model/glob.js';
export type * from './model/kernel-build.js';
export * from './model/policy.js';
export type * from './model/stablelist.js';
export { type Compression, decompress, detectCompression } from './readers/compression.js';
export {
  detectExportsFormat,
  EXPORTS_FORMATS,
  type ExportsOptions,
  parseKernelExports,
  readKernelExports,
} from './readers/kernel-exports.js';
export { type LoadPolicyOptions, loadPolicy } from './readers/load-policy.js';
export {
  detectSymversShape,
  iterateSymvers,
  parseModuleSymvers,
  type SymversOptions,
  type SymversRecord,
  type SymversShape,
} from './readers/module-symvers.js';
export * from './readers/policy/index.js';
export * from './readers/rpm-dependencies.js';
export * from './readers/stablelist/index.js';
export * from './readers/ubuntu-abi.js';

export * from './report/index.js';

export { writeBaseline } from './writers/baseline.js';
export { formatModuleSymvers } from './writers/module-symvers.js';
export { formatRpmProvides } from './writers/rpm-provides.js';
