import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type RepoServer, serve, stall, tempDir } from './fixtures.test.js';
import { downloadVerified, FetchError, getBytes } from './http.js';

const BODY = Buffer.from('x'.repeat(10_000));
const SHA = createHash('sha256').update(BODY).digest('hex');

async function failsWith(
  p: Promise<unknown>,
  failure: FetchError['failure'],
  message: RegExp,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof FetchError, `expected a FetchError, got ${String(e)}`);
    assert.equal(e.failure, failure);
    assert.match(e.message, message);
    return true;
  });
}

describe('HTTP GET', () => {
  const root = tempDir('http');
  let server: RepoServer;
  before(async () => {
    server = await serve(root);
    server.overrides.set('/body', (_req, res) => res.end(BODY));
    server.overrides.set('/chunked', (_req, res) => {
      res.write(BODY.subarray(0, 5000));
      res.end(BODY.subarray(5000));
    });
    server.overrides.set('/stall', stall);
    server.overrides.set('/slow-body', (_req, res) => res.write(BODY.subarray(0, 100)));
  });
  after(() => server.close());

  test('the whole body, chunked or not', async () => {
    assert.deepEqual(
      Buffer.from(await getBytes(`${server.url}/body`, { timeoutMs: 5000, maxBytes: 1e6 })),
      BODY,
    );
  });

  test('a server that never answers, or stops sending, times out and says so', async () => {
    const o = { timeoutMs: 200, maxBytes: 1e6 };
    await failsWith(getBytes(`${server.url}/stall`, o), 'timeout', /\/stall: no data for 0.2 s; timed out$/);
    await failsWith(
      getBytes(`${server.url}/slow-body`, o),
      'timeout',
      /no data for 0.2 s after 100 bytes; timed out/,
    );
  });

  test('a body past the cap is refused, by its announced length or as it streams', async () => {
    const o = { timeoutMs: 5000, maxBytes: 1000 };
    const cap = '\\(the limit is 1000 bytes\\); refusing';
    await failsWith(getBytes(`${server.url}/body`, o), 'size', new RegExp(`announces 10000 bytes ${cap}`));
    await failsWith(
      getBytes(`${server.url}/chunked`, o),
      'size',
      new RegExp(`/chunked: the body runs past 1000 bytes ${cap}`),
    );
  });

  test('a closed port is a network failure naming the URL', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const url = `http://127.0.0.1:${port}/x`;
    await failsWith(
      getBytes(url, { timeoutMs: 5000, maxBytes: 10 }),
      'network',
      /cannot connect \(fetch failed: connect ECONNREFUSED/,
    );
  });

  test('a cancelled download leaves no file', async () => {
    const dir = tempDir('http-out');
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 100);
    const want = { size: BODY.length, sha256: SHA };
    const dest = join(dir, 'x.deb');
    await failsWith(
      downloadVerified(`${server.url}/slow-body`, dest, want, { timeoutMs: 5000, signal: cancel.signal }),
      'cancelled',
      /cancelled after 100 bytes/,
    );
    assert.deepEqual(readdirSync(dir), []);
    await downloadVerified(`${server.url}/body`, dest, want, { timeoutMs: 5000 });
    assert.deepEqual(readFileSync(dest), BODY);
  });
});
