// Recognises a stablelist format from its content, never its file name: the same names are used
// for different shapes (openEuler's kabi_whitelist_<arch> is a RHEL-style list on some branches and
// a plain list on others), and files get renamed when they are passed around.
import { lineError, lines } from '../lines.js';
import { endOfFileError } from './common.js';
import { isRhelStablelistHeader } from './rhel-stablelist.js';
import { looksLikeSymvers, SYMVERS_SHAPE } from './symvers-line.js';

export const STABLELIST_FORMATS = [
  'rhel-stablelist',
  'kabi-module',
  'module-kabi',
  'ini-symbol-list',
  'plain',
] as const;

/**
 * - `rhel-stablelist`: RHEL kabi_stablelist_<arch> / kabi_whitelist_<arch> ([rhel9_x86_64_stablelist], tab-indented)
 * - `kabi-module`: one file of RHEL's kabi-module tree (#<from>-<to> then a Module.symvers line)
 * - `module-kabi`: Module.kabi_<arch> (RHEL 7, openEuler): Module.symvers lines
 * - `ini-symbol-list`: libabigail / Android GKI / openEuler INI lists ([abi_symbol_list], [..._whitelist])
 * - `plain`: one symbol name per line
 */
export type StablelistFormat = (typeof STABLELIST_FORMATS)[number];

export function isStablelistFormat(s: string): s is StablelistFormat {
  return (STABLELIST_FORMATS as readonly string[]).includes(s);
}

const KABI_MODULE_RANGE = /^#\d+-\d*$/;
const EXPECTED =
  'expected a kABI stablelist: a [section] header, a Module.symvers line ' +
  `(${SYMVERS_SHAPE}), a kabi-module "#<from>-<to>" line, or one symbol name per line`;

export function detectStablelistFormat(text: string, source: string): StablelistFormat {
  const content = [...lines(text)].filter((l) => l.text.trim() !== '');
  const first = content[0];
  if (first === undefined) throw endOfFileError(text, source, `empty file, ${EXPECTED}`);
  // show-kabi takes the range from any leading `#` line, so look past a `#I:` written first.
  const leading = content.slice(
    0,
    Math.max(
      0,
      content.findIndex((l) => !l.text.trim().startsWith('#')),
    ),
  );
  if ([first, ...leading].some((l) => KABI_MODULE_RANGE.test(l.text.trim()))) return 'kabi-module';
  const entries = content.filter((l) => !/^[#;]/.test(l.text.trim()));
  const head = entries[0];
  if (head === undefined) throw endOfFileError(text, source, `only comments, no symbols; ${EXPECTED}`);
  const headText = head.text.trim();
  if (headText.startsWith('[')) {
    const firstSymbol = entries.find((l) => !l.text.trim().startsWith('['));
    const tabbed = firstSymbol === undefined || firstSymbol.text.startsWith('\t');
    return isRhelStablelistHeader(headText) && tabbed ? 'rhel-stablelist' : 'ini-symbol-list';
  }
  if (looksLikeSymvers(headText)) return 'module-kabi';
  const word = headText.split('#')[0]?.trim() ?? '';
  if (word !== '' && !/\s/.test(word)) return 'plain';
  throw lineError(source, head, EXPECTED);
}
