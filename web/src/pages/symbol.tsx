// One symbol's export in every build of a series: CRC, module, export type, namespace, and what changed.
import { apiUrl, type GroupedHistory, type History, useApi } from '../api';
import { navigate } from '../router';
import { Await, DataTable, KernelQuery, QueryInput } from '../ui';

export function SymbolPage({ params, changes }: { params: URLSearchParams; changes: number }) {
  const name = params.get('name') ?? '';
  const query = params.get('query') ?? '';
  const state = useApi<History | GroupedHistory>(
    name ? apiUrl('history', { symbol: name, query }) : null,
    changes,
  );
  return (
    <div>
      <h1>
        Symbol history{name && ': '}
        {name && <code id="symbol-name">{name}</code>}
      </h1>
      <div class="toolbar">
        <QueryInput
          label="symbol"
          name="name"
          value={name}
          placeholder="kmalloc_trace"
          onChange={(n) => navigate('symbol', { name: n, query })}
        />
        <KernelQuery
          label="label query"
          value={query}
          onChange={(q) => navigate('symbol', { name, query: q })}
        />
      </div>
      {name === '' ? (
        <p class="empty">Name a symbol, or follow one from a diff.</p>
      ) : (
        <Await state={state}>
          {(h) =>
            'groupedBy' in h ? (
              <>
                <p class="meta" id="grouped">
                  {h.streams.length} streams, one history each (grouped by the stream label)
                </p>
                {h.streams.map((x, i) => (
                  <section class="stream" key={x.stream ?? ''} data-stream={x.stream ?? ''}>
                    <h2>Stream {x.stream ?? '(no stream label)'}</h2>
                    <HistoryTable h={x} id={`s${i}-history`} />
                  </section>
                ))}
              </>
            ) : (
              <HistoryTable h={h} id="history" />
            )
          }
        </Await>
      )}
    </div>
  );
}

function HistoryTable({ h, id }: { h: History; id: string }) {
  return (
    <DataTable
      id={id}
      head={
        <>
          <th>build</th>
          <th>crc</th>
          <th>module</th>
          <th>export type</th>
          <th>namespace</th>
          <th>changes</th>
        </>
      }
    >
      {h.entries.map((e) => (
        <tr key={e.build} class={e.changes.length ? 'changed' : undefined}>
          <td>{h.builds[e.build]?.name}</td>
          {e.export === null ? (
            <td colSpan={4} class="absent">
              not exported
            </td>
          ) : (
            <>
              <td class="mono crc">{e.export.crc ?? '—'}</td>
              <td>{e.export.module ?? '—'}</td>
              <td>{e.export.exportType ?? '—'}</td>
              <td>{e.export.namespace || '—'}</td>
            </>
          )}
          <td>{e.changes.join(', ')}</td>
        </tr>
      ))}
    </DataTable>
  );
}
