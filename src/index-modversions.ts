// The part of the library `kabi modversions DIR` needs (a module tree, as text), importable alone: the CLI
// loads it first, so that reading 4,000 modules' imports does not wait on evaluating the whole library
// (src/index.ts, which re-exports all of this too). Every other input goes on through src/index.ts.
export { MODULES_EXPECTED, requireSome } from './analysis/nothing-to-judge.js';
export { sniffArtifact } from './readers/artifact.js';
export { treeModversions } from './readers/tree-modversions.js';
export { modversionsTreeRenderers } from './report/module.js';
