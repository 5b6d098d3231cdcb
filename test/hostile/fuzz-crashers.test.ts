// Every crasher the fuzzer found, fixed since, replayed through its own target as the fuzzer runs it:
// only the project's typed errors may escape, and no input may take over a second.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { scratchIn } from '../../fuzz/target.js';
import { TARGETS } from '../../fuzz/targets/index.js';
import { KabiError } from '../../src/errors.js';
import { decompress } from '../../src/readers/compression.js';
import { ROOT } from '../helpers/independent.js';

const DIR = join(ROOT, 'test', 'fixtures', 'hostile', 'fuzz');

describe('fuzz crashers, fixed', () => {
  for (const name of readdirSync(DIR).filter((d) => !d.includes('.'))) {
    const target = TARGETS.find((t) => t.name === name);
    it(`${name}: every kept input ends in a typed error or an answer, within 1 s`, async () => {
      assert.ok(target, `a fuzz target named ${name}`);
      const scratch = scratchIn(mkdtempSync(join(tmpdir(), `kabi-crasher-${name}-`)));
      await target.setup?.(scratch);
      after(() => target.teardown?.());
      const files = readdirSync(join(DIR, name));
      assert.ok(files.length > 0);
      for (const file of files) {
        const raw = readFileSync(join(DIR, name, file));
        const input = file.endsWith('.xz')
          ? (await decompress(raw, { source: file })).data
          : new Uint8Array(raw);
        const t0 = performance.now();
        try {
          await target.run(input, scratch);
        } catch (e) {
          assert.ok(e instanceof KabiError, `${file}: ${(e as Error).stack}`);
        }
        const ms = performance.now() - t0;
        assert.ok(ms < 1000, `${file} took ${ms.toFixed(0)} ms`);
      }
    });
  }
});
