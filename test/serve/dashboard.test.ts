// The committed dashboard build (src/serve/dashboard): `kabi serve` ships it instead of building at run
// time, so it must exist, hold no inline script but boot.ts, and be exactly what `npm run build:web` makes of web/.
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
  it('exists; index.html loads only files that are there, and inlines only boot.ts and its style sheet', () => {
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
    // The first script and the style sheet are inline, bare (the server allows each by its hash); nothing else.
    const inline = [...html.matchAll(/<(script|style)\b([^>]*)>/g)].filter((m) => !/\bsrc=/.test(m[2]!));
    assert.deepEqual(
      inline.map((m) => m[0]),
      ['<script>', '<style>'],
      'one inline script (boot.ts) and one inline style sheet, bare',
    );
    assert.doesNotMatch(html, /\sstyle=|\son\w+=/, 'no style attribute or handler');
    assert.doesNotMatch(html, /\/assets\/boot-/, 'boot.ts inline, not a file as well');
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
