import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { embeddedMembers } from './type-graph.js';

describe('embeddedMembers', () => {
  it('reads the members held by value, arrays included, not those behind a pointer', () => {
    const facts = [
      'size 64',
      'member dev @0: struct device',
      'member parent @64: struct device *',
      'member slots @128: union slot[2][4]',
      'member flags @192:3: gfp_t',
      'member n @224: long unsigned int',
    ];
    assert.deepEqual(embeddedMembers(facts), [
      { member: 'dev', offset: 0, key: 'struct device' },
      { member: 'slots', offset: 128, key: 'union slot' },
      { member: 'flags', offset: 192, key: 'typedef gfp_t' },
    ]);
  });
});
