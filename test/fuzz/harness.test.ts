// The fuzz harness itself (fuzz/): mutations reproducible from the seed and within the length cap,
// minimization down to the bytes that matter, crash keys, and one short run end to end.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { crashOf } from '../../fuzz/crash.js';
import { minimize } from '../../fuzz/minimize.js';
import { mutate } from '../../fuzz/mutate.js';
import { Rng } from '../../fuzz/rng.js';
import { fastTmp } from '../../fuzz/target.js';
import { ROOT } from '../helpers/independent.js';

const SEED = Buffer.from(
  '0x12345678\tkfree\tvmlinux\tEXPORT_SYMBOL\t\n0x00000001\tvfree\tmm/x\tEXPORT_SYMBOL_GPL\tNS\n',
);
const OPTS = { text: true, maxLength: 4096, dictionary: [Buffer.from('EXPORT_SYMBOL')] };

function run(seed: number, count: number): Buffer[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => Buffer.from(mutate(rng, SEED, [SEED], OPTS)));
}

describe('fuzz harness', () => {
  it('mutates reproducibly from the seed, within the length cap, and changes the input', () => {
    const a = run(7, 500);
    assert.deepEqual(a, run(7, 500));
    assert.notDeepEqual(a, run(8, 500));
    assert.ok(a.every((x) => x.length <= OPTS.maxLength));
    assert.ok(a.filter((x) => !x.equals(SEED)).length > 450, 'nearly every input differs from the seed');
    assert.ok(
      a.some((x) => x.includes(Buffer.from([0xed, 0xa0, 0x80])) || x.includes(0xff)),
      'some carry invalid UTF-8',
    );
  });

  it('minimizes a crasher to the bytes that make it crash', async () => {
    const rng = new Rng(3);
    const noise = Uint8Array.from({ length: 3000 }, () => 0x61 + rng.below(20));
    const input = Buffer.concat([noise.subarray(0, 1700), Buffer.from('BUG'), noise.subarray(1700)]);
    const min = await minimize(input, async (c) => Buffer.from(c).includes('BUG'), {
      runs: 5000,
      ms: 10_000,
    });
    assert.equal(Buffer.from(min).toString(), 'BUG');
  });

  it('keys a crash by error type and top frame, without the column', () => {
    const e = new RangeError('Maximum call stack size exceeded');
    e.stack = `RangeError: Maximum call stack size exceeded\n    at cBody (file://${ROOT}/dist/src/model/btf-c.js:91:17)\n    at x (file:///y.js:1:1)`;
    assert.equal(crashOf(e, 'error').key, 'RangeError@dist/src/model/btf-c.js:91');
    assert.equal(crashOf('text', 'error').key, 'throw string');
  });

  it('runs a target end to end: a child process, the summary row, exit 0 and no crasher', () => {
    const out = mkdtempSync(join(fastTmp(), 'kabi-fuzz-test-'));
    try {
      const r = spawnSync(
        process.execPath,
        [join(ROOT, 'dist', 'fuzz', 'main.js'), 'modinfo', '--runs', '400', '--seed', '5', '--out', out],
        { encoding: 'utf8', timeout: 60_000 },
      );
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^modinfo\s+400\s+\d+\s+0\s+\d+ MB\s+\d+ ms/m);
      assert.deepEqual(readdirSync(out), []);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
