// Kernels that packages ship as raw images rather than ELF: what each one holds once unpacked.
import type { Export } from '../../model/export.js';
import { readArm64ImageExports } from './arm64-image.js';
import { extractS390Kernel, readS390KernelExports } from './s390-image.js';

export type RawImageKind = 'arm64-image' | 's390-image';

/** The kernel's own bytes (for its banner and IKCONFIG) and its exports. */
export async function readRawImage(
  kind: RawImageKind,
  bytes: Uint8Array,
  opts: { source: string },
): Promise<{ kernel: Uint8Array; exports: Export[] }> {
  if (kind === 'arm64-image') return { kernel: bytes, exports: readArm64ImageExports(bytes, opts) };
  const kernel = await extractS390Kernel(bytes, opts);
  return { kernel, exports: readS390KernelExports(kernel, opts) };
}
