import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../errors.js';
import type { Export } from '../model/export.js';
import { parseStablelist } from '../readers/stablelist/parse.js';
import { formatReference } from './stablelist.js';

const exp = (symbol: string, crc: number, module = 'vmlinux'): Export => ({
  symbol,
  crc,
  module,
  exportType: 'EXPORT_SYMBOL',
  namespace: '',
});
const exports = [exp('vfio_pin_pages', 0x1a2b3c4d, 'drivers/vfio/vfio'), exp('__alloc_pages', 0xff)];

describe('formatReference', () => {
  it('writes each format in its shape, and each reads back with the same symbols (and CRCs where kept)', () => {
    assert.equal(
      formatReference('module-kabi', exports),
      '0x1a2b3c4d\tvfio_pin_pages\tdrivers/vfio/vfio\tEXPORT_SYMBOL\t\n0x000000ff\t__alloc_pages\tvmlinux\tEXPORT_SYMBOL\t\n',
    );
    assert.equal(
      formatReference('rhel', exports, { arch: 'x86_64', name: 'rhel9' }),
      '[rhel9_x86_64_stablelist]\n\t__alloc_pages\n\tvfio_pin_pages\n',
    );
    assert.equal(formatReference('gki', exports), '[abi_symbol_list]\n  vfio_pin_pages\n  __alloc_pages\n');
    for (const format of ['module-kabi', 'suse', 'rhel', 'gki'] as const) {
      const list = parseStablelist(formatReference(format, exports, { arch: 'x86_64' }), { source: format });
      assert.deepEqual([...list.symbols.keys()].sort(), ['__alloc_pages', 'vfio_pin_pages'], format);
      if (format === 'module-kabi' || format === 'suse')
        assert.equal(list.symbols.get('vfio_pin_pages')!.crc, 0x1a2b3c4d);
    }
  });

  it('a rhel stablelist without an arch is a usage error', () => {
    assert.throws(() => formatReference('rhel', exports), UsageError);
  });
});
