// `kabi impact` and `kabi coverage` on real Debian modules and kmods, against an independent computation:
// the changed symbols from `xz -dc` + plain string code (test/helpers/independent.ts), intersected with
// the imports `modprobe --dump-modversions` lists.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { kabi } from '../helpers/exec.js';
import {
  DEBIAN_VERSIONS,
  FIXTURES,
  loadSymvers,
  type Row,
  sharedSymversDir,
} from '../helpers/independent.js';
import { storeFree, testDb } from '../helpers/test-store.js';
import { needs, tool } from '../helpers/tools.js';

const skip = needs('modprobe');

function modules(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? modules(p) : /\.ko(\.xz)?$/.test(n) ? [p] : [];
    });
}

/** `modprobe --dump-modversions`: `0x%08x\tsymbol` lines. */
function imports(path: string): string[] {
  const out = execFileSync(tool('modprobe'), ['--dump-modversions', path], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[1]!);
}

/** Breaking changes as plain set code: removed, CRC changed, made GPL-only, put in a namespace. */
function breaking(a: Map<string, Row>, b: Map<string, Row>): Set<string> {
  const out = new Set<string>();
  for (const [sym, x] of a) {
    const y = b.get(sym);
    const tightened = y?.type.endsWith('_GPL') && !x.type.endsWith('_GPL');
    if (!y || x.crc !== y.crc || tightened || (x.ns !== y.ns && y.ns !== '')) out.add(sym);
  }
  return out;
}

interface Uses {
  source: string;
  uses: unknown[];
}

function checkImpact(oldPath: string, newPath: string, files: string[]): void {
  const changed = breaking(loadSymvers(oldPath), loadSymvers(newPath));
  const r = kabi(['impact', oldPath, newPath, '-f', 'json', '-m', ...files]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const want = new Map<string, number>();
  const consumers = new Map<string, number>();
  for (const f of files) {
    const used = new Set(imports(f).filter((s) => changed.has(s)));
    if (used.size > 0) want.set(f, used.size);
    for (const s of used) consumers.set(s, (consumers.get(s) ?? 0) + 1);
  }
  assert.equal(j.changed, changed.size);
  assert.equal(j.modules, files.length);
  assert.deepEqual(new Map(j.affected.map((m: Uses) => [m.source, m.uses.length])), want);
  const got = new Map(
    j.symbols.map((s: { symbol: string; consumers: unknown[] }) => [s.symbol, s.consumers.length]),
  );
  assert.deepEqual(got, consumers);
  const counts = j.affected.map((m: Uses) => m.uses.length);
  assert.deepEqual(
    counts,
    [...counts].sort((x: number, y: number) => y - x),
    'ranked by changed symbols used',
  );
}

const DEB = join(FIXTURES, 'debian');
const fixtureModules = modules(join(FIXTURES, 'modules'));

describe('kabi impact (real Debian data)', { skip: storeFree }, () => {
  it('6.1.0-54 → 6.1.0-55 on the committed modules equals modprobe ∩ xz-dc diff', { skip }, () => {
    checkImpact(join(DEB, '6.1.0-54.symvers.xz'), join(DEB, '6.1.0-55.symvers.xz'), fixtureModules);
  });

  it('6.1.0-54 → 6.12.117 affects every module with modversions', { skip }, () => {
    checkImpact(join(DEB, '6.1.0-54.symvers.xz'), join(DEB, '6.12.117+deb12.symvers.xz'), fixtureModules);
  });

  const shared = sharedSymversDir();
  const kmods = shared && join(shared, '..', 'kmods', '6.1.0-47');
  it('6.1.0-47 → 6.1.0-50 on the shared kmods built for 6.1.0-47', {
    skip: skip || (kmods && existsSync(kmods) ? false : 'no ../shared data'),
  }, () => {
    checkImpact(join(shared!, '6.1.0-47.symvers.xz'), join(shared!, '6.1.0-50.symvers.xz'), modules(kmods!));
  });

  it('--changes reads a plain list; CSV has one row per module and changed symbol', { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'kabi-impact-'));
    const list = join(dir, 'changed.txt');
    writeFileSync(list, '# changed\nmodule_layout\n_printk\nno_such_symbol\n');
    const r = kabi(['impact', '--changes', list, '-f', 'csv', '--view', 'uses', '-m', ...fixtureModules]);
    assert.equal(r.status, 0, r.stderr);
    const want = fixtureModules.flatMap((f) =>
      imports(f).filter((s) => s === 'module_layout' || s === '_printk'),
    ).length;
    const rows = r.stdout.split('\r\n').filter(Boolean);
    assert.equal(rows.length - 1, want);
    assert.ok(
      rows.slice(1).every((l) => /,listed,,,0x[0-9a-f]{8},,/.test(l)),
      rows.join('\n'),
    );
  });

  it('needs OLD NEW or --changes', () => {
    const r = kabi(['impact', '-m', fixtureModules[0]!]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /OLD NEW, or --changes/);
  });
});

describe('kabi coverage (real Debian data)', () => {
  it('counts consumed, stable and exported symbols as modprobe and xz -dc do', {
    skip: storeFree || skip,
  }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'kabi-coverage-'));
    const stable = ['module_layout', '_printk', 'kmalloc_caches', 'bus_register'];
    const list = join(dir, 'stable_x86_64');
    writeFileSync(list, `${stable.join('\n')}\n`);
    const kernel = join(DEB, '6.1.0-55.symvers.xz');
    const r = kabi(['coverage', '-s', list, '-k', kernel, '-f', 'json', '-m', ...fixtureModules]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const all = fixtureModules.map(imports);
    const consumed = new Set(all.flat());
    const exported = loadSymvers(kernel);
    assert.equal(j.stats.consumed, consumed.size);
    assert.equal(j.stats.stableConsumed, stable.filter((s) => consumed.has(s)).length);
    assert.equal(j.stats.kernelExports, exported.size);
    assert.equal(j.stats.consumedExported, [...consumed].filter((s) => exported.has(s)).length);
    // A list named for x86_64 protects x86_64 modules only (the other arches' fixtures: <arch>-<era>/).
    const isX86 = (f: string) => !/\/(arm64|ppc64el|s390x|i386|armhf)-[0-9.]+\//.test(f);
    const unprotectedIn = (s: string, i: number) => !isX86(fixtureModules[i]!) || !stable.includes(s);
    for (const [i, f] of fixtureModules.entries()) {
      const m = j.modules.find((x: { source: string }) => x.source === f);
      const syms = new Set(all[i]);
      assert.equal(m.imports, syms.size, f);
      assert.deepEqual(m.unprotected, [...syms].filter((s) => unprotectedIn(s, i)).sort(), f);
    }
    const top = j.unprotected[0];
    const most = Math.max(
      ...[...consumed].map((s) => all.filter((a, i) => a.includes(s) && unprotectedIn(s, i)).length),
    );
    assert.equal(top.consumers.length, most);
  });

  it('text report names the allowlist candidates', { skip: storeFree || skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'kabi-coverage-'));
    const list = join(dir, 'list');
    writeFileSync(list, 'module_layout\n');
    const r = kabi(['coverage', '-s', list, '-m', ...fixtureModules]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Unprotected symbols by consuming modules \(\d+\), whoever exports them/);
    assert.match(
      r.stdout,
      /Allowlist candidates: only symbols the kernel exports can be; name it with --kernel/,
    );
    assert.match(r.stdout, /Corpus statistics/);
  });

  const shared = sharedSymversDir();
  const kmods = shared && join(shared, '..', 'kmods', '6.1.0-47');
  it('allowlist candidates of the 6.1.0-47 kmods: kernel exports only, ranked by kmods then CRC changes in the series', {
    skip: skip || (kmods && existsSync(kmods) ? false : 'no ../shared data'),
  }, () => {
    const abis = ['6.1.0-47', '6.1.0-50', '6.1.0-53', '6.1.0-54', '6.1.0-55', '6.1.0-56'];
    const db = testDb(mkdtempSync(join(tmpdir(), 'kabi-coverage-')));
    for (const abi of abis) {
      const labels = ['-l', 'stream=debian-6.1', '-l', `version=${DEBIAN_VERSIONS[abi]}`];
      const r = kabi(['--db', db, 'ingest', ...labels, join(shared!, `${abi}.symvers.xz`)]);
      assert.equal(r.status, 0, r.stderr);
    }
    const stable = ['module_layout', '_printk', '__fentry__', 'kmalloc_caches'];
    const list = join(mkdtempSync(join(tmpdir(), 'kabi-coverage-')), 'stable');
    writeFileSync(list, `${stable.join('\n')}\n`);
    const kernel = join(shared!, '6.1.0-47.symvers.xz');
    const files = modules(kmods!);
    const r = kabi([
      '--db',
      db,
      'coverage',
      '-s',
      list,
      '-k',
      kernel,
      '--series',
      'stream=debian-6.1',
      '-f',
      'json',
      '-m',
      kmods!,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);

    // Independently: modprobe's imports, minus the stablelist, that 6.1.0-47's Module.symvers exports;
    // CRC changes counted between consecutive Module.symvers of the series that both export the symbol.
    const exported = loadSymvers(kernel);
    const series = abis.map((abi) => loadSymvers(join(shared!, `${abi}.symvers.xz`)));
    const changes = (s: string) =>
      series.slice(1).filter((b, i) => {
        const [x, y] = [series[i]!.get(s), b.get(s)];
        return x && y && x.crc !== y.crc;
      }).length;
    const perModule = new Map(
      files.map((f) => [f, [...new Set(imports(f))].filter((s) => !stable.includes(s) && exported.has(s))]),
    );
    const users = new Map<string, number>();
    for (const syms of perModule.values()) for (const s of syms) users.set(s, (users.get(s) ?? 0) + 1);
    const rank = (a: string, b: string) =>
      users.get(b)! - users.get(a)! || changes(b) - changes(a) || (a < b ? -1 : a > b ? 1 : 0);
    const want = [...users.keys()].sort(rank).map((s) => [s, users.get(s), changes(s)]);
    const got = j.candidates.map((c: { symbol: string; consumers: unknown[]; crcChanges: number }) => [
      c.symbol,
      c.consumers.length,
      c.crcChanges,
    ]);
    assert.deepEqual(got, want);
    assert.equal(j.stats.candidates, want.length);
    for (const [f, syms] of perModule) {
      const m = j.modules.find((x: { source: string }) =>
        x.source.endsWith(`(${f.slice(kmods!.length + 1)})`),
      );
      assert.deepEqual(m.candidates, [...syms].sort(rank), f);
    }
    // What the fix is about: symbols of other kmods (lttng's own exports) are unprotected, never candidates.
    const kmodOnly = j.unprotected.filter((u: { symbol: string }) => !exported.has(u.symbol));
    assert.ok(kmodOnly.length > 0, 'the corpus imports symbols no kernel exports');
    const names = new Set(got.map((g: unknown[]) => g[0]));
    assert.ok(kmodOnly.every((u: { symbol: string }) => !names.has(u.symbol)));
    console.log(
      `  ${want.length} candidates of ${j.unprotected.length} unprotected symbols (${kmodOnly.length} exported by no kernel); top: ${want
        .slice(0, 3)
        .map((w) => `${w[0]} (${w[1]} kmods, ${w[2]} CRC changes)`)
        .join(', ')}`,
    );
  });
});
