// Dispatches stablelist text to the parser for its format, detected from the content when the
// caller does not name it.
import type { Stablelist } from '../../model/stablelist.js';
import { refuseBinary } from './common.js';
import { detectStablelistFormat, type StablelistFormat } from './detect.js';
import { parseIniSymbolList } from './ini-symbol-list.js';
import { parseKabiModuleText, releaseMinor } from './kabi-module.js';
import { parseModuleKabi } from './module-kabi.js';
import { parsePlainList } from './plain.js';
import { parseRhelStablelist } from './rhel-stablelist.js';

export interface ParseStablelistOptions {
  /** File path or other name of the input, used in errors and as the list name when it has none. */
  source: string;
  /** Skip detection and read the text as this format. */
  format?: StablelistFormat;
  /** `MAJOR.MINOR` (e.g. `9.4`): which release of a kabi-module file to take; other formats ignore it. */
  release?: string;
}

/**
 * Parses a stablelist held in memory. Without `format`, recognises the format from the content.
 * Throws ArtifactFormatError (with source, line and what was expected) when the text fits no format,
 * and UsageError for a malformed `release`.
 */
export function parseStablelist(text: string, opts: ParseStablelistOptions): Stablelist {
  refuseBinary(text, opts.source);
  releaseMinor(opts.release); // a malformed release is refused whichever format the text turns out to be
  const format = opts.format ?? detectStablelistFormat(text, opts.source);
  switch (format) {
    case 'rhel-stablelist':
      return parseRhelStablelist(text, opts.source);
    case 'kabi-module':
      return parseKabiModuleText(text, opts.source, opts.release);
    case 'module-kabi':
      return parseModuleKabi(text, opts.source);
    case 'ini-symbol-list':
      return parseIniSymbolList(text, opts.source);
    case 'plain':
      return parsePlainList(text, opts.source);
  }
}
