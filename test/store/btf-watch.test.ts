// Kernel BTF bytes (bpf-compat --series) and kabi watch's state, on every backend: the same answers.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { KernelBuild } from '../../src/model/kernel-build.js';
import type { IngestInput, KernelBtfBlobs, ModuleBtfBlob } from '../../src/store/store.js';
import { FIXTURES, unxzBytes } from '../helpers/independent.js';
import { storeBackends } from '../helpers/postgres.js';

const build: KernelBuild = {
  source: 'test',
  format: 'kernel-binaries',
  labels: {},
  exports: new Map([
    ['kmalloc', { symbol: 'kmalloc', crc: 1, module: 'vmlinux', exportType: 'EXPORT_SYMBOL', namespace: '' }],
  ]),
  warnings: [],
};

const input = (sha: string, btf: KernelBtfBlobs | null, moduleBtf?: ModuleBtfBlob[]): IngestInput => ({
  kind: 'kernel',
  artifact: { sha256: sha.padEnd(64, '0'), path: `/x/${sha}`, size: 1 },
  build,
  labels: { release: sha },
  modules: [],
  builtin: [],
  btf,
  ...(moduleBtf && { moduleBtf }),
});

const seen = (key: string, event = `{"k":"${key}"}`) =>
  ({ key, name: `pkg-${key}`, outcome: 'ingested', entry: null, event }) as const;

for (const backend of storeBackends())
  describe(`kernel BTF and watch state (${backend.name})`, { skip: backend.skip }, () => {
    it('gives back the BTF bytes it was given, shared blobs and all, until the entry goes', async () => {
      const s = await backend.open();
      try {
        const vmlinux = new Uint8Array(unxzBytes(join(FIXTURES, 'btf', '6.1.0-47.netdev.btf.xz')));
        const a = (
          await s.ingest(
            input('a', { vmlinux, modules: [{ name: 'nf_conntrack', bytes: new Uint8Array([1, 2, 3]) }] }),
          )
        ).entry.id;
        const b = (await s.ingest(input('b', { vmlinux, modules: [] }))).entry.id;
        const c = (await s.ingest(input('c', null))).entry.id;
        const got = await s.loadKernelBtf(a);
        assert.deepEqual(Buffer.from(got!.vmlinux), Buffer.from(vmlinux));
        assert.deepEqual(
          got!.modules.map((m) => [m.name, [...m.bytes]]),
          [['nf_conntrack', [1, 2, 3]]],
        );
        assert.equal(await s.loadKernelBtf(c), null);
        assert.equal(await s.loadModuleBtf(a), null, 'no module pack was given');
        await s.remove(String(a));
        assert.deepEqual(
          Buffer.from((await s.loadKernelBtf(b))!.vmlinux),
          Buffer.from(vmlinux),
          'the shared blob stays',
        );
      } finally {
        await s.close();
      }
    });

    it("keeps an entry's modules' split BTF in frames, read back as given (all, or those asked for), until the entry goes", async () => {
      const s = await backend.open();
      try {
        const vmlinux = new Uint8Array([7, 7, 7]);
        // Past one frame (~512 KB): the modules asked for come from their own frames.
        const big = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * seed) & 0xff);
        const modules = [
          { name: 'e1000e', bytes: new Uint8Array([1, 2, 3]) },
          { name: 'empty', bytes: new Uint8Array(0) },
          { name: 'videodev', bytes: big(600_000, 3) },
          { name: 'snd_pcm', bytes: new Uint8Array([4, 5]) },
          { name: 'x_tables', bytes: big(700_000, 5) },
          { name: 'last', bytes: new Uint8Array([9]) },
        ];
        const bytesOf = (list: { name: string; bytes: Uint8Array }[] | null) =>
          list!.map((m) => [m.name, Buffer.from(m.bytes).toString('base64')]);
        const a = (await s.ingest(input('m1', { vmlinux, modules: [] }, modules))).entry.id;
        assert.deepEqual(bytesOf(await s.loadModuleBtf(a)), bytesOf(modules));
        const only = new Set(['x_tables', 'last', 'snd_pcm', 'not_there']);
        assert.deepEqual(
          bytesOf(await s.loadModuleBtf(a, only)),
          bytesOf(modules.filter((m) => only.has(m.name))),
        );
        assert.deepEqual(await s.loadModuleBtf(a, new Set(['not_there'])), []);
        await s.remove(String(a));
        assert.equal(await s.loadModuleBtf(a), null);
      } finally {
        await s.close();
      }
    });

    it('keeps per source what a watch saw and the validators; each key once; events in order', async () => {
      const s = await backend.open();
      try {
        assert.deepEqual(await s.watchState('deb:a'), { validators: null, seen: new Set() });
        await s.recordWatch('deb:a', [seen('1'), seen('2')]);
        await s.recordWatch('deb:a', [seen('1', '{"again":true}')], {
          etag: '"x"',
          lastModified: null,
          digest: null,
        });
        await s.recordWatch('rpm:b', [seen('1')]);
        const y = { etag: '"y"', lastModified: 'Thu, 03 Dec 2026 12:00:00 GMT', digest: 'ab'.repeat(32) };
        await s.recordWatch('deb:a', [], y);
        const st = await s.watchState('deb:a');
        assert.deepEqual([...st.seen].sort(), ['1', '2']);
        assert.deepEqual(st.validators, y);
        const events = await s.watchEvents(0, 10);
        assert.deepEqual(
          events.map((e) => [e.source, e.event]),
          [
            ['deb:a', '{"k":"1"}'],
            ['deb:a', '{"k":"2"}'],
            ['rpm:b', '{"k":"1"}'],
          ],
        );
        assert.deepEqual(
          (await s.watchEvents(events[0]!.id, 1)).map((e) => e.id),
          [events[1]!.id],
        );
      } finally {
        await s.close();
      }
    });
  });
