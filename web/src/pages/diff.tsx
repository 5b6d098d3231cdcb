// The changes between any two stored kernels, a page at a time from the server (20,000+ changes),
// filtered by kind, module and namespace, searched by symbol; every symbol links to its history.
import { useEffect, useState } from 'preact/hooks';
import {
  apiUrl,
  type ChangeJson,
  type Counts,
  type DiffPage,
  type Entry,
  type ExportJson,
  useApi,
} from '../api';
import { href, navigate } from '../router';
import { Await, DataTable, fmt, useDebounced } from '../ui';
import { entryName } from './builds';

const PAGE = 100;

export const KINDS: [string, keyof Counts][] = [
  ['removed', 'removed'],
  ['crc-changed', 'crcChanged'],
  ['export-type-changed', 'exportTypeChanged'],
  ['namespace-changed', 'namespaceChanged'],
  ['moved', 'moved'],
  ['added', 'added'],
];

export function DiffView({ params, changes }: { params: URLSearchParams; changes: number }) {
  const p = Object.fromEntries(params) as Record<string, string | undefined>;
  const kinds = (p.kind ?? '').split(',').filter(Boolean);
  const page = Math.max(1, Number.parseInt(p.page ?? '1', 10) || 1);
  const go = (over: Record<string, string | number | undefined>, replace = false) =>
    navigate('diff', { ...p, page: undefined, ...over }, replace);
  const url =
    p.old && p.new
      ? apiUrl('diff', {
          old: p.old,
          new: p.new,
          kind: kinds.join(','),
          module: p.module,
          namespace: p.namespace,
          q: p.q,
          offset: (page - 1) * PAGE,
          limit: PAGE,
        })
      : null;
  const state = useApi<DiffPage>(url, changes);
  return (
    <div>
      <h1>Diff</h1>
      <Pickers old={p.old} next={p.new} onPick={(o, n) => go({ old: o, new: n })} />
      <Filters p={p} go={go} />
      {url === null ? (
        <p class="empty">Pick two kernels to compare.</p>
      ) : (
        <Await state={state}>
          {(d) => (
            <>
              <p class="meta" id="diff-head">
                {d.page.old.name} → {d.page.new.name}:{' '}
                <strong class={`verdict ${d.verdict}`}>{d.verdict}</strong>, {fmt(d.summary.fail)} failing and{' '}
                {fmt(d.summary.warn)} tolerated changes (default policy)
              </p>
              <img
                class="diff-chart"
                alt="changes per kind and severity"
                src={apiUrl('diff/chart.svg', { old: p.old, new: p.new, rev: changes || undefined })}
              />
              <KindChips d={d} kinds={kinds} toggle={(k) => go({ kind: toggled(kinds, k).join(',') })} />
              <Pager d={d} page={page} go={(n) => go({ page: n })} />
              <ChangeTable rows={d.changes} query={p.query ?? streamQuery(d)} />
              {d.page.total > PAGE && <Pager d={d} page={page} go={(n) => go({ page: n })} />}
            </>
          )}
        </Await>
      )}
    </div>
  );
}

const toggled = (kinds: string[], k: string) =>
  kinds.includes(k) ? kinds.filter((x) => x !== k) : [...kinds, k];

/** Symbol history over the stream both builds belong to, else over every kernel. */
function streamQuery(d: DiffPage): string {
  const s = d.page.old.labels.stream;
  return s !== undefined && s === d.page.new.labels.stream ? `stream=${s}` : '';
}

function Pickers({
  old,
  next,
  onPick,
}: {
  old?: string;
  next?: string;
  onPick: (o: string, n: string) => void;
}) {
  const state = useApi<Entry[]>(apiUrl('builds', { query: 'kind=kernel' }));
  const kernels = state.data ?? [];
  const pick = (label: string, value: string | undefined, set: (v: string) => void) => (
    <label class="field">
      <span>{label}</span>
      <select name={label} value={value ?? ''} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
        <option value="">—</option>
        {kernels.map((k) => (
          <option key={k.id} value={String(k.id)}>
            {entryName(k)} (#{k.id})
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div class="toolbar">
      {pick('old', old, (v) => onPick(v, next ?? ''))}
      {pick('new', next, (v) => onPick(old ?? '', v))}
    </div>
  );
}

function Filters({
  p,
  go,
}: {
  p: Record<string, string | undefined>;
  go: (over: Record<string, string | undefined>, replace?: boolean) => void;
}) {
  const [q, setQ] = useState(p.q ?? '');
  const [module, setModule] = useState(p.module ?? '');
  const [namespace, setNamespace] = useState(p.namespace ?? '');
  // Debounced as one string: an object would be a new value on every render.
  const settled = useDebounced(JSON.stringify([q, module, namespace]), 250);
  useEffect(() => {
    const [sq, sm, sn] = JSON.parse(settled) as [string, string, string];
    if (sq !== (p.q ?? '') || sm !== (p.module ?? '') || sn !== (p.namespace ?? ''))
      go({ q: sq, module: sm, namespace: sn }, true);
  }, [settled]);
  const input = (
    name: string,
    label: string,
    value: string,
    set: (v: string) => void,
    placeholder: string,
  ) => (
    <label class="field">
      <span>{label}</span>
      <input
        type="search"
        name={name}
        value={value}
        placeholder={placeholder}
        spellcheck={false}
        autocomplete="off"
        onInput={(e) => set((e.target as HTMLInputElement).value)}
      />
    </label>
  );
  return (
    <div class="toolbar">
      {input('q', 'symbol', q, setQ, 'part of a symbol name')}
      {input('module', 'module', module, setModule, 'vmlinux, drivers/net/*')}
      {input('namespace', 'namespace', namespace, setNamespace, 'CXL, USB_STORAGE')}
    </div>
  );
}

function KindChips({ d, kinds, toggle }: { d: DiffPage; kinds: string[]; toggle: (k: string) => void }) {
  return (
    <fieldset class="chips">
      <legend class="sr-only">change kinds</legend>
      {KINDS.map(([kind, key]) => (
        <button
          type="button"
          key={kind}
          class={`chip kind-${kind}${kinds.includes(kind) ? ' on' : ''}`}
          aria-pressed={kinds.includes(kind)}
          data-kind={kind}
          onClick={() => toggle(kind)}
        >
          {kind} <span class="count">{fmt(d.page.matched[key])}</span>
        </button>
      ))}
    </fieldset>
  );
}

function Pager({ d, page, go }: { d: DiffPage; page: number; go: (n: number) => void }) {
  const pages = Math.max(1, Math.ceil(d.page.total / PAGE));
  const first = d.page.total === 0 ? 0 : d.page.offset + 1;
  return (
    <div class="pager">
      <button type="button" disabled={page <= 1} onClick={() => go(page - 1)}>
        ← previous
      </button>
      <span class="range">
        {fmt(first)}–{fmt(d.page.offset + d.changes.length)} of <span class="total">{fmt(d.page.total)}</span>
      </span>
      <button type="button" disabled={page >= pages} onClick={() => go(page + 1)}>
        next →
      </button>
      <span class="pages">
        page {page} of {pages}
      </span>
    </div>
  );
}

const crc = (e: ExportJson | null) => e?.crc ?? '—';

function Side({ c, field }: { c: ChangeJson; field: keyof ExportJson }) {
  const a = c.old?.[field];
  const b = c.new?.[field];
  if (c.old && c.new && a !== b)
    return (
      <>
        <span class="old">{a ?? '—'}</span> → <span class="new">{b ?? '—'}</span>
      </>
    );
  return <>{(c.new ?? c.old)?.[field] ?? '—'}</>;
}

function ChangeTable({ rows, query }: { rows: ChangeJson[]; query: string }) {
  if (rows.length === 0) return <p class="empty">No change matches.</p>;
  return (
    <DataTable
      id="changes"
      head={
        <>
          <th>kind</th>
          <th>symbol</th>
          <th>old crc</th>
          <th>new crc</th>
          <th>module</th>
          <th>export type</th>
          <th>namespace</th>
          <th>severity</th>
        </>
      }
    >
      {rows.map((c) => (
        <tr key={`${c.kind}\0${c.symbol}`} class={`kind-${c.kind}`}>
          <td>{c.kind}</td>
          <td class="mono">
            <a class="symbol" href={href('symbol', { name: c.symbol, query })}>
              {c.symbol}
            </a>
          </td>
          <td class="mono crc">{crc(c.old)}</td>
          <td class="mono crc">{crc(c.new)}</td>
          <td>
            <Side c={c} field="module" />
          </td>
          <td>
            <Side c={c} field="exportType" />
          </td>
          <td>
            <Side c={c} field="namespace" />
          </td>
          <td class={`severity ${c.severity}`}>{c.severity}</td>
        </tr>
      ))}
    </DataTable>
  );
}
