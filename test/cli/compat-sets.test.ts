// `kabi compat` on modules installed together and on same-name modules that differ: modules given in one
// run (or one package) resolve each other as modprobe would; three builds of one module stay three rows in
// every output. Modules are ELF files built here (test/helpers/elf-builder.ts) and the real lttng pair of
// test/fixtures/modules/packages, checked against modprobe --dump-modversions and nm.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type CompatJson, expandCompatJson } from '../../src/index.js';
import { kmodElf } from '../helpers/elf-builder.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES, loadSymvers } from '../helpers/independent.js';
import { needs, tool } from '../helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'kabi-sets-'));
const magic = (release: string) => `vermagic=${release} SMP preempt mod_unload modversions `;

/** A Module.symvers whose file name gives the kernel its name (6.1.0-56.symvers → 6.1.0-56). */
function symvers(name: string, rows: [string, number][]): string {
  const path = join(dir, `${name}.symvers`);
  const line = ([sym, crc]: [string, number]) =>
    `0x${crc.toString(16).padStart(8, '0')}\t${sym}\tvmlinux\tEXPORT_SYMBOL\t`;
  writeFileSync(path, `${rows.map(line).join('\n')}\n`);
  return path;
}

function writeKo(path: string, modinfo: string[], versions: [number, string][], exports = false): string {
  mkdirSync(join(path, '..'), { recursive: true });
  const spec = { modinfo, versions, exports: exports ? [{ symbol: 'dep_a_value', crc: 0x1234 }] : [] };
  writeFileSync(path, kmodElf(spec));
  return path;
}

const depA = (release = '6.1.0-56-amd64', at = dir) =>
  writeKo(
    join(at, release, 'dep_a.ko'),
    ['license=GPL', 'name=dep_a', magic(release)],
    [[1, 'printk']],
    true,
  );
const depB = writeKo(
  join(dir, '6.1.0-56-amd64', 'dep_b.ko'),
  ['license=GPL', 'name=dep_b', 'depends=dep_a', magic('6.1.0-56-amd64')],
  [
    [2, 'kfree'],
    [0x1234, 'dep_a_value'],
  ],
);
const good = symvers('6.1.0-56', [
  ['printk', 1],
  ['kfree', 2],
]);
const changed = symvers('6.1.0-57', [
  ['printk', 9],
  ['kfree', 2],
]);

interface VerdictJson {
  module: string;
  from: string;
  builtFor: string | null;
  kernel: string;
  loads: boolean;
  reasons: { code: string; message: string; symbol?: string }[];
}

const verdicts = (args: string[]) => {
  const r = kabi(['compat', '--format', 'json', ...args]);
  const list: VerdictJson[] = expandCompatJson(JSON.parse(r.stdout) as CompatJson);
  return { status: r.status, list, stderr: r.stderr };
};

describe('kabi compat: modules given together are installed together', () => {
  it('dep_b loads with dep_a given beside it; alone, dep_a is named as missing', () => {
    const both = verdicts(['-m', depA(), depB, '-k', good]);
    assert.equal(both.status, 0, JSON.stringify(both.list));
    assert.deepEqual(
      both.list.map((v) => [v.module, v.loads]),
      [
        ['dep_a', true],
        ['dep_b', true],
      ],
    );
    const alone = verdicts(['-m', depB, '-k', good]);
    assert.equal(alone.status, 8);
    assert.match(alone.list[0]!.reasons[0]!.message, /Module dep_a not found \(needed by dep_b\)/);
  });

  it('a dependency that does not load is the reason its user does not', () => {
    const r = verdicts(['-m', depA(), depB, '-k', changed]);
    assert.equal(r.status, 8);
    const b = r.list.find((v) => v.module === 'dep_b')!;
    assert.deepEqual(
      b.reasons.map((x) => x.message),
      [
        'dep_b: needs dep_a, which does not load on 6.1.0-57: dep_a: disagrees about version of symbol printk (0x00000001 vs 0x00000009)',
      ],
    );
  });

  it('the real lttng-clock pair: the plugin resolves lttng-clock’s exports, as nm and modprobe say', {
    skip: needs('modprobe', 'nm'),
  }, () => {
    const pkg = join(FIXTURES, 'modules', 'packages', 'lttng-modules-2.13.9');
    const kernel = join(FIXTURES, 'debian', '6.1.0-47.symvers.xz');
    const table = loadSymvers(kernel);
    const files = readdirSync(pkg).map((f) => join(pkg, f));
    // Independent: each import is exported by the kernel with that CRC, or by a module beside it (nm).
    const siblings = new Set(
      files.flatMap((f) =>
        execFileSync(tool('nm'), ['--defined-only', f], { encoding: 'utf8' })
          .split('\n')
          .map((l) => l.split(' ')[2] ?? '')
          .filter((s) => s.startsWith('__ksymtab_'))
          .map((s) => s.slice('__ksymtab_'.length)),
      ),
    );
    const loads = files.map((f) =>
      execFileSync(tool('modprobe'), ['--dump-modversions', f], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((l) => l.split('\t') as [string, string])
        .every(([crc, sym]) => siblings.has(sym) || table.get(sym)?.crc === crc.toLowerCase()),
    );
    assert.ok(siblings.has('lttng_clock_register_plugin'));
    for (const m of [[pkg], files]) {
      const r = verdicts(['-m', ...m, '-k', kernel]);
      assert.deepEqual(
        r.list.map((v) => v.loads),
        loads,
        JSON.stringify(r.list.map((v) => v.reasons)),
      );
    }
    const plugin = verdicts(['-m', files.find((f) => f.includes('plugin'))!, '-k', kernel]);
    assert.equal(plugin.list[0]!.reasons[0]!.code, 'dependency-missing');
    const fromPackage = verdicts(['-m', pkg, '-k', kernel]).list;
    assert.deepEqual([...new Set(fromPackage.map((v) => v.from))], ['lttng-modules-2.13.9']);
  });
});

describe('kabi compat: same-name modules that differ stay apart in every format', () => {
  const releases = ['6.1.0-47-amd64', '6.1.0-50-amd64', '6.1.0-55-amd64'];
  const builds = releases.map((r) => depA(r, join(dir, 'three')));
  const k = ['-k', good, changed];

  it('text, CSV, Markdown: one row per module built for each kernel, saying which', () => {
    const text = kabi(['compat', '-m', ...builds, ...k]).stdout;
    // Out-of-tree (no `intree` in its modinfo): it loads, tainting the kernel O.
    for (const r of releases)
      assert.match(text, new RegExp(`^dep_a +\\S+dep_a\\.ko +${r} +taints O +FAIL 1$`, 'm'));
    const csv = kabi(['compat', '-f', 'csv', '-m', ...builds, ...k])
      .stdout.trim()
      .split('\r\n');
    assert.equal(csv[0], 'module,from,built_for,6.1.0-56,6.1.0-57');
    assert.deepEqual(
      csv.slice(1).map((l) => l.split(',')[2]),
      releases,
    );
    const md = kabi(['compat', '-f', 'markdown', '-m', ...builds, ...k])
      .stdout.trim()
      .split('\n');
    assert.equal(md.length, 2 + releases.length);
    for (const r of releases)
      assert.ok(
        md.some((l) => l.includes(`\`${r}\``)),
        r,
      );
    const json = verdicts(['-m', ...builds, ...k]).list;
    assert.equal(json.length, releases.length * 2);
  });

  it('the HTML report: a heatmap row and verdict rows for each', () => {
    const html = kabi(['report', 'compat', '-m', ...builds, ...k]).stdout;
    const cells = [...html.matchAll(/<rect class="cell" data-module="dep_a"[^>]*data-built-for="([^"]*)"/g)];
    assert.deepEqual(cells.map((c) => c[1]).sort(), [...releases, ...releases].sort());
    for (const r of releases) assert.match(html, new RegExp(`>dep_a · ${r}<`));
  });
});
