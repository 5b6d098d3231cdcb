import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ArtifactFormatError } from '../errors.js';
import { loadPolicy, MAX_STABLELISTS } from './load-policy.js';

const dir = mkdtempSync(join(tmpdir(), 'kabi-load-policy-'));
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const list = (n: number) => write(`list${n}`, `[rhel9_x86_64_stablelist]\n\tsym${n}\n`);

async function refusal(policyPath: string): Promise<ArtifactFormatError> {
  const e = await loadPolicy({ policyPath }).then(
    () => assert.fail('loaded'),
    (e: unknown) => e,
  );
  assert.ok(e instanceof ArtifactFormatError, String(e));
  return e;
}

describe('loadPolicy bounds what a policy file can ask for', () => {
  it('reads a stablelist named twice once', async () => {
    list(0);
    const p = await loadPolicy({ policyPath: write('twice', 'stablelist list0\nstablelist ./list0\n') });
    assert.equal(p.stablelists.length, 1);
  });

  it('refuses a policy naming itself, a device, and more than MAX_STABLELISTS lists, at the line', async () => {
    const self = await refusal(write('self', 'symbol * fail removed\nstablelist self\n'));
    assert.equal(self.line, 2);
    assert.match(self.message, /self:2: stablelist self: names the policy file itself/);
    const zero = await refusal(write('zero', 'stablelist /dev/zero\n'));
    assert.match(zero.message, /zero:1: stablelist \/dev\/zero: not a regular file or directory/);
    const lines = Array.from(
      { length: MAX_STABLELISTS + 1 },
      (_, i) => `stablelist ${list(i).slice(dir.length + 1)}`,
    );
    const many = await refusal(write('many', `${lines.join('\n')}\n`));
    assert.equal(many.line, MAX_STABLELISTS + 1);
    assert.match(many.reason, new RegExp(`more than ${MAX_STABLELISTS} stablelists`));
    // One fewer is read, every list.
    const p = await loadPolicy({ policyPath: write('enough', `${lines.slice(0, -1).join('\n')}\n`) });
    assert.equal(p.stablelists.length, MAX_STABLELISTS);
  });
});
