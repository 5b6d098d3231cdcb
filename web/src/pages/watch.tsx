// New builds as `kabi watch` reports them, live: the server's /api/events stream (server-sent events),
// newest first, each with its gate verdict against the stream's last release and the corpus's compat.
import { useEffect, useState } from 'preact/hooks';
import { href } from '../router';

interface WatchEntry {
  id: number;
  labels: Record<string, string>;
}

interface WatchEvent {
  type: string;
  time: string;
  source: string;
  package: { name: string; version: string } | null;
  entry: WatchEntry | null;
  baseline: WatchEntry | null;
  gate: { verdict: string; summary: { fail: number; warn: number } } | null;
  compat: { modules: number; loads: number; fails: number } | null;
  created: boolean | null;
  message: string | null;
}

const MAX_SHOWN = 200;
const nameOf = (e: WatchEntry) => e.labels.uname ?? e.labels.release ?? `entry ${e.id}`;

export function WatchPage() {
  const [events, setEvents] = useState<{ id: string; event: WatchEvent }[]>([]);
  const [status, setStatus] = useState('connecting…');
  useEffect(() => {
    const source = new EventSource('/api/events');
    source.addEventListener('open', () => setStatus('live'));
    source.addEventListener('error', () => setStatus('reconnecting…'));
    source.addEventListener('watch', (m) => {
      const msg = m as MessageEvent<string>;
      const event = JSON.parse(msg.data) as WatchEvent;
      setEvents((list) => [{ id: msg.lastEventId, event }, ...list].slice(0, MAX_SHOWN));
    });
    return () => source.close();
  }, []);
  return (
    <div>
      <h1>Watch</h1>
      <p class="hint">
        New builds from <code>kabi watch</code>, as they arrive ({status}).
      </p>
      {events.length === 0 ? (
        <p class="empty">No build reported yet. Run kabi watch SOURCE --policy FILE against this store.</p>
      ) : (
        <table id="watch">
          <thead>
            <tr>
              <th>time</th>
              <th>package</th>
              <th>build</th>
              <th>verdict</th>
              <th>compat</th>
            </tr>
          </thead>
          <tbody>
            {events.map(({ id, event: e }) => (
              <tr key={id} data-verdict={e.gate?.verdict ?? e.type}>
                <td>{e.time.replace('T', ' ').slice(0, 19)}</td>
                <td>
                  {e.package?.name} {e.package?.version}
                </td>
                <td>{e.entry ? nameOf(e.entry) : e.type}</td>
                <td>
                  {e.gate && e.entry && e.baseline ? (
                    <a href={href('diff', { old: e.baseline.id, new: e.entry.id })}>
                      {e.gate.verdict} vs {nameOf(e.baseline)} (fail {e.gate.summary.fail}, warn{' '}
                      {e.gate.summary.warn})
                    </a>
                  ) : (
                    (e.message ?? 'first of its stream')
                  )}
                </td>
                <td>{e.compat ? `${e.compat.loads}/${e.compat.modules} load` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
