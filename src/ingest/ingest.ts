// Ingest: artifact → readers → model → store, one transaction per artifact. Sits above the readers and
// the store (and is what `kabi ingest` and `kabi fetch --ingest` call).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { ArtifactFormatError } from '../errors.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { KfuncList } from '../model/kfunc.js';
import type { ModuleImage } from '../model/module-image.js';
import type { KernelBtf } from '../readers/btf/kernel-btf.js';
import { kfuncsOf, readKfuncs } from '../readers/btf/kfuncs.js';
import { readExportsArtifact } from '../readers/exports-artifact.js';
import { type KernelArtifact, readKernelArtifact } from '../readers/kernel-artifact.js';
import { defaultLabels } from '../readers/labels.js';
import { readModuleImage } from '../readers/module/module-image.js';
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

const BINARY_MAGIC = /^(?:!<arch>\n|\xed\xab\xee\xdb)/;

export async function ingestArtifact(
  store: Store,
  path: string,
  opts: IngestOptions = {},
): Promise<IngestResult> {
  const info = await stat(path);
  const read = await readForIngest(path, info.isDirectory(), opts);
  const sha256 = info.isDirectory() ? treeDigest(read.build, read.modules) : await sha256File(path);
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
  const kfuncs = opts.kfuncs === false ? null : await kfuncsForIngest(path, read);
  return store.ingest({
    kind: read.kind,
    artifact: { sha256, path, size: info.isDirectory() ? 0 : info.size },
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
async function kfuncsForIngest(path: string, read: ReadResult): Promise<KfuncList | null> {
  if (read.kind !== 'kernel' || !KFUNC_FORMATS.has(read.format)) return null;
  try {
    // A package or tree was read with its BTF in the same pass; a single image is read again (cheap).
    if (read.btf) return kfuncsOf(read.btf);
    if (read.format !== 'kernel-binaries') return null;
    return await readKfuncs(path);
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

async function readForIngest(path: string, isDir: boolean, opts: IngestOptions): Promise<ReadResult> {
  const head = isDir ? '' : await firstBytes(path);
  if (isDir || BINARY_MAGIC.test(head)) {
    const a = await readKernelArtifact(path, { onProgress: opts.onProgress, btf: opts.kfuncs !== false });
    // A directory of built kmods (a DKMS build, ../kmods/<abi>/<source>) is no kernel tree: its .ko
    // files sit outside lib/modules/, where the kernel reader does not look.
    if (isDir && a.modules.length === 0 && a.kernelImage === null) return kmodDirectory(path, a);
    return fromKernelArtifact(a, isDir ? 'directory' : head.startsWith('!<arch>') ? 'deb' : 'rpm');
  }
  if (head.startsWith('\x7fELF') || /\.ko(\.(xz|gz|zst))?$/.test(path)) {
    const m = await readModuleImage(path).catch(() => null);
    if (m && m.path === null) {
      const build: KernelBuild = {
        source: path,
        format: 'kernel-binaries',
        labels: {},
        exports: new Map(m.exports.map((e) => [e.symbol, e])),
        warnings: [],
      };
      return { kind: 'kmod', format: 'ko', build, modules: [m], builtin: [] };
    }
  }
  const build = await readExportsArtifact(path, opts);
  return { kind: 'kernel', format: build.format, build, modules: [], builtin: [] };
}

async function kmodDirectory(path: string, a: KernelArtifact): Promise<ReadResult> {
  const corpus = await readModuleCorpus([path]);
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

async function firstBytes(path: string): Promise<string> {
  for await (const chunk of createReadStream(path, { start: 0, end: 7 }))
    return (chunk as Buffer).toString('latin1');
  return '';
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
