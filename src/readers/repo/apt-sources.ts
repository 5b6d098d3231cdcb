// apt's list of repositories (sources.list(5)), in two styles:
//
//   /etc/apt/sources.list, /etc/apt/sources.list.d/*.list — one line per entry, `#` starts a comment:
//     deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://mirror/debian bookworm main contrib
//     TYPE [OPTIONS]                                        URI                  SUITE    COMPONENTS...
//
//   /etc/apt/sources.list.d/*.sources — deb822 stanzas; each of Types, URIs, Suites, Components holds a
//   space-separated list and the stanza stands for every combination; `Enabled: no` switches it off;
//   other fields (Architectures, Signed-By — possibly a whole armoured key on continuation lines) are
//   options.
//
// A suite ending in `/` is a flat repository (no dists/ tree) and lists no components.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactFormatError, KabiError } from '../../errors.js';
import { decodeText, lineError, lines } from '../lines.js';
import { parseDeb822 } from './debian-packages.js';

export interface AptSource {
  /** `deb` (binary packages) or `deb-src`. */
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
  /** Option names lower-cased (`arch`, `signed-by`; deb822's `architectures` is read as `arch`). */
  options: Record<string, string>;
  enabled: boolean;
  /** Where the entry was read from. */
  source: string;
  line: number;
}

export interface AptSourcesOptions {
  source: string;
}

const TYPES = new Set(['deb', 'deb-src']);

/** Parses one-line style (`sources.list`, `*.list`). */
export function parseSourcesList(text: string, opts: AptSourcesOptions): AptSource[] {
  const out: AptSource[] = [];
  for (const line of lines(text)) {
    // apt ends a line at its first `#`, wherever it is.
    const hash = line.text.indexOf('#');
    const body = (hash === -1 ? line.text : line.text.slice(0, hash)).trim();
    if (body === '') continue;
    const m = /^(\S+)\s*(?:\[([^\]]*)\])?\s*(.*)$/.exec(body)!;
    const type = m[1]!;
    if (!TYPES.has(type))
      throw lineError(opts.source, line, `unknown type "${type}" (expected deb or deb-src)`);
    const [uri, suite, ...components] = m[3]!.split(/\s+/).filter((w) => w !== '');
    if (uri === undefined || suite === undefined) {
      throw lineError(opts.source, line, 'expected "deb [options] URI SUITE [COMPONENT...]"');
    }
    if (!suite.endsWith('/') && components.length === 0) {
      throw lineError(opts.source, line, `suite ${suite} needs at least one component`);
    }
    out.push({
      types: [type],
      uris: [uri],
      suites: [suite],
      components,
      options: parseOptions(m[2] ?? ''),
      enabled: true,
      source: opts.source,
      line: line.no,
    });
  }
  return out;
}

/** `arch=amd64,i386 signed-by=/k.gpg` → {arch: 'amd64,i386', 'signed-by': '/k.gpg'}; `+=`/`-=` kept as given. */
function parseOptions(text: string): Record<string, string> {
  const options: Record<string, string> = {};
  for (const word of text.split(/\s+/)) {
    const m = /^([^=+-][^=]*?)([+-]?=)(.*)$/.exec(word);
    if (m !== null) options[m[1]!.toLowerCase() + (m[2] === '=' ? '' : m[2]!.slice(0, 1))] = m[3]!;
  }
  return options;
}

/** Parses deb822 style (`*.sources`). */
export function parseDeb822Sources(text: string, opts: AptSourcesOptions): AptSource[] {
  return parseDeb822(text, opts).map((stanza) => {
    const list = (name: string) =>
      (stanza.fields.get(name)?.value ?? '').split(/\s+/).filter((w) => w !== '');
    const fail = (reason: string) =>
      new ArtifactFormatError(reason, { source: opts.source, line: stanza.line });
    for (const name of ['Types', 'URIs', 'Suites']) {
      if (list(name.toLowerCase()).length === 0) throw fail(`stanza has no ${name} field`);
    }
    const types = list('types');
    const unknown = types.find((t) => !TYPES.has(t));
    if (unknown !== undefined) throw fail(`unknown type "${unknown}" (expected deb or deb-src)`);
    const suites = list('suites');
    if (list('components').length === 0 && suites.some((s) => !s.endsWith('/'))) {
      throw fail(
        'stanza has no Components field (only flat repositories, suites ending in "/", may omit it)',
      );
    }
    const options: Record<string, string> = {};
    for (const [key, field] of stanza.fields) {
      if (!['types', 'uris', 'suites', 'components', 'enabled'].includes(key)) {
        options[key === 'architectures' ? 'arch' : key] = field.value;
      }
    }
    const enabled = !/^(no|false|0)$/i.test(stanza.fields.get('enabled')?.value ?? 'yes');
    const where = { source: opts.source, line: stanza.line };
    return { types, uris: list('uris'), suites, components: list('components'), options, enabled, ...where };
  });
}

export interface AptMirror {
  /** The repository root, without a trailing slash: `<uri>/dists/<suite>/…` and `<uri>/<Filename>`. */
  uri: string;
  /** `file:line` of the entry that named it. */
  from: string;
}

/**
 * The URI apt would fetch `suite` from: the first enabled `deb` entry over http(s) that lists the suite,
 * preferring entries with component `main` and (given `arch`) the architecture, as apt reads the files.
 */
export function mirrorForSuite(sources: AptSource[], suite: string, arch?: string): AptMirror | null {
  const score = (s: AptSource) =>
    (s.components.includes('main') ? 2 : 0) + (arch === undefined || archAllowed(s, arch) ? 1 : 0);
  let best: { s: AptSource; uri: string; score: number } | null = null;
  for (const s of sources) {
    if (!s.enabled || !s.types.includes('deb') || !s.suites.includes(suite)) continue;
    const uri = s.uris.find((u) => /^https?:\/\//i.test(u));
    if (uri !== undefined && (best === null || score(s) > best.score)) best = { s, uri, score: score(s) };
  }
  return best && { uri: best.uri.replace(/\/+$/, ''), from: `${best.s.source}:${best.s.line}` };
}

function archAllowed(s: AptSource, arch: string): boolean {
  const list = s.options.arch;
  return list === undefined || list.split(/[\s,]+/).includes(arch);
}

export interface AptConfig {
  sources: AptSource[];
  /** Files that could not be read or parsed, as `file:line: reason`: apt would refuse them too. */
  warnings: string[];
}

/** apt skips other names in sources.list.d (`*.save`, `*.disabled`, editor backups). */
const PART_FILE = /^[\w.-]+\.(list|sources)$/;

/** Reads `<dir>/sources.list` and `<dir>/sources.list.d/*.{list,sources}` in apt's (alphabetical) order. */
export async function readAptSources(dir = '/etc/apt'): Promise<AptConfig> {
  const partDir = join(dir, 'sources.list.d');
  const parts = (await readdir(partDir).catch(() => [] as string[])).filter((n) => PART_FILE.test(n)).sort();
  const files = [join(dir, 'sources.list'), ...parts.map((n) => join(partDir, n))];
  const config: AptConfig = { sources: [], warnings: [] };
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        config.warnings.push(`${file}: ${(e as Error).message}`);
      continue;
    }
    try {
      const text = decodeText(bytes, file, 'an apt sources file');
      const parse = file.endsWith('.sources') ? parseDeb822Sources : parseSourcesList;
      config.sources.push(...parse(text, { source: file }));
    } catch (e) {
      if (!(e instanceof KabiError)) throw e;
      config.warnings.push(e.message);
    }
  }
  return config;
}
