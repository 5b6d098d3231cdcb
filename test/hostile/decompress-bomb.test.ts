// Decompression bombs (issue 16): each reader path fails with a DecompressionLimitError naming the file,
// the member and the cap, and stays within bounded memory. Each bomb runs in a child process of its own
// (bomb-child.ts) whose peak RSS is measured: before the fix, 33 KB of zstd took 2.1 GB and the
// committed 66 KB one (2 GiB of zeros) more.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bombTarHead, debWith, gzipZeros, xzZeros } from './bombs.js';

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, 'bomb-child.js');
const fixtures = join(here, '../../../test/fixtures/hostile');
const dir = mkdtempSync(join(tmpdir(), 'kabi-bomb-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Peak RSS allowed. Node itself takes ~50 MiB. A file read whole is held whole, so its bound is the output
 * cap (DEFAULT_MAX_OUTPUT, 256 MiB) or the ratio cap, whichever is lower; a package stream holds a chunk
 * at a time, and a file being read, cut at 500 times the 64 KiB of input fed since the last check.
 */
const MAX_RSS_MIB = { whole: 400, stream: 200 };
const GiB = 1024 ** 3;

interface Outcome {
  error: { name: string; message: string; limit?: string; cap?: number; section?: string } | null;
  maxRssMiB: number;
}

function run(mode: 'decompress' | 'exports' | 'package', path: string): Outcome {
  const r = spawnSync(process.execPath, [child, mode, path], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Outcome;
}

function save(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function assertRefused(o: Outcome, message: RegExp, limit: 'output' | 'ratio', stream = false) {
  const maxRss = stream ? MAX_RSS_MIB.stream : MAX_RSS_MIB.whole;
  assert.ok(o.error !== null, 'the bomb was read without an error');
  assert.equal(o.error.name, 'DecompressionLimitError', o.error.message);
  assert.match(o.error.message, message);
  assert.equal(o.error.limit, limit, o.error.message);
  assert.ok(o.maxRssMiB < maxRss, `peak RSS ${o.maxRssMiB} MiB, expected under ${maxRss}`);
}

describe('decompression bombs stay bounded', () => {
  it('a .ko.zst of 2 GiB of zeros (66 KB, committed) fails on the ratio cap', () => {
    const path = join(fixtures, 'decompress/zeros-2g.ko.zst');
    const ratio =
      /zeros-2g\.ko\.zst: zstd data expands to more than 500 times its compressed size \(\d+ bytes from 67\d{3}\); refusing$/;
    assertRefused(run('decompress', path), ratio, 'ratio');
    assertRefused(run('exports', path), ratio, 'ratio');
  });

  it('xz and gzip bombs read whole fail on a cap too', () => {
    const xz = save('zeros.ko.xz', xzZeros(GiB));
    // Concatenated streams: the last one's index declares 16 MiB, so the ratio stops the decoding.
    assertRefused(
      run('decompress', xz),
      /zeros\.ko\.xz: xz data expands to more than 500 times/,
      'ratio',
      true,
    );
    const gz = save('symvers.gz', gzipZeros(GiB / 2));
    assertRefused(run('decompress', gz), /symvers\.gz: gzip data expands to more than 500 times/, 'ratio');
  });

  it('a .deb whose data.tar.zst is 2 GiB of zeros (committed) fails naming the member', () => {
    const path = join(fixtures, 'pkg/zstd-bomb.deb');
    const o = run('package', path);
    assertRefused(
      o,
      /zstd-bomb\.deb \(data\.tar\.zst\): zstd data expands to more than 500 times/,
      'ratio',
      true,
    );
    assert.equal(o.error?.section, 'data.tar.zst');
  });

  it('a .deb whose data.tar.xz or data.tar.gz is a bomb fails naming the member', () => {
    const head = bombTarHead(1000 * 1024 * 1024);
    const xz = save('xz-bomb.deb', debWith('data.tar.xz', xzZeros(GiB, head)));
    assertRefused(
      run('package', xz),
      /xz-bomb\.deb \(data\.tar\.xz\): xz data expands to more than 500 times/,
      'ratio',
      true,
    );
    const gz = save('gz-bomb.deb', debWith('data.tar.gz', gzipZeros(GiB, head)));
    const gzOutcome = run('package', gz);
    assertRefused(
      gzOutcome,
      /gz-bomb\.deb \(data\.tar\.gz\): gzip data expands to more than 500 times/,
      'ratio',
      true,
    );
    // The ratio is taken against the input zlib has consumed, not the pieces the pipe read ahead (3 of
    // 64 KiB: 100 MB of output, and as much garbage in RSS, before the cap stopped it).
    const [made, from] = (/\((\d+) bytes from (\d+)\)/.exec(gzOutcome.error!.message) ?? [])
      .slice(1)
      .map(Number);
    assert.ok(made! < 16 * 1024 * 1024 && from! < 64 * 1024, `refused after ${made} bytes from ${from}`);
    assert.ok(gzOutcome.maxRssMiB < 150, `peak RSS ${gzOutcome.maxRssMiB} MiB`);
  });
});
