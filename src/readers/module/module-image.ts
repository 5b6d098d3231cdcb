// A kernel module image (.ko, or .ko.xz/.ko.zst/.ko.gz as distributions install them) → ModuleImage.
import type { ModuleImage } from '../../model/module-image.js';
import { decompress } from '../compression.js';
import { openElf } from '../elf/elf.js';
import { readInputFile } from '../file.js';
import { readKsymtab } from './ksymtab.js';
import { modinfoFirstValues, modinfoValue, modinfoValues, parseModinfo } from './modinfo.js';
import { SymbolTable, undefinedSymbols } from './symbol-table.js';
import { readModversions } from './versions.js';

export interface ModuleImageOptions {
  source: string;
  /** In-tree path without `.ko` (`drivers/usb/storage/usb-storage`); derived from `source` when absent. */
  path?: string | null;
}

const IN_TREE = /(?:^|\/)lib\/modules\/[^/]+\/kernel\/(.+?)\.ko(?:\.(?:xz|gz|zst))?$/;

/** `lib/modules/6.1.0-47-amd64/kernel/drivers/usb/storage/usb-storage.ko.xz` → `drivers/usb/storage/usb-storage`. */
export function inTreeModulePath(filePath: string): string | null {
  return IN_TREE.exec(filePath)?.[1] ?? null;
}

/** The name a module file gives itself when its .modinfo has no `name`: `usb-storage.ko.xz` → `usb_storage`. */
export function fileModuleName(source: string): string {
  const base = source.slice(source.lastIndexOf('/') + 1).replace(/\.ko(?:\.(?:xz|gz|zst))?$/, '');
  return base.replace(/-/g, '_');
}

/** Parses an uncompressed module ELF. */
export function parseModuleImage(bytes: Uint8Array, opts: ModuleImageOptions): ModuleImage {
  const elf = openElf(bytes, { source: opts.source });
  if (elf.type !== 1)
    throw elf.error(`ELF type ${elf.type}: expected a relocatable object (ET_REL), as every .ko is`, 16);
  const modinfoSection = elf.section('.modinfo');
  const modinfo = modinfoSection ? parseModinfo(elf.data(modinfoSection)) : [];
  const name = modinfoValue(modinfo, 'name') ?? fileModuleName(opts.source);
  const path = opts.path === undefined ? inTreeModulePath(opts.source) : opts.path;
  const { imports, kind } = readModversions(elf);
  const depends = modinfoValue(modinfo, 'depends');
  // One reading of the symbol table serves the ksymtab's relocations and the undefined symbols.
  let table: SymbolTable | null = null;
  const symbols = () => {
    table ??= new SymbolTable(elf);
    return table;
  };
  const exports = readKsymtab(elf, path ?? name, symbols);
  return {
    source: opts.source,
    name,
    path,
    modinfo,
    vermagic: modinfoValue(modinfo, 'vermagic'),
    license: modinfoValue(modinfo, 'license'),
    depends: depends ? depends.split(',').filter((d) => d !== '') : [],
    importNs: modinfoValues(modinfo, 'import_ns'),
    srcversion: modinfoValue(modinfo, 'srcversion'),
    imports,
    modversions: kind,
    exports,
    hasBtf: elf.section('.BTF') !== undefined,
    needs: undefinedSymbols(symbols()),
    signed: isSigned(bytes),
    elf: { class: elf.is64 ? 64 : 32, endian: elf.littleEndian ? 'little' : 'big', machine: elf.machine },
  };
}

// scripts/sign-file appends the PKCS#7 signature, a struct module_signature and this marker.
const SIGNATURE_MARKER = '~Module signature appended~\n';

/** Whether a signature is appended (module_sig_check() looks for the same marker at the very end). */
export function isSigned(bytes: Uint8Array): boolean {
  const n = SIGNATURE_MARKER.length;
  if (bytes.length < n) return false;
  return (
    Buffer.from(bytes.buffer, bytes.byteOffset + bytes.length - n, n).toString('latin1') === SIGNATURE_MARKER
  );
}

const LEAN_KEYS = ['name', 'vermagic', 'license', 'srcversion'] as const;

/**
 * A module as a kernel package's entry keeps it (its modinfo, imports, depends and needs left empty):
 * checked as parseModuleImage checks it, with the same errors in the same order, but without a string or
 * an object for each of its modinfo entries, imports and undefined symbols (~1 million for a package).
 */
export function parseLeanModuleImage(bytes: Uint8Array, opts: ModuleImageOptions): ModuleImage {
  const elf = openElf(bytes, { source: opts.source });
  if (elf.type !== 1)
    throw elf.error(`ELF type ${elf.type}: expected a relocatable object (ET_REL), as every .ko is`, 16);
  const modinfoSection = elf.section('.modinfo');
  const [name, vermagic, license, srcversion] = modinfoSection
    ? modinfoFirstValues(elf.data(modinfoSection), LEAN_KEYS)
    : [null, null, null, null];
  const moduleName = name ?? fileModuleName(opts.source);
  const path = opts.path === undefined ? inTreeModulePath(opts.source) : opts.path;
  const { kind } = readModversions(elf, true);
  let table: SymbolTable | null = null;
  const symbols = () => {
    table ??= new SymbolTable(elf);
    return table;
  };
  const exports = readKsymtab(elf, path ?? moduleName, symbols);
  // Read for its checks (parseModuleImage lists the undefined symbols from it).
  symbols();
  return {
    source: opts.source,
    name: moduleName,
    path,
    modinfo: [],
    vermagic: vermagic ?? null,
    license: license ?? null,
    depends: [],
    importNs: [],
    srcversion: srcversion ?? null,
    imports: [],
    modversions: kind,
    exports,
    hasBtf: elf.section('.BTF') !== undefined,
    signed: isSigned(bytes),
    elf: { class: elf.is64 ? 64 : 32, endian: elf.littleEndian ? 'little' : 'big', machine: elf.machine },
  };
}

/** Decompresses (by magic bytes) and parses module bytes. */
export async function loadModuleImage(bytes: Uint8Array, opts: ModuleImageOptions): Promise<ModuleImage> {
  const { data } = await decompress(bytes, { source: opts.source });
  return parseModuleImage(data, opts);
}

export async function readModuleImage(
  path: string,
  opts: Partial<ModuleImageOptions> = {},
): Promise<ModuleImage> {
  const bytes = await readInputFile(path, 'a kernel module (.ko)');
  return loadModuleImage(bytes, { source: opts.source ?? path, path: opts.path });
}
