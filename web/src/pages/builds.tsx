// Every stored build and kmod with its labels; pick two kernels to compare them.
import { useState } from 'preact/hooks';
import { apiUrl, type Entry, useApi } from '../api';
import { href, navigate } from '../router';
import { Await, DataTable, fmt, LabelList, QueryInput } from '../ui';

export const entryName = (e: Entry) => e.labels.release ?? e.labels.name ?? e.labels.version ?? e.source;

export function BuildsPage({ params, changes }: { params: URLSearchParams; changes: number }) {
  const query = params.get('query') ?? '';
  const state = useApi<Entry[]>(apiUrl('builds', { query }), changes);
  const [picked, setPicked] = useState<number[]>([]);
  const toggle = (id: number) =>
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p.slice(-1), id]));
  return (
    <div>
      <h1>Builds</h1>
      <div class="toolbar">
        <QueryInput
          label="label query"
          name="query"
          value={query}
          placeholder="stream=debian-6.1, release=6.1.*, kind=kmod"
          onChange={(q) => navigate('builds', { query: q })}
        />
        <button
          type="button"
          id="compare"
          disabled={picked.length !== 2}
          onClick={() => navigate('diff', { old: picked[0], new: picked[1] })}
        >
          Compare the two picked kernels
        </button>
      </div>
      <Await state={state}>
        {(entries) =>
          entries.length === 0 ? (
            <p class="empty">No stored entry matches. Add some with kabi ingest.</p>
          ) : (
            <DataTable
              id="builds"
              head={
                <>
                  <th />
                  <th>id</th>
                  <th>kind</th>
                  <th>name</th>
                  <th class="num">exports</th>
                  <th class="num">modules</th>
                  <th>labels</th>
                  <th />
                </>
              }
            >
              {entries.map((e) => (
                <tr key={e.id} data-id={e.id}>
                  <td>
                    {e.kind === 'kernel' && (
                      <input
                        type="checkbox"
                        aria-label={`pick ${entryName(e)}`}
                        checked={picked.includes(e.id)}
                        onChange={() => toggle(e.id)}
                      />
                    )}
                  </td>
                  <td class="num">{e.id}</td>
                  <td>{e.kind}</td>
                  <td class="name">{entryName(e)}</td>
                  <td class="num">{fmt(e.exports)}</td>
                  <td class="num">{fmt(e.modules)}</td>
                  <td>
                    <LabelList labels={e.labels} />
                  </td>
                  <td>
                    {e.kind === 'kmod' ? (
                      <a href={href('kmod', { ref: e.id })}>verdicts</a>
                    ) : e.labels.stream ? (
                      <a href={href('series', { query: `stream=${e.labels.stream}` })}>series</a>
                    ) : null}
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
