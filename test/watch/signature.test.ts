// `kabi watch --keyring`: a Debian source's InRelease checked with gpgv before its checksums are trusted.
// Keys are made for the test (gpg --quick-gen-key in a temporary GNUPGHOME): the repository's (ed25519)
// and a stranger's (RSA, which can still sign with SHA-1). Each verdict is checked against gpgv run on
// its own, the reference apt uses; where gpgv alone accepts a file apt refuses (text after the
// signature, a SHA-1 signature), the test says so. Then over HTTP on loopback: a good signature is
// ingested, a tampered InRelease, a tampered Packages index and a stranger's signature fail the source
// with a specific message and store nothing of it (another source goes on), and the mended repository is
// taken next round.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyInRelease } from '../../src/fetch/inrelease-signature.js';
import { kabi } from '../helpers/exec.js';
import { needs } from '../helpers/tools.js';
import {
  buildHeadersDeb,
  type DebInRepo,
  publishDebian,
  type RepoServer,
  serveRepo,
  symversFixture,
} from './repos.js';
import { watch } from './run.js';

const REPO = 'kabi repo <repo@example.org>';
const STRANGER = 'stranger <stranger@example.org>';

describe('InRelease signatures (gpgv)', { skip: needs('gpg', 'gpgv') }, () => {
  let dir: string;
  let home: string;
  const gpg = (args: string[], input?: Buffer) =>
    execFileSync('gpg', ['--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], {
      env: { ...process.env, GNUPGHOME: home },
      input,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
  const sign = (text: Buffer | string, who: string, digest = 'SHA512') =>
    gpg(['--local-user', who, '--digest-algo', digest, '--clearsign'], Buffer.from(text));
  const keyring = (name: string) => join(dir, `${name}.gpg`);
  /** gpgv on its own, with an empty home: exit status 0 is a good signature. */
  const gpgv = (bytes: Buffer, ring: string) => {
    const file = join(dir, 'check');
    writeFileSync(file, bytes);
    const empty = mkdtempSync(join(dir, 'home-'));
    return spawnSync('gpgv', ['--keyring', ring, file], { env: { ...process.env, GNUPGHOME: empty } }).status;
  };
  const release = Buffer.from(
    'Suite: bookworm\nSHA256:\n 3b3f6ba1a3c4b1cbe0f4f4bd1b2c7f2ab5d0a5c1b3a1f0ad6f0c1f7e3e6b0c11 1234 main/binary-amd64/Packages\n- a dashed line\n',
  );
  const verify = (bytes: Buffer, rings = [keyring('repo')]) =>
    verifyInRelease(bytes, { url: 'http://mirror/dists/bookworm/InRelease', keyrings: rings });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kabi-gpg-'));
    home = join(dir, 'gnupg');
    mkdirSync(home, { mode: 0o700 });
    gpg(['--quick-gen-key', REPO, 'ed25519', 'sign', 'never']);
    gpg(['--quick-gen-key', STRANGER, 'rsa2048', 'sign', 'never']);
    writeFileSync(keyring('repo'), gpg(['--export', 'repo@example.org']));
    writeFileSync(join(dir, 'repo.asc'), gpg(['--export', '--armor', 'repo@example.org']));
    writeFileSync(keyring('stranger'), gpg(['--export', 'stranger@example.org']));
  });

  after(() => {
    // The agent gpg started for this home, and only it.
    if (home) spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: home } });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a good signature gives back the signed text, with a binary or an armored keyring', async () => {
    const signed = sign(release, 'repo@example.org');
    assert.equal(gpgv(signed, keyring('repo')), 0);
    assert.equal(Buffer.from(await verify(signed)).toString(), release.toString());
    assert.equal(Buffer.from(await verify(signed, [join(dir, 'repo.asc')])).toString(), release.toString());
    // Any one of several keyrings will do.
    assert.equal(
      Buffer.from(await verify(signed, [keyring('stranger'), keyring('repo')])).toString(),
      release.toString(),
    );
  });

  it('a changed checksum in the signed text is a BAD signature', async () => {
    const signed = sign(release, 'repo@example.org').toString();
    const tampered = Buffer.from(signed.replace(' 3b3f6ba1', ' 0b3f6ba1'));
    assert.notEqual(tampered.toString(), signed);
    assert.notEqual(gpgv(tampered, keyring('repo')), 0);
    await assert.rejects(
      verify(tampered),
      /InRelease: BAD signature from key [0-9A-F]{16} \(kabi repo <repo@example\.org>\): the file was changed after it was signed; not trusted$/,
    );
  });

  it('a key in none of the keyrings, an unsigned file, text around the signature, SHA-1: refused', async () => {
    const byStranger = sign(release, 'stranger@example.org');
    assert.notEqual(gpgv(byStranger, keyring('repo')), 0);
    await assert.rejects(
      verify(byStranger),
      /signed by key [0-9A-F]{16}, which none of the keyrings holds \(--keyring .*repo\.gpg\)/,
    );
    await assert.rejects(verify(release), /InRelease: not signed \(no OpenPGP cleartext signature/);
    // gpgv alone accepts lines after the signature (and would not give them back); apt refuses the file.
    const appended = Buffer.concat([sign(release, 'repo@example.org'), Buffer.from('SHA256:\n evil\n')]);
    assert.equal(gpgv(appended, keyring('repo')), 0);
    await assert.rejects(verify(appended), /text outside the signed message/);
    // A SHA-1 signature is good to gpgv; apt no longer accepts one.
    const sha1 = sign(release, 'stranger@example.org', 'SHA1');
    assert.equal(gpgv(sha1, keyring('stranger')), 0);
    await assert.rejects(verify(sha1, [keyring('stranger')]), /signed with the weak digest SHA-1/);
  });

  describe('kabi watch --keyring over HTTP', { skip: needs('dpkg-deb', 'xz') }, () => {
    let server: RepoServer;
    let www: string;
    const debs: DebInRepo[] = [];
    const db = () => join(dir, 'kabi.db');
    const source = () => `deb:${server.url}/debian?suite=bookworm&arch=amd64`;
    const dists = () => join(www, 'debian', 'dists', 'bookworm');
    const run = (sources: string[], extra: string[]) =>
      watch([
        '--db',
        db(),
        'watch',
        ...sources,
        '--policy',
        join(dir, 'policy'),
        '--once',
        '-f',
        'json',
        '--downloads',
        join(dir, 'downloads'),
        '--timeout',
        '5',
        '--retries',
        '0',
        ...extra,
      ]);
    const entries = () => (JSON.parse(kabi(['--db', db(), 'list', '-f', 'json']).stdout) as unknown[]).length;
    /** The repository with these builds, its Release signed by `who` as InRelease. */
    const publish = (n: number, who = 'repo@example.org') => {
      publishDebian(join(www, 'debian'), 'bookworm', debs.slice(0, n));
      writeFileSync(join(dists(), 'InRelease'), sign(readFileSync(join(dists(), 'Release')), who));
    };

    before(async () => {
      writeFileSync(join(dir, 'policy'), 'vmlinux\tFAIL\n');
      for (const [abi, version] of [
        ['6.1.0-47', '6.1.170-3'],
        ['6.1.0-50', '6.1.176-1'],
      ] as const)
        debs.push({
          name: `linux-headers-${abi}-amd64`,
          version,
          file: buildHeadersDeb(abi, version, join(dir, 'build')),
        });
      www = join(dir, 'www');
      server = await serveRepo(www);
    });

    after(async () => {
      await server?.close();
    });

    it('a signed InRelease is checked and its build ingested; without --keyring the round says so once', async () => {
      publish(1);
      // Repeatable: a key of any keyring given will do.
      const r = await run([source()], ['--keyring', keyring('stranger'), '--keyring', keyring('repo')]);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(
        r.events.map((e) => [e.type, e.package?.name]),
        [['build', 'linux-headers-6.1.0-47-amd64']],
      );
      assert.doesNotMatch(r.stderr, /not checked/);
      // Two Debian sources, no keyring: one note for the round.
      const plain = await run([source(), `${source()}&flavour=amd64`], []);
      assert.equal(plain.status, 0, plain.stderr);
      assert.equal(plain.stderr.match(/InRelease signatures are not checked/g)?.length, 1, plain.stderr);
    });

    it('a tampered InRelease, a tampered Packages, a stranger’s key: the source fails, nothing is stored', async () => {
      publish(2);
      const good = readFileSync(join(dists(), 'InRelease'), 'utf8');
      const packages = readFileSync(join(dists(), 'main', 'binary-amd64', 'Packages'));
      const cases: [string, () => void, RegExp][] = [
        [
          'the Packages checksum in InRelease changed',
          () => {
            const other = good.replace(/^ [0-9a-f]{64} /m, ` ${'0'.repeat(64)} `);
            assert.notEqual(other, good);
            writeFileSync(join(dists(), 'InRelease'), other);
          },
          /InRelease: BAD signature from key [0-9A-F]{16} \(kabi repo <repo@example\.org>\): the file was changed after it was signed; not trusted/,
        ],
        [
          'the Packages index changed under a good InRelease',
          () => {
            writeFileSync(join(dists(), 'InRelease'), good);
            const byHash = join(dists(), 'main', 'binary-amd64', 'by-hash', 'SHA256');
            const sha = /^ ([0-9a-f]{64}) \d+ main\/binary-amd64\/Packages$/m.exec(good)![1]!;
            // Same size, one byte changed: only the checksum can tell.
            writeFileSync(
              join(byHash, sha),
              Buffer.from(packages.toString().replace('Description: test', 'Description: tesT')),
            );
          },
          /by-hash\/SHA256\/[0-9a-f]{64}: \d+ bytes, sha256 [0-9a-f]{64}; its parent index says \d+ bytes/,
        ],
        [
          'signed by a key not in the keyring',
          () => publish(2, 'stranger@example.org'),
          /signed by key [0-9A-F]{16}, which none of the keyrings holds/,
        ],
      ];
      // Another source beside it goes on: a directory with a build in it, taken in the first round.
      const incoming = join(dir, 'incoming');
      mkdirSync(incoming);
      copyFileSync(symversFixture('6.1.0-56'), join(incoming, '6.1.0-56.symvers.xz'));
      const old = new Date(Date.now() - 60_000);
      utimesSync(join(incoming, '6.1.0-56.symvers.xz'), old, old);
      for (const [i, [what, tamper, message]] of cases.entries()) {
        tamper();
        const r = await run([source(), incoming], ['--keyring', keyring('repo')]);
        assert.deepEqual(
          r.events.map((e) => e.type),
          i === 0 ? ['source-failed', 'build'] : ['source-failed'],
          what,
        );
        assert.match(r.events[0]!.message!, message, what);
        assert.equal(r.status, 1, what);
        assert.equal(entries(), 2, what);
      }
      // Mended, the source is read again (its validators were not kept) and the build taken.
      publish(2);
      const r = await run([source(), incoming], ['--keyring', keyring('repo')]);
      assert.deepEqual(
        r.events.map((e) => [e.type, e.package?.name]),
        [['build', 'linux-headers-6.1.0-50-amd64']],
        r.stderr,
      );
      assert.equal(entries(), 3);
    });

    it('with --keyring, a repository without InRelease fails; an unreadable keyring is a usage error', async () => {
      rmSync(join(dists(), 'InRelease'));
      const r = await run([source()], ['--keyring', keyring('repo')]);
      assert.match(
        r.events[0]?.message ?? '',
        /InRelease: not found \(HTTP 404\), and --keyring requires a signed InRelease/,
      );
      const u = await run([source()], ['--keyring', join(dir, 'absent.gpg')]);
      assert.equal(u.status, 2);
      assert.match(u.stderr, /--keyring .*absent\.gpg: cannot read it \(ENOENT\)/);
    });
  });
});
