import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moduleImage } from '../../test/helpers/builds.js';
import { Btf, type BtfMember, type BtfType } from '../model/btf.js';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { explainCrcChanges } from './explain.js';

const INT: BtfType = { kind: 'int', name: 'int', size: 4, encoding: 'signed', bitOffset: 0, bits: 32 };
const LONG: BtfType = { kind: 'int', name: 'long', size: 8, encoding: 'signed', bitOffset: 0, bits: 64 };
const m = (name: string, type: number, bitOffset: number): BtfMember => ({
  name,
  type,
  bitOffset,
  bitfieldSize: 0,
});

/**
 * A small kernel, by id:
 *   1 int, 2 long, 3 struct dev {int a; long b; [+ long flags]}, 4 struct pdev {struct dev d; int x;} (embeds),
 *   5 struct inode {struct pdev *p;}, 6 struct file {struct inode *i;}, 7-9 pointers,
 *   10 enum state, 11-12 f(struct file *), 13-14 g(int), 15-16 h(struct file *), 17-18 u(enum state),
 *   19-20 p(int | long), 21 struct lonely {int a | long a;} (reached by nothing exported),
 *   22 struct box {enum state s;} (unchanged itself, holds a changed type), then `extra`
 */
function kernel(next: boolean, extra: BtfType[] = []): Btf {
  const dev: BtfType = {
    kind: 'struct',
    name: 'dev',
    size: next ? 24 : 16,
    members: [m('a', 1, 0), m('b', 2, 64), ...(next ? [m('flags', 2, 128)] : [])],
  };
  const types: BtfType[] = [
    INT,
    LONG,
    dev,
    {
      kind: 'struct',
      name: 'pdev',
      size: next ? 32 : 24,
      members: [m('d', 3, 0), m('x', 1, next ? 192 : 128)],
    },
    { kind: 'struct', name: 'inode', size: 8, members: [m('p', 7, 0)] },
    { kind: 'struct', name: 'file', size: 8, members: [m('i', 8, 0)] },
    { kind: 'ptr', name: '', type: 4 }, // 7 struct pdev *
    { kind: 'ptr', name: '', type: 5 }, // 8 struct inode *
    { kind: 'ptr', name: '', type: 6 }, // 9 struct file *
    {
      kind: 'enum',
      name: 'state',
      size: 4,
      signed: false,
      values: [
        { name: 'OFF', value: 0n },
        { name: next ? 'IDLE' : 'ON', value: 1n },
      ],
    },
    { kind: 'func_proto', name: '', type: 1, params: [{ name: 'f', type: 9 }], variadic: false }, // 11
    { kind: 'func', name: 'f', type: 11, linkage: 'global' },
    { kind: 'func_proto', name: '', type: 1, params: [{ name: 'n', type: 1 }], variadic: false }, // 13
    { kind: 'func', name: 'g', type: 13, linkage: 'global' },
    { kind: 'func_proto', name: '', type: 1, params: [{ name: 'f', type: 9 }], variadic: false }, // 15
    { kind: 'func', name: 'h', type: 15, linkage: 'global' },
    { kind: 'func_proto', name: '', type: 1, params: [{ name: 's', type: 10 }], variadic: false }, // 17
    { kind: 'func', name: 'u', type: 17, linkage: 'global' },
    { kind: 'func_proto', name: '', type: 1, params: [{ name: 'v', type: next ? 2 : 1 }], variadic: false }, // 19
    { kind: 'func', name: 'p', type: 19, linkage: 'global' },
    { kind: 'struct', name: 'lonely', size: next ? 8 : 4, members: [m('a', next ? 2 : 1, 0)] },
    { kind: 'struct', name: 'box', size: 4, members: [m('s', 10, 0)] }, // 22 holds enum state by value
    ...extra,
  ];
  return new Btf(types, 1, null, next ? 'new' : 'old');
}

function build(source: string, crcs: Record<string, number>): KernelBuild {
  const exports = new Map<string, Export>(
    Object.entries(crcs).map(([symbol, crc]) => [
      symbol,
      { symbol, crc, module: 'vmlinux', exportType: 'EXPORT_SYMBOL', namespace: '' },
    ]),
  );
  return { source, format: 'module-symvers', labels: {}, exports, warnings: [] };
}

// f, g, u, p and k change CRC; h does not (genksyms did not expand struct file for it, say).
const OLD = build('old', { f: 1, g: 2, h: 3, u: 4, p: 5, k: 6 });
const NEW = build('new', { f: 11, g: 12, h: 3, u: 14, p: 15, k: 16 });
const sides = () =>
  [
    { build: OLD, btf: kernel(false), modules: new Map() },
    { build: NEW, btf: kernel(true), modules: new Map() },
  ] as const;

describe('explainCrcChanges', () => {
  const [a, b] = sides();
  const r = explainCrcChanges(a, b);
  const sym = (name: string) => r.symbols.find((s) => s.symbol === name)!;

  it('traces a CRC change through pointers to the struct that changed, not to those that embed it', () => {
    assert.equal(r.crcChanged, 5);
    assert.equal(sym('f').status, 'explained');
    assert.deepEqual(sym('f').roots, [
      { type: 'struct dev', path: ['f', 'struct file', 'struct inode', 'struct pdev', 'struct dev'] },
    ]);
    const dev = r.roots.find((x) => x.type === 'struct dev')!;
    assert.deepEqual(dev.changes, [
      { change: 'size', old: 16, new: 24 },
      { change: 'member-added', member: 'flags', offset: 128, type: 'long' },
    ]);
    assert.deepEqual(r.inherited, [
      {
        type: 'struct pdev',
        embeds: ['struct dev'],
        changes: [
          { change: 'size', old: 24, new: 32 },
          { change: 'member-moved', member: 'x', old: 128, new: 192 },
        ],
      },
    ]);
    assert.ok(!r.roots.some((x) => x.type === 'struct pdev'), 'pdev only grew with what it embeds');
  });

  it('names enum values and prototypes that changed', () => {
    assert.deepEqual(sym('u').roots, [{ type: 'enum state', path: ['u', 'enum state'] }]);
    assert.deepEqual(r.roots.find((x) => x.type === 'enum state')!.changes, [
      { change: 'value-added', name: 'IDLE', value: '1' },
      { change: 'value-removed', name: 'ON', value: '1' },
    ]);
    assert.deepEqual(sym('p').roots, [{ type: 'func p', path: ['p'] }]);
    assert.deepEqual(r.roots.find((x) => x.type === 'func p')!.changes, [
      { change: 'prototype', old: 'returns int; param 0: int', new: 'returns int; param 0: long' },
    ]);
  });

  it('lists unchanged types that hold a changed type by value, as libabigail would, when an export reaches them', () => {
    // No export reaches struct box: libabigail reports no type outside what the exports reach.
    assert.deepEqual(r.containers, []);
    // b(struct box *), ids 23-25, reaches it.
    const boxed = (next: boolean) => ({
      build: next
        ? build('new', { f: 11, g: 12, h: 3, u: 14, p: 15, k: 16, b: 7 })
        : build('old', { f: 1, g: 2, h: 3, u: 4, p: 5, k: 6, b: 7 }),
      btf: kernel(next, [
        { kind: 'ptr', name: '', type: 22 },
        { kind: 'func_proto', name: '', type: 1, params: [{ name: 'x', type: 23 }], variadic: false },
        { kind: 'func', name: 'b', type: 24, linkage: 'global' },
      ]),
      modules: new Map(),
    });
    assert.deepEqual(explainCrcChanges(boxed(false), boxed(true)).containers, [
      { type: 'struct box', embeds: ['enum state'] },
    ]);
  });

  it('says plainly what BTF cannot explain', () => {
    assert.equal(sym('g').status, 'no-type-change');
    assert.deepEqual(sym('g').roots, []);
    assert.equal(sym('k').status, 'no-declaration');
    assert.equal(sym('k').declaration, null);
    assert.equal(r.explained, 3);
  });

  it('counts exports whose CRC stayed although they reach a changed type', () => {
    assert.equal(r.unchangedCrcReached, 1);
    assert.equal(r.roots.find((x) => x.type === 'struct dev')!.unchangedCrcExports, 1);
    assert.ok(!r.roots.some((x) => x.type === 'struct lonely'), 'a change no export reaches is no root');
  });

  it('uses a header declaration for a variable BTF has no record of', () => {
    const [a2, b2] = sides();
    const externs = new Map([
      ['k', { key: 'struct file', declaration: 'extern struct file *k;', where: 'include/k.h' }],
    ]);
    const r2 = explainCrcChanges({ ...a2, externs }, { ...b2, externs });
    const k = r2.symbols.find((s) => s.symbol === 'k')!;
    assert.equal(k.status, 'explained');
    assert.equal(k.declarationFrom, 'include/k.h');
    assert.deepEqual(k.roots[0]!.path, ['k', 'struct file', 'struct inode', 'struct pdev', 'struct dev']);
  });

  it('limits itself to the symbols asked for', () => {
    const [a3, b3] = sides();
    const r3 = explainCrcChanges(a3, b3, { symbols: new Set(['u', 'h']) });
    assert.equal(r3.crcChanged, 1);
    assert.deepEqual(
      r3.symbols.map((s) => s.symbol),
      ['u'],
    );
  });
});

describe('explainCrcChanges with a module corpus', () => {
  // 23-25: bx(struct box *), whose CRC stays: it reaches box, which holds the changed enum state.
  const BX: BtfType[] = [
    { kind: 'ptr', name: '', type: 22 },
    { kind: 'func_proto', name: '', type: 1, params: [{ name: 'b', type: 23 }], variadic: false },
    { kind: 'func', name: 'bx', type: 24, linkage: 'global' },
  ];
  const old = build('old', { f: 1, g: 2, h: 3, u: 4, p: 5, k: 6, bx: 7 });
  const next = build('new', { f: 11, g: 12, h: 3, u: 14, p: 15, k: 16, bx: 7 });
  const base = kernel(false, BX);
  const own: BtfType[] = [
    { kind: 'struct', name: 'my_dev', size: 32, members: [m('link', 7, 0), m('dev', 3, 64)] },
    { kind: 'struct', name: 'my_ptr', size: 8, members: [m('f', 9, 0)] },
  ];
  const net = moduleImage('net', [
    ['f', 1],
    ['h', 3],
    ['bx', 7],
    ['k', 6],
    ['other_kmod_symbol', 9],
  ]);
  const r = explainCrcChanges(
    { build: old, btf: base, modules: new Map() },
    { build: next, btf: kernel(true, BX), modules: new Map() },
    {
      symbols: new Set(['u']),
      modules: [
        { image: net, btf: null },
        {
          image: moduleImage('my', [['g', 2]], { hasBtf: true }),
          btf: new Btf(own, base.count, base, 'my.ko'),
        },
        { image: moduleImage('packed', [], { hasBtf: true }), btf: null },
      ],
    },
  );
  const [netR, myR, packedR] = r.modules!;

  it('adds the imports of the corpus to the symbols asked for', () => {
    assert.deepEqual(
      r.symbols.map((s) => s.symbol),
      ['f', 'g', 'k', 'u'],
    );
  });

  it('lists every changed type a module reaches, nearest first: roots, the layouts around them, holders', () => {
    assert.deepEqual(netR!.reaches, [
      {
        type: 'struct box',
        kind: 'holder',
        imports: ['bx'],
        unchangedCrc: ['bx'],
        path: ['bx', 'struct box'],
      },
      {
        type: 'enum state',
        kind: 'root',
        imports: ['bx'],
        unchangedCrc: ['bx'],
        path: ['bx', 'struct box', 'enum state'],
      },
      {
        type: 'struct pdev',
        kind: 'layout',
        imports: ['f', 'h'],
        unchangedCrc: ['h'],
        path: ['f', 'struct file', 'struct inode', 'struct pdev'],
      },
      {
        type: 'struct dev',
        kind: 'root',
        imports: ['f', 'h'],
        unchangedCrc: ['h'],
        path: ['f', 'struct file', 'struct inode', 'struct pdev', 'struct dev'],
      },
    ]);
    assert.equal(netR!.imports, 5);
    assert.deepEqual(netR!.undeclared, ['k'], 'another module’s symbol is not a kernel export to declare');
    assert.deepEqual(myR!.reaches, [], 'g reaches no changed type');
  });

  it("says which of a module's own types hold a changed type by value, and when it cannot know", () => {
    assert.deepEqual(
      [myR!.hasBtf, myR!.holds],
      [true, [{ type: 'struct my_dev', member: 'dev', offset: 64, holds: 'struct dev' }]],
    );
    assert.deepEqual([netR!.hasBtf, netR!.holds], [false, []]);
    assert.deepEqual([packedR!.hasBtf, packedR!.holds], [true, null], 'BTF it has but was not read');
  });
});
