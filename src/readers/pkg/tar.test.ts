// The hand-written tar reader: what GNU tar writes (ustar, gnu and pax formats, long names) reads back
// whole, and every broken header is named by its entry and the offset of its own header block.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { needs } from '../../../test/helpers/tools.js';
import { tarArchive, type tarHeader } from '../../../test/hostile/bombs.js';
import { ArtifactFormatError } from '../../errors.js';
import { tempDir } from './fixtures.test.js';
import { tarFiles } from './tar.js';

const ctx = { source: 'p.deb', section: 'data.tar', maxFile: 1 << 20 };

async function* pieces(bytes: Buffer, piece: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += piece) yield bytes.subarray(at, at + piece);
}

async function read(bytes: Buffer, piece = 100, wanted = (_: string) => true) {
  const out = new Map<string, string>();
  for await (const f of tarFiles(pieces(bytes, piece), wanted, ctx)) {
    out.set(f.path, f.linkTarget !== undefined ? `-> ${f.linkTarget}` : f.data.toString('latin1'));
  }
  return out;
}

async function rejects(bytes: Buffer, message: RegExp, offset: number): Promise<void> {
  await assert.rejects(read(bytes), (e: unknown) => {
    if (process.env.SHOW_ERRORS) console.log(String((e as Error).message));
    assert.ok(e instanceof ArtifactFormatError, String(e));
    assert.match(e.message, message);
    assert.equal(e.offset, offset, e.message);
    assert.equal(e.section, 'data.tar');
    return true;
  });
}

const a = { name: './a.ko', data: Buffer.alloc(300, 'a') };
const b = (e: Partial<Parameters<typeof tarHeader>[0]>) => ({
  name: './b.ko',
  data: Buffer.alloc(10, 'b'),
  ...e,
});

describe('tar', () => {
  it('reads what GNU tar writes in the gnu, ustar and pax formats, long names included', {
    skip: needs('tar'),
  }, async () => {
    const dir = tempDir('tar');
    const long = `usr/lib/modules/6.12.0/kernel/${'drivers/'.repeat(14)}long-name-module.ko`;
    mkdirSync(join(dir, 'root', long, '..'), { recursive: true });
    writeFileSync(join(dir, 'root', long), 'long');
    writeFileSync(join(dir, 'root', 'plain.ko'), Buffer.alloc(1000, 'p'));
    execFileSync('ln', ['-s', '../target', join(dir, 'root', 'link')]);
    for (const format of ['gnu', 'ustar', 'pax']) {
      if (format === 'ustar' && long.length > 255) continue;
      const tar = execFileSync('tar', [`--format=${format}`, '-c', '-C', join(dir, 'root'), '.']);
      const got = await read(tar, 333);
      assert.equal(got.get(long), 'long', format);
      assert.equal(got.get('plain.ko'), 'p'.repeat(1000), format);
      assert.equal(got.get('link'), '-> ../target', format);
    }
  });

  it('gives the same files as views into the stream as as copies, in any chunking', async () => {
    const files = [a, b({}), b({ name: './c.ko', data: Buffer.alloc(5000, 'c') })];
    const tar = tarArchive(files);
    for (const piece of [100, 512, 4096, 1 << 20]) {
      const copies: Buffer[] = [];
      const views: Buffer[] = [];
      for await (const f of tarFiles(pieces(tar, piece), () => true, ctx)) copies.push(f.data);
      for await (const f of tarFiles(pieces(tar, piece), () => true, { ...ctx, views: true }))
        views.push(f.data);
      assert.deepEqual(views, copies);
      assert.deepEqual(
        copies,
        files.map((f) => f.data),
      );
    }
  });

  it('lends files but those the caller keeps: a kept file is its own buffer, unchanged as the reader goes on', async () => {
    const files = [
      b({ name: './c.ko', data: Buffer.alloc(7000, 'c') }),
      b({ name: './boot/Image', data: Buffer.alloc(6000, 'i') }),
      b({ name: './d.ko', data: Buffer.alloc(5000, 'd') }),
    ];
    const tar = tarArchive(files);
    for (const piece of [512, 1 << 20]) {
      const held = new Map<string, Buffer>();
      const lent = { ...ctx, views: true, lend: true, keep: (p: string) => p === 'boot/Image' };
      for await (const f of tarFiles(pieces(tar, piece), () => true, lent)) held.set(f.path, f.data);
      const kept = held.get('boot/Image')!;
      assert.deepEqual(kept, files[1]!.data, `piece ${piece}`);
      assert.notEqual(kept.buffer, tar.buffer, 'not a view into the stream');
      // The lent files share the reader's buffers: one read into the spare, or a view of the one chunk.
      const c = held.get('c.ko')!;
      const d = held.get('d.ko')!;
      assert.ok(c.buffer === d.buffer || c.buffer === tar.buffer, `piece ${piece}: c.ko is lent`);
      assert.notEqual(kept.buffer, d.buffer);
    }
  });

  it('reports a broken header at its own offset, naming its entry (issue 16: was data.tar@0x600)', async () => {
    const bad = tarArchive([a, b({ patch: { 148: '0000000\0' }, fixChecksum: false })]);
    await rejects(
      bad,
      /^p\.deb@0x400 \(data\.tar\): tar header of "\.\/b\.ko": header checksum 0o0 does not match/,
      0x400,
    );
    const junk = Buffer.concat([tarArchive([a], false), Buffer.alloc(512, 0x41)]);
    await rejects(junk, /tar header of "A{60}…": expected an octal checksum, found "AAAAAAAA"$/, 0x400);
  });

  it('refuses size fields that are not octal, negative or too large, and reads base-256 sizes', async () => {
    for (const [size, message] of [
      ['12x4\0', /tar header of "\.\/b\.ko": expected an octal size, found "12x4"/],
      ['-1\0', /expected an octal size, found "-1"/],
      [
        Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]),
        /base-256 size ff ff .* is negative or too large/,
      ],
      [
        Buffer.from([0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        /base-256 size 80 ff .* is too large/,
      ],
    ] as const) {
      await rejects(tarArchive([a, b({ patch: { 124: size } })]), message, 0x400);
    }
    // GNU tar writes sizes of 8 GiB and more in base 256; a small one reads the same.
    const base256 = Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10]);
    assert.equal((await read(tarArchive([a, b({ patch: { 124: base256 } })]))).get('b.ko'), 'b'.repeat(10));
    // A huge octal size: over the per-file cap when wanted, past the end of the data when skipped.
    const huge = tarArchive([a, b({ patch: { 124: '77777777777\0' } })]);
    await rejects(
      huge,
      /p\.deb@0x400 \(data\.tar\): b\.ko is 8589934591 bytes, over the per-file limit/,
      0x400,
    );
    await assert.rejects(
      read(huge, 100, (p) => p !== 'b.ko'),
      (e: ArtifactFormatError) =>
        e.offset === 0x400 &&
        /tar data ends inside "\.\/b\.ko": its header declares 8589934591 bytes/.test(e.message),
    );
  });

  it('names truncated headers and bodies by their entry and header offset', async () => {
    const whole = tarArchive([a, b({ data: Buffer.alloc(700, 'b') })]);
    await rejects(
      whole.subarray(0, 0x400 + 300),
      /tar data ends inside the header of "\.\/b\.ko", 300 of its 512 bytes/,
      0x400,
    );
    await rejects(whole.subarray(0, 0x400 + 50), /tar data ends inside a header, 50 of its 512 bytes/, 0x400);
    await rejects(
      whole.subarray(0, 0x400 + 512 + 100),
      /tar data ends inside "\.\/b\.ko": its header declares 700 bytes, 100 follow/,
      0x400,
    );
    await rejects(
      whole.subarray(0, 0x400 + 512 + 1024),
      /tar data ends after \.\/b\.ko without the end-of-archive blocks/,
      0xa00,
    );
    await rejects(whole.subarray(0, 0xa00 + 512), /without the end-of-archive blocks/, 0xa00);
  });

  it('checks the magic, pax records and GNU long names', async () => {
    await rejects(
      tarArchive([a, b({ patch: { 257: 'tarus\0' } })]),
      /tar header of "\.\/b\.ko": expected the tar magic "ustar", found "tarus\\u0000"/,
      0x400,
    );
    const pax = (records: string) => ({ name: 'PaxHeader', type: 'x', data: Buffer.from(records) });
    const record = (kv: string) => {
      const n = kv.length + 2 + String(kv.length + 4).length; // "%d %s\n", the length counting itself
      return `${n} ${kv}\n`;
    };
    const named = tarArchive([pax(record('path=./renamed/b.ko.xz')), b({})]);
    assert.deepEqual([...(await read(named)).keys()], ['renamed/b.ko.xz']);
    await rejects(
      tarArchive([a, pax('99 path=x\n'), b({})]),
      /tar header of "PaxHeader": malformed pax record at byte 0/,
      0x400,
    );
    await rejects(
      tarArchive([a, pax(record('size=1x2')), b({})]),
      /pax size "1x2" is not a decimal size/,
      0x400,
    );
    const gnu = { name: '././@LongLink', type: 'L', data: Buffer.from('./gnu/long/name.ko\0') };
    assert.deepEqual([...(await read(tarArchive([gnu, b({})]))).keys()], ['gnu/long/name.ko']);
    await rejects(
      tarArchive([a, { ...gnu, size: 1 << 30, data: undefined }]),
      /GNU long name of 1073741824 bytes is absurd/,
      0x400,
    );
  });
});
