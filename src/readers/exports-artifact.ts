// Any artifact that describes a kernel's exports, recognised by content: a text table (Module.symvers,
// RPM provides, Ubuntu abi; plain or compressed), a kernel package (.deb, .rpm), a module tree, a
// vmlinux or vmlinuz, or a single module (its own exports).
import { basename, resolve } from 'node:path';
import { ArtifactFormatError } from '../errors.js';
import type { Export } from '../model/export.js';
import type { ExportsFormat, KernelBuild } from '../model/kernel-build.js';
import type { ModuleImage } from '../model/module-image.js';
import { type Artifact, type ArtifactKind, sniffArtifact, unexpectedKind } from './artifact.js';
import { type KernelBtf, readKernelBtf } from './btf/kernel-btf.js';
import {
  type KernelArtifact,
  type KernelArtifactOptions,
  readKernelArtifact,
  readKernelSource,
} from './kernel-artifact.js';
import { withLoaderLabel } from './kernel-config.js';
import { parseKernelExports } from './kernel-exports.js';
import { extractVmlinux } from './kernel-image/bzimage.js';
import { readRawImage } from './kernel-image/raw-image.js';
import { dateLabels } from './labels.js';
import { decodeText } from './lines.js';
import { parseModuleImage } from './module/module-image.js';
import { readVmlinuxExports } from './module/vmlinux.js';
import { readModuleCorpus } from './module-corpus.js';
import { openPackage } from './pkg/index.js';

export interface ExportsArtifactOptions extends KernelArtifactOptions {
  /** Force a text format; binaries are always recognised by their magic bytes. */
  format?: Exclude<ExportsFormat, 'kernel-binaries'>;
  duplicates?: 'error' | 'identical' | 'keep-last';
}

const WHAT = 'kernel exports (Module.symvers, provides, a kernel package, vmlinux or a module)';

type ExportsReader = (a: Artifact, opts: ExportsArtifactOptions) => Promise<KernelBuild>;

// A package's or tree's in-tree modules are read lean (parseLeanModuleImage: checked the same, with the
// same errors): the exports are all a build keeps of them, not their imports and modinfo (~1 million
// small objects for a kernel package, made and collected while its data.tar is decoded).
const EXPORTS_READERS: Record<ArtifactKind, ExportsReader> = {
  tree: async (a, o) => {
    const k = await readKernelArtifact(a, { ...o, lean: true });
    if (!isKmodDirectory(k)) return nonEmpty(k, a.path);
    // No kernel image and no lib/modules: a directory of kmods, unless it holds none (then say what was met).
    const kmods = await readKmodDirectory(a, k);
    return kmods.modules.length > 0 ? kmods.build : nonEmpty(k, a.path);
  },
  deb: async (a, o) => nonEmpty(await readKernelArtifact(a, { ...o, lean: true }), a.path),
  rpm: readRpm,
  vmlinuz: async (a) => vmlinuxBuild(await extractVmlinux(a.data!, { source: a.path }), a.path),
  vmlinux: async (a) => vmlinuxBuild(a.data!, a.path),
  'arm64-image': rawImageBuild,
  's390-image': rawImageBuild,
  ko: async (a) => moduleBuild(a.data!, a.path),
  btf: async (a) => {
    throw unexpectedKind(a, `${WHAT}; BTF holds types, not exports`);
  },
  text: async (a, o) =>
    parseKernelExports(decodeText(a.data!, a.path, WHAT), {
      source: a.path,
      format: o.format,
      duplicates: o.duplicates,
    }),
};

/** A kernel's exports from any artifact: a path (sniffed here, once) or an artifact already sniffed. */
export async function readExportsArtifact(
  input: string | Artifact,
  opts: ExportsArtifactOptions = {},
): Promise<KernelBuild> {
  const artifact = typeof input === 'string' ? await sniffArtifact(input, { what: WHAT }) : input;
  return EXPORTS_READERS[artifact.kind](artifact, opts);
}

/**
 * A directory of built kmods (a DKMS build, ../kmods/<abi>/<source>) is no kernel tree: its .ko files sit
 * outside lib/modules/, where the kernel reader does not look, and there is no kernel image.
 */
export const isKmodDirectory = (k: KernelArtifact) => k.modules.length === 0 && k.kernelImage === null;

/** A directory of kmods: every module in it, and their exports as one build. */
export async function readKmodDirectory(
  artifact: Artifact,
  k: KernelArtifact,
): Promise<{ build: KernelBuild; modules: ModuleImage[] }> {
  const path = artifact.path;
  const corpus = await readModuleCorpus([artifact]);
  if (corpus.problems.length > 0 && corpus.modules.length === 0)
    throw new ArtifactFormatError(`no module could be read: ${corpus.problems[0]!.reason}`, { source: path });
  const exports = new Map(corpus.modules.flatMap((m) => m.exports.map((e) => [e.symbol, e] as const)));
  const warnings = corpus.problems.map((p) => `${p.path}: not read: ${p.reason}`);
  // Several modules are one kmod named by its directory (xtables-addons-3.23), not by its first module.
  const labels =
    corpus.modules.length > 1 ? { ...k.build.labels, name: basename(resolve(path)) } : k.build.labels;
  const build: KernelBuild = { ...k.build, format: 'kernel-binaries', labels, exports, warnings };
  return { build, modules: corpus.modules };
}

/** An RPM that provides kernel(sym) = CRC speaks for itself (what dnf checks); else read its binaries. */
async function readRpm(artifact: Artifact, opts: ExportsArtifactOptions): Promise<KernelBuild> {
  const path = artifact.path;
  const source = await openPackage(artifact);
  const meta = await source.metadata();
  if (meta.provides.some((p) => /^(kernel|ksym)\(.+\) = /.test(p))) {
    const build = parseKernelExports(`${meta.provides.join('\n')}\n`, {
      source: path,
      format: 'rpm-provides',
      duplicates: opts.duplicates,
    });
    return {
      ...build,
      labels: {
        ...build.labels,
        ...dateLabels(null, meta.fields.BUILDTIME),
        package: meta.name ?? '',
        version: `${meta.version}-${meta.release}`,
      },
    };
  }
  return nonEmpty(await readKernelSource(source, { ...opts, lean: true }), path);
}

/**
 * A kernel's binaries always export something (vmlinux alone, thousands): none means they were not
 * understood, and an empty Module.symvers with exit 0 would hide it.
 */
function nonEmpty(k: KernelArtifact, path: string): KernelBuild {
  if (k.build.exports.size > 0 || k.build.format !== 'kernel-binaries') return k.build;
  const inTree = k.modules.filter((m) => m.path !== null).length;
  const met = [
    k.kernelImage ? `kernel image ${k.kernelImage} (no exports)` : 'no kernel image',
    `${inTree} in-tree module${inTree === 1 ? '' : 's'} (none exporting)`,
    ...k.problems.slice(0, 3).map((p) => `${p.path}: ${p.reason}`),
  ];
  if (k.problems.length > 3) met.push(`${k.problems.length - 3} more unreadable files`);
  throw new ArtifactFormatError(
    `no exports found in its binaries: met ${met.join('; ')}; expected a kernel image or modules that export symbols`,
    { source: path },
  );
}

/** A kernel build made of the exports one binary (a vmlinux, or a single module) carries. */
export function binaryBuild(path: string, exports: readonly Export[]): KernelBuild {
  return {
    source: path,
    format: 'kernel-binaries',
    labels: {},
    exports: new Map(exports.map((e) => [e.symbol, e])),
    warnings: [],
  };
}

/** A single module speaks for its own exports. */
const moduleBuild = (data: Uint8Array, path: string) =>
  binaryBuild(path, parseModuleImage(data, { source: path }).exports);

async function rawImageBuild(a: Artifact): Promise<KernelBuild> {
  const { kernel, exports } = await readRawImage(a.kind as 'arm64-image' | 's390-image', a.data!, {
    source: a.path,
  });
  return withLoaderLabel(binaryBuild(a.path, exports), kernel);
}

function vmlinuxBuild(elf: Uint8Array, path: string): KernelBuild {
  const exports = readVmlinuxExports(elf, { source: path });
  if (exports.length === 0)
    throw new ArtifactFormatError('no exports: its __ksymtab and __ksymtab_gpl are empty or missing', {
      source: path,
    });
  return withLoaderLabel(binaryBuild(path, exports), elf);
}

/**
 * A kernel's exports and its BTF in one pass, for a linux-image package, a tree, a vmlinuz or a vmlinux;
 * null for inputs that carry no types (Module.symvers, provides lists).
 */
export async function readKernelWithBtf(
  path: string,
  opts: ExportsArtifactOptions = {},
): Promise<{ build: KernelBuild; btf: KernelBtf } | null> {
  const artifact = await sniffArtifact(path, { what: 'a kernel package, tree, vmlinuz or vmlinux' });
  switch (artifact.kind) {
    case 'tree':
    case 'deb':
    case 'rpm': {
      const k = await readKernelArtifact(artifact, { ...opts, btf: true });
      return k.btf ? { build: k.build, btf: k.btf } : null;
    }
    case 'vmlinux':
    case 'vmlinuz': {
      const [build, btf] = await Promise.all([readExportsArtifact(artifact, opts), readKernelBtf(artifact)]);
      return { build, btf };
    }
    default:
      return null;
  }
}
