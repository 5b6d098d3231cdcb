// The JSON API over a store of the committed fixtures, checked against independent computations over the
// same files: `xz -dc` + set arithmetic (test/helpers/independent.ts) and `modprobe --dump-modversions`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ingestArtifact } from '../../src/index.js';
import { countChanges, loadSymvers, ROOT, type Row } from '../helpers/independent.js';
import { openTestStore } from '../helpers/test-store.js';
import { needs, tool } from '../helpers/tools.js';
import { fixtureStore, KMODS, kmodPath, type Served, SYMVERS, serve, symversPath } from './store.js';

const KABI = join(ROOT, 'bin', 'kabi.js');
const ABIS = Object.keys(SYMVERS);
const tables = new Map(ABIS.map((abi) => [abi, loadSymvers(symversPath(abi))]));
const table = (abi: string) => tables.get(abi)!;

let db: string;
let s: Served;
const get = async (path: string, init?: RequestInit) => {
  const r = await fetch(new URL(path, s.server.url), init);
  return { status: r.status, headers: r.headers, body: await r.text() };
};
const json = async <T>(path: string): Promise<T> => {
  const r = await get(path);
  assert.equal(r.status, 200, `${path}: ${r.body}`);
  assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
  return JSON.parse(r.body) as T;
};

interface DiffPage {
  summary: Record<string, number>;
  page: { matched: Record<string, number>; total: number };
  changes: {
    kind: string;
    symbol: string;
    old: { crc: string; module: string } | null;
    new: { crc: string } | null;
  }[];
}

/** Every change matching a filter, page by page, as a client pages through 18,000 of them. */
async function allChanges(query: string): Promise<DiffPage['changes']> {
  const out: DiffPage['changes'] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await json<DiffPage>(`/api/diff?old=1&new=2&${query}&offset=${offset}&limit=1000`);
    out.push(...page.changes);
    if (page.changes.length < 1000) return out;
  }
}

const crcChanged = (a: Map<string, Row>, b: Map<string, Row>) =>
  [...a].filter(([sym, x]) => b.has(sym) && b.get(sym)!.crc !== x.crc).map(([sym]) => sym);

/** Symbols a module imports with a CRC the kernel does not export under that name (modprobe's view). */
function brokenImports(ko: string, kernel: Map<string, Row>): string[] {
  return execFileSync(tool('modprobe'), ['--dump-modversions', ko], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.split('\t') as [string, string])
    .filter(([crc, sym]) => kernel.get(sym)?.crc !== crc.toLowerCase())
    .map(([, sym]) => sym)
    .sort();
}

describe('kabi serve API over the committed fixtures', () => {
  before(async () => {
    db = await fixtureStore();
    s = await serve(db, { recheckMs: 0 });
  });
  after(() => s.close());

  it('lists builds and kmods with their labels and export counts', async () => {
    const entries =
      await json<{ id: number; kind: string; exports: number; labels: Record<string, string> }[]>(
        '/api/builds',
      );
    assert.deepEqual(
      entries.map((e) => [e.kind, e.labels.release ?? e.labels.name]),
      [...ABIS.map((a) => ['kernel', a]), ...KMODS.map((k) => ['kmod', k])],
    );
    ABIS.forEach((abi, i) => {
      assert.equal(entries[i]!.exports, table(abi).size);
    });
    const stream = await json<unknown[]>('/api/builds?query=stream=debian-6.1');
    assert.equal(stream.length, 2);
  });

  it('series over two streams: one series per stream, never one mixed timeline', async () => {
    const grouped = await json<{
      groupedBy: string;
      streams: { stream: string; builds: { name: string }[]; steps: unknown[] }[];
    }>('/api/series');
    assert.equal(grouped.groupedBy, 'stream');
    assert.deepEqual(
      grouped.streams.map((x) => [x.stream, x.builds.map((b) => b.name), x.steps.length]),
      [
        ['debian-6.1', ['6.1.0-54', '6.1.0-55'], 1],
        ['debian-6.12', ['6.12.117+deb12'], 0],
      ],
    );
    const chart = await get('/api/series/charts/steps.svg');
    assert.equal(chart.status, 400);
    assert.match(JSON.parse(chart.body).error, /2 streams \(debian-6\.1, debian-6\.12\).*stream=NAME/);
    const history = await json<{ groupedBy: string; streams: { stream: string }[] }>(
      '/api/history?symbol=kmalloc_trace',
    );
    assert.deepEqual(
      history.streams.map((x) => x.stream),
      ['debian-6.1', 'debian-6.12'],
    );
  });

  it('series: the step counts of a stream equal a set comparison of the two files', async () => {
    const series = await json<{
      builds: { name: string; labels: { id: string } }[];
      steps: Record<string, number>[];
    }>('/api/series?query=stream%3Ddebian-6.1');
    assert.deepEqual(
      series.builds.map((b) => b.name),
      ['6.1.0-54', '6.1.0-55'],
    );
    const want = countChanges(table('6.1.0-54'), table('6.1.0-55'));
    const step = series.steps[0]!;
    assert.deepEqual(
      [step.added, step.removed, step.crcChanged, step.moved],
      [want.added, want.removed, want.crcChanged, want.moved],
    );
  });

  it('diff: totals per kind, pages that cover every change once, filters and search', async () => {
    const a = table('6.1.0-54');
    const b = table('6.1.0-55');
    const want = countChanges(a, b);
    const first = await json<DiffPage>('/api/diff?old=release%3D6.1.0-54&new=2&limit=10');
    assert.equal(first.summary.crcChanged, want.crcChanged);
    assert.equal(first.summary.removed, want.removed);
    assert.equal(first.summary.added, want.added);
    assert.equal(first.changes.length, 10);
    assert.equal(
      first.page.total,
      want.added + want.removed + want.crcChanged + want.moved + want.exportTypeChanged,
    );

    // Otherwise the document of `kabi diff --format json`, a page of its changes at a time.
    const cli = JSON.parse(
      execFileSync(process.execPath, [KABI, '--db', db, 'diff', '--format', 'json', '1', '2'], {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      }),
    ) as DiffPage & { changes: unknown[] };
    const { page: _, ...doc } = first;
    assert.deepEqual(doc, { ...cli, changes: cli.changes.slice(0, 10) });

    const crc = await allChanges('kind=crc-changed');
    assert.deepEqual(crc.map((c) => c.symbol).sort(), crcChanged(a, b).sort());
    const one = crc.find((c) => c.symbol === 'kmalloc_trace')!;
    assert.deepEqual(
      [one.old!.crc, one.new!.crc],
      [a.get('kmalloc_trace')!.crc, b.get('kmalloc_trace')!.crc],
    );

    const search = await json<DiffPage>('/api/diff?old=1&new=2&q=KMALLOC&kind=crc-changed&limit=1000');
    const kmalloc = crcChanged(a, b).filter((sym) => sym.toLowerCase().includes('kmalloc'));
    assert.ok(kmalloc.length > 0);
    assert.equal(search.page.total, kmalloc.length);
    assert.equal(search.page.matched.crcChanged, kmalloc.length);

    const removedNet = [...a]
      .filter(([sym, x]) => !b.has(sym) && x.module.startsWith('net/'))
      .map(([sym]) => sym)
      .sort();
    const net = await json<DiffPage>('/api/diff?old=1&new=2&module=net/*&kind=removed&limit=1000');
    assert.deepEqual(net.changes.map((c) => c.symbol).sort(), removedNet);

    const two = await json<DiffPage>('/api/diff?old=1&new=2&kind=removed,added&limit=1000');
    assert.equal(two.page.total, want.removed + want.added);
    assert.deepEqual([...new Set(two.changes.map((c) => c.kind))], ['removed', 'added']);
  });

  it('symbol history: the CRC in every build of the series', async () => {
    type History = { entries: { export: { crc: string } | null; changes: string[] }[] };
    // distro=debian holds two streams: one history each, in the order of the store.
    const h = await json<{ streams: History[] }>('/api/history?symbol=kmalloc_trace&query=distro%3Ddebian');
    assert.deepEqual(
      h.streams.flatMap((x) => x.entries).map((e) => e.export?.crc ?? null),
      ABIS.map((abi) => table(abi).get('kmalloc_trace')?.crc ?? null),
    );
  });

  it('kmod page and heatmap: the symbols that break each kmod, as modprobe --dump-modversions says', {
    skip: needs('modprobe'),
  }, async () => {
    const heat = await json<{
      builds: { id: number; name: string }[];
      rows: { module: string; cells: { loads: boolean; broken: number; reasons: string[] }[] }[];
    }>('/api/compat?query=distro%3Ddebian');
    assert.deepEqual(
      heat.builds.map((b) => b.name),
      ABIS,
    );
    assert.deepEqual(
      heat.rows.map((r) => r.module),
      [...KMODS],
    );
    const kmod = await json<{
      series: { modules: { loads: boolean[]; firstFailure: { kernel: string } | null }[] };
      why: { kernel: string; reasons: { symbol?: string }[] }[];
    }>('/api/kmod?ref=name%3Dacpi_call&query=stream%3Ddebian-6.1');
    KMODS.forEach((k, row) => {
      ABIS.forEach((abi, col) => {
        const bad = brokenImports(kmodPath(k), table(abi));
        const cell = heat.rows[row]!.cells[col]!;
        assert.equal(cell.loads, bad.length === 0, `${k} on ${abi}`);
        // v4l2loopback also needs videodev, which a Module.symvers names only by its exports.
        if (k === 'acpi_call') assert.equal(cell.broken, bad.length, `${k} on ${abi}`);
      });
    });
    const onSeries = ['6.1.0-54', '6.1.0-55'];
    assert.deepEqual(
      kmod.series.modules[0]!.loads,
      onSeries.map((abi) => brokenImports(kmodPath('acpi_call'), table(abi)).length === 0),
    );
    for (const v of kmod.why) {
      const named = [...new Set(v.reasons.filter((r) => r.symbol).map((r) => r.symbol!))].sort();
      assert.deepEqual(named, brokenImports(kmodPath('acpi_call'), table(v.kernel)), v.kernel);
    }
    assert.equal(kmod.why.length, kmod.series.modules[0]!.loads.filter((x) => !x).length);
  });

  it('answers 304 to a matching If-None-Match, and notices an ingest by another process', async () => {
    const first = await get('/api/builds');
    const etag = first.headers.get('etag')!;
    assert.ok(etag);
    assert.equal((await get('/api/builds', { headers: { 'if-none-match': etag } })).status, 304);
    const { generation } = await json<{ generation: string }>('/api/generation');

    const writer = await openTestStore(db);
    try {
      await ingestArtifact(writer, symversPath('6.1.0-55'), { labels: { distro: 'debian', copy: 'yes' } });
    } finally {
      await writer.close();
    }
    assert.notEqual((await json<{ generation: string }>('/api/generation')).generation, generation);
    assert.equal((await get('/api/builds', { headers: { 'if-none-match': etag } })).status, 200);
    // Ingesting a stored artifact again sets its labels on its one entry.
    const builds = await json<{ labels: Record<string, string> }[]>('/api/builds');
    assert.equal(builds.length, ABIS.length + KMODS.length);
    assert.equal(builds.filter((b) => b.labels.copy === 'yes').length, 1);
  });

  it('says what is wrong with a request, as JSON', async () => {
    const cases: [string, number, RegExp][] = [
      ['/api/diff?old=1', 400, /parameter new is required/],
      ['/api/diff?old=1&new=99', 400, /no entry with id 99/],
      ['/api/diff?old=1&new=4', 400, /is a kmod, not a kernel/],
      ['/api/diff?old=1&new=2&limit=5000', 400, /limit: expected 1\.\.1000/],
      ['/api/diff?old=1&new=2&kind=renamed', 400, /"renamed" is not one of/],
      ['/api/diff?old=1&old=2&new=2', 400, /give it once/],
      ['/api/series?query=stream%3Dnone', 404, /no stored kernel build matches/],
      ['/api/series?query=nonsense', 400, /expected key=value/],
      ['/api/history', 400, /symbol is required/],
      ['/api/nothing', 404, /not found/],
    ];
    for (const [path, status, message] of cases) {
      const r = await get(path);
      assert.equal(r.status, status, path);
      assert.match(JSON.parse(r.body).error, message, path);
    }
  });
});
