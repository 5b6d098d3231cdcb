// The API routes (docs/serve.md): parameters checked, one call into api.ts, JSON (or a chart's SVG) out.
// Every answer is a function of the store's state and the URL, so the store's generation is its ETag.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CHANGE_KINDS } from '../index.js';
import {
  diffChartSvg,
  diffJson,
  entriesJson,
  heatmapJson,
  historyJson,
  kmodJson,
  kmodsJson,
  SERIES_CHARTS,
  seriesChartSvg,
  seriesJson,
} from './api.js';
import { HttpError, int, LIMITS, type Query, required, text, words } from './params.js';
import type { StoreView } from './view.js';

type Handler = (q: Query, params: Record<string, string>) => Promise<string>;

export function registerRoutes(app: FastifyInstance, view: StoreView): void {
  const answer = (type: string, handler: Handler) => async (req: FastifyRequest, reply: FastifyReply) => {
    const etag = `"${await view.generation()}"`;
    reply.header('cache-control', 'no-cache').header('etag', etag);
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    const body = await handler(req.query as Query, req.params as Record<string, string>);
    return reply.type(type).send(body);
  };
  const json = (handler: Handler) => answer('application/json; charset=utf-8', handler);
  const svg = (handler: Handler) => answer('image/svg+xml; charset=utf-8', handler);
  const chartName = (file: string | undefined) => {
    const name = /^(\w+)\.svg$/.exec(file ?? '')?.[1];
    const chart = SERIES_CHARTS.find((c) => c === name);
    if (!chart)
      throw new HttpError(
        404,
        `no chart ${file}; there are ${SERIES_CHARTS.map((c) => `${c}.svg`).join(', ')}`,
      );
    return chart;
  };

  app.get(
    '/api/generation',
    json(async () => JSON.stringify({ generation: await view.generation() })),
  );
  app.get(
    '/api/builds',
    json((q) => entriesJson(view, text(q, 'query'))),
  );
  app.get(
    '/api/series',
    json((q) => seriesJson(view, text(q, 'query'), text(q, 'by'), text(q, 'baseline'))),
  );
  app.get(
    '/api/series/charts/:file',
    svg((q, p) =>
      seriesChartSvg(view, chartName(p.file), text(q, 'query'), text(q, 'by'), text(q, 'baseline')),
    ),
  );
  app.get(
    '/api/diff/chart.svg',
    svg((q) => diffChartSvg(view, required(q, 'old'), required(q, 'new'))),
  );
  app.get(
    '/api/history',
    json((q) => historyJson(view, required(q, 'symbol'), text(q, 'query'), text(q, 'by'))),
  );
  app.get(
    '/api/diff',
    json((q) =>
      diffJson(view, required(q, 'old'), required(q, 'new'), {
        kinds: words(q, 'kind', CHANGE_KINDS),
        module: text(q, 'module'),
        namespace: text(q, 'namespace'),
        search: text(q, 'q'),
        offset: int(q, 'offset', 0, 0, 100_000_000),
        limit: int(q, 'limit', 100, 1, LIMITS.pageSize),
      }),
    ),
  );
  app.get(
    '/api/kmods',
    json(() => kmodsJson(view)),
  );
  app.get(
    '/api/kmod',
    json((q) => kmodJson(view, required(q, 'ref'), text(q, 'query'), text(q, 'by'))),
  );
  app.get(
    '/api/compat',
    json((q) => heatmapJson(view, text(q, 'query'), text(q, 'kmods', 'kind=kmod'), text(q, 'by'))),
  );
}
