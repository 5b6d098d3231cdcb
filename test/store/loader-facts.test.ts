// The loader's facts kept at ingest (migration 10, module-loader-facts.ts) judge as the whole module rows
// do: the same verdicts, reasons expanded, on every boot of the loader fixtures and on later kernels;
// an image stored without them (a store from before) is read whole.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type CompatTarget,
  ingestArtifact,
  type ModuleImage,
  modulesOfBuild,
  moduleVerdicts,
  neededImports,
  readExportsArtifact,
} from '../../src/index.js';
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
