// Which source file defines each exported symbol: `symbol<TAB>path` lines, as made from a kernel's DWARF
// (a linux-image-*-dbg vmlinux: `nm` for the addresses, `addr2line` for the files; docs/studies.md says
// how). Paths are relative to the kernel tree (`mm/slub.c`); `??` (no line information) is left out.
import { readFile } from 'node:fs/promises';
import { lineError, lines } from './lines.js';
import { decodeText } from './text-decode.js';

const EXPECTED = 'symbol<TAB>source-file lines';

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

export async function readSymbolSources(path: string): Promise<Map<string, string>> {
  return parseSymbolSources(decodeText(await readFile(path), path, EXPECTED), { source: path });
}
