// Plain symbol lists: one symbol name per line, `#` comments and blank lines allowed, leading
// whitespace ignored. No standard owns this shape; it is what people hand-write or extract with
// `awk '{print $2}' Module.kabi_x86_64`, and what some openEuler branches ship as
// kabi_whitelist_<arch> (no header, duplicates included). Duplicates are dropped silently.
import type { Stablelist } from '../../model/stablelist.js';
import { lineError, meaningfulLines } from '../lines.js';
import {
  archFromName,
  baseName,
  endOfFileError,
  expectSymbolName,
  makeStablelist,
  SymbolTable,
} from './common.js';

export function parsePlainList(text: string, source: string): Stablelist {
  const table = new SymbolTable();
  for (const line of meaningfulLines(text)) {
    const content = stripComment(line.text);
    if (content.startsWith('[')) {
      throw lineError(
        source,
        line,
        'expected one symbol name per line, found a section header (an INI symbol list or RHEL stablelist?)',
      );
    }
    const fields = content.split(/\s+/);
    if (fields.length !== 1) {
      throw lineError(source, line, `expected one symbol name per line, found ${fields.length} fields`);
    }
    table.add({ symbol: expectSymbolName(content, source, line), crc: null, module: null }, source, line);
  }
  if (table.size === 0) throw endOfFileError(text, source, 'no symbols, expected one symbol name per line');
  const name = baseName(source);
  return makeStablelist(name, archFromName(name), source, table);
}

/** `foo  # why it is listed`: symbol names never contain `#`, so the rest is a comment. */
function stripComment(text: string): string {
  const hash = text.indexOf('#');
  return (hash === -1 ? text : text.slice(0, hash)).trim();
}
