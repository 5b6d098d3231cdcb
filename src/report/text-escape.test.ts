// With colours on (a terminal), the renderers escape artifact text themselves: only their own colour
// codes reach the terminal, never an escape sequence a symbol, module, label or modinfo string carried.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareBuilds } from '../analysis/check.js';
import { summarizeExports } from '../analysis/summary.js';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { ModuleImage } from '../model/module-image.js';
import { entryListRenderers } from './entries.js';
import { modinfoFieldText, modinfoRenderers, modversionsRenderers } from './module.js';
import { diffToText, summaryToText } from './text.js';

const ESC = '\u001b[2J\u001b[31m';
const shown = '\\u{1b}[2J\\u{1b}[31m';
/** Clearing the screen is never one of the renderers' own codes: its presence means artifact text leaked. */
const LEAK = /\u001b\[2J|\u202e|\u0007/;

const exp = (symbol: string, crc: number, module = 'vmlinux', namespace = ''): Export => ({
  symbol,
  crc,
  module,
  exportType: 'EXPORT_SYMBOL',
  namespace,
});
const build = (source: string, exports: Export[]): KernelBuild => ({
  source,
  format: 'module-symvers',
  labels: {},
  exports: new Map(exports.map((e) => [e.symbol, e])),
  warnings: [`a warning about ${ESC}`],
});

describe('text renderers escape artifact text even with colours on', () => {
  it('diff and summary', () => {
    const a = build(`old${ESC}`, [
      exp(`sym${ESC}`, 1, `drivers/${ESC}`, `NS${ESC}`),
      exp('gone\u202e', 2),
      exp('kept', 4),
    ]);
    const b = build('new', [exp(`sym${ESC}`, 3, `drivers/${ESC}`, `NS${ESC}`), exp('kept', 4)]);
    const text = diffToText(compareBuilds(a, b), { color: true, limit: null });
    assert.doesNotMatch(text, LEAK);
    assert.ok(text.includes(`sym${shown}`));
    const summary = summaryToText(summarizeExports(a), { color: true, limit: null });
    assert.doesNotMatch(summary, LEAK);
    assert.ok(summary.includes(`NS${shown}`));
  });

  it('modinfo, modinfo -F, modversions and the entry list', () => {
    const m = {
      name: 'evil',
      source: 'evil.ko',
      modinfo: [{ key: 'description', value: `red${ESC}\u0007` }],
      imports: [{ symbol: `kmalloc${ESC}`, crc: 1 }],
      exports: [],
      modversions: 'crc',
      hasBtf: false,
    } as unknown as ModuleImage;
    for (const out of [
      modinfoRenderers.text(m),
      modinfoRenderers.markdown(m),
      modinfoFieldText(m, 'description'),
      modversionsRenderers.text(m),
      modversionsRenderers.markdown(m),
    ])
      assert.doesNotMatch(out, LEAK, out);
    const entry = {
      id: 1,
      kind: 'kernel',
      exports: 1,
      modules: 0,
      labels: { note: `x${ESC}`, date: `2024${ESC}` },
      source: 's',
    } as never;
    for (const out of [entryListRenderers.text([entry]), entryListRenderers.markdown([entry])])
      assert.doesNotMatch(out, LEAK, out);
  });
});
