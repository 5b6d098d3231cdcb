// The house rules of docs/architecture.md, checked on the source: no import cycle (type-only, re-export
// and dynamic imports count, as madge counts them) and each layer imports only the layers it may.
// TypeScript's own pre-processor lists a file's imports, so nothing here parses TypeScript by hand.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { findCycles, type ImportGraph } from './cycles.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `./x.js` → `x.ts` (or `.tsx`, or `x/index.ts`), as NodeNext and the bundler resolve it. */
function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  if (/\.(css|svg|json)$/.test(spec)) return undefined;
  const base = resolve(dirname(from), spec).replace(/\.js$/, '');
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')])
    if (existsSync(candidate)) return candidate;
  throw new Error(`${relative(ROOT, from)}: cannot resolve import '${spec}'`);
}

function importGraph(dirs: string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of dirs.flatMap((d) => sourceFiles(join(ROOT, d)))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const to = importedFiles.flatMap((f) => resolveLocal(file, f.fileName) ?? []);
    graph.set(
      relative(ROOT, file),
      to.map((t) => relative(ROOT, t)),
    );
  }
  return graph;
}

const src = importGraph(['src', 'test', 'bench', 'fuzz']);
const web = importGraph(['web/src']);

/** Which folders of src/ each folder may import (docs/architecture.md); itself always. */
const MAY_IMPORT: Record<string, string[]> = {
  model: [],
  readers: ['model', 'errors.ts'],
  writers: ['model', 'readers', 'errors.ts'],
  store: ['model', 'errors.ts'],
  analysis: ['model', 'errors.ts'],
  report: ['analysis', 'model', 'errors.ts'],
  fetch: ['readers', 'model', 'errors.ts'],
  ingest: ['readers', 'store', 'model', 'errors.ts'],
  watch: ['fetch', 'ingest', 'store', 'analysis', 'readers', 'model', 'errors.ts'],
  serve: ['index.ts', 'errors.ts'],
  cli: ['index.ts', 'index-diff.ts', 'index-modversions.ts', 'serve', 'errors.ts'],
};

/** `src/readers/elf/elf.ts` → `readers`; `src/errors.ts` → `errors.ts`. */
const layer = (file: string) => file.split('/')[1]!;

describe('imports', () => {
  it('form no cycle in src, test, bench and fuzz (type-only and dynamic imports count)', () => {
    assert.ok(src.size > 200, `read ${src.size} files`);
    assert.deepEqual(findCycles(src), []);
  });

  it('form no cycle in the dashboard pages', () => {
    assert.ok(web.size > 5, `read ${web.size} files`);
    assert.deepEqual(findCycles(web), []);
  });

  it('follow the layers: each src/ folder imports only what docs/architecture.md allows', () => {
    const broken: string[] = [];
    for (const [file, targets] of src) {
      if (!file.startsWith('src/') || file.endsWith('.test.ts')) continue;
      const allowed = MAY_IMPORT[layer(file)];
      if (allowed === undefined) continue;
      for (const t of targets) {
        const to = t.startsWith('src/') ? layer(t) : t;
        if (to !== layer(file) && !allowed.includes(to)) broken.push(`${file} → ${t}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('keep the server out of the library: src/index.ts exports nothing of src/serve', () => {
    assert.deepEqual(
      src.get('src/index.ts')!.filter((t) => t.startsWith('src/serve/')),
      [],
    );
  });
});

describe('outside tools', () => {
  it('are found on PATH (test/helpers/tools.ts), never at a fixed path', () => {
    const fixed: string[] = [];
    for (const file of src.keys()) {
      if (!file.startsWith('test/') && !file.endsWith('.test.ts')) continue;
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/['"`](\/usr)?\/s?bin\/[\w.-]+['"`]/g)) fixed.push(`${file}: ${m[0]}`);
    }
    assert.deepEqual(fixed, []);
  });
});

describe('findCycles', () => {
  it('finds each cycle once, a self-import included, and nothing in a tree', () => {
    const g: ImportGraph = new Map([
      ['a', ['b']],
      ['b', ['c', 'd']],
      ['c', ['a']],
      ['d', ['e']],
      ['e', []],
      ['f', ['f']],
      ['g', ['a']],
    ]);
    assert.deepEqual(findCycles(g), [['a', 'b', 'c'], ['f']]);
    assert.deepEqual(
      findCycles(
        new Map([
          ['x', ['y']],
          ['y', []],
        ]),
      ),
      [],
    );
  });

  it('walks a chain of 100,000 imports without overflowing the stack', () => {
    const g: ImportGraph = new Map();
    for (let i = 0; i < 100_000; i++) g.set(`m${i}`, [`m${i + 1}`]);
    g.set('m100000', ['m0']);
    assert.equal(findCycles(g)[0]!.length, 100_001);
  });
});
