import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { symversBuild } from '../../test/helpers/builds.js';
import type { Export } from '../model/export.js';
import type { Stablelist } from '../model/stablelist.js';
import { stablelistOverTime, symbolHistory } from './series-symbols.js';

const kb = (source: string, exports: Partial<Export>[]) => symversBuild(source, { release: source }, exports);

function list(name: string, entries: [string, number | null][]): Stablelist {
  return {
    name,
    arch: 'x86_64',
    source: name,
    symbols: new Map(entries.map(([symbol, crc]) => [symbol, { symbol, crc, module: null }])),
  };
}

describe('symbolHistory', () => {
  it('follows a symbol that disappears and returns, marking what changed at each build', () => {
    const builds = [
      kb('b0', [{ symbol: 'foo', crc: 1 }]),
      kb('b1', [{ symbol: 'foo', crc: 1 }]),
      kb('b2', []),
      kb('b3', [{ symbol: 'foo', crc: 2, module: 'drivers/foo', namespace: 'FOO' }]),
      kb('b4', [
        { symbol: 'foo', crc: 2, module: 'drivers/foo', namespace: 'FOO', exportType: 'EXPORT_SYMBOL_GPL' },
      ]),
    ];
    const h = symbolHistory(builds, 'foo');
    assert.equal(h.symbol, 'foo');
    assert.deepEqual(
      h.builds.map((b) => b.name),
      ['b0', 'b1', 'b2', 'b3', 'b4'],
    );
    assert.deepEqual(
      h.entries.map((e) => [e.build, e.export?.crc ?? null, e.changes]),
      [
        [0, 1, []],
        [1, 1, []],
        [2, null, ['removed']],
        [3, 2, ['added']],
        [4, 2, ['export-type-changed']],
      ],
    );
    assert.equal(h.entries[3]?.export?.namespace, 'FOO');
  });

  it('reports a symbol no build exports as absent everywhere, and refuses an empty series', () => {
    const h = symbolHistory([kb('b0', []), kb('b1', [{ symbol: 'bar' }])], 'foo');
    assert.deepEqual(
      h.entries.map((e) => [e.export, e.changes]),
      [
        [null, []],
        [null, []],
      ],
    );
    assert.throws(() => symbolHistory([], 'foo'), { name: 'NothingToJudgeError' });
  });

  it('names several changes of one update in report order', () => {
    const h = symbolHistory(
      [kb('b0', [{ symbol: 'foo', crc: 1 }]), kb('b1', [{ symbol: 'foo', crc: 2, module: 'drivers/x' }])],
      'foo',
    );
    assert.deepEqual(h.entries[1]?.changes, ['crc-changed', 'moved']);
  });
});

describe('stablelistOverTime', () => {
  const builds = [
    kb('b0', [
      { symbol: 'p1', crc: 10 },
      { symbol: 'p2', crc: 20 },
      { symbol: 'free', crc: 1 },
    ]),
    kb('b1', [
      { symbol: 'p1', crc: 11 },
      { symbol: 'p2', crc: 20 },
      { symbol: 'free', crc: 2 },
    ]),
    kb('b2', [
      { symbol: 'p1', crc: 11 },
      { symbol: 'free', crc: 2 },
    ]),
  ];

  it('counts protected exports per build and lists only protected changes per step', () => {
    const s = stablelistOverTime(
      builds,
      list('kabi_stablelist_x86_64', [
        ['p1', 10],
        ['p2', null],
        ['p3', null],
      ]),
    );
    assert.deepEqual(s.stablelists, ['kabi_stablelist_x86_64']);
    assert.equal(s.protected, 3);
    assert.deepEqual(
      s.perBuild.map((b) => [b.build, b.exported, b.missing, b.crcMismatch]),
      [
        [0, 2, 1, 0],
        [1, 2, 1, 1],
        [2, 1, 2, 1],
      ],
    );
    assert.deepEqual(
      s.steps.map((st) => [st.from, st.to, st.changes.map((c) => [c.kind, c.symbol])]),
      [
        [0, 1, [['crc-changed', 'p1']]],
        [1, 2, [['removed', 'p2']]],
      ],
    );
  });

  it('takes the union of several lists, and handles an empty series', () => {
    const s = stablelistOverTime(builds, [
      list('a', [['p1', null]]),
      list('b', [
        ['p2', null],
        ['p1', 99],
      ]),
    ]);
    assert.equal(s.protected, 2);
    assert.equal(s.perBuild[0]?.crcMismatch, 1); // p1 pinned to 99 by list b
    const none = stablelistOverTime([], list('a', [['p1', null]]));
    assert.deepEqual([none.perBuild, none.steps], [[], []]);
  });
});
