import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rootChanges } from './type-diff.js';
import type { TypeGraph } from './type-graph.js';

function graph(types: Record<string, string[]>): TypeGraph {
  return {
    nodes: new Map(Object.entries(types).map(([key, facts]) => [key, { key, facts, refs: new Set() }])),
  };
}

describe('rootChanges', () => {
  it('names member, value and definition changes; ignores opaque, unchanged and one-sided types', () => {
    const before = graph({
      'struct s': ['size 8', 'member a @0: int', 'member b @32: int'],
      'enum e': ['size 4', 'value A = 0', 'value B = 1'],
      'typedef t': ['= int'],
      'struct opaque': [],
      'struct same': ['size 4', 'member x @0: int'],
    });
    const after = graph({
      'struct s': ['size 8', 'member a @0: long', 'member c @32: int'],
      'enum e': ['size 4', 'value A = 0', 'value B = 2'],
      'typedef t': ['= long'],
      'struct opaque': ['size 4'],
      'struct same': ['size 4', 'member x @0: int'],
      'struct new': ['size 4'],
    });
    assert.deepEqual(
      rootChanges(before, after),
      new Map<string, unknown>([
        [
          'struct s',
          [
            { change: 'member-retyped', member: 'a', old: 'int', new: 'long' },
            { change: 'member-added', member: 'c', offset: 32, type: 'int' },
            { change: 'member-removed', member: 'b', offset: 32, type: 'int' },
          ],
        ],
        ['enum e', [{ change: 'value-changed', name: 'B', old: '1', new: '2' }]],
        ['typedef t', [{ change: 'definition', old: '= int', new: '= long' }]],
      ]),
    );
  });
});
