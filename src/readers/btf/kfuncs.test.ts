import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type BtfRecord, buildBtf } from '../../../test/helpers/btf-builder.js';
import { formatErrorOf } from '../../../test/helpers/format-error.js';
import {
  btfIdsWords,
  KERNEL_BTF_IDS_ADDR,
  kfuncVmlinux,
  TASK_KFUNC_TYPES,
} from '../../../test/helpers/kfunc-vmlinux.js';
import type { Btf } from '../../model/btf.js';
import { KF_FLAGS, kfFlagNames } from '../../model/kfunc.js';
import { readBtf } from './btf.js';
import { type BtfIdSymbol, type KernelBtf, parseSystemMap, readKernelBtf } from './kernel-btf.js';
import { BTF_SET8_KFUNCS, kfuncsOf, readSet8, scanSets } from './kfuncs.js';

const KF_ACQUIRE = 1;
const KF_RELEASE = 2;
const KF_RET_NULL = 4;
const KF_RCU = 1 << 7;

// ids 1-7: TASK_KFUNC_TYPES; 8 helper (a kernel function that is no kfunc), 9 proto (int, ...) → int,
// 10 bpf_vararg
const TYPES: BtfRecord[] = [
  ...TASK_KFUNC_TYPES,
  { kind: 'func', name: 'helper', type: 6, linkage: 'static' },
  { kind: 'func_proto', name: '', type: 1, params: [{ name: 'fmt', type: 1 }], variadic: true },
  { kind: 'func', name: 'bpf_vararg', type: 9, linkage: 'global' },
];

const words = btfIdsWords;
const ADDR = KERNEL_BTF_IDS_ADDR;

/**
 * A BTF_ID_LIST (struct task_struct, unused), a BTF_SET of func ids, a set8 "generic_btf_ids" with
 * two kfuncs, and a set8 "bpf_mptcp_fmodret_ids" (flags 0) holding `helper`.
 */
function section(setFlags: number, le = true) {
  const list = [2, 0];
  const set = [2, 5, 7];
  const generic = [2, setFlags, 5, KF_ACQUIRE | KF_RET_NULL | KF_RCU, 7, KF_RELEASE];
  const fmodret = [1, 0, 8, 0];
  const data = words([...list, ...set, ...generic, ...fmodret], le);
  const symbols: BtfIdSymbol[] = [
    { name: '__BTF_ID__struct__task_struct__1', addr: ADDR },
    { name: '__BTF_ID__set__btf_allowlist', addr: ADDR + 8n },
    { name: '__BTF_ID__set8__generic_btf_ids', addr: ADDR + 20n, size: 24 },
    { name: '__BTF_ID__func__bpf_task_acquire__7', addr: ADDR + 28n },
    { name: '__BTF_ID__set8__bpf_mptcp_fmodret_ids', addr: ADDR + 44n, size: 16 },
  ];
  return { data, symbols };
}

function kernel(btf: Btf, setFlags: number, opts: { symbols?: boolean; le?: boolean } = {}): KernelBtf {
  const { data, symbols } = section(setFlags, opts.le);
  return {
    source: 'vmlinux',
    btf,
    raw: null,
    modules: new Map(),
    btfIds: { addr: ADDR, data, littleEndian: opts.le ?? true, fileOffset: 0x1000 },
    btfIdSymbols: opts.symbols === false ? null : symbols,
    symbolSource: opts.symbols === false ? null : 'symtab',
    release: '6.12.0-test',
    moduleBtfIds: null,
    warnings: [],
  };
}

const vmlinuxBtf = (le = true) => readBtf(buildBtf(TYPES, { littleEndian: le }), { source: 'vmlinux' });

describe('kfuncs from .BTF_ids set8 sets', () => {
  it('names each kfunc of a set with its prototype, flags and set (symbols from the symtab)', () => {
    const list = kfuncsOf(kernel(vmlinuxBtf(), BTF_SET8_KFUNCS));
    assert.equal(list.method, 'btf-ids');
    assert.equal(list.symbolSource, 'symtab');
    assert.equal(list.setFlag, true);
    assert.deepEqual(
      list.kfuncs.map((k) => [k.name, k.prototype, k.signature, kfFlagNames(k.flags!), k.sets, k.btfId]),
      [
        [
          'bpf_task_acquire',
          'struct task_struct *bpf_task_acquire(struct task_struct *p)',
          'struct task_struct *bpf_task_acquire(struct task_struct *)',
          ['KF_ACQUIRE', 'KF_RET_NULL', 'KF_RCU'],
          ['generic_btf_ids'],
          5,
        ],
        [
          'bpf_task_release',
          'void bpf_task_release(struct task_struct *p)',
          'void bpf_task_release(struct task_struct *)',
          ['KF_RELEASE'],
          ['generic_btf_ids'],
          7,
        ],
      ],
      'a kernel that flags kfunc sets (6.9+): the unflagged fmodret set is no kfunc set',
    );
  });

  it('before BTF_SET8_KFUNCS every set8 is a kfunc set except a *fmodret* one', () => {
    const list = kfuncsOf(kernel(vmlinuxBtf(), 0));
    assert.equal(list.setFlag, false);
    assert.deepEqual(
      list.kfuncs.map((k) => k.name),
      ['bpf_task_acquire', 'bpf_task_release'],
    );
  });

  it('finds the same sets by shape when there are no symbols, and says so', () => {
    const named = kfuncsOf(kernel(vmlinuxBtf(), BTF_SET8_KFUNCS));
    const scanned = kfuncsOf(kernel(vmlinuxBtf(), BTF_SET8_KFUNCS, { symbols: false }));
    assert.equal(scanned.method, 'btf-ids-scan');
    assert.equal(scanned.symbolSource, null);
    assert.deepEqual(
      scanned.kfuncs.map((k) => [k.name, k.flags, k.sets]),
      named.kfuncs.map((k) => [k.name, k.flags, []]),
    );
  });

  it('without symbols or the set flag, an fmodret set cannot be told from a kfunc set (6.2-6.8)', () => {
    const scanned = kfuncsOf(kernel(vmlinuxBtf(), 0, { symbols: false }));
    assert.deepEqual(
      scanned.kfuncs.map((k) => k.name),
      ['bpf_task_acquire', 'bpf_task_release', 'helper'],
    );
  });

  it('the scan skips what is not a set8: lists, BTF_SET, non-func ids, unsorted ids', () => {
    const btf = vmlinuxBtf();
    const where = (ws: number[]) => ({
      source: 'x',
      section: { addr: 0n, data: words(ws), littleEndian: true, fileOffset: 0 },
    });
    assert.deepEqual(scanSets(where([2, 0, 2, 5, 7]), btf), [], 'a list and a BTF_SET');
    assert.deepEqual(scanSets(where([1, 0, 2, 0]), btf), [], 'a struct id is no kfunc');
    assert.deepEqual(scanSets(where([2, 1, 7, 0, 5, 0]), btf), [], 'resolve_btfids sorts pairs by id');
    assert.deepEqual(scanSets(where([1, 3, 5, 0]), btf), [], 'set flags other than 0 or 1');
    const found = scanSets(where([9, 9, 1, 1, 5, 0, 1, 0, 7, 0]), btf);
    assert.deepEqual(
      found.map((s) => [s.offset, s.pairs.map((p) => p.id)]),
      [
        [8, [5]],
        [24, [7]],
      ],
    );
  });

  it('takes the set symbols from a System.map', () => {
    const map = section(BTF_SET8_KFUNCS)
      .symbols.map((s) => `${s.addr.toString(16)} r ${s.name}`)
      .join('\n');
    const symbols = parseSystemMap(`ffffffff81000000 T _stext\n${map}\n`, 'System.map')!;
    const k = { ...kernel(vmlinuxBtf(), BTF_SET8_KFUNCS), btfIdSymbols: symbols };
    k.symbolSource = 'System.map';
    const list = kfuncsOf(k);
    assert.equal(list.symbolSource, 'System.map');
    assert.deepEqual(
      list.kfuncs.map((x) => x.sets),
      [['generic_btf_ids'], ['generic_btf_ids']],
    );
  });

  it('reads a big-endian kernel the same', () => {
    const le = kfuncsOf(kernel(vmlinuxBtf(), BTF_SET8_KFUNCS));
    const be = kfuncsOf(kernel(vmlinuxBtf(false), BTF_SET8_KFUNCS, { le: false }));
    assert.deepEqual(be.kfuncs, le.kfuncs);
  });

  it('writes a variadic prototype with ...', () => {
    const btf = vmlinuxBtf();
    const data = words([1, BTF_SET8_KFUNCS, 10, 0]);
    const k: KernelBtf = {
      ...kernel(btf, 1, { symbols: false }),
      btfIds: { addr: 0n, data, littleEndian: true, fileOffset: 0 },
    };
    const [f] = kfuncsOf(k).kfuncs;
    assert.equal(f!.prototype, 'int bpf_vararg(int fmt, ...)');
    assert.equal(f!.signature, 'int bpf_vararg(int, ...)');
  });

  it('reads the sets of modules from their own .BTF_ids against split BTF', () => {
    const baseBytes = buildBtf(TYPES);
    const base = readBtf(baseBytes, { source: 'vmlinux' });
    // ids 11, 12: a module's own kfunc taking a struct task_struct * (base id 3).
    const modBtf = readBtf(
      buildBtf(
        [
          { kind: 'func_proto', name: '', type: 1, params: [{ name: 't', type: 3 }], variadic: false },
          { kind: 'func', name: 'bpf_ct_release', type: 11, linkage: 'global' },
        ],
        { base: baseBytes },
      ),
      { source: 'nf_conntrack', base },
    );
    const k = kernel(base, BTF_SET8_KFUNCS);
    k.modules = new Map([['nf_conntrack', modBtf]]);
    k.moduleBtfIds = new Map([
      [
        'nf_conntrack',
        {
          btfIds: {
            addr: 0n,
            data: words([0, 1, BTF_SET8_KFUNCS, 12, KF_RELEASE]),
            littleEndian: true,
            fileOffset: 64,
          },
          btfIdSymbols: [{ name: '__BTF_ID__set8__nf_ct_kfunc_set', addr: 4n, size: 16 }],
        },
      ],
    ]);
    const list = kfuncsOf(k);
    assert.deepEqual(list.modules, ['nf_conntrack']);
    const ct = list.kfuncs.find((x) => x.name === 'bpf_ct_release')!;
    assert.deepEqual(
      [ct.module, ct.prototype, ct.sets, ct.flags],
      ['nf_conntrack', 'int bpf_ct_release(struct task_struct *t)', ['nf_ct_kfunc_set'], KF_RELEASE],
    );
    assert.equal(list.kfuncs.at(-1), ct, 'vmlinux first, then modules');
  });
});

describe('kfuncs from bpf_kfunc decl tags', () => {
  const tagged: BtfRecord[] = [
    ...TYPES,
    { kind: 'decl_tag', name: 'bpf_kfunc', type: 5, componentIdx: -1 },
    { kind: 'decl_tag', name: 'bpf_kfunc', type: 7, componentIdx: -1 },
    { kind: 'decl_tag', name: 'bpf_kfunc', type: 8, componentIdx: 0 }, // on a parameter: not a kfunc
    { kind: 'decl_tag', name: 'other', type: 10, componentIdx: -1 },
  ];

  it('a raw BTF file (no .BTF_ids) names its kfuncs by their tags, flags unknown', () => {
    const btf = readBtf(buildBtf(tagged), { source: 'btf' });
    const k: KernelBtf = { ...kernel(btf, 1), btfIds: null, btfIdSymbols: null, symbolSource: null };
    const list = kfuncsOf(k);
    assert.equal(list.method, 'decl-tag');
    assert.deepEqual(
      list.kfuncs.map((x) => [x.name, x.flags]),
      [
        ['bpf_task_acquire', null],
        ['bpf_task_release', null],
      ],
    );
  });

  it('with .BTF_ids the sets add flags', () => {
    const list = kfuncsOf(kernel(readBtf(buildBtf(tagged), { source: 'btf' }), BTF_SET8_KFUNCS));
    assert.equal(list.method, 'decl-tag');
    assert.deepEqual(
      list.kfuncs.map((x) => [x.name, x.flags]),
      [
        ['bpf_task_acquire', KF_ACQUIRE | KF_RET_NULL | KF_RCU],
        ['bpf_task_release', KF_RELEASE],
      ],
    );
  });

  it('a raw BTF file without tags cannot say which functions are kfuncs', () => {
    const k: KernelBtf = { ...kernel(vmlinuxBtf(), 1), btfIds: null, btfIdSymbols: null };
    const e = formatErrorOf(() => kfuncsOf(k));
    assert.match(e.message, /no bpf_kfunc decl tags and no \.BTF_ids section/);
  });
});

describe('bad .BTF_ids', () => {
  const btf = vmlinuxBtf();
  const at = (ws: number[], symbols: BtfIdSymbol[] | null): KernelBtf => ({
    ...kernel(btf, 1),
    btfIds: { addr: ADDR, data: words(ws), littleEndian: true, fileOffset: 0x1000 },
    btfIdSymbols: symbols,
  });
  const set8 = (off: bigint, size?: number): BtfIdSymbol => ({
    name: '__BTF_ID__set8__s',
    addr: ADDR + off,
    ...(size === undefined ? {} : { size }),
  });

  it('a set count past the end of the section', () => {
    const e = formatErrorOf(() => kfuncsOf(at([0, 3, 1, 5, 0], [set8(4n)])));
    assert.equal(e.offset, 0x1004);
    assert.equal(e.section, '.BTF_ids');
    assert.match(
      e.message,
      /set8 s: cnt 3 runs past the end of the section \(1 of 3 pairs fit\): truncated or corrupt/,
    );
  });

  it('a truncated section: the set header itself is cut', () => {
    const e = formatErrorOf(() => kfuncsOf(at([0, 1], [set8(4n)])));
    assert.equal(e.offset, 0x1004);
    assert.match(e.message, /set8 s: its 8-byte header at 4 runs past the end of the 8-byte section/);
  });

  it('a symbol outside the section (symbols of another build)', () => {
    const e = formatErrorOf(() => kfuncsOf(at([1, 1, 5, 0], [set8(0x100n)])));
    assert.equal(e.offset, undefined);
    assert.match(e.message, /symbol __BTF_ID__set8__s at 0xffffffff828e5bd0 lies outside \.BTF_ids/);
  });

  it('an id past the last BTF type', () => {
    const bad = formatErrorOf(() => kfuncsOf(at([2, 1, 5, 0, 9999, 0], [set8(0n)])));
    assert.equal(bad.offset, 0x1000 + 16);
    assert.match(bad.message, /set8 s: id 9999 is past the last BTF type \(10\)/);
  });

  it('an id that is not a func', () => {
    const e = formatErrorOf(() => kfuncsOf(at([1, 1, 2, 0], [set8(0n)])));
    assert.equal(e.offset, 0x1008);
    assert.match(e.message, /id 2 is a struct task_struct, not a func/);
  });

  it('an unresolved entry (id 0) is a warning; a symbol size that disagrees with cnt too', () => {
    const list = kfuncsOf(at([2, 1, 0, 0, 5, 0], [set8(0n, 16)]));
    assert.deepEqual(
      list.kfuncs.map((k) => k.name),
      ['bpf_task_acquire'],
    );
    assert.equal(list.warnings.length, 2);
    assert.match(list.warnings.join('\n'), /is 16 bytes by its symbol but holds 2 pairs/);
    assert.match(list.warnings.join('\n'), /unresolved entry \(id 0\)/);
  });

  it('readSet8 checks bounds on its own', () => {
    const where = { source: 'x', section: { addr: 0n, data: words([5]), littleEndian: true, fileOffset: 0 } };
    assert.match(formatErrorOf(() => readSet8(where, 0, null)).message, /8-byte header at 0 runs past/);
    assert.match(formatErrorOf(() => readSet8(where, -4, null)).message, /header at -4/);
  });
});

describe('KF_* flag names', () => {
  it('names known bits in order and writes unknown ones as shifts', () => {
    assert.deepEqual(kfFlagNames(0), []);
    assert.deepEqual(kfFlagNames(KF_ACQUIRE | KF_RET_NULL), ['KF_ACQUIRE', 'KF_RET_NULL']);
    assert.deepEqual(kfFlagNames((1 << 12) | (1 << 20)), ['KF_FASTCALL', '1 << 20']);
    assert.deepEqual(kfFlagNames(2 ** 31), ['1 << 31']);
    assert.equal(new Set(KF_FLAGS.map(([, v]) => v)).size, KF_FLAGS.length, 'one name per bit');
  });
});

describe('readKernelBtf of a vmlinux ELF', () => {
  it('reads __BTF_ID__ symbols at kernel addresses (past 2^53) with their sizes', async () => {
    const { data, symbols } = section(BTF_SET8_KFUNCS);
    const specs = symbols.map((s) => ({ name: s.name, offset: Number(s.addr - ADDR), size: s.size ?? 4 }));
    const elf = kfuncVmlinux(TYPES, data, specs);
    const path = join(mkdtempSync(join(tmpdir(), 'kabi-kfuncs-')), 'vmlinux');
    writeFileSync(path, elf);
    const k = await readKernelBtf(path);
    assert.equal(k.symbolSource, 'symtab');
    assert.equal(k.btfIds?.addr, ADDR);
    assert.deepEqual(
      k.btfIdSymbols,
      symbols.map((s) => ({ name: s.name, addr: s.addr, size: s.size ?? 4 })),
    );
    const list = kfuncsOf(k);
    assert.deepEqual(
      list.kfuncs.map((x) => [x.name, x.sets]),
      [
        ['bpf_task_acquire', ['generic_btf_ids']],
        ['bpf_task_release', ['generic_btf_ids']],
      ],
    );
  });
});
