// One build, two sources: Debian's Module.symvers names it 6.1.0-55, its linux-image package
// 6.1.0-55-amd64. The store keeps release and flavour apart, so a ref from either finds the other.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { KernelBuild } from '../model/kernel-build.js';
import { openSqliteStore } from './open-sqlite.js';
import { matchesQuery, parseLabelQuery } from './query.js';
import { MIGRATIONS } from './schema.js';
import type { IngestInput } from './store.js';

const build: KernelBuild = {
  source: 'x',
  format: 'module-symvers',
  labels: {},
  exports: new Map([
    ['kmalloc', { symbol: 'kmalloc', crc: 1, module: 'vmlinux', exportType: 'EXPORT_SYMBOL', namespace: '' }],
  ]),
  warnings: [],
} as KernelBuild;

const input = (sha256: string, labels: Record<string, string>): IngestInput => ({
  kind: 'kernel',
  artifact: { sha256, path: sha256, size: 1 },
  build,
  labels,
  modules: [],
  builtin: [],
});

describe('release and flavour apart', () => {
  it('release=6.1.0-55-amd64 finds the build either source stored; another flavour does not', () => {
    const q = (s: string) => parseLabelQuery(s);
    const symvers = { release: '6.1.0-55' };
    const pkg = { release: '6.1.0-55', flavour: 'amd64', uname: '6.1.0-55-amd64' };
    for (const labels of [symvers, pkg]) {
      assert.ok(matchesQuery(labels, q('release=6.1.0-55-amd64')));
      assert.ok(matchesQuery(labels, q('release=6.1.0-55')));
      assert.ok(matchesQuery(labels, q('release=6.1.*')));
    }
    assert.ok(!matchesQuery(pkg, q('release=6.1.0-55-cloud-amd64')));
    assert.ok(!matchesQuery(symvers, q('release=6.1.0-54-amd64')));
    assert.ok(matchesQuery(pkg, q('release=*-amd64')));
  });

  it('a store resolves one source by the other name', async () => {
    const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'kabi-rel-')), 'k.db'));
    try {
      await store.ingest(input('a', { release: '6.1.0-55' }));
      assert.equal((await store.resolve('release=6.1.0-55-amd64')).labels.release, '6.1.0-55');
    } finally {
      await store.close();
    }
  });

  it('migration 4 splits a release stored whole, and leaves other shapes alone', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kabi-rel-')), 'k.db');
    let store = openSqliteStore(path);
    await store.ingest(
      input('a', { release: '6.1.0-55-amd64', abi: '6.1.0-55', flavour: 'amd64', stream: 'debian-6.1' }),
    );
    await store.ingest(
      input('b', { release: '5.14.0-362.el9.x86_64', abi: '5.14.0-362', flavour: 'default' }),
    );
    await store.close();
    const db = new Database(path);
    // Migration 6's tables go too (migration 5's is created only if missing): the file is what migration 3 left.
    db.exec('DROP TABLE entry_types; DROP TABLE type_defs; DROP TABLE type_packs;');
    db.exec('DROP TABLE watch_seen; DROP TABLE watch_sources;');
    db.exec('DROP TABLE watch_claims;');
    db.exec(
      'DROP TABLE entry_module_btf_frames; DROP TABLE entry_module_btf; DROP TABLE entry_btf; DROP TABLE btf_blobs;',
    );
    db.exec('DROP TABLE module_loader;');
    db.pragma('user_version = 3');
    db.close();
    store = openSqliteStore(path);
    try {
      const [deb, el] = await store.list();
      assert.equal(deb!.labels.release, '6.1.0-55');
      assert.equal(deb!.labels.uname, '6.1.0-55-amd64');
      assert.equal(el!.labels.release, '5.14.0-362.el9.x86_64');
      assert.equal(el!.labels.uname, undefined);
    } finally {
      await store.close();
    }
    assert.ok(MIGRATIONS.length >= 4);
  });
});
