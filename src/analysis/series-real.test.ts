// The series analyses on real Debian bookworm Module.symvers, checked against an independent computation
// (test/helpers/independent.ts: `xz -dc`, string splitting, sets). The committed fixtures (6.1.0-54,
// 6.1.0-55, 6.12.117+deb12) always run; the whole 11-build series runs when ../shared/data is present.
// Versions are those of the data README; the dates are made up (plausible, a few weeks apart).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { countChanges, loadSymvers, type Row, sharedSymversDir } from '../../test/helpers/independent.js';
import type { KernelBuild } from '../model/kernel-build.js';
// biome-ignore lint/style/noRestrictedImports: the test reads real files; the analyses themselves do not.
import { readKernelExports } from '../readers/kernel-exports.js';
import { orderBuilds, seriesReport, streamDrift, symbolHistory } from './series.js';

const VERSIONS: Record<string, [version: string, date: string]> = {
  '6.1.0-47': ['6.1.170-3', '2025-06-10'],
  '6.1.0-50': ['6.1.176-1', '2025-08-01'],
  '6.1.0-53': ['6.1.187-1', '2025-09-20'],
  '6.1.0-54': ['6.1.190-1', '2025-10-15'],
  '6.1.0-55': ['6.1.192-1', '2025-11-10'],
  '6.1.0-56': ['6.1.192-2', '2025-11-24'],
  '6.12.107+deb12': ['6.12.107-1~deb12u1', '2025-09-01'],
  '6.12.111+deb12': ['6.12.111-1~deb12u1', '2025-10-05'],
  '6.12.113+deb12': ['6.12.113-1~deb12u1', '2025-10-28'],
  '6.12.115+deb12': ['6.12.115-2~deb12u1', '2025-11-20'],
  '6.12.117+deb12': ['6.12.117-1~deb12u1', '2025-12-08'],
};
const SERIES_61 = ['6.1.0-47', '6.1.0-50', '6.1.0-53', '6.1.0-54', '6.1.0-55', '6.1.0-56'];
const SERIES_612 = ['6.12.107+deb12', '6.12.111+deb12', '6.12.113+deb12', '6.12.115+deb12', '6.12.117+deb12'];

/** The checkout's root, whether this runs from src/ (tsx) or dist/src/ (npm test). */
function repoRoot(): string {
  let d = import.meta.dirname;
  while (!existsSync(join(d, 'test', 'fixtures', 'debian'))) {
    if (dirname(d) === d) throw new Error('test/fixtures/debian not found above the test');
    d = dirname(d);
  }
  return d;
}

const FIXTURE_DIR = join(repoRoot(), 'test', 'fixtures', 'debian');
const besideCheckout = join(repoRoot(), '..', 'shared', 'data', 'debian', 'symvers');
const SHARED = sharedSymversDir() ?? (existsSync(besideCheckout) ? besideCheckout : null);

interface Loaded {
  build: KernelBuild;
  rows: Map<string, Row>;
}

async function load(dir: string, abi: string, date = true): Promise<Loaded> {
  const path = join(dir, `${abi}.symvers.xz`);
  const build = await readKernelExports(path);
  const [version, day] = VERSIONS[abi]!;
  build.labels = { distro: 'debian', release: abi, version, ...(date ? { date: day } : {}) };
  return { build, rows: loadSymvers(path) };
}

/** Distinct symbols changed in any way, added ones included, and old ones (for the share). */
function changedSymbols(a: Map<string, Row>, b: Map<string, Row>): { all: number; old: number } {
  let old = 0;
  for (const [sym, x] of a) {
    const y = b.get(sym);
    if (!y || y.crc !== x.crc || y.module !== x.module || y.type !== x.type || y.ns !== x.ns) old++;
  }
  let added = 0;
  for (const sym of b.keys()) if (!a.has(sym)) added++;
  return { all: old + added, old };
}

function expectedStats(a: Map<string, Row>, b: Map<string, Row>) {
  const c = countChanges(a, b);
  const s = changedSymbols(a, b);
  const { added, removed, crcChanged, exportTypeChanged, namespaceChanged, moved } = c;
  return {
    added,
    removed,
    crcChanged,
    exportTypeChanged,
    namespaceChanged,
    moved,
    symbols: s.all,
    share: s.old / a.size,
  };
}

function pick(s: ReturnType<typeof expectedStats>) {
  const { added, removed, crcChanged, exportTypeChanged, namespaceChanged, moved, symbols, share } = s;
  return { added, removed, crcChanged, exportTypeChanged, namespaceChanged, moved, symbols, share };
}

/** sha256 of sorted `symbol<TAB>0xcrc<LF>` lines, from the independent rows. */
function digest(rows: Map<string, Row>): string {
  const lines = [...rows.keys()].sort().map((s) => `${s}\t${rows.get(s)!.crc}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex');
}

describe('series of the committed Debian fixtures', () => {
  let all: Loaded[] = [];
  before(async () => {
    all = await Promise.all(['6.12.117+deb12', '6.1.0-55', '6.1.0-54'].map((abi) => load(FIXTURE_DIR, abi)));
  });

  it('orders by date, and steps and drift match an independent comparison', () => {
    const r = seriesReport(all.map((x) => x.build));
    assert.deepEqual(r.ordering, { label: 'date', method: 'date', requested: false });
    assert.deepEqual(
      r.builds.map((b) => b.name),
      ['6.1.0-54', '6.1.0-55', '6.12.117+deb12'],
    );
    const [r54, r55, r117] = [all[2]!.rows, all[1]!.rows, all[0]!.rows];
    assert.deepEqual(pick({ ...r.steps[0]!, share: r.steps[0]!.share! }), expectedStats(r54, r55));
    assert.deepEqual(pick({ ...r.steps[1]!, share: r.steps[1]!.share! }), expectedStats(r55, r117));
    assert.deepEqual(
      pick({ ...r.drift.points[2]!, share: r.drift.points[2]!.share! }),
      expectedStats(r54, r117),
    );
    assert.deepEqual(
      r.epochs.map((e) => e.digest),
      [digest(r54), digest(r55), digest(r117)],
    );
  });

  it('follows kmalloc_trace: a CRC change in 6.1, gone in 6.12', () => {
    const ordered = orderBuilds(all.map((x) => x.build)).builds;
    const h = symbolHistory(ordered, 'kmalloc_trace');
    const want = [all[2]!, all[1]!, all[0]!].map((x) => x.rows.get('kmalloc_trace')?.crc ?? null);
    assert.deepEqual(want, ['0x83acf7c5', '0x606e9d01', null]);
    assert.deepEqual(
      h.entries.map((e) => [e.export ? `0x${e.export.crc!.toString(16).padStart(8, '0')}` : null, e.changes]),
      [
        [want[0], []],
        [want[1], ['crc-changed']],
        [null, ['removed']],
      ],
    );
  });
});

describe('the whole Debian series (../shared/data)', { skip: SHARED ? false : 'no ../shared/data' }, () => {
  let s61: Loaded[] = [];
  let s612: Loaded[] = [];
  before(async () => {
    s61 = await Promise.all(SERIES_61.map((abi) => load(SHARED!, abi, false)));
    s612 = await Promise.all(SERIES_612.map((abi) => load(SHARED!, abi)));
  });

  it('6.1: every step and every drift point match; 6.1.0-55 and -56 are one epoch', () => {
    const r = seriesReport([...s61].reverse().map((x) => x.build));
    assert.deepEqual(r.ordering, { label: 'version', method: 'debian-version', requested: false });
    assert.deepEqual(
      r.builds.map((b) => b.name),
      SERIES_61,
    );
    r.steps.forEach((st, i) => {
      assert.deepEqual(
        pick({ ...st, share: st.share! }),
        expectedStats(s61[i]!.rows, s61[i + 1]!.rows),
        `step ${i}`,
      );
    });
    r.drift.points.forEach((p, i) => {
      assert.deepEqual(
        pick({ ...p, share: p.share! }),
        expectedStats(s61[0]!.rows, s61[i]!.rows),
        `drift ${i}`,
      );
    });
    assert.deepEqual(
      r.epochs.map((e) => [e.first, e.last, e.builds, e.digest]),
      [0, 1, 2, 3, 4].map((i) => [i, i === 4 ? 5 : i, i === 4 ? 2 : 1, digest(s61[i]!.rows)]),
    );
    assert.equal(digest(s61[4]!.rows), digest(s61[5]!.rows), 'the independent view agrees: identical sets');
  });

  it('kmalloc_trace across 6.1: the CRC of every build, changes where it differs', () => {
    const h = symbolHistory(
      s61.map((x) => x.build),
      'kmalloc_trace',
    );
    const crcs = s61.map((x) => x.rows.get('kmalloc_trace')!.crc);
    h.entries.forEach((e, i) => {
      assert.equal(`0x${e.export!.crc!.toString(16).padStart(8, '0')}`, crcs[i]);
      assert.deepEqual(e.changes, i > 0 && crcs[i] !== crcs[i - 1] ? ['crc-changed'] : []);
    });
    assert.ok(h.entries.filter((e) => e.changes.length > 0).length >= 3, 'changes more than once');
  });

  it('6.1 vs 6.12 by (made-up) date: each point is the newest pair, never equal', () => {
    const dated = s61.map((x) => ({
      ...x,
      build: { ...x.build, labels: { ...x.build.labels, date: VERSIONS[x.build.labels.release!]![1] } },
    }));
    const d = streamDrift(
      dated.map((x) => x.build),
      s612.map((x) => x.build),
      { names: ['6.1', '6.12'] },
    );
    assert.equal(d.points.length, 11);
    for (const p of d.points) {
      if (p.a === null || p.b === null) {
        assert.equal(p.stats, null);
        continue;
      }
      assert.ok(dated[p.a]!.build.labels.date! <= p.date && s612[p.b]!.build.labels.date! <= p.date);
      assert.deepEqual(
        pick({ ...p.stats!, share: p.stats!.share! }),
        expectedStats(dated[p.a]!.rows, s612[p.b]!.rows),
      );
    }
    assert.deepEqual([d.zeroDays, d.zeroRanges], [0, []]);
  });

  it('a stream that ships each 6.1 update a week later is equal to 6.1 from then until the next update', () => {
    const week = (date: string) => new Date(Date.parse(date) + 7 * 86_400_000).toISOString().slice(0, 10);
    const a = s61.map((x) => ({
      ...x.build,
      labels: { ...x.build.labels, date: VERSIONS[x.build.labels.release!]![1] },
    }));
    const b = a.map((x) => ({ ...x, labels: { ...x.labels, date: week(x.labels.date) } }));
    const d = streamDrift(a, b);
    // 6.1.0-55 and -56 offer the same exports, so the lag costs nothing between them.
    const lagging = d.points.filter((p) => p.stats !== null && !p.zero).map((p) => p.date);
    assert.deepEqual(lagging, ['2025-08-01', '2025-09-20', '2025-10-15', '2025-11-10']);
    assert.deepEqual(d.zeroRanges.at(-1), { from: '2025-11-17', to: '2025-12-01', days: 15 });
  });
});
