// Diffs of real Debian bookworm Module.symvers, checked against an independent computation.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compareBuilds, readKernelExports, summarizeExports } from '../../src/index.js';
import {
  countChanges,
  FIXTURES,
  loadSymvers,
  seriesFiles,
  sharedSymversDir,
} from '../helpers/independent.js';

async function assertDiffMatches(oldPath: string, newPath: string) {
  const [a, b] = await Promise.all([readKernelExports(oldPath), readKernelExports(newPath)]);
  const ra = loadSymvers(oldPath);
  const rb = loadSymvers(newPath);
  assert.equal(a.exports.size, ra.size, 'export count of old');
  assert.equal(b.exports.size, rb.size, 'export count of new');
  const want = countChanges(ra, rb);
  const got = compareBuilds(a, b);
  const s = got.summary;
  assert.deepEqual(
    {
      added: s.added,
      removed: s.removed,
      crcChanged: s.crcChanged,
      exportTypeChanged: s.exportTypeChanged,
      namespaceChanged: s.namespaceChanged,
      moved: s.moved,
    },
    {
      added: want.added,
      removed: want.removed,
      crcChanged: want.crcChanged,
      exportTypeChanged: want.exportTypeChanged,
      namespaceChanged: want.namespaceChanged,
      moved: want.moved,
    },
  );
  const tightened = got.changes.filter((c) => c.kind === 'export-type-changed' && c.breaking).length;
  assert.equal(tightened, want.gplTightened, 'GPL tightenings');
  // Default policy: removal, CRC change, tightening and new namespaces fail; the rest warns.
  const breaking = got.changes.filter((c) => c.breaking).length;
  assert.equal(s.fail, breaking);
  assert.equal(s.warn, got.changes.length - breaking);
  return { got, want };
}

describe('real Debian data (committed fixtures)', () => {
  const f = (abi: string) => join(FIXTURES, 'debian', `${abi}.symvers.xz`);

  it('6.1.0-54 → 6.1.0-55 matches an independent comparison', async () => {
    const { got, want } = await assertDiffMatches(f('6.1.0-54'), f('6.1.0-55'));
    assert.equal(got.new.exports, 24683);
    assert.ok(want.crcChanged > 0 && want.added > 0 && want.removed > 0, 'a real step with changes');
  });

  it('6.1.0-55 → 6.12.117+deb12: the series jump, with moves, namespace and export-type changes', async () => {
    const { got, want } = await assertDiffMatches(f('6.1.0-55'), f('6.12.117+deb12'));
    assert.ok(
      want.moved > 0 && want.namespaceChanged > 0 && want.exportTypeChanged > 0,
      'the jump has every kind',
    );
    assert.equal(got.verdict, 'incompatible');
    assert.equal(got.exitCode, 12);
  });

  it('a build against itself is unchanged, with the same CRC digest', async () => {
    const a = await readKernelExports(f('6.12.117+deb12'));
    const r = compareBuilds(a, a);
    assert.equal(r.changes.length, 0);
    assert.equal(r.verdict, 'unchanged');
    assert.equal(r.exitCode, 0);
    const other = await readKernelExports(f('6.1.0-55'));
    assert.notEqual(summarizeExports(a).crcDigest, summarizeExports(other).crcDigest);
  });
});

const shared = sharedSymversDir();
describe('real Debian series (../shared/data)', {
  skip: shared ? false : 'no ../shared/data beside the checkout',
}, () => {
  for (const prefix of ['6.1.0-', '6.12.'] as const) {
    it(`every consecutive step of the ${prefix}* series matches an independent comparison`, async () => {
      const files = seriesFiles(shared!, prefix);
      assert.ok(files.length >= 5, `expected the whole series, found ${files.length}`);
      for (let i = 1; i < files.length; i++) await assertDiffMatches(files[i - 1]!, files[i]!);
    });
  }

  it('6.1.0-55 → 6.1.0-56: a new ABI name with identical exports (same CRC digest)', async () => {
    const dir = shared!;
    const { got } = await assertDiffMatches(
      join(dir, '6.1.0-55.symvers.xz'),
      join(dir, '6.1.0-56.symvers.xz'),
    );
    assert.equal(got.changes.length, 0);
    assert.equal(got.exitCode, 0);
    const [a, b] = await Promise.all([
      readKernelExports(join(dir, '6.1.0-55.symvers.xz')),
      readKernelExports(join(dir, '6.1.0-56.symvers.xz')),
    ]);
    assert.equal(summarizeExports(a).crcDigest, summarizeExports(b).crcDigest);
  });

  it('6.1.0-47 → 6.1.0-50 changes most CRCs and must fail the default policy', async () => {
    const dir = shared!;
    const { got, want } = await assertDiffMatches(
      join(dir, '6.1.0-47.symvers.xz'),
      join(dir, '6.1.0-50.symvers.xz'),
    );
    assert.ok(want.crcChanged > 10000, `a mass CRC change, found ${want.crcChanged}`);
    assert.equal(got.verdict, 'incompatible');
  });

  it('the 6.1 → 6.12 jump (first of each series) matches', async () => {
    const dir = shared!;
    await assertDiffMatches(join(dir, '6.1.0-47.symvers.xz'), join(dir, '6.12.107+deb12.symvers.xz'));
  });
});
