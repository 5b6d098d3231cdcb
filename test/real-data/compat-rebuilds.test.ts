// Rebuild counts over the 6.1 series for the 77 real modules of 5 packages in ../shared/data (kmods built
// for 6.1.0-47), against an independent computation: modprobe --dump-modversions for the (CRC, symbol)
// pairs, nm for the exports of a package's own modules, modinfo for depends/license/import_ns, and each
// Module.symvers split by hand (test/helpers/independent.ts). A module needs a rebuild on a build when
// the module built for the previous build would not load there; a package when any of its modules does.
// The same input must give the same failing counts in the CLI, the HTML heatmap and the dashboard's API.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ingestSeries, kabi } from '../helpers/exec.js';
import { loadSymvers, type Row, sharedSymversDir } from '../helpers/independent.js';
import { memoValue } from '../helpers/run-cache.js';
import { testDb } from '../helpers/test-store.js';
import { needs, tool } from '../helpers/tools.js';
import { type Served, serve } from '../serve/store.js';

const symvers = sharedSymversDir();
const kmods = symvers ? join(symvers, '..', 'kmods', '6.1.0-47') : null;
const skip =
  !symvers || !kmods || !existsSync(kmods)
    ? 'no ../shared/data beside the checkout'
    : needs('modprobe', 'modinfo', 'nm');
const SERIES = ['6.1.0-47', '6.1.0-50', '6.1.0-53', '6.1.0-54', '6.1.0-55', '6.1.0-56'];

interface Mod {
  name: string;
  pairs: [string, string][];
  exports: string[];
  depends: string[];
  gpl: boolean;
  ns: string[];
}

const run = (cmd: string, args: string[]) => execFileSync(tool(cmd), args, { encoding: 'utf8' });
const field = (f: string, key: string) => run('modinfo', ['-F', key, f]).trim();
const GPL = new Set([
  'GPL',
  'GPL v2',
  'GPL and additional rights',
  'Dual BSD/GPL',
  'Dual MIT/GPL',
  'Dual MPL/GPL',
]);

function readPackage(dir: string): Mod[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ko'))
    .map((f) => {
      const path = join(dir, f);
      return {
        name: f.slice(0, -3).replace(/-/g, '_'),
        pairs: run('modprobe', ['--dump-modversions', path])
          .trim()
          .split('\n')
          .map((l) => {
            const [crc, sym] = l.split('\t');
            return [sym!, crc!.toLowerCase()] as [string, string];
          }),
        exports: run('nm', ['--defined-only', path])
          .split('\n')
          .map((l) => l.split(' ')[2] ?? '')
          .filter((s) => s.startsWith('__ksymtab_'))
          .map((s) => s.slice('__ksymtab_'.length)),
        depends: field(path, 'depends')
          .split(',')
          .filter(Boolean)
          .map((d) => d.replace(/-/g, '_')),
        gpl: GPL.has(field(path, 'license')),
        ns: field(path, 'import_ns').split('\n').filter(Boolean),
      };
    });
}

/** Which modules load on a kernel, each pinned to the CRCs in `pinned` (kernel imports only). */
function loading(
  mods: Mod[],
  pinned: Map<string, Map<string, string>>,
  table: Map<string, Row>,
  names: Set<string>,
) {
  const byName = new Map(mods.map((m) => [m.name, m]));
  const memo = new Map<string, boolean>();
  const loads = (m: Mod, stack: string[]): boolean => {
    if (memo.has(m.name)) return memo.get(m.name)!;
    if (stack.includes(m.name)) return false;
    let ok = [...pinned.get(m.name)!].every(([sym, crc]) => {
      const r = table.get(sym);
      return r && r.crc === crc && (m.gpl || !r.type.endsWith('_GPL')) && (!r.ns || m.ns.includes(r.ns));
    });
    for (const d of m.depends) {
      const sibling = byName.get(d);
      if (sibling ? !loads(sibling, [...stack, m.name]) : !names.has(d)) ok = false;
    }
    memo.set(m.name, ok);
    return ok;
  };
  return new Map(mods.map((m) => [m.name, loads(m, [])]));
}

interface Expected {
  /** Per package: the builds that force a rebuild; per module (package\0name): the same. */
  packages: Map<string, string[]>;
  modules: Map<string, string[]>;
  /** Per build: modules that do not load as built. */
  failing: number[];
}

function independent(tables: Map<string, Row>[]): Expected {
  const names = tables.map(
    (t) => new Set([...t.values()].map((r) => r.module.replace(/^.*\//, '').replace(/-/g, '_'))),
  );
  const out: Expected = { packages: new Map(), modules: new Map(), failing: SERIES.map(() => 0) };
  for (const pkg of readdirSync(kmods!)) {
    const mods = readPackage(join(kmods!, pkg));
    const own = new Set(mods.flatMap((m) => m.exports));
    const kernelPairs = (m: Mod) => m.pairs.filter(([sym]) => !own.has(sym));
    const asBuilt = new Map(mods.map((m) => [m.name, new Map(kernelPairs(m))]));
    let pinned = asBuilt;
    out.packages.set(pkg, []);
    for (const m of mods) out.modules.set(`${pkg}\0${m.name}`, []);
    SERIES.forEach((k, i) => {
      const built = loading(mods, asBuilt, tables[i]!, names[i]!);
      out.failing[i]! += [...built.values()].filter((ok) => !ok).length;
      const now = loading(mods, pinned, tables[i]!, names[i]!);
      const broken = mods.filter((m) => !now.get(m.name));
      if (broken.length) out.packages.get(pkg)!.push(k);
      for (const m of broken) out.modules.get(`${pkg}\0${m.name}`)!.push(k);
      // The package built for this build: every kernel import pinned to its CRC here.
      pinned = new Map(
        mods.map((m) => [m.name, new Map(kernelPairs(m).map(([s, c]) => [s, tables[i]!.get(s)?.crc ?? c]))]),
      );
    });
  }
  return out;
}

interface SeriesJson {
  kernels: string[];
  failing: number[];
  totalRebuilds: number;
  packageRebuilds: number;
  packages: { package: string; rebuilds: { kernel: string }[] }[];
  modules: { module: string; from: string; rebuilds: { kernel: string }[] }[];
}

describe('compat --series rebuild counts on the 77 real modules of 5 packages', { skip }, () => {
  let db: string;
  let expected: Expected;
  let s: Served | undefined;
  const kmodIds: string[] = [];

  before(async () => {
    db = testDb(mkdtempSync(join(tmpdir(), 'kabi-rebuilds-')));
    ingestSeries(
      db,
      'debian-6.1',
      SERIES.map((k) => join(symvers!, `${k}.symvers.xz`)),
    );
    for (const pkg of readdirSync(kmods!)) {
      const r = kabi(['--db', db, 'ingest', join(kmods!, pkg)]);
      assert.equal(r.status, 0, r.stderr);
      kmodIds.push(/→ kmod (\d+)/.exec(r.stdout)![1]!);
    }
    // The walk (5 tools on each of the 77 modules) gives the same in both passes: once per run.
    const tables = SERIES.map((k) => join(symvers!, `${k}.symvers.xz`));
    const kept = await memoValue('compat-rebuilds: the independent walk', [kmods!, ...tables], async () => {
      const e = independent(tables.map((t) => loadSymvers(t)));
      return { packages: [...e.packages], modules: [...e.modules], failing: e.failing };
    });
    expected = { packages: new Map(kept.packages), modules: new Map(kept.modules), failing: kept.failing };
  });
  after(async () => s?.close());

  const series = (modules: string[]) => {
    const r = kabi([
      '--db',
      db,
      'compat',
      '--series',
      'stream=debian-6.1',
      '--by',
      'seq',
      '-f',
      'json',
      '-m',
      ...modules,
    ]);
    assert.equal(r.status, 8, r.stderr);
    return JSON.parse(r.stdout) as SeriesJson;
  };

  it('per module and per package, build by build, as the independent walk says (0 at 6.1.0-56)', (t) => {
    const total = (m: Map<string, string[]>) => [...m.values()].reduce((n, ks) => n + ks.length, 0);
    const atLast = (m: Map<string, string[]>) =>
      [...m.values()].filter((ks) => ks.includes('6.1.0-56')).length;
    // Reported for the record: the author counted 295 module and 19 package rebuilds, 0 at -56.
    t.diagnostic(
      `independent: ${total(expected.modules)} module rebuilds, ${total(expected.packages)} package rebuilds, ${atLast(expected.modules)} at 6.1.0-56`,
    );
    assert.equal(atLast(expected.modules), 0);
    const dirs = readdirSync(kmods!);
    for (const input of [dirs.map((p) => join(kmods!, p)), kmodIds]) {
      const j = series(input);
      assert.equal(j.totalRebuilds, total(expected.modules));
      assert.equal(j.packageRebuilds, total(expected.packages));
      assert.deepEqual(j.failing, expected.failing);
      // Packages come in the order given; a stored kmod names its package by its labels.
      const dirOf = new Map(j.packages.map((p, i) => [p.package, dirs[i]!]));
      const pkgs = new Map(j.packages.map((p) => [dirOf.get(p.package), p.rebuilds.map((r) => r.kernel)]));
      assert.deepEqual(pkgs, expected.packages);
      const key = (m: SeriesJson['modules'][number]) => `${dirOf.get(m.from)}\0${m.module}`;
      const mods = new Map(j.modules.map((m) => [key(m), m.rebuilds.map((r) => r.kernel)]));
      assert.deepEqual(mods, expected.modules);
    }
  });

  it('the same failing counts in the CLI, the HTML heatmap and the dashboard', async () => {
    const cli = series(kmodIds).failing;
    const html = kabi([
      '--db',
      db,
      'report',
      'compat',
      '--series',
      'stream=debian-6.1',
      '--by',
      'seq',
      '-m',
      ...kmodIds,
    ]).stdout;
    const heatmap = SERIES.map(
      (k) => [...html.matchAll(new RegExp(`data-kernel="${k}" data-state="fails"`, 'g'))].length,
    );
    s = await serve(db);
    const api = (await (
      await fetch(new URL('/api/compat?query=stream%3Ddebian-6.1&by=seq', s.server.url))
    ).json()) as { failing: number[]; rows: { cells: { loads: boolean }[] }[] };
    const rows = SERIES.map((_, i) => api.rows.filter((r) => !r.cells[i]!.loads).length);
    const pages = SERIES.map(() => 0);
    for (const id of kmodIds) {
      const k = (await (
        await fetch(new URL(`/api/kmod?ref=${id}&query=stream%3Ddebian-6.1&by=seq`, s.server.url))
      ).json()) as { series: { failing: number[] } };
      k.series.failing.forEach((n, i) => {
        pages[i]! += n;
      });
    }
    assert.deepEqual(cli, expected.failing);
    assert.deepEqual(
      { heatmap, api: api.failing, rows, pages },
      { heatmap: cli, api: cli, rows: cli, pages: cli },
    );
  });
});
