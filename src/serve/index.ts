// `kabi serve`: a read-only JSON API over the store and the dashboard pages that use it (docs/serve.md).
// The HTTP framework is loaded only when a server starts: every other command imports the library
// without paying for it (fastify alone takes ~85 ms to import here).
import type { RunningServer, ServeOptions } from './options.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './options.js';

export * from './options.js';

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
