// The part of the library `kabi modversions DIR` and `kabi modversions|modinfo FILE` need (a module tree or
// one module, as text), importable alone: the CLI and its quick entry load it first, so that reading 4,000
// modules' imports, or one module's, does not wait on evaluating the whole library (src/index.ts, which
// re-exports all of this too). Every other input goes on through src/index.ts.
export { MODULES_EXPECTED, requireSome } from './analysis/nothing-to-judge.js';
export { sniffArtifact } from './readers/artifact.js';
export { parseModuleImage, readModuleImage } from './readers/module/module-image.js';
export { treeModversions } from './readers/tree-modversions.js';
export {
  modinfoFieldText,
  modinfoRenderers,
  modversionsRenderers,
  modversionsTreeRenderers,
} from './report/module.js';
