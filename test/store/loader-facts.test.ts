// The loader's facts kept at ingest (migration 10, module-loader-facts.ts) judge as the whole module rows
// do: the same verdicts, reasons expanded, on every boot of the loader fixtures and on later kernels;
// an image stored without them (a store from before) is read whole, and gets them, equal to ingest's, when
// the store is migrated (`kabi migrate`, `kabi db migrate`, or a writing command that applies migration 10).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import {
  type CompatTarget,
  ingestArtifact,
  type ModuleImage,
  modulesOfBuild,
  moduleVerdicts,
  neededImports,
  readExportsArtifact,
} from '../../src/index.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';
import { BOOTS, fixtureTarget, LOADER, readRecorded } from '../helpers/loader-cases.js';
import { openTestStore, storeSql, TEST_STORE, testDb } from '../helpers/test-store.js';

/** Real modules: every loader case, two out-of-tree kmods, a package whose modules depend on each other. */
const SETS = [
  LOADER,
  join(FIXTURES, 'modules', 'kmods', '6.1.0-47'),
  join(FIXTURES, 'modules', 'packages', 'lttng-modules-2.13.9'),
  join(FIXTURES, 'modules', 'lib', 'modules', '6.1.0-47-amd64', 'kernel'),
];

/** Verdicts as plain data: reasons made, so that compact and whole reasons compare alike. */
const plain = (set: ModuleImage[], t: CompatTarget, kernelModules: boolean) =>
  JSON.parse(JSON.stringify(moduleVerdicts(set, t, { kernelModules }))) as unknown;

async function targets(): Promise<CompatTarget[]> {
  const recorded = readRecorded();
  const out = await Promise.all(BOOTS.map((b) => fixtureTarget(recorded, b.cmdline)));
  for (const k of ['6.1.0-50', '6.12.117+deb12']) {
    const build = await readExportsArtifact(join(FIXTURES, 'debian', `${k}.symvers.xz`));
    out.push({ name: k, build, vermagic: null, modules: modulesOfBuild(build) });
  }
  return out;
}

describe("stored modules, the loader's facts against the whole rows", () => {
  it('give the same modules where the loader reads them, and the same verdicts', async () => {
    const path = testDb(mkdtempSync(join(tmpdir(), 'kabi-loader-facts-')));
    const store = await openTestStore(path);
    const ids: number[] = [];
    for (const dir of SETS) ids.push((await ingestArtifact(store, dir)).entry.id);
    const kernels = await targets();
    for (const id of ids) {
      const whole = await store.loadModules(id);
      const facts = await store.loadModules(id, { loader: true });
      assert.equal(facts.length, whole.length);
      for (const [i, m] of facts.entries()) {
        const w = whole[i]!;
        for (const k of ['source', 'name', 'vermagic', 'license', 'modversions', 'signed'] as const)
          assert.deepEqual(m[k], w[k], `${w.name}: ${k}`);
        assert.deepEqual(m.imports, w.imports, w.name);
        assert.deepEqual(m.exports, w.exports, w.name);
        assert.deepEqual(m.depends, w.depends, w.name);
        assert.deepEqual(m.importNs, w.importNs, w.name);
        assert.deepEqual(neededImports(m), neededImports(w), w.name);
        const read = ['depends', 'import_ns', 'staging', 'intree'];
        assert.deepEqual(
          m.modinfo,
          w.modinfo.filter((e) => read.includes(e.key)),
          w.name,
        );
      }
      for (const t of kernels)
        for (const kernelModules of [true, false])
          assert.deepEqual(plain(facts, t, kernelModules), plain(whole, t, kernelModules), t.name);
    }
    await store.close();

    // A store from before migration 10: no facts kept, the modules come whole.
    await storeSql(
      path,
      TEST_STORE === 'postgres' ? 'UPDATE module_images SET loader = NULL' : 'DELETE FROM module_loader',
    );
    const again = await openTestStore(path, { readonly: true });
    for (const id of ids)
      assert.deepEqual(await again.loadModules(id, { loader: true }), await again.loadModules(id));
    await again.close();
  });
});

/** The facts as stored: SQLite's blobs (with `signed`), PostgreSQL's loader texts. */
const FACTS =
  TEST_STORE === 'postgres'
    ? 'SELECT id, loader FROM module_images ORDER BY id'
    : 'SELECT image, signed, hex(facts) AS facts FROM module_loader ORDER BY image';
const FORGET =
  TEST_STORE === 'postgres' ? 'UPDATE module_images SET loader = NULL' : 'DELETE FROM module_loader';

describe("the loader's facts of images stored before them", () => {
  it('are made by kabi migrate from the stored rows, byte for byte as ingest makes them', async () => {
    const path = testDb(mkdtempSync(join(tmpdir(), 'kabi-loader-backfill-')));
    const store = await openTestStore(path);
    for (const dir of SETS) await ingestArtifact(store, dir);
    await store.close();
    const made = await storeSql(path, FACTS);
    assert.ok(made.length > 10, `${made.length} module images`);
    await storeSql(path, FORGET);
    const left =
      TEST_STORE === 'postgres'
        ? 'SELECT count(*)::int AS n FROM module_images WHERE loader IS NOT NULL'
        : 'SELECT count(*) AS n FROM module_loader';
    assert.deepEqual(await storeSql(path, left), [{ n: 0 }]);

    const migrate = TEST_STORE === 'postgres' ? ['db', 'migrate', '--db', path] : ['--db', path, 'migrate'];
    const r = kabi(migrate);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`up to date; loader facts made for ${made.length} stored module images\\n$`),
    );
    assert.deepEqual(await storeSql(path, FACTS), made);
    // Nothing left to make: the second run says only the schema.
    const again = kabi(migrate);
    assert.match(again.stdout, /up to date\n$/);
  });

  it('are made when a writing command applies migration 10 to an older store', {
    skip: TEST_STORE === 'postgres' ? 'SQLite only: PostgreSQL is migrated only by kabi db migrate' : false,
  }, async () => {
    const path = testDb(mkdtempSync(join(tmpdir(), 'kabi-loader-backfill-')));
    const store = await openTestStore(path);
    await ingestArtifact(store, SETS[0]!);
    await store.close();
    const made = await storeSql(path, FACTS);
    // The store as migration 9 left it.
    const db = new Database(path);
    db.exec('DROP TABLE module_loader');
    db.exec('DROP TABLE entry_module_btf_frames; DROP TABLE entry_module_btf');
    db.pragma('user_version = 9');
    db.close();
    const writer = await openTestStore(path);
    await writer.close();
    assert.deepEqual(await storeSql(path, FACTS), made);
  });
});
