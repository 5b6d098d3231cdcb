// `kabi kfuncs` and `kabi diff --kfuncs` on small synthetic vmlinux files (offline), and
// `kabi kfuncs --series` over a store filled through the library.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { KfuncList } from '../../src/model/kfunc.js';
import { type BtfRecord, buildBtf } from '../helpers/btf-builder.js';
import { kabi } from '../helpers/exec.js';
import { btfIdsWords, kfuncVmlinux, TASK_KFUNC_TYPES } from '../helpers/kfunc-vmlinux.js';
import { openTestStore, storeFree, testDb } from '../helpers/test-store.js';

// ids 1-7: TASK_KFUNC_TYPES; 8 proto → int, 9 bpf_task_id
const TYPES: BtfRecord[] = [
  ...TASK_KFUNC_TYPES,
  { kind: 'func_proto', name: '', type: 1, params: [{ name: 'p', type: 3 }], variadic: false },
  { kind: 'func', name: 'bpf_task_id', type: 8, linkage: 'global' },
];

const dir = mkdtempSync(join(tmpdir(), 'kabi-kfuncs-cli-'));
function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

// Old: acquire (KF_ACQUIRE | KF_RET_NULL) and release, with symbols. New (stripped): acquire loses
// KF_RET_NULL, release is gone, bpf_task_id is new.
const OLD = file(
  'vmlinux-old',
  kfuncVmlinux(TYPES, btfIdsWords([2, 1, 5, 5, 7, 2]), [
    { name: '__BTF_ID__set8__generic_btf_ids', offset: 0, size: 24 },
  ]),
);
const NEW = file('vmlinuz-payload-new', kfuncVmlinux(TYPES, btfIdsWords([2, 1, 5, 1, 9, 0]), null));

describe('kabi kfuncs ARTIFACT', { skip: storeFree }, () => {
  it('lists kfuncs with prototypes, flags and the method, as JSON', () => {
    const r = kabi(['kfuncs', '-f', 'json', OLD]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.method, 'btf-ids');
    assert.equal(j.symbolSource, 'symtab');
    assert.deepEqual(
      j.kfuncs.map((k: { name: string; flags: string[]; sets: string[]; prototype: string }) => [
        k.name,
        k.flags,
        k.sets,
        k.prototype,
      ]),
      [
        [
          'bpf_task_acquire',
          ['KF_ACQUIRE', 'KF_RET_NULL'],
          ['generic_btf_ids'],
          'struct task_struct *bpf_task_acquire(struct task_struct *p)',
        ],
        [
          'bpf_task_release',
          ['KF_RELEASE'],
          ['generic_btf_ids'],
          'void bpf_task_release(struct task_struct *p)',
        ],
      ],
    );
  });

  it('says in text which method found them: a stripped image is scanned', () => {
    const r = kabi(['kfuncs', NEW]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /method: kfunc sets in \.BTF_ids recognised by their shape/);
    assert.match(r.stdout, /bpf_task_id +vmlinux +0 +int bpf_task_id\(struct task_struct \*p\)/);
  });

  it('Markdown and CSV carry the same rows', () => {
    const md = kabi(['kfuncs', '-f', 'markdown', OLD]);
    assert.match(md.stdout, /\| `bpf_task_release` \| `vmlinux` \| KF\\_RELEASE \|/);
    const csv = kabi(['kfuncs', '-f', 'csv', OLD]);
    assert.equal(csv.stdout.split('\r\n')[0], 'name,module,flags,sets,prototype');
    assert.equal(csv.stdout.trim().split('\r\n').length, 3);
  });

  it('a raw BTF without decl tags is an error that says what to give instead', () => {
    const r = kabi(['kfuncs', file('btf', buildBtf(TYPES))]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /kabi: .*btf: no bpf_kfunc decl tags and no \.BTF_ids section/);
  });
});

describe('kabi diff --kfuncs', { skip: storeFree }, () => {
  it('names added, removed and flag changes; --exit-code gates removals', () => {
    const r = kabi(['diff', '--kfuncs', '-f', 'json', '--exit-code', OLD, NEW]);
    assert.equal(r.status, 12, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(
      j.changes.map((c: { kind: string; name: string }) => [c.kind, c.name]),
      [
        ['removed', 'bpf_task_release'],
        ['flags-changed', 'bpf_task_acquire'],
        ['added', 'bpf_task_id'],
      ],
    );
    assert.deepEqual(j.changes[1].flagsRemoved, ['KF_RET_NULL']);
    const text = kabi(['diff', '--kfuncs', OLD, NEW]);
    assert.equal(text.status, 0);
    assert.match(text.stdout, /1 added, 1 removed, 0 prototypes changed, 1 flags changed/);
  });
});

describe('kabi kfuncs --series', () => {
  it('steps through the stored builds in version order', async () => {
    const db = testDb(dir);
    const store = await openTestStore(db);
    const list = (names: string[]): KfuncList => ({
      source: 'x',
      release: null,
      method: 'btf-ids',
      symbolSource: 'symtab',
      setFlag: true,
      modules: [],
      kfuncs: names.map((name) => ({
        name,
        prototype: `void ${name}(void)`,
        signature: `void ${name}(void)`,
        flags: 0,
        sets: [],
        module: null,
        btfId: 1,
      })),
      warnings: [],
    });
    const put = (sha: string, version: string, names: string[]) =>
      store.ingest({
        kind: 'kernel',
        artifact: { sha256: sha.padEnd(64, '0'), path: sha, size: 1 },
        build: { source: sha, format: 'kernel-binaries', labels: {}, exports: new Map(), warnings: [] },
        labels: { stream: 's', release: `r-${version}`, version },
        modules: [],
        builtin: [],
        kfuncs: list(names),
      });
    await put('b', '6.1.176-1', ['a', 'b', 'c']);
    await put('a', '6.1.170-3', ['a', 'b']);
    await put('c', '6.12.117-1', ['a', 'c', 'd']);
    await store.close();
    const r = kabi(['--db', db, 'kfuncs', '--series', 'stream=s', '-f', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(
      j.builds.map((b: { label: string }) => b.label),
      ['r-6.1.170-3', 'r-6.1.176-1', 'r-6.12.117-1'],
    );
    assert.deepEqual(
      j.steps.map((s: { summary: { added: number; removed: number } }) => [
        s.summary.added,
        s.summary.removed,
      ]),
      [
        [1, 0],
        [1, 1],
      ],
    );
    const text = kabi(['--db', db, 'kfuncs', '--series', 'stream=s']);
    assert.match(text.stdout, /Kfuncs across 3 builds: 4 seen, 1 unchanged throughout/);
    const show = kabi(['--db', db, 'show', 'release=r-6.1.176-1']);
    assert.match(show.stdout, /\nkfuncs: 3 \(found by btf-ids; kabi kfuncs \d+ lists them\)\n$/);
    const none = kabi(['--db', db, 'kfuncs', '--series', 'stream=nothing']);
    assert.equal(none.status, 1, 'nothing to judge is an error, not a usage error');
    assert.match(none.stderr, /"stream=nothing": no stored kernel builds with kfuncs recorded/);
    const diff = kabi(['--db', db, 'diff', '--kfuncs', 'release=r-6.1.170-3', 'release=r-6.12.117-1']);
    assert.match(diff.stdout, /2 added, 1 removed/);
  });
});
