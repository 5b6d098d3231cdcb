import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DiffReport } from '../analysis/check.js';
import { buildEvent, failureEvent } from '../analysis/watch-round.js';
import type { EntryRecord } from '../model/entry.js';
import { watchEventText } from './watch-text.js';

const entry = (id: number, release: string): EntryRecord => ({
  id,
  kind: 'kernel',
  format: 'deb',
  source: `/x/${release}.deb`,
  sha256: 'a'.repeat(64),
  ingestedAt: '2026-12-03T00:00:00Z',
  labels: { release, uname: `${release}-amd64`, stream: 'debian-6.1' },
  exports: 10,
  modules: 0,
});
const pkg = { name: 'linux-headers-6.1.0-50-amd64', version: '6.1.176-1', key: 'k', from: 'http://m/p.deb' };
const summary = {
  added: 1,
  removed: 2,
  crcChanged: 3,
  exportTypeChanged: 0,
  namespaceChanged: 0,
  moved: 0,
  fail: 5,
  warn: 1,
  ignore: 0,
};
const report = { policy: 'p', verdict: 'incompatible', exitCode: 12, summary } as unknown as DiffReport;

describe('watchEventText', () => {
  test('a gated build with its compat, one line', () => {
    const e = buildEvent({
      source: 'deb:http://m',
      pkg,
      entry: entry(2, '6.1.0-50'),
      created: true,
      baseline: entry(1, '6.1.0-47'),
      report,
      verdicts: [
        { module: 'a', loads: true, reasons: [], notes: [] },
        {
          module: 'b',
          loads: false,
          reasons: [{ code: 'crc', message: 'disagrees about version of symbol x' }],
          notes: [],
        },
      ] as never,
    });
    assert.equal(e.exitCode, 12);
    assert.deepEqual(e.compat, {
      modules: 2,
      loads: 1,
      fails: 1,
      failing: [{ module: 'b', reason: 'disagrees about version of symbol x' }],
    });
    assert.equal(
      watchEventText(e),
      'build\tdeb:http://m linux-headers-6.1.0-50-amd64 6.1.176-1: new entry 2 (6.1.0-50-amd64); incompatible against entry 1 (6.1.0-47-amd64) (fail 5, warn 1, ignore 0); compat 1/2 load; fail: b\n',
    );
  });

  test('a failure, and text from an index shown, never obeyed', () => {
    const e = failureEvent(
      'download-failed',
      'rpm:http://m',
      { ...pkg, name: 'kernel\u001b[2J' },
      'GET x: truncated',
    );
    assert.equal(e.exitCode, 1);
    assert.equal(
      watchEventText(e),
      'download-failed\trpm:http://m kernel\\u{1b}[2J 6.1.176-1: GET x: truncated\n',
    );
  });
});
