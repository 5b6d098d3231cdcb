// `kabi ingest`'s type digest made in a worker beside the read (src/cli/type-digester.ts) against the
// digest made on the main thread after it (kernelTypeDigest, as `kabi watch` makes it): the stores keep
// the very same rows. And an ingest of a package stored already, whose read starts before its hash is
// known, stops that read and answers with the stored entry.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { digestOfParts, kernelTypeDigest } from '../../src/analysis/explain.js';
import { typeDigester } from '../../src/cli/type-digester.js';
import { ingestArtifact } from '../../src/ingest/ingest.js';
import { debianPackage } from '../helpers/debian-packages.js';
import { openTestStore, storeSql, testDb } from '../helpers/test-store.js';

const tmp = mkdtempSync(join(tmpdir(), 'kabi-digester-'));
const image = debianPackage('linux-image-6.1.0-47-amd64-unsigned');

const TYPE_ROWS = [
  'SELECT entry, keys, hashes FROM entry_types ORDER BY entry',
  'SELECT hash, pack, at, length FROM type_defs ORDER BY hash',
  'SELECT id, defs FROM type_packs ORDER BY id',
  'SELECT id, warnings, exports FROM entries ORDER BY id',
  'SELECT count(*) AS n FROM btf_blobs',
];

describe('type digest in a worker, beside the read', { skip: 'skip' in image ? image.skip : false }, () => {
  const deb = 'path' in image ? image.path : '';

  it('stores what the main thread digest stores, and a second ingest stops its read', async () => {
    const locations = [testDb(mkdtempSync(join(tmp, 'a-'))), testDb(mkdtempSync(join(tmp, 'b-')))];
    const options = [
      { typeDigest: kernelTypeDigest },
      { typeDigest: kernelTypeDigest, typeDigester: typeDigester(digestOfParts) },
    ];
    for (const [i, location] of locations.entries()) {
      const store = await openTestStore(location);
      try {
        const r = await ingestArtifact(store, deb, options[i]);
        assert.equal(r.created, true);
      } finally {
        await store.close();
      }
    }
    for (const q of TYPE_ROWS) {
      const [a, b] = await Promise.all(locations.map((l) => storeSql(l, q)));
      assert.ok(a!.length > 0, q);
      assert.deepEqual(b, a, q);
    }
    const store = await openTestStore(locations[1]!);
    try {
      const again = await ingestArtifact(store, deb, options[1]);
      assert.equal(again.created, false);
      assert.equal(again.entry.id, 1);
    } finally {
      await store.close();
    }
    const [count] = await storeSql(locations[1]!, 'SELECT count(*) AS n FROM entries');
    assert.equal(Number(count!.n), 1);
  });
});
