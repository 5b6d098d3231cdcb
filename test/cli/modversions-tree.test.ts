// `kabi modversions DIR|PACKAGE`: every module's imports in one table, checked line for line against
// `modprobe --dump-modversions` run on each file; the JSON document against its schema (kabi() checks it).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { kabi } from '../helpers/exec.js';
import { needs, tool } from '../helpers/tools.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const TREE = join(ROOT, 'test', 'fixtures', 'modules', 'amd64-5.10');

function modules(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? modules(p) : /\.ko(\.xz)?$/.test(n) ? [p] : [];
    });
}

describe('kabi modversions of a tree', () => {
  it('prints each module file with the lines modprobe --dump-modversions prints for it', {
    skip: needs('modprobe'),
  }, () => {
    const expected = modules(TREE)
      .flatMap((f) =>
        execFileSync(tool('modprobe'), ['--dump-modversions', f], { encoding: 'utf8' })
          .split('\n')
          .filter(Boolean)
          .map((l) => `${relative(TREE, f)}\t${l}`),
      )
      .sort();
    assert.ok(expected.length > 10, 'the fixture tree has modules with imports');
    const r = kabi(['modversions', TREE]);
    assert.equal(r.status, 0, r.stderr);
    const got = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.replace(/^.* \(([^)]*)\)\t/, '$1\t'))
      .sort();
    assert.deepEqual(got, expected);
  });

  it('gives one JSON document of every module, and fails (1) naming a module it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kabi-mv-'));
    const good = modules(TREE)[0]!;
    mkdirSync(join(dir, 'sub'));
    copyFileSync(good, join(dir, 'sub', 'good.ko.xz'));
    writeFileSync(join(dir, 'bad.ko'), Buffer.from('\x7fELF not really'));
    const r = kabi(['modversions', '-f', 'json', dir]);
    assert.equal(r.status, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(
      doc.modules.map((m: { source: string }) => m.source),
      [`${dir} (sub/good.ko.xz)`],
    );
    assert.ok(doc.modules[0].imports.length > 0);
    assert.equal(doc.problems.length, 1);
    assert.match(doc.problems[0].path, /bad\.ko/);
    assert.match(r.stderr, /bad\.ko\): not read: /);
  });

  it('refuses a directory with no module (nothing to judge is no answer)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kabi-mv-empty-'));
    const r = kabi(['modversions', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no kernel modules/);
  });

  it('keeps the single-module output exactly modprobe’s (no file column)', () => {
    const one = modules(TREE)[0]!;
    const r = kabi(['modversions', one]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.split('\n')[0]!, /^0x[0-9a-f]{8}\t\S+$/);
  });
});
