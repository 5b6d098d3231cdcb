// `depends` is input: a chain of 20,000 modules installed together (each depending on the next) is judged
// without overflowing the stack, in linear time, and cycles are named, at any depth.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Export } from '../model/export.js';
import type { ModuleImage } from '../model/module-image.js';
import { type CompatTarget, moduleVerdicts } from './module-compat.js';

const VERMAGIC = '6.1.0-47-amd64 SMP preempt mod_unload modversions ';
const N = 20_000;

const printk: Export = {
  symbol: 'printk',
  crc: 1,
  module: 'vmlinux',
  exportType: 'EXPORT_SYMBOL',
  namespace: '',
};
const K: CompatTarget = {
  name: 'k',
  build: {
    source: 'k',
    format: 'module-symvers',
    labels: {},
    exports: new Map([['printk', printk]]),
    warnings: [],
  },
  vermagic: VERMAGIC,
  modules: new Set(),
};

const mod = (name: string, depends: string[], imports = [{ symbol: 'printk', crc: 1 }]): ModuleImage => ({
  source: `${name}.ko`,
  name,
  path: null,
  modinfo: [{ key: 'intree', value: 'Y' }],
  vermagic: VERMAGIC,
  license: 'GPL',
  depends,
  importNs: [],
  srcversion: null,
  imports,
  modversions: 'versions',
  exports: [],
  hasBtf: false,
  elf: { class: 64, endian: 'little', machine: 62 },
});

/** m0 → m1 → … → m(N-1); the last depends on `last` (nothing, or back up the chain). */
const chain = (last: string[], lastImports?: { symbol: string; crc: number }[]) =>
  Array.from({ length: N }, (_, i) =>
    i === N - 1 ? mod(`m${i}`, last, lastImports) : mod(`m${i}`, [`m${i + 1}`]),
  );

describe('depends: deep chains and cycles', () => {
  it('a chain of 20,000 modules that all load', () => {
    const vs = moduleVerdicts(chain([]), K);
    assert.equal(vs.length, N);
    assert.equal(
      vs.every((v) => v.loads),
      true,
    );
  });

  it('a chain of 20,000 whose last module fails: every one fails on its dependency, quoted in bounds', () => {
    const vs = moduleVerdicts(chain([], [{ symbol: 'gone', crc: 1 }]), K);
    assert.equal(
      vs.every((v) => !v.loads),
      true,
    );
    assert.deepEqual(
      vs[N - 1]!.reasons.map((r) => r.code),
      ['missing-symbol'],
    );
    assert.deepEqual(
      vs[N - 2]!.reasons.map((r) => r.message),
      [`m${N - 2}: needs m${N - 1}, which does not load on k: m${N - 1}: Unknown symbol gone (err -2)`],
    );
    const top = vs[0]!.reasons[0]!;
    assert.equal(top.code, 'dependency-fails');
    assert.equal(top.module, 'm1');
    // Each level quotes the one below: without a bound the top message would hold all 20,000.
    assert.ok(top.message.length < 2200, `${top.message.length} characters`);
  });

  it('a cycle closing a chain of 20,000 is named once, whole, and fails every module of it', () => {
    const vs = moduleVerdicts(chain(['m0']), K);
    const cycle = vs[N - 1]!.reasons.filter((r) => r.code === 'dependency-cycle');
    assert.equal(cycle.length, 1);
    assert.equal(cycle[0]!.module, 'm0');
    const names = Array.from({ length: N }, (_, i) => `m${i}`);
    assert.equal(cycle[0]!.message, `${[...names, 'm0'].join(' → ')}: dependency cycle`);
    assert.equal(
      vs.every((v) => !v.loads),
      true,
    );
    assert.deepEqual(
      vs.slice(0, N - 1).map((v) => v.reasons.map((r) => r.code).join()),
      Array(N - 1).fill('dependency-fails'),
    );
  });

  it('a cycle of three judged from its middle, and a module outside it that depends on it', () => {
    const a = mod('a', ['b']);
    const b = mod('b', ['c']);
    const c = mod('c', ['a']);
    const user = mod('user', ['b', 'printk_helper']);
    const [vb, va, vc, vu] = moduleVerdicts([b, a, c, user], K);
    // Judged from b: b → c → a → b; a's dependency b is in the chain being judged.
    assert.deepEqual(
      va!.reasons.map((r) => r.message),
      ['b → c → a → b: dependency cycle'],
    );
    assert.match(vc!.reasons[0]!.message, /^c: needs a, which does not load on k: b → c → a → b/);
    assert.match(vb!.reasons[0]!.message, /^b: needs c, which does not load on k: c: needs a/);
    assert.deepEqual(
      vu!.reasons.map((r) => r.code),
      ['dependency-fails', 'dependency-missing'],
    );
  });

  it('a module that depends on itself', () => {
    const [v] = moduleVerdicts([mod('self', ['self'])], K);
    assert.deepEqual(
      v!.reasons.map((r) => r.message),
      ['self → self: dependency cycle'],
    );
  });
});
