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

/** The schema a `kabi` command line's JSON output follows, or null when none is published for it. */
export function schemaOfArgs(args: readonly string[]): string | null {
  const i = args.findIndex((a) => a === '--format' || a === '-f');
  const format = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--format='))?.slice(9);
  if (format !== 'json') return null;
  const command = args.find((a, j) => !a.startsWith('-') && args[j - 1] !== '--db');
  if (command === 'compat') return args.includes('--series') ? 'compat-series' : 'compat';
  if (command === 'diff') return args.includes('--kfuncs') ? null : 'check';
  if (command === 'show') return 'list';
  return command && ['check', 'summary', 'why', 'list'].includes(command) ? command : null;
}
