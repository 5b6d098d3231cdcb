// The Debian series through the store: `kabi ingest` with labels, then `kabi series` / `kabi history`
// as JSON, checked against an independent computation over the same Module.symvers files.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { kabi } from '../helpers/exec.js';
import {
  countChanges,
  DEBIAN_VERSIONS,
  FIXTURES,
  loadSymvers,
  sharedSymversDir,
} from '../helpers/independent.js';
import { testDb } from '../helpers/test-store.js';

function ingestAll(db: string, dir: string, abis: string[]) {
  for (const abi of abis) {
    const stream = abi.startsWith('6.1.0-') ? 'debian-6.1' : 'debian-6.12';
    const r = kabi([
      '--db',
      db,
      'ingest',
      '-l',
      'distro=debian',
      '-l',
      `stream=${stream}`,
      '-l',
      `version=${DEBIAN_VERSIONS[abi]}`,
      join(dir, `${abi}.symvers.xz`),
    ]);
    assert.equal(r.status, 0, r.stderr);
  }
}

interface Stats {
  added: number;
  removed: number;
  crcChanged: number;
  moved: number;
}

function assertSteps(db: string, dir: string, stream: string, abis: string[]) {
  const r = kabi(['--db', db, 'series', `stream=${stream}`, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as {
    steps: Stats[];
    epochs: { first: { release: string } | string; builds: number }[];
  };
  assert.equal(j.steps.length, abis.length - 1);
  j.steps.forEach((step, i) => {
    const want = countChanges(
      loadSymvers(join(dir, `${abis[i]}.symvers.xz`)),
      loadSymvers(join(dir, `${abis[i + 1]}.symvers.xz`)),
    );
    assert.deepEqual(
      [step.added, step.removed, step.crcChanged, step.moved],
      [want.added, want.removed, want.crcChanged, want.moved],
      `${abis[i]} → ${abis[i + 1]}`,
    );
  });
  return j;
}

describe('store + series on committed fixtures', () => {
  it('ingests, lists, shows, diffs by ref and removes', () => {
    const db = testDb(mkdtempSync(join(tmpdir(), 'kabi-s-')));
    ingestAll(db, join(FIXTURES, 'debian'), ['6.1.0-54', '6.1.0-55', '6.12.117+deb12']);
    const again = kabi([
      '--db',
      db,
      'ingest',
      '-l',
      'distro=debian',
      '-l',
      'stream=debian-6.1',
      '-l',
      `version=${DEBIAN_VERSIONS['6.1.0-54']}`,
      join(FIXTURES, 'debian', '6.1.0-54.symvers.xz'),
    ]);
    assert.match(again.stdout, /^already stored .* → kernel 1: 24664 exports/);
    const list = JSON.parse(kabi(['--db', db, 'list', 'stream=debian-6.1', '--format', 'json']).stdout);
    assert.deepEqual(
      list.map((e: { labels: { release: string } }) => e.labels.release),
      ['6.1.0-54', '6.1.0-55'],
    );
    const diff = JSON.parse(
      kabi(['--db', db, 'diff', '--format', 'json', 'release=6.1.0-54', 'release=6.1.0-55']).stdout,
    );
    const want = countChanges(
      loadSymvers(join(FIXTURES, 'debian', '6.1.0-54.symvers.xz')),
      loadSymvers(join(FIXTURES, 'debian', '6.1.0-55.symvers.xz')),
    );
    assert.equal(diff.summary.crcChanged, want.crcChanged);
    assert.equal(kabi(['--db', db, 'show', 'distro=debian']).status, 2, 'ambiguous ref is a usage error');
    assert.match(kabi(['--db', db, 'rm', 'release=6.12.117+deb12']).stdout, /^removed kernel 3/);
    assert.equal(JSON.parse(kabi(['--db', db, 'list', '--format', 'json']).stdout).length, 2);
    assertSteps(db, join(FIXTURES, 'debian'), 'debian-6.1', ['6.1.0-54', '6.1.0-55']);
  });
});

const shared = sharedSymversDir();
describe('store + series on the 11 Debian builds (../shared/data)', {
  skip: shared ? false : 'no ../shared/data beside the checkout',
}, () => {
  it('per-step counts of both streams, the 6.1.0-55/-56 epoch, and a symbol history', () => {
    const db = testDb(mkdtempSync(join(tmpdir(), 'kabi-s11-')));
    const abis = Object.keys(DEBIAN_VERSIONS);
    ingestAll(db, shared!, abis);
    const j61 = assertSteps(
      db,
      shared!,
      'debian-6.1',
      abis.filter((a) => a.startsWith('6.1.0-')),
    );
    assertSteps(
      db,
      shared!,
      'debian-6.12',
      abis.filter((a) => a.startsWith('6.12.')),
    );
    const shared55 = j61.epochs.find((e) => e.builds === 2);
    assert.ok(shared55, 'one epoch of two builds');
    assert.equal(j61.epochs.length, 5);
    const h = JSON.parse(
      kabi(['--db', db, 'history', 'kmalloc_trace', 'stream=debian-6.1', '--format', 'json']).stdout,
    );
    const crcs = abis
      .filter((a) => a.startsWith('6.1.0-'))
      .map((a) => loadSymvers(join(shared!, `${a}.symvers.xz`)).get('kmalloc_trace')?.crc ?? null);
    assert.deepEqual(
      h.entries.map((e: { export: { crc: string } | null }) => e.export?.crc ?? null),
      crcs,
    );
  });
});
