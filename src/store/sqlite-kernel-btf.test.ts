import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { FIXTURES, unxzBytes } from '../../test/helpers/independent.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { openSqliteStore } from './open-sqlite.js';
import type { IngestInput, KernelBtfBlobs } from './store.js';

const build: KernelBuild = {
  source: 'test',
  format: 'kernel-binaries',
  labels: {},
  exports: new Map([
    ['kmalloc', { symbol: 'kmalloc', crc: 1, module: 'vmlinux', exportType: 'EXPORT_SYMBOL', namespace: '' }],
  ]),
  warnings: [],
};

const input = (sha: string, btf: KernelBtfBlobs | null): IngestInput => ({
  kind: 'kernel',
  artifact: { sha256: sha, path: `/x/${sha}`, size: 1 },
  build,
  labels: { release: sha },
  modules: [],
  builtin: [],
  btf,
});

// The round trip is checked on every backend (test/store/btf-watch.test.ts); here, the SQLite rows.
describe('kernel BTF in the SQLite store', () => {
  it('keeps a shared blob once, and prunes on removal what no entry uses', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kabi-btf-store-')), 'kabi.db');
    const store = await openSqliteStore(path);
    // A real vmlinux BTF (a Debian 6.1 netdev subset, test/fixtures/btf) and two small module blobs.
    const vmlinux = new Uint8Array(unxzBytes(join(FIXTURES, 'btf', '6.1.0-47.netdev.btf.xz')));
    const a = new Uint8Array([1, 2, 3]);
    const b = new Uint8Array([4, 5]);
    const e1 = (await store.ingest(input('a', { vmlinux, modules: [{ name: 'nf_conntrack', bytes: a }] })))
      .entry.id;
    const e2 = (await store.ingest(input('b', { vmlinux, modules: [{ name: 'nf_conntrack', bytes: b }] })))
      .entry.id;
    const e3 = (await store.ingest(input('c', null))).entry.id;
    assert.equal(await store.loadKernelBtf(e3), null);
    const db = new Database(path, { readonly: true });
    const blobs = () => (db.prepare('SELECT count(*) AS n FROM btf_blobs').get() as { n: number }).n;
    assert.equal(blobs(), 3, 'vmlinux once, two module blobs');
    await store.remove(String(e1));
    assert.equal(blobs(), 2, 'the module blob only a used goes with it; the shared vmlinux stays');
    await store.remove(String(e2));
    assert.equal(blobs(), 0);
    db.close();
    await store.close();
  });
});
