// A series of stored builds (a label query): the charts, what each update changed, the drift from the
// baseline and the ABI epochs. Refetched when the store changes.
import { useLayoutEffect } from 'preact/hooks';
import { apiUrl, type Entry, type GroupedSeries, type Series, type Stats, useApi } from '../api';
import { href, navigate } from '../router';
import { Await, DataTable, fmt, KernelQuery, percent, QueryInput, Section } from '../ui';

const KIND_COLUMNS: [keyof Stats, string][] = [
  ['added', 'added'],
  ['removed', 'removed'],
  ['crcChanged', 'crc changed'],
  ['exportTypeChanged', 'export type'],
  ['namespaceChanged', 'namespace'],
  ['moved', 'moved'],
  ['changes', 'changes'],
  ['breaking', 'breaking'],
];

function StatCells({ s }: { s: Stats }) {
  return (
    <>
      {KIND_COLUMNS.map(([k]) => (
        <td class="num" data-col={k} key={k}>
          {fmt(s[k] as number)}
        </td>
      ))}
      <td class="num" data-col="share">
        {percent(s.share)}
      </td>
    </>
  );
}

function StatHead() {
  return (
    <>
      {KIND_COLUMNS.map(([k, label]) => (
        <th class="num" key={k}>
          {label}
        </th>
      ))}
      <th class="num">share</th>
    </>
  );
}

function Streams({ current }: { current: string }) {
  const state = useApi<Entry[]>(apiUrl('builds', { query: 'kind=kernel' }));
  const streams = [...new Set((state.data ?? []).map((e) => e.labels.stream).filter((s) => s !== undefined))];
  if (streams.length === 0) return null;
  return (
    <nav class="chips" aria-label="streams">
      {streams.map((s) => (
        <a
          class={`chip${current === `stream=${s}` ? ' on' : ''}`}
          key={s}
          href={href('series', { query: `stream=${s}` })}
        >
          {s}
        </a>
      ))}
    </nav>
  );
}

export function SeriesPage({ params, changes }: { params: URLSearchParams; changes: number }) {
  const query = params.get('query') ?? '';
  const by = params.get('by') ?? '';
  const state = useApi<Series | GroupedSeries>(apiUrl('series', { query, by }), changes);
  return (
    <div>
      <h1>Series</h1>
      <div class="toolbar">
        <KernelQuery
          label="label query"
          value={query}
          onChange={(q) => navigate('series', { query: q, by })}
        />
        <QueryInput
          label="order by"
          name="by"
          value={by}
          placeholder="date, version…"
          onChange={(b) => navigate('series', { query, by: b })}
        />
        <Streams current={query} />
      </div>
      <Await state={state}>
        {(s) => {
          // Charts and links follow the query the data shown came from (the next one may be loading).
          const of = state.url ? new URL(state.url, location.href).searchParams : null;
          const [q, b] = of ? [of.get('query') ?? '', of.get('by') ?? ''] : [query, by];
          return 'groupedBy' in s ? (
            <Grouped g={s} query={q} by={b} changes={changes} />
          ) : (
            <>
              <Charts query={q} by={b} changes={changes} />
              <SeriesView s={s} query={q} />
            </>
          );
        }}
      </Await>
    </div>
  );
}

/** `query` narrowed to one stream; null when a label query cannot say it (no label, a comma, a `*`). */
function streamQuery(query: string, stream: string | null): string | null {
  if (stream === null || /[,*]/.test(stream)) return null;
  return query.trim() ? `${query},stream=${stream}` : `stream=${stream}`;
}

/** Builds of several streams: one series each, under its stream's name, never one mixed timeline. */
function Grouped({
  g,
  query,
  by,
  changes,
}: {
  g: GroupedSeries;
  query: string;
  by: string;
  changes: number;
}) {
  const name = (s: string | null) => s ?? '(no stream label)';
  return (
    <>
      <p class="meta" id="grouped">
        {g.streams.length} streams, one series each (grouped by the stream label):{' '}
        {g.streams.map((s) => `${name(s.stream)} (${s.builds.length} builds)`).join(', ')}. Pick one above to
        see it alone.
      </p>
      {g.streams.map((s, i) => {
        const q = streamQuery(query, s.stream);
        return (
          <section class="stream" key={name(s.stream)} data-stream={name(s.stream)}>
            <h2>Stream {name(s.stream)}</h2>
            {q !== null && <Charts query={q} by={by} changes={changes} prefix={`s${i}-`} />}
            <SeriesView s={s} query={q ?? query} prefix={`s${i}-`} />
          </section>
        );
      })}
    </>
  );
}

const CHARTS = [
  ['steps', 'Changes per update'],
  ['drift', 'Drift from the baseline'],
  ['epochs', 'ABI epochs'],
] as const;

/**
 * The charts of `kabi report series`, drawn by the server. As images: an SVG in an <img> runs nothing
 * and reaches nothing, whatever its text says; the tables below carry the same figures.
 */
function Charts({
  query,
  by,
  changes,
  prefix = '',
}: {
  query: string;
  by: string;
  changes: number;
  prefix?: string;
}) {
  return (
    <div class="charts">
      {CHARTS.map(([id, title]) => (
        <img
          key={id}
          id={`${prefix}chart-${id}`}
          alt={title}
          src={apiUrl(`series/charts/${id}.svg`, { query, by, rev: changes || undefined })}
        />
      ))}
    </div>
  );
}

function SeriesView({ s, query, prefix = '' }: { s: Series; query: string; prefix?: string }) {
  // User timing for bench/serve.bench.ts: when the figures of a series are on screen.
  useLayoutEffect(() => {
    performance.mark('kabi:series-shown');
  }, [s]);
  const id = (i: number) => s.builds[i]?.labels.id;
  const name = (i: number) => s.builds[i]?.name ?? String(i);
  return (
    <>
      <p class="meta">
        {s.builds.length} builds, ordered by {s.ordering.label ?? 'input order'} ({s.ordering.method})
      </p>
      <Section title="Steps: what each update changed">
        <DataTable
          id={`${prefix}steps`}
          head={
            <>
              <th>from</th>
              <th>to</th>
              <StatHead />
              <th />
            </>
          }
        >
          {s.steps.map((st) => (
            <tr key={st.to} data-from={name(st.from)} data-to={name(st.to)}>
              <td>{name(st.from)}</td>
              <td>{name(st.to)}</td>
              <StatCells s={st} />
              <td>
                <a href={href('diff', { old: id(st.from), new: id(st.to), query })}>changes</a>
              </td>
            </tr>
          ))}
        </DataTable>
      </Section>
      <Section title={`Drift from ${name(s.drift.baseline)}`}>
        <DataTable
          id={`${prefix}drift`}
          head={
            <>
              <th>build</th>
              <StatHead />
            </>
          }
        >
          {s.drift.points.map((p) => (
            <tr key={p.build}>
              <td>{name(p.build)}</td>
              <StatCells s={p} />
            </tr>
          ))}
        </DataTable>
      </Section>
      <Section title="ABI epochs: runs of builds with the same symbol CRCs">
        <DataTable
          id={`${prefix}epochs`}
          head={
            <>
              <th>first</th>
              <th>last</th>
              <th class="num">builds</th>
              <th class="num">days</th>
              <th class="num">exports</th>
              <th>CRC digest</th>
            </>
          }
        >
          {s.epochs.map((e) => (
            <tr key={e.index}>
              <td>{name(e.first)}</td>
              <td>{name(e.last)}</td>
              <td class="num">{e.builds}</td>
              <td class="num">{e.days === null ? '—' : `${e.days}${e.ongoing ? '+' : ''}`}</td>
              <td class="num">{fmt(e.exports)}</td>
              <td class="mono" title={e.crcDigest}>
                {e.crcDigest.slice(0, 12)}
              </td>
            </tr>
          ))}
        </DataTable>
      </Section>
    </>
  );
}
