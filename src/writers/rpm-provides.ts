// `kernel(sym) = 0xCRC` lines, the provides that RHEL/Fedora kernel packages carry.
import { type Export, formatCrc } from '../model/export.js';

export function formatRpmProvides(exports: Iterable<Export>): string {
  let out = '';
  for (const e of exports)
    out += e.crc === null ? `kernel(${e.symbol})\n` : `kernel(${e.symbol}) = ${formatCrc(e.crc)}\n`;
  return out;
}
