// ELF and what the loader reads from a module: the section table, symbols and relocations, the ksymtab
// (exports), .modinfo, __versions (modversions), a vmlinux's export tables, and BTF with its C printer.
import { join } from 'node:path';
import {
  type BtfType,
  cDefinition,
  encodeBtf,
  openElf,
  parseModinfo,
  parseModuleImage,
  readBtf,
  readKsymtab,
  readModuleVersionsFile,
  readModversions,
  readVmlinuxExports,
} from '../../src/index.js';
import { readRelocations, readSymbols } from '../../src/readers/elf/symbols.js';
import { type BuildSpec, ksymtabModule, ksymtabVmlinux } from '../../test/helpers/ksymtab-builder.js';
import { FIXTURES, modules, unpacked } from '../seeds.js';
import type { Target } from '../target.js';

const ELF_WORDS = [
  '\x7fELF',
  '.symtab',
  '.strtab',
  '.modinfo',
  '__versions',
  '__ksymtab',
  '__ksymtab_gpl',
  '__kcrctab',
  '__ksymtab_strings',
  '.rela__ksymtab',
  '.BTF',
  '__crc_',
  '__ksymtab_',
  'vermagic=',
  'name=',
  'depends=',
  'import_ns=',
  '~Module signature appended~\n',
];

const EXPORTS = [
  { symbol: 'kfree', crc: 0x037a0cba },
  { symbol: 'usb_stor_disconnect', crc: 0x016c79bd, gpl: true, namespace: 'USB_STORAGE' },
];

/**
 * Modules and vmlinux images with the `kernel_symbol` layouts no fixture has (test/helpers/
 * ksymtab-builder.ts): PREL32 or absolute, 2 or 3 fields, 32- and 64-bit, both byte orders, each way a
 * module carries CRCs. The real modules cover today's x86, arm64, armhf, i386, ppc64el and s390x.
 */
function layouts(): Uint8Array[] {
  const eras: Omit<BuildSpec, 'exports'>[] = [
    { is64: true, littleEndian: true, machine: 62, relative: true, fields: 3 },
    { is64: true, littleEndian: true, machine: 62, relative: false, fields: 2, crcs: 'absolute-symbol' },
    { is64: false, littleEndian: true, machine: 3, relative: false, fields: 2 },
    { is64: true, littleEndian: false, machine: 21, relative: true, fields: 2, crcs: 'rel-crcs' },
    { is64: false, littleEndian: true, machine: 40, relative: true, fields: 3, crcs: 'none' },
    { is64: true, littleEndian: false, machine: 22, relative: true, fields: 3 },
  ];
  return eras.flatMap((era) => [
    ksymtabModule({ ...era, exports: EXPORTS }),
    ksymtabVmlinux({ ...era, exports: EXPORTS, crcs: era.crcs === 'none' ? 'none' : undefined }),
  ]);
}

const elfSeeds = async () => [...(await modules()), ...layouts()];

const elfTarget = (name: string, about: string, run: Target['run']): Target => ({
  name,
  about,
  maxLength: 256 * 1024,
  dictionary: ELF_WORDS,
  seeds: elfSeeds,
  run,
});

export const elf = elfTarget(
  'elf',
  'ELF files: section table, every symbol table and relocation section',
  (input) => {
    const f = openElf(input, { source: 'fuzz.o' });
    for (const s of f.sections) {
      f.data(s);
      if (s.type === 4 || s.type === 9) {
        const target = f.sections[s.info];
        if (target) readRelocations(f, target);
      }
    }
    readSymbols(f);
  },
);

export const ko = elfTarget(
  'ko',
  'kernel modules whole (parseModuleImage: modinfo, modversions, exports, needs)',
  (input) => parseModuleImage(input, { source: 'fuzz.ko' }),
);

export const ksymtab = elfTarget(
  'ksymtab',
  "a module's exports from its __ksymtab sections (readKsymtab)",
  (input) => readKsymtab(openElf(input, { source: 'fuzz.ko' }), 'fuzz'),
);

export const versions = elfTarget('versions', "a module's __versions section (readModversions)", (input) =>
  readModversions(openElf(input, { source: 'fuzz.ko' })),
);

/**
 * The sparse reading of a module file (headers, names, __versions, .modinfo only) against the whole
 * reading: the same imports, or both refuse. Run twice, so a file read after another meets the buffer
 * the first left behind.
 */
export const versionsFile = elfTarget(
  'versions-file',
  "a module file's imports read sparsely (readModuleVersionsFile) = read whole (readModversions)",
  (input, scratch) => {
    const path = scratch.file(input, 'fuzz.ko');
    // The sparse reading reads less than a whole module image, so it may answer where the whole refuses
    // (a broken symbol table); where it answers, it must agree with __versions read from the whole file,
    // and where the whole image answers, the sparse reading must too, with the same imports and name.
    const attempt = <T>(f: () => T): T | 'refused' => {
      try {
        return f();
      } catch {
        return 'refused';
      }
    };
    const image = attempt(() => parseModuleImage(input, { source: 'fuzz.ko' }));
    const versionsOnly = attempt(() =>
      JSON.stringify(readModversions(openElf(input, { source: 'fuzz.ko' }))),
    );
    for (let i = 0; i < 2; i++) {
      const v = attempt(() => readModuleVersionsFile(path, 'fuzz.ko', 'fuzz'));
      if (v === null) continue; // compressed: read whole by the caller
      const sparse = v === 'refused' ? v : JSON.stringify({ imports: v.imports, kind: v.modversions });
      if (
        image !== 'refused' &&
        (v === 'refused' ||
          v.name !== image.name ||
          sparse !== JSON.stringify({ imports: image.imports, kind: image.modversions }))
      )
        throw new Error(`sparse reading differs from the whole image: ${sparse.slice(0, 200)}`);
      if (v !== 'refused' && sparse !== versionsOnly)
        throw new Error(
          `sparse reading answers ${sparse.slice(0, 120)} where __versions of the whole file gives ${String(versionsOnly).slice(0, 120)}`,
        );
    }
  },
);

export const vmlinux = elfTarget(
  'vmlinux',
  "a vmlinux's exports (readVmlinuxExports on ELF inputs)",
  (input) => readVmlinuxExports(input, { source: 'vmlinux' }),
);

export const modinfo: Target = {
  name: 'modinfo',
  about: '.modinfo sections (parseModinfo) cut out of the fixture modules',
  text: true,
  maxLength: 64 * 1024,
  dictionary: ['vermagic=', 'license=GPL', 'depends=', 'import_ns=', 'name=', '=', '\0'],
  seeds: async () =>
    (await modules()).flatMap((bytes) => {
      const f = openElf(bytes, { source: 'seed' });
      const s = f.section('.modinfo');
      return s ? [f.data(s)] : [];
    }),
  run: (input) => parseModinfo(input),
};

// A small BTF holding one type of each kind, so mutations reach every kind's record quickly.
const INT: BtfType = { kind: 'int', name: 'int', size: 4, encoding: 'signed', bitOffset: 0, bits: 32 };
const EVERY_KIND: Exclude<BtfType, { kind: 'void' }>[] = [
  INT as Exclude<BtfType, { kind: 'void' }>,
  { kind: 'ptr', name: '', type: 1 },
  { kind: 'array', name: '', type: 1, indexType: 1, nelems: 4 },
  {
    kind: 'struct',
    name: 'dev',
    size: 16,
    members: [
      { name: 'id', type: 1, bitOffset: 0, bitfieldSize: 0 },
      { name: 'flags', type: 1, bitOffset: 32, bitfieldSize: 3 },
      { name: 'next', type: 2, bitOffset: 64, bitfieldSize: 0 },
    ],
  },
  { kind: 'union', name: '', size: 4, members: [{ name: 'u', type: 1, bitOffset: 0, bitfieldSize: 0 }] },
  { kind: 'enum', name: 'state', size: 4, signed: false, values: [{ name: 'ON', value: 1n }] },
  { kind: 'fwd', name: 'later', union: false },
  { kind: 'typedef', name: 'dev_t', type: 4 },
  { kind: 'const', name: '', type: 8 },
  { kind: 'volatile', name: '', type: 9 },
  { kind: 'func_proto', name: '', type: 1, params: [{ name: 'd', type: 2 }], variadic: true },
  { kind: 'func', name: 'dev_open', type: 11, linkage: 'global' },
  { kind: 'var', name: 'devs', type: 3, linkage: 'global' },
  { kind: 'datasec', name: '.data', size: 16, vars: [{ type: 13, offset: 0, size: 16 }] },
  { kind: 'float', name: 'double', size: 8 },
  { kind: 'decl_tag', name: 'bpf_kfunc', type: 12, componentIdx: -1 },
  { kind: 'type_tag', name: 'user', type: 1 },
  { kind: 'enum64', name: 'big', size: 8, signed: true, values: [{ name: 'MIN', value: -1n }] },
  { kind: 'restrict', name: '', type: 2 },
];

async function btfSeeds(): Promise<Uint8Array[]> {
  const netdev = await unpacked(join(FIXTURES, 'btf', '6.1.0-50.netdev.btf.xz'));
  return [encodeBtf(EVERY_KIND, { bigEndian: false }), encodeBtf(EVERY_KIND, { bigEndian: true }), netdev];
}

const BTF_WORDS = [
  '\x9f\xeb\x01\x00',
  '\xeb\x9f\x00\x01',
  '\x18\x00\x00\x00',
  '\x00\x00\x00\x00',
  '\xff\xff\xff\x7f',
];

export const btf: Target = {
  name: 'btf',
  about: 'BTF blobs (readBtf): header, type records of every kind, strings',
  maxLength: 512 * 1024,
  dictionary: BTF_WORDS,
  seeds: btfSeeds,
  run: (input) => readBtf(input, { source: 'fuzz.btf' }),
};

export const btfC: Target = {
  name: 'btf-c',
  about: 'BTF read, then every type printed as C (cDefinition): cycles, self-reference, deep nesting',
  maxLength: 512 * 1024,
  dictionary: BTF_WORDS,
  seeds: btfSeeds,
  run: (input) => {
    let parsed: ReturnType<typeof readBtf>;
    try {
      parsed = readBtf(input, { source: 'fuzz.btf' });
    } catch {
      return; // the btf target holds readBtf to its errors; this one is about the printer
    }
    // Bounded per input: a real kernel's 100,000 types would print for seconds without being hostile.
    const last = Math.min(parsed.count, parsed.firstId + 2000);
    for (let id = parsed.firstId; id < last; id++) cDefinition(parsed, id);
  },
};
