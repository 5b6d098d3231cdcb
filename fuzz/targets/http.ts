// The HTTP API of `kabi serve`, driven in-process with fastify's inject() over a small store of the
// committed fixtures. An input is a request: `METHOD target` on the first line, then `name: value`
// header lines. Any answer is fine except a 5xx, and an error that reaches fastify's error handler must
// be one of the server's own (an HttpError or a typed KabiError) — anything else is a crash.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ingestArtifact, KabiError, openSqliteStore, type Store } from '../../src/index.js';
import { buildApp } from '../../src/serve/app.js';
import { HttpError } from '../../src/serve/params.js';
import { FIXTURES, filesUnder, text } from '../seeds.js';
import type { Target } from '../target.js';

let app: FastifyInstance | null = null;
let store: Store | null = null;
let serverError: unknown = null;
/** The Host header the loopback check accepts: the server listens on a free loopback port. */
let hostHeader = 'host: 127.0.0.1';

async function buildStore(dir: string): Promise<string> {
  const db = join(dir, 'kabi.db');
  const s = openSqliteStore(db);
  try {
    const kernels: [string, string, string][] = [
      ['amd64-5.10', 'debian-5.10', '5.10.200-1'],
      ['arm64-6.1', 'debian-6.1', '6.1.170-1'],
      ['i386-6.1', 'debian-6.1', '6.1.171-1'],
      ['s390x-6.1', 'debian-6.1', '6.1.172-1'],
    ];
    for (const [dir, stream, version] of kernels)
      await ingestArtifact(s, join(FIXTURES, 'modules', dir, 'Module.symvers.excerpt'), {
        labels: { distro: 'debian', stream, version },
      });
    for (const ko of filesUnder(join(FIXTURES, 'modules', 'kmods'), /\.ko$/)) await ingestArtifact(s, ko);
  } finally {
    await s.close();
  }
  return db;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT']);

const ROUTES = [
  'GET /api/generation',
  'GET /api/builds?query=stream%3Ddebian-6.1',
  'GET /api/series?query=stream=debian-6.1&by=version&baseline=1',
  'GET /api/series/charts/steps.svg?query=stream=debian-6.1&by=version&baseline=2',
  'GET /api/series/charts/drift.svg?query=distro=debian',
  'GET /api/diff/chart.svg?old=1&new=2',
  'GET /api/history?symbol=kfree&query=stream=debian-6.1&by=version',
  'GET /api/diff?old=2&new=3&kind=removed&module=vmlinux&namespace=*&q=k&offset=0&limit=5',
  'GET /api/diff?old=1&new=4&kind=added,removed,crc-changed',
  'GET /api/kmods',
  'GET /api/kmod?ref=5&query=stream=debian-6.1&by=version',
  'GET /api/compat?query=stream=debian-6.1&kmods=kind=kmod&by=version',
  'HEAD /index.html',
  'GET /',
  'GET /assets/../../package.json',
];

export const http: Target = {
  name: 'http',
  about: "kabi serve's API through fastify inject(): hostile paths, queries and headers over a fixture store",
  text: true,
  maxLength: 8 * 1024,
  dictionary: [
    '%00',
    '%ff',
    '%',
    '..',
    '//',
    '?',
    '&',
    '=',
    '[]',
    'query[a]=',
    '__proto__',
    'constructor',
    'stream=',
    'by=',
    'baseline=',
    'kind=',
    'ref=',
    'old=',
    'new=',
    'limit=',
    'offset=',
    'symbol=',
    '*',
    '**',
    'if-none-match: ',
    'host: ',
    'accept-encoding: ',
  ],
  seeds: async () => ROUTES.map((r) => text(r, hostHeader)),
  async setup(scratch) {
    store = openSqliteStore(await buildStore(scratch.dir), { readonly: true });
    const built = await buildApp({ store, host: '127.0.0.1', rateLimit: false });
    app = built.app;
    app.addHook('onError', async (_req, _reply, err) => {
      if (!(err instanceof HttpError) && !(err instanceof KabiError)) serverError = err;
    });
    // Listening (on loopback, port 0) gives the Host check an address to hold requests to; the
    // requests themselves go through inject(), never the socket.
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (typeof address === 'object' && address) hostHeader = `host: 127.0.0.1:${address.port}`;
    built.warm();
    await built.idle();
  },
  async run(input) {
    const [first = '', ...rest] = Buffer.from(input).toString('latin1').split('\n');
    const m = /^([A-Z]{1,10}) (.*)$/.exec(first);
    // inject() takes only the methods Node's parser knows; others never get past a real server's parser.
    const method = (METHODS.has(m?.[1] ?? '') ? m![1] : 'GET') as 'GET';
    let url = m?.[2] ?? first;
    if (!url.startsWith('/')) url = `/${url}`;
    const headers: Record<string, string> = {};
    for (const line of rest) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    // A saved input names the port of the run that found it; replayed, it means this run's port.
    if (/^127\.0\.0\.1:\d+$/.test(headers.host ?? '')) headers.host = hostHeader.slice('host: '.length);
    serverError = null;
    let res: Awaited<ReturnType<FastifyInstance['inject']>>;
    try {
      res = await app!.inject({ method, url, headers });
    } catch (e) {
      // light-my-request refuses what no HTTP client could send (invalid header bytes, bad methods):
      // the request never reaches the server.
      if (e instanceof TypeError || (e as { code?: string }).code?.startsWith('ERR_')) return;
      if (/node_modules\/light-my-request\//.test((e as Error).stack?.split('\n')[1] ?? '')) return;
      throw e;
    }
    if (process.env.KABI_FUZZ_DEBUG === 'http')
      console.log(res.statusCode, method, url, res.body.slice(0, 100));
    if (serverError !== null) throw serverError;
    if (res.statusCode >= 500)
      throw new Error(`HTTP ${res.statusCode} for ${method} ${url}: ${res.body.slice(0, 200)}`);
  },
  async teardown() {
    await app?.close();
    await store?.close();
  },
};
