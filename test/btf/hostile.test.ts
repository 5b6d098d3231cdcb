// Hostile BTF (issue 16, items 3-5): type graphs that loop or expand exponentially, read and walked by
// the reader, the C printers (one definition, and the whole header of `kabi btf -f c`) and explain's type
// graph. Each must end in a typed error or a bounded output, within a second, never a RangeError.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { explainCrcChanges, kernelTypeDigest } from '../../src/analysis/explain.js';
import { TypeGraphBuilder } from '../../src/analysis/type-graph.js';
import { ArtifactFormatError } from '../../src/errors.js';
import { Btf } from '../../src/model/btf.js';
import { cDefinition } from '../../src/model/btf-c.js';
import { btfToC } from '../../src/model/btf-dump.js';
import type { Export } from '../../src/model/export.js';
import type { KernelBuild } from '../../src/model/kernel-build.js';
import { readBtf } from '../../src/readers/btf/btf.js';
import { btfTypesToText } from '../../src/report/btf.js';
import { buildBtf } from '../helpers/btf-builder.js';
import { formatErrorOf } from '../helpers/format-error.js';
import { HOSTILE_BTF, HOSTILE_BTF_DIR } from '../helpers/hostile-btf.js';

/** What each walk may spend on one of these blobs (measured: at most 0.3 s, on 2 busy cores). */
const MS = 1000;
/** Output the printer may write for one of these blobs (the trees: 1.4 MB, 42 definitions elided). */
const MAX_CHARS = 8 << 20;

function timed<T>(what: string, run: () => T): T {
  const t0 = performance.now();
  const out = run();
  const ms = performance.now() - t0;
  assert.ok(ms < MS, `${what}: ${Math.round(ms)} ms`);
  return out;
}

/** Runs `run`; a throw must be a typed error (an ArtifactFormatError), never a RangeError. */
function typedOrValue<T>(run: () => T): T | ArtifactFormatError {
  try {
    return run();
  } catch (e) {
    assert.ok(e instanceof ArtifactFormatError, `expected a typed error, got ${String(e)}`);
    return e;
  }
}

function build(source: string, symbols: string[], crc: number): KernelBuild {
  const exports = new Map<string, Export>(
    symbols.map((symbol) => [
      symbol,
      { symbol, crc, module: 'vmlinux', exportType: 'EXPORT_SYMBOL', namespace: '' },
    ]),
  );
  return { source, format: 'module-symvers', labels: {}, exports, warnings: [] };
}

describe('hostile BTF', () => {
  for (const [name, { types, refused }] of Object.entries(HOSTILE_BTF)) {
    const bytes = readFileSync(join(HOSTILE_BTF_DIR, name));
    // As a reader would have it, or, for blobs the reader refuses, built in memory past it.
    const btf = new Btf(types, 1, null, name);

    describe(name, () => {
      it('is the blob test/helpers/hostile-btf.ts builds', () => {
        assert.deepEqual(new Uint8Array(bytes), buildBtf(types));
      });

      it(refused ? 'is refused by the reader with a typed error' : 'reads', () => {
        if (refused) assert.match(formatErrorOf(() => readBtf(bytes, { source: name })).message, refused);
        else assert.equal(readBtf(bytes, { source: name }).count, types.length + 1);
      });

      it('is checked as wholly when read lazily: the same refusal, or the same types decoded on demand', () => {
        const eager = typedOrValue(() => readBtf(bytes, { source: name }));
        const lazy = typedOrValue(() => readBtf(bytes, { source: name, lazy: true }));
        if (eager instanceof ArtifactFormatError) {
          assert.ok(lazy instanceof ArtifactFormatError);
          assert.equal(lazy.message, eager.message);
          return;
        }
        assert.ok(!(lazy instanceof ArtifactFormatError));
        assert.equal(lazy.count, eager.count);
        assert.equal(lazy.ownItems, eager.ownItems);
        for (let id = eager.count - 1; id >= 1; id--) assert.deepEqual(lazy.get(id), eager.get(id));
        assert.deepEqual(lazy.own, eager.own);
      });

      it('prints as C in bounded time and size, as built and as read', () => {
        // As read, sizes past 32 bits have wrapped: other layouts again.
        const read = refused ? [] : [readBtf(bytes, { source: name })];
        for (const b of [btf, ...read]) {
          const ids = Array.from(types, (_t, i) => i + 1);
          const text = timed('C', () => btfTypesToText(b, ids));
          assert.ok(text.length < MAX_CHARS, `${text.length} chars`);
          timed('graph', () => typedOrValue(() => new TypeGraphBuilder().addTypes(b)));
        }
      });

      it('writes a C header and its problems (btfToC, as kabi btf -f c) in bounded time and size', () => {
        // As built, and as read (sizes past 32 bits wrap in the blob: other layouts again).
        for (const b of [btf, ...(refused ? [] : [readBtf(bytes, { source: name })])]) {
          const got = timed('header', () => btfToC(b));
          assert.ok(got.text.length < MAX_CHARS, `${got.text.length} chars`);
          if (name === 'list-head.btf') assert.deepEqual(got.problems, []);
          if (name === 'anon-self-ptr.btf')
            assert.ok(got.problems.includes('unsatisfiable type cycle, id:[1]'));
        }
      });

      it("builds explain's type graph, or refuses it with a typed error, in bounded time", () => {
        const funcs = types.flatMap((t) => (t.kind === 'func' ? [t.name] : []));
        const old = { build: build('old', funcs, 1), btf, modules: new Map() };
        const next = {
          build: build('new', funcs, 2),
          btf: new Btf(types, 1, null, `${name} again`),
          modules: new Map(),
        };
        timed('explain', () => typedOrValue(() => explainCrcChanges(old, next)));
        timed('graph', () => typedOrValue(() => new TypeGraphBuilder().addTypes(btf)));
        // Ingest's digest of it: kept, or refused with a warning on the build (the build is stored either way).
        const b = build('ingest', funcs, 1);
        const digest = timed('digest', () => kernelTypeDigest(b, { btf, modules: new Map() }));
        if (digest === null) assert.match(b.warnings.join('\n'), /^types not kept for explain: /m);
        else assert.deepEqual(b.warnings, []);
      });
    });
  }

  it('writes loops as comments, where C has no spelling for them', () => {
    const self = new Btf(HOSTILE_BTF['proto-self.btf']!.types, 1, null, 'p');
    assert.equal(
      cDefinition(self, 4),
      'int f(/* [2] loops back to itself */ void (*a), /* [2] loops back to itself */ void b);',
    );
    const ptr = new Btf(HOSTILE_BTF['anon-self-ptr.btf']!.types, 1, null, 'a');
    assert.equal(
      cDefinition(ptr, 3),
      'struct holder {\n\tstruct {\n\t\t/* [1] loops back to itself */ void *next;\n\t} a;\n};',
    );
  });

  it('elides what a shared tree repeats past the budget, and says so', () => {
    const tree = new Btf(HOSTILE_BTF['anon-tree.btf']!.types, 1, null, 't');
    const text = cDefinition(tree, tree.count - 1);
    assert.match(text, /^struct top \{\n\tstruct \{\n\t\tstruct \{/);
    assert.match(text, /elided: output limit/);
  });

  it('refuses to flatten an anonymous struct that holds itself, naming where', () => {
    const self = new Btf(HOSTILE_BTF['anon-self.btf']!.types, 1, null, 'anon-self.btf');
    const e = formatErrorOf(() => new TypeGraphBuilder().addTypes(self));
    assert.match(
      e.message,
      /^anon-self\.btf: anonymous struct \[1\] holds itself, or nests over 64 deep, at a\.self$/,
    );
  });

  it('prints a named struct that points to itself exactly', () => {
    const list = readBtf(readFileSync(join(HOSTILE_BTF_DIR, 'list-head.btf')), { source: 'l' });
    assert.equal(
      cDefinition(list, 1),
      'struct list_head {\n\tstruct list_head *next;\n\tstruct list_head *prev;\n};',
    );
    const g = new TypeGraphBuilder();
    g.addTypes(list);
    assert.deepEqual(g.nodes.get('struct list_head'), {
      key: 'struct list_head',
      facts: ['size 16', 'member next @0: struct list_head *', 'member prev @64: struct list_head *'],
      refs: new Set(['struct list_head']),
    });
  });
});
