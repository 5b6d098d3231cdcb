// Every `struct kernel_symbol` layout, in modules and in vmlinux, on ELF files written by
// test/helpers/ksymtab-builder.ts from the kernel's own macros (the real Debian fixtures cover the
// 12-byte PREL32 and the 12- and 24-byte absolute layouts; see test/real-data/module-ports.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArtifactFormatError } from '../../src/errors.js';
import { openElf } from '../../src/readers/elf/elf.js';
import { ksymtabLayout, readKsymtab } from '../../src/readers/module/ksymtab.js';
import { parseModuleImage } from '../../src/readers/module/module-image.js';
import { readVmlinuxExports } from '../../src/readers/module/vmlinux.js';
import { buildElf } from '../helpers/elf-builder.js';
import {
  type BuildSpec,
  type BuiltExport,
  ksymtabModule,
  ksymtabVmlinux,
} from '../helpers/ksymtab-builder.js';

const EXPORTS: BuiltExport[] = [
  { symbol: 'crc_itu_t', crc: 0x09a34a2b },
  { symbol: 'usb_stor_probe1', crc: 0xfedcba98, gpl: true, namespace: 'USB_STORAGE' },
  { symbol: 'crc_itu_t_table', crc: 0xd819a524 },
];

type Era = Omit<BuildSpec, 'exports' | 'crcs'> & { name: string; entry: number };

// The layouts as the kernel has built them (machine numbers: EM_X86_64 62, EM_386 3, EM_PPC64 21,
// EM_S390 22, EM_ARM 40, EM_PPC 20, EM_AARCH64 183).
const ERAS: Era[] = [
  {
    name: 'x86_64 4.19–5.3 (8-byte PREL32)',
    is64: true,
    littleEndian: true,
    machine: 62,
    relative: true,
    fields: 2,
    entry: 8,
  },
  {
    name: 'x86_64 5.4+ (12-byte PREL32)',
    is64: true,
    littleEndian: true,
    machine: 62,
    relative: true,
    fields: 3,
    entry: 12,
  },
  {
    name: 'x86_64 before 4.19 (16-byte absolute)',
    is64: true,
    littleEndian: true,
    machine: 62,
    relative: false,
    fields: 2,
    entry: 16,
  },
  {
    name: 'arm64 5.4+ (12-byte PREL32)',
    is64: true,
    littleEndian: true,
    machine: 183,
    relative: true,
    fields: 3,
    entry: 12,
  },
  {
    name: 'ppc64el 5.4+ (24-byte absolute)',
    is64: true,
    littleEndian: true,
    machine: 21,
    relative: false,
    fields: 3,
    entry: 24,
  },
  {
    name: 's390x 5.4+ (24-byte absolute, big-endian)',
    is64: true,
    littleEndian: false,
    machine: 22,
    relative: false,
    fields: 3,
    entry: 24,
  },
  {
    name: 's390x before 5.4 (16-byte absolute, big-endian)',
    is64: true,
    littleEndian: false,
    machine: 22,
    relative: false,
    fields: 2,
    entry: 16,
  },
  {
    name: 'i386 5.4+ (12-byte PREL32, ELF32)',
    is64: false,
    littleEndian: true,
    machine: 3,
    relative: true,
    fields: 3,
    entry: 12,
  },
  {
    name: 'i386 before 4.19 (8-byte absolute)',
    is64: false,
    littleEndian: true,
    machine: 3,
    relative: false,
    fields: 2,
    entry: 8,
  },
  {
    name: 'armhf 5.4+ (12-byte absolute, REL)',
    is64: false,
    littleEndian: true,
    machine: 40,
    relative: false,
    fields: 3,
    entry: 12,
  },
  {
    name: 'ppc32 before 5.4 (8-byte absolute, big-endian)',
    is64: false,
    littleEndian: false,
    machine: 20,
    relative: false,
    fields: 2,
    entry: 8,
  },
];

/** What readKsymtab should give: GPL table after the plain one; no namespace before 5.4. */
function expected(era: Era, module: string, exports = EXPORTS) {
  const row = (e: BuiltExport) => ({
    symbol: e.symbol,
    crc: e.crc,
    module,
    exportType: e.gpl ? 'EXPORT_SYMBOL_GPL' : 'EXPORT_SYMBOL',
    namespace: era.fields === 3 ? (e.namespace ?? '') : '',
  });
  return [...exports.filter((e) => !e.gpl).map(row), ...exports.filter((e) => e.gpl).map(row)];
}

function layoutOf(bytes: Uint8Array, section = '__ksymtab') {
  const elf = openElf(bytes, { source: 't' });
  const tab = elf.section(section)!;
  return ksymtabLayout(elf, tab);
}

describe('kernel_symbol layouts, read from the ELF', () => {
  for (const era of ERAS) {
    it(`a module of ${era.name}`, () => {
      const ko = ksymtabModule({ ...era, exports: EXPORTS });
      const m = parseModuleImage(ko, { source: 'x.ko', path: 'drivers/x' });
      assert.deepEqual(m.exports, expected(era, 'drivers/x'));
      const l = layoutOf(ko);
      assert.deepEqual([l.entry, l.relative, l.fields], [era.entry, era.relative, era.fields]);
      assert.equal(m.elf.endian, era.littleEndian ? 'little' : 'big');
    });
    it(`a vmlinux of ${era.name}`, () => {
      const vmlinux = ksymtabVmlinux({ ...era, exports: EXPORTS });
      assert.deepEqual(readVmlinuxExports(vmlinux, { source: 'vmlinux' }), expected(era, 'vmlinux'));
      const l = layoutOf(vmlinux);
      assert.deepEqual([l.entry, l.relative, l.fields], [era.entry, era.relative, era.fields]);
    });
  }

  it('tells 24 bytes of one absolute entry from two PREL32 entries by the relocation types', () => {
    const one = [{ symbol: 'a', crc: 1 }];
    const two = [
      { symbol: 'a', crc: 1 },
      { symbol: 'b', crc: 2 },
    ];
    const ppc = ksymtabModule({
      is64: true,
      littleEndian: true,
      machine: 21,
      relative: false,
      fields: 3,
      exports: one,
      crcs: 'none',
    });
    const x86 = ksymtabModule({
      is64: true,
      littleEndian: true,
      machine: 62,
      relative: true,
      fields: 3,
      exports: two,
      crcs: 'none',
    });
    assert.equal(openElf(ppc, { source: 'p' }).section('__ksymtab')!.size, 24);
    assert.equal(openElf(x86, { source: 'x' }).section('__ksymtab')!.size, 24);
    assert.deepEqual(
      parseModuleImage(ppc, { source: 'p.ko' }).exports.map((e) => e.symbol),
      ['a'],
    );
    assert.deepEqual(
      parseModuleImage(x86, { source: 'x.ko' }).exports.map((e) => e.symbol),
      ['a', 'b'],
    );
    // No CRC table to count the entries: 24 bytes of 4-byte fields could be 3 × 8 or 2 × 12; the
    // relocations at 0, 4, 12, 16 (and not 8) say 12.
    const l = layoutOf(x86);
    assert.equal(l.entry, 12);
  });

  it('reads a vmlinux without CRCs (CONFIG_MODVERSIONS off) by where the names point', () => {
    for (const era of ERAS) {
      const vmlinux = ksymtabVmlinux({ ...era, exports: EXPORTS, crcs: 'none' });
      const got = readVmlinuxExports(vmlinux, { source: 'vmlinux' });
      assert.deepEqual(
        got,
        expected(era, 'vmlinux').map((e) => ({ ...e, crc: null })),
        era.name,
      );
    }
  });
});

describe('module CRCs as the loader relocates them', () => {
  const x86 = ERAS[1]!;
  it('5.19+: the CRC is in __kcrctab itself', () => {
    const ko = ksymtabModule({ ...x86, exports: EXPORTS, crcs: 'immediate' });
    assert.deepEqual(
      parseModuleImage(ko, { source: 'x.ko' }).exports.map((e) => e.crc),
      [0x09a34a2b, 0xd819a524, 0xfedcba98],
    );
  });
  for (const era of [x86, ERAS[4]!, ERAS[5]!, ERAS[7]!, ERAS[9]!]) {
    it(`before 5.19: relocations against absolute __crc_* symbols (${era.name})`, () => {
      const ko = ksymtabModule({ ...era, exports: EXPORTS, crcs: 'absolute-symbol' });
      // The section itself holds zeros: what an unrelocated read would report.
      const elf = openElf(ko, { source: 'x.ko' });
      const raw = elf.data(elf.section('__kcrctab')!);
      assert.ok(raw.every((b) => b === 0));
      assert.deepEqual(
        readKsymtab(elf, 'x').map((e) => [e.symbol, e.crc]),
        [
          ['crc_itu_t', 0x09a34a2b],
          ['crc_itu_t_table', 0xd819a524],
          ['usb_stor_probe1', 0xfedcba98],
        ],
      );
    });
  }
  it('ppc64 MODULE_REL_CRCS (4.10–5.18): `.long __crc_sym - .`, the CRC at __crc_sym in .rodata', () => {
    const ko = ksymtabModule({ ...ERAS[4]!, exports: EXPORTS, crcs: 'rel-crcs' });
    assert.deepEqual(
      parseModuleImage(ko, { source: 'x.ko' }).exports.map((e) => e.crc),
      [0x09a34a2b, 0xd819a524, 0xfedcba98],
    );
  });
});

describe('an unrecognised ksymtab is an error naming the section and sizes', () => {
  const x86 = ERAS[1]!;

  function rejects(
    bytes: Uint8Array,
    re: RegExp,
    read: (b: Uint8Array) => unknown = (b) => parseModuleImage(b, { source: 'm.ko' }),
  ) {
    assert.throws(
      () => read(bytes),
      (e: unknown) => {
        assert.ok(e instanceof ArtifactFormatError, String(e));
        assert.match(e.message, re);
        return true;
      },
    );
  }

  it('a CRC table that counts a different number of entries', () => {
    const ko = Buffer.from(ksymtabModule({ ...x86, exports: EXPORTS }));
    const elf = openElf(ko, { source: 'm.ko' });
    // Rename __kcrctab to __kcrctab_gpl: the 1-entry GPL ksymtab then meets the 2 CRCs of the other.
    const crcGpl = elf.section('__kcrctab')!;
    const gpl = elf.section('__kcrctab_gpl')!;
    const shoff = Number(ko.readBigUInt64LE(40));
    ko.writeUInt32LE(ko.readUInt32LE(shoff + gpl.index * 64), shoff + crcGpl.index * 64);
    rejects(
      ko,
      /^m\.ko@0x[0-9a-f]+ \(__ksymtab_gpl\): cannot recognise the kernel_symbol layout: section size 12, 2 CRCs; 3 4-byte relocations fit neither the 8- nor the 12-byte kernel_symbol$/,
    );
  });

  it('a ksymtab with no relocations in a .ko', () => {
    const ko = buildElf({
      is64: true,
      littleEndian: true,
      machine: 62,
      sections: [
        { name: '__ksymtab', data: new Uint8Array(24) },
        { name: '__ksymtab_strings', data: Buffer.from('a\0\0') },
      ],
    });
    rejects(
      ko,
      /\(__ksymtab\): cannot recognise the kernel_symbol layout: section size 24, no CRC table; no relocations/,
    );
  });

  it('a vmlinux whose entries point outside __ksymtab_strings', () => {
    const vmlinux = Buffer.from(ksymtabVmlinux({ ...x86, exports: EXPORTS }));
    const elf = openElf(vmlinux, { source: 'vmlinux' });
    const tab = elf.section('__ksymtab')!;
    vmlinux.fill(0x41, tab.offset, tab.offset + tab.size);
    rejects(
      vmlinux,
      /^vmlinux@0x[0-9a-f]+ \(__ksymtab\): cannot recognise the kernel_symbol layout: section size 24, 2 CRCs; tried 12-byte PREL32 \(3 fields\): none points every name into __ksymtab_strings$/,
      (b) => readVmlinuxExports(b, { source: 'vmlinux' }),
    );
  });

  it('a vmlinux with __ksymtab_strings and no ksymtab is an error, not an empty export list', () => {
    const vmlinux = buildElf({
      is64: true,
      littleEndian: true,
      machine: 62,
      type: 2,
      sections: [{ name: '__ksymtab_strings', data: Buffer.from('a\0'), addr: 0xffffffff82000000n }],
    });
    rejects(vmlinux, /no __ksymtab entries beside __ksymtab_strings/, (b) =>
      readVmlinuxExports(b, { source: 'vmlinux' }),
    );
  });
});
