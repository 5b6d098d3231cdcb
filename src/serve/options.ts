// What a server is started with and what it hands back: apart from index.ts so that app.ts, which
// index.ts loads on demand, can use these types without importing the module that loads it.
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
  /** Connection limits and timeouts against slow or greedy clients; each defaults to `SERVE_LIMITS`. */
  limits?: Partial<ServeLimits>;
}

/**
 * What one client may hold. A client that sends its headers a byte at a time holds a connection until
 * the header timeout; node checks that timeout every `connectionsCheckingInterval` (30 s by default, which
 * with its 60 s default let 300 such clients from one address keep everyone else waiting for a minute).
 */
export interface ServeLimits {
  /** Time a client has to send its whole request head (node's `headersTimeout`), ms. */
  headersTimeoutMs: number;
  /** Time a client has to send its whole request (node's `requestTimeout`; ≥ the header timeout), ms. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept, ms. */
  keepAliveTimeoutMs: number;
  /** Connections open at once, from everyone; beyond it new ones are closed at once. */
  maxConnections: number;
  /** Connections open at once from one address (0: no limit, e.g. behind a reverse proxy). */
  connectionsPerAddress: number;
}

export const SERVE_LIMITS: Readonly<ServeLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 256,
  connectionsPerAddress: 32,
};

export interface RunningServer {
  /** `http://host:port/`, as printed by `kabi serve`. */
  url: string;
  host: string;
  port: number;
  /** Resolves once the background warm-up (loading the kernels, computing their series) is done. */
  idle(): Promise<void>;
  close(): Promise<void>;
}
