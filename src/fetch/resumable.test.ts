import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FetchError } from './http.js';
import { downloadResumable, getIfChanged } from './resumable.js';

const BODY = Buffer.from(Array.from({ length: 50_000 }, (_, i) => i % 251));
const want = { size: BODY.length, algorithm: 'sha256', hex: createHash('sha256').update(BODY).digest('hex') };

describe('resumable downloads and conditional GETs', () => {
  let server: Server;
  let url: string;
  const log: string[] = [];
  /** Requests left to cut off after this many bytes (the connection drops mid-body). */
  const drops: number[] = [];
  let status500 = 0;
  const dir = mkdtempSync(join(tmpdir(), 'kabi-resume-'));

  before(async () => {
    server = createServer((req, res) => {
      log.push(`${req.url} ${req.headers.range ?? ''} ${req.headers['if-none-match'] ?? ''}`.trim());
      if (status500 > 0) {
        status500--;
        res.writeHead(503);
        return res.end();
      }
      if (req.url === '/plain') return res.end('no validators');
      if (req.url === '/index') {
        if (req.headers['if-none-match'] === '"v1"') {
          res.writeHead(304, { etag: '"v1"' });
          return res.end();
        }
        res.writeHead(200, { etag: '"v1"', 'last-modified': 'Thu, 03 Dec 2026 12:00:00 GMT' });
        return res.end('index');
      }
      const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
      const body = BODY.subarray(from);
      res.writeHead(from > 0 ? 206 : 200, {
        'content-length': body.length,
        ...(from > 0 ? { 'content-range': `bytes ${from}-${BODY.length - 1}/${BODY.length}` } : {}),
      });
      const drop = drops.shift();
      if (drop === undefined) return res.end(body);
      res.write(body.subarray(0, drop), () => res.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const o = { timeoutMs: 2000, retries: 3, backoffMs: 10 };

  test('a connection lost mid-body is resumed with Range where it stopped', async () => {
    log.length = 0;
    drops.push(20_000, 10_000);
    const dest = join(dir, 'a.bin');
    await downloadResumable(`${url}/a.bin`, dest, want, o);
    assert.deepEqual(readFileSync(dest), BODY);
    assert.deepEqual(log, ['/a.bin', '/a.bin bytes=20000-', '/a.bin bytes=30000-']);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.part')),
      [],
    );
  });

  test('a 503 is tried again after a backoff; the retries spent, it is the error', async () => {
    status500 = 1;
    await downloadResumable(`${url}/b.bin`, join(dir, 'b.bin'), want, o);
    assert.ok(existsSync(join(dir, 'b.bin')));
    status500 = 10;
    await assert.rejects(
      downloadResumable(`${url}/c.bin`, join(dir, 'c.bin'), want, o),
      (e) => e instanceof FetchError && e.status === 503,
    );
    status500 = 0;
  });

  test('a checksum that does not match keeps nothing', async () => {
    const dest = join(dir, 'd.bin');
    await assert.rejects(
      downloadResumable(`${url}/d.bin`, dest, { ...want, hex: '0'.repeat(64) }, o),
      (e) => e instanceof FetchError && e.failure === 'integrity',
    );
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('d.bin')),
      [],
    );
  });

  test('an index unchanged since its ETag is not sent again (304)', async () => {
    const first = await getIfChanged(`${url}/index`, null, { ...o, maxBytes: 100 });
    assert.ok(first.changed);
    assert.equal(Buffer.from(first.bytes).toString(), 'index');
    const digest = createHash('sha256').update('index').digest('hex');
    assert.deepEqual(first.validators, {
      etag: '"v1"',
      lastModified: 'Thu, 03 Dec 2026 12:00:00 GMT',
      digest,
    });
    assert.deepEqual(await getIfChanged(`${url}/index`, first.validators, { ...o, maxBytes: 100 }), {
      changed: false,
    });
  });

  test('from a server without validators, the same bytes as last time are unchanged too', async () => {
    const first = await getIfChanged(`${url}/plain`, null, { ...o, maxBytes: 100 });
    assert.ok(first.changed);
    assert.deepEqual({ ...first.validators, digest: null }, { etag: null, lastModified: null, digest: null });
    assert.deepEqual(await getIfChanged(`${url}/plain`, first.validators, { ...o, maxBytes: 100 }), {
      changed: false,
    });
    const other = { ...first.validators, digest: '0'.repeat(64) };
    assert.equal((await getIfChanged(`${url}/plain`, other, { ...o, maxBytes: 100 })).changed, true);
  });
});
