// Ingest: artifact → readers → model → store, one transaction per artifact. Sits above the readers and
// the store (and is what `kabi ingest` and `kabi fetch --ingest` call).
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { ArtifactFormatError, NothingToJudgeError } from '../errors.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { KfuncList } from '../model/kfunc.js';
import type { ModuleImage } from '../model/module-image.js';
import type { TypeDigest } from '../model/type-digest.js';
import { type Artifact, type ArtifactKind, sniffArtifact } from '../readers/artifact.js';
import type { KernelBtf } from '../readers/btf/kernel-btf.js';
import { kfuncsOf, readKfuncs } from '../readers/btf/kfuncs.js';
import {
  binaryBuild,
  isKmodDirectory,
  readExportsArtifact,
  readKmodDirectory,
} from '../readers/exports-artifact.js';
import { type KernelArtifact, readKernelArtifact } from '../readers/kernel-artifact.js';
import { DATE_FROM, defaultLabels } from '../readers/labels.js';
import { parseModuleImage } from '../readers/module/module-image.js';
import type {
  EntryKind,
  EntryRecord,
  IngestResult,
  KernelBtfBlobs,
  ModuleBtfBlob,
  Store,
} from '../store/store.js';

export interface IngestOptions {
  labels?: Record<string, string>;
  onProgress?: (done: number, total: number | null) => void;
  /** Record a kernel's BPF kfuncs when it has BTF (default true; reads the artifact a second time). */
  kfuncs?: boolean;
  /** Store an artifact that yields no export and no module (default: refused, NothingToJudgeError). */
  allowEmpty?: boolean;
  /**
   * A text export list's symbol listed twice: `error` (default), or `identical` (a line repeated verbatim
   * is kept once with a warning; a conflicting one stays an error: a store keeps one answer per symbol).
   */
  duplicates?: 'error' | 'identical';
  /**
   * Also keep a type digest of a package's or tree's BTF, read in the same pass (`kernelTypeDigest` from
   * the analyses, which ingest may not import): what explain read of a store ref before the store kept
   * every exporting module's BTF (`kabi ingest` no longer asks; a store written before has them).
   */
  typeDigest?: (build: KernelBuild, btf: KernelBtf) => TypeDigest | null;
}

function sha256File(path: string): string {
  const h = createHash('sha256');
  // Synchronous 4 MiB reads into one buffer: a 70 MB package in 57 ms; a read stream's turns of the event
  // loop took 260 ms, and nothing else runs before this answer (a package already stored is not read).
  const buffer = Buffer.allocUnsafeSlow(1 << 22);
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) h.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** A tree has no bytes of its own: its identity is what was read from it. */
function treeDigest(build: KernelBuild, modules: ModuleImage[]): string {
  const h = createHash('sha256');
  for (const e of [...build.exports.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : 1))) {
    h.update(`${e.symbol}\t${e.crc}\t${e.module}\t${e.exportType}\t${e.namespace}\n`);
  }
  for (const m of modules) h.update(`${m.source}\t${m.srcversion}\t${m.imports.length}\n`);
  return h.digest('hex');
}

/** The store's answer, with the reader's warnings (a duplicate line kept once, a module not read). */
export interface IngestArtifactResult extends IngestResult {
  warnings?: string[];
}

export async function ingestArtifact(
  store: Store,
  path: string,
  opts: IngestOptions = {},
): Promise<IngestArtifactResult> {
  const artifact = await sniffArtifact(path, { what: 'a kernel or kmod artifact' });
  const update = userLabels(opts.labels);
  // A file is known by its bytes' hash before anything is decompressed (a linux-image .deb: a second
  // instead of reading 4,000 modules); a tree only by what was read from it.
  const fileSha = artifact.kind === 'tree' ? null : sha256File(path);
  if (fileSha !== null) {
    // The release a file's name or the user gives: the same bytes named for another release are another build.
    const release = update.release ?? defaultLabels({}, path, artifact.kind).release;
    const again = await store.reingest(fileSha, update, release);
    if (again && !(await mayLackKfuncs(store, again.entry, opts))) return again;
  }
  const read = await INGEST_READERS[artifact.kind](artifact, opts);
  // An entry of nothing would later be judged as a kernel (or kmod) that offers (or needs) nothing.
  if (!opts.allowEmpty && read.build.exports.size === 0 && read.modules.length === 0)
    throw new NothingToJudgeError(
      path,
      'exports and no modules',
      'a kernel or kmod artifact (Module.symvers, a package, a module tree, vmlinux, a .ko); --allow-empty stores it anyway',
    );
  const sha256 = fileSha ?? treeDigest(read.build, read.modules);
  const labels = {
    ...defaultLabels({ ...kmodLabels(read), ...read.build.labels }, path, read.format),
    ...update,
  };
  // A kernel's in-tree modules are named (for `depends`); a kmod's modules are kept whole (for compat),
  // known by a hash of what they are (a kernel's 4,000 modules need none).
  const modules = read.modules.map((m) =>
    read.kind === 'kmod'
      ? {
          file: m.source,
          image: m,
          keepImage: true as const,
          sha256: createHash('sha256')
            .update(`${m.source}\0${m.srcversion}\0${JSON.stringify(m.imports)}`)
            .digest('hex'),
        }
      : { file: m.source, image: m, keepImage: false as const },
  );
  const kfuncs = opts.kfuncs === false ? null : await kfuncsForIngest(artifact, read);
  const types =
    read.kind === 'kernel' && read.btf && opts.typeDigest ? opts.typeDigest(read.build, read.btf) : null;
  const btf = read.kind === 'kernel' && opts.kfuncs !== false ? btfBlobsOf(read.btf) : null;
  const moduleBtf = btf ? moduleBtfOf(read.btf) : null;
  const result = await store.ingest({
    kind: read.kind,
    artifact: { sha256, path, size: artifact.size },
    build: read.build,
    labels,
    update,
    modules,
    builtin: read.builtin,
    kfuncs,
    types,
    btf,
    moduleBtf,
  });
  return read.build.warnings.length ? { ...result, warnings: read.build.warnings } : result;
}

/** vmlinux's .BTF and the split .BTF of each module that offers kfuncs (where libbpf looks for them too). */
function btfBlobsOf(k: KernelBtf | null | undefined): KernelBtfBlobs | null {
  if (!k?.raw) return null;
  const modules = [...(k.moduleBtfIds?.keys() ?? [])].sort().flatMap((name) => {
    const bytes = k.modules.bytes?.(name);
    return bytes ? [{ name, bytes }] : [];
  });
  return { vmlinux: k.raw, modules };
}

/**
 * The split .BTF of every module read with the kernel's (each that exports, each that offers kfuncs), as
 * built: what explain of a store ref reads. A digest of the types made here instead cost about a second
 * of each package's ingest.
 */
function moduleBtfOf(k: KernelBtf | null | undefined): ModuleBtfBlob[] | null {
  if (!k?.raw || !k.modules.names) return null;
  return k.modules.names().flatMap((name) => {
    const bytes = k.modules.bytes?.(name);
    return bytes ? [{ name, bytes }] : [];
  });
}

const KFUNC_FORMATS = new Set(['deb', 'rpm', 'directory', 'kernel-binaries']);

/** The user's labels; a date they give is said to come from them (`date-from=label`). */
function userLabels(labels: Record<string, string> | undefined): Record<string, string> {
  const out = { ...labels };
  if (out.date !== undefined) out[DATE_FROM] ??= 'label';
  return out;
}

/**
 * Whether a stored kernel read from binaries has no kfuncs recorded: it may predate migration 2, and is
 * read again to get them (a kernel without BTF is read again each time; reading only costs time).
 */
async function mayLackKfuncs(store: Store, entry: EntryRecord, opts: IngestOptions): Promise<boolean> {
  if (opts.kfuncs === false || entry.kind !== 'kernel' || entry.format !== 'kernel-binaries') return false;
  return (await store.loadKfuncs(entry.id)) === null;
}

/**
 * A kernel's kfuncs, from a package, tree, vmlinux or vmlinuz (text exports have no BTF). A kernel built
 * without BTF has none to record; any other failure is a warning on the entry, never a failed ingest.
 */
async function kfuncsForIngest(artifact: Artifact, read: ReadResult): Promise<KfuncList | null> {
  if (read.kind !== 'kernel' || !KFUNC_FORMATS.has(read.format)) return null;
  try {
    // A package or tree was read with its BTF in the same pass; a single image is read again (cheap).
    if (read.btf) return kfuncsOf(read.btf);
    if (read.format !== 'kernel-binaries') return null;
    return await readKfuncs(artifact);
  } catch (e) {
    const reason = e instanceof ArtifactFormatError ? e.reason : '';
    if (/^no \.BTF section|^no boot\/vmlinuz/.test(reason)) return null;
    read.build.warnings.push(`kfuncs not recorded: ${(e as Error).message}`);
    return null;
  }
}

interface ReadResult {
  kind: EntryKind;
  format: string;
  build: KernelBuild;
  modules: ModuleImage[];
  builtin: string[];
  /** The kernel's BTF, when a package or tree was read with it. */
  btf?: KernelBtf | null;
}

type IngestReader = (a: Artifact, opts: IngestOptions) => Promise<ReadResult>;

// A package's identity is its bytes' hash, so its in-tree modules need no more than its entry keeps
// (a tree's identity is a hash of what was read from it, imports included).
const packageReader =
  (format: string): IngestReader =>
  async (a, opts) =>
    fromKernelArtifact(await readKernelArtifact(a, { ...kernelOptions(opts), lean: true }), format);

const INGEST_READERS: Record<ArtifactKind, IngestReader> = {
  tree: async (a, opts) => {
    const k = await readKernelArtifact(a, kernelOptions(opts));
    if (!isKmodDirectory(k)) return fromKernelArtifact(k, 'directory');
    const { build, modules } = await readKmodDirectory(a, k);
    return { kind: 'kmod', format: 'directory', build, modules, builtin: [] };
  },
  deb: packageReader('deb'),
  rpm: packageReader('rpm'),
  ko: async (a) => {
    const m = parseModuleImage(a.data!, { source: a.path });
    const build = binaryBuild(a.path, m.exports);
    // An out-of-tree module is a kmod; one under lib/modules/<release>/kernel speaks for the kernel.
    if (m.path === null) return { kind: 'kmod', format: 'ko', build, modules: [m], builtin: [] };
    return { kind: 'kernel', format: build.format, build, modules: [], builtin: [] };
  },
  vmlinux: exportsOnly,
  vmlinuz: exportsOnly,
  'arm64-image': exportsOnly,
  's390-image': exportsOnly,
  btf: exportsOnly,
  text: exportsOnly,
};

async function exportsOnly(a: Artifact, opts: IngestOptions): Promise<ReadResult> {
  const build = await readExportsArtifact(a, opts);
  return { kind: 'kernel', format: build.format, build, modules: [], builtin: [] };
}

function kernelOptions(opts: IngestOptions) {
  // The store keeps a kernel's .BTF bytes (bpf-compat --series): copied out as the image is read.
  // With a type digest to make, every exporting module's BTF is parsed: as it is read, not after.
  return {
    onProgress: opts.onProgress,
    btf: opts.kfuncs !== false,
    rawBtf: opts.kfuncs !== false,
    parseModuleBtf: opts.typeDigest !== undefined,
  };
}

function fromKernelArtifact(a: KernelArtifact, format: string): ReadResult {
  const inTree = a.modules.some((m) => m.path !== null);
  const kernel = a.kernelImage !== null || inTree || a.build.format === 'module-symvers';
  return {
    kind: kernel ? 'kernel' : 'kmod',
    format,
    build: a.build,
    modules: a.modules,
    builtin: a.builtin,
    btf: a.btf,
  };
}

/** A kmod names itself: its module name, its modinfo version, the kernel release its vermagic names. */
function kmodLabels(read: ReadResult): Record<string, string> {
  const m = read.kind === 'kmod' ? read.modules[0] : undefined;
  if (!m) return {};
  const out: Record<string, string> = { name: read.modules.length === 1 ? m.name : m.name.split('_')[0]! };
  const version = m.modinfo.find((e) => e.key === 'version')?.value;
  if (version) out.version = version;
  const built = m.vermagic?.split(' ')[0];
  if (built) out['built-for'] = built;
  return out;
}
