// `kabi explain` from store refs against `kabi explain` on the packages themselves, Debian 6.1.0-47 →
// -50, for every symbol the bundled corpus's kmods import (../shared/data): ingest keeps each kernel's
// BTF (vmlinux's and every exporting module's), and explaining from it gives the same explanation (roots,
// symbols, layouts, holders) as reading both packages. `why --built-for` takes a store ref the same way.
// (Refs stored with a type digest instead, as before migration 11: test/btf/explain-digest.test.ts.)
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readModuleImage } from '../../src/readers/module/module-image.js';
import { debianPackage } from '../helpers/debian-packages.js';
import { kabi } from '../helpers/exec.js';
import { loadSymvers, sharedSymversDir } from '../helpers/independent.js';
import { ingestedStore } from '../helpers/shared-ingest.js';

const pkgs = ['linux-image-6.1.0-47-amd64-unsigned', 'linux-image-6.1.0-50-amd64-unsigned'].map(
  debianPackage,
);
const symvers = sharedSymversDir();
const skip = !symvers
  ? 'no ../shared/data beside the checkout'
  : (pkgs.map((p) => ('skip' in p ? p.skip : null)).find((s) => s) ?? false);

/** The symbols the corpus's kmods built for 6.1.0-47 import that 6.1.0-47 exports (the bench's list). */
async function corpusImports(): Promise<string[]> {
  const dir = join(symvers!, '..', 'kmods', '6.1.0-47');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ko'));
  const imported = new Set<string>();
  for (const f of files)
    for (const i of (await readModuleImage(join(dir, f))).imports) imported.add(i.symbol);
  const exported = loadSymvers(join(symvers!, '6.1.0-47.symvers.xz'));
  return [...imported].filter((s) => exported.has(s)).sort();
}

describe('kabi explain from store refs, Debian 6.1.0-47 → -50', { skip }, () => {
  it('explains the corpus imports as explain on both packages does', async () => {
    const [p47, p50] = pkgs.map((p) => (p as { path: string }).path) as [string, string];
    const tmp = mkdtempSync(join(tmpdir(), 'kabi-explain-store-'));
    const { db, ingest } = await ingestedStore(tmp, [p47, p50]);
    assert.equal(ingest.status, 0, ingest.stderr);
    const symbols = await corpusImports();
    assert.ok(symbols.length > 400, `${symbols.length} imports`);

    const fromPackages = kabi(['explain', p47, p50, ...symbols, '-f', 'json', '-o', join(tmp, 'p.json')]);
    assert.equal(fromPackages.status, 0, fromPackages.stderr);
    const refs = ['release=6.1.0-47', 'release=6.1.0-50'];
    const fromStore = kabi([
      '--db',
      db,
      'explain',
      ...refs,
      ...symbols,
      '-f',
      'json',
      '-o',
      join(tmp, 's.json'),
    ]);
    assert.equal(fromStore.status, 0, fromStore.stderr);

    const read = (f: string) => {
      const { old: _old, new: _new, ...rest } = JSON.parse(readFileSync(join(tmp, f), 'utf8'));
      return rest;
    };
    const p = read('p.json');
    assert.ok(p.roots.some((r: { type: string }) => r.type === 'struct device'));
    assert.ok(p.explained > 100, `${p.explained} explained`);
    assert.deepEqual(read('s.json'), p);
  });
});
