// Readers for kABI stablelists: the symbol sets a distribution promises to keep (RHEL's
// kabi_stablelist_<arch> and kabi-module tree, openEuler's Module.kabi_<arch> and whitelists,
// Android GKI / libabigail symbol lists, plain lists). See docs/formats/stablelists.md.
export {
  detectStablelistFormat,
  isStablelistFormat,
  STABLELIST_FORMATS,
  type StablelistFormat,
} from './detect.js';
export {
  inRelease,
  type KabiModuleFile,
  type KabiModuleRecord,
  parseKabiModuleFile,
  parseKabiModuleTree,
  type ReleaseRange,
  releaseMinor,
} from './kabi-module.js';
export { type ParseStablelistOptions, parseStablelist } from './parse.js';
export { type ReadStablelistOptions, readStablelist } from './read.js';
