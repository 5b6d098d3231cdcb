// Ingest: artifact → readers → model → store, one transaction per artifact. Sits above the readers and
// the store (and is what `kabi ingest` and `kabi fetch --ingest` call).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ArtifactFormatError } from '../errors.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { KfuncList } from '../model/kfunc.js';
import type { ModuleImage } from '../model/module-image.js';
import { type Artifact, type ArtifactKind, sniffArtifact } from '../readers/artifact.js';
import type { KernelBtf } from '../readers/btf/kernel-btf.js';
import { kfuncsOf, readKfuncs } from '../readers/btf/kfuncs.js';
import { binaryBuild, readExportsArtifact } from '../readers/exports-artifact.js';
import { type KernelArtifact, readKernelArtifact } from '../readers/kernel-artifact.js';
import { defaultLabels } from '../readers/labels.js';
import { parseModuleImage } from '../readers/module/module-image.js';
import { readModuleCorpus } from '../readers/module-corpus.js';
import type { EntryKind, IngestResult, Store } from '../store/store.js';

export interface IngestOptions {
  labels?: Record<string, string>;
  onProgress?: (done: number, total: number | null) => void;
  /** Record a kernel's BPF kfuncs when it has BTF (default true; reads the artifact a second time). */
  kfuncs?: boolean;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
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

export async function ingestArtifact(
  store: Store,
  path: string,
  opts: IngestOptions = {},
): Promise<IngestResult> {
  const artifact = await sniffArtifact(path, { what: 'a kernel or kmod artifact' });
  const read = await INGEST_READERS[artifact.kind](artifact, opts);
  const tree = artifact.kind === 'tree';
  const sha256 = tree ? treeDigest(read.build, read.modules) : await sha256File(path);
  const labels = {
    ...defaultLabels({ ...kmodLabels(read), ...read.build.labels }, path, read.format),
    ...opts.labels,
  };
  // A kernel's in-tree modules are named (for `depends`); a kmod's modules are kept whole (for compat).
  const modules = read.modules.map((m) => ({
    file: m.source,
    image: m,
    keepImage: read.kind === 'kmod',
    sha256: createHash('sha256')
      .update(`${m.source}\0${m.srcversion}\0${JSON.stringify(m.imports)}`)
      .digest('hex'),
  }));
  const kfuncs = opts.kfuncs === false ? null : await kfuncsForIngest(artifact, read);
  return store.ingest({
    kind: read.kind,
    artifact: { sha256, path, size: artifact.size },
    build: read.build,
    labels,
    modules,
    builtin: read.builtin,
    kfuncs,
  });
}

const KFUNC_FORMATS = new Set(['deb', 'rpm', 'directory', 'kernel-binaries']);

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

const packageReader =
  (format: string): IngestReader =>
  async (a, opts) =>
    fromKernelArtifact(await readKernelArtifact(a, kernelOptions(opts)), format);

const INGEST_READERS: Record<ArtifactKind, IngestReader> = {
  tree: async (a, opts) => {
    const k = await readKernelArtifact(a, kernelOptions(opts));
    // A directory of built kmods (a DKMS build, ../kmods/<abi>/<source>) is no kernel tree: its .ko
    // files sit outside lib/modules/, where the kernel reader does not look.
    if (k.modules.length === 0 && k.kernelImage === null) return kmodDirectory(a, k);
    return fromKernelArtifact(k, 'directory');
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
  return { onProgress: opts.onProgress, btf: opts.kfuncs !== false };
}

async function kmodDirectory(artifact: Artifact, a: KernelArtifact): Promise<ReadResult> {
  const path = artifact.path;
  const corpus = await readModuleCorpus([artifact]);
  if (corpus.problems.length > 0 && corpus.modules.length === 0)
    throw new ArtifactFormatError(`no module could be read: ${corpus.problems[0]!.reason}`, { source: path });
  const exports = new Map(corpus.modules.flatMap((m) => m.exports.map((e) => [e.symbol, e] as const)));
  const warnings = corpus.problems.map((p) => `${p.path}: not read: ${p.reason}`);
  // Several modules are one kmod named by its directory (xtables-addons-3.23), not by its first module.
  const labels =
    corpus.modules.length > 1 ? { ...a.build.labels, name: basename(resolve(path)) } : a.build.labels;
  const build: KernelBuild = { ...a.build, format: 'kernel-binaries', labels, exports, warnings };
  return { kind: 'kmod', format: 'directory', build, modules: corpus.modules, builtin: [] };
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
