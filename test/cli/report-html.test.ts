// `kabi report` end to end on the committed fixtures: the HTML file is self-contained and well formed,
// its charts carry the figures of an independent computation (xz -dc + set code, test/helpers/
// independent.ts) and of the analyses, hostile names come out inert, and --png writes real PNGs.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  analyzeCoverage,
  analyzeImpact,
  changedSymbolsFromChanges,
  compatSeries,
  diffExports,
  modulesOfBuild,
  orderBuilds,
  readKernelExports,
  readModuleCorpus,
  readStablelist,
  releaseFromFileName,
} from '../../src/index.js';
import { kabi } from '../helpers/exec.js';
import { countChanges, FIXTURES, loadSymvers } from '../helpers/independent.js';
import { storeFree } from '../helpers/test-store.js';
import {
  ABIS,
  assertSelfContained,
  attr,
  fixtureStore,
  KMODS,
  parseHtml,
  pngSize,
  VERSIONS,
} from './report-helpers.js';

describe('kabi report series (fixtures)', () => {
  const db = fixtureStore();
  const dir = mkdtempSync(join(tmpdir(), 'kabi-report-out-'));
  const out = join(dir, 'series.html');
  const pngs = join(dir, 'png');
  const r = kabi(['--db', db, 'report', 'series', 'distro=debian', '-m', KMODS, '-o', out, '--png', pngs]);

  it('writes one self-contained, well-formed HTML file', () => {
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assertSelfContained(readFileSync(out, 'utf8'));
  });

  it('bars and drift points carry the counts of an independent diff of the fixtures', () => {
    const els = parseHtml(readFileSync(out, 'utf8'));
    const rows = ABIS.map((a) => loadSymvers(join(FIXTURES, 'debian', `${a}.symvers.xz`)));
    const bar = (step: number, kind: string) =>
      els.find(
        (e) =>
          attr(e, 'class') === 'bar' &&
          attr(e, 'data-step') === String(step) &&
          attr(e, 'data-kind') === kind,
      );
    for (let i = 1; i < ABIS.length; i++) {
      const want = countChanges(rows[i - 1]!, rows[i]!);
      assert.equal(Number(attr(bar(i, 'added')!, 'data-count')), want.added, `added ${i}`);
      assert.equal(Number(attr(bar(i, 'removed')!, 'data-count')), want.removed, `removed ${i}`);
      assert.equal(Number(attr(bar(i, 'crc-changed')!, 'data-count')), want.crcChanged, `crc ${i}`);
      // Heights follow the counts: one scale for the whole chart.
      const unit = Number(attr(bar(i, 'crc-changed')!, 'height')) / want.crcChanged;
      assert.ok(Math.abs(Number(attr(bar(i, 'added')!, 'height')) - unit * want.added) < 0.05);
    }
    for (let i = 0; i < ABIS.length; i++) {
      const want = countChanges(rows[0]!, rows[i]!);
      const pt = els.find(
        (e) =>
          attr(e, 'class') === 'point' &&
          attr(e, 'data-build') === String(i) &&
          attr(e, 'data-kind') === 'removed',
      );
      assert.equal(Number(attr(pt!, 'data-count')), want.removed);
    }
  });

  it('the heatmap has a cell per kmod and build with the analysis verdict and broken-symbol count', async () => {
    const els = parseHtml(readFileSync(out, 'utf8'));
    const builds = await Promise.all(
      ABIS.map(async (a, i) => {
        const path = join(FIXTURES, 'debian', `${a}.symvers.xz`);
        const b = await readKernelExports(path);
        b.labels.version = VERSIONS[i]!;
        b.labels.release = releaseFromFileName(path) ?? a;
        return b;
      }),
    );
    const targets = orderBuilds(builds, 'version').builds.map((b) => ({
      name: b.labels.release ?? '',
      build: b,
      vermagic: null,
      modules: modulesOfBuild(b),
    }));
    const set = (await readModuleCorpus([KMODS])).modules;
    const series = compatSeries(set, targets);
    const cells = els.filter((e) => attr(e, 'class') === 'cell');
    assert.equal(cells.length, set.length * ABIS.length);
    for (const m of series.modules)
      m.verdicts.forEach((v, k) => {
        const cell = cells.find(
          (c) => attr(c, 'data-module') === m.module && attr(c, 'data-kernel') === series.kernels[k],
        );
        assert.ok(cell, `${m.module} on ${series.kernels[k]}`);
        assert.equal(attr(cell, 'data-state'), v.loads ? 'loads' : 'fails');
        const broken = new Set(v.reasons.flatMap((x) => (x.symbol ? [x.symbol] : []))).size;
        assert.equal(Number(attr(cell, 'data-broken')), broken);
      });
  });

  it('--png writes one PNG per chart, twice the chart size', () => {
    const html = readFileSync(out, 'utf8');
    const charts = [
      ...html.matchAll(/<figure id="chart-([a-z]+)"[^>]*><svg [^>]*width="(\d+)" height="(\d+)"/g),
    ];
    assert.deepEqual(readdirSync(pngs).sort(), charts.map((c) => `${c[1]}.png`).sort());
    assert.ok(charts.length >= 4, 'steps, drift, epochs, compat');
    for (const [, id, w, h] of charts) {
      assert.deepEqual(pngSize(readFileSync(join(pngs, `${id}.png`))), [2 * Number(w), 2 * Number(h)]);
    }
  });
});

describe('kabi report with hostile names', () => {
  const HOSTILE_SYM = '"><img/src=x/onerror=alert(1)>';
  const SCRIPT_SYM = '<script>alert(1)</script>';
  const dir = mkdtempSync(join(tmpdir(), 'kabi-hostile-'));
  const a = join(dir, 'a.symvers');
  const b = join(dir, 'b.symvers');
  writeFileSync(
    a,
    `0x00000001\t${SCRIPT_SYM}\tvmlinux\tEXPORT_SYMBOL\t\n0x00000002\t${HOSTILE_SYM}\tdrivers/]]><x>/evil\tEXPORT_SYMBOL_GPL\tNS_"><b>\n0x00000003\tplain\tvmlinux\tEXPORT_SYMBOL\t\n`,
  );
  writeFileSync(
    b,
    `0x00000009\t${SCRIPT_SYM}\tvmlinux\tEXPORT_SYMBOL\t\n0x00000002\t${HOSTILE_SYM}\tdrivers/evil2 "><svg onload=alert(2)>\tEXPORT_SYMBOL_GPL\tNS_"><b>\n0x00000004\tnew&amp;sym\tvmlinux\tEXPORT_SYMBOL\t\n`,
  );

  it('diff: symbols, modules and namespaces are text, never markup', { skip: storeFree }, () => {
    const out = join(dir, 'diff.html');
    const r = kabi(['report', 'diff', a, b, '-o', out, '--png', join(dir, 'png')]);
    assert.equal(r.status, 0, r.stderr);
    const html = readFileSync(out, 'utf8');
    const els = assertSelfContained(html);
    const links = els.filter((e) => attr(e, 'class') === 'sym').map((e) => attr(e, 'data-symbol'));
    assert.deepEqual(new Set(links), new Set([SCRIPT_SYM, HOSTILE_SYM, 'plain', 'new&amp;sym']));
    assert.ok(!els.some((e) => ['img', 'x', 'b'].includes(e.tagName)));
    const svg = els.filter((e) => e.tagName === 'svg').length;
    assert.equal(readdirSync(join(dir, 'png')).length, svg);
  });

  it('series: a hostile build label is text in the charts, the tables and the history hint', () => {
    const label = '6.1"><script>alert(3)</script>]]>';
    const db = fixtureStore([[], ['-l', `release=${label}`], []]);
    const out = join(dir, 'series.html');
    const r = kabi(['--db', db, 'report', 'series', `distro=debian`, '-o', out]);
    assert.equal(r.status, 0, r.stderr);
    const html = readFileSync(out, 'utf8');
    const els = assertSelfContained(html);
    const texts = els.flatMap((e) => e.childNodes.flatMap((n) => ('value' in n ? [n.value as string] : [])));
    assert.ok(
      texts.some((t) => t.includes(label)),
      'the label is shown as text',
    );
  });
});

describe('kabi report diff with a module corpus and a stablelist (fixtures)', { skip: storeFree }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-report-diff-'));
  const list = join(dir, 'stablelist.txt');
  writeFileSync(list, '_printk\nkmalloc_trace\nmodule_layout\n__stack_chk_fail\n');
  const [a, b] = [ABIS[0]!, ABIS[2]!].map((x) => join(FIXTURES, 'debian', `${x}.symvers.xz`)) as [
    string,
    string,
  ];
  const mods = join(FIXTURES, 'modules');
  const out = join(dir, 'diff.html');
  const r = kabi(['report', 'diff', a, b, '-m', mods, '-s', list, '-o', out]);

  it('kinds, consumers and coverage equal the diff, impact and coverage analyses', async () => {
    assert.equal(r.status, 0, r.stderr);
    const els = assertSelfContained(readFileSync(out, 'utf8'));
    const rows = (cls: string, key: string) =>
      els.filter((e) => attr(e, 'class') === cls && attr(e, key) !== undefined);
    const want = countChanges(loadSymvers(a), loadSymvers(b));
    const kinds = new Map(
      rows('row', 'data-kind').map((e) => [attr(e, 'data-kind'), Number(attr(e, 'data-count'))]),
    );
    assert.equal(kinds.get('added'), want.added);
    assert.equal(kinds.get('removed'), want.removed);
    assert.equal(kinds.get('crc-changed'), want.crcChanged);
    assert.equal(kinds.get('moved'), want.moved);

    const [old, next] = await Promise.all([readKernelExports(a), readKernelExports(b)]);
    const corpus = (await readModuleCorpus([mods])).modules;
    const impact = analyzeImpact(changedSymbolsFromChanges(diffExports(old, next)), corpus);
    const consumers = rows('row', 'data-consumers').map((e) => [
      attr(e, 'data-symbol'),
      Number(attr(e, 'data-consumers')),
    ]);
    assert.deepEqual(
      consumers,
      impact.symbols.slice(0, 20).map((s) => [s.symbol, s.consumers.length]),
    );
    const coverage = analyzeCoverage(corpus, [await readStablelist(list)], { kernel: next });
    const covered = rows('row', 'data-protected').map((e) => [
      attr(e, 'data-module'),
      Number(attr(e, 'data-protected')),
      Number(attr(e, 'data-imports')),
    ]);
    // The chart shows the 30 lowest-covered modules (coverageChart's default limit).
    assert.deepEqual(
      covered,
      coverage.modules.slice(0, 30).map((m) => [m.name, m.protected, m.imports]),
    );
    assert.ok(
      covered.some(([, p]) => (p as number) > 0),
      'the list protects something the corpus imports',
    );
  });
});
