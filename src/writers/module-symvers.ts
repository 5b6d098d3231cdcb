// Writes exports in the Module.symvers shape of kernels ≥ 5.10 (namespace last), the shape modpost
// reads back with `KBUILD_EXTRA_SYMBOLS`. Used to write baselines (`kabi check --update`).
import { type Export, formatCrc } from '../model/export.js';

export function formatModuleSymvers(exports: Iterable<Export>): string {
  let out = '';
  for (const e of exports) {
    const crc = e.crc === null ? '0x00000000' : formatCrc(e.crc);
    out += `${crc}\t${e.symbol}\t${e.module ?? 'vmlinux'}\t${e.exportType ?? 'EXPORT_SYMBOL'}\t${e.namespace ?? ''}\n`;
  }
  return out;
}
