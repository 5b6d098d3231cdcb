// `kabi serve`: a read-only JSON API over the store and the dashboard pages that use it (docs/serve.md).
// The HTTP framework is loaded only when a server starts: every other command imports the library
// without paying for it (fastify alone takes ~85 ms to import here).
import type { Store } from '../index.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8470;

export interface ServeOptions {
  /** The store to serve; opened read-only by `kabi serve` (openSqliteStore(path, {readonly: true})). */
  store: Store;
  /** Address to bind; 127.0.0.1 unless told otherwise. */
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  /** The built dashboard (default: the committed build in src/serve/dashboard). */
  assetsDir?: string;
  /** Requests a client may make per minute; false turns the limit off (benchmarks). */
  rateLimit?: number | false;
  /** How often the server looks for entries ingested or removed meanwhile (ms). */
  recheckMs?: number;
}

export interface RunningServer {
  /** `http://host:port/`, as printed by `kabi serve`. */
  url: string;
  host: string;
  port: number;
  /** Resolves once the background warm-up (loading the kernels, computing their series) is done. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the API and the dashboard on host:port; resolves once it listens. */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const { buildApp } = await import('./app.js');
  const host = opts.host ?? DEFAULT_HOST;
  const { app, warm, idle } = await buildApp({ ...opts, host });
  await app.listen({ host, port: opts.port ?? DEFAULT_PORT });
  warm();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? DEFAULT_PORT);
  const shown = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shown}:${port}/`, host, port, idle, close: () => app.close() };
}
