// `kabi simulate` over real Debian 6.1 Module.symvers and real kmods, with one figure of each kind checked
// by an independent count: the builds' exports split by hand (test/helpers/independent.ts), the kmods'
// imports from kmod's `modprobe --dump-modversions`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { kabi } from '../helpers/exec.js';
import { FIXTURES, loadSymvers, type Row } from '../helpers/independent.js';
import { testDb } from '../helpers/test-store.js';
import { needs, tool } from '../helpers/tools.js';

const BUILDS: [abi: string, version: string, date: string][] = [
  ['6.1.0-47', '6.1.170-3', '2026-05-08'],
  ['6.1.0-50', '6.1.176-1', '2026-07-02'],
  ['6.1.0-54', '6.1.190-1', '2026-10-16'],
  ['6.1.0-55', '6.1.192-1', '2026-11-14'],
  ['6.1.0-56', '6.1.192-2', '2026-11-16'],
];
const KMODS = join(FIXTURES, 'modules', 'kmods', '6.1.0-47');
const file = (abi: string) => join(FIXTURES, 'debian', `${abi}.symvers.xz`);

const dir = mkdtempSync(join(tmpdir(), 'kabi-simulate-'));
const db = testDb(dir, 'k.db');
for (const [abi, version, date] of BUILDS) {
  const r = kabi([
    '--db',
    db,
    'ingest',
    '-l',
    'stream=debian-6.1',
    '-l',
    `version=${version}`,
    '-l',
    `date=${date}`,
    file(abi),
  ]);
  assert.equal(r.status, 0, r.stderr);
}

const simulate = (...args: string[]) => {
  const r = kabi(['--db', db, 'simulate', '--series', 'stream=debian-6.1', '-m', KMODS, ...args]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

/** Removed, or a new CRC. */
const breaks = (a: Map<string, Row>, b: Map<string, Row>, s: string) =>
  a.has(s) && (!b.has(s) || b.get(s)!.crc !== a.get(s)!.crc);

describe('kabi simulate (real Debian 6.1 series, real kmods)', { skip: needs('modprobe') }, () => {
  const exports = BUILDS.map(([abi]) => loadSymvers(file(abi)));

  it('policies side by side; strict refuses every change to the GA kABI, none lets each through', () => {
    const doc = JSON.parse(simulate('--boundary', 'release=6.1.0-54', '-f', 'json'));
    assert.deepEqual(
      doc.policies.map((p: { policy: string; spans: unknown[] }) => [p.policy, p.spans.length]),
      [
        ['strict', 1],
        ['lts', 1],
        ['sp', 2],
        ['none', 5],
      ],
    );
    const [strict, , sp, none] = doc.policies;
    // Strict: every symbol of 6.1.0-47 that some later build removed or gave a new CRC.
    const first = exports[0]!;
    const refused = [...first.keys()].filter((s) => exports.slice(1).some((b) => breaks(first, b, s)));
    assert.equal(strict.refused, refused.length);
    assert.equal(strict.letThrough, 0);
    assert.equal(strict.rebuilds, 0);
    // None: each update's changes let through, none refused.
    const perStep = exports
      .slice(1)
      .map((b, i) => [...exports[i]!.keys()].filter((s) => breaks(exports[i]!, b, s)).length);
    assert.equal(
      none.letThrough,
      perStep.reduce((n, x) => n + x, 0),
    );
    assert.equal(none.refused, 0);
    // sp: one boundary at 6.1.0-54: let through there = 6.1.0-47 → 6.1.0-54.
    const at54 = [...first.keys()].filter((s) => breaks(first, exports[2]!, s)).length;
    assert.equal(sp.letThrough, at54);
    assert.equal(sp.spans[1].first, 2);
  });

  it('rebuilds per package under none equal the updates that changed its imports (modprobe --dump-modversions)', () => {
    const doc = JSON.parse(simulate('--policy', 'none', 'strict', '-f', 'json'));
    for (const ko of ['acpi_call', 'v4l2loopback']) {
      const out = execFileSync(tool('modprobe'), ['--dump-modversions', join(KMODS, `${ko}.ko`)], {
        encoding: 'utf8',
      });
      const imports = out
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[1]!);
      const expected = exports
        .slice(1)
        .filter((b, i) => imports.some((s) => breaks(exports[i]!, b, s))).length;
      const pkg = doc.packages.find((p: { name: string }) => p.name === ko);
      assert.ok(pkg, `package ${ko} in ${JSON.stringify(doc.packages.map((p: { name: string }) => p.name))}`);
      assert.deepEqual(pkg.rebuilds, { none: expected, strict: 0 });
      assert.ok(expected >= 3, `${ko}: ${expected} rebuilds`);
    }
    // The stablelist the corpus needs: its imports the span exports.
    const consumed = new Set(
      ['acpi_call', 'v4l2loopback'].flatMap((ko) =>
        execFileSync(tool('modprobe'), ['--dump-modversions', join(KMODS, `${ko}.ko`)], { encoding: 'utf8' })
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('\t')[1]!),
      ),
    );
    const strict = doc.policies.find((p: { policy: string }) => p.policy === 'strict');
    const union = new Set([...consumed].filter((s) => exports.some((b) => b.has(s))));
    assert.equal(strict.stablelist, union.size);
  });

  it('text has the side-by-side table; HTML carries its charts; sp without a boundary is a usage error', () => {
    const text = simulate('--boundary', 'release=6.1.0-54');
    assert.match(text, /^Policies side by side$/m);
    assert.match(text, /^ {2}figure +strict +lts +sp +none$/m);
    assert.match(text, /driver rebuilds \(all packages\)/);
    const html = simulate('--boundary', 'release=6.1.0-54', '-f', 'html');
    assert.match(html, /<svg[^>]*>.*kABI changes each policy refuses and lets through/s);
    assert.match(html, /data-kind="rebuilds"/);
    const r = kabi(['--db', db, 'simulate', '--series', 'stream=debian-6.1', '-m', KMODS, '--policy', 'sp']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /policy sp needs --boundary/);
    const bad = kabi([
      '--db',
      db,
      'simulate',
      '--series',
      'stream=debian-6.1',
      '-m',
      KMODS,
      '--boundary',
      'release=9.9',
    ]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /boundary release=9\.9 matches no build/);
  });
});
