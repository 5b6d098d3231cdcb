// Output a machine can read: one JSON document per command, checked against the published schemas
// (schema/, kept in step with the types), compat's compact streamed JSON, SARIF 2.1.0 and JUnit XML for
// CI systems (validated against their published schemas, test/fixtures/ci-schemas), exit codes in --help.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import * as lib from '../../src/index.js';
import { xmlAttr } from '../../src/report/ci.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';
import { generateSchemas, SCHEMA_DIR } from '../helpers/json-schemas.js';
import { assertMatchesSchema } from '../helpers/json-validate.js';
import { storeFree, testDb } from '../helpers/test-store.js';
import { needs, tool } from '../helpers/tools.js';
import { checkXml, readXsd } from '../helpers/xsd.js';

const CI = join(FIXTURES, 'ci-schemas');
const KMODS = join(FIXTURES, 'modules', 'kmods', '6.1.0-47');
const SYMVERS = (abi: string) => join(FIXTURES, 'debian', `${abi}.symvers.xz`);
const dir = mkdtempSync(join(tmpdir(), 'kabi-machine-'));
const db = testDb(dir);
for (const abi of ['6.1.0-47', '6.1.0-50', '6.1.0-55'])
  assert.equal(kabi(['--db', db, 'ingest', SYMVERS(abi)]).status, 0);
for (const ko of ['acpi_call.ko', 'v4l2loopback.ko'])
  assert.equal(kabi(['--db', db, 'ingest', join(KMODS, ko)]).status, 0);

/** The published SARIF 2.1.0 schema (draft-04) as ajv 8 reads it. */
function sarifValidator() {
  const {
    $schema: _draft,
    id,
    ...schema
  } = JSON.parse(readFileSync(join(CI, 'sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown> & {
    id: string;
  };
  // The schema's language-tag pattern is an ECMAScript regex without the u flag.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  return { ajv, validate: ajv.compile({ $id: id, ...schema }) };
}

function assertSarif(text: string): { runs: { results: { ruleId: string; level: string }[] }[] } {
  const { ajv, validate } = sarifValidator();
  const doc = JSON.parse(text) as { runs: { results: { ruleId: string; level: string }[] }[] };
  assert.ok(validate(doc), ajv.errorsText(validate.errors));
  return doc;
}

function assertJunit(text: string): void {
  const xsd = join(CI, 'junit-4.xsd');
  assert.deepEqual(checkXml(text, readXsd(readFileSync(xsd, 'utf8')), 'testsuites'), []);
  if (!needs('xmllint')) {
    const file = join(dir, `junit-${Math.random()}.xml`);
    writeFileSync(file, text);
    const r = spawnSync(tool('xmllint'), ['--noout', '--schema', xsd, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
}

describe('one document per command', () => {
  it('compat with several stored kmods on several kernels: one JSON document, one CSV table', () => {
    const json = kabi(['--db', db, 'compat', '-m', 'kind=kmod', '-k', '1', '2', '3', '-f', 'json']);
    assert.equal(json.status, 8, json.stderr);
    const doc = JSON.parse(json.stdout) as lib.CompatJson;
    assert.equal(doc.$schema, lib.schemaId('compat'));
    assert.equal(doc.verdicts.length, 6);
    assert.deepEqual(doc.kernels, ['6.1.0-47', '6.1.0-50', '6.1.0-55']);
    assert.deepEqual(doc.modules.map((m) => m.module).sort(), ['acpi_call', 'v4l2loopback']);
    const csv = kabi(['--db', db, 'compat', '-m', 'kind=kmod', '-k', '1', '2', '3', '-f', 'csv']);
    const lines = csv.stdout.trimEnd().split('\r\n');
    assert.equal(lines.filter((l) => l.startsWith('module,')).length, 1);
    assert.equal(lines.length, 3);
    const series = kabi(['--db', db, 'compat', '-m', 'kind=kmod', '--series', 'kind=kernel', '-f', 'json']);
    assert.equal(series.status, 8, series.stderr);
    assert.equal((JSON.parse(series.stdout) as { kernels: string[] }).kernels.length, 3);
    const seriesCsv = kabi(['--db', db, 'compat', '-m', 'kind=kmod', '--series', 'kind=kernel', '-f', 'csv']);
    assert.equal(seriesCsv.stdout.trimEnd().split('\r\n').length, 3);
  });

  it('every JSON-producing command prints one document its schema accepts', () => {
    const runs: [string, string[]][] = [
      ['check', ['check', '-b', SYMVERS('6.1.0-47'), SYMVERS('6.1.0-50'), '-f', 'json']],
      ['check', ['diff', SYMVERS('6.1.0-47'), SYMVERS('6.1.0-50'), '-f', 'json']],
      ['summary', ['summary', SYMVERS('6.1.0-47'), '-f', 'json']],
      ['why', ['why', join(KMODS, 'acpi_call.ko'), SYMVERS('6.1.0-50'), '-f', 'json']],
      ['list', ['--db', db, 'list', '-f', 'json']],
      ['list', ['--db', db, 'show', '4', '-f', 'json']],
      ['compat', ['compat', '-m', KMODS, '-k', SYMVERS('6.1.0-47'), SYMVERS('6.1.0-55'), '-f', 'json']],
    ];
    for (const [schema, args] of runs) {
      const r = kabi(args);
      assert.ok([0, 4, 8, 12].includes(r.status ?? -1), `${args.join(' ')}: ${r.stderr}`);
      assertMatchesSchema(schema, r.stdout);
    }
  });
});

describe('JSON Schemas', { skip: storeFree }, () => {
  it('schema/ holds what the types generate (npm run schemas rewrites it)', () => {
    const generated = generateSchemas();
    const committed = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'));
    assert.deepEqual(committed.sort(), [...generated.keys()].map((n) => `${n}.schema.json`).sort());
    for (const [name, text] of generated)
      assert.equal(
        readFileSync(join(SCHEMA_DIR, `${name}.schema.json`), 'utf8'),
        text,
        `schema/${name} is stale`,
      );
  });

  it('each schema names its version, and a schema rejects what breaks it', () => {
    for (const f of readdirSync(SCHEMA_DIR)) {
      const s = JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8')) as { $id: string };
      assert.match(s.$id, new RegExp(`^urn:kabi-tracker:schema:v${lib.SCHEMA_VERSION}:`));
    }
    const ok = kabi(['summary', SYMVERS('6.1.0-47'), '-f', 'json']).stdout;
    const broken = JSON.stringify({ ...JSON.parse(ok), exports: 'many' });
    assert.throws(() => assertMatchesSchema('summary', broken), /exports/);
  });
});

describe('compat --format json: a compact verdict table', { skip: storeFree }, () => {
  it('expands to the verdicts why prints, reasons shared between kernels and modules', async () => {
    const corpus = await lib.readModuleCorpus([await lib.sniffArtifact(KMODS)]);
    const verdicts = [];
    for (const abi of ['6.1.0-50', '6.1.0-55']) {
      const build = await lib.readExportsArtifact(await lib.sniffArtifact(SYMVERS(abi)));
      const target = { name: abi, build, vermagic: null, modules: lib.modulesOfBuild(build) };
      verdicts.push(...lib.moduleVerdicts(corpus.modules, target));
    }
    const doc = JSON.parse(lib.renderCompatStream('json', verdicts)) as lib.CompatJson;
    assertMatchesSchema('compat', JSON.stringify(doc));
    const full = JSON.parse(JSON.stringify(lib.verdictsDocument(verdicts)));
    assert.deepEqual(JSON.parse(JSON.stringify(lib.expandCompatJson(doc))), full);
    const reasons = verdicts.reduce((n, v) => n + v.reasons.length, 0);
    assert.ok(doc.reasons.length < reasons, `${doc.reasons.length} shared reasons for ${reasons}`);
  });
});

describe('SARIF 2.1.0 and JUnit XML', () => {
  it('check: a result per change the policy reports, a failing test case per failure', {
    skip: storeFree,
  }, () => {
    const args = ['check', '-b', SYMVERS('6.1.0-47'), SYMVERS('6.1.0-50')];
    const json = JSON.parse(kabi([...args, '-f', 'json']).stdout) as lib.DiffJson;
    const sarif = kabi([...args, '-f', 'sarif']);
    assert.equal(sarif.status, 12);
    const log = assertSarif(sarif.stdout);
    const reported = json.changes.filter((c) => c.severity !== 'ignore');
    assert.equal(log.runs[0]!.results.length, reported.length);
    assert.equal(
      log.runs[0]!.results.filter((r) => r.level === 'error').length,
      json.changes.filter((c) => c.severity === 'fail').length,
    );
    const junit = kabi([...args, '-f', 'junit']);
    assert.equal(junit.status, 12);
    assertJunit(junit.stdout);
    const failures = (junit.stdout.match(/<failure /g) ?? []).length;
    assert.equal(failures, json.summary.fail + 1);
    const same = kabi(['check', '-b', SYMVERS('6.1.0-55'), SYMVERS('6.1.0-55'), '-f', 'junit']);
    assert.equal(same.status, 0);
    assertJunit(same.stdout);
    assert.match(same.stdout, /tests="1" failures="0"/);
  });

  it('compat: a result per module that does not load; a suite per kernel', () => {
    const args = ['--db', db, 'compat', '-m', 'kind=kmod', '-k', '1', '2', '3'];
    const sarif = kabi([...args, '-f', 'sarif']);
    assert.equal(sarif.status, 8, sarif.stderr);
    const log = assertSarif(sarif.stdout);
    assert.equal(log.runs[0]!.results.length, 4);
    assert.ok(log.runs[0]!.results.every((r) => r.ruleId === 'kabi/compat/module-layout'));
    const junit = kabi([...args, '-f', 'junit']);
    assert.equal(junit.status, 8);
    assertJunit(junit.stdout);
    assert.equal((junit.stdout.match(/<testsuite /g) ?? []).length, 3);
    assert.equal((junit.stdout.match(/<failure /g) ?? []).length, 4);
  });

  it('XML escapes what artifacts hold, controls included', { skip: storeFree }, () => {
    assert.equal(xmlAttr('a"<b>&\x1b\n'), '"a&quot;&lt;b&gt;&amp;\\x1b&#10;"');
  });
});

describe('exit codes in --help', { skip: storeFree }, () => {
  it('each command lists the codes it can return; compat and why list 8', () => {
    assert.match(kabi(['--help']).stdout, /8 a module does not load/);
    const help = (cmd: string) => kabi([cmd, '--help']).stdout.split('Exit codes:')[1] ?? '';
    const codes = (cmd: string) => [...help(cmd).matchAll(/^ +(\d+) {2}/gm)].map((m) => Number(m[1]));
    assert.deepEqual(codes('compat'), [0, 1, 2, 8]);
    assert.deepEqual(codes('why'), [0, 1, 2, 8]);
    assert.deepEqual(codes('check'), [0, 1, 2, 4, 12]);
    assert.deepEqual(codes('diff'), [0, 1, 2, 4, 12]);
    assert.deepEqual(codes('summary'), [0, 1, 2]);
  });

  it('README has the table, 8 included', () => {
    const readme = readFileSync(join(FIXTURES, '..', '..', 'README.md'), 'utf8');
    assert.match(readme, /\| 8 \| a module does not load/);
  });
});
