// The HTTP side of `kabi serve` (fastify): read-only (GET and HEAD; anything else is 405), small
// requests only, a Content-Security-Policy that allows nothing but this origin's own files, and a Host
// check while bound to loopback so that a web page cannot read the API through DNS rebinding.
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { NothingToJudgeError, UsageError } from '../index.js';
import { warmUp } from './api.js';
import {
  type Asset,
  defaultAssetsDir,
  encodedBody,
  inlineSources,
  loadAssets,
  precompress,
} from './assets.js';
import { httpServerOptions, limitConnectionsPerAddress, resolveLimits } from './connections.js';
import { registerEvents } from './events.js';
import type { ServeOptions } from './options.js';
import { HttpError, LIMITS } from './params.js';
import { registerRoutes } from './routes.js';
import { StoreView } from './view.js';

/** This origin's files only, and index.html's inline elements by their hashes (assets.ts). */
const cspDirectives = (inline: { script: string[]; style: string[] }) => ({
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", ...inline.script],
  styleSrc: ["'self'", ...inline.style],
  imgSrc: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
});

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface App {
  app: FastifyInstance;
  /** Loads the store's kernels and computes the dashboard's series in the background (after listen). */
  warm(): void;
  /** Resolves once no warm-up is under way. */
  idle(): Promise<void>;
}

export async function buildApp(opts: ServeOptions & { host: string }): Promise<App> {
  const limits = resolveLimits(opts.limits);
  const app = Fastify({
    logger: false,
    bodyLimit: 1024,
    http: httpServerOptions(limits),
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // An idle socket (nothing sent either way) is closed after this long.
    connectionTimeout: 60_000,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
  });
  // No request has a body worth reading: every route is a GET.
  app.removeAllContentTypeParsers();
  app.server.maxConnections = limits.maxConnections;
  limitConnectionsPerAddress(app.server, limits.connectionsPerAddress);
  // First, so that a request refused by a later hook is still counted until its response.
  const traffic = trackRequests(app);

  const assets = loadAssets(opts.assetsDir ?? defaultAssetsDir());
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: cspDirectives(inlineSources(assets.get('/index.html')?.body.toString('utf8'))),
    },
    // Plain HTTP on loopback: HSTS for "localhost" would break every other local server.
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
  if (opts.rateLimit !== false)
    await app.register(rateLimit, {
      max: opts.rateLimit ?? 1200,
      timeWindow: 60_000,
      allowList: [PRIME_ADDRESS],
    });

  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply.header('allow', 'GET, HEAD');
      throw new HttpError(405, `${req.method}: this server only reads (GET, HEAD)`);
    }
    if (req.url.length > LIMITS.url) throw new HttpError(414, `request target longer than ${LIMITS.url}`);
    if (isLoopback(opts.host) && !allowedHost(app, opts.host, req.headers.host))
      throw new HttpError(403, 'Host not served: use the address kabi serve printed');
  });

  app.setErrorHandler((err: unknown, _req, reply) => {
    const e = err as { statusCode?: number; message?: string };
    let code = 500;
    if (err instanceof HttpError) code = err.statusCode;
    else if (err instanceof UsageError) code = 400;
    else if (err instanceof NothingToJudgeError) code = 404;
    else if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
      code = e.statusCode;
    if (code >= 500) process.stderr.write(`kabi serve: ${(err as Error)?.stack ?? String(err)}\n`);
    sendError(reply, code, code >= 500 ? 'internal error (see the server log)' : (e.message ?? 'error'));
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, `not found: ${req.url.slice(0, 200)}`));

  const view = new StoreView(opts.store, opts.recheckMs);
  let warming: Promise<void> | null = null;
  let primed: Promise<void> | null = null;
  const warm = () => {
    primed ??= prime(app);
    warming ??= primed
      .then(() => warmUp(view, (quietMs) => traffic.quiet(() => view.closed, quietMs)))
      .finally(() => {
        warming = null;
      });
  };
  view.onReset = warm;
  app.addHook('onClose', async () => {
    view.closed = true;
    await warming;
  });
  registerRoutes(app, view);
  registerEvents(app, opts.store, { pollMs: opts.recheckMs });
  // Not awaited: the thread pool compresses while the server starts listening.
  void precompress(assets.values());
  registerAssets(app, assets);
  return { app, warm, idle: async () => warming ?? undefined };
}

/**
 * index.html asked once of the server itself as a browser asks (brotli), as soon as it listens: the first
 * request through fastify, helmet and the hooks compiles their code, 15-100 ms measured here that the
 * first page view otherwise waits for before anything else of it can start. Nothing of the store is read.
 * From an address no socket has (not an IP), which the rate limit does not count.
 */
const PRIME_ADDRESS = 'kabi-serve-prime';

async function prime(app: FastifyInstance): Promise<void> {
  const address = app.server.address();
  if (typeof address !== 'object' || !address) return;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  await app
    .inject({
      url: '/',
      remoteAddress: PRIME_ADDRESS,
      headers: { host: `${host}:${address.port}`, 'accept-encoding': 'br, gzip' },
    })
    .catch(() => {});
}

/**
 * The warm-up loads builds synchronously (SQLite), ~0.2 s each, and blocks the event loop meanwhile: a
 * browser opening the dashboard right after start would wait behind it for index.html, then for its
 * script and style sheet, before painting anything. So each warm-up step waits until no request has
 * been under way for a while (QUIET_MS unless api.ts says how long: a page's burst of requests is over;
 * the first series does not wait, see warmUp); a request that needs the data
 * meanwhile computes it itself, and the warm-up finds it done. After MAX_WAIT_MS a step runs regardless
 * (a busy server, or a request that never ended).
 */
const QUIET_MS = 50;
/** How long after an HTML page was answered no later warm-up step starts (but the first). */
const DOCUMENT_QUIET_MS = 600;
const MAX_WAIT_MS = 2000;

export function trackRequests(app: FastifyInstance): {
  quiet(stop: () => boolean, quietMs?: number): Promise<void>;
} {
  let inFlight = 0;
  let last = performance.now();
  let documentAt = Number.NEGATIVE_INFINITY;
  app.addHook('onRequest', async () => {
    inFlight++;
    last = performance.now();
  });
  app.addHook('onResponse', async (req, reply) => {
    inFlight = Math.max(0, inFlight - 1);
    last = performance.now();
    if (req.ip !== PRIME_ADDRESS && String(reply.getHeader('content-type')).startsWith('text/html'))
      documentAt = last;
  });
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  return {
    async quiet(stop, quietMs = QUIET_MS) {
      const until = performance.now() + Math.max(MAX_WAIT_MS, 4 * quietMs);
      await sleep(quietMs);
      while (!stop() && performance.now() < until) {
        const idleFor = performance.now() - last;
        // A page's files are asked for only once the browser has parsed its HTML: a renderer process start
        // away under COOP (100-300 ms here), longer than quietMs, so a step run then makes them wait.
        const sinceDocument = quietMs > 0 ? performance.now() - documentAt : Number.POSITIVE_INFINITY;
        if (inFlight === 0 && idleFor >= quietMs && sinceDocument >= DOCUMENT_QUIET_MS) return;
        await sleep(Math.max(10, quietMs - idleFor, DOCUMENT_QUIET_MS - sinceDocument));
      }
    },
  };
}

export function sendError(reply: FastifyReply, code: number, message: string): void {
  reply
    .code(code)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ error: message }));
}

function allowedHost(app: FastifyInstance, bound: string, host: string | undefined): boolean {
  const address = app.server.address();
  if (!host || typeof address !== 'object' || !address) return false;
  const port = address.port;
  const names = ['127.0.0.1', 'localhost', '[::1]', bound.includes(':') ? `[${bound}]` : bound];
  return names.some((n) => host.toLowerCase() === `${n}:${port}`);
}

function registerAssets(app: FastifyInstance, assets: Map<string, Asset>): void {
  const serve = async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?', 1)[0]!;
    const asset = assets.get(path);
    if (!asset) throw new HttpError(404, `not found: ${path.slice(0, 200)}`);
    const { encoding, body } = encodedBody(asset, req.headers['accept-encoding']);
    // Each encoding is a representation of its own, with an ETag of its own.
    const etag = encoding ? `${asset.etag.slice(0, -1)}-${encoding}"` : asset.etag;
    reply
      .header('etag', etag)
      .header('vary', 'accept-encoding')
      .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .type(asset.type);
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    if (encoding) reply.header('content-encoding', encoding);
    return reply.send(body);
  };
  app.get('/', serve);
  app.get('/*', serve);
}
