// `kabi series --comm` against the Fermilab method itself: each build's `symbol CRC` lines sorted, then
// the real `comm` (coreutils) counts lines in common, only old and only new. Real Debian bookworm
// Module.symvers (test/fixtures/debian); dates are the uploads' dates from Debian's changelog.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { kabi } from '../helpers/exec.js';
import { FIXTURES, loadSymvers } from '../helpers/independent.js';
import { testDb } from '../helpers/test-store.js';
import { needs, tool } from '../helpers/tools.js';

// linux-image-6.1.0-57-arm64-unsigned's changelog.Debian.gz: the upload date of each version.
const BUILDS: [abi: string, version: string, date: string][] = [
  ['6.1.0-47', '6.1.170-3', '2026-05-08'],
  ['6.1.0-50', '6.1.176-1', '2026-07-02'],
  ['6.1.0-54', '6.1.190-1', '2026-10-16'],
  ['6.1.0-55', '6.1.192-1', '2026-11-14'],
  ['6.1.0-56', '6.1.192-2', '2026-11-16'],
];
const GA_612: [string, string, string] = ['6.12.117+deb12', '6.12.117-1~deb12u1', '2026-11-14'];

const dir = mkdtempSync(join(tmpdir(), 'kabi-comm-'));
const db = testDb(dir, 'k.db');
const file = (abi: string) => join(FIXTURES, 'debian', `${abi}.symvers.xz`);
for (const [abi, version, date] of [...BUILDS, GA_612]) {
  const stream = abi.startsWith('6.12') ? 'debian-6.12' : 'debian-6.1';
  const r = kabi([
    '--db',
    db,
    'ingest',
    '-l',
    `stream=${stream}`,
    '-l',
    `version=${version}`,
    '-l',
    `date=${date}`,
    file(abi),
  ]);
  assert.equal(r.status, 0, r.stderr);
}

/** `symbol crc` lines in C order, written to a file for comm. */
function linesFile(abi: string): string {
  const path = join(dir, `${abi}.sym`);
  const lines = [...loadSymvers(file(abi))].map(([sym, row]) => `${sym} ${row.crc}`);
  execFileSync(tool('sort'), ['-o', path], { input: `${lines.join('\n')}\n`, env: { LC_ALL: 'C' } });
  return path;
}

/** `comm -12 | wc -l`, `comm -23`, `comm -13` of two line files. */
function comm(a: string, b: string) {
  const count = (flag: string) =>
    execFileSync(tool('comm'), [flag, a, b], { env: { LC_ALL: 'C' }, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean).length;
  return { common: count('-12'), onlyOld: count('-23'), onlyNew: count('-13') };
}

const run = (...args: string[]) => {
  const r = kabi(['--db', db, ...args]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

describe('kabi series --comm (real Debian 6.1 Module.symvers)', { skip: needs('comm', 'sort') }, () => {
  it('steps, drift and survivors equal comm on the sorted symbol-CRC lines', () => {
    const files = BUILDS.map(([abi]) => linesFile(abi));
    const doc = JSON.parse(run('series', 'stream=debian-6.1', '--comm', '-f', 'json'));
    assert.deepEqual(
      doc.builds.map((b: { name: string }) => b.name),
      BUILDS.map(([abi]) => abi),
    );
    const steps = doc.steps.map((s: { common: number; onlyOld: number; onlyNew: number }) => ({
      common: s.common,
      onlyOld: s.onlyOld,
      onlyNew: s.onlyNew,
    }));
    assert.deepEqual(
      steps,
      files.slice(1).map((f, i) => comm(files[i]!, f)),
    );
    const drift = doc.drift.map((p: { common: number; onlyOld: number; onlyNew: number }) => ({
      common: p.common,
      onlyOld: p.onlyOld,
      onlyNew: p.onlyNew,
    }));
    assert.deepEqual(
      drift,
      files.map((f) => comm(files[0]!, f)),
    );
    // Survivors: comm -12 of the running intersection with each build in turn.
    let alive = files[0]!;
    const survivors = files.map((f, i) => {
      const next = join(dir, `alive-${i}`);
      writeFileSync(next, execFileSync(tool('comm'), ['-12', alive, f], { env: { LC_ALL: 'C' } }));
      alive = next;
      return comm(next, next).common;
    });
    assert.deepEqual(
      doc.survivors.map((s: { survivors: number }) => s.survivors),
      survivors,
    );
    assert.equal(doc.survivorsOfSeries, survivors.at(-1));
    // A change at each update but the last, which rebuilt the same ABI.
    assert.ok(steps.slice(0, -1).every((s: { onlyNew: number }) => s.onlyNew > 0));
    assert.deepEqual(steps.at(-1), { common: 24683, onlyOld: 0, onlyNew: 0 });
  });

  it('drift by date from a reference outside the series: days and δ per day', () => {
    const doc = JSON.parse(
      run('series', 'stream=debian-6.1', '--comm', '--drift-from', 'release=6.1.0-50', '-f', 'json'),
    );
    assert.equal(doc.reference.name, '6.1.0-50');
    const p = doc.drift.find((x: { date: string }) => x.date === '2026-11-14');
    const expected = comm(linesFile('6.1.0-50'), linesFile('6.1.0-55'));
    assert.equal(p.onlyNew, expected.onlyNew);
    assert.equal(p.days, 135);
    assert.equal(p.perDay, expected.onlyNew / 135);
    // Builds dated before the reference have no rate.
    assert.equal(doc.drift[0].days, -55);
    assert.equal(doc.drift[0].perDay, null);
    // From another stream: 6.12's GA kernel against 6.1's updates.
    const other = JSON.parse(
      run('series', 'stream=debian-6.1', '--comm', '--drift-from', 'release=6.12.117+deb12', '-f', 'json'),
    );
    assert.equal(other.reference.index, -1);
    assert.deepEqual(
      { common: other.drift[4].common, onlyOld: other.drift[4].onlyOld, onlyNew: other.drift[4].onlyNew },
      comm(linesFile('6.12.117+deb12'), linesFile('6.1.0-56')),
    );
  });

  it('text names the reference and the survivors; --drift-from without --comm is a usage error', () => {
    const text = run('series', 'stream=debian-6.1', '--comm');
    assert.match(text, /^kABI comm: 5 builds, lines of symbol and CRC$/m);
    assert.match(text, /reference 6\.1\.0-47; \d+ of 24618 lines of 6\.1\.0-47 kept one CRC in every build/);
    const r = kabi(['--db', db, 'series', 'stream=debian-6.1', '--drift-from', 'release=6.1.0-50']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--drift-from goes with --comm/);
  });
});
