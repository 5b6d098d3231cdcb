// DWARF: a linked ELF's .debug_info, .debug_abbrev, string sections and .debug_aranges read into the map
// of each global to its unit's source file (parseDwarfSources), with and without a name filter (the
// filter takes the .debug_aranges path for names without a DIE).
import { parseDwarfSources } from '../../src/index.js';
import { fixture } from '../seeds.js';
import type { Target } from '../target.js';

const FILES = ['dwarf/prog-dwarf4', 'dwarf/prog-dwarf5', 'dwarf/prog-dwarf5-zlib'];

export const dwarf: Target = {
  name: 'dwarf',
  about: "a linked ELF's DWARF: each global function and variable to its compile unit's file",
  maxLength: 64 * 1024,
  dictionary: [
    '.debug_info',
    '.debug_abbrev',
    '.debug_str',
    '.debug_aranges',
    '\xff\xff\xff\xff',
    '\x05\x00\x01\x08',
  ],
  seeds: async () => FILES.map((f) => fixture(f)),
  run: async (input) => {
    await parseDwarfSources(input, { source: 'fuzz', maxSection: 16 * 1024 * 1024 });
    await parseDwarfSources(input, {
      source: 'fuzz',
      maxSection: 16 * 1024 * 1024,
      only: new Set(['main', '_start']),
    });
  },
};
