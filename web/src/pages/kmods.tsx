// Out-of-tree modules: the stored kmods, one kmod's verdict on every build of a series, and why it fails.
import { apiUrl, type Entry, type KmodPage, useApi } from '../api';
import { href, navigate } from '../router';
import { Await, DataTable, fmt, KernelQuery, LabelList, NoKmods, Section } from '../ui';
import { entryName } from './builds';
import { PackagesTable, RebuildCounts } from './rebuilds';

export function KmodsPage({ params, changes }: { params: URLSearchParams; changes: number }) {
  const query = params.get('query') ?? '';
  const state = useApi<Entry[]>(apiUrl('kmods', {}), changes);
  return (
    <div>
      <h1>Kmods</h1>
      <Await state={state}>
        {(kmods) =>
          kmods.length === 0 ? (
            <NoKmods />
          ) : (
            <DataTable
              id="kmods"
              head={
                <>
                  <th>id</th>
                  <th>name</th>
                  <th class="num">modules</th>
                  <th>labels</th>
                </>
              }
            >
              {kmods.map((k) => (
                <tr key={k.id}>
                  <td class="num">{k.id}</td>
                  <td>
                    <a href={href('kmod', { ref: k.id, query })}>{entryName(k)}</a>
                  </td>
                  <td class="num">{fmt(k.modules)}</td>
                  <td>
                    <LabelList labels={k.labels} />
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </Await>
    </div>
  );
}

export function KmodPageView({ params, changes }: { params: URLSearchParams; changes: number }) {
  const ref = params.get('ref') ?? '';
  const query = params.get('query') ?? '';
  const state = useApi<KmodPage>(ref ? apiUrl('kmod', { ref, query }) : null, changes);
  return (
    <div>
      <h1>Kmod</h1>
      <div class="toolbar">
        <KernelQuery value={query} onChange={(q) => navigate('kmod', { ref, query: q })} />
      </div>
      {ref === '' ? (
        <p class="empty">
          Pick a kmod on the <a href={href('kmods')}>kmods page</a>.
        </p>
      ) : (
        <Await state={state}>{(k) => <KmodView k={k} />}</Await>
      )}
    </div>
  );
}

function KmodView({ k }: { k: KmodPage }) {
  const s = k.series;
  return (
    <>
      <p class="meta">
        <strong id="kmod-name">{entryName(k.kmod)}</strong>{' '}
        <LabelList labels={k.kmod.labels} skip={['name']} />
      </p>
      <Section title="Package">
        <PackagesTable packages={s.packages} />
        <RebuildCounts counts={s} builds={k.builds} />
      </Section>
      <Section title="Verdict on each build">
        <DataTable
          id="verdicts"
          class="data matrix"
          head={
            <>
              <th>module</th>
              <th>built for</th>
              {k.builds.map((b) => (
                <th key={b.id}>{b.name}</th>
              ))}
              <th>first failure</th>
              <th class="num">rebuilds</th>
            </>
          }
        >
          {s.modules.map((m) => (
            <tr key={`${m.module}\0${m.from}\0${m.builtFor}`}>
              <td title={m.from}>{m.module}</td>
              <td>{m.builtFor ?? '?'}</td>
              {m.loads.map((ok, i) => (
                <td key={k.builds[i]?.id} class={ok ? 'loads' : 'fails'}>
                  {ok ? 'loads' : 'fails'}
                </td>
              ))}
              <td>{m.firstFailure ? m.firstFailure.kernel : 'none'}</td>
              <td class="num">{m.rebuilds.length}</td>
            </tr>
          ))}
        </DataTable>
      </Section>
      <Section title="Why not">
        {k.why.length === 0 ? (
          <p class="empty">It loads on every build.</p>
        ) : (
          <div id="why">
            {k.why.map((v) => (
              <div class="why" key={`${v.module}\0${v.from}\0${v.builtFor}\0${v.kernel}`}>
                <h3>
                  {v.module} on {v.kernel}
                  <span class="meta">
                    {' '}
                    ({v.from}
                    {v.builtFor && `, built for ${v.builtFor}`})
                  </span>
                </h3>
                <ol>
                  {v.reasons.map((r, i) => (
                    <li key={i} class={r.alsoFails ? 'also' : undefined}>
                      {r.alsoFails && <em>would also fail: </em>}
                      {r.message}
                    </li>
                  ))}
                </ol>
                {v.notes.length > 0 && (
                  <ul class="notes">
                    {v.notes.map((n, i) => (
                      <li key={i}>{n}</li>
                    ))}
                  </ul>
                )}
              </div>
            ))}
          </div>
        )}
      </Section>
    </>
  );
}
