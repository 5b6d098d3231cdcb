import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { needs } from '../../../test/helpers/tools.js';
import { ArtifactFormatError } from '../../errors.js';
import { ChunkReader } from './chunk-reader.js';
import { cpioFiles } from './cpio.js';
import { buildRpm, type Extracted, rpmExtract, tempDir } from './fixtures.test.js';

const ctx = { source: 'p.rpm', section: 'payload cpio', maxFile: 1 << 20 };

/** Feeds `bytes` in pieces of `piece` bytes, so that headers and data straddle chunk boundaries. */
async function* pieces(bytes: Buffer, piece: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += piece) yield bytes.subarray(at, at + piece);
}

async function read(bytes: Buffer, piece = 7, wanted = (_: string) => true): Promise<Extracted> {
  const out: Extracted = { files: new Map(), symlinks: new Map() };
  for await (const f of cpioFiles(new ChunkReader(pieces(bytes, piece)), wanted, ctx)) {
    if (f.linkTarget !== undefined) out.symlinks.set(f.path, f.linkTarget);
    else out.files.set(f.path, f.data);
  }
  return out;
}

async function rejects(p: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    if (process.env.SHOW_ERRORS) console.log(String((e as Error).message));
    assert.ok(e instanceof ArtifactFormatError, String(e));
    assert.match(e.message, message);
    return true;
  });
}

interface Entry {
  name: string;
  data?: string;
  mode?: number;
  ino?: number;
  nlink?: number;
  magic?: string;
  check?: number;
}

/** A newc archive written by hand, padded as cpio(5) says. */
function newc(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  const pad = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);
  for (const e of [...entries, { name: 'TRAILER!!!' }]) {
    const data = Buffer.from(e.data ?? '');
    const name = Buffer.from(`${e.name}\0`);
    const hex = (n: number) => n.toString(16).padStart(8, '0');
    const fields = [
      e.ino ?? 0,
      e.mode ?? 0o100644,
      0,
      0,
      e.nlink ?? 1,
      0,
      data.length,
      0,
      0,
      0,
      0,
      name.length,
      e.check ?? 0,
    ];
    const header = Buffer.from((e.magic ?? '070701') + fields.map(hex).join(''), 'latin1');
    parts.push(header, name, pad(header.length + name.length), data, pad(data.length));
  }
  return Buffer.concat(parts);
}

describe('cpio (newc) payloads', () => {
  it('reads what rpm extracts from a real rpm payload, in any chunking', {
    skip: needs('rpmbuild', 'rpm2cpio', 'rpm2archive', 'tar'),
  }, async () => {
    const dir = tempDir('cpio');
    const rpm = buildRpm(dir, 'w9.gzdio');
    const cpio = execFileSync('rpm2cpio', [rpm], { maxBuffer: 1 << 30 });
    const reference = rpmExtract(rpm, dir);
    for (const piece of [1, 7, 512, cpio.length]) assert.deepEqual(await read(cpio, piece), reference);
    // at and inside every header, name and data, up to the trailer (after it only padding is missing)
    const starts: number[] = [];
    for (let at = cpio.indexOf('070701'); at !== -1; at = cpio.indexOf('070701', at + 1)) starts.push(at);
    const cuts = new Set<number>();
    for (const [i, at] of starts.entries()) {
      const next = starts[i + 1] ?? at + 110;
      for (const cut of [at, at + 3, at + 60, at + 110, at + 111, (at + next) >> 1, next - 1]) cuts.add(cut);
    }
    for (const cut of cuts) {
      const message = /cpio (data ends|header cut short|entry name cut short)|expected \d+ bytes of data/;
      await rejects(read(cpio.subarray(0, cut), 64), message);
    }
  });

  it('gives hard-linked names the data stored with the last of them', async () => {
    const bytes = newc([
      { name: './a', ino: 5, nlink: 3 },
      { name: './b', ino: 5, nlink: 3 },
      { name: './c', ino: 5, nlink: 3, data: 'shared' },
      { name: './empty1', ino: 6, nlink: 2 },
      { name: './empty2', ino: 6, nlink: 2 },
      { name: './lnk', mode: 0o120777, data: '../a' },
      { name: '.', mode: 0o040755 },
    ]);
    const got = await read(bytes);
    assert.deepEqual(
      [...got.files].map(([p, d]) => [p, d.toString()]),
      [
        ['c', 'shared'],
        ['a', 'shared'],
        ['b', 'shared'],
        ['empty1', ''],
        ['empty2', ''],
      ],
    );
    assert.deepEqual(got.symlinks, new Map([['lnk', '../a']]));
    const onlyB = await read(bytes, 3, (p) => p === 'b');
    assert.deepEqual([...onlyB.files.keys()], ['b']);
  });

  it('names bad magic, absurd sizes, bad checksums and rpm large-file headers', async () => {
    await rejects(
      read(newc([{ name: 'x', magic: '070707' }])),
      /^p\.rpm@0x0 \(payload cpio\): expected the cpio newc magic "070701", found "070707"$/,
    );
    await rejects(
      read(newc([{ name: 'x', magic: '07070X' }])),
      /"07070X" \(rpm payload for files over 4 GiB\) is not supported/,
    );
    const crc = (check: number) => newc([{ name: 'x', magic: '070702', data: 'ab', check }]);
    assert.equal((await read(crc(0x61 + 0x62))).files.get('x')?.toString(), 'ab');
    await rejects(read(crc(1)), /x: data does not match its 070702 checksum/);
    const huge = newc([{ name: 'x' }]);
    huge.write('ffffffff', 6 + 8 * 11, 'latin1');
    await rejects(read(huge), /^p\.rpm@0x0 \(payload cpio\): cpio c_namesize 4294967295 is absurd/);
    const hex = newc([{ name: 'x' }]);
    hex.write('zz', 6, 'latin1');
    await rejects(
      read(hex),
      /@0x0 \(payload cpio\): cpio header of "x": expected 8 hex digits for c_ino, found "zz000000"$/,
    );
    // The second entry's header (after 110 + "a\0" padded to 112, and 4 bytes of data): at 0x74.
    const clean = newc([
      { name: 'a', data: 'abcd' },
      { name: 'b.ko', data: 'x' },
    ]);
    const second = Buffer.from(clean);
    second.write('g', 0x74 + 6 + 8 * 6, 'latin1');
    await rejects(
      read(second),
      /^p\.rpm@0x74 \(payload cpio\): cpio header of "b\.ko": expected 8 hex digits for c_filesize/,
    );
    const badSize = newc([
      { name: 'a', data: 'abcd' },
      { name: 'b.ko', data: 'x' },
    ]);
    badSize.write('00000001', 0x74 + 6 + 8 * 11, 'latin1');
    await rejects(read(badSize), /^p\.rpm@0x74 \(payload cpio\): cpio c_namesize 1 is absurd/);
    await rejects(
      read(clean.subarray(0, 0x74 + 60)),
      /^p\.rpm@0x74 \(payload cpio\): cpio header cut short, 60 of its 110 bytes/,
    );
    await rejects(
      read(clean.subarray(0, 0x74 + 116)),
      /^p\.rpm@0x74 \(payload cpio\): b\.ko: expected 1 bytes of data, found 0/,
    );
    await rejects(read(clean.subarray(0, 0x74 + 112)), /@0x74 \(payload cpio\): cpio entry name cut short/);
    await rejects(read(Buffer.alloc(0)), /cpio data ends without its TRAILER!!! entry \(truncated\?\)/);
  });

  it('refuses a file over the per-file cap', async () => {
    const bytes = newc([{ name: 'big', data: 'x'.repeat(100) }]);
    const it = cpioFiles(new ChunkReader(pieces(bytes, 7)), () => true, { ...ctx, maxFile: 10 });
    await rejects(
      (async () => {
        for await (const _ of it);
      })(),
      /big is 100 bytes, over the per-file limit of 10/,
    );
  });
});
