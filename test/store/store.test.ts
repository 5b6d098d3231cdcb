// The Store interface's tests, run on every backend (SQLite, and PostgreSQL where its server binaries are
// installed): the same assertions on each, so both stores give the same answers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/errors.js';
import type { Export } from '../../src/model/export.js';
import type { KernelBuild } from '../../src/model/kernel-build.js';
import type { ModuleImage } from '../../src/model/module-image.js';
import type { IngestInput } from '../../src/store/store.js';
import { storeBackends } from '../helpers/postgres.js';

const exp = (symbol: string, crc: number | null, extra: Partial<Export> = {}): Export => ({
  symbol,
  crc,
  module: 'vmlinux',
  exportType: 'EXPORT_SYMBOL',
  namespace: '',
  ...extra,
});

function build(exports: Export[], format: KernelBuild['format'] = 'module-symvers'): KernelBuild {
  return {
    source: 'test',
    format,
    labels: {},
    exports: new Map(exports.map((e) => [e.symbol, e])),
    warnings: ['w1'],
  };
}

const artifact = (sha: string) => ({ sha256: sha.padEnd(64, '0'), path: `/x/${sha}`, size: 1 });

/** A kernel entry of artifact `sha`; `extra` overrides any field. */
const input = (sha: string, b: KernelBuild, extra: Partial<IngestInput> = {}): IngestInput => ({
  kind: 'kernel',
  artifact: artifact(sha),
  build: b,
  labels: {},
  modules: [],
  builtin: [],
  ...extra,
});

for (const backend of storeBackends()) {
  const openStore = backend.open;
  describe(`Store (${backend.name})`, { skip: backend.skip }, () => {
    it('stores and loads a build exactly, nulls included (RPM provides know no module)', async () => {
      const s = await openStore();
      const b = build([
        exp('a', 1, { namespace: 'CXL', exportType: 'EXPORT_SYMBOL_GPL' }),
        exp('b', null, { module: null, exportType: null, namespace: null }),
      ]);
      const r = await s.ingest(input('a', b, { labels: { release: 'r1' }, builtin: ['ext4'] }));
      assert.equal(r.created, true);
      const back = await s.loadBuild(r.entry.id);
      assert.deepEqual(
        [...back.exports.values()].sort((x, y) => (x.symbol < y.symbol ? -1 : 1)),
        [...b.exports.values()],
      );
      assert.deepEqual(back.warnings, ['w1']);
      assert.deepEqual(await s.loadModuleNames(r.entry.id), { modules: [], builtin: ['ext4'] });
      await s.close();
    });

    it('is one entry per artifact: ingesting it again with new labels sets them on that entry', async () => {
      const s = await openStore();
      const b = build([exp('a', 1), exp('b', 2)]);
      const first = await s.ingest(input('a', b, { labels: { release: 'r1' } }));
      const again = await s.ingest(input('a', b, { labels: { release: 'r1' } }));
      assert.equal(again.created, false);
      assert.equal(again.entry.id, first.entry.id);
      assert.deepEqual(again.labelsChanged, []);
      const other = await s.ingest(input('a', b, { labels: { release: 'r1', stream: 'b' } }));
      assert.equal(other.created, false);
      assert.equal(other.entry.id, first.entry.id);
      assert.deepEqual(other.labelsChanged, ['stream']);
      assert.equal(other.entry.labels.stream, 'b');
      // Only the labels given are set: a label set by hand stays.
      await s.setLabels(String(first.entry.id), { team: 'x' }, []);
      const kept = await s.ingest({
        ...input('a', b, { labels: { release: 'r1' } }),
        update: { stream: 'c' },
      });
      assert.deepEqual(kept.entry.labels, { release: 'r1', stream: 'c', team: 'x' });
      const st = await s.stats();
      assert.equal(st.entries, 1);
      assert.equal(st.exportSets, 1);
      assert.equal(st.exports, 2);
      assert.equal(await s.reingest('no such sha', {}), null);
      await s.close();
    });

    it('shares export tuples between builds: a CRC change adds one tuple', async () => {
      const s = await openStore();
      await s.ingest(input('a', build([exp('a', 1), exp('b', 2)])));
      await s.ingest(input('b', build([exp('a', 1), exp('b', 3)])));
      const st = await s.stats();
      assert.equal(st.exports, 3);
      assert.equal(st.exportSets, 2);
      await s.close();
    });

    it('resolves refs by id and by label query, and says why a ref is ambiguous or unknown', async () => {
      const s = await openStore();
      for (const [sha, rel] of [
        ['a', '6.1.0-53-amd64'],
        ['b', '6.1.0-54-amd64'],
      ] as const) {
        await s.ingest(input(sha, build([exp('a', 1)]), { labels: { distro: 'debian', release: rel } }));
      }
      assert.equal((await s.resolve('distro=debian,release=6.1.0-54-amd64')).id, 2);
      assert.equal((await s.resolve('1')).labels.release, '6.1.0-53-amd64');
      assert.equal((await s.list('release=6.1.0-5*')).length, 2);
      assert.equal((await s.list('kind=kmod')).length, 0);
      await assert.rejects(
        s.resolve('distro=debian'),
        (e: unknown) =>
          e instanceof UsageError && /matches 2 entries: 1 \(6\.1\.0-53-amd64\), 2/.test(e.message),
      );
      await assert.rejects(s.resolve('distro=suse'), /no entry matches "distro=suse"/);
      await assert.rejects(s.resolve('99'), /no entry with id 99/);
      await s.remove('1');
      assert.equal((await s.list()).length, 1);
      await s.close();
    });

    it('keeps kmod module images whole: imports, modinfo, exports', async () => {
      const s = await openStore();
      const m: ModuleImage = {
        source: 'v4l2loopback.ko',
        name: 'v4l2loopback',
        path: null,
        modinfo: [
          { key: 'license', value: 'GPL' },
          { key: 'depends', value: 'videodev,mc' },
          { key: 'import_ns', value: 'DMA_BUF' },
        ],
        vermagic: '6.1.0-47-amd64 SMP preempt mod_unload modversions ',
        license: 'GPL',
        depends: ['videodev', 'mc'],
        importNs: ['DMA_BUF'],
        srcversion: 'ABC',
        imports: [
          { symbol: 'module_layout', crc: 0x160c03af },
          { symbol: 'video_register_device', crc: 1 },
        ],
        modversions: 'versions',
        exports: [exp('v4l2loopback_x', 5, { module: 'v4l2loopback' })],
        hasBtf: false,
        elf: { class: 64, endian: 'little', machine: 62 },
      };
      const r = await s.ingest(
        input('k', build(m.exports), {
          kind: 'kmod',
          labels: { name: 'v4l2loopback' },
          modules: [{ file: m.source, image: m, keepImage: true, sha256: 'm1' }],
        }),
      );
      const [back] = await s.loadModules(r.entry.id);
      assert.deepEqual(back, m);
      await s.close();
    });

    it('rolls back a failed ingest completely', async () => {
      const s = await openStore();
      // A label value that is not a string makes the INSERT fail after the export set was written.
      await assert.rejects(
        s.ingest(input('a', build([exp('a', 1)]), { labels: { release: {} as unknown as string } })),
      );
      const st = await s.stats();
      assert.deepEqual([st.entries, st.exports, st.exportSets], [0, 0, 0]);
      await s.close();
    });
  });
}
