// A store of two streams (6.1 and 6.12): `series`, `history` and `report series` give one series per
// stream and say they grouped, never one timeline jumping between ABIs; a query picks one stream.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ingestSeries, kabi } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';
import { testDb } from '../helpers/test-store.js';

const file = (abi: string) => join(FIXTURES, 'debian', `${abi}.symvers.xz`);
const db = testDb(mkdtempSync(join(tmpdir(), 'kabi-streams-')), 'k.db');
ingestSeries(db, 'debian-6.1', ['6.1.0-47', '6.1.0-50', '6.1.0-54'].map(file));
ingestSeries(db, 'debian-6.12', ['6.12.115+deb12', '6.12.117+deb12'].map(file));
const run = (...args: string[]) => {
  const r = kabi(['--db', db, ...args]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

describe('series of several streams', () => {
  it('kabi series: one section per stream, said first; no step crosses streams', () => {
    const text = run('series', '--view', 'steps');
    assert.match(text, /^2 streams, one series each \(grouped by the stream label\)$/m);
    assert.match(text, /debian-6\.1 \(3 builds\), debian-6\.12 \(2 builds\)/);
    assert.match(text, /^Stream debian-6\.1$/m);
    assert.match(text, /^Stream debian-6\.12$/m);
    assert.doesNotMatch(text, /6\.1\.0-54 +6\.12\.115/, 'a step from 6.1 to 6.12');
    // One stream at a time: as before, no grouping said.
    assert.doesNotMatch(run('series', 'stream=debian-6.1'), /streams, one series/);
  });

  it('JSON is one document with a series per stream; CSV one table with a stream column', () => {
    const doc = JSON.parse(run('series', '-f', 'json'));
    assert.equal(doc.groupedBy, 'stream');
    assert.deepEqual(
      doc.streams.map((s: { stream: string; steps: unknown[] }) => [s.stream, s.steps.length]),
      [
        ['debian-6.1', 2],
        ['debian-6.12', 1],
      ],
    );
    const csv = run('series', '-f', 'csv', '--view', 'steps').trim().split('\r\n');
    assert.match(csv[0]!, /^stream,from,to,/);
    assert.deepEqual(
      csv.slice(1).map((l) => l.split(',').slice(0, 3).join(' ')),
      [
        'debian-6.1 6.1.0-47 6.1.0-50',
        'debian-6.1 6.1.0-50 6.1.0-54',
        'debian-6.12 6.12.115+deb12 6.12.117+deb12',
      ],
    );
  });

  it('kabi history: one history per stream', () => {
    const doc = JSON.parse(run('history', 'kmalloc_trace', '-f', 'json'));
    assert.deepEqual(
      doc.streams.map((s: { stream: string }) => s.stream),
      ['debian-6.1', 'debian-6.12'],
    );
    assert.match(run('history', 'kmalloc_trace'), /^Stream debian-6\.12$/m);
  });

  it('kabi report series: a section per stream, charts and tables titled by stream', () => {
    const html = run('report', 'series');
    assert.match(html, /2 streams, one series each \(grouped by the stream label/);
    for (const s of ['debian-6.1', 'debian-6.12']) assert.match(html, new RegExp(`<h2[^>]*>${s}: Steps`));
    assert.doesNotMatch(run('report', 'series', 'stream=debian-6.12'), /streams, one series/);
  });
});
