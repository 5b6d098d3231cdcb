// A kmod's module images keep what the loader's rules need (migration 3): the symbols each leaves
// undefined and whether it is signed; an image stored before says neither, and is judged without them.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ingestArtifact, readModuleImage } from '../../src/index.js';
import { LOADER, modulePath } from '../helpers/loader-cases.js';
import { openTestStore, storeSql, testDb } from '../helpers/test-store.js';

describe('stored kmods and the loader rules', () => {
  it('keep the undefined symbols and the signature state; older images know neither', async () => {
    const path = testDb(mkdtempSync(join(tmpdir(), 'kabi-loader-store-')), 'k.db');
    const store = await openTestStore(path);
    const { entry } = await ingestArtifact(store, LOADER, { labels: { name: 'loader-cases' } });
    const stored = new Map((await store.loadModules(entry.id)).map((m) => [m.name, m]));
    for (const name of ['clean', 'missing_record', 'no_versions']) {
      const read = await readModuleImage(modulePath(name));
      assert.deepEqual(stored.get(name)?.needs, read.needs, name);
      assert.equal(stored.get(name)?.signed, false, name);
    }
    await store.close();
    await storeSql(path, 'UPDATE module_images SET needs = NULL, signed = NULL');
    const again = await openTestStore(path);
    const [m] = await again.loadModules(entry.id);
    assert.ok(m && !('needs' in m) && !('signed' in m));
    await again.close();
  });
});
