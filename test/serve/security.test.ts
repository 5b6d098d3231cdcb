// What the server refuses: writes, traversal out of the dashboard's files (raw request targets, as fetch
// would normalise them), symbolic links, oversized requests, foreign Host headers; and what it always sends.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqliteStore } from '../../src/index.js';
import { startServer } from '../../src/serve/index.js';
import { ROOT } from '../helpers/independent.js';
import { openTestStore } from '../helpers/test-store.js';
import { fixtureStore, type Served, serve } from './store.js';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with the target exactly as given (no URL normalisation). */
function raw(url: string, target: string, opts: { method?: string; headers?: Record<string, string> } = {}) {
  const { hostname, port } = new URL(url);
  return new Promise<Raw>((resolve, reject) => {
    const req = request({
      host: hostname,
      port,
      path: target,
      method: opts.method ?? 'GET',
      headers: opts.headers,
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const SECRET = 'kabi-secret-file-content';
const KABI = join(ROOT, 'bin', 'kabi.js');

describe('kabi serve refuses what it must', () => {
  let db: string;
  let s: Served;
  let assets: string;
  before(async () => {
    db = await fixtureStore();
    // A copy of the dashboard with links planted in it: a file and a directory outside.
    const outside = mkdtempSync(join(tmpdir(), 'kabi-outside-'));
    writeFileSync(join(outside, 'secret.txt'), SECRET);
    assets = join(mkdtempSync(join(tmpdir(), 'kabi-assets-')), 'dashboard');
    cpSync(join(ROOT, 'src', 'serve', 'dashboard'), assets, { recursive: true });
    symlinkSync(join(outside, 'secret.txt'), join(assets, 'secret.txt'));
    symlinkSync(outside, join(assets, 'outside'));
    s = await serve(db);
  });
  after(() => s.close());

  it('serves no file outside the dashboard, however the path is spelled', async () => {
    const store = await openTestStore(db, { readonly: true });
    const server = await startServer({ store, port: 0, assetsDir: assets });
    try {
      const index = await raw(server.url, '/index.html');
      assert.equal(index.status, 200);
      const targets = [
        '/../package.json',
        '/assets/../../package.json',
        '/%2e%2e/package.json',
        '/%2e%2e%2fpackage.json',
        '/..%2f..%2fpackage.json',
        '/assets/%2e%2e/%2e%2e/%2e%2e/package.json',
        '/..\\..\\package.json',
        '/%5c..%5cpackage.json',
        '//etc/passwd',
        '/etc/passwd',
        `/${join(ROOT, 'package.json')}`,
        '/index.html%00.js',
        '/secret.txt',
        '/outside/secret.txt',
        '/./index.html/..',
        `http://127.0.0.1:${new URL(server.url).port}/../package.json`,
      ];
      for (const target of targets) {
        const r = await raw(server.url, target);
        assert.ok(r.status === 403 || r.status === 404 || r.status === 400, `${target}: ${r.status}`);
        assert.ok(!r.body.includes(SECRET) && !r.body.includes('"name": "kabi-tracker"'), target);
        assert.ok(!r.body.includes('root:x:0:0'), target);
      }
    } finally {
      await server.close();
      await store.close();
    }
  });

  it('only reads: every method but GET and HEAD is 405, before any route is looked at', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      for (const target of ['/api/builds', '/', '/api/nothing']) {
        const r = await raw(s.server.url, target, { method });
        assert.equal(r.status, 405, `${method} ${target}`);
        assert.equal(r.headers.allow, 'GET, HEAD');
      }
    }
    const head = await raw(s.server.url, '/api/builds', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
  });

  it('refuses oversized requests and out-of-range parameters', async () => {
    const long = await raw(s.server.url, `/api/builds?query=${'a'.repeat(3000)}`);
    assert.equal(long.status, 414);
    const param = await raw(s.server.url, `/api/history?symbol=${'a'.repeat(600)}`);
    assert.equal(param.status, 400);
    const page = await raw(s.server.url, '/api/diff?old=1&new=2&limit=1000000');
    assert.equal(page.status, 400);
    const offset = await raw(s.server.url, '/api/diff?old=1&new=2&offset=-1');
    assert.equal(offset.status, 400);
  });

  it('answers only to its own Host while on loopback (no DNS rebinding)', async () => {
    const port = new URL(s.server.url).port;
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.evil.example:${port}`]) {
      const r = await raw(s.server.url, '/api/builds', { headers: { host } });
      assert.equal(r.status, 403, host);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`])
      assert.equal((await raw(s.server.url, '/api/builds', { headers: { host } })).status, 200, host);
  });

  it("sends a Content-Security-Policy that allows only index.html's own inline elements, no remote origin; nosniff, JSON types", async () => {
    const html = (await raw(s.server.url, '/')).body;
    const hashes = (tag: string) =>
      [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map(
        (m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`,
      );
    assert.equal(hashes('script').length, 1, 'boot.ts inline');
    assert.equal(hashes('style').length, 1, 'the style sheet inline');
    for (const target of ['/', '/api/builds', '/api/diff?old=1', '/nothing']) {
      const r = await raw(s.server.url, target);
      const csp = String(r.headers['content-security-policy']);
      const directive = (name: string) =>
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .find((d) => d[0] === name)
          ?.slice(1);
      assert.match(csp, /default-src 'self'/, target);
      assert.deepEqual(directive('script-src'), ["'self'", ...hashes('script')], target);
      assert.deepEqual(directive('style-src'), ["'self'", ...hashes('style')], target);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:|\*/, target);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', target);
      if (target.startsWith('/api'))
        assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    }
  });

  it('limits the requests a client makes per minute', async () => {
    const limited = await serve(db, { rateLimit: 5 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) codes.push((await raw(limited.server.url, '/api/generation')).status);
      assert.deepEqual(codes, [200, 200, 200, 200, 200, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('opens the store read-only: nothing is created, nothing can be written', async () => {
    // A SQLite file that is not there is not created (a PostgreSQL store is created only by migrate).
    const missing = join(mkdtempSync(join(tmpdir(), 'kabi-ro-')), 'none.db');
    assert.throws(() => openSqliteStore(missing, { readonly: true }), /no store at .*none\.db/);
    assert.equal(existsSync(missing), false);
    const store = await openTestStore(db, { readonly: true });
    try {
      await assert.rejects(store.remove('1'), /cannot write the store: it is read-only/);
    } finally {
      await store.close();
    }
    const writable = await openTestStore(db);
    assert.equal((await writable.list()).length, 5);
    await writable.close();
  });

  it('kabi serve binds 127.0.0.1 unless told otherwise, and prints the URL', async () => {
    const child = spawn(process.execPath, [KABI, '--db', db, 'serve', '--port', '0'], {
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
      const url = /http:\/\/\S+/.exec(line)![0];
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      assert.equal((await raw(url, '/api/generation')).status, 200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
