// Every JSON output a test sees is checked against the command's published schema (schema/*.schema.json).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

const SCHEMA_DIR = join(import.meta.dirname, '..', '..', '..', 'schema');
const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<string, ValidateFunction>();

/** Throws, naming the first errors, when `text` is not one JSON document that `schema/NAME` accepts. */
export function assertMatchesSchema(name: string, text: string): unknown {
  let v = compiled.get(name);
  if (!v) {
    v = ajv.compile(JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.schema.json`), 'utf8')));
    compiled.set(name, v);
  }
  const doc = JSON.parse(text) as unknown;
  if (!v(doc))
    throw new Error(
      `output does not match schema/${name}.schema.json: ${ajv.errorsText(v.errors?.slice(0, 5), { separator: '; ' })}`,
    );
  return doc;
}

/**
 * Each command that writes JSON, by its path (`fetch debian`), with the schema of each variant: the first
 * whose options are all on the command line wins. Every command with `--format json` must be here
 * (test/cli/json-schemas.test.ts walks the program to check).
 */
export const JSON_COMMANDS: Record<string, [options: string[], schema: string | null][]> = {
  check: [[[], 'check']],
  diff: [
    [['--kfuncs'], 'kfuncs-diff'],
    [[], 'check'],
  ],
  summary: [[[], 'summary']],
  modversions: [
    [['@many-modules'], 'modversions-tree'],
    [[], 'modversions'],
  ],
  // -F prints the field's values, one per line.
  modinfo: [
    [['-F'], null],
    [['--field'], null],
    [[], 'modinfo'],
  ],
  list: [[[], 'list']],
  show: [[[], 'list']],
  series: [
    [['--streams'], 'series-streams'],
    [['-s'], 'series-stablelist'],
    [['--stablelist'], 'series-stablelist'],
    [['--comm'], 'series-comm'],
    [['-m'], 'series-consumed'],
    [['--modules'], 'series-consumed'],
    [[], 'series'],
  ],
  history: [[[], 'history']],
  'fetch debian': [[[], 'fetch']],
  compat: [
    [['--series'], 'compat-series'],
    [[], 'compat'],
  ],
  why: [[[], 'why']],
  impact: [
    [['--by-arch'], 'impact-by-arch'],
    [[], 'impact'],
  ],
  coverage: [[[], 'coverage']],
  explain: [[[], 'explain']],
  // --subset writes raw BTF; else the types as bpftool btf dump -j writes them.
  btf: [
    [['--subset'], null],
    [[], 'btf'],
  ],
  kfuncs: [
    [['--series'], 'kfuncs-series'],
    [[], 'kfuncs'],
  ],
  'bpf-compat': [[[], 'bpf-compat']],
  interfaces: [[[], 'interfaces']],
  'stablelist generate': [[[], 'stablelist-generate']],
  simulate: [[[], 'simulate']],
  // JSON lines: each line one event (test/watch checks them line by line).
  watch: [[[], 'watch-event']],
};

const VALUED = new Set([
  '--db',
  '-f',
  '--format',
  '-o',
  '--output',
  '--base',
  '--module',
  '--pointer-depth',
  '--only',
]);

/** The schema a `kabi` command line's JSON output follows, or null when it writes none. */
export function schemaOfArgs(args: readonly string[]): string | null {
  const i = args.findIndex((a) => a === '--format' || a === '-f');
  const format = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--format='))?.slice(9);
  if (format !== 'json') return null;
  const words = args.filter((a, j) => !a.startsWith('-') && !VALUED.has(args[j - 1] ?? ''));
  const path = JSON_COMMANDS[`${words[0]} ${words[1]}`] ? `${words[0]} ${words[1]}` : words[0];
  const variants = path === undefined ? undefined : JSON_COMMANDS[path];
  if (!variants) return null;
  const has = (o: string) =>
    o === '@many-modules'
      ? words.length > 2 || !/\.ko(\.(xz|gz|zst))?$/.test(words[1] ?? '')
      : args.some((a) => a === o || a.startsWith(`${o}=`));
  return variants.find(([options]) => options.every(has))?.[1] ?? null;
}
