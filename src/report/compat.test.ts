import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompatSeries } from '../analysis/compat-series.js';
import { kernelVerdicts, moduleVerdicts } from '../analysis/module-compat.js';
import type { Export } from '../model/export.js';
import type { ModuleImage } from '../model/module-image.js';
import type { Verdict } from '../model/verdict.js';
import { compatRenderers, verdictsDocument, whyText } from './compat.js';
import { compatSeriesRenderers, compatSeriesText } from './compat-series.js';
import {
  type CompatJson,
  compatStreams,
  expandCompatJson,
  pieceText,
  renderCompatStream,
} from './compat-stream.js';

const identity = {
  module: 'acpi_call',
  from: 'acpi_call.ko',
  builtFor: '6.1.0-47-amd64',
  source: 'acpi_call.ko',
};

const loads = (kernel: string): Verdict => ({
  ...identity,
  kernel,
  loads: true,
  reasons: [],
  notes: [],
});

const fails = (kernel: string): Verdict => ({
  ...loads(kernel),
  loads: false,
  reasons: [
    {
      code: 'module-layout',
      message: 'acpi_call: disagrees about version of symbol module_layout (insmod: Invalid module format)',
      symbol: 'module_layout',
      wanted: 0x160c03af,
      offered: 0xbce1a965,
      module: 'vmlinux',
    },
    {
      code: 'crc-mismatch',
      message: 'acpi_call: disagrees about version of symbol proc_create (0xff2c8e5d vs 0xbd2feab0)',
      symbol: 'proc_create',
      wanted: 0xff2c8e5d,
      offered: 0xbd2feab0,
      module: 'vmlinux',
      alsoFails: true,
    },
  ],
});

describe('compat text', () => {
  it('counts every reason kabi why lists, and says each CRC pair once', () => {
    const matrix = compatRenderers.text([loads('6.1.0-47'), fails('6.1.0-50')]);
    assert.match(matrix, /^module {5}from {10}built for {7}6\.1\.0-47 {2}6\.1\.0-50$/m);
    assert.match(matrix, /^acpi_call {2}acpi_call\.ko {2}6\.1\.0-47-amd64 {2}loads {5}FAIL 2$/m);
    assert.match(matrix, /FAIL n: n reasons/);
    assert.doesNotMatch(matrix, / $/m, 'no trailing blanks');
    const why = whyText(fails('6.1.0-50'));
    assert.match(
      why,
      /module_layout \(insmod: Invalid module format\) \[wanted 0x160c03af, offered 0xbce1a965\]/,
    );
    assert.match(why, /proc_create \(0xff2c8e5d vs 0xbd2feab0\) \(exported by vmlinux\)$/m);
    assert.doesNotMatch(why, /wanted 0xff2c8e5d/);
  });

  const rebuild = { kernel: '6.1.0-50', symbols: ['module_layout', 'proc_create'], unfixable: [] };
  const series = (pkg: string | null): CompatSeries => ({
    kernels: ['6.1.0-47', '6.1.0-50'],
    failing: [0, 1],
    totalRebuilds: 1,
    packageRebuilds: 1,
    packages: [
      {
        package: pkg,
        builtFor: '6.1.0-47-amd64',
        modules: ['acpi_call'],
        survives: ['6.1.0-47'],
        rebuilds: [{ ...rebuild, modules: ['acpi_call'] }],
      },
    ],
    modules: [
      {
        ...identity,
        verdicts: [loads('6.1.0-47'), fails('6.1.0-50')],
        firstFailure: { kernel: '6.1.0-50', symbols: ['module_layout', 'proc_create'] },
        rebuilds: [rebuild],
      },
    ],
  });

  it('series: the first failing build with the reason the loader meets first', () => {
    const t = compatSeriesText(series(null));
    assert.match(
      t,
      /^ {2}acpi_call \(acpi_call\.ko\): stops loading on 6\.1\.0-50; 1 rebuild\(s\) at 6\.1\.0-50$/m,
    );
    assert.match(t, /^ {4}why: acpi_call: disagrees about version of symbol module_layout .* \(\+1 more\)$/m);
    assert.match(t, /^ {4}2 symbol\(s\): module_layout, proc_create$/m);
    assert.match(t, /^Total rebuilds across the series: 1 module rebuild\(s\), 1 package rebuild\(s\)$/m);
  });

  it('series of packages: per package by default, the builds it survives and those that force a rebuild', () => {
    const s = series('acpi-call-1.2.2');
    const t = compatSeriesText(s);
    assert.match(t, /^acpi-call-1\.2\.2 +6\.1\.0-47-amd64 +1 +6\.1\.0-47 +6\.1\.0-50$/m);
    assert.match(t, /^ {2}acpi-call-1\.2\.2 at 6\.1\.0-50: 1 of 1 modules: module_layout, proc_create$/m);
    assert.match(t, /^6\.1\.0-50 +1 +1 +1$/m, 'failing as built, module and package rebuilds');
    assert.match(compatSeriesText(s, { view: 'module' }), /^First failure and rebuilds:$/m);
    assert.equal(
      compatSeriesRenderers.csv(s).split('\r\n')[1],
      'acpi-call-1.2.2,6.1.0-47-amd64,1,6.1.0-47,6.1.0-50,module_layout proc_create',
    );
    const j = JSON.parse(compatSeriesRenderers.json(s));
    assert.deepEqual(
      [j.failing, j.packages[0].survives, j.modules[0].loads],
      [[0, 1], ['6.1.0-47'], [true, false]],
    );
  });
});

describe('compat --format json', () => {
  it('lists each configuration dependency once, verdicts naming it by index', () => {
    const dep = { option: 'CONFIG_MODULE_SIG_FORCE', message: 'set: refused, unsigned' };
    const verdicts: Verdict[] = ['6.1.0-50', '6.1.0-55'].flatMap((k) => [
      { ...loads(k), dependsOn: [dep] },
      { ...loads(k), module: 'other', source: 'other.ko', dependsOn: [] },
    ]);
    const text = renderCompatStream('json', verdicts);
    const doc = JSON.parse(text) as CompatJson;
    assert.deepEqual(doc.dependsOn, [dep]);
    assert.deepEqual(
      doc.verdicts.map((v) => v.dependsOn),
      [[0], undefined, [0], undefined],
    );
    assert.equal(text.split('SIG_FORCE').length - 1, 1);
    assert.deepEqual(
      expandCompatJson(doc).map((v) => v.dependsOn),
      [[dep], [], [dep], []],
    );
  });
});

describe('compat --format json, import reasons', () => {
  it('writes each kind of import reason as the verdict words it (read back whole)', () => {
    // module_layout of another CRC (the loader stops there), then one import of each reason: missing,
    // GPL-only to a proprietary module, another CRC, a namespace not imported; none exported by a module.
    const ex = (symbol: string, crc: number, over: Partial<Export> = {}): [string, Export] => [
      symbol,
      { symbol, crc, module: 'drivers/x', exportType: 'EXPORT_SYMBOL', namespace: null, ...over },
    ];
    const exports = new Map([
      ex('module_layout', 1, { module: 'vmlinux' }),
      ex('gpl_sym', 2, { exportType: 'EXPORT_SYMBOL_GPL' }),
      ex('crc_sym', 3, { module: null }),
      ex('ns_sym', 4, { namespace: 'NS "q"' }),
    ]);
    const m: ModuleImage = {
      source: 'p.ko',
      name: 'p',
      path: null,
      modinfo: [],
      vermagic: '6.1.0-47-amd64 SMP mod_unload modversions ',
      license: 'Proprietary',
      depends: [],
      importNs: [],
      srcversion: null,
      imports: [
        { symbol: 'module_layout', crc: 9 },
        { symbol: 'gone', crc: 5 },
        { symbol: 'gpl_sym', crc: 2 },
        { symbol: 'crc_sym', crc: 7 },
        { symbol: 'ns_sym', crc: 4 },
      ],
      modversions: 'versions',
      exports: [],
      hasBtf: false,
      elf: { class: 64, endian: 'little', machine: 62 },
    };
    const build = { source: 'k', format: 'module-symvers' as const, labels: {}, exports, warnings: [] };
    const target = { name: 'k', build, vermagic: m.vermagic, modules: new Set<string>() };
    const verdicts = moduleVerdicts([m, { ...m, name: 'q', source: 'q.ko' }], target);
    const doc = JSON.parse(renderCompatStream('json', verdicts)) as CompatJson;
    const whole = verdictsDocument(verdicts);
    assert.deepEqual(
      whole[0]!.reasons.map((r) => [r.code, r.alsoFails ?? false]),
      [
        ['module-layout', false],
        ['missing-symbol', true],
        ['gpl-only', true],
        ['crc-mismatch', true],
        ['namespace-not-imported', true],
      ],
    );
    expandCompatJson(doc).forEach((v, i) => {
      // The document leaves out keys whose value is undefined, as JSON does.
      assert.deepEqual(v.reasons, JSON.parse(JSON.stringify(whole[i]!.reasons)));
    });
    assert.equal(doc.reasons.length, 5, 'the two modules share their reasons');
  });
});

describe('compat --format json, shared reasons', () => {
  // Reasons are told apart without their text (by import, export, code): whatever objects give a text,
  // the document must hold it once, as a table keyed by the text itself would.
  const ex = (symbol: string, crc: number, over: Partial<Export> = {}): [string, Export] => [
    symbol,
    { symbol, crc, module: 'drivers/x', exportType: 'EXPORT_SYMBOL', namespace: null, ...over },
  ];
  const module = (name: string, gplCrc: number): ModuleImage => ({
    source: `${name}.ko`,
    name,
    path: null,
    modinfo: [],
    vermagic: '6.1.0-47-amd64 SMP mod_unload modversions ',
    license: 'Proprietary',
    depends: [],
    importNs: [],
    srcversion: null,
    // An Import object each, as modules read from files have: equal ones must share their reasons.
    imports: [
      { symbol: 'gone', crc: 5 },
      { symbol: 'gpl_sym', crc: gplCrc },
      { symbol: 'crc_sym', crc: 7 },
      { symbol: 'ns_sym', crc: 4 },
    ],
    modversions: 'versions',
    exports: [],
    hasBtf: false,
    elf: { class: 64, endian: 'little', machine: 62 },
  });
  // Three kernels whose exports are other objects: on k2 crc_sym differs in its namespace and type, which
  // a crc-mismatch does not show; ns_sym's namespace differs, which its reason does show.
  const kernel = (name: string, ns: string, crcOver: Partial<Export>) => {
    const exports = new Map([
      ex('gpl_sym', 2, { exportType: 'EXPORT_SYMBOL_GPL' }),
      ex('crc_sym', 3, crcOver),
      ex('ns_sym', 4, { namespace: ns }),
    ]);
    const build = { source: name, format: 'module-symvers' as const, labels: {}, exports, warnings: [] };
    return { name, build, vermagic: null, modules: new Set<string>() };
  };
  const kernels = [
    kernel('k1', 'NS1', {}),
    kernel('k2', 'NS1', { namespace: 'OTHER', exportType: 'EXPORT_SYMBOL_GPL_FUTURE' }),
    kernel('k3', 'NS2', {}),
  ];
  // gpl_sym of another CRC: its gpl-only reason does not show the CRC, so both modules share it.
  const set = [module('p', 2), module('q', 8), module('r', 2)];
  const texts = (doc: CompatJson) => doc.reasons.map((r) => JSON.stringify(r));

  it('writes each text once, and reads back as the verdicts say', () => {
    const verdicts = kernels.flatMap((k) => moduleVerdicts(set, k));
    const doc = JSON.parse(renderCompatStream('json', verdicts)) as CompatJson;
    assert.equal(new Set(texts(doc)).size, doc.reasons.length);
    const whole = verdictsDocument(verdicts);
    expandCompatJson(doc).forEach((v, i) => {
      assert.deepEqual(v.reasons, JSON.parse(JSON.stringify(whole[i]!.reasons)));
    });
    // missing, gpl-only and crc-mismatch: one each (k1's and k2's crc_sym give one text, and k3's too);
    // namespace-not-imported: ns_sym's NS1 (k1, k2) and NS2 (k3), and crc_sym's OTHER on k2.
    const codes = doc.reasons.map((r) => r.code).sort();
    assert.deepEqual(codes, [
      'crc-mismatch',
      'gpl-only',
      'missing-symbol',
      'namespace-not-imported',
      'namespace-not-imported',
      'namespace-not-imported',
    ]);
  });

  it('gives a Reason object the index of the import reason of the same text', () => {
    const [compact] = moduleVerdicts(set.slice(0, 1), kernels[0]!);
    // Made whole (as an rpm's requires or a verdict read back are): its reasons are Reason objects.
    const whole: Verdict = { ...compact!, reasons: compact!.reasons.map((r) => ({ ...r })) };
    const later = moduleVerdicts(set.slice(2), kernels[0]!);
    for (const order of [
      [compact!, whole, ...later],
      [whole, compact!, ...later],
    ]) {
      const doc = JSON.parse(renderCompatStream('json', order)) as CompatJson;
      assert.equal(new Set(texts(doc)).size, doc.reasons.length);
      assert.deepEqual(doc.verdicts[0]!.reasons, doc.verdicts[1]!.reasons);
      assert.deepEqual(doc.verdicts[2]!.reasons, doc.verdicts[0]!.reasons);
    }
  });

  it('reads the same from the judge tables', () => {
    const [a, b] = [compatStreams.json(), compatStreams.json()];
    const [x, y] = [[a.begin()], [b.begin()]];
    for (const k of kernels) {
      const t = kernelVerdicts(set, k);
      x.push(pieceText(a.table!(t)));
      y.push(b.kernel(t.verdicts()));
    }
    x.push(...[...a.end()].map(pieceText));
    y.push(...[...b.end()].map(pieceText));
    assert.equal(x.join(''), y.join(''));
  });
});
