import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { symversBuild } from '../../test/helpers/builds.js';
import { seriesReport, stablelistOverTime, streamDrift, symbolHistory } from '../analysis/series.js';
import { KabiError } from '../errors.js';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import {
  csvField,
  SERIES_FORMATS,
  SERIES_VIEWS,
  seriesRenderers,
  stablelistRenderers,
  streamDriftRenderers,
  symbolHistoryRenderers,
} from './series.js';

const HOSTILE = 'evil,"sym`|\n\u001b[31m';
const opts = { color: false, limit: null };

const kb = (release: string, date: string, exports: Partial<Export>[]) =>
  symversBuild(`${release}.symvers`, { release, date }, exports);

const b0 = kb('6.1.0-1', '2025-01-01', [
  { symbol: 'a', crc: 0xdeadbeef },
  { symbol: HOSTILE, crc: 2 },
]);
const b1 = kb('6.1.0-2', '2025-01-11', [
  { symbol: 'a', crc: 0xdeadbeef },
  { symbol: HOSTILE, crc: 3, module: 'drivers/x,y' },
]);
const b2 = kb('6.1.0-3', '2025-01-21', [
  { symbol: 'a', crc: 0xdeadbeef },
  { symbol: HOSTILE, crc: 3, module: 'drivers/x,y' },
]);
const report = seriesReport([b2, b0, b1]);

/** RFC 4180 read back: enough of a parser to check that quoting round-trips. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('series renderers', () => {
  it('has every format for every result', () => {
    for (const map of [seriesRenderers, streamDriftRenderers, symbolHistoryRenderers, stablelistRenderers]) {
      assert.deepEqual(Object.keys(map).sort(), [...SERIES_FORMATS].sort());
    }
  });

  it('text: aligned tables, artifact control characters made visible', () => {
    const t = seriesRenderers.text(report, opts);
    assert.match(t, /^kABI series: 3 builds, by date\n/);
    const lines = t.split('\n');
    assert.equal(lines[3], 'Steps (each update against the one before)');
    const table = lines.slice(4, 7);
    assert.match(table[0]!, /^ {2}from {5}to {7}added/);
    assert.equal(new Set(table.map((l) => l.length)).size, 1, `columns aligned:\n${table.join('\n')}`);
    assert.match(t, /ABI epochs/);
    const h = symbolHistoryRenderers.text(symbolHistory([b0, b1, b2], HOSTILE), opts);
    assert.ok(!h.includes('\u001b') && !h.includes('\n\u001b'), 'no raw escape reaches the terminal');
    assert.match(h, /\\u\{a\}\\u\{1b\}\[31m/);
  });

  it('text: the title names the stream; builds of several streams are said, never mixed silently', () => {
    const label = (b: KernelBuild, stream: string) => ({ ...b, labels: { ...b.labels, stream } });
    const one = seriesRenderers.text(seriesReport([label(b0, 'debian-6.1'), label(b1, 'debian-6.1')]), opts);
    assert.match(one, /^kABI series: 2 builds of stream debian-6\.1, by date\n/);
    assert.doesNotMatch(one, /streams mixed/);
    const mixed = seriesRenderers.text(
      seriesReport([label(b0, 'debian-6.1'), label(b1, 'debian-6.12'), b2]),
      opts,
    );
    assert.match(mixed, /^kABI series: 3 builds of 2 streams \(debian-6\.1, debian-6\.12\), by date\n/);
    assert.match(mixed.split('\n')[2]!, /^ {2}streams mixed: /);
  });

  it('view: several tables in the order named, one title; CSV refuses more than one', () => {
    const t = seriesRenderers.text(report, { ...opts, view: 'epochs,steps' });
    assert.equal(t.match(/kABI series/g)?.length, 1);
    assert.ok(t.indexOf('ABI epochs') < t.indexOf('Steps'), 'epochs first, as named');
    assert.doesNotMatch(t, /Drift/);
    assert.throws(() => seriesRenderers.csv(report, { ...opts, view: 'steps,epochs' }), KabiError);
  });

  it('json: a stable shape with CRCs as 0x%08x and hostile names intact', () => {
    const j = JSON.parse(seriesRenderers.json(report, opts));
    assert.deepEqual(Object.keys(j), ['ordering', 'builds', 'steps', 'drift', 'epochs']);
    assert.deepEqual(j.ordering, { label: 'date', method: 'date', requested: false });
    assert.deepEqual(Object.keys(j.steps[0]), [
      'from',
      'to',
      'added',
      'removed',
      'crcChanged',
      'exportTypeChanged',
      'namespaceChanged',
      'moved',
      'changes',
      'symbols',
      'breaking',
      'share',
    ]);
    assert.deepEqual(
      j.epochs.map((e: { first: number; last: number; days: number }) => [e.first, e.last, e.days]),
      [
        [0, 0, 10],
        [1, 2, 10],
      ],
    );
    const h = JSON.parse(symbolHistoryRenderers.json(symbolHistory([b0, b1], 'a'), opts));
    assert.deepEqual(h.entries[0].export, {
      crc: '0xdeadbeef',
      module: 'vmlinux',
      exportType: 'EXPORT_SYMBOL',
      namespace: '',
    });
    const s = JSON.parse(stablelistRenderers.json(stablelistOverTime([b0, b1], stablelist()), opts));
    assert.equal(s.steps[0].changes[0].symbol, HOSTILE);
    assert.equal(s.steps[0].changes[0].new.crc, '0x00000003');
  });

  it('markdown: artifact strings in code spans, pipes and backticks neutralised', () => {
    const m = symbolHistoryRenderers.markdown(symbolHistory([b0, b1], HOSTILE), opts);
    assert.equal(m.split('\n')[0], '## kABI history of `evil,"sym\'\\|\\u{a}\\u{1b}[31m`');
    for (const line of m.split('\n').filter((l) => l.startsWith('| `'))) {
      assert.equal(line.split(/(?<!\\)\|/).length, 9, `7 cells: ${line}`);
    }
    const md = seriesRenderers.markdown(report, { ...opts, view: 'epochs' });
    assert.match(md, /### ABI epochs/);
    assert.doesNotMatch(md, /### Steps/);
  });

  it('csv: one table per view, RFC 4180 quoting of a symbol with a comma, quote and newline', () => {
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('plain'), 'plain');
    const c = stablelistRenderers.csv(stablelistOverTime([b0, b1], stablelist()), {
      ...opts,
      view: 'changes',
    });
    const rows = parseCsv(c);
    assert.deepEqual(rows[0], ['from', 'to', 'kind', 'symbol', 'old_crc', 'new_crc']);
    assert.deepEqual(rows[1], ['6.1.0-1', '6.1.0-2', 'crc-changed', HOSTILE, '0x00000002', '0x00000003']);
    const steps = parseCsv(seriesRenderers.csv(report, opts));
    assert.equal(steps[0]?.[0], 'from', 'steps is the default view');
    assert.deepEqual(steps[1]?.slice(0, 4), ['6.1.0-1', '6.1.0-2', '0', '0']);
    assert.equal(steps[1]?.at(-1), '0.500000', 'the share as a fraction');
    const epochs = parseCsv(seriesRenderers.csv(report, { ...opts, view: 'epochs' }));
    assert.equal(epochs[1]?.at(-1)?.length, 64, 'the whole digest');
    assert.ok(c.endsWith('\r\n'));
  });

  it('refuses a view the result does not have, naming the ones it has', () => {
    assert.deepEqual(SERIES_VIEWS.series, ['steps', 'drift', 'epochs', 'builds']);
    assert.throws(
      () => seriesRenderers.csv(report, { ...opts, view: 'nope' }),
      (e: Error) => e instanceof KabiError && /steps, drift, epochs, builds/.test(e.message),
    );
  });

  it('stream drift: every format shows the points and the days without difference', () => {
    const d = streamDrift([b0, b1], [{ ...b0, labels: { release: 'x', date: '2025-01-05' } }], {
      names: ['stable', 'b|ack`ports'],
    });
    const t = streamDriftRenderers.text(d, opts);
    assert.match(t, /no difference on 6 of 11 day\(s\)/);
    assert.match(streamDriftRenderers.markdown(d, opts), /vs `b\\\|ack'ports`/);
    const csv = parseCsv(streamDriftRenderers.csv(d, { ...opts, view: 'zero' }));
    assert.deepEqual(csv, [
      ['from', 'to', 'days'],
      ['2025-01-05', '2025-01-10', '6'],
    ]);
  });

  it('limits long change lists in text and Markdown only', () => {
    const s = stablelistOverTime([b0, b1], stablelist());
    assert.match(stablelistRenderers.text(s, { color: false, limit: 1 }), /… 1 more/);
    assert.equal(parseCsv(stablelistRenderers.csv(s, { color: false, limit: 1, view: 'changes' })).length, 3);
  });
});

function stablelist() {
  const symbols = new Map(
    ['a', HOSTILE].map((symbol) => [symbol, { symbol, crc: null as number | null, module: null }]),
  );
  return { name: 'kabi_stablelist_x86_64', arch: 'x86_64', source: 'list', symbols };
}
