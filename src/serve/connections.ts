// Limits that keep slow or greedy clients from holding the server: node's own timeouts (a request head
// must arrive within seconds, checked every second rather than every 30 s) and a count of open sockets
// per remote address, so that one address cannot take every connection slot while others wait.
import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { UsageError } from '../index.js';
import { SERVE_LIMITS, type ServeLimits } from './options.js';

/** The limits in force: defaults filled in and checked. */
export function resolveLimits(options: Partial<ServeLimits> = {}): ServeLimits {
  // A limit given as undefined (a flag not passed) keeps its default.
  const given = Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as Partial<ServeLimits>;
  const headersTimeoutMs = given.headersTimeoutMs ?? SERVE_LIMITS.headersTimeoutMs;
  const limits: ServeLimits = {
    ...SERVE_LIMITS,
    ...given,
    headersTimeoutMs,
    // A longer header timeout given alone lengthens the request timeout with it (node requires ≥).
    requestTimeoutMs: given.requestTimeoutMs ?? Math.max(SERVE_LIMITS.requestTimeoutMs, headersTimeoutMs),
  };
  for (const [name, value] of Object.entries(limits)) {
    const least = name === 'connectionsPerAddress' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < least)
      throw new UsageError(`serve limit ${name}: ${value}; expected an integer ≥ ${least}`);
  }
  if (limits.requestTimeoutMs < limits.headersTimeoutMs)
    throw new UsageError(
      `serve limits: the request timeout (${limits.requestTimeoutMs} ms) is shorter than the header timeout (${limits.headersTimeoutMs} ms)`,
    );
  return limits;
}

/** Options for http.createServer (some, like the checking interval, can only be set there). */
export function httpServerOptions(limits: ServeLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often node looks for connections past those timeouts: its 30 s default is what let slow
    // clients overstay a 60 s header timeout by half a minute.
    connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.floor(limits.headersTimeoutMs / 5))),
  };
}

/** Closes a connection at once when its address already holds `perAddress` of them. */
export function limitConnectionsPerAddress(server: Server, perAddress: number): void {
  if (perAddress === 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const n = open.get(address) ?? 0;
    if (n >= perAddress) {
      socket.destroy();
      return;
    }
    open.set(address, n + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
