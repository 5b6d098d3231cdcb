// A kernel's BTF from whatever carries it: a raw BTF file (/sys/kernel/btf/vmlinux), a vmlinux or module
// ELF (.BTF), a vmlinuz (the bzImage payload is vmlinux), a linux-image package or tree (boot/vmlinuz-*,
// or the unstripped usr/lib/debug/boot/vmlinux-* of a -dbg package), and the split BTF of its modules.
//
// Beside the types it keeps what kfunc discovery needs from vmlinux: the .BTF_ids section and the
// __BTF_ID__* symbols that delimit its sets, from the ELF symbol table or a System.map.
import { basename } from 'node:path';
import { ArtifactFormatError } from '../../errors.js';
import type { Btf } from '../../model/btf.js';
import {
  type Artifact,
  type ArtifactKind,
  kindOfContent,
  sniffArtifact,
  unexpectedKind,
} from '../artifact.js';
import { decompress } from '../compression.js';
import { type ElfFile, openElf, SHT } from '../elf/elf.js';
import { readInputFile } from '../file.js';
import { extractVmlinux, isBzImage } from '../kernel-image/bzimage.js';
import { extractS390Kernel } from '../kernel-image/s390-image.js';
import { type ArtifactFile, openPackage } from '../pkg/index.js';
import { readBtf } from './btf.js';
import { rawImageBtf } from './raw-image-btf.js';

export interface BtfIdSymbol {
  name: string;
  addr: bigint;
  /** st_size from a symbol table (a set's size in bytes); a System.map does not say. */
  size?: number;
}

/** A .BTF_ids section: where it is loaded (0 in a module), its bytes, their byte order, its file offset. */
export interface BtfIdsSection {
  addr: bigint;
  data: Uint8Array;
  littleEndian: boolean;
  fileOffset: number;
}

/** A module's own .BTF_ids and the symbols that delimit its sets (section-relative addresses). */
export interface ModuleBtfIds {
  btfIds: BtfIdsSection;
  btfIdSymbols: BtfIdSymbol[];
}

export interface KernelBtf {
  source: string;
  btf: Btf;
  /** vmlinux's .BTF bytes (a copy), kept for a store that keeps them; null for a raw BTF file. */
  raw: Uint8Array | null;
  /** Split BTF of the modules asked for, by module name (`snd_pcm`). */
  modules: ModuleBtfLookup;
  /** vmlinux's .BTF_ids: where it is loaded and its bytes; null for a raw BTF file or a module. */
  btfIds: BtfIdsSection | null;
  /** The `__BTF_ID__*` symbols, sorted by address; null when neither a symtab nor a System.map has them. */
  btfIdSymbols: BtfIdSymbol[] | null;
  /** Where btfIdSymbols came from. */
  symbolSource: 'symtab' | 'System.map' | null;
  /** `6.1.0-47-amd64`, where a path names it. */
  release: string | null;
  /**
   * With `kfuncModules`: the modules whose .BTF_ids holds set8 sets (kfunc sets live in nf_conntrack,
   * tcp_bbr, ...), by module name; their split BTF is in `modules`. null when modules were not read.
   */
  moduleBtfIds: Map<string, ModuleBtfIds> | null;
  /** Modules that could not be read for their sets, one message each. */
  warnings: string[];
}

export interface KernelBtfOptions {
  /** Which modules' split BTF to read, by module name; default none. */
  modules?: (name: string) => boolean;
  /** A System.map to take __BTF_ID__ symbols from when the image is stripped. */
  systemMap?: string;
  /** Read every module of a package or tree for its set8 sets (see moduleBtfIds). */
  kfuncModules?: boolean;
  /** Keep a copy of vmlinux's .BTF bytes (`raw`): a store keeps them, a comparison with bpftool reads them. */
  raw?: boolean;
}

const KERNEL_IMAGE = /(?:^|\/)boot\/(vmlinu[xz])-([^/]+)$/;
const DEBUG_VMLINUX = /(?:^|\/)usr\/lib\/debug\/(?:boot\/vmlinux-([^/]+)|lib\/modules\/([^/]+)\/vmlinux)$/;
const SYSTEM_MAP = /(?:^|\/)boot\/System\.map-([^/]+)$/;
const MODULE = /(?:^|\/)lib\/modules\/([^/]+)\/.*?([^/]+)\.ko(?:\.(?:xz|gz|zst))?$/;

/** `snd-pcm.ko.xz` → `snd_pcm`: the name the kernel gives a module. */
export function moduleNameOf(path: string): string {
  return basename(path)
    .replace(/\.ko(?:\.(?:xz|gz|zst))?$/, '')
    .replace(/-/g, '_');
}

/** A kernel's BTF from a path (sniffed here, once) or an artifact already sniffed. */
export async function readKernelBtf(
  input: string | Artifact,
  opts: KernelBtfOptions = {},
): Promise<KernelBtf> {
  const artifact =
    typeof input === 'string'
      ? await sniffArtifact(input, { what: EXPECTED, maxOutput: MAX_VMLINUX })
      : input;
  const result = await KERNEL_BTF_READERS[artifact.kind](artifact, opts);
  if (opts.systemMap && result.btfIdSymbols === null) {
    const text = (await readInputFile(opts.systemMap, 'a System.map')).toString('latin1');
    result.btfIdSymbols = parseSystemMap(text, opts.systemMap);
    result.symbolSource = result.btfIdSymbols ? 'System.map' : null;
  }
  return result;
}

const EXPECTED = 'a kernel image, BTF file or package';
// The -dbg package's unstripped vmlinux, decompressed, is close to a gigabyte.
const MAX_VMLINUX = 1024 * 1024 * 1024;

const KERNEL_BTF_READERS: Record<ArtifactKind, (a: Artifact, o: KernelBtfOptions) => Promise<KernelBtf>> = {
  tree: fromPackage,
  deb: fromPackage,
  rpm: fromPackage,
  btf: async (a) => bare(a.path, readBtf(a.data!, { source: a.path, section: 'BTF file' })),
  vmlinux: async (a, o) => kernelBtfFromElf(openElf(a.data!, { source: a.path }), a.path, null, o.raw),
  vmlinuz: async (a, o) => {
    const elf = await extractVmlinux(a.data!, { source: a.path });
    return kernelBtfFromElf(openElf(elf, { source: a.path }), a.path, null, o.raw);
  },
  // No section table says where .BTF lies in a raw image: found by its header (raw-image-btf.ts).
  'arm64-image': async (a, o) => kernelBtfFromRawImage(a.data!, a.path, null, o.raw),
  's390-image': async (a, o) =>
    kernelBtfFromRawImage(await extractS390Kernel(a.data!, { source: a.path }), a.path, null, o.raw),
  // A module's .BTF is split BTF: it needs its kernel's as a base (readModuleBtf).
  ko: async (a) => {
    throw unexpectedKind(a, `${EXPECTED} (a module's split BTF needs its kernel's as a base)`);
  },
  text: async (a) => {
    throw unexpectedKind(a, EXPECTED);
  },
};

/**
 * Modules' .BTF sections kept as bytes (a few KB each, not the whole .ko) and parsed on first use: an
 * explanation needs only the modules whose exports it looks at.
 */
export interface BtfSectionBytes {
  bytes: Uint8Array;
  source: string;
  /** Where the section starts in its file, for error offsets. */
  offset: number;
}

/** A copy of an ELF file's .BTF (so the file can be freed), or null when it has none. */
export function btfSectionBytes(elf: ElfFile): BtfSectionBytes | null {
  const s = elf.section('.BTF');
  return s ? { bytes: new Uint8Array(elf.data(s)), source: elf.source, offset: s.offset } : null;
}

/** What the analyses need of a set of module BTFs (a Map will do, and ModuleBtfs reads them lazily). */
export interface ModuleBtfLookup {
  get(name: string): Btf | undefined;
  has(name: string): boolean;
  /** The module's .BTF bytes, where they were kept. */
  bytes?(name: string): Uint8Array | undefined;
  /** The names of the modules kept, sorted: every module read that exports, or offers kfuncs. */
  names?(): string[];
}

export class ModuleBtfs implements ModuleBtfLookup {
  private readonly raw = new Map<string, BtfSectionBytes>();
  private readonly parsed = new Map<string, Btf>();

  constructor(readonly base: Btf) {}

  add(name: string, section: BtfSectionBytes): void {
    this.raw.set(name, section);
    this.parsed.delete(name); // a name added again is read from its new bytes
  }

  has(name: string): boolean {
    return this.raw.has(name);
  }

  get(name: string): Btf | undefined {
    const done = this.parsed.get(name);
    if (done) return done;
    const r = this.raw.get(name);
    if (!r) return undefined;
    // Decoded as asked: an explanation or a digest reads the few types a module's exports reach.
    const btf = readBtf(r.bytes, { source: r.source, base: this.base, fileOffset: r.offset, lazy: true });
    this.parsed.set(name, btf);
    return btf;
  }

  names(): string[] {
    return [...this.raw.keys()].sort();
  }

  bytes(name: string): Uint8Array | undefined {
    return this.raw.get(name)?.bytes;
  }
}

function bare(source: string, btf: Btf): KernelBtf {
  return {
    source,
    btf,
    raw: null,
    modules: new ModuleBtfs(btf),
    btfIds: null,
    btfIdSymbols: null,
    symbolSource: null,
    release: null,
    moduleBtfIds: null,
    warnings: [],
  };
}

/** The .BTF of an ELF file; a clear error when the kernel was built without CONFIG_DEBUG_INFO_BTF. */
export function btfSection(elf: ElfFile, base?: Btf): Btf {
  const s = elf.section('.BTF');
  if (!s)
    throw new ArtifactFormatError(
      'no .BTF section: built without CONFIG_DEBUG_INFO_BTF (or CONFIG_DEBUG_INFO_BTF_MODULES for modules)',
      { source: elf.source },
    );
  // Lazy: an ingest asks for the few types its kfuncs name, not vmlinux's 100,000 (300 ms decoded).
  const opts = base
    ? { source: elf.source, fileOffset: s.offset, base, lazy: true }
    : { source: elf.source, fileOffset: s.offset, lazy: true };
  return readBtf(elf.data(s), opts);
}

/**
 * A packaged kernel image's BTF: a bzImage's vmlinux, an ELF vmlinux, or a raw image (arm64 Image,
 * possibly gzipped; s390x's boot image), by what its bytes are.
 */
export async function imageBtf(
  data: Uint8Array,
  where: string,
  source: string,
  release: string | null,
  raw = false,
): Promise<KernelBtf> {
  if (isBzImage(data))
    return kernelBtfFromElf(
      openElf(await extractVmlinux(data, { source: where }), { source: where }),
      source,
      release,
      raw,
    );
  const { data: bytes } = await decompress(data, { source: where, maxOutput: MAX_VMLINUX });
  const kind = kindOfContent(bytes);
  if (kind === 'arm64-image') return kernelBtfFromRawImage(bytes, source, release, raw);
  if (kind === 's390-image')
    return kernelBtfFromRawImage(await extractS390Kernel(bytes, { source: where }), source, release, raw);
  return kernelBtfFromElf(openElf(bytes, { source: where }), source, release, raw);
}

/** BTF and .BTF_ids of a raw kernel image (arm64 Image, s390x kernel); no symbols name its sets. */
export function kernelBtfFromRawImage(
  kernel: Uint8Array,
  source: string,
  release: string | null,
  keepRaw = false,
): KernelBtf {
  const found = rawImageBtf(kernel, source);
  const result = bare(source, found.btf);
  if (keepRaw) result.raw = new Uint8Array(found.raw);
  result.btfIds = found.btfIds;
  result.release = release;
  return result;
}

/**
 * A kernel's BTF from the .BTF bytes a store kept: vmlinux's, and its modules' split BTF, each read (a
 * store decompresses it) and parsed when first asked for, as a package's are. `source` names the entry.
 */
export function kernelBtfFromBlobs(
  vmlinux: Uint8Array,
  modules: readonly { name: string; readonly bytes: Uint8Array }[],
  source: string,
  release: string | null,
): KernelBtf {
  // Decoded on demand: explain's type graph takes the named structs, unions, enums and typedefs, and of the
  // ~60,000 functions and prototypes only those the exports asked about reach.
  const result = bare(source, readBtf(vmlinux, { source: `${source} (vmlinux BTF)`, lazy: true }));
  const lookup = new ModuleBtfs(result.btf);
  for (const m of modules)
    lookup.add(m.name, {
      get bytes() {
        return m.bytes;
      },
      source: `${source} (${m.name} BTF)`,
      offset: 0,
    });
  result.modules = lookup;
  result.release = release;
  return result;
}

/** BTF, .BTF_ids and __BTF_ID__ symbols of a vmlinux ELF. */
export function kernelBtfFromElf(
  elf: ElfFile,
  source: string,
  release: string | null,
  keepRaw = false,
): KernelBtf {
  const result = bare(source, btfSection(elf));
  if (keepRaw) result.raw = new Uint8Array(elf.data(elf.section('.BTF')!));
  result.release = release;
  result.btfIds = btfIdsSection(elf);
  const symbols = btfIdSymbols(elf);
  if (symbols.length > 0) {
    result.btfIdSymbols = symbols.map(({ shndx: _, ...s }) => s);
    result.symbolSource = 'symtab';
  }
  return result;
}

function btfIdsSection(elf: ElfFile): BtfIdsSection | null {
  const ids = elf.section('.BTF_ids');
  // A debug-only file (objcopy --only-keep-debug) keeps the section header but not its bytes.
  if (!ids || ids.type === SHT.NOBITS) return null;
  return { addr: ids.addr, data: elf.data(ids), littleEndian: elf.littleEndian, fileOffset: ids.offset };
}

const BTF_ID_PREFIX = Buffer.from('__BTF_ID__', 'latin1');
const SET8_NAME = '__BTF_ID__set8__';

/**
 * The `__BTF_ID__*` symbols, sorted by address. Read here rather than with readSymbols: a vmlinux's
 * addresses (0xffffffff8...) do not fit a JavaScript number, and only these few names are wanted.
 */
function btfIdSymbols(elf: ElfFile): (BtfIdSymbol & { shndx: number })[] {
  const symtab = elf.sections.find((s) => s.type === SHT.SYMTAB);
  const strtab = symtab && elf.sections[symtab.link];
  if (!symtab || !strtab || strtab.type !== SHT.STRTAB) return [];
  const entry = elf.is64 ? 24 : 16;
  elf.checkRange(symtab.offset, symtab.size, 'symbol table', symtab.name);
  elf.checkRange(strtab.offset, strtab.size, 'string table', strtab.name);
  const strings = elf.bytes.subarray(strtab.offset, strtab.offset + strtab.size);
  const out: (BtfIdSymbol & { shndx: number })[] = [];
  for (let off = symtab.offset; off + entry <= symtab.offset + symtab.size; off += entry) {
    const nameOff = elf.u32(off);
    if (nameOff + BTF_ID_PREFIX.length > strings.length) continue;
    if (!BTF_ID_PREFIX.every((b, i) => strings[nameOff + i] === b)) continue;
    const name = elf.cstring(strtab, nameOff);
    const addr = elf.is64 ? elf.u64(off + 8) : BigInt(elf.u32(off + 4));
    const size = elf.is64 ? Number(elf.u64(off + 16)) : elf.u32(off + 8);
    out.push({ name, addr, size, shndx: elf.u16(off + (elf.is64 ? 6 : 14)) });
  }
  return out.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
}

/** `ffffffff828e5ad0 D __BTF_ID__set8__bpf_rstat_kfunc_ids`: only the __BTF_ID__ lines are kept. */
export function parseSystemMap(text: string, source: string): BtfIdSymbol[] | null {
  const symbols: BtfIdSymbol[] = [];
  let line = 0;
  for (const l of text.split('\n')) {
    line++;
    if (!l.includes('__BTF_ID__')) continue;
    const m = /^([0-9a-fA-F]{1,16}) \S (\S+)$/.exec(l.trim());
    if (!m)
      throw new ArtifactFormatError('expected `ADDRESS TYPE NAME`', {
        source,
        line,
        excerpt: l.slice(0, 80),
      });
    symbols.push({ name: m[2]!, addr: BigInt(`0x${m[1]}`) });
  }
  if (symbols.length === 0) return null;
  return symbols.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
}

async function fromPackage(artifact: Artifact, opts: KernelBtfOptions): Promise<KernelBtf> {
  const path = artifact.path;
  const source = await openPackage(artifact);
  const wantModule = opts.modules ?? (() => false);
  let image: { file: ArtifactFile; release: string; debug: boolean } | null = null;
  let systemMap: string | null = null;
  const moduleFiles: { name: string; section: BtfSectionBytes }[] = [];
  // Modules with set8 sets: their .BTF_ids, and .BTF to be read once the kernel's BTF (their base) is.
  const kfuncModules: { name: string; section: BtfSectionBytes | null; ids: ModuleBtfIds }[] = [];
  const warnings: string[] = [];
  const wanted = (p: string) => {
    if (KERNEL_IMAGE.test(p) || DEBUG_VMLINUX.test(p) || SYSTEM_MAP.test(p)) return true;
    const m = MODULE.exec(p);
    return m !== null && (opts.kfuncModules === true || wantModule(moduleNameOf(p)));
  };
  for await (const file of source.files(wanted)) {
    if (file.linkTarget !== undefined || file.hardLinkTarget !== undefined) continue;
    const debug = DEBUG_VMLINUX.exec(file.path);
    const boot = KERNEL_IMAGE.exec(file.path);
    // The -dbg vmlinux has the symbol table a stripped vmlinuz lacks: prefer it.
    if (debug && (image === null || !image.debug))
      image = { file, release: debug[1] ?? debug[2]!, debug: true };
    else if (boot && image === null) image = { file, release: boot[2]!, debug: false };
    else if (SYSTEM_MAP.test(file.path)) systemMap = file.data.toString('latin1');
    else if (MODULE.test(file.path)) {
      const name = moduleNameOf(file.path);
      const at = `${path} (${file.path})`;
      if (wantModule(name)) {
        // Only the .BTF section is kept: the rest of the module is dropped as the package streams on.
        const { data } = await decompress(file.data, { source: at });
        const section = btfSectionBytes(openElf(data, { source: at }));
        if (section) moduleFiles.push({ name, section });
      }
      if (opts.kfuncModules) {
        const found = await moduleSets(at, file.data).catch((e: Error) => {
          warnings.push(e.message);
          return null;
        });
        if (found) kfuncModules.push({ name, ...found });
      }
    }
  }
  if (image === null)
    throw new ArtifactFormatError(
      'no boot/vmlinuz-*, boot/vmlinux-* or usr/lib/debug vmlinux: the kernel BTF lives in the kernel image',
      { source: path },
    );
  const where = `${path} (${image.file.path})`;
  const result = await imageBtf(image.file.data, where, path, image.release, opts.raw);
  result.warnings.push(...warnings);
  // Debian's linux-image ships a placeholder System.map; the real one is in the -dbg package.
  if (result.btfIdSymbols === null && systemMap) {
    result.btfIdSymbols = parseSystemMap(systemMap, `${path} (System.map)`);
    if (result.btfIdSymbols) result.symbolSource = 'System.map';
  }
  const modules = new ModuleBtfs(result.btf);
  for (const { name, section } of moduleFiles) modules.add(name, section);
  if (opts.kfuncModules) {
    result.moduleBtfIds = new Map();
    for (const { name, section, ids } of kfuncModules) {
      if (section && !modules.has(name)) modules.add(name, section);
      result.moduleBtfIds.set(name, ids);
    }
  }
  result.modules = modules;
  return result;
}

/** A module's split BTF (.ko, .ko.xz/.gz/.zst) on top of its kernel's. */
export async function readModuleBtf(path: string, base: Btf): Promise<Btf> {
  const raw = await readInputFile(path, 'a kernel module (.ko)');
  const { data } = await decompress(raw, { source: path });
  return btfSection(openElf(data, { source: path }), base);
}

const BTF_IDS_NAME = Buffer.from('.BTF_ids\0', 'latin1');

/**
 * False only when the ELF file surely has no section named `name` (given with its NUL): its section
 * names' table, found from the ELF header alone, does not hold the string. Whatever cannot be located
 * that way (a short or odd header) answers true, and the caller reads the file as before.
 */
export function mayHaveSection(data: Uint8Array, name: Uint8Array): boolean {
  if (data.length < 64 || data[0] !== 0x7f || data[1] !== 0x45 || data[2] !== 0x4c || data[3] !== 0x46)
    return true;
  const is64 = data[4] === 2;
  const le = data[5] === 1;
  if ((data[4] !== 1 && !is64) || (data[5] !== 2 && !le)) return true;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const word = (at: number) => (is64 ? Number(view.getBigUint64(at, le)) : view.getUint32(at, le));
  const shoff = word(is64 ? 40 : 32);
  const entry = is64 ? 64 : 40;
  const strndx = view.getUint16(is64 ? 62 : 50, le);
  if (shoff === 0 || strndx === 0 || strndx === 0xffff || view.getUint16(is64 ? 58 : 46, le) !== entry)
    return true;
  const header = shoff + strndx * entry;
  if (header + entry > data.length) return true;
  const offset = word(header + (is64 ? 24 : 16));
  const size = word(header + (is64 ? 32 : 20));
  if (offset + size > data.length || size === 0) return true;
  return Buffer.from(data.buffer, data.byteOffset + offset, size).indexOf(name) !== -1;
}

/** A module's .BTF_ids and __BTF_ID__ symbols, when it has set8 sets; null when it has none. */
async function moduleSets(
  at: string,
  raw: Buffer,
): Promise<{ section: BtfSectionBytes | null; ids: ModuleBtfIds } | null> {
  const { data } = await decompress(raw, { source: at });
  return moduleSetsOf(at, data);
}

/** The same, for a module already decompressed (the package reader's one pass). */
export function moduleSetsOf(
  at: string,
  data: Uint8Array,
): { section: BtfSectionBytes | null; ids: ModuleBtfIds } | null {
  // Most modules have no .BTF_ids at all: a look at the section names (a few hundred bytes) spares
  // parsing 4,000 section tables, and searching 400 MB of modules for a set's symbol.
  if (!mayHaveSection(data, BTF_IDS_NAME)) return null;
  if (Buffer.from(data.buffer, data.byteOffset, data.byteLength).indexOf(SET8_NAME) === -1) return null;
  const elf = openElf(data, { source: at });
  const btfIds = btfIdsSection(elf);
  if (!btfIds) return null;
  const section = elf.sections.findIndex((s) => s.name === '.BTF_ids');
  const symbols = btfIdSymbols(elf).filter((s) => s.shndx === section);
  if (!symbols.some((s) => s.name.startsWith(SET8_NAME))) return null;
  return {
    section: btfSectionBytes(elf),
    // Kept past the module's bytes (a view would pin the whole module, or a package stream's chunk).
    ids: {
      btfIds: { ...btfIds, data: new Uint8Array(btfIds.data) },
      btfIdSymbols: symbols.map(({ shndx: _, ...s }) => s),
    },
  };
}
