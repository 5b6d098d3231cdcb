// `kabi watch` against real HTTP servers on loopback: a Debian-style and an RPM repository built from the
// real Module.symvers of Debian's 6.1 kernels (repos.ts). A new build published mid-test is ingested and
// gated once, with the verdict `kabi check` gives on the two Module.symvers files; a restart reports
// nothing again; a source that stalls and a package cut short are reported and skipped, the store
// unchanged, the other sources going on.
import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqliteStore } from '../../src/index.js';
import { startServer } from '../../src/serve/index.js';
import { kabi } from '../helpers/exec.js';
import { assertMatchesSchema } from '../helpers/json-validate.js';
import { needs } from '../helpers/tools.js';
import {
  buildHeadersDeb,
  buildKernelRpm,
  type DebInRepo,
  publishDebian,
  publishRpm,
  type RepoServer,
  serveRepo,
  symversFixture,
} from './repos.js';
import { type Event, watch } from './run.js';

const CORPUS = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'test',
  'fixtures',
  'modules',
  'kmods',
  '6.1.0-47',
);

const skip = needs('dpkg-deb', 'rpmbuild', 'xz');

describe('kabi watch over HTTP: a Debian and an RPM repository', { skip }, () => {
  let dir: string;
  let server: RepoServer;
  let deb: string;
  let rpm: string;
  const debs = new Map<string, DebInRepo>();
  const rpms = new Map<string, string>();
  const db = () => join(dir, 'kabi.db');
  const policy = () => join(dir, 'policy');
  const run = (sources: string[], extra: string[] = []) =>
    watch([
      '--db',
      db(),
      'watch',
      ...sources,
      '--policy',
      policy(),
      '--modules',
      CORPUS,
      '--once',
      '-f',
      'json',
      '--downloads',
      join(dir, 'downloads'),
      '--timeout',
      '1',
      '--retries',
      '1',
      ...extra,
    ]);
  const entries = () => {
    const r = kabi(['--db', db(), 'list', '-f', 'json']);
    return (JSON.parse(r.stdout) as { id: number }[]).map((e) => e.id);
  };
  /** What `kabi check` says of the two real Module.symvers, run on its own. */
  const check = (old: string, next: string) => {
    const r = kabi(['check', '-b', symversFixture(old), symversFixture(next), '-p', policy(), '-f', 'json']);
    return {
      status: r.status,
      ...(JSON.parse(r.stdout) as { verdict: string; summary: Record<string, number> }),
    };
  };
  /** What `kabi compat` says of the corpus on a real Module.symvers, run on its own. */
  const compat = (abi: string) => {
    const r = kabi(['compat', '-m', CORPUS, '-k', symversFixture(abi), '-f', 'json']);
    const doc = JSON.parse(r.stdout) as {
      verdicts: { module: number; state: string }[];
      modules: { module: string }[];
    };
    const fails = doc.verdicts.filter((v) => v.state === 'fails').map((v) => doc.modules[v.module]!.module);
    return { modules: doc.verdicts.length, fails: fails.sort() };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kabi-watch-'));
    // Removing a symbol from vmlinux fails; anything else warns (the defaults).
    writeFileSync(policy(), 'vmlinux\tFAIL\n');
    const build = join(dir, 'build');
    for (const [abi, version] of [
      ['6.1.0-47', '6.1.170-3'],
      ['6.1.0-50', '6.1.176-1'],
      ['6.1.0-54', '6.1.185-1'],
    ] as const) {
      debs.set(abi, {
        name: `linux-headers-${abi}-amd64`,
        version,
        file: buildHeadersDeb(abi, version, build),
      });
      rpms.set(abi, buildKernelRpm(abi, build));
    }
    deb = join(dir, 'www', 'debian');
    rpm = join(dir, 'www', 'el9');
    publishDebian(deb, 'bookworm', [debs.get('6.1.0-47')!]);
    publishRpm(rpm, [rpms.get('6.1.0-47')!]);
    server = await serveRepo(join(dir, 'www'));
  });

  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const debSource = () => `deb:${server.url}/debian?suite=bookworm&arch=amd64`;
  const rpmSource = () => `rpm:${server.url}/el9`;

  it('first round: each repository’s first build is ingested, not gated (nothing before it)', async () => {
    const r = await run([debSource(), rpmSource()]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      r.events.map((e) => [e.type, e.package?.name, e.gate]),
      [
        ['build', 'linux-headers-6.1.0-47-amd64', null],
        ['build', 'kernel-core', null],
      ],
    );
    // The corpus was built against 6.1.0-47: every module loads on it, as kabi compat says.
    for (const e of r.events) {
      assert.equal(e.created, true);
      assert.deepEqual(
        e.compat && { modules: e.compat.modules, fails: e.compat.failing.map((f) => f.module).sort() },
        compat('6.1.0-47'),
      );
    }
    assert.equal(entries().length, 2);
  });

  it('a build published mid-test is ingested and gated once, with kabi check’s verdict', async () => {
    publishDebian(deb, 'bookworm', [debs.get('6.1.0-47')!, debs.get('6.1.0-50')!]);
    publishRpm(rpm, [rpms.get('6.1.0-47')!, rpms.get('6.1.0-50')!]);
    const breakOut = join(dir, 'on-break');
    const r = await run(
      [debSource(), rpmSource()],
      [
        '--on-break',
        `cat >> '${breakOut}.json'; echo "$KABI_PACKAGE $KABI_VERDICT $KABI_EXIT_CODE" >> '${breakOut}.env'`,
      ],
    );
    const want = check('6.1.0-47', '6.1.0-50');
    assert.equal(want.verdict, 'incompatible');
    const wantCompat = compat('6.1.0-50');
    assert.equal(r.events.length, 2, r.stderr);
    for (const e of r.events) {
      assert.equal(e.type, 'build');
      assert.equal(e.gate?.verdict, want.verdict);
      assert.deepEqual(e.gate?.summary, want.summary);
      assert.deepEqual(
        e.compat && { modules: e.compat.modules, fails: e.compat.failing.map((f) => f.module).sort() },
        wantCompat,
      );
      assert.equal(e.exitCode, want.status! | (wantCompat.fails.length ? 8 : 0));
    }
    const [d, p] = r.events;
    assert.equal(d!.package?.name, 'linux-headers-6.1.0-50-amd64');
    assert.equal(p!.package?.version, '6.1.0-50.el9');
    // Each gated against its own stream's last release: the Debian build against the Debian one.
    assert.equal(d!.entry?.labels.release, '6.1.0-50');
    assert.notEqual(d!.baseline?.id, p!.baseline?.id);
    assert.equal(r.status, 12);
    // The index was read by hash, as the Release offers (a mirror mid-sync cannot mismatch it).
    assert.ok(
      server.log.some((l) =>
        /^GET \/debian\/dists\/bookworm\/main\/binary-amd64\/by-hash\/SHA256\/[0-9a-f]{64} 200$/.test(l),
      ),
    );
    assert.ok(!server.log.includes('GET /debian/dists/bookworm/main/binary-amd64/Packages 200'));
    // --on-break ran once per break, with the event on stdin and the variables set.
    const lines = readFileSync(`${breakOut}.env`, 'utf8').trim().split('\n');
    assert.deepEqual(lines, ['linux-headers-6.1.0-50-amd64 incompatible 12', 'kernel-core incompatible 12']);
    const piped = readFileSync(`${breakOut}.json`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Event);
    assert.deepEqual(
      piped.map((e) => e.entry?.id),
      r.events.map((e) => e.entry?.id),
    );
    assert.equal(entries().length, 4);
  });

  it('a restart ingests and reports nothing again; unchanged indexes are answered 304', async () => {
    server.log.length = 0;
    const r = await run([debSource(), rpmSource()]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.events, []);
    assert.ok(server.log.includes('GET /debian/dists/bookworm/InRelease 404'), server.log.join('\n'));
    assert.ok(server.log.includes('GET /debian/dists/bookworm/Release 304'), server.log.join('\n'));
    assert.ok(server.log.includes('GET /el9/repodata/repomd.xml 304'), server.log.join('\n'));
    assert.equal(server.log.filter((l) => /\.(deb|rpm) /.test(l)).length, 0);
    assert.equal(entries().length, 4);
  });

  it('a stalled source and a truncated package are reported and skipped; the others go on', async () => {
    const before = entries();
    const stalled = `rpm:${server.url}/stalled`;
    server.stall.add('/stalled/repodata/repomd.xml');
    publishDebian(deb, 'bookworm', [...debs.values()]);
    publishRpm(rpm, [...rpms.values()]);
    const cut = `/debian/pool/main/l/linux/${readdirSync(join(deb, 'pool/main/l/linux')).find((f) => f.includes('6.1.0-54'))}`;
    const size = readFileSync(join(deb, cut.slice('/debian/'.length))).length;
    server.truncate.set(cut, Math.floor(size / 2));
    const r = await run([stalled, debSource(), rpmSource()]);
    assert.deepEqual(
      r.events.map((e) => [e.type, e.package?.name ?? null]),
      [
        ['source-failed', null],
        ['download-failed', 'linux-headers-6.1.0-54-amd64'],
        ['build', 'kernel-core'],
      ],
    );
    assert.match(r.events[0]!.message!, /timed out/);
    assert.match(r.events[1]!.message!, /truncated/);
    assert.equal(r.events[2]!.gate?.verdict, check('6.1.0-50', '6.1.0-54').verdict);
    assert.equal(r.status! & 1, 1);
    // Only the RPM build was stored; nothing of the truncated package, no part left in the downloads.
    assert.equal(entries().length, before.length + 1);
    const left = readdirSync(join(dir, 'downloads'), { recursive: true }).map(String);
    assert.deepEqual(
      left.filter((f) => /\.(deb|rpm|part)$/.test(f)),
      [],
    );

    // Mended, the package is taken next round (the index has not changed: it is asked again in full).
    server.truncate.clear();
    const again = await run([debSource(), rpmSource()]);
    assert.deepEqual(
      again.events.map((e) => [e.type, e.package?.name, e.gate?.verdict]),
      [['build', 'linux-headers-6.1.0-54-amd64', check('6.1.0-50', '6.1.0-54').verdict]],
    );
    assert.equal(entries().length, before.length + 2);
  });

  it('the dashboard streams the builds as server-sent events, and a new one as it arrives', async () => {
    const store = openSqliteStore(db(), { readonly: true });
    const server = await startServer({ store, port: 0, recheckMs: 100 });
    const abort = new AbortController();
    try {
      const res = await fetch(`${server.url}api/events`, { signal: abort.signal });
      assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      const blocks = async (n: number) => {
        for (;;) {
          const found = text.split('\n\n').filter((b) => b.includes('event: watch'));
          if (found.length >= n)
            return found.map((b) => ({
              id: Number(/^id: (\d+)$/m.exec(b)![1]),
              event: assertMatchesSchema('watch-event', /^data: (.*)$/m.exec(b)![1]!) as Event,
            }));
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended after ${text}`);
          text += value;
        }
      };
      // Replayed: every build the watch stored, in order.
      const stored = await blocks(6);
      assert.deepEqual(
        stored.map((b) => b.event.entry?.id),
        entries(),
      );
      // A new build, found by a watch in another process on a directory source, arrives on the stream.
      const incoming = join(dir, 'incoming');
      mkdirSync(incoming);
      copyFileSync(symversFixture('6.1.0-55'), join(incoming, '6.1.0-55.symvers.xz'));
      utimesSync(
        join(incoming, '6.1.0-55.symvers.xz'),
        new Date(Date.now() - 60_000),
        new Date(Date.now() - 60_000),
      );
      const r = await run([incoming]);
      assert.deepEqual(
        r.events.map((e) => e.type),
        ['build'],
        r.stderr,
      );
      const seen = await blocks(7);
      assert.deepEqual(seen[6]!.event, r.events[0]);
      assert.ok(seen[6]!.id > seen[5]!.id);
    } finally {
      abort.abort();
      await server.close();
      await store.close();
    }
  });
});
