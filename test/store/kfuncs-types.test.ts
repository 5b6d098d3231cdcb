// A kernel's kfuncs and its type digest (what `kabi explain` reads instead of BTF) through the Store
// interface, on every backend: kept, read back as given, shared, and pruned with the last build using them.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { typeDigest } from '../../src/analysis/explain.js';
import type { KfuncList } from '../../src/model/kfunc.js';
import { readKernelBtf } from '../../src/readers/btf/kernel-btf.js';
import { readExportsArtifact } from '../../src/readers/exports-artifact.js';
import type { IngestInput } from '../../src/store/store.js';
import { FIXTURES, unxzBytes } from '../helpers/independent.js';
import { storeBackends } from '../helpers/postgres.js';

const tmp = mkdtempSync(join(tmpdir(), 'kabi-kt-'));
async function digestOf(abi: string) {
  const btfFile = join(tmp, `${abi}.btf`);
  writeFileSync(btfFile, unxzBytes(join(FIXTURES, 'btf', `${abi}.subset.btf.xz`)));
  const build = await readExportsArtifact(join(FIXTURES, 'debian', `${abi}.symvers.xz`));
  const btf = (await readKernelBtf(btfFile)).btf;
  return { build, digest: typeDigest({ build, btf, modules: { get: () => undefined } }) };
}
const [k47, k50] = await Promise.all([digestOf('6.1.0-47'), digestOf('6.1.0-50')]);

const kfuncs = (release: string): KfuncList => ({
  source: `/x/${release}.deb`,
  release,
  method: 'btf-ids-scan',
  symbolSource: null,
  setFlag: false,
  modules: ['nf_conntrack'],
  kfuncs: [
    {
      name: 'bpf_task_acquire',
      prototype: 'struct task_struct *bpf_task_acquire(struct task_struct *p)',
      signature: 'struct task_struct *bpf_task_acquire(struct task_struct *)',
      flags: 5,
      sets: [],
      module: null,
      btfId: 123,
    },
    {
      name: 'bpf_ct_release',
      prototype: 'void bpf_ct_release(struct nf_conn *nfct)',
      signature: 'void bpf_ct_release(struct nf_conn *)',
      flags: null,
      sets: ['nf_ct_kfunc_set', 'other set'],
      module: 'nf_conntrack',
      btfId: 99000,
    },
  ],
  warnings: ['w'],
});

const input = (sha: string, k: typeof k47, extra: Partial<IngestInput> = {}): IngestInput => ({
  kind: 'kernel',
  artifact: { sha256: sha.padEnd(64, '0'), path: `/x/${sha}`, size: 1 },
  build: k.build,
  labels: { release: sha },
  modules: [],
  builtin: [],
  ...extra,
});

for (const backend of storeBackends())
  describe(`kfuncs and type digests (${backend.name})`, { skip: backend.skip }, () => {
    it('round-trip kfuncs (BTF ids are not kept); a build without them has none', async () => {
      const store = await backend.open();
      try {
        const { entry } = await store.ingest(input('a', k47, { kfuncs: kfuncs('r47') }));
        const got = (await store.loadKfuncs(entry.id))!;
        const want = kfuncs('r47');
        // Stored in (module, name) order: vmlinux ('') first.
        assert.deepEqual(
          got.kfuncs,
          want.kfuncs.map((k) => ({ ...k, btfId: null })),
        );
        assert.deepEqual(
          [got.method, got.symbolSource, got.setFlag, got.modules, got.release, got.warnings],
          [want.method, want.symbolSource, want.setFlag, want.modules, want.release, want.warnings],
        );
        const none = await store.ingest(input('b', k50));
        assert.equal(await store.loadKfuncs(none.entry.id), null);
        assert.equal(await store.loadTypeIndex(none.entry.id), null);
      } finally {
        await store.close();
      }
    });

    it('keeps type digests: the index as given, each definition readable, pruned with its last build', async () => {
      const store = await backend.open();
      try {
        const e47 = (await store.ingest(input('a47', k47, { types: k47.digest }))).entry.id;
        const e50 = (await store.ingest(input('a50', k50, { types: k50.digest }))).entry.id;
        for (const [id, d] of [
          [e47, k47.digest],
          [e50, k50.digest],
        ] as const) {
          const index = (await store.loadTypeIndex(id))!;
          assert.deepEqual(index.keys, d.index.keys);
          assert.deepEqual([...index.hashes], [...d.index.hashes]);
          assert.deepEqual([...index.declared], [...d.index.declared]);
        }
        const all = new Map([...k47.digest.defs, ...k50.digest.defs]);
        assert.ok(all.size < k47.digest.defs.size + k50.digest.defs.size, 'the builds share definitions');
        assert.deepEqual(await store.loadTypeDefs([...all.keys()]), all);
        await store.remove(String(e47));
        const only47 = [...k47.digest.defs.keys()].filter((h) => !k50.digest.defs.has(h));
        assert.ok(only47.length > 0);
        assert.equal((await store.loadTypeDefs(only47)).size, 0, "-47's own definitions are pruned");
        assert.deepEqual(await store.loadTypeDefs([...k50.digest.defs.keys()]), new Map(k50.digest.defs));
      } finally {
        await store.close();
      }
    });
  });
