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
