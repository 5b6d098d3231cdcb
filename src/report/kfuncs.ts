// `kabi kfuncs` as text, Markdown and CSV (series documents: artifact cells escaped per format) and as JSON
// (built field by field: the documented shape of docs/kfuncs.md).
import {
  KFUNC_STABILITY_CLASSES,
  type KfuncChange,
  type KfuncDiff,
  type KfuncSeries,
} from '../analysis/kfuncs.js';
import { type Kfunc, type KfuncList, type KfuncMethod, kfFlagNames } from '../model/kfunc.js';
import { type Cell, col, type DocTable, type Line, type SeriesDocument } from './series-document.js';
import { type DocumentOptions, documentToCsv, documentToMarkdown, documentToText } from './series-format.js';

export type KfuncFormat = 'text' | 'json' | 'markdown' | 'csv';

/** What each method means, in the words the reports share. */
export function methodText(method: KfuncMethod, symbolSource: KfuncList['symbolSource']): string {
  switch (method) {
    case 'decl-tag':
      return 'BTF decl tags "bpf_kfunc" (pahole 1.27 or later)';
    case 'btf-ids':
      return `kfunc sets in .BTF_ids, located by ${symbolSource === 'System.map' ? 'the System.map' : 'the symbol table'}`;
    case 'btf-ids-scan':
      return 'kfunc sets in .BTF_ids recognised by their shape: no symbols (a stripped image without System.map); see docs/kfuncs.md';
  }
}

export function flagsText(flags: number | null): string | null {
  if (flags === null) return null;
  return kfFlagNames(flags).join(' | ') || '0';
}

export function progTypesText(types: string[] | undefined): string | null {
  if (types === undefined) return null;
  return types.length === 0 ? 'none' : types.join(' ');
}

function kfuncTable(list: KfuncList): DocTable {
  const withTypes = list.progTypesFrom !== undefined;
  return {
    view: 'kfuncs',
    title: `Kfuncs (${list.kfuncs.length})`,
    long: true,
    columns: [
      col('name', 'kfunc', 'artifact'),
      col('module', 'module', 'artifact'),
      col('flags', 'flags', 'word'),
      col('sets', 'set', 'artifact'),
      ...(withTypes ? [col('prog_types', 'program types', 'word')] : []),
      col('prototype', 'prototype', 'artifact'),
    ],
    rows: list.kfuncs.map((k) => [
      k.name,
      k.module ?? 'vmlinux',
      flagsText(k.flags),
      k.sets.join(' '),
      ...(withTypes ? [progTypesText(k.progTypes)] : []),
      k.prototype,
    ]),
  };
}

export function kfuncListDocument(list: KfuncList): SeriesDocument {
  const notes: Line[] = [['method: ', methodText(list.method, list.symbolSource)]];
  if (list.modules === null) notes.push(['modules: not read (the input is a single image)']);
  else if (list.modules.length > 0)
    notes.push(['modules with kfunc sets: ', { code: list.modules.join(' ') }]);
  if (list.progTypesFrom !== undefined)
    notes.push(['program types: registrations in ', { code: list.progTypesFrom }, ' (* = every type)']);
  for (const w of list.warnings) notes.push(['warning: ', { code: w }]);
  return {
    title: ['BPF kfuncs of ', { code: list.release ?? list.source }],
    notes,
    tables: [kfuncTable(list)],
  };
}

function changeCells(c: KfuncChange): [Cell, Cell] {
  switch (c.kind) {
    case 'added':
      return [null, c.new!.prototype];
    case 'removed':
      return [c.old!.prototype, null];
    case 'prototype-changed':
    case 'params-renamed':
      return [c.old!.prototype, c.new!.prototype];
    case 'flags-changed':
      return [flagsText(c.old!.flags), flagsText(c.new!.flags)];
    case 'prog-types-changed':
      return [progTypesText(c.old!.progTypes), progTypesText(c.new!.progTypes)];
    case 'moved':
      return [c.old!.module ?? 'vmlinux', c.new!.module ?? 'vmlinux'];
  }
}

const changeColumns = () => [
  col('kind', 'change', 'word'),
  col('name', 'kfunc', 'artifact'),
  col('old', 'old', 'artifact'),
  col('new', 'new', 'artifact'),
];

function summaryLine(d: KfuncDiff): string {
  const s = d.summary;
  const types = d.progTypesCompared ? `, ${s['prog-types-changed']} program types changed` : '';
  return `${s.added} added, ${s.removed} removed, ${s['prototype-changed']} prototypes changed${types}, ${s['flags-changed']} flags changed, ${s.moved} moved, ${s['params-renamed']} parameters renamed`;
}

export function kfuncDiffDocument(d: KfuncDiff): SeriesDocument {
  const notes: Line[] = [
    [summaryLine(d)],
    ['old: ', { code: d.old.label }, ` (${d.old.count} kfuncs; ${methodText(d.old.method, null)})`],
    ['new: ', { code: d.new.label }, ` (${d.new.count} kfuncs; ${methodText(d.new.method, null)})`],
  ];
  if (!d.flagsCompared) notes.push(['flags not compared: one side does not know them (decl tags alone)']);
  return {
    title: ['Kfunc changes from ', { code: d.old.label }, ' to ', { code: d.new.label }],
    notes,
    tables: [
      {
        view: 'changes',
        title: `Changes (${d.changes.length})`,
        long: true,
        columns: changeColumns(),
        rows: d.changes.map((c) => [c.kind, c.name, ...changeCells(c)]),
      },
    ],
  };
}

export function kfuncSeriesDocument(s: KfuncSeries): SeriesDocument {
  const steps: DocTable = {
    view: 'steps',
    title: `Steps (${s.steps.length})`,
    columns: [
      col('from', 'from', 'artifact'),
      col('to', 'to', 'artifact'),
      col('kfuncs', 'kfuncs', 'count'),
      col('added', 'added', 'count'),
      col('removed', 'removed', 'count'),
      col('prototype_changed', 'prototype', 'count'),
      col('prog_types_changed', 'program types', 'count'),
      col('flags_changed', 'flags', 'count'),
      col('moved', 'moved', 'count'),
    ],
    rows: s.steps.map((d) => [
      d.old.label,
      d.new.label,
      d.new.count,
      d.summary.added,
      d.summary.removed,
      d.summary['prototype-changed'],
      d.summary['prog-types-changed'],
      d.summary['flags-changed'],
      d.summary.moved,
    ]),
  };
  const changes: DocTable = {
    view: 'changes',
    title: `Changes (${s.steps.reduce((n, d) => n + d.changes.length, 0)})`,
    long: true,
    columns: [col('to', 'in', 'artifact'), ...changeColumns()],
    rows: s.steps.flatMap((d) => d.changes.map((c) => [d.new.label, c.kind, c.name, ...changeCells(c)])),
  };
  const withTypes = s.stability.some((r) => r.latest.progTypes !== undefined);
  const stability: DocTable = {
    view: 'stability',
    title: `Stability (${s.stability.length})`,
    long: true,
    columns: [
      col('class', 'class', 'word'),
      col('name', 'kfunc', 'artifact'),
      col('module', 'module', 'artifact'),
      col('first', 'first', 'artifact'),
      col('last', 'last', 'artifact'),
      col('present', 'builds', 'count'),
      col('signatures', 'prototypes', 'count'),
      col('flags', 'flags', 'word'),
      ...(withTypes ? [col('prog_types', 'program types', 'word')] : []),
    ],
    rows: s.stability.map((r) => [
      r.class,
      r.name,
      r.latest.module ?? 'vmlinux',
      r.first,
      r.last,
      r.present,
      r.signatures,
      flagsText(r.latest.flags),
      ...(withTypes ? [progTypesText(r.latest.progTypes)] : []),
    ]),
  };
  const by = s.ordering.label === null ? 'input order' : `${s.ordering.label} (${s.ordering.method})`;
  const classes = KFUNC_STABILITY_CLASSES.map((c) => `${s.stabilitySummary[c]} ${c}`).join(', ');
  return {
    title: [`Kfuncs across ${s.builds.length} builds: ${s.seen} seen, ${s.stable} unchanged throughout`],
    notes: [[`ordered by ${by}`], [`stability: ${classes}`]],
    tables: [steps, stability, changes],
  };
}

function kfuncJson(k: Kfunc) {
  return {
    name: k.name,
    module: k.module,
    prototype: k.prototype,
    signature: k.signature,
    flags: k.flags === null ? null : kfFlagNames(k.flags),
    flagBits: k.flags,
    sets: k.sets,
    progTypes: k.progTypes ?? null,
    btfId: k.btfId,
  };
}

/** `kabi kfuncs --format json`. */
export function kfuncListJson(list: KfuncList) {
  return {
    source: list.source,
    release: list.release,
    method: list.method,
    symbolSource: list.symbolSource,
    setFlag: list.setFlag,
    modules: list.modules,
    progTypesFrom: list.progTypesFrom ?? null,
    count: list.kfuncs.length,
    kfuncs: list.kfuncs.map(kfuncJson),
    warnings: list.warnings,
  };
}

export const kfuncListToJson = (list: KfuncList): string =>
  `${JSON.stringify(kfuncListJson(list), null, 2)}\n`;

/** `kabi diff --kfuncs --format json`. */
export function kfuncDiffJson(d: KfuncDiff) {
  return {
    old: d.old,
    new: d.new,
    summary: d.summary,
    flagsCompared: d.flagsCompared,
    progTypesCompared: d.progTypesCompared,
    changes: d.changes.map((c) => ({
      kind: c.kind,
      name: c.name,
      old: c.old && kfuncJson(c.old),
      new: c.new && kfuncJson(c.new),
      ...(c.flagsAdded ? { flagsAdded: c.flagsAdded, flagsRemoved: c.flagsRemoved } : {}),
      ...(c.progTypesAdded ? { progTypesAdded: c.progTypesAdded, progTypesRemoved: c.progTypesRemoved } : {}),
    })),
  };
}

export function kfuncDiffToJson(d: KfuncDiff): string {
  return `${JSON.stringify(kfuncDiffJson(d), null, 2)}\n`;
}

/** `kabi kfuncs --series QUERY --format json`. */
export function kfuncSeriesJson(s: KfuncSeries) {
  return {
    ordering: s.ordering,
    builds: s.builds,
    seen: s.seen,
    stable: s.stable,
    stabilitySummary: s.stabilitySummary,
    stability: s.stability.map((r) => ({
      name: r.name,
      class: r.class,
      first: r.first,
      last: r.last,
      present: r.present,
      signatures: r.signatures,
      changes: r.changes,
      latest: kfuncJson(r.latest),
    })),
    steps: s.steps.map(kfuncDiffJson),
  };
}

export type KfuncListJson = ReturnType<typeof kfuncListJson>;
export type KfuncDiffJson = ReturnType<typeof kfuncDiffJson>;
export type KfuncSeriesJson = ReturnType<typeof kfuncSeriesJson>;

export const kfuncSeriesToJson = (s: KfuncSeries): string =>
  `${JSON.stringify(kfuncSeriesJson(s), null, 2)}\n`;

type Renderers<T> = Record<KfuncFormat, (r: T, o: DocumentOptions) => string>;

function renderers<T>(doc: (r: T) => SeriesDocument, json: (r: T) => string): Renderers<T> {
  return {
    text: (r, o) => documentToText(doc(r), o),
    json: (r) => json(r),
    markdown: (r, o) => documentToMarkdown(doc(r), o),
    csv: (r, o) => documentToCsv(doc(r), o),
  };
}

export const kfuncListRenderers = renderers(kfuncListDocument, kfuncListToJson);
export const kfuncDiffRenderers = renderers(kfuncDiffDocument, kfuncDiffToJson);
export const kfuncSeriesRenderers = renderers(kfuncSeriesDocument, kfuncSeriesToJson);
