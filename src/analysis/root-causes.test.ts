import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rootCauses } from './root-causes.js';
import type { TypeGraph } from './type-graph.js';

function graph(types: Record<string, string[]>): TypeGraph {
  return {
    nodes: new Map(Object.entries(types).map(([key, facts]) => [key, { key, facts, refs: new Set() }])),
  };
}

describe('rootCauses', () => {
  // dev grows; pdev embeds dev and ndev embeds pdev (nested layout changes); dev_t is retyped and
  // holder only grew with it; busy embeds dev but also gained a member of its own; outer holds mid
  // holds enum e, neither changed itself.
  const unchanged = {
    'struct mid': ['size 4', 'member e @0: enum e'],
    'struct outer': ['size 8', 'member m @0: struct mid', 'member p @32: struct mid *'],
  };
  const before = graph({
    ...unchanged,
    'struct dev': ['size 8', 'member a @0: long'],
    'struct pdev': ['size 16', 'member d @0: struct dev', 'member x @64: long'],
    'struct ndev': ['size 24', 'member p @0: struct pdev', 'member y @128: long'],
    'typedef dev_t': ['= u32'],
    'struct holder': ['size 8', 'member t @0: dev_t', 'member z @32: int'],
    'struct busy': ['size 8', 'member d @0: struct dev'],
    'enum e': ['size 4', 'value A = 0'],
  });
  const after = graph({
    ...unchanged,
    'struct dev': ['size 16', 'member a @0: long', 'member b @64: long'],
    'struct pdev': ['size 24', 'member d @0: struct dev', 'member x @128: long'],
    'struct ndev': ['size 32', 'member p @0: struct pdev', 'member y @192: long'],
    'typedef dev_t': ['= u64'],
    'struct holder': ['size 16', 'member t @0: dev_t', 'member z @64: int'],
    'struct busy': ['size 24', 'member d @0: struct dev', 'member n @128: long'],
    'enum e': ['size 4', 'value A = 1'],
  });
  const c = rootCauses(before, after);

  it('tells inherited layout changes, nested or through a typedef, from roots', () => {
    assert.deepEqual(
      new Map([...c.inherited].sort()),
      new Map([
        ['struct holder', ['typedef dev_t']],
        ['struct ndev', ['struct pdev']],
        ['struct pdev', ['struct dev']],
      ]),
    );
    assert.deepEqual([...c.roots.keys()].sort(), ['enum e', 'struct busy', 'struct dev', 'typedef dev_t']);
    assert.equal(c.changed.size, 7);
  });

  it('lists unchanged types that hold a changed one by value, through each other', () => {
    assert.deepEqual(
      c.containers,
      new Map([
        ['struct mid', ['enum e']],
        ['struct outer', ['struct mid']],
      ]),
    );
  });
});
