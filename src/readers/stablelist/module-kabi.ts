// Module.kabi_<arch>: the reference CRCs a distribution promises to keep, one Module.symvers line per
// symbol (see symvers-line.ts for the columns). RHEL 7 shipped it in redhat/kabi/ and checked builds
// against it with check-kabi; RHEL 8+ generate it from the kabi-module tree (show-kabi -m); openEuler
// keeps Module.kabi_aarch64 / Module.kabi_x86_64 (plus Module.kabi_ext1_*, _ext2_*) in its
// src-openeuler kernel package and checks them with its copy of check-kabi. Blank lines are skipped,
// as check-kabi does; `#` comments are tolerated though no shipped file has them.
import type { Stablelist } from '../../model/stablelist.js';
import { lineError, meaningfulLines } from '../lines.js';
import { archFromName, baseName, endOfFileError, makeStablelist, SymbolTable } from './common.js';
import { parseSymversLine, SYMVERS_SHAPE } from './symvers-line.js';

export function parseModuleKabi(text: string, source: string): Stablelist {
  const table = new SymbolTable();
  for (const line of meaningfulLines(text)) {
    if (line.text.startsWith('[')) {
      throw lineError(
        source,
        line,
        `expected a Module.symvers line (${SYMVERS_SHAPE}), found a section header`,
      );
    }
    table.add(parseSymversLine(line, source), source, line);
  }
  if (table.size === 0) {
    throw endOfFileError(text, source, `no symbols, expected Module.symvers lines (${SYMVERS_SHAPE})`);
  }
  const name = baseName(source);
  return makeStablelist(name, archFromName(name), source, table);
}
