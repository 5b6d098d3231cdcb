// The compat page: every stored kmod (a package) across the builds of a series, first per package (the
// builds it survives, those that force a rebuild), then the heatmap of its modules × the builds; a cell
// loads or holds the number of symbols that broke it, with the loader's reasons on hover.
import { apiUrl, type Heatmap, useApi } from '../api';
import { href, navigate } from '../router';
import { Await, DataTable, KernelQuery, NoKmods, QueryInput, Section } from '../ui';
import { PackagesTable, RebuildCounts } from './rebuilds';

export function CompatPage({ params, changes }: { params: URLSearchParams; changes: number }) {
  const query = params.get('query') ?? '';
  const kmods = params.get('kmods') ?? '';
  const state = useApi<Heatmap>(apiUrl('compat', { query, kmods }), changes);
  return (
    <div>
      <h1>Compatibility</h1>
      <div class="toolbar">
        <KernelQuery value={query} onChange={(q) => navigate('compat', { query: q, kmods })} />
        <QueryInput
          label="kmods (label query)"
          name="kmods"
          value={kmods}
          placeholder="name=v4l2loopback (empty: every kmod)"
          onChange={(k) => navigate('compat', { query, kmods: k })}
        />
      </div>
      <Await state={state}>
        {(h) =>
          h.rows.length === 0 ? (
            <NoKmods />
          ) : (
            <>
              <Section title="Packages">
                <PackagesTable
                  packages={h.packages}
                  kmod={(i) => (
                    <a href={href('kmod', { ref: h.packages[i]!.kmod.id, query })}>
                      {h.packages[i]!.kmod.name}
                    </a>
                  )}
                />
                <RebuildCounts counts={h} builds={h.builds} />
              </Section>
              <Section title="Modules">
                <DataTable
                  id="heatmap"
                  class="data heatmap"
                  foot={
                    <>
                      <th colSpan={3}>failing modules</th>
                      {h.failing.map((n, i) => (
                        <td key={h.builds[i]?.id} class="failing">
                          {n}
                        </td>
                      ))}
                    </>
                  }
                  head={
                    <>
                      <th>kmod</th>
                      <th>module</th>
                      <th>built for</th>
                      {h.builds.map((b) => (
                        <th key={b.id} class="build">
                          {b.name}
                        </th>
                      ))}
                    </>
                  }
                >
                  {h.rows.map((r) => (
                    <tr key={`${r.kmod.id}\0${r.module}\0${r.from}\0${r.builtFor}`}>
                      <td>
                        <a href={href('kmod', { ref: r.kmod.id, query })}>{r.kmod.name}</a>
                      </td>
                      <td title={r.from}>{r.module}</td>
                      <td>{r.builtFor ?? '?'}</td>
                      {r.cells.map((c, i) => (
                        <td
                          key={h.builds[i]?.id}
                          class={
                            c.loads
                              ? 'cell loads'
                              : `cell fails heat-${Math.min(4, Math.ceil(Math.log2(c.broken + 1)))}`
                          }
                          title={
                            c.loads
                              ? 'loads'
                              : [...c.reasons, ...(c.more ? [`… and ${c.more} more`] : [])].join('\n')
                          }
                          data-broken={c.broken}
                        >
                          {c.loads ? '✓' : c.broken || '✗'}
                        </td>
                      ))}
                    </tr>
                  ))}
                </DataTable>
              </Section>
            </>
          )
        }
      </Await>
      <p class="legend">
        <span class="swatch loads">✓</span> loads · <span class="swatch fails heat-2">n</span> does not load:
        n symbols broke it (hover for the loader's reasons) · <span class="swatch fails heat-1">✗</span> does
        not load for another reason (vermagic, a dependency)
      </p>
    </div>
  );
}
