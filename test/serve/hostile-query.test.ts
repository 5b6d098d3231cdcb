// No query string makes the server answer 500: user text is data (label keys such as `constructor` or
// `__proto__` are never object properties), and malformed requests are the client's error (4xx).
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { fixtureStore, type Served, serve } from './store.js';

/** One GET with the target exactly as given (no URL normalisation, invalid escapes kept). */
function get(url: string, target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: target, method: 'GET' });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Each route with the parameters it reads, and values that make a valid request of it. */
const ROUTES: [string, Record<string, string>][] = [
  ['/api/generation', {}],
  ['/api/builds', { query: 'stream=debian-6.1' }],
  ['/api/series', { query: 'stream=debian-6.1', by: 'version', baseline: '1' }],
  ['/api/series/charts/steps.svg', { query: 'stream=debian-6.1', by: 'version', baseline: '1' }],
  ['/api/diff/chart.svg', { old: '1', new: '2' }],
  ['/api/history', { symbol: 'kmalloc', query: 'stream=debian-6.1', by: 'version' }],
  [
    '/api/diff',
    {
      old: '1',
      new: '2',
      kind: 'removed',
      module: 'vmlinux',
      namespace: '*',
      q: 'k',
      offset: '0',
      limit: '5',
    },
  ],
  ['/api/kmods', {}],
  ['/api/kmod', { ref: '4', query: 'stream=debian-6.1', by: 'version' }],
  ['/api/compat', { query: 'stream=debian-6.1', kmods: 'kind=kmod', by: 'version' }],
];

const WORDS = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  '__defineGetter__',
];

/** Raw (already percent-encoded where it matters) parameter values. */
const VALUES: string[] = [
  ...WORDS,
  ...WORDS.map((w) => `${w}=*`),
  ...WORDS.map((w) => `${w}=x,stream=debian-6.1`),
  '%ff',
  '%c3%28',
  '%e2%82',
  '%ed%a0%80',
  '%',
  '%zz',
  '%00',
  'a%00b',
  '%1b%5b31m',
  '*',
  ',',
  '=',
  '==',
  ',,,',
  'a=b=c',
  '%5c',
  '..%2f..%2f',
  '-1',
  '1e9',
  '99999999999999999999',
  'NaN',
  '0x10',
  '%20',
  'x'.repeat(500),
  'x'.repeat(1500),
  '%5bz-a%5d', // [z-a]: a class JavaScript refuses
  '%5b%5d(a)%5d*',
];

const encode = (params: Record<string, string>) =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');

describe('no query string makes the server answer 500', () => {
  let s: Served;
  before(async () => {
    s = await serve(await fixtureStore(), { rateLimit: false });
  });
  after(() => s.close());

  it('every route answers a valid request', async () => {
    for (const [route, params] of ROUTES) {
      const r = await get(s.server.url, `${route}?${encode(params)}`);
      assert.equal(r.status, 200, `${route}: ${r.body.slice(0, 200)}`);
    }
  });

  it('a glob built to backtrack is answered at once; a class out of order matches nothing', async () => {
    // `*a*a...*b` as `^.*a.*a...b$` took seconds per module name and grew as n^12.
    const t0 = performance.now();
    const slow = await get(s.server.url, `/api/diff?old=1&new=2&module=${'*a'.repeat(12)}*b`);
    assert.equal(slow.status, 200, slow.body.slice(0, 200));
    assert.ok(performance.now() - t0 < 2000, `${(performance.now() - t0).toFixed(0)} ms`);
    const range = await get(s.server.url, '/api/diff?old=1&new=2&module=%5bz-a%5d*');
    assert.equal(range.status, 200, range.body.slice(0, 200));
    assert.equal(JSON.parse(range.body).page.total, 0);
  });

  it('hostile values in every parameter of every route are answered below 500', async () => {
    const failures: string[] = [];
    for (const [route, params] of ROUTES) {
      for (const name of Object.keys(params)) {
        for (const value of VALUES) {
          const target = `${route}?${encode({ ...params, [name]: value })}`;
          const r = await get(s.server.url, target);
          if (r.status >= 500) failures.push(`${r.status} ${target.slice(0, 160)}: ${r.body.slice(0, 160)}`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  it('hostile parameter names, repeated parameters and label queries on object words are below 500', async () => {
    const failures: string[] = [];
    for (const [route, params] of ROUTES) {
      const extras = [
        ...WORDS.map((w) => `${w}=1`),
        ...WORDS.map((w) => `${w}[x]=1`),
        ...Object.keys(params).map((k) => `${k}=1&${k}=2`),
        '%ff=1',
        '=1',
        '&&&',
        '__proto__[query]=x',
        'constructor[prototype][x]=1',
      ];
      for (const extra of extras) {
        const target = `${route}?${encode(params)}&${extra}`;
        const r = await get(s.server.url, target);
        if (r.status >= 500) failures.push(`${r.status} ${target.slice(0, 160)}: ${r.body.slice(0, 160)}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('a label query or ordering on an object word selects by that label, as data', async () => {
    for (const w of WORDS) {
      const builds = await get(s.server.url, `/api/builds?query=${w}=*`);
      assert.equal(builds.status, 200, builds.body);
      assert.deepEqual(JSON.parse(builds.body), [], w);
      const series = await get(s.server.url, `/api/series?query=stream=debian-6.1&by=${w}`);
      assert.equal(series.status, 400, `by=${w}: ${series.body}`);
      assert.match(series.body, new RegExp(`has no ${w.replace(/_/g, '_')} label`));
    }
  });
});
