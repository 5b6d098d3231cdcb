// Renders what one module image says about itself: its imports (modversions) and its .modinfo.

import { printable } from '../errors.js';
import { formatCrc } from '../model/export.js';
import type { ModuleImage } from '../model/module-image.js';
import { mdCode } from './markdown.js';

type Renderer = (m: ModuleImage) => string;

/** What an imports table needs of a module: a whole image, or only its versions read sparsely. */
export type ModuleVersionsLike = Pick<ModuleImage, 'source' | 'name' | 'modversions' | 'imports'>;

/** `kabi modversions --format json`. */
export function modversionsJson(m: ModuleVersionsLike) {
  return {
    module: m.name,
    source: m.source,
    modversions: m.modversions,
    imports: m.imports.map((i) => ({ symbol: i.symbol, crc: formatCrc(i.crc) })),
  };
}

export type ModversionsJson = ReturnType<typeof modversionsJson>;

/** `kabi modversions DIR|PACKAGE|FILE... --format json`: every module's imports, and what could not be read. */
export function modversionsTreeJson(
  modules: readonly ModuleVersionsLike[],
  problems: readonly ModuleProblem[],
) {
  return {
    modules: modules.map(modversionsJson),
    problems: problems.map((p) => ({ path: p.path, reason: p.reason })),
  };
}

export type ModversionsTreeJson = ReturnType<typeof modversionsTreeJson>;

export interface ModuleProblem {
  path: string;
  reason: string;
}

/**
 * Many modules, one table: `file<TAB>0x%08lx<TAB>name`, the lines `modprobe --dump-modversions` prints
 * with the module's file in front (so `grep`, `awk` and `sort` work on it as on one file's dump).
 */
export function modversionsTreeText(modules: readonly ModuleVersionsLike[]): string {
  const out: string[] = [];
  for (const m of modules) {
    const source = printable(m.source);
    for (const i of m.imports) out.push(`${source}\t${formatCrc(i.crc)}\t${printable(i.symbol)}\n`);
  }
  return out.join('');
}

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

type TreeRenderer = (modules: readonly ModuleVersionsLike[], problems: readonly ModuleProblem[]) => string;

export const modversionsTreeRenderers: Record<'text' | 'json' | 'markdown', TreeRenderer> = {
  text: (modules) => modversionsTreeText(modules),
  json: (modules, problems) => `${JSON.stringify(modversionsTreeJson(modules, problems), null, 2)}\n`,
  markdown: (modules) =>
    [
      `## Imports of ${modules.length} modules`,
      '',
      '| module | CRC | symbol |',
      '|---|---|---|',
      ...modules.flatMap((m) =>
        m.imports.map((i) => `| ${mdCode(m.source)} | ${formatCrc(i.crc)} | ${mdCode(i.symbol)} |`),
      ),
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
