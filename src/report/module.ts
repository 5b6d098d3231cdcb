// Renders what one module image says about itself: its imports (modversions) and its .modinfo.

import { printable } from '../errors.js';
import { formatCrc } from '../model/export.js';
import type { ModuleImage } from '../model/module-image.js';
import { mdCode } from './markdown.js';

type Renderer = (m: ModuleImage) => string;

/** `kabi modversions --format json`. */
export function modversionsJson(m: ModuleImage) {
  return {
    module: m.name,
    source: m.source,
    modversions: m.modversions,
    imports: m.imports.map((i) => ({ symbol: i.symbol, crc: formatCrc(i.crc) })),
  };
}

export type ModversionsJson = ReturnType<typeof modversionsJson>;

/** Exactly the lines `modprobe --dump-modversions` prints: `0x%08lx<TAB>name`. */
function modversionsText(m: ModuleImage): string {
  return m.imports.map((i) => `${formatCrc(i.crc)}\t${printable(i.symbol)}\n`).join('');
}

export const modversionsRenderers: Record<'text' | 'json' | 'markdown', Renderer> = {
  text: modversionsText,
  json: (m) => `${JSON.stringify(modversionsJson(m), null, 2)}\n`,
  markdown: (m) =>
    [
      `## Imports of ${mdCode(m.name)} (${m.imports.length})`,
      '',
      '| CRC | symbol |',
      '|---|---|',
      ...m.imports.map((i) => `| ${formatCrc(i.crc)} | ${mdCode(i.symbol)} |`),
      '',
    ].join('\n'),
};

export function modinfoFieldText(m: ModuleImage, key: string): string {
  return m.modinfo
    .filter((e) => e.key === key)
    .map((e) => `${printable(e.value)}\n`)
    .join('');
}

function modinfoText(m: ModuleImage): string {
  const rows: [string, string][] = [
    ['filename', m.source],
    ...m.modinfo.map((e): [string, string] => [e.key, e.value]),
  ];
  rows.push([
    'modversions',
    m.modversions === 'none' ? 'none (no CRCs)' : `${m.imports.length} imports (${m.modversions})`,
  ]);
  rows.push(['exports', String(m.exports.length)], ['btf', m.hasBtf ? 'yes' : 'no']);
  const w = Math.max(...rows.map(([k]) => k.length)) + 1;
  // Keys and values are the module's own text: a description may hold escape sequences.
  return rows.map(([k, v]) => `${`${printable(k)}:`.padEnd(w)} ${printable(v)}\n`).join('');
}

/** `kabi modinfo --format json`: the module image, its imports counted, export CRCs as `0x%08x`. */
export function modinfoJson(m: ModuleImage) {
  const exports = m.exports.map((e) => ({ ...e, crc: e.crc === null ? null : formatCrc(e.crc) }));
  const { imports: _imports, exports: _exports, ...rest } = m;
  return { ...rest, imports: m.imports.length, exports };
}

export type ModinfoJson = ReturnType<typeof modinfoJson>;

export const modinfoRenderers: Record<'text' | 'json' | 'markdown', Renderer> = {
  text: modinfoText,
  json: (m) => `${JSON.stringify(modinfoJson(m), null, 2)}\n`,
  markdown: (m) =>
    [
      `## ${mdCode(m.name)}`,
      '',
      '| field | value |',
      '|---|---|',
      ...m.modinfo.map((e) => `| ${mdCode(e.key)} | ${mdCode(e.value)} |`),
      '',
    ].join('\n'),
};
