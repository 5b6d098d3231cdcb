// Every command that can write JSON publishes a schema for it: the commands are read from the program
// itself (each `--format` option's choices), so a new command or format cannot go out without one.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { kabiProgram } from '../../src/cli/main.js';
import { SCHEMA_DIR, SCHEMA_ROOTS } from '../helpers/json-schemas.js';
import { JSON_COMMANDS, schemaOfArgs } from '../helpers/json-validate.js';

/** `[path, choices]` of each command's `--format` option. */
function formatOptions(cmd: Command, path: string[] = []): [string, readonly string[] | undefined][] {
  const own = cmd.options
    .filter((o) => o.long === '--format')
    .map((o): [string, readonly string[] | undefined] => [path.join(' '), o.argChoices]);
  return [...own, ...cmd.commands.flatMap((c) => formatOptions(c, [...path, c.name()]))];
}

describe('a JSON Schema for each command that writes JSON', () => {
  const options = formatOptions(kabiProgram({ exitCode: 0 }));

  it('every --format option lists its formats', () => {
    assert.ok(options.length > 10, `${options.length} --format options`);
    for (const [path, choices] of options) assert.ok(choices?.length, `kabi ${path} --format has no choices`);
  });

  it('each command whose --format takes json has its schemas, and every schema a command', () => {
    const json = options.filter(([, c]) => c?.includes('json')).map(([p]) => p);
    assert.deepEqual(json.sort(), Object.keys(JSON_COMMANDS).sort());
    const published = new Set(SCHEMA_ROOTS.map((r) => r.name));
    const used = new Set<string>();
    for (const [path, variants] of Object.entries(JSON_COMMANDS))
      for (const [opts, schema] of variants) {
        if (schema === null) continue;
        used.add(schema);
        assert.ok(published.has(schema), `kabi ${path} ${opts.join(' ')}: ${schema} is not generated`);
        assert.ok(existsSync(join(SCHEMA_DIR, `${schema}.schema.json`)), `schema/${schema}.schema.json`);
      }
    assert.deepEqual(
      [...published].filter((s) => !used.has(s)),
      [],
    );
  });

  it('the test helper finds the schema of each command line', () => {
    const of = (...args: string[]) => schemaOfArgs([...args, '-f', 'json']);
    assert.equal(of('--db', 'x.db', 'series', 'stream=debian-6.1'), 'series');
    assert.equal(of('series', '--streams', 'a', 'b'), 'series-streams');
    assert.equal(of('series', '-s', 'list'), 'series-stablelist');
    assert.equal(of('history', 'printk'), 'history');
    assert.equal(of('diff', '--kfuncs', 'a', 'b'), 'kfuncs-diff');
    assert.equal(of('diff', 'a', 'b'), 'check');
    assert.equal(of('kfuncs', '--series', 'q'), 'kfuncs-series');
    assert.equal(of('fetch', 'debian', '--suite', 'bookworm'), 'fetch');
    assert.equal(of('btf', 'vmlinux'), 'btf');
    assert.equal(of('btf', 'vmlinux', 'struct device'), 'btf');
    assert.equal(of('modinfo', '-F', 'vermagic', 'x.ko'), null);
    assert.equal(of('modinfo', 'x.ko'), 'modinfo');
    assert.equal(schemaOfArgs(['summary', 'x']), null);
  });
});
