// The `[abi]` section of a Debian linux `debian/config/defines` file (and the per-arch
// `debian/config/<arch>/defines`): an INI file read by Python's RawConfigParser, where `ignore-changes:` is
// followed by indented continuation lines holding whitespace-separated patterns. Used by
// debian/bin/buildcheck.py until Debian moved its configuration to defines.toml, which has no `[abi]` table
// and no ABI check. Only the narrow shape configparser accepts is read; other sections are skipped.
import { ArtifactFormatError } from '../../errors.js';
import { type Line, lineError, lines } from '../lines.js';

export interface PatternWord {
  word: string;
  line: Line;
}

interface State {
  source: string;
  wanted: string;
  section: string | null;
  seen: Set<string>;
  /** The option whose continuation lines we are in, and whether it is the wanted ignore-changes. */
  option: { indent: number; collect: boolean } | null;
  keyLine: Line | null;
  words: PatternWord[];
}

/** Whether the first line that is not blank or a comment is an INI section header. */
export function looksLikeDefines(text: string): boolean {
  for (const line of lines(text)) {
    const t = line.text.trim();
    if (t === '' || isComment(t)) continue;
    return /^\[.+\]$/.test(t);
  }
  return false;
}

/** The patterns of `ignore-changes` in `[section]`, each with the line it was written on. */
export function readDefinesIgnoreChanges(text: string, source: string, section: string): PatternWord[] {
  const st: State = {
    source,
    wanted: section,
    section: null,
    seen: new Set(),
    option: null,
    keyLine: null,
    words: [],
  };
  for (const line of lines(text)) step(st, line);
  if (!st.seen.has(section)) {
    throw new ArtifactFormatError(`no [${section}] section, expected one with ignore-changes`, {
      source,
      line: 1,
    });
  }
  if (st.keyLine === null) {
    const reason = `no ignore-changes in [${section}], expected a list of patterns`;
    throw new ArtifactFormatError(reason, { source, line: 1 });
  }
  return st.words;
}

function step(st: State, line: Line): void {
  const t = line.text.trim();
  // configparser keeps an option open across blank and comment lines, so both are skipped without
  // closing it: Debian's lists interleave `# why` comments at column 0 with indented patterns.
  if (t === '' || isComment(t)) return;
  const indent = line.text.length - line.text.trimStart().length;
  if (st.option !== null && indent > st.option.indent) {
    if (st.option.collect) collect(st, t, line);
    return;
  }
  st.option = null;
  const header = /^\[(.+)\]$/.exec(t);
  if (header) {
    enterSection(st, header[1]!, line);
    return;
  }
  if (st.section === null)
    throw lineError(st.source, line, 'expected a [section] header before the first key');
  const option = /^(.*?)\s*[=:]\s*(.*)$/.exec(t);
  if (!option || option[1] === '') {
    throw lineError(st.source, line, 'expected [section], key: value, or an indented continuation line');
  }
  // RawConfigParser lower-cases keys.
  const wanted = st.section === st.wanted && option[1]!.toLowerCase() === 'ignore-changes';
  st.option = { indent, collect: wanted };
  if (!wanted) return;
  if (st.keyLine !== null)
    throw lineError(st.source, line, `expected one ignore-changes in [${st.wanted}], found a second`);
  st.keyLine = line;
  collect(st, option[2]!, line);
}

function enterSection(st: State, name: string, line: Line): void {
  if (st.seen.has(name))
    throw lineError(st.source, line, `expected each section once, [${name}] is repeated`);
  st.seen.add(name);
  st.section = name;
}

function collect(st: State, value: string, line: Line): void {
  for (const word of value.split(/\s+/)) {
    if (word === '') continue;
    // configparser has no inline comments: `foo # why` makes `#` and `why` patterns in Debian's build.
    // Reading them as patterns silently would ignore a symbol named `why`.
    if (isComment(word)) {
      throw lineError(
        st.source,
        line,
        'expected a pattern; put comments on their own line (no inline comments in defines)',
      );
    }
    st.words.push({ word, line });
  }
}

function isComment(t: string): boolean {
  return t.startsWith('#') || t.startsWith(';');
}
