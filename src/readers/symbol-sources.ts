// Which source file defines each exported symbol, from one of:
// - a linux-image-*-dbg .deb (or a directory holding its usr/lib/debug/boot/vmlinux-*): streamed to the
//   vmlinux, which comes first, and read as below;
// - the -dbg vmlinux itself: its exports' compile units in its DWARF (src/readers/dwarf/);
// - `symbol<TAB>path` lines, as made outside kabi (docs/studies.md: nm, addr2line, gdb).
// Paths are relative to the kernel tree (`mm/slub.c`); `??` (no line information) is left out.
import type { Artifact } from './artifact.js';
import { sniffArtifact, unexpectedKind } from './artifact.js';
import { dbgVmlinuxOfPackage, parseDbgVmlinuxSources } from './dwarf/dbg-vmlinux.js';
import { lineError, lines } from './lines.js';
import { openPackage } from './pkg/index.js';
import { decodeText } from './text-decode.js';

const EXPECTED = 'symbol<TAB>source-file lines';
const WHAT = 'a linux-image-*-dbg package, its vmlinux, or symbol<TAB>source-file lines';
/** An unstripped vmlinux is ~600 MiB; compressed, it may decompress to that much. */
const MAX_VMLINUX = 2 * 1024 ** 3;

export function parseSymbolSources(text: string, opts: { source: string }): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of lines(text)) {
    if (l.text.trim() === '' || l.text.startsWith('#')) continue;
    const [symbol, file, ...rest] = l.text.split('\t');
    if (!symbol || file === undefined || rest.length > 0)
      throw lineError(opts.source, l, `expected ${EXPECTED}`);
    if (file === '' || file.startsWith('??')) continue;
    out.set(symbol, file);
  }
  return out;
}

/** The map from whichever of the three `path` holds, sniffed once by content. */
export async function readSymbolSources(path: string): Promise<Map<string, string>> {
  return symbolSourcesOf(await sniffArtifact(path, { what: WHAT, maxOutput: MAX_VMLINUX }));
}

export async function symbolSourcesOf(artifact: Artifact): Promise<Map<string, string>> {
  switch (artifact.kind) {
    case 'text':
      return parseSymbolSources(decodeText(artifact.data!, artifact.path, EXPECTED), {
        source: artifact.path,
      });
    case 'vmlinux':
      return (await parseDbgVmlinuxSources(artifact.data!, { source: artifact.path })).sources;
    case 'deb':
    case 'rpm':
    case 'tree':
      return (await dbgVmlinuxOfPackage(await openPackage(artifact))).sources;
    default:
      throw unexpectedKind(artifact, WHAT);
  }
}
