// Finding a type by name in a BTF read on demand (hashes of the names' bytes, btf.ts nameHashOf) against
// the same BTF decoded whole and looked up by its strings: the same ids for every name of every kind.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { readBtf } from '../../src/readers/btf/btf.js';
import { FIXTURES, unxzBytes } from '../helpers/independent.js';

it('finds each name among its kinds as a BTF decoded whole does, by the hash of its bytes', () => {
  const bytes = new Uint8Array(unxzBytes(join(FIXTURES, 'btf', '6.1.0-47.netdev.btf.xz')));
  const lazy = readBtf(bytes, { source: 'netdev', lazy: true });
  const whole = readBtf(bytes, { source: 'netdev' });
  const names = new Set<string>();
  for (let id = 1; id < whole.count; id++) if (whole.get(id).name) names.add(whole.get(id).name);
  assert.ok(names.size > 500, `${names.size} names`);
  let found = 0;
  for (const name of [...names, 'no_such_name', 'device_', '']) {
    for (const kinds of ['declared', 'tagged'] as const) {
      const want = whole
        .named(name)
        .filter((id) =>
          kinds === 'declared'
            ? ['func', 'var'].includes(whole.get(id).kind)
            : ['struct', 'union', 'enum', 'enum64', 'fwd', 'typedef'].includes(whole.get(id).kind),
        );
      assert.deepEqual([...lazy.named(name, kinds)], want, `${kinds} ${name}`);
      found += want.length;
    }
    assert.equal(lazy.find(name, 'func'), whole.find(name, 'func'));
    assert.equal(lazy.find(name, 'struct'), whole.find(name, 'struct'));
  }
  assert.ok(found > 500, `${found} found`);
});
