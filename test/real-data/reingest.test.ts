// A kernel package ingested again is known by its bytes' hash, made before anything is decompressed: the
// stored entry is the answer, and the package is not read through (Debian 6.1.0-47).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ingestArtifact } from '../../src/ingest/ingest.js';
import { debianPackage } from '../helpers/debian-packages.js';
import { ingestedStore } from '../helpers/shared-ingest.js';
import { openTestStore } from '../helpers/test-store.js';

const pkg = debianPackage('linux-image-6.1.0-47-amd64-unsigned');

describe('ingest of a package already stored', { skip: 'skip' in pkg ? pkg.skip : false }, () => {
  it('answers with the stored entry without reading the package through', async () => {
    const deb = (pkg as { path: string }).path;
    const { db, ingest } = await ingestedStore(mkdtempSync(join(tmpdir(), 'kabi-reingest-')), [deb]);
    assert.equal(ingest.status, 0, ingest.stderr);
    const store = await openTestStore(db);
    try {
      const [stored] = await store.list();
      let read = 0;
      const again = await ingestArtifact(store, deb, { onProgress: () => read++ });
      assert.equal(again.created, false);
      assert.equal(again.entry.id, stored!.id);
      assert.deepEqual(again.entry.labels, stored!.labels);
      // 4,022 modules in a full read.
      assert.ok(read < 4022, `${read} modules read`);
    } finally {
      await store.close();
    }
  });
});
