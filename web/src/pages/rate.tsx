// Rate of change as the Fermilab slides draw it: comm of symbol-CRC lines per update, and the drift from
// the baseline (the GA kernel) over calendar dates, with δ per day. Derived from /api/series: a line only
// in the old build is a removed symbol or an old CRC, a line only in the new an added symbol or a new CRC
// (exact for builds whose every export has a CRC, as Module.symvers'). Survivors of the whole series,
// which need every build's lines, are in `kabi series --comm`.
import { dateLines, groupedBars } from '../../../src/report/charts/grouped';
import { apiUrl, type GroupedSeries, type Series, type Stats, useApi } from '../api';
import { href, navigate } from '../router';
import { Await, DataTable, fmt, KernelQuery, QueryInput, Section } from '../ui';

interface Comm {
  common: number;
  onlyOld: number;
  onlyNew: number;
}

/** comm counts of one comparison from its change counts and the old build's size. */
function commOf(s: Stats, oldExports: number): Comm {
  const onlyOld = s.removed + s.crcChanged;
  return { common: oldExports - onlyOld, onlyOld, onlyNew: s.added + s.crcChanged };
}

const DAY = 86_400_000;
const dayOf = (date: string | undefined) => {
  const t = date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
  return Number.isNaN(t) ? null : t / DAY;
};

const SERIES = [
  { key: 'common', label: 'in common', color: '#0072B2' },
  { key: 'only-old', label: 'only old', color: '#D55E00' },
  { key: 'only-new', label: 'only new', color: '#009E73' },
];

function Svg({ svg, id }: { svg: string; id: string }) {
  // The chart functions escape every artifact string (src/report/charts/svg.ts); no script, no URL.
  return <div class="chart" id={id} dangerouslySetInnerHTML={{ __html: svg }} />;
}

function RateView({ s }: { s: Series }) {
  const name = (i: number) => s.builds[i]?.name ?? String(i);
  const steps = s.steps.map((x) => ({ ...x, ...commOf(x, s.builds[x.from]?.exports ?? 0) }));
  const base = s.builds[s.drift.baseline];
  const baseDay = dayOf(base?.labels.date);
  const drift = s.drift.points.map((p) => {
    const c = commOf(p, base?.exports ?? 0);
    const day = dayOf(s.builds[p.build]?.labels.date);
    const days = day === null || baseDay === null ? null : day - baseDay;
    return { ...p, ...c, day, days, perDay: days !== null && days > 0 ? c.onlyNew / days : null };
  });
  const dated = drift.every((p) => p.day !== null);
  const stepsSvg = groupedBars({
    id: 'rate-steps',
    title: 'comm of each update with the one before',
    desc: 'Lines of symbol and CRC in common, only in the older build, only in the newer.',
    caption: 'lines',
    series: SERIES,
    groups: steps.map((x) => ({
      label: `${name(x.from)} → ${name(x.to)}`,
      values: [x.common, x.onlyOld, x.onlyNew],
    })),
  }).svg;
  const driftSvg = dateLines({
    id: 'rate-drift',
    title: `Drift from ${base?.name ?? '?'}${dated ? ', by date' : ''}`,
    desc: 'comm of the baseline with each build, placed by the build date.',
    caption: 'lines',
    series: SERIES,
    points: drift.map((p, i) => ({
      day: dated ? p.day! : i,
      date: dated ? s.builds[p.build]!.labels.date! : `#${i}`,
      label: name(p.build),
      values: [p.common, p.onlyOld, p.onlyNew],
    })),
  }).svg;
  return (
    <>
      <div class="charts">
        <Svg id="chart-rate-steps" svg={stepsSvg} />
        <Svg id="chart-rate-drift" svg={driftSvg} />
      </div>
      <Section title="Updates (comm)">
        <DataTable
          id="rate-steps"
          head={
            <>
              <th>from</th>
              <th>to</th>
              <th class="num">in common</th>
              <th class="num">only old</th>
              <th class="num">only new</th>
            </>
          }
        >
          {steps.map((x) => (
            <tr key={x.to}>
              <td>{name(x.from)}</td>
              <td>{name(x.to)}</td>
              <td class="num">{fmt(x.common)}</td>
              <td class="num">{fmt(x.onlyOld)}</td>
              <td class="num">{fmt(x.onlyNew)}</td>
            </tr>
          ))}
        </DataTable>
      </Section>
      <Section title={`Drift from ${base?.name ?? '?'} (δ per day: only-new lines over days since it)`}>
        <DataTable
          id="rate-drift"
          head={
            <>
              <th>build</th>
              <th>date</th>
              <th class="num">days</th>
              <th class="num">in common</th>
              <th class="num">only old</th>
              <th class="num">only new</th>
              <th class="num">δ per day</th>
            </>
          }
        >
          {drift.map((p) => (
            <tr key={p.build}>
              <td>{name(p.build)}</td>
              <td>{s.builds[p.build]?.labels.date ?? '—'}</td>
              <td class="num">{p.days ?? '—'}</td>
              <td class="num">{fmt(p.common)}</td>
              <td class="num">{fmt(p.onlyOld)}</td>
              <td class="num">{fmt(p.onlyNew)}</td>
              <td class="num">{p.perDay === null ? '—' : p.perDay.toFixed(2)}</td>
            </tr>
          ))}
        </DataTable>
      </Section>
    </>
  );
}

export function RatePage({ params, changes }: { params: URLSearchParams; changes: number }) {
  const query = params.get('query') ?? '';
  const baseline = params.get('baseline') ?? '';
  const state = useApi<Series | GroupedSeries>(apiUrl('series', { query, baseline }), changes);
  return (
    <div>
      <h1>Rate of change</h1>
      <div class="toolbar">
        <KernelQuery
          label="label query"
          value={query}
          onChange={(q) => navigate('rate', { query: q, baseline })}
        />
        <QueryInput
          label="baseline (GA)"
          name="baseline"
          value={baseline}
          placeholder="release=6.1.0-47"
          onChange={(b) => navigate('rate', { query, baseline: b })}
        />
      </div>
      <Await state={state}>
        {(s) =>
          'groupedBy' in s ? (
            <p class="empty">
              The query selects several streams; one at a time:{' '}
              {s.streams.map((x) => (
                <a key={x.stream} class="chip" href={href('rate', { query: `stream=${x.stream}` })}>
                  {x.stream ?? '(none)'}
                </a>
              ))}
            </p>
          ) : (
            <RateView s={s} />
          )
        }
      </Await>
    </div>
  );
}
