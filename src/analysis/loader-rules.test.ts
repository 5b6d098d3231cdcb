// The configuration-dependent rules, one switch at a time, including the settings no Debian kernel has
// (CONFIG_MODULE_FORCE_LOAD off, CONFIG_MODVERSIONS off, CONFIG_MODULE_SIG off, missing namespace imports
// allowed, upstream's missing-record rule): read from kernel/module/*.c of 6.1, not booted.
// test/loader/ proves Debian's settings against the kernel itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Export } from '../model/export.js';
import { type LoaderProfile, UNKNOWN_PROFILE } from '../model/loader-profile.js';
import type { ModuleImage } from '../model/module-image.js';
import type { Reason } from '../model/verdict.js';
import { taintLetters } from '../model/verdict.js';
import { applyLoaderRules, type LoaderFacts, neededImports } from './loader-rules.js';
import { moduleVerdicts } from './module-compat.js';

const DEBIAN: LoaderProfile = {
  modversions: true,
  forceLoad: true,
  sig: true,
  sigForce: false,
  allowMissingNamespaceImports: false,
  vendor: 'debian',
  source: 'config',
};

const printk: Export = {
  symbol: '_printk',
  crc: 0x92997ed8,
  module: 'vmlinux',
  exportType: 'EXPORT_SYMBOL',
  namespace: '',
};
const layout: Export = { ...printk, symbol: 'module_layout', crc: 0x160c03af };
const facts: LoaderFacts = {
  lookup: (s) => [printk, layout].find((e) => e.symbol === s),
  kernelHasCrcs: true,
};

const image = (over: Partial<ModuleImage> = {}): ModuleImage => ({
  source: 'x.ko',
  name: 'x',
  path: null,
  modinfo: [{ key: 'license', value: 'GPL' }],
  vermagic: '6.1.0-47-amd64 SMP preempt mod_unload modversions ',
  license: 'GPL',
  depends: [],
  importNs: [],
  srcversion: null,
  imports: [
    { symbol: 'module_layout', crc: layout.crc! },
    { symbol: '_printk', crc: printk.crc! },
  ],
  modversions: 'versions',
  exports: [],
  hasBtf: false,
  needs: ['_printk'],
  signed: false,
  elf: { class: 64, endian: 'little', machine: 62 },
  ...over,
});

const reason = (code: Reason['code'], symbol?: string): Reason => ({ code, symbol, message: `x: ${code}` });
const apply = (p: Partial<LoaderProfile>, m: ModuleImage, reasons: Reason[] = []) =>
  applyLoaderRules(m, { ...DEBIAN, ...p }, { reasons, notes: [] }, facts);
const unversioned = image({ imports: [], modversions: 'none' });

describe('loader rules that depend on the configuration', () => {
  it('CONFIG_MODVERSIONS off: no CRC is checked', () => {
    const r = apply({ modversions: false }, image(), [
      reason('crc-mismatch', '_printk'),
      reason('module-layout'),
    ]);
    assert.deepEqual(r.reasons, []);
    assert.equal(r.notes[0], 'CONFIG_MODVERSIONS is off: no CRC is checked');
  });

  it('no __versions or no vermagic: tainted (F) with CONFIG_MODULE_FORCE_LOAD, refused without, said when unknown', () => {
    const forced = apply({}, unversioned, [reason('no-modversions'), reason('no-vermagic')]);
    assert.deepEqual(forced.reasons, []);
    assert.deepEqual(
      forced.taints.filter((t) => t.flag === 'F').map((t) => t.message),
      ['x: module_layout: kernel tainted.', 'x: bad vermagic: kernel tainted.'],
    );
    const refused = apply({ forceLoad: false }, unversioned, [reason('no-modversions')]);
    assert.match(
      refused.reasons[0]!.message,
      /refused, the kernel has no CONFIG_MODULE_FORCE_LOAD \(insmod: Invalid module format/,
    );
    const unknown = apply({ forceLoad: null }, unversioned, [reason('no-modversions')]);
    assert.equal(unknown.reasons.length, 1);
    assert.deepEqual(
      unknown.dependsOn.map((d) => d.option),
      ['CONFIG_MODULE_FORCE_LOAD'],
    );
  });

  it("an import without a __versions record: Debian's loader refuses it, upstream's warns", () => {
    const m = image({ imports: [{ symbol: 'module_layout', crc: layout.crc! }] });
    const debian = apply({}, m, [reason('namespace-not-imported', '_printk')]);
    assert.deepEqual(
      debian.reasons.map((r) => `${r.code} ${r.symbol}`),
      ['no-symbol-version _printk'],
    );
    assert.match(
      debian.reasons[0]!.message,
      /^x: no symbol version for _printk, then Unknown symbol _printk \(err -22\)/,
    );
    const upstream = apply({ vendor: null }, m);
    assert.deepEqual(upstream.reasons, []);
    assert.equal(
      upstream.notes[0],
      "x: no symbol version for _printk (upstream's loader warns once and binds it)",
    );
    assert.deepEqual(
      upstream.dependsOn.map((d) => d.option),
      ['vendor'],
    );
    // Nothing to check: the module has no __versions at all, or the kernel has no CRC for the symbol.
    assert.deepEqual(apply({}, unversioned).reasons, []);
    assert.deepEqual(apply({ modversions: false }, m).reasons, []);
  });

  it('an unsigned module: refused first where enforced, tainting (E) where checked, said when unknown', () => {
    const enforced = apply({ sigForce: true }, image(), [
      reason('dependency-missing'),
      reason('crc-mismatch', '_printk'),
    ]);
    assert.deepEqual(
      enforced.reasons.map((r) => r.code),
      ['dependency-missing', 'unsigned', 'crc-mismatch'],
    );
    assert.match(enforced.reasons[1]!.message, /Loading of unsigned module is rejected/);
    const checked = apply({}, image());
    assert.equal(taintLetters(checked.taints), 'OE');
    assert.match(checked.notes.join('\n'), /^unsigned: refused where signatures are enforced/m);
    assert.deepEqual(
      apply({ sigForce: null }, image()).dependsOn.map((d) => d.option),
      ['CONFIG_MODULE_SIG_FORCE'],
    );
    assert.deepEqual(
      apply({ sig: null, sigForce: null }, image()).dependsOn.map((d) => d.option),
      ['CONFIG_MODULE_SIG'],
    );
    assert.equal(taintLetters(apply({ sig: false }, image()).taints), 'O');
    assert.equal(taintLetters(apply({ sigForce: true }, image({ signed: true })).taints), 'O');
    // A module stored without knowing whether it is signed is not called unsigned.
    assert.equal(taintLetters(apply({ sigForce: true }, image({ signed: undefined })).taints), 'O');
  });

  it('a namespace used but not imported: refused, a warning with the switch set, said when unknown', () => {
    const ns = [reason('namespace-not-imported', '_printk')];
    assert.equal(apply({}, image(), ns).reasons.length, 1);
    const allowed = apply({ allowMissingNamespaceImports: true }, image(), ns);
    assert.deepEqual(allowed.reasons, []);
    assert.match(allowed.notes[0]!, /CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS is set/);
    assert.deepEqual(
      apply({ allowMissingNamespaceImports: null }, image(), ns).dependsOn.map((d) => d.option),
      ['CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS'],
    );
  });

  it("taints in the kernel's letter order, in the kernel's words", () => {
    const m = image({
      license: null,
      modinfo: [{ key: 'staging', value: 'Y' }],
      imports: [],
      modversions: 'none',
    });
    const r = apply({}, m, [reason('no-modversions')]);
    assert.equal(taintLetters(r.taints), 'PFCOE');
    assert.equal(r.taints[0]!.message, "x: module license 'unspecified' taints kernel.");
    const inTree = image({ modinfo: [{ key: 'intree', value: 'Y' }], signed: true });
    assert.deepEqual(apply({}, inTree).taints, []);
  });

  it('the loader resolves every undefined symbol: the versioned ones, then those without a record', () => {
    const m = image({ needs: ['_printk', 'jiffies'] });
    assert.deepEqual(neededImports(m), [
      { symbol: 'module_layout', crc: layout.crc },
      { symbol: '_printk', crc: printk.crc },
      { symbol: 'jiffies', crc: null },
    ]);
    assert.deepEqual(neededImports(image({ needs: undefined })).length, 2);
  });
});

describe('moduleVerdicts with a profile', () => {
  const target = (profile: LoaderProfile | undefined) => ({
    name: 'k',
    build: {
      source: 'k',
      format: 'module-symvers' as const,
      labels: {},
      exports: new Map([printk, layout].map((e) => [e.symbol, e])),
      warnings: [],
    },
    vermagic: image().vermagic,
    modules: new Set<string>(),
    profile,
  });

  it('taints only a module that loads; an unknown profile keeps the verdict and names what it hangs on', () => {
    const [tainted] = moduleVerdicts([image()], target(DEBIAN));
    assert.equal(taintLetters(tainted!.taints), 'OE');
    const [refused] = moduleVerdicts([image({ imports: [{ symbol: '_printk', crc: 1 }] })], target(DEBIAN));
    assert.deepEqual(refused!.taints, []);
    const [unknown] = moduleVerdicts([unversioned], target(undefined));
    assert.equal(unknown!.loads, false);
    assert.deepEqual(
      unknown!.dependsOn!.map((d) => d.option),
      ['CONFIG_MODULE_FORCE_LOAD', 'CONFIG_MODULE_SIG'],
    );
    assert.equal(moduleVerdicts([unversioned], target(UNKNOWN_PROFILE))[0]!.loads, false);
  });

  it('an unsigned module on an enforcing kernel stops the loader: what follows would also fail', () => {
    const [v] = moduleVerdicts([image({ vermagic: 'other' })], target({ ...DEBIAN, sigForce: true }));
    assert.deepEqual(
      v!.reasons.map((r) => `${r.code}${r.alsoFails ? '+' : ''}`),
      ['unsigned', 'vermagic+'],
    );
  });
});
