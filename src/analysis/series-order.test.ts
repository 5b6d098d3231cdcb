import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { needs } from '../../test/helpers/tools.js';
import { KabiError } from '../errors.js';
import { compareDebianVersions } from '../model/debian-version.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { dayNumber, orderBuilds } from './series-order.js';

function build(source: string, labels: Record<string, string>): KernelBuild {
  return { source, format: 'module-symvers', labels, exports: new Map(), warnings: [] };
}

const PAIRS: [string, string][] = [
  ['1.0', '1.0'],
  ['1.0', '1.1'],
  ['1.0~rc1', '1.0'],
  ['1.0~~', '1.0~'],
  ['1.0~', '1.0'],
  ['1.0', '1.0+b1'],
  ['1.0', '1.0.1'],
  ['1.0a', '1.0'],
  ['1.0a', '1.0+'],
  ['1.0-1', '1.0-1.1'],
  ['1:0.1', '2.0'],
  ['0:2.0', '2.0'],
  ['2.0', '1:1.0'],
  ['1.01', '1.1'],
  ['1.002', '1.2'],
  ['6.1.170-3', '6.1.176-1'],
  ['6.1.192-1', '6.1.192-2'],
  ['6.12.107-1~deb12u1', '6.12.107-1'],
  ['6.12.107-1~deb12u1', '6.12.111-1~deb12u1'],
  ['6.12.115-2~deb12u1', '6.12.115-10~deb12u1'],
  ['6.1.192-2', '6.12.107-1~deb12u1'],
  ['6.1.0-9', '6.1.0-10'],
  ['6.1.0-47', '6.1.0-47-amd64'],
  ['1.0-a', '1.0-A'],
  ['1.2.3-1ubuntu1', '1.2.3-1'],
  ['1.2.3-1ubuntu1', '1.2.3-1build1'],
  ['2.30-0ubuntu2', '2.30-0ubuntu10'],
  ['1.0.0+git20200101', '1.0.0+git20191231'],
  ['1.0-0', '1.0'],
  ['a', 'b'],
  ['1.0.', '1.0'],
  ['1:1.0-1', '1:1.0-1~bpo1'],
];

function dpkgSign(a: string, b: string): number {
  const holds = (op: string) => {
    try {
      execFileSync('dpkg', ['--compare-versions', a, op, b], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  return holds('lt') ? -1 : holds('eq') ? 0 : 1;
}

describe('compareDebianVersions', () => {
  it('agrees with dpkg --compare-versions', { skip: needs('dpkg') }, () => {
    for (const [a, b] of PAIRS) {
      const want = dpkgSign(a, b);
      assert.equal(compareDebianVersions(a, b), want, `${a} vs ${b}`);
      assert.equal(compareDebianVersions(b, a), -want || 0, `${b} vs ${a}`);
    }
  });

  it('sorts ~ before the end, the end before letters, letters before other characters', () => {
    const sorted = ['1.0+', '1.0a', '1.0', '1.0~', '1.0~~'].sort(compareDebianVersions);
    assert.deepEqual(sorted, ['1.0~~', '1.0~', '1.0', '1.0a', '1.0+']);
  });
});

describe('dayNumber', () => {
  it('reads YYYY-MM-DD and refuses impossible dates', () => {
    assert.equal(dayNumber('1970-01-02'), 1);
    assert.equal(dayNumber('2024-03-01')! - dayNumber('2024-02-28')!, 2);
    assert.equal(dayNumber('2024-02-30'), null);
    assert.equal(dayNumber('2024-2-3'), null);
    assert.equal(dayNumber(undefined), null);
  });
});

describe('orderBuilds', () => {
  const a = build('a', { version: '6.1.192-1', date: '2025-11-10' });
  const b = build('b', { version: '6.1.170-3', date: '2025-06-10' });
  const c = build('c', { version: '6.1.176-1', date: '2025-08-01' });

  it('orders by date when every build has one', () => {
    const r = orderBuilds([a, b, c]);
    assert.deepEqual(
      r.builds.map((x) => x.source),
      ['b', 'c', 'a'],
    );
    assert.deepEqual(r.ordering, { label: 'date', method: 'date', requested: false });
  });

  it('falls back to dpkg version order when a date is missing', () => {
    const undated = build('u', { version: '6.1.187-1' });
    const r = orderBuilds([a, undated, b, c]);
    assert.deepEqual(
      r.builds.map((x) => x.source),
      ['b', 'c', 'u', 'a'],
    );
    assert.deepEqual(r.ordering, { label: 'version', method: 'debian-version', requested: false });
  });

  it('keeps the input order without dates or versions, and for an empty series', () => {
    const r = orderBuilds([build('z', {}), build('y', { version: '1' })]);
    assert.deepEqual(
      r.builds.map((x) => x.source),
      ['z', 'y'],
    );
    assert.deepEqual(r.ordering, { label: null, method: 'input', requested: false });
    assert.deepEqual(orderBuilds([]), {
      builds: [],
      ordering: { label: null, method: 'input', requested: false },
    });
  });

  it('orders by a named label the dpkg way, and breaks same-day ties by version', () => {
    const x = build('x', { release: '6.1.0-10', date: '2025-01-01', version: '2' });
    const y = build('y', { release: '6.1.0-9', date: '2025-01-01', version: '1' });
    assert.deepEqual(
      orderBuilds([x, y], 'release').builds.map((v) => v.source),
      ['y', 'x'],
    );
    assert.deepEqual(
      orderBuilds([x, y]).builds.map((v) => v.source),
      ['y', 'x'],
    );
  });

  it('refuses a named label that a build lacks, naming the build', () => {
    assert.throws(
      () => orderBuilds([a, build('nodate', {})], 'date'),
      (e: Error) => {
        assert.ok(e instanceof KabiError);
        assert.match(e.message, /nodate has no date label/);
        return true;
      },
    );
    assert.throws(() => orderBuilds([a, build('odd', { date: '2025-13-01' })], 'date'), /odd/);
    assert.throws(() => orderBuilds([a, b], 'stream'), /cannot order by stream: a has no stream label/);
  });
});
