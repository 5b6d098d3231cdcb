import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TypeGraph } from './type-graph.js';
import { Reachability } from './type-reach.js';

/** A graph from `key: ref ref ...` lines; facts do not matter to reachability. */
function graph(...lines: string[]): TypeGraph {
  const nodes = new Map(
    lines.map((line) => {
      const [key, refs] = line.split(': ') as [string, string];
      return [key, { key, facts: [], refs: new Set(refs ? refs.split(', ') : []) }];
    }),
  );
  return { nodes };
}

describe('Reachability', () => {
  // f reaches root1 through a cycle (a ↔ b); h has a shorter way to b; only the new kernel links c → root1.
  const before = graph(
    'func f: struct a',
    'func h: struct a, struct b',
    'func g: struct c',
    'struct a: struct b',
    'struct b: struct a, struct root1',
    'struct c: struct root2',
    'struct root1: ',
    'struct root2: ',
    'struct lone: ',
  );
  const after = graph('struct c: struct root1');
  const reach = new Reachability(before, after, ['struct root1', 'struct root2']);

  it("finds the roots a declaration reaches through cycles and through either kernel's edges", () => {
    assert.deepEqual(reach.targetsOf('func f'), ['struct root1']);
    assert.deepEqual(reach.targetsOf('func g').sort(), ['struct root1', 'struct root2']);
    assert.deepEqual(reach.targetsOf('struct root1'), ['struct root1'], 'a root reaches itself');
    assert.deepEqual(reach.targetsOf('struct lone'), []);
    assert.deepEqual(reach.targetsOf('func unknown'), []);
  });

  it('gives a shortest path to each root, starting at the label', () => {
    assert.deepEqual(reach.paths('func f', 'f'), [
      { type: 'struct root1', path: ['f', 'struct a', 'struct b', 'struct root1'] },
    ]);
    assert.deepEqual(reach.paths('func h', 'h'), [
      { type: 'struct root1', path: ['h', 'struct b', 'struct root1'] },
    ]);
    assert.deepEqual(reach.paths('struct lone', 'lone'), []);
  });

  it('gives paths to the targets asked for only', () => {
    assert.deepEqual(reach.paths('func g', 'g', new Set(['struct root2'])), [
      { type: 'struct root2', path: ['g', 'struct c', 'struct root2'] },
    ]);
    assert.deepEqual(
      reach
        .paths('func g', 'g')
        .map((p) => p.type)
        .sort(),
      ['struct root1', 'struct root2'],
    );
    assert.deepEqual(reach.paths('func f', 'f', new Set(['struct root2'])), []);
  });

  it('walks a chain too deep for recursion', () => {
    const n = 50_000;
    const lines = Array.from({ length: n }, (_, i) => `struct t${i}: ${i + 1 < n ? `struct t${i + 1}` : ''}`);
    const deep = new Reachability(graph(...lines), graph(), [`struct t${n - 1}`]);
    assert.deepEqual(deep.targetsOf('struct t0'), [`struct t${n - 1}`]);
    assert.equal(deep.paths('struct t0', 'x')[0]!.path.length, n);
  });
});
