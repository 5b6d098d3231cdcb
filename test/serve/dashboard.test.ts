// The committed dashboard build (src/serve/dashboard): `kabi serve` ships it instead of building at run
// time, so it must exist, hold no inline script, and be exactly what `npm run build:web` makes of web/.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/independent.js';

const BUILT = join(ROOT, 'src', 'serve', 'dashboard');

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

const hasVite = (() => {
  try {
    createRequire(join(ROOT, 'package.json')).resolve('vite');
    return true;
  } catch {
    return false;
  }
})();

describe('the committed dashboard build', () => {
  it('exists; index.html loads only files that are there, and has no inline script or style', () => {
    const html = readFileSync(join(BUILT, 'index.html'), 'utf8');
    const refs = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(
      refs.some((r) => /^\/assets\/index-[\w-]+\.js$/.test(r)),
      'the script bundle',
    );
    // The shell's navigation: hash routes of this page, no file.
    const fileRefs = refs.filter((r) => !/^#\/\w+$/.test(r));
    for (const ref of fileRefs) {
      assert.match(ref, /^\/[\w./-]+$/, `${ref}: a file of this origin`);
      assert.ok(existsSync(join(BUILT, ref)), `${ref} exists`);
    }
    for (const tag of html.matchAll(/<script\b[^>]*>/g)) assert.match(tag[0], /\bsrc=/, 'no inline script');
    assert.doesNotMatch(html, /<style\b|\sstyle=|\son\w+=/, 'no inline style or handler');
  });

  it('is what npm run build:web makes of web/ now', {
    skip: hasVite ? false : 'vite is not installed',
  }, async () => {
    const { build } = await import('vite');
    const out = join(mkdtempSync(join(tmpdir(), 'kabi-web-')), 'dashboard');
    await build({
      configFile: join(ROOT, 'web', 'vite.config.ts'),
      logLevel: 'silent',
      build: { outDir: out, emptyOutDir: true },
    });
    assert.deepEqual(files(out), files(BUILT), 'run npm run build:web and commit src/serve/dashboard');
    for (const f of files(out))
      assert.ok(
        readFileSync(join(out, f)).equals(readFileSync(join(BUILT, f))),
        `${f}: run npm run build:web`,
      );
  });
});
