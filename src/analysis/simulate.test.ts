import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { ModuleImage } from '../model/module-image.js';
import { seriesComm } from './series-comm.js';
import { simulate } from './simulate.js';

const ex = (symbol: string, crc: number): Export => ({
  symbol,
  crc,
  module: 'vmlinux',
  exportType: 'EXPORT_SYMBOL',
  namespace: '',
});
const kb = (release: string, stream: string, rows: [string, number][]): KernelBuild => ({
  source: release,
  format: 'module-symvers',
  labels: { release, stream, version: release },
  exports: new Map(rows.map(([s, c]) => [s, ex(s, c)])),
  warnings: [],
});
const mod = (name: string, imports: string[], pkg?: string): ModuleImage =>
  ({
    source: name,
    name,
    imports: imports.map((symbol) => ({ symbol, crc: 0 })),
    ...(pkg ? { package: { name: pkg, version: null } } : {}),
  }) as unknown as ModuleImage;

// Two LTS streams of three and two builds. `a` changes at 1.2 and at 2.0; `b` at 1.1; `c` is dropped in 2.0.
const builds = [
  kb('1.0', 'lts1', [
    ['a', 1],
    ['b', 1],
    ['c', 1],
  ]),
  kb('1.1', 'lts1', [
    ['a', 1],
    ['b', 2],
    ['c', 1],
  ]),
  kb('1.2', 'lts1', [
    ['a', 2],
    ['b', 2],
    ['c', 1],
    ['d', 1],
  ]),
  kb('2.0', 'lts2', [
    ['a', 3],
    ['b', 2],
    ['d', 1],
  ]),
  kb('2.1', 'lts2', [
    ['a', 3],
    ['b', 2],
    ['d', 1],
  ]),
];
const modules = [mod('ma', ['a'], 'pa'), mod('ma2', ['a', 'zz'], 'pa'), mod('mb', ['b'])];

describe('simulate', () => {
  const r = simulate(builds, modules, { boundaries: [{ label: 'release', value: '1.2' }] });
  const by = Object.fromEntries(r.policies.map((p) => [p.policy, p]));

  it('cuts spans: strict one, lts at the stream change, sp also at each boundary, none at every build', () => {
    assert.deepEqual(
      r.policies.map((p) => [p.policy, p.spans.map((s) => `${s.first}-${s.last}`)]),
      [
        ['strict', ['0-4']],
        ['lts', ['0-2', '3-4']],
        ['sp', ['0-1', '2-2', '3-4']],
        ['none', ['0-0', '1-1', '2-2', '3-3', '4-4']],
      ],
    );
  });

  it('refuses changes to the frozen kABI within a span, lets them through at span starts', () => {
    // strict: a, b and c all differ from 1.0 somewhere later.
    assert.equal(by.strict!.refused, 3);
    assert.equal(by.strict!.letThrough, 0);
    // lts: within lts1, a and b changed (refused); at 2.0 against 1.0: a, b new CRCs, c removed.
    assert.deepEqual([by.lts!.refused, by.lts!.letThrough], [2, 3]);
    // none: what happened, step by step: b; a; a and c.
    assert.deepEqual([by.none!.refused, by.none!.letThrough], [0, 4]);
    // added d within lts1 and within strict's one span: additions are let through.
    assert.equal(by.lts!.added, 1);
  });

  it('rebuilds a package when a span start changed one of its imports; the stablelist is what a span exports', () => {
    assert.deepEqual(
      r.packages.map((p) => [p.name, p.modules, p.imports, p.rebuilds]),
      [
        ['pa', 2, 2, [0, 1, 2, 2]],
        // sp: b's change at 1.1 is refused, then let through at the SP start 1.2.
        ['mb', 1, 1, [0, 1, 1, 1]],
      ],
    );
    // Imports a and b exist everywhere; zz nowhere.
    assert.equal(by.none!.stablelist, 2);
  });

  it('an LTS boundary by label; a boundary that matches nothing is a usage error', () => {
    const lts = simulate(builds, modules, {
      policies: ['lts'],
      ltsBoundaries: [{ label: 'release', value: '1.*' }],
    });
    assert.equal(lts.policies[0]!.spans.length, 4);
    assert.throws(
      () => simulate(builds, modules, { boundaries: [{ label: 'release', value: '9' }] }),
      /boundary release=9 matches no build/,
    );
  });
});

describe('seriesComm', () => {
  it('counts lines as comm does; survivors narrow; an outside reference has index -1', () => {
    const c = seriesComm(builds.slice(0, 3));
    assert.deepEqual(
      c.steps.map((s) => [s.common, s.onlyOld, s.onlyNew]),
      [
        [2, 1, 1],
        [2, 1, 2],
      ],
    );
    assert.deepEqual(
      c.survivors.map((s) => s.survivors),
      [3, 2, 1],
    );
    const other = seriesComm(builds.slice(0, 3), { reference: builds[4]! });
    assert.equal(other.reference.index, -1);
    assert.deepEqual(
      other.drift.map((p) => [p.common, p.onlyOld, p.onlyNew]),
      [
        [0, 3, 3],
        [1, 2, 2],
        [2, 1, 2],
      ],
    );
  });
});
