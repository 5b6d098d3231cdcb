import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KABI, kabi } from '../helpers/exec.js';
import { countChanges, FIXTURES, loadSymvers } from '../helpers/independent.js';

const f = (abi: string) => join(FIXTURES, 'debian', `${abi}.symvers.xz`);

describe('kabi diff', () => {
  it('prints the documented JSON for real Debian builds, counts matching an independent comparison', () => {
    const r = kabi(['diff', '--format', 'json', f('6.1.0-55'), f('6.12.117+deb12')]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const want = countChanges(loadSymvers(f('6.1.0-55')), loadSymvers(f('6.12.117+deb12')));
    for (const k of [
      'added',
      'removed',
      'crcChanged',
      'exportTypeChanged',
      'namespaceChanged',
      'moved',
    ] as const) {
      assert.equal(j.summary[k], want[k], k);
    }
    assert.equal(typeof j.summary.fail, 'number');
    assert.equal(typeof j.summary.warn, 'number');
    const c = j.changes.find((x: { kind: string }) => x.kind === 'crc-changed');
    assert.deepEqual(Object.keys(c).slice(0, 6), ['kind', 'symbol', 'old', 'new', 'severity', 'rule']);
    assert.match(c.old.crc, /^0x[0-9a-f]{8}$/);
    assert.equal(j.changes.length, Object.values(want).reduce((a, b) => a + b, 0) - want.gplTightened);
  });

  it('prints a human report with the verdict, and exits 0 unless --exit-code', () => {
    const r = kabi(['diff', f('6.1.0-54'), f('6.1.0-55')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^kABI diff {2}.*6\.1\.0-54\.symvers\.xz \(\d+ exports\) → .*6\.1\.0-55\.symvers\.xz \(24683 exports\)/,
    );
    assert.match(r.stdout, /(UNCHANGED|COMPATIBLE|INCOMPATIBLE)/);
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour codes in a pipe');
    const strict = kabi(['diff', '--exit-code', f('6.1.0-55'), f('6.12.117+deb12')]);
    assert.equal(strict.status, 12);
  });

  it('writes Markdown tables', () => {
    const r = kabi(['diff', '--format', 'markdown', '--limit', '3', f('6.1.0-55'), f('6.12.117+deb12')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^## kABI diff: /);
    assert.match(r.stdout, /\| severity \| symbol \| change \| rule \|/);
    assert.match(r.stdout, /… \d+ more/);
  });

  it('reports bad input with file and line, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kabi-'));
    const bad = join(dir, 'bad.symvers');
    writeFileSync(
      bad,
      '0x00000001\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n0xnothex\tbar\tvmlinux\tEXPORT_SYMBOL\t\n',
    );
    const r = kabi(['diff', bad, f('6.1.0-55')]);
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr,
      `kabi: ${bad}:2: expected a CRC like 0x1a2b3c4d in field 1, found "0xnothex" | 0xnothex\\tbar\\tvmlinux\\tEXPORT_SYMBOL\\t\n`,
    );
  });

  it('reports a missing file and a bad option as usage errors, exit 2', () => {
    assert.equal(kabi(['diff', '/nonexistent/a', f('6.1.0-55')]).status, 2);
    assert.equal(kabi(['diff', '--format', 'yaml', f('6.1.0-54'), f('6.1.0-55')]).status, 2);
    assert.equal(kabi(['diff', f('6.1.0-55')]).status, 2);
  });

  it('stops quietly when the reader of its output goes away (| head)', () => {
    const r = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${KABI}" diff -f json "${f('6.1.0-55')}" "${f('6.12.117+deb12')}" | head -1`,
      ],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(r.stdout, '{\n');
    assert.equal(r.stderr, '');
  });

  it('shows help with examples and exit codes', () => {
    const r = kabi(['--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Examples:/);
    assert.match(r.stdout, /12 \(4\|8\) incompatible change/);
  });
});
