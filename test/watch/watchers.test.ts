// Several `kabi watch` processes on one store (SQLite, PostgreSQL), polling one loopback Debian-style
// repository at once (repos.ts). The server holds the new Packages index until every watcher has asked
// for it, so all of them see the new build at the same moment and race for it: each build must be
// downloaded once, ingested once and reported exactly once across all the watchers' outputs. A watcher
// killed (SIGKILL) after claiming a build holds it until its lease runs out; then another takes it over
// and reports it once. A watcher whose download outlasts its lease keeps its claim by renewing it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqliteStore } from '../../src/index.js';
import { kabi } from '../helpers/exec.js';
import { needsPostgres, newPostgresStore } from '../helpers/postgres.js';
import { needs } from '../helpers/tools.js';
import {
  buildHeadersDeb,
  type DebInRepo,
  publishDebian,
  type RepoServer,
  serveRepo,
  symversFixture,
} from './repos.js';
import { type Event, startWatch, watch } from './run.js';

const tools = needs('dpkg-deb', 'xz');

const BUILDS = [
  ['6.1.0-47', '6.1.170-3'],
  ['6.1.0-50', '6.1.176-1'],
  ['6.1.0-54', '6.1.185-1'],
  ['6.1.0-55', '6.1.186-1'],
  ['6.1.0-56', '6.1.187-1'],
] as const;

/** The packages, built once for both backends (dpkg-deb, a few seconds each). */
let built: Promise<Map<string, DebInRepo>> | undefined;
let buildDir: string | undefined;
const packages = () => {
  built ??= (async () => {
    buildDir = mkdtempSync(join(tmpdir(), 'kabi-watchers-debs-'));
    const debs = new Map<string, DebInRepo>();
    for (const [abi, version] of BUILDS)
      debs.set(abi, {
        name: `linux-headers-${abi}-amd64`,
        version,
        file: buildHeadersDeb(abi, version, buildDir),
      });
    return debs;
  })();
  return built;
};
after(() => {
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

const backends = [
  {
    name: 'SQLite',
    skip: false as const,
    location: async (dir: string) => join(dir, 'kabi.db'),
    entries: async (db: string) => {
      const s = openSqliteStore(db, { readonly: true });
      try {
        return (await s.list('')).length;
      } finally {
        await s.close();
      }
    },
  },
  {
    name: 'PostgreSQL',
    skip: needsPostgres(),
    location: async () => {
      const { store, url } = await newPostgresStore();
      await store.close();
      return url;
    },
    entries: async (db: string) => {
      const r = kabi(['--db', db, 'list', '-f', 'json']);
      return (JSON.parse(r.stdout) as unknown[]).length;
    },
  },
];

for (const backend of backends)
  describe(`several kabi watch processes on one store (${backend.name})`, {
    skip: tools || backend.skip,
  }, () => {
    let dir: string;
    let db: string;
    let server: RepoServer;
    const debs = new Map<string, DebInRepo>();
    const repo = () => join(dir, 'www', 'debian');
    const source = () => `deb:${server.url}/debian?suite=bookworm&arch=amd64`;
    const policy = () => join(dir, 'policy');
    const args = (extra: string[]) => [
      '--db',
      db,
      'watch',
      source(),
      '--policy',
      policy(),
      '--once',
      '-f',
      'json',
      '--downloads',
      join(dir, 'downloads'),
      '--retries',
      '0',
      ...extra,
    ];
    /** Publishes these builds; the new index waits for `watchers` requests before it is served. */
    const publish = (abis: string[], watchers: number) => {
      publishDebian(
        repo(),
        'bookworm',
        abis.map((a) => debs.get(a)!),
      );
      const packages = readFileSync(join(repo(), 'dists/bookworm/main/binary-amd64/Packages'));
      const path = `/debian/dists/bookworm/main/binary-amd64/by-hash/SHA256/${createHash('sha256').update(packages).digest('hex')}`;
      server.barrier.set(path, watchers);
      return path;
    };
    const debPath = (abi: string) =>
      `/debian/pool/main/l/linux/linux-headers-${abi}-amd64_${
        BUILDS.find((b) => b[0] === abi)![1]
      }_amd64.deb`;
    const count = (log: string[], line: string) => log.filter((l) => l === line).length;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'kabi-watchers-'));
      writeFileSync(policy(), 'vmlinux\tFAIL\n');
      for (const [abi, deb] of await packages()) debs.set(abi, deb);
      server = await serveRepo(join(dir, 'www'));
      db = await backend.location(dir);
    });

    after(async () => {
      await server?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** N watchers at once; every event of theirs, and each one's stderr. */
    const race = async (n: number) => {
      const runs = await Promise.all(Array.from({ length: n }, () => watch(args([]))));
      for (const r of runs) assert.equal(r.status! & 1, 0, r.stderr);
      return { events: runs.flatMap((r) => r.events), stderr: runs.map((r) => r.stderr) };
    };

    it('2 watchers, the first build: ingested and reported once; the index read by both', async () => {
      const index = publish(['6.1.0-47'], 2);
      const r = await race(2);
      assert.deepEqual(
        r.events.map((e) => [e.type, e.package?.name, e.created, e.gate]),
        [['build', 'linux-headers-6.1.0-47-amd64', true, null]],
      );
      assert.equal(count(server.log, `GET ${index} 200`), 2, server.log.join('\n'));
      assert.equal(count(server.log, `GET ${debPath('6.1.0-47')} 200`), 1);
      assert.equal(await backend.entries(db), 1);
    });

    it('2 watchers, a build published mid-test: gated and reported once, with kabi check’s verdict', async () => {
      const index = publish(['6.1.0-47', '6.1.0-50'], 2);
      const r = await race(2);
      const want = JSON.parse(
        kabi([
          'check',
          '-b',
          symversFixture('6.1.0-47'),
          symversFixture('6.1.0-50'),
          '-p',
          policy(),
          '-f',
          'json',
        ]).stdout,
      ) as { verdict: string; summary: Record<string, number> };
      assert.deepEqual(
        r.events.map((e) => [e.type, e.package?.name, e.created, e.gate?.verdict, e.gate?.summary]),
        [['build', 'linux-headers-6.1.0-50-amd64', true, want.verdict, want.summary]],
      );
      assert.equal(count(server.log, `GET ${index} 200`), 2);
      assert.equal(count(server.log, `GET ${debPath('6.1.0-50')} 200`), 1);
      assert.equal(await backend.entries(db), 2);
    });

    it('4 watchers, the next build: one download, one entry, one event; then nothing more', async () => {
      const index = publish(['6.1.0-47', '6.1.0-50', '6.1.0-54'], 4);
      const r = await race(4);
      assert.deepEqual(
        r.events.map((e) => [e.type, e.package?.name, e.created]),
        [['build', 'linux-headers-6.1.0-54-amd64', true]],
      );
      assert.equal(count(server.log, `GET ${index} 200`), 4);
      assert.equal(count(server.log, `GET ${debPath('6.1.0-54')} 200`), 1);
      // The others left it to the winner (or found it handled already), and said so if they saw its claim.
      for (const s of r.stderr.filter((t) => /being handled by/.test(t)))
        assert.match(
          s,
          /linux-headers-6\.1\.0-54-amd64 6\.1\.185-1: being handled by \S+ pid \d+ [0-9a-f]{8} \(lease until /,
        );
      assert.equal(await backend.entries(db), 3);
      const again = await race(4);
      assert.deepEqual(again.events, []);
      assert.equal(await backend.entries(db), 3);
    });

    it('a watcher killed after claiming: the build waits for its lease, then another reports it once', async () => {
      publish(['6.1.0-47', '6.1.0-50', '6.1.0-54', '6.1.0-55'], 1);
      const deb = debPath('6.1.0-55');
      server.stall.add(deb);
      // The claim is taken before the download; a download that stalls is a watcher caught mid-round.
      const killed = startWatch(args(['--lease', '4s', '--timeout', '60']));
      for (let i = 0; !server.log.includes(`GET ${deb} stalled`); i++) {
        assert.ok(i < 600, `the watcher never asked for ${deb}: ${killed.stderr()}`);
        await sleep(100);
      }
      killed.child.kill('SIGKILL');
      const dead = await killed.done;
      assert.equal(dead.status, null);
      assert.deepEqual(dead.events, []);
      server.stall.delete(deb);

      // While its lease runs, the build is left alone, and said to be held by the killed watcher.
      const early = await watch(args(['--lease', '4s']));
      assert.equal(early.status, 0, early.stderr);
      assert.deepEqual(early.events, []);
      const held = new RegExp(
        `linux-headers-6\\.1\\.0-55-amd64 6\\.1\\.186-1: being handled by (\\S+ pid ${killed.child.pid} [0-9a-f]{8}) \\(lease until (\\S+)\\)`,
      ).exec(early.stderr);
      assert.ok(held, early.stderr);
      assert.equal(count(server.log, `GET ${deb} 200`), 0);
      assert.equal(await backend.entries(db), 3);

      // Once it has run out, the next watcher takes the build over and reports it, once.
      await sleep(Math.max(0, Date.parse(held[2]!) - Date.now()) + 200);
      const late = await watch(args(['--lease', '4s']));
      assert.equal(late.status! & 1, 0, late.stderr);
      assert.deepEqual(
        late.events.map((e) => [e.type, e.package?.name, e.created]),
        [['build', 'linux-headers-6.1.0-55-amd64', true]],
      );
      assert.ok(late.stderr.includes(`taken over from ${held[1]}, whose lease ran out`), late.stderr);
      assert.equal(await backend.entries(db), 4);
      const after = await race(2);
      assert.deepEqual(after.events, []);
      // Across every watcher's output, each build was reported exactly once.
      const all: Event[][] = [dead.events, early.events, late.events, after.events];
      assert.equal(all.flat().length, 1);
    });

    it('a download slower than the lease keeps its claim: renewed, never taken over', async () => {
      publish(['6.1.0-47', '6.1.0-50', '6.1.0-54', '6.1.0-55', '6.1.0-56'], 1);
      const deb = debPath('6.1.0-56');
      server.delay.set(deb, 6000);
      const slow = startWatch(args(['--lease', '1.5s', '--timeout', '60']));
      for (let i = 0; !server.log.includes(`GET ${deb} delayed`); i++) {
        assert.ok(i < 600, `the watcher never asked for ${deb}: ${slow.stderr()}`);
        await sleep(100);
      }
      // Two leases later, the claim still holds: another watcher leaves the build alone.
      await sleep(3000);
      const other = await watch(args(['--lease', '1.5s']));
      assert.deepEqual(other.events, []);
      assert.match(other.stderr, new RegExp(`6\\.1\\.187-1: being handled by \\S+ pid ${slow.child.pid} `));
      const done = await slow.done;
      server.delay.clear();
      assert.equal(done.status! & 1, 0, done.stderr);
      assert.deepEqual(
        done.events.map((e) => [e.type, e.package?.name, e.created]),
        [['build', 'linux-headers-6.1.0-56-amd64', true]],
      );
      assert.equal(count(server.log, `GET ${deb} 200`), 1);
      assert.equal(await backend.entries(db), 5);
    });
  });
