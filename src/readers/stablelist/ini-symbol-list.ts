// INI symbol lists, as libabigail's kmidiff/abidiff --kmi-whitelist read them (abg-tools-utils.cc,
// gen_suppr_spec_from_kernel_abi_whitelists): every section whose name ends in `symbol_list` or
// `whitelist` lists symbols, one bare property name per line; other sections are ignored.
// Android GKI keeps its KMI lists this way in android/abi_gki_aarch64* ([abi_symbol_list], two-space
// indent, `# required by foo.ko` comments; [abi_whitelist] before 2020). openEuler's
// kabi_whitelist_<arch> / kabi_stablelist_<arch> use [oe2203_aarch64_whitelist] with a four-space
// indent. We also accept sections ending in `stablelist`, RHEL 9's rename of `whitelist`, which
// libabigail predates. Comments start with `#` or `;` (libabigail's ini reader), also mid-line.
import type { Stablelist } from '../../model/stablelist.js';
import { type Line, lineError, lines } from '../lines.js';
import {
  archFromName,
  baseName,
  endOfFileError,
  expectSymbolName,
  makeStablelist,
  SymbolTable,
} from './common.js';
import { isRhelStablelistHeader } from './rhel-stablelist.js';

const LISTING_SECTION = /(symbol_list|whitelist|stablelist)$/;

export function parseIniSymbolList(text: string, source: string): Stablelist {
  const table = new SymbolTable();
  let section: string | undefined;
  let firstListing: string | undefined;
  for (const line of lines(text)) {
    const content = stripComment(line.text);
    if (content === '') continue;
    if (content.startsWith('[')) {
      section = parseSectionName(content, line, source);
      if (LISTING_SECTION.test(section)) firstListing ??= section;
      continue;
    }
    if (section === undefined) {
      throw lineError(
        source,
        line,
        'expected a section header like [abi_symbol_list] before the first symbol',
      );
    }
    if (!LISTING_SECTION.test(section)) continue;
    table.add({ symbol: parseEntry(content, line, source, section), crc: null, module: null }, source, line);
  }
  if (firstListing === undefined) {
    throw endOfFileError(
      text,
      source,
      'no [abi_symbol_list] or [..._whitelist] section, expected at least one',
    );
  }
  if (table.size === 0) {
    throw endOfFileError(text, source, `no symbols, expected symbol names under [${firstListing}]`);
  }
  // `[oe2203_aarch64_whitelist]` names its list; `[abi_symbol_list]` is generic, the file name is not.
  const name = isRhelStablelistHeader(`[${firstListing}]`) ? firstListing : baseName(source);
  return makeStablelist(name, archFromName(firstListing) ?? archFromName(baseName(source)), source, table);
}

function stripComment(text: string): string {
  const cut = text.search(/[#;]/);
  return (cut === -1 ? text : text.slice(0, cut)).trim();
}

function parseSectionName(content: string, line: Line, source: string): string {
  if (!content.endsWith(']')) {
    throw lineError(
      source,
      line,
      "expected a section header closed by ']', like [abi_symbol_list] (truncated line?)",
    );
  }
  const name = content.slice(1, -1).trim();
  if (name === '' || /[[\]]/.test(name)) {
    throw lineError(source, line, 'expected a section name between [ and ], like [abi_symbol_list]');
  }
  return name;
}

/** libabigail takes only properties without a value as symbols; a `name = value` here is a mistake. */
function parseEntry(content: string, line: Line, source: string, section: string): string {
  if (content.includes('=')) {
    throw lineError(
      source,
      line,
      `expected a bare symbol name under [${section}], found a "name = value" property`,
    );
  }
  if (/\s/.test(content)) {
    throw lineError(
      source,
      line,
      `expected one symbol name per line under [${section}], found several words`,
    );
  }
  return expectSymbolName(content, source, line);
}
