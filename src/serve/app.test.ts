import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { trackRequests } from './app.js';

test('warm-up steps wait out a page view: quiet after requests, and longer after an HTML page', async () => {
  const app = Fastify();
  const traffic = trackRequests(app);
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send('<!doctype html>'));
  app.get('/api', async (_req, reply) => reply.type('application/json').send('{}'));
  await app.ready();
  const waited = async (quietMs: number) => {
    const t = performance.now();
    await traffic.quiet(() => false, quietMs);
    return performance.now() - t;
  };
  await app.inject('/api');
  const afterApi = await waited(50);
  // Node's timers count whole milliseconds of the loop's cached clock: a 50 ms sleep can end 49.x ms later
  // by performance.now() (seen in CI as "50 ms"), hence the 1 ms of slack.
  assert.ok(afterApi >= 49 && afterApi < 500, `after a JSON answer: ${afterApi.toFixed(1)} ms`);
  await app.inject('/');
  // The first series (quiet 0) does not wait for the page's files; every later step does.
  assert.ok((await waited(0)) < 100, 'the first step at once');
  const afterPage = await waited(50);
  assert.ok(afterPage >= 500, `after an HTML page: only ${afterPage.toFixed(0)} ms`);
  await app.close();
});
