// RHEL's kabi-module tree (redhat/kabi/kabi-module/ in the RHEL 7+ and CentOS Stream kernel
// sources): one directory per arch, kabi_<arch>/, and one file per protected symbol, named after it:
//   #2-                                                  release range: minor 2 onwards
//   0xd93dd652<TAB>__alloc_skb<TAB>vmlinux<TAB>EXPORT_SYMBOL<TAB>
// redhat/kabi/show-kabi turns the tree into kabi_stablelist_<arch> and (with -m) Module.kabi_<arch>
// for one release (-r 9.4). Its rules, which we follow:
// - `#<from>-<to>` holds minor releases; the symbol is protected from `from` up to but not
//   including `to`; an empty `to` means still protected. Without a release show-kabi takes the
//   latest, which keeps only open-ended ranges: so do we.
// - `#<key>:<value>` lines are metadata; `#I:<n>` says which Module.symvers line of the file is
//   current (0-based), so a file can keep the lines of earlier releases. Without it, the first.
// - Names containing `.` are not symbol files (README, .gitignore) and are skipped.
// We differ in refusing what show-kabi would pass through: a missing or second range line, an index
// past the last line, a file whose line exports another symbol than its name. Blank lines are not
// counted as Module.symvers lines (show-kabi counts them; no tree has any).
import { ArtifactFormatError, UsageError } from '../../errors.js';
import type { Stablelist, StablelistEntry } from '../../model/stablelist.js';
import { type Line, lineError, lines } from '../lines.js';
import { archFromName, baseName, endOfFileError, makeStablelist, SymbolTable } from './common.js';
import { parseSymversLine, SYMVERS_SHAPE } from './symvers-line.js';

/** Minor releases, `to` exclusive; null `to`: open-ended. */
export interface ReleaseRange {
  from: number;
  to: number | null;
}

export interface KabiModuleRecord {
  entry: StablelistEntry;
  range: ReleaseRange;
  /** The Module.symvers line that is current (chosen by `#I:`). */
  line: Line;
}

export interface KabiModuleFile {
  /** The file name, which is the symbol name. */
  name: string;
  text: string;
}

const RANGE = /^#(\d+)-(\d*)$/;
const METADATA = /^#([^0-9]+):(.*)$/;

interface RawFile {
  range?: { value: ReleaseRange; line: Line };
  index?: { value: number; line: Line };
  data: Line[];
}

/** Reads one kabi-module file; `source` names it in errors. */
export function parseKabiModuleFile(text: string, source: string): KabiModuleRecord {
  const raw = scan(text, source);
  if (raw.range === undefined) {
    throw endOfFileError(
      text,
      source,
      `empty file, expected a release range line like #2- then ${SYMVERS_SHAPE}`,
    );
  }
  if (raw.data.length === 0) {
    throw endOfFileError(
      text,
      source,
      `no Module.symvers line after the release range, expected ${SYMVERS_SHAPE}`,
    );
  }
  const index = raw.index?.value ?? 0;
  const current = raw.data[index];
  if (current === undefined) {
    throw lineError(
      source,
      raw.index?.line ?? raw.range.line,
      `#I:${index} selects Module.symvers line ${index + 1}, but the file has ${raw.data.length}`,
    );
  }
  return { entry: currentEntry(raw.data, index, source), range: raw.range.value, line: current };
}

/** Parses every line, so that a corrupt older line is caught too, and returns the current one. */
function currentEntry(data: Line[], index: number, source: string): StablelistEntry {
  const entries = data.map((l) => parseSymversLine(l, source));
  const entry = entries[index] as StablelistEntry;
  const other = entries.findIndex((e) => e.symbol !== entry.symbol);
  if (other !== -1) {
    const found = entries[other]?.symbol;
    throw lineError(
      source,
      data[other] as Line,
      `expected every line to export ${entry.symbol}, found ${found}`,
    );
  }
  return entry;
}

function scan(text: string, source: string): RawFile {
  const raw: RawFile = { data: [] };
  for (const line of lines(text)) {
    const t = line.text.trim();
    if (t === '') continue;
    const meta = METADATA.exec(t);
    if (meta !== null) {
      if (meta[1] === 'I') raw.index = parseIndex(meta[2] ?? '', line, source, raw.index);
    } else if (t.startsWith('#')) {
      if (raw.range !== undefined) {
        throw lineError(
          source,
          line,
          `expected one release range line, found a second (first on line ${raw.range.line.no})`,
        );
      }
      raw.range = { value: parseRange(t, line, source), line };
    } else if (raw.range === undefined) {
      throw lineError(
        source,
        line,
        'expected a release range line like #2- or #0-3 before the Module.symvers line',
      );
    } else {
      raw.data.push(line);
    }
  }
  return raw;
}

function parseRange(t: string, line: Line, source: string): ReleaseRange {
  const m = RANGE.exec(t);
  if (m === null) {
    throw lineError(
      source,
      line,
      'expected a release range "#<from>-[<to>]" of minor releases, like #2- or #0-3',
    );
  }
  return { from: Number(m[1]), to: m[2] === '' ? null : Number(m[2]) };
}

function parseIndex(value: string, line: Line, source: string, prev: RawFile['index']): RawFile['index'] {
  if (prev !== undefined) {
    throw lineError(
      source,
      line,
      `expected one #I:<index> line, found a second (first on line ${prev.line.no})`,
    );
  }
  if (!/^\d+$/.test(value.trim())) {
    throw lineError(source, line, 'expected #I:<index> with a whole number (0 = first Module.symvers line)');
  }
  return { value: Number(value.trim()), line };
}

/** `9.4` → minor 4; undefined → null, meaning "latest" as in show-kabi. */
export function releaseMinor(release: string | undefined): number | null {
  if (release === undefined) return null;
  const m = /^(\d+)\.(\d+)$/.exec(release.trim());
  if (m === null) throw new UsageError(`release "${release}" is not MAJOR.MINOR (e.g. 9.4)`);
  return Number(m[2]);
}

/** show-kabi's test: from <= minor < to; for "latest" (null) only open-ended ranges. */
export function inRelease(range: ReleaseRange, minor: number | null): boolean {
  if (minor === null) return range.to === null;
  return range.from <= minor && (range.to === null || minor < range.to);
}

/** A single kabi-module file as a one-symbol list (empty when `release` excludes it). */
export function parseKabiModuleText(text: string, source: string, release?: string): Stablelist {
  const minor = releaseMinor(release);
  const record = parseKabiModuleFile(text, source);
  const table = new SymbolTable();
  if (inRelease(record.range, minor)) table.add(record.entry, source, record.line);
  const dir = source.split(/[\\/]/).slice(0, -1).join('/');
  return makeStablelist(baseName(source), kabiDirArch(dir), source, table);
}

/**
 * One kabi_<arch> directory's files as a Stablelist with CRCs. `source` is the directory; each
 * file is reported as `<source>/<name>`. Files are read in name order, as show-kabi sorts them.
 */
export function parseKabiModuleTree(
  files: Iterable<KabiModuleFile>,
  opts: { source: string; release?: string },
): Stablelist {
  const minor = releaseMinor(opts.release);
  const table = new SymbolTable();
  const names = [...files].filter((f) => !f.name.includes('.'));
  if (names.length === 0) {
    throw new ArtifactFormatError(
      'no symbol files, expected kabi_<arch>/<symbol> files from a kabi-module tree',
      {
        source: opts.source,
      },
    );
  }
  for (const file of names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const fileSource = `${opts.source.replace(/[\\/]+$/, '')}/${file.name}`;
    const record = parseKabiModuleFile(file.text, fileSource);
    if (file.name.trim() !== record.entry.symbol) {
      throw lineError(
        fileSource,
        record.line,
        `file is named "${file.name}" but exports ${record.entry.symbol}; expected the file name to be the symbol`,
      );
    }
    if (inRelease(record.range, minor)) {
      table.add(record.entry, fileSource, record.line, `${fileSource}:${record.line.no}`);
    }
  }
  return makeStablelist(baseName(opts.source), kabiDirArch(opts.source), opts.source, table);
}

/** `.../kabi-module/kabi_ppc64le` → ppc64le. */
export function kabiDirArch(dir: string): string | null {
  const name = baseName(dir);
  const m = /^kabi_(\w+)$/.exec(name);
  return m?.[1] ?? archFromName(name);
}
