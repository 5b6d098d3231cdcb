// Label keys and values are data, never object properties: `constructor`, `toString`, `__proto__` are
// labels like any other, in queries, orderings, the store, the CLI; artifact text used as a key (a
// namespace, a module name) counts as itself.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type Export,
  type KernelBuild,
  matchesQuery,
  orderBuilds,
  parseLabelQuery,
  parseLabels,
  summarizeExports,
  UsageError,
} from '../../src/index.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';
import { storeBackends } from '../helpers/postgres.js';
import { storeFree, testDb } from '../helpers/test-store.js';

const WORDS = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', '__defineGetter__'];

const build = (labels: Record<string, string>, exports: Export[] = []): KernelBuild => ({
  source: labels.release ?? 'test',
  format: 'module-symvers',
  labels,
  exports: new Map(exports.map((e) => [e.symbol, e])),
  warnings: [],
});

describe('labels are data', () => {
  it('a query on an object word matches only entries that carry that label', { skip: storeFree }, () => {
    for (const w of WORDS) {
      assert.equal(matchesQuery({ release: '6.1.0-54' }, parseLabelQuery(`${w}=*`)), false, w);
      assert.equal(matchesQuery({ [w]: 'x' }, parseLabelQuery(`${w}=x`)), true, w);
    }
    const own = JSON.parse('{"__proto__": "x"}') as Record<string, string>;
    assert.equal(matchesQuery(own, parseLabelQuery('__proto__=x')), true);
  });

  it('ordering by an object word needs that label: a usage error naming it, not a TypeError', {
    skip: storeFree,
  }, () => {
    const builds = [build({ release: '6.1.0-55' }), build({ release: '6.1.0-54' })];
    for (const w of WORDS)
      assert.throws(
        () => orderBuilds(builds, w),
        (e: unknown) => e instanceof UsageError && e.message.includes(`has no ${w} label`),
        w,
      );
    const labelled = [build({ constructor: '2' }), build({ constructor: '10' })];
    assert.deepEqual(
      orderBuilds(labelled, 'constructor').builds.map((b) => b.labels.constructor),
      ['2', '10'],
    );
  });

  it('-l parses object words as keys; a key outside the syntax gets a message that fits it', {
    skip: storeFree,
  }, () => {
    const labels = parseLabels(['constructor=c', 'to_string=t', 'valueof=v']);
    assert.deepEqual({ ...labels }, { constructor: 'c', to_string: 't', valueof: 'v' });
    assert.throws(
      () => parseLabels(['__proto__=x']),
      /label key "__proto__": expected a lower-case letter first, then lower-case letters, digits, _ \. or -/,
    );
  });

  it('summary counts a namespace or module named like an object property as itself', {
    skip: storeFree,
  }, () => {
    const e = (symbol: string, module: string, namespace: string): Export => ({
      symbol,
      crc: 1,
      module,
      exportType: 'EXPORT_SYMBOL',
      namespace,
    });
    const s = summarizeExports(
      build({}, [
        e('a', 'constructor', 'constructor'),
        e('b', '__proto__', '__proto__'),
        e('c', 'toString', 'constructor'),
      ]),
    );
    assert.deepEqual(Object.entries(s.byNamespace), [
      ['constructor', 2],
      ['__proto__', 1],
    ]);
    assert.deepEqual(Object.entries(s.byModule).sort(), [
      ['__proto__', 1],
      ['constructor', 1],
      ['toString', 1],
    ]);
  });

  it('kabi list and series on object words: no entries, and a usage error naming the label', () => {
    const db = testDb(mkdtempSync(join(tmpdir(), 'kabi-labels-')));
    for (const abi of ['6.1.0-54', '6.1.0-55'])
      assert.equal(kabi(['--db', db, 'ingest', join(FIXTURES, 'debian', `${abi}.symvers.xz`)]).status, 0);
    for (const w of ['constructor', 'toString', 'hasOwnProperty']) {
      const list = kabi(['--db', db, 'list', `${w}=*`]);
      assert.equal(list.status, 0, list.stderr);
      assert.equal(list.stdout, 'no entries\n', w);
      const series = kabi(['--db', db, 'series', '--by', w]);
      assert.equal(series.status, 2, series.stderr);
      assert.match(series.stderr, new RegExp(`^kabi: cannot order by ${w}: .* has no ${w} label\\n$`));
    }
    const proto = kabi([
      '--db',
      db,
      'ingest',
      '-l',
      '__proto__=x',
      join(FIXTURES, 'debian', '6.1.0-56.symvers.xz'),
    ]);
    assert.equal(proto.status, 2);
    assert.match(proto.stderr, /expected a lower-case letter first/);
    // kabi label: an object word is a label like any other, set and unset as itself.
    const unset = kabi(['--db', db, 'label', '1', '--unset', 'constructor']);
    assert.equal(unset.status, 2, unset.stderr);
    assert.match(unset.stderr, /entry 1 has no label constructor to unset/);
    const set = kabi(['--db', db, 'label', '1', 'constructor=x', '--unset', 'toString']);
    assert.equal(set.status, 2, set.stderr);
    assert.match(set.stderr, /has no label toString/);
    assert.equal(kabi(['--db', db, 'label', '1', 'constructor=x']).status, 0);
    assert.match(kabi(['--db', db, 'list', 'constructor=x']).stdout, /^1 +kernel .*constructor=x/m);
  });
});

describe('labels are data in every store', () => {
  for (const backend of storeBackends())
    it(`the store keeps and returns any label key as data, __proto__ included (${backend.name})`, {
      skip: backend.skip,
    }, async () => {
      const store = await backend.open();
      try {
        const labels = JSON.parse('{"__proto__":"p","constructor":"c","release":"r"}') as Record<
          string,
          string
        >;
        const r = await store.ingest({
          kind: 'kernel',
          artifact: { sha256: 'a'.repeat(64), path: '/x', size: 1 },
          build: build(labels),
          labels,
          modules: [],
          builtin: [],
        });
        const back = (await store.list())[0]!;
        assert.deepEqual(Object.entries(back.labels).sort(), [
          ['__proto__', 'p'],
          ['constructor', 'c'],
          ['release', 'r'],
        ]);
        assert.equal((await store.list('__proto__=p')).length, 1);
        assert.equal((await store.list('toString=*')).length, 0);
        assert.equal((await store.resolve('constructor=c')).id, r.entry.id);
        // The same labels again are the same entry (compared as data, not as properties).
        assert.equal(
          (
            await store.ingest({
              ...r.entry,
              kind: 'kernel',
              artifact: { sha256: 'a'.repeat(64), path: '/x', size: 1 },
              build: build(labels),
              labels,
              modules: [],
              builtin: [],
            })
          ).created,
          false,
        );
      } finally {
        await store.close();
      }
    });
});
