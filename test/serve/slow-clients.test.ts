// Slow clients cannot hold the server: 300 sockets from 127.0.0.1 sending a request head a byte at a time
// (slowloris) while a user on 127.0.0.2 (loopback is a /8 on Linux: bound with `localAddress`) asks for
// pages. Real sockets on loopback; the server in this process, as `kabi serve` runs it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../../src/index.js';
import { type RunningServer, SERVE_LIMITS, type ServeLimits, startServer } from '../../src/serve/index.js';
import { ROOT } from '../helpers/independent.js';
import { openTestStore, testDb } from '../helpers/test-store.js';

const KABI = join(ROOT, 'bin', 'kabi.js');
const SLOW = 300;
const DRIP_MS = 200;

interface SlowClient {
  socket: Socket;
  opened: number;
  /** When the server closed it (ms since opened), or null while open. */
  closedAfter: number | null;
  received: string;
}

/** SLOW sockets from 127.0.0.1, each sending `GET / HTTP/1.1`, Host and then an endless header a byte at a time. */
function slowClients(port: number, count = SLOW): { clients: SlowClient[]; stop(): void } {
  const head = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `;
  const clients: SlowClient[] = [];
  for (let i = 0; i < count; i++) {
    const c: SlowClient = {
      socket: connect({ port, host: '127.0.0.1' }),
      opened: Date.now(),
      closedAfter: null,
      received: '',
    };
    c.socket.on('error', () => {});
    c.socket.on('data', (d) => {
      c.received += d.toString('latin1');
    });
    c.socket.on('close', () => {
      c.closedAfter = Date.now() - c.opened;
    });
    clients.push(c);
  }
  let sent = 0;
  const timer = setInterval(() => {
    const byte = sent < head.length ? head[sent]! : 'a';
    for (const c of clients) if (c.closedAfter === null && !c.socket.destroyed) c.socket.write(byte);
    sent++;
  }, DRIP_MS);
  return {
    clients,
    stop() {
      clearInterval(timer);
      for (const c of clients) c.socket.destroy();
    },
  };
}

/** One GET from `localAddress` on a fresh connection: its status and how long the answer took. */
function timedGet(port: number, path: string, localAddress: string): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, ms: performance.now() - t0 }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const open = (clients: SlowClient[]) => clients.filter((c) => c.closedAfter === null).length;

async function emptyStore(): Promise<Store> {
  const db = testDb(mkdtempSync(join(tmpdir(), 'kabi-slow-')));
  await (await openTestStore(db)).close();
  return openTestStore(db, { readonly: true });
}

describe('kabi serve under slow clients', () => {
  let store: Store;
  const servers: RunningServer[] = [];
  const start = async (limits?: Partial<ServeLimits>) => {
    const s = await startServer({ store, port: 0, limits });
    servers.push(s);
    return s;
  };
  before(async () => {
    store = await emptyStore();
  });
  after(async () => {
    for (const s of servers) await s.close();
    await store.close();
  });

  it('answers another address within 2 s while 300 slow clients hang on (default limits)', async () => {
    const server = await start();
    const slow = slowClients(server.port);
    try {
      await sleep(1000);
      // One address holds at most its share; the rest are closed at once.
      assert.equal(open(slow.clients), SERVE_LIMITS.connectionsPerAddress);
      for (const path of ['/api/builds', '/', '/api/builds', '/api/series', '/api/builds']) {
        const r = await timedGet(server.port, path, '127.0.0.2');
        assert.ok(r.status < 500, `${path}: ${r.status}`);
        assert.ok(r.ms < 2000, `${path} answered after ${r.ms.toFixed(0)} ms`);
      }
      // The slow clients are still held: the user was answered beside them, not after them.
      assert.equal(open(slow.clients), SERVE_LIMITS.connectionsPerAddress);
    } finally {
      slow.stop();
    }
  });

  it('cuts slow clients after the header timeout, with 408', async () => {
    const headersTimeoutMs = 1500;
    // No per-address limit: every slot the server has is taken by the slow clients.
    const server = await start({ headersTimeoutMs, connectionsPerAddress: 0 });
    const slow = slowClients(server.port);
    try {
      await sleep(300);
      const held = slow.clients.filter((c) => c.closedAfter === null);
      assert.equal(held.length, SERVE_LIMITS.maxConnections);
      await sleep(headersTimeoutMs + 2000);
      for (const c of held) {
        assert.notEqual(c.closedAfter, null, 'still open 2 s past the header timeout');
        assert.ok(c.closedAfter! >= headersTimeoutMs - 50, `closed after ${c.closedAfter} ms`);
        assert.match(c.received, /^HTTP\/1\.1 408 /);
      }
      // The slots are free again, for the same address too.
      const r = await timedGet(server.port, '/api/builds', '127.0.0.1');
      assert.equal(r.status, 200);
    } finally {
      slow.stop();
    }
  });

  it('kabi serve takes the limits as flags (seconds)', async () => {
    const db = testDb(mkdtempSync(join(tmpdir(), 'kabi-slow-')));
    await (await openTestStore(db)).close();
    const args = ['--headers-timeout', '1', '--connections-per-address', '2'];
    const child = spawn(process.execPath, [KABI, '--db', db, 'serve', '--port', '0', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve(out);
        });
        child.on('exit', (code) => reject(new Error(`kabi serve exited ${code}`)));
      });
      const port = Number(/:(\d+)\//.exec(line)![1]);
      const slow = slowClients(port, 3);
      try {
        await sleep(2500);
        const after = slow.clients.map((c) => c.closedAfter);
        // Two held until the 1 s header timeout, the third closed at once.
        assert.equal(after.filter((ms) => ms !== null && ms >= 950).length, 2, String(after));
        assert.equal(after.filter((ms) => ms !== null && ms < 500).length, 1, String(after));
      } finally {
        slow.stop();
      }
    } finally {
      child.kill('SIGTERM');
    }
  });
});
