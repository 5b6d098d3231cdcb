// The streaming decompression that packages use (src/readers/compression.ts decompressStream), checked
// against the xz, zstd and gzip tools.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { needs } from '../../../test/helpers/tools.js';
import { ArtifactFormatError } from '../../errors.js';
import { type Compression, decompressStream } from '../compression.js';
import { readXzBlockPlan } from '../xz-index.js';

// Varied enough not to compress to nothing, so that streams have many blocks and chunks.
const text = Buffer.from(
  Array.from({ length: 60_000 }, (_, i) => `${(i * 2654435761) % 1e9}\tsym_${i}\n`).join(''),
);
const xz = (b: Buffer, ...args: string[]) =>
  execFileSync('xz', ['-c', ...args], { input: b, maxBuffer: 1 << 30 });
const zstd = (b: Buffer) => execFileSync('zstd', ['-c', '-q'], { input: b, maxBuffer: 1 << 30 });

async function* pieces(bytes: Buffer, piece: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += piece) yield bytes.subarray(at, at + piece);
}

async function decode(
  bytes: Buffer,
  compression: Compression,
  piece = 4096,
  maxOutput?: number,
  inWorker = false,
) {
  const out: Buffer[] = [];
  const opts = { source: 's.deb', section: 'data.tar.x', maxOutput, inWorker };
  for await (const c of decompressStream(pieces(bytes, piece), compression, opts)) out.push(c);
  return Buffer.concat(out);
}

async function rejects(p: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ArtifactFormatError, String(e));
    assert.match(e.message, message);
    return true;
  });
}

describe('decompressStream', { skip: needs('xz', 'zstd') }, () => {
  const xzText = xz(text);
  const xzBlocks = xz(text, '--block-size=100000');
  const zstdText = zstd(text);
  const gzipText = gzipSync(text);

  it('decodes xz (one block and many), zstd, gzip and plain input in any chunking', async () => {
    for (const piece of [4000, 65536, 1 << 20]) {
      assert.ok((await decode(xzText, 'xz', piece)).equals(text));
      assert.ok((await decode(xzBlocks, 'xz', piece)).equals(text));
      assert.ok((await decode(zstdText, 'zstd', piece)).equals(text));
      assert.ok((await decode(gzipText, 'gzip', piece)).equals(text));
      assert.ok((await decode(text, 'none', piece)).equals(text));
    }
    // xz allows zero "stream padding" after a stream, in multiples of four bytes, and streams back to back
    assert.ok((await decode(Buffer.concat([xzText, Buffer.alloc(8)]), 'xz')).equals(text));
    const two = Buffer.concat([xzText, Buffer.alloc(4), xz(Buffer.from('tail'))]);
    assert.ok((await decode(two, 'xz')).equals(Buffer.concat([text, Buffer.from('tail')])));
    const small = Buffer.concat([xz(Buffer.from('a')), xz(Buffer.from('b'))]);
    assert.equal((await decode(small, 'xz', 3)).toString(), 'ab');
  });

  it('fails on xz cut anywhere, which node-liblzma alone would end silently', async () => {
    for (const data of [xzText, xzBlocks]) {
      const cuts = [1, 2, 4, 11, 12, 13, 20, 40, 64, 100, 1000, data.length >> 1, data.length - 20];
      for (const cut of cuts) {
        await rejects(
          decode(data.subarray(0, data.length - cut), 'xz'),
          /^s\.deb \(data\.tar\.x\): (corrupt or )?truncated xz data/,
        );
      }
    }
  });

  it('fails on cut zstd and gzip, and on output past the cap', async () => {
    const z = zstdText;
    await rejects(decode(z.subarray(0, z.length - 5), 'zstd'), /corrupt or truncated zstd data/);
    const g = gzipText;
    await rejects(decode(g.subarray(0, g.length - 5), 'gzip'), /corrupt or truncated gzip data/);
    for (const [bytes, compression] of [
      [xzText, 'xz'],
      [z, 'zstd'],
      [g, 'gzip'],
    ] as const) {
      await rejects(
        decode(bytes, compression, 4096, 100_000),
        new RegExp(`${compression} data expands past 100000 bytes; refusing$`),
      );
    }
    await rejects(decode(text, 'none', 4096, 100_000), /data exceeds 100000 bytes; refusing$/);
  });

  it('decodes a long xz stream in a worker to the same bytes and the same errors', async () => {
    const worker = (bytes: Buffer, piece = 4096, maxOutput?: number) =>
      decode(bytes, 'xz', piece, maxOutput, true);
    for (const piece of [4000, 1 << 20]) {
      assert.ok((await worker(xzText, piece)).equals(text));
      assert.ok((await worker(xzBlocks, piece)).equals(text));
    }
    const two = Buffer.concat([xzText, Buffer.alloc(4), xz(Buffer.from('tail'))]);
    assert.ok((await worker(two)).equals(Buffer.concat([text, Buffer.from('tail')])));
    for (const cut of [1, 13, 100, xzBlocks.length >> 1]) {
      const data = xzBlocks.subarray(0, xzBlocks.length - cut);
      const inThread = await decode(data, 'xz').catch((e: Error) => e.message);
      assert.match(String(inThread), /^s\.deb \(data\.tar\.x\): (corrupt or )?truncated xz data/);
      await rejects(worker(data), /truncated xz data/);
      assert.equal(await worker(data).catch((e: Error) => e.message), inThread);
    }
    const flipped = Buffer.from(xzBlocks);
    flipped[flipped.length >> 1]! ^= 0x55;
    await rejects(
      worker(flipped),
      /^s\.deb \(data\.tar\.x\): corrupt or truncated xz data \(data is corrupt\)$/,
    );
    await rejects(worker(xzText, 4096, 100_000), /xz data expands past 100000 bytes; refusing$/);
    // The ratio counts the input the worker had decoded, not the pieces sent ahead of it.
    const zeros = xz(Buffer.alloc(64 << 20));
    const ratio = await worker(zeros, 1024).catch((e: Error) => e.message);
    assert.match(
      String(ratio),
      /xz data expands to more than 500 times its compressed size \((\d+) bytes from (\d+)\)/,
    );
    const [, out, fed] = /\((\d+) bytes from (\d+)\)/.exec(String(ratio))!;
    assert.ok(Number(out) <= 500 * Number(fed) + (4 << 20) + (1 << 20), String(ratio));
  });

  it('stops the worker when the consumer stops early', async () => {
    const gen = decompressStream(pieces(xzText, 1000), 'xz', { source: 's', inWorker: true });
    assert.equal((await gen.next()).done, false);
    assert.deepEqual(await gen.return(undefined), { done: true, value: undefined });
  });

  it('stops the decoder when the consumer stops early', async () => {
    const gen = decompressStream(pieces(xzText, 1000), 'xz', { source: 's' });
    const first = await gen.next();
    assert.equal(first.done, false);
    assert.deepEqual(await gen.return(undefined), { done: true, value: undefined });
  });
});

describe('decompressStream by blocks (a data.tar.xz of many blocks, read from the package file)', {
  skip: needs('xz'),
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-xz-blocks-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const head = Buffer.from('!<arch>\nmember header...');
  const tail = Buffer.from('\nnext member');
  /** `stream` written between other bytes, as a .deb's member: its range in the file. */
  const inFile = (name: string, stream: Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, Buffer.concat([head, stream, tail]));
    return { path, start: head.length, end: head.length + stream.length };
  };
  const blocks = xz(text, '--block-size=100000');
  const byBlocks = async (stream: Buffer, name: string, maxOutput?: number, piece = 4096) => {
    const file = inFile(name, stream);
    const out: Buffer[] = [];
    const opts = { source: 's.deb', section: 'data.tar.x', maxOutput, inWorker: true, file };
    for await (const c of decompressStream(pieces(stream, piece), 'xz', opts)) out.push(c);
    return Buffer.concat(out);
  };

  it('plans one stream of several blocks from its index, and nothing else', async () => {
    const file = inFile('plan.xz', blocks);
    const plan = await readXzBlockPlan(file.path, file.start, file.end);
    assert.ok(plan !== null);
    assert.ok(plan.blocks.length >= 5, String(plan.blocks.length));
    assert.equal(plan.uncompressed, text.length);
    assert.equal(plan.blocks[0]!.offset, file.start + 12);
    // One block, two streams, stream padding, a cut file: decoded whole, as before.
    for (const [name, stream] of [
      ['one.xz', xz(text)],
      ['two.xz', Buffer.concat([blocks, xz(Buffer.from('tail'))])],
      ['padded.xz', Buffer.concat([blocks, Buffer.alloc(4)])],
      ['cut.xz', blocks.subarray(0, blocks.length - 1)],
    ] as const) {
      const f = inFile(name, stream);
      assert.equal(await readXzBlockPlan(f.path, f.start, f.end), null, name);
    }
  });

  it('decodes to the same bytes and fails with the same errors as one worker', async () => {
    assert.ok((await byBlocks(blocks, 'ok.xz')).equals(text));
    const withPadding = Buffer.concat([blocks, Buffer.alloc(8)]);
    assert.ok((await byBlocks(withPadding, 'padding.xz')).equals(text));
    const flipped = Buffer.from(blocks);
    flipped[flipped.length >> 1]! ^= 0x55;
    const inOne = await decode(flipped, 'xz', 4096, undefined, true).catch((e: Error) => e.message);
    assert.match(
      String(inOne),
      /^s\.deb \(data\.tar\.x\): corrupt or truncated xz data \(data is corrupt\)$/,
    );
    assert.equal(await byBlocks(flipped, 'flipped.xz').catch((e: Error) => e.message), inOne);
    for (const cut of [1, 100, blocks.length >> 1]) {
      const data = blocks.subarray(0, blocks.length - cut);
      const one = await decode(data, 'xz', 4096, undefined, true).catch((e: Error) => e.message);
      assert.equal(await byBlocks(data, `cut${cut}.xz`).catch((e: Error) => e.message), one);
    }
    await rejects(byBlocks(blocks, 'cap.xz', 100_000), /xz data expands past 100000 bytes; refusing$/);
  });

  it('keeps the ratio cap to the compressed bytes decoded', async () => {
    const zeros = xz(Buffer.alloc(64 << 20), '--block-size=4MiB');
    const ratio = await byBlocks(zeros, 'zeros.xz').catch((e: Error) => e.message);
    assert.match(String(ratio), /xz data expands to more than 500 times its compressed size/);
    const [, out, fed] = /\((\d+) bytes from (\d+)\)/.exec(String(ratio))!;
    assert.ok(Number(out) <= 500 * Number(fed) + (4 << 20) + (1 << 20), String(ratio));
  });

  it('lent chunks: the same bytes, each chunk reused (detached) once the next is asked for', async () => {
    const file = inFile('lent.xz', blocks);
    const copies: Buffer[] = [];
    const held: Buffer[] = [];
    const lent = { source: 's', inWorker: true, file, lend: true };
    for await (const c of decompressStream(pieces(blocks, 4096), 'xz', lent)) {
      copies.push(Buffer.from(c));
      held.push(c);
    }
    assert.ok(Buffer.concat(copies).equals(text));
    // Every chunk but the last went back to its worker: detached here, whatever the consumer kept.
    assert.ok(held.length >= 5, String(held.length));
    assert.deepEqual(
      held.slice(0, -1).map((c) => c.length),
      held.slice(0, -1).map(() => 0),
    );
    // Not lent: every chunk is the consumer's to keep.
    const kept: Buffer[] = [];
    const opts = { source: 's', inWorker: true, file };
    for await (const c of decompressStream(pieces(blocks, 4096), 'xz', opts)) kept.push(c);
    assert.ok(Buffer.concat(kept).equals(text));
  });

  it('stops its workers when the consumer stops early', async () => {
    const file = inFile('early.xz', blocks);
    const opts = { source: 's', inWorker: true, file };
    const gen = decompressStream(pieces(blocks, 1000), 'xz', opts);
    assert.equal((await gen.next()).done, false);
    assert.deepEqual(await gen.return(undefined), { done: true, value: undefined });
  });
});
