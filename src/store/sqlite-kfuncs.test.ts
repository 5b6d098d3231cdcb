import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { KernelBuild } from '../model/kernel-build.js';
import type { KfuncList } from '../model/kfunc.js';
import { openSqliteStore } from './open-sqlite.js';
import { MIGRATIONS } from './schema.js';
import type { IngestInput, Store } from './store.js';

const dbPath = () => join(mkdtempSync(join(tmpdir(), 'kabi-kfunc-store-')), 'kabi.db');

/** The store under test, for the tests that need nothing but the Store interface (see sqlite.test.ts). */
const openStore = async (): Promise<Store> => openSqliteStore(dbPath());

const build: KernelBuild = {
  source: 'test',
  format: 'kernel-binaries',
  labels: {},
  exports: new Map([
    ['kmalloc', { symbol: 'kmalloc', crc: 1, module: 'vmlinux', exportType: 'EXPORT_SYMBOL', namespace: '' }],
  ]),
  warnings: [],
};

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
      flags: 2,
      sets: ['nf_ct_kfunc_set', 'other set'],
      module: 'nf_conntrack',
      btfId: 99000,
    },
  ],
  warnings: ['w'],
});

const input = (sha: string, release: string, withKfuncs: boolean): IngestInput => ({
  kind: 'kernel',
  artifact: { sha256: sha.padEnd(64, '0'), path: `/x/${sha}`, size: 1 },
  build,
  labels: { release },
  modules: [],
  builtin: [],
  kfuncs: withKfuncs ? kfuncs(release) : null,
});

/** The schema text of every table and index, to compare stores. */
function schemaOf(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (
      db.prepare('SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name').all() as {
        sql: string;
      }[]
    ).map((r) => r.sql);
  } finally {
    db.close();
  }
}

describe('kfuncs in the store', () => {
  it('round-trip a kernel build’s kfuncs (BTF ids are not kept: they change with every build)', async () => {
    const store = await openStore();
    const { entry } = await store.ingest(input('a', '6.1.0-47-amd64', true));
    const got = (await store.loadKfuncs(entry.id))!;
    const want = kfuncs('6.1.0-47-amd64');
    assert.deepEqual(
      got.kfuncs,
      want.kfuncs.map((k) => ({ ...k, btfId: null })),
    );
    assert.deepEqual(
      [got.method, got.symbolSource, got.setFlag, got.modules, got.release, got.warnings],
      [want.method, want.symbolSource, want.setFlag, want.modules, want.release, want.warnings],
    );
    await store.close();
  });

  it('builds with the same kfuncs share one list; removing the last user drops it', async () => {
    const path = dbPath();
    const store = openSqliteStore(path);
    const a = (await store.ingest(input('a', 'same', true))).entry;
    const b = (await store.ingest(input('b', 'same', true))).entry;
    const db = new Database(path, { readonly: true });
    const lists = () => (db.prepare('SELECT count(*) AS n FROM kfunc_lists').get() as { n: number }).n;
    const rows = () => (db.prepare('SELECT count(*) AS n FROM kfuncs').get() as { n: number }).n;
    assert.deepEqual([lists(), rows()], [1, 2]);
    await store.remove(String(a.id));
    assert.deepEqual([lists(), rows()], [1, 2]);
    await store.remove(String(b.id));
    assert.deepEqual([lists(), rows()], [0, 0]);
    db.close();
    await store.close();
  });

  it('a build without BTF has no kfuncs', async () => {
    const store = await openStore();
    const { entry } = await store.ingest(input('a', 'x', false));
    assert.equal(await store.loadKfuncs(entry.id), null);
    await store.close();
  });
});

describe('migration 2 on a store made by the previous schema', () => {
  it('opens, keeps every build, and records kfuncs when an artifact is ingested again', async () => {
    // A store as kabi-tracker with only migration 1 wrote it: that migration's SQL, user_version 1.
    const path = dbPath();
    const old = new Database(path);
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old.close();
    const v1Schema = schemaOf(path);
    // Fill it through a current store, then take migrations 2, 3 and 5 away again: the file is what v1 holds.
    let store = openSqliteStore(path);
    const stored = (await store.ingest(input('a', '6.1.0-47-amd64', false))).entry;
    await store.close();
    const db = new Database(path);
    db.exec('DROP TABLE entry_kfuncs; DROP TABLE kfuncs; DROP TABLE kfunc_lists; DROP TABLE export_columns;');
    db.exec('DROP TABLE entry_types; DROP TABLE type_defs; DROP TABLE type_packs;');
    db.exec('DROP TABLE watch_seen; DROP TABLE watch_sources;');
    db.exec('DROP TABLE watch_claims;');
    db.exec(
      'DROP TABLE entry_module_btf_frames; DROP TABLE entry_module_btf; DROP TABLE entry_btf; DROP TABLE btf_blobs;',
    );
    db.exec('DROP TABLE module_loader;');
    db.exec('ALTER TABLE module_images DROP COLUMN needs; ALTER TABLE module_images DROP COLUMN signed;');
    db.pragma('user_version = 1');
    db.close();
    assert.deepEqual(schemaOf(path), v1Schema, 'the file now has the schema of migration 1 exactly');

    store = openSqliteStore(path);
    const check = new Database(path, { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), MIGRATIONS.length);
    check.close();
    assert.equal((await store.list()).length, 1);
    assert.deepEqual([...(await store.loadBuild(stored.id)).exports.keys()], ['kmalloc']);
    assert.equal(await store.loadKfuncs(stored.id), null, 'stored before kfuncs were kept');

    const again = await store.ingest(input('a', '6.1.0-47-amd64', true));
    assert.equal(again.created, false);
    assert.equal(again.entry.id, stored.id);
    const kfuncsAgain = (await store.loadKfuncs(stored.id))?.kfuncs.length;
    assert.equal(kfuncsAgain, 2, 'ingesting it again records its kfuncs');
    const twice = await store.ingest(input('a', '6.1.0-47-amd64', true));
    assert.equal(twice.created, false);
    assert.equal((await store.loadKfuncs(stored.id))?.kfuncs.length, 2);
    await store.close();
  });
});
