// Any artifact that describes a kernel's exports, recognised by content: a text table (Module.symvers,
// RPM provides, Ubuntu abi; plain or compressed), a kernel package (.deb, .rpm), a module tree, a
// vmlinux or vmlinuz, or a single module (its own exports).
import { open } from 'node:fs/promises';
import type { ExportsFormat, KernelBuild } from '../model/kernel-build.js';
import { type KernelBtf, readKernelBtf } from './btf/kernel-btf.js';
import { decompress, detectCompression } from './compression.js';
import { openElf } from './elf/elf.js';
import { isDirectory, readInputFile } from './file.js';
import { type KernelArtifactOptions, readKernelArtifact, readKernelSource } from './kernel-artifact.js';
import { parseKernelExports } from './kernel-exports.js';
import { extractVmlinux, isBzImage } from './kernel-image/bzimage.js';
import { decodeText } from './lines.js';
import { parseModuleImage } from './module/module-image.js';
import { readVmlinuxExports } from './module/vmlinux.js';
import { openArtifact } from './pkg/index.js';

export interface ExportsArtifactOptions extends KernelArtifactOptions {
  /** Force a text format; binaries are always recognised by their magic bytes. */
  format?: Exclude<ExportsFormat, 'kernel-binaries'>;
  duplicates?: 'error' | 'keep-last';
}

async function head(path: string, n: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

const AR = Buffer.from('!<arch>\n');
const RPM_LEAD = Buffer.from([0xed, 0xab, 0xee, 0xdb]);
const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

function startsWith(bytes: Uint8Array, magic: Uint8Array): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

export async function readExportsArtifact(
  path: string,
  opts: ExportsArtifactOptions = {},
): Promise<KernelBuild> {
  const what = 'kernel exports (Module.symvers, provides, a kernel package, vmlinux or a module)';
  if (await isDirectory(path, what)) return (await readKernelArtifact(path, opts)).build;
  const first = await head(path, 8).catch(() => new Uint8Array(0));
  if (startsWith(first, AR)) return (await readKernelArtifact(path, opts)).build;
  if (startsWith(first, RPM_LEAD)) return readRpm(path, opts);
  const bytes = await readInputFile(path, what);
  if (isBzImage(bytes)) return vmlinuxBuild(await extractVmlinux(bytes, { source: path }), path);
  const data = detectCompression(bytes) === 'none' ? bytes : (await decompress(bytes, { source: path })).data;
  if (startsWith(data, ELF)) return elfBuild(data, path);
  const text = decodeText(data, path, what);
  return parseKernelExports(text, { source: path, format: opts.format, duplicates: opts.duplicates });
}

/** An RPM that provides kernel(sym) = CRC speaks for itself (what dnf checks); else read its binaries. */
async function readRpm(path: string, opts: ExportsArtifactOptions): Promise<KernelBuild> {
  const source = await openArtifact(path);
  const meta = await source.metadata();
  if (meta.provides.some((p) => /^(kernel|ksym)\(.+\) = /.test(p))) {
    const build = parseKernelExports(`${meta.provides.join('\n')}\n`, {
      source: path,
      format: 'rpm-provides',
      duplicates: opts.duplicates,
    });
    return {
      ...build,
      labels: { ...build.labels, package: meta.name ?? '', version: `${meta.version}-${meta.release}` },
    };
  }
  return (await readKernelSource(source, opts)).build;
}

function elfBuild(data: Uint8Array, path: string): KernelBuild {
  if (openElf(data, { source: path }).type === 1) {
    const m = parseModuleImage(data, { source: path });
    return {
      source: path,
      format: 'kernel-binaries',
      labels: {},
      exports: new Map(m.exports.map((e) => [e.symbol, e])),
      warnings: [],
    };
  }
  return vmlinuxBuild(data, path);
}

function vmlinuxBuild(elf: Uint8Array, path: string): KernelBuild {
  const exports = readVmlinuxExports(elf, { source: path });
  return {
    source: path,
    format: 'kernel-binaries',
    labels: {},
    exports: new Map(exports.map((e) => [e.symbol, e])),
    warnings: [],
  };
}

/**
 * A kernel's exports and its BTF in one pass, for a linux-image package, a tree, a vmlinuz or a vmlinux;
 * null for inputs that carry no types (Module.symvers, provides lists).
 */
export async function readKernelWithBtf(
  path: string,
  opts: ExportsArtifactOptions = {},
): Promise<{ build: KernelBuild; btf: KernelBtf } | null> {
  const what = 'a kernel package, tree, vmlinuz or vmlinux';
  const first = (await isDirectory(path, what)) ? null : await head(path, 8).catch(() => new Uint8Array(0));
  if (first === null || startsWith(first, AR) || startsWith(first, RPM_LEAD)) {
    const k = await readKernelArtifact(path, { ...opts, btf: true });
    return k.btf ? { build: k.build, btf: k.btf } : null;
  }
  const bytes = await readInputFile(path, what);
  const data = detectCompression(bytes) === 'none' ? bytes : (await decompress(bytes, { source: path })).data;
  if (!isBzImage(data) && !startsWith(data, ELF)) return null;
  const [build, btf] = await Promise.all([readExportsArtifact(path, opts), readKernelBtf(path)]);
  return { build, btf };
}
