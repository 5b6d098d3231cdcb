// The server's JSON API (docs/serve.md): shapes as the pages use them, and a hook that fetches one.
import { useEffect, useState } from 'preact/hooks';

export type Labels = Record<string, string>;

export interface Entry {
  id: number;
  kind: 'kernel' | 'kmod';
  format: string;
  source: string;
  sha256: string;
  ingestedAt: string;
  labels: Labels;
  exports: number;
  modules: number;
}

export interface Counts {
  added: number;
  removed: number;
  crcChanged: number;
  exportTypeChanged: number;
  namespaceChanged: number;
  moved: number;
}

export interface Stats extends Counts {
  changes: number;
  symbols: number;
  breaking: number;
  share: number | null;
}

export interface SeriesBuild {
  index: number;
  name: string;
  source: string;
  format: string;
  exports: number;
  labels: Labels;
}

/** A query selecting builds of several streams: one series per stream (`kabi series` does the same). */
export interface GroupedSeries {
  groupedBy: 'stream';
  streams: (Series & { stream: string | null })[];
}

export interface Series {
  ordering: { label: string | null; method: string; requested: boolean };
  builds: SeriesBuild[];
  steps: (Stats & { from: number; to: number })[];
  drift: { baseline: number; points: (Stats & { build: number })[] };
  epochs: {
    index: number;
    first: number;
    last: number;
    builds: number;
    days: number | null;
    ongoing: boolean;
    exports: number;
    crcDigest: string;
  }[];
}

export interface ExportJson {
  crc: string | null;
  module: string | null;
  exportType: string | null;
  namespace: string | null;
}

export interface ChangeJson {
  kind: string;
  symbol: string;
  old: ExportJson | null;
  new: ExportJson | null;
  severity: string;
  rule: string;
  breaking: boolean;
}

export interface BuildRef {
  id: number;
  name: string;
  labels: Labels;
}

export interface DiffPage {
  page: {
    old: BuildRef;
    new: BuildRef;
    matched: Counts;
    total: number;
    offset: number;
    limit: number;
  };
  verdict: string;
  summary: Counts & { fail: number; warn: number; ignore: number };
  changes: ChangeJson[];
}

/** A symbol's history over several streams: one per stream. */
export interface GroupedHistory {
  groupedBy: 'stream';
  streams: (History & { stream: string | null })[];
}

export interface History {
  symbol: string;
  builds: SeriesBuild[];
  entries: { build: number; export: ExportJson | null; changes: string[] }[];
}

export interface Reason {
  code: string;
  message: string;
  symbol?: string;
  wanted?: string | null;
  offered?: string | null;
  module?: string;
  alsoFails?: boolean;
}

/** A module told from others of its name: where it came from, the kernel it was built for. */
export interface ModuleIdentity {
  module: string;
  from: string;
  builtFor: string | null;
}

export interface VerdictJson extends ModuleIdentity {
  kernel: string;
  loads: boolean;
  reasons: Reason[];
  notes: string[];
}

export interface Rebuild {
  kernel: string;
  symbols: string[];
  unfixable: string[];
}

/** A package (a stored kmod) across a series: the builds it survives, those that force a rebuild. */
export interface PackageTimeline {
  package: string | null;
  builtFor: string | null;
  modules: string[];
  survives: string[];
  rebuilds: (Rebuild & { modules: string[] })[];
}

/** The failing modules per build and the rebuild totals: the same figures as `kabi compat --series`. */
export interface SeriesCounts {
  failing: number[];
  totalRebuilds: number;
  packageRebuilds: number;
}

export interface KmodPage {
  kmod: Entry;
  builds: { id: number; name: string }[];
  series: SeriesCounts & {
    kernels: string[];
    packages: PackageTimeline[];
    modules: (ModuleIdentity & {
      loads: boolean[];
      firstFailure: { kernel: string; symbols: string[] } | null;
      rebuilds: Rebuild[];
    })[];
  };
  why: VerdictJson[];
}

type KmodRef = { id: number; name: string; labels: Labels };

export interface Heatmap extends SeriesCounts {
  builds: { id: number; name: string }[];
  packages: (PackageTimeline & { kmod: KmodRef })[];
  rows: (ModuleIdentity & {
    kmod: KmodRef;
    rebuilds: number;
    cells: { loads: boolean; broken: number; reasons: string[]; more: number }[];
  })[];
}

export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
  /** The URL `data` came from: while another loads, the data shown is still that one's. */
  url?: string;
}

export function apiUrl(path: string, params: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return `/api/${path}${s ? `?${s}` : ''}`;
}

/** Requests started before the page's code arrived (boot.ts), each taken once by the first useApi of its URL. */
// Set here should boot.ts not have run (it failed to load).
window.kabiEarly ??= new Map();
const early: Map<string, Promise<Response>> = window.kabiEarly;
/** Those of them answered and read: the first useApi of the URL starts with the data, no effect needed. */
const settled = new Map<string, Loaded<unknown>>();

/** What a response says: its JSON, or the error it reports. */
async function read<T>(r: Response, url: string): Promise<Loaded<T>> {
  const body = await r.json().catch(() => ({ error: `${r.status} ${r.statusText}` }));
  if (!r.ok) throw new Error((body as { error?: string }).error ?? `${r.status}`);
  return { data: body as T, loading: false, url };
}

/**
 * Resolves once the first request boot.ts started, the page's own figures, is answered and read (or has
 * failed: useApi reports it). The others (the series page's stream chips) are read as they come: the
 * figures are not held back for them, and a page that renders first takes them in an effect.
 */
export function prefetched(): Promise<unknown> {
  const reads = [...early].map(([url, response]) =>
    response
      .then((r) => read(r.clone(), url))
      .then(
        (state) => {
          if (early.has(url)) settled.set(url, state);
        },
        () => {},
      ),
  );
  return reads[0] ?? Promise.resolve();
}

/** Fetches `url` (null: nothing yet); again when it or the store changes; a stale answer is dropped. */
export function useApi<T>(url: string | null, storeChanges = 0): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>(() => {
    const ready = url !== null && storeChanges === 0 ? settled.get(url) : undefined;
    if (ready) {
      settled.delete(url!);
      early.delete(url!);
      return ready as Loaded<T>;
    }
    return { loading: url !== null };
  });
  useEffect(() => {
    if (url === null) return;
    // Already shown from a prefetched answer: nothing to fetch until the URL or the store changes.
    if (state.url === url && !state.loading && storeChanges === 0 && state.data !== undefined) return;
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    const started = storeChanges === 0 ? early.get(url) : undefined;
    early.delete(url);
    settled.delete(url);
    (started ?? fetch(url, { signal: ctl.signal, headers: { accept: 'application/json' } }))
      .then((r) => read<T>(r, url))
      .then(setState)
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setState({ error: e.message, loading: false });
      });
    return () => ctl.abort();
  }, [url, storeChanges]);
  return state;
}

/**
 * How many times the store changed since the page opened (polled): pages pass it to useApi, so their
 * data is fetched again when something was ingested or removed meanwhile.
 */
export function useStoreChanges(everyMs = 5000): number {
  const [changes, setChanges] = useState(0);
  useEffect(() => {
    let last: string | null = null;
    let stopped = false;
    const poll = () => {
      if (document.visibilityState === 'hidden') return;
      fetch('/api/generation')
        .then((r) => r.json())
        .then((j: { generation: string }) => {
          if (stopped) return;
          if (last !== null && j.generation !== last) setChanges((n) => n + 1);
          last = j.generation;
        })
        .catch(() => {});
    };
    poll();
    const timer = setInterval(poll, everyMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [everyMs]);
  return changes;
}
