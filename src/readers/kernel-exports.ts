// One entry point for every text artifact that lists a kernel's exports. The format is recognised from
// content (after decompression by magic bytes), never from the file name, and can be forced.
import { ArtifactFormatError, excerptOf, UsageError } from '../errors.js';
import type { ExportsFormat, KernelBuild } from '../model/kernel-build.js';
import { decompress } from './compression.js';
import { readInputFile } from './file.js';
import { decodeText, meaningfulLines } from './lines.js';
import { parseModuleSymvers } from './module-symvers.js';
import { looksLikeRpmDependencies, rpmProvidesToKernelBuild } from './rpm-dependencies.js';
import { looksLikeUbuntuAbi, parseUbuntuAbi } from './ubuntu-abi.js';

export const EXPORTS_FORMATS: readonly ExportsFormat[] = ['module-symvers', 'rpm-provides', 'ubuntu-abi'];

export interface ExportsOptions {
  source: string;
  format?: ExportsFormat;
  duplicates?: 'error' | 'identical' | 'keep-last';
}

const SYMVERS_LINE = /^0x[0-9a-fA-F]{1,8}\t/;

export function detectExportsFormat(text: string): ExportsFormat | null {
  const first = meaningfulLines(text).next();
  if (first.done) return null;
  if (SYMVERS_LINE.test(first.value.text)) return 'module-symvers';
  if (looksLikeRpmDependencies(text)) return 'rpm-provides';
  if (looksLikeUbuntuAbi(text)) return 'ubuntu-abi';
  return null;
}

/** Parses a decoded text artifact into a KernelBuild. */
export function parseKernelExports(text: string, opts: ExportsOptions): KernelBuild {
  const format = opts.format ?? detectExportsFormat(text);
  const { source, duplicates } = opts;
  switch (format) {
    case 'module-symvers':
      return parseModuleSymvers(text, { source, duplicates });
    case 'rpm-provides':
      return rpmProvidesToKernelBuild(text, { source, duplicates });
    case 'ubuntu-abi':
      return parseUbuntuAbi(text, { source, duplicates });
    case 'kernel-binaries':
      throw new UsageError(
        `${source}: kernel-binaries is not a text format; pass the package, tree or image itself`,
      );
    case null: {
      const first = meaningfulLines(text).next();
      if (first.done) {
        throw new ArtifactFormatError(
          'empty input; expected Module.symvers, RPM provides or an Ubuntu abi file',
          {
            source,
          },
        );
      }
      throw new ArtifactFormatError(
        'unrecognised format; expected Module.symvers (0xCRC<TAB>symbol<TAB>module...), RPM provides (kernel(sym) = 0xCRC) or an Ubuntu abi file (EXPORT_SYMBOL module 0xCRC symbol)',
        { source, line: first.value.no, excerpt: excerptOf(first.value.text) },
      );
    }
  }
}

/** Reads a file (plain, gzip or xz) that lists a kernel's exports. */
export async function readKernelExports(
  path: string,
  opts: Omit<ExportsOptions, 'source'> & { source?: string } = {},
): Promise<KernelBuild> {
  const source = opts.source ?? path;
  const bytes = await readInputFile(path, 'a file of kernel exports');
  const { data } = await decompress(bytes, { source });
  const text = decodeText(
    data,
    source,
    'a text file of kernel exports (Module.symvers, RPM provides, Ubuntu abi)',
  );
  return parseKernelExports(text, { ...opts, source });
}
