// kabi-tracker's public API: readers (artifact → model), the model, analyses (model → results),
// reports (results → text) and writers. The CLI and server use only what this file exports.

export * from './analysis/bpf-compat.js';
export {
  accessText,
  essential as coreEssentialName,
  resolveCoreRelo,
  typesCompat,
} from './analysis/bpf-core.js';
export * from './analysis/check.js';
export * from './analysis/compat-series.js';
export * from './analysis/coverage.js';
export * from './analysis/explain.js';
export { moduleKey } from './analysis/export-declarations.js';
export * from './analysis/exports-diff.js';
export * from './analysis/exports-table-diff.js';
export * from './analysis/impact.js';
export * from './analysis/interfaces.js';
export * from './analysis/kfuncs.js';
export * from './analysis/loader-rules.js';
export * from './analysis/module-compat.js';
export { KernelVerdicts } from './analysis/module-compat-table.js';
export * from './analysis/nothing-to-judge.js';
export * from './analysis/rpm-compat.js';
export * from './analysis/series.js';
// Rate of change and policy simulation (issue 19 §2, §3).
export * from './analysis/series-comm.js';
export * from './analysis/series-consumed.js';
export * from './analysis/series-ids.js';
export * from './analysis/severity.js';
export * from './analysis/simulate.js';
export * from './analysis/stablelist-generate.js';
export * from './analysis/subsystems.js';
export * from './analysis/summary.js';
export * from './analysis/watch-round.js';
export * from './errors.js';
export * from './fetch/debian.js';
export * from './fetch/manifest.js';
export * from './fetch/resumable.js';
export * from './fetch/watch-sources.js';
export { type IngestOptions, ingestArtifact } from './ingest/ingest.js';
export * from './model/bpf-compat.js';
export * from './model/bpf-object.js';
export * from './model/btf.js';
export * from './model/btf-c.js';
export * from './model/change.js';
export { compareDebianVersions } from './model/debian-version.js';
export { kmodPackage } from './model/entry.js';
export * from './model/export.js';
export type * from './model/export-rows.js';
export * from './model/glob.js';
export type * from './model/kernel-build.js';
export * from './model/kfunc.js';
export * from './model/kfunc-registration.js';
export { labelOf } from './model/labels.js';
export * from './model/loader-profile.js';
export type { Maintainers, MaintainersSection } from './model/maintainers.js';
export * from './model/module-image.js';
export * from './model/policy.js';
export type * from './model/stablelist.js';
export * from './model/symvers-table.js';
export type * from './model/type-digest.js';
export * from './model/verdict.js';
export {
  type Artifact,
  type ArtifactKind,
  describeKind,
  type SniffOptions,
  sniffArtifact,
} from './readers/artifact.js';
export * from './readers/bpf-object/bpf-kernel.js';
export { EM_BPF, isBpfObject, parseBpfObject, readBpfObject } from './readers/bpf-object/bpf-object.js';
export { readBtfExt } from './readers/bpf-object/btf-ext.js';
export { sectionType } from './readers/bpf-object/section-types.js';
export { isBtf, readBtf } from './readers/btf/btf.js';
export * from './readers/btf/extern-decls.js';
export * from './readers/btf/kernel-btf.js';
export {
  kfuncsOf,
  type ReadKfuncsOptions,
  readKfuncs,
} from './readers/btf/kfuncs.js';
export {
  type Compression,
  DecompressionLimitError,
  decompress,
  detectCompression,
} from './readers/compression.js';
export { type DbgVmlinuxSources, parseDbgVmlinuxSources } from './readers/dwarf/dbg-vmlinux.js';
export { type DwarfSources, parseDwarfSources } from './readers/dwarf/source-files.js';
export { type ElfFile, type ElfSection, openElf } from './readers/elf/elf.js';
export {
  type ExportsArtifactOptions,
  readExportsArtifact,
  readKernelWithBtf,
} from './readers/exports-artifact.js';
export { isDirectoryPath } from './readers/file.js';
export {
  carriesModules,
  changelogDate,
  changelogDateOf,
  isKernelArtifactFile,
  type KernelArtifact,
  type KernelArtifactOptions,
  readKernelArtifact,
  readKernelSource,
} from './readers/kernel-artifact.js';
export * from './readers/kernel-config.js';
export {
  detectExportsFormat,
  EXPORTS_FORMATS,
  type ExportsOptions,
  parseKernelExports,
  readKernelExports,
} from './readers/kernel-exports.js';
export * from './readers/kernel-image/bzimage.js';
export {
  makefileVersion,
  parseKfuncRegistrations,
  readKfuncRegistrations,
  type SourceFile,
} from './readers/kernel-source/kfunc-registrations.js';
export {
  DATE_FROM,
  dateLabels,
  defaultLabels,
  releaseFromFileName,
  releaseLabels,
} from './readers/labels.js';
export { type LoadPolicyOptions, loadPolicy } from './readers/load-policy.js';
export { parseMaintainers, readMaintainers } from './readers/maintainers.js';
export { readKsymtab } from './readers/module/ksymtab.js';
export { modinfoValue, modinfoValues, parseModinfo } from './readers/module/modinfo.js';
export {
  inTreeModulePath,
  isSigned,
  loadModuleImage,
  type ModuleImageOptions,
  parseModuleImage,
  readModuleImage,
} from './readers/module/module-image.js';
export { type ModuleVersions, readModuleVersionsFile } from './readers/module/module-versions-file.js';
export { readModversions } from './readers/module/versions.js';
export { readVmlinuxExports } from './readers/module/vmlinux.js';
export { type ModuleCorpus, readModuleCorpus } from './readers/module-corpus.js';
export {
  detectSymversShape,
  iterateSymvers,
  parseModuleSymvers,
  type SymversOptions,
  type SymversRecord,
  type SymversShape,
} from './readers/module-symvers.js';
export { parseSymversTable, readSymversTable } from './readers/module-symvers-table.js';
export * from './readers/pkg/index.js';
export * from './readers/policy/index.js';
export * from './readers/repo/apt-sources.js';
export * from './readers/repo/debian-packages.js';
export { type DebianRelease, parseDebianRelease } from './readers/repo/debian-release.js';
export { parsePrimary, parseRepomd, type Repomd, type RpmPackage } from './readers/repo/rpm-repodata.js';
export * from './readers/rpm-dependencies.js';
export * from './readers/stablelist/index.js';
export { parseSymbolSources, readSymbolSources, symbolSourcesOf } from './readers/symbol-sources.js';
export {
  readTreeModversions,
  type TreeModversions,
  treeModversions,
} from './readers/tree-modversions.js';
export * from './readers/ubuntu-abi.js';
export * from './report/bpf-compat.js';
export * from './report/btf.js';
export * from './report/btf-raw.js';
export { dateLines, groupedBars } from './report/charts/grouped.js';
export * from './report/charts/index.js';
export { chartToPng, type PngImage, type PngOptions } from './report/charts/png.js';
export { commCharts, consumedCharts } from './report/charts/rate.js';
export { simulateCharts } from './report/charts/simulate.js';
export { diffToJunit, diffToSarif } from './report/ci.js';
export {
  type CompatFormat,
  compatRenderers,
  matrixTextStream,
  usableText,
  verdictRows,
  verdictsDocument,
  whyText,
} from './report/compat.js';
export {
  type CompatSeriesOptions,
  type CompatView,
  compatSeriesRenderers,
  defaultCompatView,
  seriesCounts,
} from './report/compat-series.js';
export * from './report/compat-stream.js';
export * from './report/coverage.js';
export { tableDiffToJson, tableDiffToText } from './report/diff-table.js';
export { entryListRenderers, formatLabels } from './report/entries.js';
export * from './report/explain.js';
export * from './report/html/index.js';
export * from './report/impact.js';
export * from './report/impact-by-arch.js';
export * from './report/index.js';
export * from './report/interfaces.js';
export type { ChangeJson, DiffJson, ExportJson } from './report/json.js';
export * from './report/kfuncs.js';
export {
  type ModinfoJson,
  type ModuleProblem,
  type ModuleVersionsLike,
  type ModversionsJson,
  type ModversionsTreeJson,
  modinfoFieldText,
  modinfoRenderers,
  modversionsRenderers,
  modversionsTreeRenderers,
} from './report/module.js';
export { SCHEMA_VERSION, schemaId } from './report/schema-id.js';
export * from './report/series.js';
export * from './report/series-comm.js';
export * from './report/series-consumed.js';
export type { SeriesJson, StablelistJson, StreamDriftJson, SymbolHistoryJson } from './report/series-json.js';
export * from './report/simulate.js';
export * from './report/stablelist-reference.js';
export { watchEventText } from './report/watch-text.js';
export { defaultStorePath } from './store/location.js';
export {
  migrateSqliteStore,
  type OpenStoreOptions,
  openSqliteStore,
  type SqliteStoreHandle,
} from './store/open-sqlite.js';
export { migratePostgresStore, openPostgresStore, POSTGRES_SCHEMA_VERSION } from './store/postgres.js';
export { isPostgresUrl, redactUrl as redactStoreUrl } from './store/postgres-db.js';
export { matchesQuery, parseLabelQuery, parseLabels } from './store/query.js';
export * from './store/store.js';
export { type WatchRoundOptions, type WatchRoundResult, watchRound } from './watch/round.js';
export { writeBaseline } from './writers/baseline.js';
export { btfSubset, encodeBtf } from './writers/btf.js';
export { formatModuleSymvers } from './writers/module-symvers.js';
export { formatRpmProvides } from './writers/rpm-provides.js';
export {
  formatReference,
  REFERENCE_FORMATS,
  type ReferenceFormat,
  referenceFileName,
} from './writers/stablelist.js';
