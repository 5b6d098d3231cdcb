import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { kabi } from '../helpers/exec.js';
import { FIXTURES, loadSymvers } from '../helpers/independent.js';

const f = (abi: string) => join(FIXTURES, 'debian', `${abi}.symvers.xz`);
const tmp = () => mkdtempSync(join(tmpdir(), 'kabi-check-'));

describe('kabi check', () => {
  it('exits 0 for an unchanged ABI', () => {
    const r = kabi(['check', '--baseline', f('6.1.0-55'), f('6.1.0-55')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /UNCHANGED/);
  });

  it('exits 12 on the 6.1 → 6.12 jump and says the ABI version must be bumped', () => {
    const r = kabi(['check', '--baseline', f('6.1.0-55'), f('6.12.117+deb12'), '--abi-version', '7']);
    assert.equal(r.status, 12);
    assert.match(r.stdout, /INCOMPATIBLE/);
    assert.match(r.stdout, /ABI version must be bumped: 7 → 8/);
  });

  it('exits 4 when the only changes are additions', () => {
    const dir = tmp();
    const base = join(dir, 'base.symvers');
    const next = join(dir, 'next.symvers');
    writeFileSync(base, '0x00000001\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n');
    writeFileSync(
      next,
      '0x00000001\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n0x00000002\tbar\tvmlinux\tEXPORT_SYMBOL_GPL\t\n',
    );
    const r = kabi(['check', '--baseline', base, next, '--abi-version', '2']);
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stdout, /ABI version stays 2/);
  });

  it('--update replaces the baseline atomically, keeping its xz compression', () => {
    const dir = tmp();
    const base = join(dir, 'baseline.symvers.xz');
    copyFileSync(f('6.1.0-54'), base);
    const r = kabi(['check', '--baseline', base, f('6.1.0-55'), '--update']);
    assert.equal(r.status, 12, r.stderr);
    assert.match(r.stderr, /baseline .* updated \(24683 exports\)/);
    assert.deepEqual(readdirSync(dir), ['baseline.symvers.xz'], 'no temporary file left behind');
    assert.deepEqual([...readFileSync(base).subarray(0, 6)], [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
    assert.deepEqual(loadSymvers(base), loadSymvers(f('6.1.0-55')));
    const again = kabi(['check', '--baseline', base, f('6.1.0-55')]);
    assert.equal(again.status, 0, again.stdout);
  });

  it('--update leaves the baseline untouched when the new build cannot be read', () => {
    const dir = tmp();
    const base = join(dir, 'baseline.symvers.xz');
    copyFileSync(f('6.1.0-55'), base);
    const before = readFileSync(base);
    const bad = join(dir, 'bad.symvers');
    writeFileSync(bad, 'garbage\n');
    const r = kabi(['check', '--baseline', base, bad, '--update']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.symvers:1: unrecognised format/);
    assert.deepEqual(readFileSync(base), before);
  });

  it('requires --baseline', () => {
    const r = kabi(['check', f('6.1.0-55')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--baseline/);
  });
});
