// kabi watch's claims, on every backend: one holder at a time per package, renewal by the holder, a
// lease run out taken over, a handled package never claimed again, its record written (and so reported)
// once; and, on PostgreSQL, many connections claiming and completing one package at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store, WatchSeen } from '../../src/store/store.js';
import { needsPostgres, newPostgresStore, storeBackends } from '../helpers/postgres.js';

const seen = (key: string, event: string): WatchSeen => ({
  key,
  name: `pkg-${key}`,
  outcome: 'ingested',
  entry: null,
  event,
});

for (const backend of storeBackends())
  describe(`kabi watch claims (${backend.name})`, { skip: backend.skip }, () => {
    it('one holder at a time; renewed by its holder; a handled package is seen, recorded once', async () => {
      const s = await backend.open();
      try {
        assert.deepEqual(await s.claimWatch('deb:a', 'k1', 'A', 60_000), { state: 'claimed', from: null });
        const held = await s.claimWatch('deb:a', 'k1', 'B', 60_000);
        assert.equal(held.state, 'held');
        assert.equal(held.state === 'held' && held.holder, 'A');
        // The lease given was a minute from now (both clocks here are this machine's).
        const until = held.state === 'held' ? Date.parse(held.until) : Number.NaN;
        assert.ok(Math.abs(until - (Date.now() + 60_000)) < 5_000, held.state === 'held' ? held.until : '');
        assert.deepEqual(await s.claimWatch('deb:a', 'k1', 'A', 60_000), { state: 'claimed', from: null });
        // Another source, or another key, is another claim.
        assert.equal((await s.claimWatch('rpm:b', 'k1', 'B', 60_000)).state, 'claimed');
        assert.equal((await s.claimWatch('deb:a', 'k2', 'B', 60_000)).state, 'claimed');

        assert.equal(await s.completeWatch('deb:a', seen('k1', '{"by":"A"}')), true);
        assert.equal(await s.completeWatch('deb:a', seen('k1', '{"by":"B"}')), false);
        assert.deepEqual(await s.claimWatch('deb:a', 'k1', 'B', 60_000), { state: 'seen' });
        assert.deepEqual([...(await s.watchState('deb:a')).seen], ['k1']);
        assert.deepEqual(
          (await s.watchEvents(0, 10)).map((e) => [e.source, e.event]),
          [['deb:a', '{"by":"A"}']],
        );

        // Released (a failed download), the package is anyone's again; a release by another is nothing.
        await s.releaseWatch('deb:a', 'k2', 'A');
        assert.equal((await s.claimWatch('deb:a', 'k2', 'A', 60_000)).state, 'held');
        await s.releaseWatch('deb:a', 'k2', 'B');
        assert.deepEqual(await s.claimWatch('deb:a', 'k2', 'A', 60_000), { state: 'claimed', from: null });
      } finally {
        await s.close();
      }
    });

    it('a lease that ran out is taken over, and the old holder cannot renew it back', async () => {
      const s = await backend.open();
      try {
        assert.equal((await s.claimWatch('dir:/x', 'f', 'killed', 150)).state, 'claimed');
        assert.equal((await s.claimWatch('dir:/x', 'f', 'B', 60_000)).state, 'held');
        await sleep(300);
        assert.deepEqual(await s.claimWatch('dir:/x', 'f', 'B', 60_000), {
          state: 'claimed',
          from: 'killed',
        });
        const back = await s.claimWatch('dir:/x', 'f', 'killed', 60_000);
        assert.equal(back.state === 'held' && back.holder, 'B');
      } finally {
        await s.close();
      }
    });
  });

describe('kabi watch claims under contention (PostgreSQL: 8 connections)', { skip: needsPostgres() }, () => {
  it('of 8 claims of one package at once one wins; of 8 completions one records', async () => {
    const { store, url } = await newPostgresStore();
    const { openPostgresStore } = await import('../../src/index.js');
    const stores: Store[] = [store];
    for (let i = 1; i < 8; i++) stores.push(await openPostgresStore(url));
    try {
      for (let round = 0; round < 5; round++) {
        const key = `k${round}`;
        const claims = await Promise.all(stores.map((s, i) => s.claimWatch('deb:a', key, `w${i}`, 60_000)));
        const won = claims.filter((c) => c.state === 'claimed');
        assert.equal(won.length, 1, JSON.stringify(claims));
        assert.equal(claims.filter((c) => c.state === 'held').length, 7);
        const recorded = await Promise.all(stores.map((s, i) => s.completeWatch('deb:a', seen(key, `${i}`))));
        assert.equal(recorded.filter(Boolean).length, 1);
        const after = await Promise.all(stores.map((s, i) => s.claimWatch('deb:a', key, `w${i}`, 60_000)));
        assert.deepEqual(
          after.map((c) => c.state),
          Array(8).fill('seen'),
        );
      }
      assert.equal((await store.watchEvents(0, 100)).length, 5);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
