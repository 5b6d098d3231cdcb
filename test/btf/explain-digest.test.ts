// `kabi explain` from type digests (what the store keeps instead of BTF) against explain on the BTF
// itself, on the committed 6.1.0-47 and 6.1.0-50 exports and BTF subsets: the same explanation, with
// only the types whose reach differs loaded; and the digest's round trip through the SQLite store,
// shared between builds and pruned on removal.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type DigestSide,
  digestLoader,
  digestSides,
  explainCrcChanges,
  typeDigest,
} from '../../src/analysis/explain.js';
import type { Btf } from '../../src/model/btf.js';
import type { KernelBuild } from '../../src/model/kernel-build.js';
import type { TypeDef, TypeDigest } from '../../src/model/type-digest.js';
import { readKernelBtf } from '../../src/readers/btf/kernel-btf.js';
import { readExportsArtifact } from '../../src/readers/exports-artifact.js';
import { readModuleImage } from '../../src/readers/module/module-image.js';
import { digestFingerprint } from '../helpers/digest-fingerprint.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES, unxzBytes } from '../helpers/independent.js';
import { countRows, openTestStore, storeFree, testDb } from '../helpers/test-store.js';

const tmp = mkdtempSync(join(tmpdir(), 'kabi-digest-'));
const NO_MODULES = { get: () => undefined };

async function kernel(abi: string): Promise<{ build: KernelBuild; btf: Btf }> {
  const btfFile = join(tmp, `${abi}.btf`);
  writeFileSync(btfFile, unxzBytes(join(FIXTURES, 'btf', `${abi}.subset.btf.xz`)));
  const build = await readExportsArtifact(join(FIXTURES, 'debian', `${abi}.symvers.xz`));
  return { build, btf: (await readKernelBtf(btfFile)).btf };
}

const [k47, k50] = await Promise.all([kernel('6.1.0-47'), kernel('6.1.0-50')]);
const side = (k: typeof k47) => ({ build: k.build, btf: k.btf, modules: NO_MODULES });
const d47 = typeDigest(side(k47));
const d50 = typeDigest(side(k50));
const acpiCall = await readModuleImage(join(FIXTURES, 'modules', 'kmods', '6.1.0-47', 'acpi_call.ko'));
const acpiImports = new Set(acpiCall.imports.map((i) => i.symbol));

/** A loader that counts what it was asked for. */
function counting(...digests: TypeDigest[]) {
  const inner = digestLoader(...digests);
  const asked: string[] = [];
  return {
    asked,
    load: async (hashes: readonly string[]): Promise<Map<string, TypeDef>> => {
      asked.push(...hashes);
      return inner(hashes);
    },
  };
}

const digestSide = (k: typeof k47, d: TypeDigest): DigestSide => ({ build: k.build, index: d.index });

describe('explain from type digests', { skip: storeFree }, () => {
  for (const [what, symbols] of [
    ["acpi_call's imports", acpiImports],
    ['every export', undefined],
  ] as const)
    it(`gives the explanation BTF gives, for ${what}`, async () => {
      const onBtf = explainCrcChanges(side(k47), side(k50), symbols ? { symbols } : {});
      const { load } = counting(d47, d50);
      const [a, b] = await digestSides(digestSide(k47, d47), digestSide(k50, d50), load, symbols);
      const fromDigest = explainCrcChanges(a, b, symbols ? { symbols } : {});
      assert.ok(onBtf.roots.length > 0 && onBtf.explained > 0, 'the fixture has changes to explain');
      assert.deepEqual(fromDigest, onBtf);
    });

  it('names struct device among the roots of the acpi_call imports', async () => {
    const [a, b] = await digestSides(
      digestSide(k47, d47),
      digestSide(k50, d50),
      digestLoader(d47, d50),
      acpiImports,
    );
    const r = explainCrcChanges(a, b, { symbols: acpiImports });
    assert.ok(r.roots.some((root) => root.type === 'struct device'));
  });

  it('loads only the types whose reach differs', async () => {
    const { asked, load } = counting(d47, d50);
    await digestSides(digestSide(k47, d47), digestSide(k50, d50), load, acpiImports);
    const size = (d: TypeDigest) => d.index.size;
    assert.ok(asked.length > 0);
    assert.ok(asked.length < size(d47) + size(d50), `${asked.length} of ${size(d47) + size(d50)} asked`);
    // A kernel against itself: nothing reaches a change, and no definition is loaded.
    const self = counting(d47);
    const [a, b] = await digestSides(digestSide(k47, d47), digestSide(k47, d47), self.load);
    assert.equal(self.asked.length, 0);
    assert.equal(explainCrcChanges(a, b).crcChanged, 0);
  });

  it('gives a type reaching struct device a new reach hash, and one reaching nothing changed its old one', () => {
    const reach = (d: TypeDigest, key: string) => {
      const i = d.index.at(key);
      assert.ok(i !== undefined, `${key} in the digest`);
      return Buffer.from(d.index.hashes.subarray(i * 16 + 8, i * 16 + 16)).toString('hex');
    };
    assert.notEqual(reach(d47, 'struct device'), reach(d50, 'struct device'));
    assert.notEqual(reach(d47, 'func proc_create'), reach(d50, 'func proc_create'));
    assert.equal(reach(d47, 'typedef u32'), reach(d50, 'typedef u32'));
    // Deterministic: the same BTF gives the same digest.
    assert.deepEqual(typeDigest(side(k47)).index.hashes, d47.index.hashes);
  });

  it('is the digest kabi-tracker made before its digest was made faster (the store keeps these bytes)', () => {
    // Computed by main at 5e132c1: every key, hash, flag and definition text as they were.
    assert.equal(digestFingerprint(d47), '16d77cee44ab2addfc3588d7fc21a0ce85426f00b40425c87ded7b83984d8143');
    assert.equal(digestFingerprint(d50), 'b359930d765b35b8c4cc014c6e9f23c716c259fdc9356c2e362f6004354b1582');
  });
});

describe('type digests in the store', () => {
  const input = (k: typeof k47, d: TypeDigest, sha: string) => ({
    kind: 'kernel' as const,
    artifact: { sha256: sha, path: `/x/${sha}.deb`, size: 1 },
    build: k.build,
    labels: { release: sha },
    modules: [],
    builtin: [],
    types: d,
  });

  it('keeps each definition once, explains from what it loads as from BTF, and prunes on removal', async () => {
    const path = testDb(tmp);
    const store = await openTestStore(path);
    const e47 = (await store.ingest(input(k47, d47, 'a47'))).entry.id;
    const e50 = (await store.ingest(input(k50, d50, 'a50'))).entry.id;
    const defs = () => countRows(path, 'type_defs');
    const packs = () => countRows(path, 'type_packs');
    const shared = new Set([...d47.defs.keys(), ...d50.defs.keys()]).size;
    assert.equal(await defs(), shared, 'one row per distinct definition');
    assert.ok(shared < d47.defs.size + d50.defs.size, 'the builds share definitions');

    const [i47, i50] = [await store.loadTypeIndex(e47), await store.loadTypeIndex(e50)];
    assert.ok(i47 && i50);
    assert.deepEqual(i47.keys, d47.index.keys);
    assert.deepEqual([...i47.hashes], [...d47.index.hashes]);
    assert.deepEqual([...i50.declared], [...d50.index.declared]);
    const load = (h: readonly string[]) => store.loadTypeDefs(h);
    const [a, b] = await digestSides(
      { build: k47.build, index: i47 },
      { build: k50.build, index: i50 },
      load,
      acpiImports,
    );
    assert.deepEqual(
      explainCrcChanges(a, b, { symbols: acpiImports }),
      explainCrcChanges(side(k47), side(k50), { symbols: acpiImports }),
    );

    await store.remove(String(e47));
    assert.equal(await defs(), d50.defs.size, "only -50's definitions are left");
    assert.deepEqual(await store.loadTypeDefs([...d50.defs.keys()]), new Map(d50.defs));
    await store.remove(String(e50));
    assert.equal(await defs(), 0);
    assert.equal(await packs(), 0);
    await store.close();
  });

  it('explains store refs kept as BTF, as digests (stored before migration 11), and one of each, alike', async () => {
    const path = testDb(tmp, 'mixed.db');
    const store = await openTestStore(path);
    const btf = (abi: string) => ({
      vmlinux: new Uint8Array(unxzBytes(join(FIXTURES, 'btf', `${abi}.subset.btf.xz`))),
      modules: [],
    });
    await store.ingest(input(k47, d47, 'd47'));
    await store.ingest(input(k50, d50, 'd50'));
    await store.ingest({ ...input(k47, d47, 'b47'), types: null, btf: btf('6.1.0-47'), moduleBtf: [] });
    await store.ingest({ ...input(k50, d50, 'b50'), types: null, btf: btf('6.1.0-50'), moduleBtf: [] });
    // BTF as stored before migration 11 (vmlinux's and the kfunc modules'), and no digest: nothing to explain from.
    await store.ingest({ ...input(k50, d50, 'k50'), types: null, btf: btf('6.1.0-50') });
    await store.close();
    const symbols = [...acpiImports].sort();
    const json = (args: string[]) => {
      const r = kabi([...args, ...symbols, '-f', 'json']);
      assert.equal(r.status, 0, r.stderr);
      const { old: _o, new: _n, ...rest } = JSON.parse(r.stdout);
      return rest;
    };
    const symvers = (abi: string) => join(FIXTURES, 'debian', `${abi}.symvers.xz`);
    const onFiles = json([
      'explain',
      symvers('6.1.0-47'),
      symvers('6.1.0-50'),
      '--old-btf',
      join(tmp, '6.1.0-47.btf'),
      '--new-btf',
      join(tmp, '6.1.0-50.btf'),
    ]);
    assert.ok(onFiles.roots.some((r: { type: string }) => r.type === 'struct device'));
    for (const [a, b] of [
      ['b47', 'b50'],
      ['d47', 'd50'],
      ['d47', 'b50'],
      ['b47', 'd50'],
    ])
      assert.deepEqual(
        json(['--db', path, 'explain', `release=${a}`, `release=${b}`]),
        onFiles,
        `${a} → ${b}`,
      );
    const none = kabi(['--db', path, 'explain', 'release=b47', 'release=k50', ...symbols]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /store entry \d+ keeps no types/);
  });

  it('has no index for an entry stored without types', async () => {
    const store = await openTestStore(testDb(tmp, 'none.db'));
    const { entry } = await store.ingest({ ...input(k47, d47, 'n47'), types: null });
    assert.equal(await store.loadTypeIndex(entry.id), null);
    await store.close();
  });
});
