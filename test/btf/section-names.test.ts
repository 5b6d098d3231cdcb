// mayHaveSection, the look at a module's section names that spares searching its bytes for kfunc sets
// (moduleSetsOf), against the ELF reader's own section list: it may answer true for a file without the
// section, never false for one with it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mayHaveSection } from '../../src/readers/btf/kernel-btf.js';
import { openElf } from '../../src/readers/elf/elf.js';
import { buildElf } from '../helpers/elf-builder.js';

const BTF_IDS = Buffer.from('.BTF_ids\0', 'latin1');
const has = (bytes: Uint8Array) => {
  try {
    return openElf(bytes, { source: 'x' }).sections.some((s) => s.name === '.BTF_ids');
  } catch {
    return null; // the ELF reader refuses it: moduleSetsOf would too
  }
};

describe('mayHaveSection', () => {
  it('finds .BTF_ids exactly where the ELF reader does, in every class and byte order', () => {
    const names = ['.BTF_ids', '.rela.BTF_ids', '.BTF_idsx', '.BTF', '.text', '__versions'];
    fc.assert(
      fc.property(fc.subarray(names), fc.boolean(), fc.boolean(), (picked, is64, littleEndian) => {
        const elf = buildElf({
          is64,
          littleEndian,
          machine: 62,
          sections: picked.map((name) => ({ name, data: new Uint8Array(8) })),
        });
        assert.equal(
          mayHaveSection(elf, BTF_IDS),
          picked.includes('.BTF_ids') || picked.includes('.rela.BTF_ids'),
        );
        assert.equal(has(elf), picked.includes('.BTF_ids'));
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('never says no to a module that has the section, however damaged its header', () => {
    const elf = buildElf({
      is64: true,
      littleEndian: true,
      machine: 62,
      sections: [
        { name: '.text', data: new Uint8Array(16) },
        { name: '.BTF_ids', data: new Uint8Array(8) },
      ],
    });
    fc.assert(
      fc.property(fc.nat({ max: 63 }), fc.nat({ max: 255 }), (at, value) => {
        const bytes = Buffer.from(elf);
        bytes[at] = value;
        if (has(bytes) === true) assert.equal(mayHaveSection(bytes, BTF_IDS), true);
      }),
      { numRuns: 2000, seed: 5 },
    );
  });

  it('says no for real modules without it', () => {
    const ko = join(
      import.meta.dirname,
      '..',
      '..',
      '..',
      'test',
      'fixtures',
      'modules',
      'kmods',
      '6.1.0-47',
      'acpi_call.ko',
    );
    const bytes = readFileSync(ko);
    assert.equal(has(bytes), false);
    assert.equal(mayHaveSection(bytes, BTF_IDS), false);
    assert.equal(mayHaveSection(bytes, Buffer.from('.modinfo\0')), true);
  });
});
