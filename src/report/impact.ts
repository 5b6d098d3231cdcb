// `kabi impact` as text, Markdown and CSV (through the series document renderers, which escape every
// cell that came from an artifact) and as JSON (built field by field: a documented shape, docs/impact-coverage.md).
import type { ImpactReport, ModuleRef, UsedSymbol } from '../analysis/impact.js';
import { formatCrc } from '../model/export.js';
import { type Cell, col, type DocTable, type SeriesDocument } from './series-document.js';
import { type DocumentOptions, documentToCsv, documentToMarkdown, documentToText } from './series-format.js';

export const IMPACT_VIEWS = ['modules', 'uses', 'symbols', 'arch'] as const;

/** Whether the module was built against the old or the new export of the symbol (by its import CRC). */
export function builtAgainst(u: UsedSymbol): 'old' | 'new' | 'neither' | null {
  if (u.oldCrc === null && u.newCrc === null) return null;
  if (u.importCrc === u.oldCrc) return 'old';
  if (u.importCrc === u.newCrc) return 'new';
  return 'neither';
}

function modulesTable(r: ImpactReport): DocTable {
  return {
    view: 'modules',
    title: `Affected modules (${r.affected.length})`,
    long: true,
    columns: [
      col('module', 'module', 'artifact'),
      col('arch', 'arch', 'word'),
      col('changed_used', 'changed used', 'count'),
      col('imports', 'imports', 'count'),
      col('source', 'source', 'artifact'),
    ],
    rows: r.affected.map((m) => [m.name, m.arch, m.uses.length, m.imports, m.source]),
  };
}

function usesTable(r: ImpactReport): DocTable {
  return {
    view: 'uses',
    title: 'Changed symbols each affected module imports',
    long: true,
    columns: [
      col('module', 'module', 'artifact'),
      col('arch', 'arch', 'word'),
      col('symbol', 'symbol', 'artifact'),
      col('change', 'change', 'word'),
      col('old_crc', 'old CRC', 'crc'),
      col('new_crc', 'new CRC', 'crc'),
      col('module_crc', 'module CRC', 'crc'),
      col('built_against', 'built against', 'word'),
      col('source', 'source', 'artifact'),
    ],
    rows: r.affected.flatMap((m) =>
      m.uses.map((u): Cell[] => [
        m.name,
        m.arch,
        u.symbol,
        u.kinds.join(' '),
        u.oldCrc,
        u.newCrc,
        u.importCrc,
        builtAgainst(u),
        m.source,
      ]),
    ),
  };
}

const names = (refs: readonly ModuleRef[]) => refs.map((m) => m.name).join(' ');

function symbolsTable(r: ImpactReport): DocTable {
  return {
    view: 'symbols',
    title: `Changed symbols by consuming modules (${r.symbols.length})`,
    long: true,
    columns: [
      col('symbol', 'symbol', 'artifact'),
      col('change', 'change', 'word'),
      col('old_crc', 'old CRC', 'crc'),
      col('new_crc', 'new CRC', 'crc'),
      col('consumers', 'modules', 'count'),
      col('modules', 'consumed by', 'artifact'),
    ],
    rows: r.symbols.map((s) => [
      s.symbol,
      s.kinds.join(' '),
      s.oldCrc,
      s.newCrc,
      s.consumers.length,
      names(s.consumers),
    ]),
  };
}

function archTable(r: ImpactReport): DocTable {
  return {
    view: 'arch',
    title: 'Per architecture',
    columns: [
      col('arch', 'arch', 'word'),
      col('modules', 'modules', 'count'),
      col('affected', 'affected', 'count'),
    ],
    rows: r.byArch.map((a) => [a.arch, a.modules, a.affected]),
  };
}

export function impactDocument(r: ImpactReport): SeriesDocument {
  return {
    title: [
      `kABI impact: ${r.affected.length} of ${r.modules} modules use ${r.symbols.length} of ${r.changed} changed symbols`,
    ],
    notes: [
      [`${r.unused} changed symbols no module of the corpus imports`],
      ...(r.withoutImports > 0
        ? [[`${r.withoutImports} modules have no __versions (built without MODVERSIONS): no CRC is checked`]]
        : []),
    ],
    tables: [modulesTable(r), usesTable(r), symbolsTable(r), archTable(r)],
  };
}

const crc = (c: number | null) => (c === null ? null : formatCrc(c));
const ref = (m: ModuleRef) => ({ name: m.name, arch: m.arch, source: m.source });

/** `kabi impact --format json`. */
export function impactJson(r: ImpactReport) {
  return {
    changed: r.changed,
    modules: r.modules,
    withoutImports: r.withoutImports,
    unused: r.unused,
    byArch: r.byArch.map((a) => ({ arch: a.arch, modules: a.modules, affected: a.affected })),
    affected: r.affected.map((m) => ({
      ...ref(m),
      imports: m.imports,
      uses: m.uses.map((u) => ({
        symbol: u.symbol,
        kinds: u.kinds,
        oldCrc: crc(u.oldCrc),
        newCrc: crc(u.newCrc),
        moduleCrc: crc(u.importCrc),
        builtAgainst: builtAgainst(u),
      })),
    })),
    symbols: r.symbols.map((s) => ({
      symbol: s.symbol,
      kinds: s.kinds,
      oldCrc: crc(s.oldCrc),
      newCrc: crc(s.newCrc),
      consumers: s.consumers.map(ref),
    })),
  };
}

export type ImpactJson = ReturnType<typeof impactJson>;

export const impactToJson = (r: ImpactReport): string => `${JSON.stringify(impactJson(r), null, 2)}\n`;

export const impactRenderers: Record<
  'text' | 'json' | 'markdown' | 'csv',
  (r: ImpactReport, o: DocumentOptions) => string
> = {
  text: (r, o) => documentToText(impactDocument(r), o),
  json: (r) => impactToJson(r),
  markdown: (r, o) => documentToMarkdown(impactDocument(r), o),
  csv: (r, o) => documentToCsv(impactDocument(r), o),
};
