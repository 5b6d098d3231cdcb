// Online: `kabi watch` on Debian's real security archive, two linux-headers builds of the 6.12 backports
// (about 5 MB), gated as `kabi check` gates the same two packages. Skips, saying why, with KABI_OFFLINE
// set or when deb.debian.org does not answer.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { kabi } from '../helpers/exec.js';
import { watch } from './run.js';

const ARCHIVE = 'https://deb.debian.org/debian-security';

async function whyNot(): Promise<string | null> {
  if (process.env.KABI_OFFLINE) return 'KABI_OFFLINE is set';
  try {
    const res = await fetch(`${ARCHIVE}/dists/bookworm-security/InRelease`, {
      method: 'HEAD',
      signal: AbortSignal.timeout(5000),
    });
    return res.ok ? null : `${ARCHIVE} answers HTTP ${res.status}`;
  } catch (e) {
    return `${ARCHIVE} is not reachable (${(e as Error).message})`;
  }
}

test('bookworm-security: the last two 6.12 headers, ingested and gated as kabi check gates them', async (t) => {
  const reason = await whyNot();
  if (reason !== null) return t.skip(`skipping the online watch test: ${reason}`);
  const dir = mkdtempSync(join(tmpdir(), 'kabi-watch-online-'));
  try {
    writeFileSync(join(dir, 'policy'), 'vmlinux\tFAIL\n');
    const list = kabi([
      'fetch',
      'debian',
      '--suite',
      'bookworm-security',
      '--flavour',
      'amd64',
      '--mirror',
      ARCHIVE,
      '--dry-run',
      '-f',
      'json',
    ]);
    assert.equal(list.status, 0, list.stderr);
    const abis = (JSON.parse(list.stdout) as { packages: { abi: string }[] }).packages
      .map((p) => p.abi)
      .filter((a) => a.startsWith('6.12.'))
      .slice(-2);
    assert.equal(abis.length, 2, `6.12 ABIs listed: ${abis}`);
    const match = abis.map((a) => a.replace(/[.+]/g, '\\$&')).join('|');
    const source = `deb:${ARCHIVE}?suite=bookworm-security&arch=amd64&match=${encodeURIComponent(`^linux-headers-(${match})-amd64$`)}`;
    const args = [
      '--db',
      join(dir, 'k.db'),
      'watch',
      source,
      '--policy',
      join(dir, 'policy'),
      '--once',
      '-f',
      'json',
    ];
    const r = await watch([...args, '--keep', '--downloads', join(dir, 'dl')]);
    assert.deepEqual(
      r.events.map((e) => [e.type, e.entry?.labels.abi, e.baseline === null]),
      [
        ['build', abis[0], true],
        ['build', abis[1], false],
      ],
      r.stderr,
    );
    const kept = readdirSync(join(dir, 'dl'), { recursive: true }).map(String);
    const debs = abis.map((a) => kept.find((f) => f.includes(`linux-headers-${a}-amd64_`))!);
    const check = kabi([
      'check',
      '-b',
      join(dir, 'dl', debs[0]!),
      join(dir, 'dl', debs[1]!),
      '-p',
      join(dir, 'policy'),
      '-f',
      'json',
    ]);
    const want = JSON.parse(check.stdout) as { verdict: string; summary: Record<string, number> };
    assert.equal(r.events[1]!.gate?.verdict, want.verdict);
    assert.deepEqual(r.events[1]!.gate?.summary, want.summary);
    // A second run: the InRelease is unchanged (or the packages are seen): nothing again.
    const again = await watch(args);
    assert.deepEqual(again.events, [], again.stderr);
    assert.equal(again.status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
