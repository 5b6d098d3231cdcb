// `GET /api/events`: the builds `kabi watch` reports, as server-sent events (the WHATWG HTML standard,
// §9.2), one `watch` event per build with the event's JSON (schema/watch-event.schema.json) as data and
// its store id as the event id. The store is asked every `pollMs` for events after the last sent, so the
// stream follows a watcher in this process (`kabi watch --serve`) or in another (`kabi serve`) alike.
// A new connection first gets the last `replay` events; a reconnecting one (Last-Event-ID) what it missed.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Store, WatchEventRecord } from '../index.js';

export interface EventsOptions {
  pollMs?: number;
  replay?: number;
}

const PAGE = 500;
/** A comment line now and then keeps proxies and the server's idle timeout from closing the stream. */
const KEEPALIVE_MS = 15_000;

export function registerEvents(app: FastifyInstance, store: Store, o: EventsOptions = {}): void {
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });
  app.get('/api/events', async (req, reply) => {
    const lastId = Number(req.headers['last-event-id'] ?? Number.NaN);
    let after =
      Number.isSafeInteger(lastId) && lastId >= 0 ? lastId : await recentStart(store, o.replay ?? 50);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.write('retry: 5000\n\n');
    open.add(res);
    let busy = false;
    const send = async () => {
      if (busy) return;
      busy = true;
      try {
        for (
          let rows = await store.watchEvents(after, PAGE);
          rows.length > 0;
          rows = await store.watchEvents(after, PAGE)
        ) {
          for (const r of rows) res.write(`id: ${r.id}\nevent: watch\ndata: ${oneLine(r)}\n\n`);
          after = rows.at(-1)!.id;
          if (rows.length < PAGE) break;
        }
      } catch (e) {
        res.write(`event: error\ndata: ${JSON.stringify({ error: (e as Error).message })}\n\n`);
      } finally {
        busy = false;
      }
    };
    await send();
    const poll = setInterval(send, o.pollMs ?? 2000);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    res.on('close', () => {
      clearInterval(poll);
      clearInterval(keepalive);
      open.delete(res);
    });
  });
}

/** The id after which the last `n` events lie. */
async function recentStart(store: Store, n: number): Promise<number> {
  const ids: number[] = [];
  for (let rows = await store.watchEvents(0, PAGE); ; rows = await store.watchEvents(ids.at(-1)!, PAGE)) {
    for (const r of rows) ids.push(r.id);
    if (ids.length > n) ids.splice(0, ids.length - n);
    if (rows.length < PAGE) break;
  }
  return ids.length === 0 ? 0 : ids[0]! - 1;
}

/** Data lines end at a newline: the stored JSON has none, but a record is never trusted to be so. */
const oneLine = (r: WatchEventRecord) => r.event.replace(/[\r\n]+/g, ' ');
