// A kernel as its binaries describe it: a linux-image .deb or a kernel .rpm, a module tree
// (`/lib/modules/<release>/` or an extracted package), a vmlinux or vmlinuz, or a single module.
// It yields what modpost would have written to Module.symvers (the exports of vmlinux and of every
// in-tree module) plus every module image, so that imports can be checked later.
//
// A module that cannot be read is reported with its path and skipped: one bad file must not hide the
// ABI of the other four thousand.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { formatLoaderLabel, LOADER_LABEL, type LoaderProfile } from '../model/loader-profile.js';
import type { ModuleImage } from '../model/module-image.js';
import { type Artifact, kindOfContent, sniffArtifact } from './artifact.js';
import {
  type BtfSectionBytes,
  btfSectionBytes,
  type KernelBtf,
  kernelBtfFromElf,
  kernelBtfFromRawImage,
  type ModuleBtfIds,
  ModuleBtfs,
  moduleNameOf,
  moduleSetsOf,
  parseSystemMap,
} from './btf/kernel-btf.js';
import { decompress, detectCompression } from './compression.js';
import { changelogDateOf } from './debian-changelog.js';
import { openElf } from './elf/elf.js';
import {
  ikconfigOf,
  KERNEL_CONFIG_FILE,
  type KernelConfig,
  linuxBanner,
  loaderProfileOf,
  parseKernelConfig,
  vendorOfBanner,
  vermagicOf,
} from './kernel-config.js';
import { DEFAULT_MAX_VMLINUX, extractVmlinux, isBzImage } from './kernel-image/bzimage.js';
import { readRawImage } from './kernel-image/raw-image.js';
import { dateLabels } from './labels.js';
import { decodeText } from './lines.js';
import { inTreeModulePath, parseLeanModuleImage, parseModuleImage } from './module/module-image.js';
import { readVmlinuxExports } from './module/vmlinux.js';
import { parseModuleSymvers } from './module-symvers.js';
import { type ArtifactFile, type ArtifactSource, openPackage, type PackageMetadata } from './pkg/index.js';

export interface KernelArtifact {
  build: KernelBuild;
  modules: ModuleImage[];
  /** `6.1.0-47-amd64`, from lib/modules/<release>/ or the vmlinuz name. */
  release: string | null;
  /** Names listed in modules.builtin (built into vmlinux; a `depends` on them is satisfied). */
  builtin: string[];
  /** Where vmlinux's own exports came from; null when the artifact has no kernel image. */
  kernelImage: string | null;
  /** Files that could not be read: path and reason. */
  problems: { path: string; reason: string }[];
  /** vmlinux's BTF and the exporting modules' split BTF, when asked for and the image has it. */
  btf: KernelBtf | null;
  /** Its configuration: `boot/config-*`, a headers package's `.config`, or vmlinux's IKCONFIG. */
  config: KernelConfig | null;
  /** Its loader's configuration and vendor (also the build's `loader` label); null when neither is known. */
  profile: LoaderProfile | null;
}

export interface KernelArtifactOptions {
  /** Called as modules are read: done so far, and the total when known. */
  onProgress?: (done: number, total: number | null) => void;
  /** Also keep BTF (vmlinux's, and the .BTF of every module that exports), in the same pass. */
  btf?: boolean;
  /** With `btf`: keep a copy of vmlinux's .BTF bytes too (`KernelBtf.raw`), for a store that keeps them. */
  rawBtf?: boolean;
  /**
   * With `btf`: check each module's split BTF as it is read (once vmlinux's is), not on first use: for a
   * caller that will walk them all (ingest's type digest). Its types are decoded when first asked for
   * (readBtf's `lazy`): the digest reads the few a module's exports reach.
   */
  parseModuleBtf?: boolean;
  /**
   * Keep of an in-tree module only what a kernel's entry uses (name, file, path, vermagic, exports), not
   * its imports, modinfo and undefined symbols: ingest of a package, whose 4,000 modules' imports (~40 MB
   * of small objects) otherwise live to the end of the read and are copied by every young collection.
   * They are still checked (parseLeanModuleImage), so a module that cannot be read is reported as before.
   */
  lean?: boolean;
}

const MODULE = /(?:^|\/)lib\/modules\/([^/]+)\/.*\.ko(?:\.(?:xz|gz|zst))?$/;
const KERNEL_IMAGE = /(?:^|\/)boot\/(vmlinu[xz])-([^/]+)$/;
// A real System.map names the __BTF_ID__ sets a stripped image's .BTF_ids holds (Debian's is a placeholder).
const SYSTEM_MAP = /(?:^|\/)(?:boot\/System\.map-[^/]+|lib\/modules\/[^/]+\/System\.map)$/;
const BUILTIN = /(?:^|\/)lib\/modules\/[^/]+\/modules\.builtin$/;
// Module.symvers as packages ship it: Debian's linux-headers, RHEL/SUSE's /boot/symvers-<release>.gz.
const SHIPPED_SYMVERS =
  /(?:^|\/)(?:usr\/src\/linux-headers-([^/]+)\/Module\.symvers|boot\/symvers-([^/]+)\.gz|lib\/modules\/([^/]+)\/symvers\.gz)$/;
// Debian packages date themselves only in their changelog: the first entry's trailer line.
const CHANGELOG = /(?:^|\/)usr\/share\/doc\/[^/]+\/changelog\.Debian\.gz$/;
const CONCURRENCY = 4;
/** An Image.gz decompresses to a few tens of MiB; an unstripped vmlinux.xz to a GiB. */
const MAX_IMAGE = DEFAULT_MAX_VMLINUX;

export function isKernelArtifactFile(path: string): boolean {
  return (
    MODULE.test(path) ||
    KERNEL_IMAGE.test(path) ||
    BUILTIN.test(path) ||
    SYSTEM_MAP.test(path) ||
    SHIPPED_SYMVERS.test(path) ||
    CHANGELOG.test(path) ||
    KERNEL_CONFIG_FILE.test(path)
  );
}

/** A kernel package or tree, sniffed or not (a path is sniffed here, once). */
export async function readKernelArtifact(
  input: string | Artifact,
  opts: KernelArtifactOptions = {},
): Promise<KernelArtifact> {
  const artifact = typeof input === 'string' ? await sniffArtifact(input, { what: EXPECTED }) : input;
  const source = await openPackage(artifact);
  const prefix = artifact.kind === 'tree' ? treePrefix(artifact.path) : '';
  return readKernelSource(prefix ? rooted(source, prefix) : source, opts);
}

const EXPECTED = 'a kernel package (.deb, .rpm) or a module tree';

/**
 * Whether a kernel speaks through its binaries (modules, vmlinuz): a tree, a .deb, or an .rpm that does
 * not provide kernel(sym) = CRC (one that does speaks through its provides, as dnf reads it).
 */
export async function carriesModules(artifact: Artifact): Promise<boolean> {
  if (artifact.kind === 'tree' || artifact.kind === 'deb') return true;
  if (artifact.kind !== 'rpm') return false;
  const meta = await (await openPackage(artifact)).metadata();
  return !meta.provides.some((p) => /^(kernel|ksym)\(/.test(p));
}

/**
 * Where a directory sits in a kernel's file system, so that its files get the paths a package would
 * give them: `/lib/modules/<release>/` itself, `/lib/modules/`, or the root of an extracted package.
 */
function treePrefix(dir: string): string {
  if (existsSync(join(dir, 'lib', 'modules')) || existsSync(join(dir, 'boot'))) return '';
  if (existsSync(join(dir, 'kernel')) || existsSync(join(dir, 'modules.order'))) {
    return `lib/modules/${basename(resolve(dir))}/`;
  }
  const entries = readdirSync(dir, { withFileTypes: true });
  return entries.some((d) => d.isDirectory() && existsSync(join(dir, d.name, 'kernel')))
    ? 'lib/modules/'
    : '';
}

/** The same source with `prefix` put before every path (methods bound: sources are class instances). */
function rooted(source: ArtifactSource, prefix: string): ArtifactSource {
  return {
    kind: source.kind,
    source: source.source,
    metadata: () => source.metadata(),
    async *files(wanted, opts) {
      const keep = opts?.keep;
      const inner = keep ? { ...opts, keep: (p: string) => keep(prefix + p) } : opts;
      for await (const f of source.files((p) => wanted(prefix + p), inner))
        yield { ...f, path: prefix + f.path };
    },
  };
}

export async function readKernelSource(
  source: ArtifactSource,
  opts: KernelArtifactOptions = {},
): Promise<KernelArtifact> {
  const acc = new Accumulator(
    source.source,
    opts.btf === true,
    opts.rawBtf === true,
    opts.btf === true && opts.parseModuleBtf === true,
    opts.lean === true,
  );
  const inFlight = new Set<Promise<void>>();
  // Lent: a file's data is good until the next file is read (its chunk is then reused). A plain module is
  // parsed at once (Accumulator.add reads it before its first await); anything that waits (a decoder, a
  // queue) gets bytes of its own: compressed modules, a fraction of the size, copied here; the few other
  // files (an Image, System.map) are read into their own by the source (keep), not copied twice.
  const keep = (path: string) => !MODULE.test(path);
  for await (const lent of source.files(isKernelArtifactFile, { lend: true, keep })) {
    if (lent.linkTarget !== undefined || lent.hardLinkTarget !== undefined) continue;
    // A compressed module is copied into a buffer of its own (not zero-filled first, as Buffer.from's copy
    // is), which the xz pool takes over instead of copying it again (decompress's handOver).
    const compressed = !keep(lent.path) && detectCompression(lent.data) !== 'none';
    const file = compressed ? { ...lent, data: ownCopy(lent.data) } : lent;
    const job: Promise<void> = acc.add(file).finally(() => {
      inFlight.delete(job);
      opts.onProgress?.(acc.modules.length + acc.problems.length, null);
    });
    inFlight.add(job);
    if (inFlight.size >= CONCURRENCY) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const meta = await source.metadata();
  return acc.finish(source, meta);
}

function ownCopy(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafeSlow(bytes.length);
  out.set(bytes);
  return out;
}

type PackageMeta = Pick<PackageMetadata, 'name' | 'version' | 'arch'> & { fields?: Record<string, string> };

class Accumulator {
  modules: ModuleImage[] = [];
  problems: { path: string; reason: string }[] = [];
  vmlinux: Export[] = [];
  kernelImage: string | null = null;
  release: string | null = null;
  builtin: string[] = [];
  shipped: KernelBuild | null = null;
  date: string | null = null;
  kernelBtf: KernelBtf | null = null;
  readonly btfSections = new Map<string, BtfSectionBytes>();
  /** The modules' split BTF, parsed as read once vmlinux's is known (parseModuleBtf). */
  moduleBtfs: ModuleBtfs | null = null;
  /** Modules whose .BTF_ids holds set8 (kfunc) sets. */
  readonly kfuncModules = new Map<string, ModuleBtfIds>();
  systemMap: { text: string; where: string } | null = null;
  config: KernelConfig | null = null;
  banner: string | null = null;

  constructor(
    readonly source: string,
    readonly withBtf: boolean,
    readonly rawBtf: boolean,
    readonly parseModuleBtf: boolean,
    readonly lean = false,
  ) {}

  async add(file: ArtifactFile): Promise<void> {
    const where = `${this.source} (${file.path})`;
    try {
      const image = KERNEL_IMAGE.exec(file.path);
      if (image) return await this.addKernelImage(file, where, image[2]!);
      if (SYSTEM_MAP.test(file.path)) {
        if (this.withBtf) this.systemMap = { text: file.data.toString('latin1'), where };
        return;
      }
      if (BUILTIN.test(file.path)) {
        this.builtin.push(...file.data.toString('utf8').split('\n').filter(Boolean));
        return;
      }
      const shipped = SHIPPED_SYMVERS.exec(file.path);
      if (shipped) return await this.addShippedSymvers(file, where, shipped[1] ?? shipped[2] ?? shipped[3]!);
      if (KERNEL_CONFIG_FILE.test(file.path)) {
        this.config ??= parseKernelConfig(decodeText(file.data, where, 'a kernel .config'), {
          source: where,
        });
        return;
      }
      if (CHANGELOG.test(file.path)) {
        this.date ??= await changelogDateOf(file.data, where);
        return;
      }
      // No await before parsing a plain module: its bytes are lent (readKernelSource).
      const data =
        detectCompression(file.data) === 'none'
          ? file.data
          : (await decompress(file.data, { source: where, inWorker: true, handOver: true })).data;
      const path = inTreeModulePath(file.path);
      // An in-tree module of a lean read keeps no modinfo, imports or needs: not read into strings at all.
      const m =
        this.lean && path !== null
          ? parseLeanModuleImage(data, { source: where, path })
          : parseModuleImage(data, { source: where, path });
      if (this.withBtf) {
        const name = moduleNameOf(file.path);
        const sets = moduleSetsOf(where, data);
        if (sets) this.kfuncModules.set(name, sets.ids);
        const section =
          sets?.section ?? (m.exports.length > 0 ? btfSectionBytes(openElf(data, { source: where })) : null);
        if (section) {
          this.btfSections.set(name, section);
          this.parseEarly(name, section);
        }
      }
      this.release ??= MODULE.exec(file.path)?.[1] ?? null;
      this.modules.push(m);
    } catch (e) {
      this.problems.push({ path: file.path, reason: (e as Error).message });
    }
  }

  /** A module's split BTF parsed now, when vmlinux's is known; else, or when it fails, on first use. */
  private parseEarly(name: string, section: BtfSectionBytes): void {
    if (!this.parseModuleBtf || !this.kernelBtf) return;
    this.moduleBtfs ??= new ModuleBtfs(this.kernelBtf.btf);
    this.moduleBtfs.add(name, section);
    try {
      this.moduleBtfs.get(name);
    } catch {
      // Not cached: whoever uses it meets the same error, where it meets it today (the type digest).
    }
  }

  private async addShippedSymvers(file: ArtifactFile, where: string, release: string): Promise<void> {
    const { data } = await decompress(file.data, { source: where });
    this.shipped = parseModuleSymvers(decodeText(data, where, 'Module.symvers'), { source: where });
    this.release ??= release;
  }

  private async addKernelImage(file: ArtifactFile, where: string, release: string): Promise<void> {
    // arm64 ships Image (or Image.gz), s390x its boot image: raw kernels without a section table.
    const { data } = await decompress(file.data, { source: where, maxOutput: MAX_IMAGE });
    const kind = kindOfContent(data);
    if (kind === 'arm64-image' || kind === 's390-image') {
      const raw = await readRawImage(kind, data, { source: where });
      this.vmlinux = raw.exports;
      this.banner = linuxBanner(raw.kernel);
      this.config ??= ikconfigOf(raw.kernel, { source: where });
      if (this.withBtf) {
        try {
          this.kernelBtf = kernelBtfFromRawImage(raw.kernel, this.source, release, this.rawBtf);
          for (const [name, section] of this.btfSections) this.parseEarly(name, section);
        } catch (e) {
          this.problems.push({ path: file.path, reason: `BTF: ${(e as Error).message}` });
        }
      }
      this.kernelImage = file.path;
      this.release ??= release;
      return;
    }
    const elf = isBzImage(data) ? await extractVmlinux(data, { source: where }) : data;
    this.vmlinux = readVmlinuxExports(elf, { source: where });
    this.banner = linuxBanner(elf);
    this.config ??= ikconfigOf(elf, { source: where });
    if (this.withBtf) {
      try {
        this.kernelBtf = kernelBtfFromElf(openElf(elf, { source: where }), this.source, release, this.rawBtf);
        for (const [name, section] of this.btfSections) this.parseEarly(name, section);
      } catch (e) {
        this.problems.push({ path: file.path, reason: `BTF: ${(e as Error).message}` });
      }
    }
    this.kernelImage = file.path;
    this.release ??= release;
  }

  finish(source: ArtifactSource, meta: PackageMeta): KernelArtifact {
    // A headers package (or a tree with only symvers.gz) speaks through the Module.symvers it ships.
    if (this.kernelImage === null && this.shipped && !this.modules.some((m) => m.path !== null)) {
      return this.result(this.shipped.exports, [...this.shipped.warnings], 'module-symvers', meta);
    }
    const exports = new Map<string, Export>();
    const warnings: string[] = [];
    for (const e of this.vmlinux) exports.set(e.symbol, e);
    // Out-of-tree modules (updates/, extra/) are not part of the kernel's own Module.symvers.
    for (const m of this.modules.sort((a, b) => (a.source < b.source ? -1 : 1))) {
      if (m.path === null) continue;
      for (const e of m.exports) {
        const seen = exports.get(e.symbol);
        if (seen)
          warnings.push(
            `${e.symbol} is exported by both ${seen.module} and ${e.module}; keeping ${e.module}`,
          );
        exports.set(e.symbol, e);
      }
    }
    if (this.kernelImage === null)
      warnings.push(
        `${source.source}: no vmlinux or vmlinuz found; the kernel image's own exports are missing`,
      );
    return this.result(exports, warnings, 'kernel-binaries', meta);
  }

  private result(
    exports: ReadonlyMap<string, Export>,
    warnings: string[],
    format: KernelBuild['format'],
    meta: PackageMeta,
  ): KernelArtifact {
    for (const p of this.problems) warnings.push(`${p.path}: not read: ${p.reason}`);
    const labels: Record<string, string> = dateLabels(this.date, meta.fields?.BUILDTIME);
    // Every in-tree module carries the kernel's vermagic: the loader compares a module's against it.
    const config = this.config;
    const vermagic =
      this.modules.find((m) => m.path !== null && m.vermagic)?.vermagic ??
      (config && this.release ? vermagicOf(config, this.release) : null);
    if (vermagic) labels.vermagic = vermagic;
    const vendor = vendorOfBanner(this.banner);
    const profile = config || vendor ? loaderProfileOf(config, vendor) : null;
    if (profile) labels[LOADER_LABEL] = formatLoaderLabel(profile);
    if (this.release) labels.release = this.release;
    if (meta.name) labels.package = meta.name;
    if (meta.version) labels.version = meta.version;
    if (meta.arch) labels.arch = meta.arch;
    const build: KernelBuild = {
      source: this.source,
      format,
      labels,
      exports,
      warnings,
    };
    if (this.kernelBtf) {
      const modules =
        this.moduleBtfs?.base === this.kernelBtf.btf ? this.moduleBtfs : new ModuleBtfs(this.kernelBtf.btf);
      // Those parsed early are there already (with the same bytes: parseEarly follows every add).
      for (const [name, section] of this.btfSections)
        if (modules !== this.moduleBtfs || !modules.has(name)) modules.add(name, section);
      this.kernelBtf.modules = modules;
      this.kernelBtf.moduleBtfIds = this.kfuncModules;
      if (this.kernelBtf.btfIdSymbols === null && this.systemMap) {
        this.kernelBtf.btfIdSymbols = parseSystemMap(this.systemMap.text, this.systemMap.where);
        if (this.kernelBtf.btfIdSymbols) this.kernelBtf.symbolSource = 'System.map';
      }
    }
    return {
      build,
      btf: this.kernelBtf,
      modules: this.modules,
      release: this.release,
      builtin: this.builtin,
      kernelImage: this.kernelImage,
      problems: this.problems,
      config,
      profile,
    };
  }
}

export { changelogDate, changelogDateOf } from './debian-changelog.js';
