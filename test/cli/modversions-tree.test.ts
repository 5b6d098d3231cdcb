// `kabi modversions DIR|PACKAGE`: every module's imports in one table, checked line for line against
// `modprobe --dump-modversions` run on each file; the JSON document against its schema (kabi() checks it).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { kabi } from '../helpers/exec.js';
import { needs, tool } from '../helpers/tools.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MODULES = join(ROOT, 'test', 'fixtures', 'modules');
const TREE = join(MODULES, 'amd64-5.10');
// .ko.xz (read whole), and plain .ko of every word size and byte order (read sparsely: headers and
// the sections the imports need).
const TREES = [
  'amd64-5.10',
  'kmods',
  'packages',
  'arm64-6.1',
  'armhf-6.1',
  'i386-6.1',
  'ppc64el-6.1',
  's390x-6.1',
];

function modules(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? modules(p) : /\.ko(\.xz)?$/.test(n) ? [p] : [];
    });
}

/** The tree with every .ko.xz as a plain .ko (by xz itself), so the sparse reading meets each ELF kind. */
function decompressedCopy(tree: string): string {
  const out = mkdtempSync(join(tmpdir(), 'kabi-mv-plain-'));
  for (const f of modules(tree)) {
    const to = join(out, relative(tree, f).replace(/\.xz$/, ''));
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, execFileSync(tool('xz'), ['-dc', f], { maxBuffer: 1 << 28 }));
  }
  return out;
}

describe('kabi modversions of a tree', () => {
  for (const [name, plain] of TREES.flatMap((t) => [[t, false] as const, [t, true] as const])) {
    if (plain && (name === 'kmods' || name === 'packages')) continue; // already plain
    it(`${name}${plain ? ', decompressed' : ''}: prints each module file with the lines modprobe --dump-modversions prints for it`, {
      skip: needs('modprobe') || (plain && needs('xz')),
    }, () => {
      const tree = plain ? decompressedCopy(join(MODULES, name)) : join(MODULES, name);
      const expected = modules(tree)
        .flatMap((f) =>
          execFileSync(tool('modprobe'), ['--dump-modversions', f], { encoding: 'utf8' })
            .split('\n')
            .filter(Boolean)
            .map((l) => `${relative(tree, f)}\t${l}`),
        )
        .sort();
      assert.ok(expected.length > 10, 'the fixture tree has modules with imports');
      const r = kabi(['modversions', tree]);
      assert.equal(r.status, 0, r.stderr);
      const got = r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/^.* \(([^)]*)\)\t/, '$1\t'))
        .sort();
      assert.deepEqual(got, expected);
    });
  }

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
    // Text is written as it is read; the unreadable module still makes the answer partial (1).
    const t = kabi(['modversions', dir]);
    assert.equal(t.status, 1);
    assert.match(t.stdout, /sub\/good\.ko\.xz\)\t0x[0-9a-f]{8}\t/);
    assert.match(t.stderr, /bad\.ko\): not read: .*not an ELF file/);
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
