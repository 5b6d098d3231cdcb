// The API's answers: store queries, analyses and the library's own JSON renderers (the shapes of
// docs/json.md, docs/series.md and `kabi list/compat/why --format json`), paged and filtered here.
// Nothing here reads an artifact: the server knows only what was ingested.
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  annotateMoves,
  brokenSymbols,
  type ChangeKind,
  type CompatTarget,
  compareBuilds,
  compatRenderers,
  compatSeries,
  compatSeriesRenderers,
  type DiffReport,
  diffChart,
  diffRenderers,
  driftChart,
  type EntryRecord,
  type ExportColumnBuild,
  emptyKindCounts,
  entryListRenderers,
  epochsChart,
  globToRegExp,
  groupByStream,
  type KernelBuild,
  KIND_COUNT_KEY,
  kmodPackage,
  type ModuleImage,
  moduleName,
  modulesOfBuild,
  orderBuilds,
  releaseLabels,
  type SeriesReport,
  seriesRenderers,
  seriesReportOfColumns,
  seriesSectionRenderers,
  stepsChart,
  symbolHistory,
  symbolHistoryRenderers,
  symbolHistorySectionRenderers,
  UsageError,
  type Verdict,
  vermagicRelease,
} from '../index.js';
import { HttpError, LIMITS } from './params.js';
import type { StoreView } from './view.js';

const RENDER = { color: false, limit: null } as const;

/** A build as the pages name it. */
export interface BuildName {
  id: number;
  name: string;
}

const nameOf = (e: EntryRecord) => e.labels.release ?? e.labels.name ?? e.labels.version ?? e.source;

export async function entriesJson(view: StoreView, query: string): Promise<string> {
  return entryListRenderers.json(await view.entries(query));
}

async function resolve(view: StoreView, ref: string, kind: EntryRecord['kind']): Promise<EntryRecord> {
  const e = await view.memo(`resolve\0${ref}`, () => view.store.resolve(ref));
  if (e.kind !== kind) throw new HttpError(400, `${ref} is a ${e.kind}, not a ${kind}`);
  return e;
}

/** The kernel builds a label query selects, in series order, with their store ids. */
function series(
  view: StoreView,
  query: string,
  by: string,
): Promise<{ builds: KernelBuild[]; ids: number[] }> {
  return view.memo(`series\0${query}\0${by}`, async () => {
    const entries = (await view.entries(query)).filter((e) => e.kind === 'kernel');
    if (entries.length === 0) throw new HttpError(404, `no stored kernel build matches "${query}"`);
    if (entries.length > LIMITS.seriesBuilds)
      throw new HttpError(400, `"${query}" selects ${entries.length} builds; at most ${LIMITS.seriesBuilds}`);
    const builds = orderBuilds(await view.loadBuilds(entries.map((e) => e.id)), by || undefined).builds;
    return { builds, ids: builds.map((b) => Number(b.labels.id)) };
  });
}

/** The same builds as export columns (steps, drift and epochs are set work on integers), in series order. */
function seriesIds(
  view: StoreView,
  query: string,
  by: string,
): Promise<{ builds: ExportColumnBuild[]; ids: number[] }> {
  return view.memo(`series-ids\0${query}\0${by}`, async () => {
    const entries = (await view.entries(query)).filter((e) => e.kind === 'kernel');
    if (entries.length === 0) throw new HttpError(404, `no stored kernel build matches "${query}"`);
    if (entries.length > LIMITS.seriesBuilds)
      throw new HttpError(400, `"${query}" selects ${entries.length} builds; at most ${LIMITS.seriesBuilds}`);
    const builds = await view.store.loadExportColumns(entries.map((e) => e.id));
    // Reading the columns and computing the series each hold the event loop for tens of milliseconds
    // (more with the JIT cold): requests that came meanwhile (a page's index.html, its style sheet) are
    // answered in between.
    await nextTurn();
    const ordered = orderBuilds(builds, by || undefined).builds;
    return { builds: ordered, ids: ordered.map((b) => Number(b.labels.id)) };
  });
}

/** The stream labels of a series' builds, when there are several (a series is one stream's updates). */
async function streamsOf(view: StoreView, query: string, by: string): Promise<(string | null)[]> {
  const groups = groupByStream((await seriesIds(view, query, by)).builds);
  return groups.length > 1 ? groups.map((g) => g.stream) : [];
}

/** `query` narrowed to one stream; null when a label query cannot say it (no label, a comma, a `*`). */
export function streamQuery(query: string, stream: string | null): string | null {
  if (stream === null || /[,*]/.test(stream)) return null;
  return query.trim() ? `${query},stream=${stream}` : `stream=${stream}`;
}

function report(view: StoreView, query: string, by: string, baselineRef: string): Promise<SeriesReport> {
  return view.memo(`series-report\0${query}\0${by}\0${baselineRef}`, async () => {
    const streams = await streamsOf(view, query, by);
    if (streams.length > 1)
      throw new HttpError(
        400,
        `"${query}" selects builds of ${streams.length} streams (${streams.map((s) => s ?? 'none').join(', ')}); one series is one stream: add stream=NAME`,
      );
    const { builds, ids } = await seriesIds(view, query, by);
    let baseline = 0;
    if (baselineRef) {
      baseline = ids.indexOf((await resolve(view, baselineRef, 'kernel')).id);
      if (baseline === -1)
        throw new HttpError(400, `baseline ${baselineRef} is not in the series "${query}"`);
    }
    // Already ordered: orderBuilds keeps the order of builds it has sorted.
    return seriesReportOfColumns(builds, { by: by || undefined, baseline });
  });
}

/** A series; builds of several streams are one series each, as `kabi series --format json` has them. */
export function seriesJson(view: StoreView, query: string, by: string, baselineRef: string): Promise<string> {
  return view.memo(`series-json\0${query}\0${by}\0${baselineRef}`, async () => {
    const streams = await streamsOf(view, query, by);
    if (streams.length === 0) return seriesRenderers.json(await report(view, query, by, baselineRef), RENDER);
    const { builds } = await seriesIds(view, query, by);
    const baselineId = baselineRef ? String((await resolve(view, baselineRef, 'kernel')).id) : null;
    const sections = await Promise.all(
      groupByStream(builds).map(async (g) => {
        // A stream's own series page computed it already (or will want it): the same builds, the same order.
        const own = baselineRef ? null : streamQuery(query, g.stream);
        const result = own
          ? await report(view, own, by, '')
          : seriesReportOfColumns(g.builds, {
              by: by || undefined,
              baseline: Math.max(
                0,
                g.builds.findIndex((b) => b.labels.id === baselineId),
              ),
            });
        return { stream: g.stream, builds: g.builds.length, result };
      }),
    );
    return seriesSectionRenderers.json(sections, RENDER);
  });
}

export const SERIES_CHARTS = ['steps', 'drift', 'epochs'] as const;

/** One chart of the series page, from the chart renderers `kabi report series` uses. */
export function seriesChartSvg(
  view: StoreView,
  chart: (typeof SERIES_CHARTS)[number],
  query: string,
  by: string,
  baselineRef: string,
): Promise<string> {
  return view.memo(`series-chart\0${chart}\0${query}\0${by}\0${baselineRef}`, async () => {
    const r = await report(view, query, by, baselineRef);
    const render = { steps: stepsChart, drift: driftChart, epochs: epochsChart }[chart];
    return render(r, { width: 900 }).svg;
  });
}

/** The changes of one diff per kind and severity, as `kabi report diff` draws them. */
export async function diffChartSvg(view: StoreView, oldRef: string, newRef: string): Promise<string> {
  const { a, b, report } = await diffReport(view, oldRef, newRef);
  return view.memo(`diff-chart\0${a.id}\0${b.id}`, () => diffChart(report, { width: 900 }).svg);
}

export function historyJson(view: StoreView, symbol: string, query: string, by: string): Promise<string> {
  return view.memo(`history\0${symbol}\0${query}\0${by}`, async () => {
    const groups = groupByStream((await series(view, query, by)).builds);
    if (groups.length === 1)
      return symbolHistoryRenderers.json(symbolHistory(groups[0]!.builds, symbol), RENDER);
    const sections = groups.map((g) => ({
      stream: g.stream,
      builds: g.builds.length,
      result: symbolHistory(g.builds, symbol),
    }));
    return symbolHistorySectionRenderers.json(sections, RENDER);
  });
}

export interface DiffFilter {
  kinds: ChangeKind[];
  /** A glob (`drivers/net/*`) on the module of either side. */
  module: string;
  /** A glob on the namespace of either side. */
  namespace: string;
  /** A piece of the symbol name, any case. */
  search: string;
  offset: number;
  limit: number;
}

async function diffReport(view: StoreView, oldRef: string, newRef: string) {
  const a = await resolve(view, oldRef, 'kernel');
  const b = await resolve(view, newRef, 'kernel');
  const report = await view.memo(`diff\0${a.id}\0${b.id}`, async () => {
    const [old, next] = (await view.loadBuilds([a.id, b.id])) as [KernelBuild, KernelBuild];
    return compareBuilds(old, next);
  });
  return { a, b, report };
}

/**
 * One page of the changes between two stored builds: `kabi diff --format json`'s document (docs/json.md,
 * same renderer) holding only the page's changes, and `page`: the two store entries, the counts per kind
 * under the module/namespace/search filters, and how many changes all filters keep.
 */
export async function diffJson(
  view: StoreView,
  oldRef: string,
  newRef: string,
  f: DiffFilter,
): Promise<string> {
  const { a, b, report } = await diffReport(view, oldRef, newRef);
  const key = `diff-filter\0${a.id}\0${b.id}\0${f.module}\0${f.namespace}\0${f.search}\0${f.kinds.join()}`;
  const { matched, rows } = await view.memo(key, () => filterChanges(report, f));
  const page = JSON.stringify({
    old: { id: a.id, name: nameOf(a), labels: a.labels },
    new: { id: b.id, name: nameOf(b), labels: b.labels },
    matched,
    total: rows.length,
    offset: f.offset,
    limit: f.limit,
  });
  // Spliced in as the first field rather than parsed and stringified again: this runs per page view.
  const doc = diffRenderers.json({ ...report, changes: rows.slice(f.offset, f.offset + f.limit) }, RENDER);
  return `{"page":${page},${doc.slice(1)}`;
}

function filterChanges(report: DiffReport, f: DiffFilter) {
  const module = f.module ? globToRegExp(f.module, 'fnmatch') : null;
  const namespace = f.namespace ? globToRegExp(f.namespace, 'fnmatch') : null;
  const search = f.search.toLowerCase();
  const kinds = new Set(f.kinds);
  const either = (re: RegExp, x: string | null | undefined, y: string | null | undefined) =>
    (x != null && re.test(x)) || (y != null && re.test(y));
  const matched = emptyKindCounts();
  const rows: DiffReport['changes'] = [];
  for (const c of report.changes) {
    if (module && !either(module, c.old?.module, c.new?.module)) continue;
    if (namespace && !either(namespace, c.old?.namespace, c.new?.namespace)) continue;
    if (search && !c.symbol.toLowerCase().includes(search)) continue;
    matched[KIND_COUNT_KEY[c.kind]]++;
    if (kinds.size === 0 || kinds.has(c.kind)) rows.push(c);
  }
  return { matched, rows };
}

/** The kernels of a series as the loader sees them (module names for `depends`, vermagic). */
function targets(
  view: StoreView,
  query: string,
  by: string,
): Promise<{ targets: CompatTarget[]; builds: BuildName[] }> {
  return view.memo(`targets\0${query}\0${by}`, async () => {
    const { builds, ids } = await series(view, query, by);
    const moduleNames = await Promise.all(ids.map((id) => view.store.loadModuleNames(id)));
    const targets = builds.map((build, i): CompatTarget => {
      const names = moduleNames[i]!;
      const modules = new Set([...names.modules, ...names.builtin].map(moduleName));
      return {
        name: build.labels.release ?? `entry ${ids[i]}`,
        build,
        vermagic: build.labels.vermagic ?? null,
        modules: modules.size ? modules : modulesOfBuild(build),
      };
    });
    return { targets, builds: targets.map((t, i) => ({ id: ids[i]!, name: t.name })) };
  });
}

/** The stored build a module was built for (its vermagic's release), for "moved from" in reasons. */
async function builtFor(view: StoreView, m: ModuleImage): Promise<KernelBuild | undefined> {
  const release = vermagicRelease(m.vermagic);
  if (!release) return undefined;
  const abi = releaseLabels(release).abi;
  const queries = [`release=${release}`, ...(abi ? [`release=${abi}`, `abi=${abi}`] : [])];
  const hit = (await Promise.all(queries.map((q) => safeEntries(view, q))))
    .map((list) => list.filter((e) => e.kind === 'kernel'))
    .find((list) => list.length > 0);
  return hit ? (await view.loadBuilds([hit[0]!.id]))[0] : undefined;
}

/** A release from a module's vermagic is artifact text: a character a label query treats specially is no match. */
async function safeEntries(view: StoreView, query: string): Promise<EntryRecord[]> {
  try {
    return await view.entries(query);
  } catch (e) {
    if (e instanceof UsageError) return [];
    throw e;
  }
}

export async function kmodsJson(view: StoreView): Promise<string> {
  return entryListRenderers.json(await view.entries('kind=kmod'));
}

/** A stored kmod's modules, each saying the package it came from (the kmod's name and version). */
async function kmodModules(view: StoreView, kmod: EntryRecord): Promise<ModuleImage[]> {
  const pkg = kmodPackage(kmod);
  return (await view.loadModules(kmod.id)).map((m) => ({ ...m, package: pkg }));
}

/**
 * A kmod across a series: the verdict on every build, first failure, the builds it survives and those
 * that force a rebuild (`kabi compat --series --format json`), and why for each failure.
 */
export function kmodJson(view: StoreView, ref: string, query: string, by: string): Promise<string> {
  return view.memo(`kmod\0${ref}\0${query}\0${by}`, async () => {
    const kmod = await resolve(view, ref, 'kmod');
    const modules = await kmodModules(view, kmod);
    const { targets: ts, builds } = await targets(view, query, by);
    const result = compatSeries(modules, ts);
    const builtForModule = await Promise.all(modules.map((m) => builtFor(view, m)));
    const failing = result.modules.flatMap((m, i) => {
      const built = builtForModule[i];
      return m.verdicts.filter((v) => !v.loads).map((v) => (built ? annotateMoves(v, built) : v));
    });
    return JSON.stringify({
      kmod,
      builds,
      series: JSON.parse(compatSeriesRenderers.json(result)),
      why: JSON.parse(compatRenderers.json(failing)),
    });
  });
}

const MAX_CELL_REASONS = 25;

/**
 * Module × build for the stored kmods a query selects, judged as `kabi compat --series` judges them
 * (each kmod a package): loads or not, how many symbols broke it, the loader's reasons; the failing
 * modules per build; and per kmod the builds it survives and those that force a rebuild.
 */
export function heatmapJson(view: StoreView, query: string, kmodQuery: string, by: string): Promise<string> {
  return view.memo(`heatmap\0${query}\0${kmodQuery}\0${by}`, async () => {
    const { targets: ts, builds } = await targets(view, query, by);
    const kmods = (await view.entries(kmodQuery)).filter((e) => e.kind === 'kmod');
    if (kmods.length > LIMITS.kmods)
      throw new HttpError(400, `"${kmodQuery}" selects ${kmods.length} kmods; at most ${LIMITS.kmods}`);
    const lists = await Promise.all(kmods.map((k) => kmodModules(view, k)));
    // No stored kmod with modules: an empty heatmap (the store holds none), not a judgement of nothing.
    if (lists.every((l) => l.length === 0))
      return JSON.stringify({
        builds,
        failing: builds.map(() => 0),
        totalRebuilds: 0,
        packageRebuilds: 0,
        packages: [],
        rows: [],
      });
    const s = compatSeries(lists.flat(), ts);
    const kmodOf = lists.flatMap((list, j) => list.map(() => kmods[j]!));
    const ref = (k: EntryRecord) => ({ id: k.id, name: nameOf(k), labels: k.labels });
    const rows = s.modules.map((m, i) => ({
      kmod: ref(kmodOf[i]!),
      module: m.module,
      from: m.from,
      builtFor: m.builtFor,
      rebuilds: m.rebuilds.length,
      cells: m.verdicts.map(heatmapCell),
    }));
    // A package is one install group: the kmod of its first module names it.
    const firstOf = new Map(s.modules.map((m, i) => [`${m.from}\0${m.builtFor}`, kmodOf[i]!]));
    const packages = s.packages.map((p) => ({
      kmod: ref(firstOf.get(`${p.package}\0${p.builtFor}`) ?? kmods[0]!),
      ...p,
    }));
    const { failing, totalRebuilds, packageRebuilds } = s;
    return JSON.stringify({ builds, failing, totalRebuilds, packageRebuilds, packages, rows });
  });
}

function heatmapCell(v: Verdict) {
  const reasons = v.reasons.map((r) => (r.alsoFails ? `would also fail: ${r.message}` : r.message));
  return {
    loads: v.loads,
    broken: brokenSymbols(v).length,
    reasons: reasons.slice(0, MAX_CELL_REASONS),
    more: Math.max(0, reasons.length - MAX_CELL_REASONS),
  };
}

/** Stores up to this many kernels are loaded and their streams' series computed before anyone asks. */
const WARM_BUILDS = 64;

const tick = (_quietMs?: number) => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * How long the server must have been idle before a whole build is loaded (~0.2 s of blocked event loop):
 * longer than the gaps within one page view's requests (a browser parsing the script between them).
 */
const BUILD_QUIET_MS = 500;

/**
 * The same before each series step after the first (tens of milliseconds each when the JIT is cold,
 * several times that on a busy machine): a page opened right after start gets its files and data without
 * waiting behind series it does not show.
 */
const STEP_QUIET_MS = 200;

/**
 * Computes the series pages the dashboard links to (every kernel, each `stream`), then their charts, then
 * loads the kernels (for diffs and histories, each after BUILD_QUIET_MS without a request), a step at a
 * time so that requests are answered in between. The series come
 * first: they read only the export columns kept at ingest (tens of milliseconds), while loading a build
 * whole takes ~0.2 s, which a first page view should not wait behind. `between` is awaited before each
 * step (app.ts waits there until no request is under way).
 */
export async function warmUp(
  view: StoreView,
  between: (quietMs?: number) => Promise<void> = tick,
): Promise<void> {
  try {
    await between(0);
    if (view.closed) return;
    const kernels = await view.entries('kind=kernel');
    if (kernels.length === 0 || kernels.length > WARM_BUILDS) return;
    const streams = [...new Set(kernels.map((e) => e.labels.stream).filter((s) => s !== undefined))];
    // A stream name a label query cannot say as it is (commas, wildcards) is left for a real request.
    // '' (the Series link) is one series when the store holds one stream, else one per stream: then it
    // comes last, made of the streams' own.
    const own = streams.filter((s) => !/[,*]/.test(s)).map((s) => `stream=${s}`);
    const queries = streams.length <= 1 ? [''] : [...own, ''];
    // The first series at once (after priming, app.ts): a page opened right after start most likely shows
    // it, and computing it while the browser is still starting costs that page less than computing it when
    // asked. After 50 ms of quiet, as before, it still ran when a browser opened at start asked for
    // index.html (the bench's cold page had index.html 61 ms after navigating, now 22 ms; medians of 5).
    for (const [i, query] of queries.entries()) {
      await between(i === 0 ? 0 : STEP_QUIET_MS);
      if (view.closed) return;
      await seriesJson(view, query, '', '');
    }
    for (const query of queries.filter((q) => q !== '' || streams.length <= 1))
      for (const chart of SERIES_CHARTS) {
        await between(STEP_QUIET_MS);
        if (view.closed) return;
        await seriesChartSvg(view, chart, query, '', '');
      }
    // One build at a time: a page asked for meanwhile waits for one load, not for all of them.
    for (const e of kernels) {
      await between(BUILD_QUIET_MS);
      if (view.closed) return;
      await view.loadBuilds([e.id]);
    }
  } catch {
    // A failure here is met again, and reported, by the request that needs the same result.
  }
}
