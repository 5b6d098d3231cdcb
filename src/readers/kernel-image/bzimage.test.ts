import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { needs } from '../../../test/helpers/tools.js';
import { ArtifactFormatError } from '../../errors.js';
import { extractVmlinux, isBzImage, readBzImageHeader } from './bzimage.js';

// A tiny stand-in for vmlinux.bin: an ELF64 identification, a header's worth of zeros, some text, and
// bytes standing in for the relocation table the kernel appends.
const ELF = Buffer.concat([
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]),
  Buffer.alloc(56),
  Buffer.from('fake vmlinux __ksymtab __kcrctab '.repeat(300)),
  Buffer.from([1, 2, 3, 4, 0, 0, 0, 0]),
]);
const VERSION = '6.1.0-99-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.999-1';

const u32le = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const withSize = (stream: Buffer, size: number) => Buffer.concat([stream, u32le(size)]);
const xz = (b: Buffer) => execFileSync('xz', ['-c', '--check=crc32'], { input: b });
const zstd = (b: Buffer) => execFileSync('zstd', ['-c', '-q', '-19'], { input: b });
const pack = (cmd: string, args: string[], b: Buffer) => execFileSync(cmd, args, { input: b });

interface Fake {
  payload: Buffer;
  setupSects?: number;
  magic?: string;
  protocol?: number;
  loadflags?: number;
  /** Offset of the payload from the start of the protected-mode code. */
  payloadOffset?: number;
  payloadLength?: number;
  versionPointer?: number;
}

/** Builds a bzImage the way arch/x86/boot/tools/build lays one out: setup sectors, then the code. */
function bzImage(f: Fake): Buffer {
  const setupSects = f.setupSects ?? 2;
  const setupEnd = ((setupSects || 4) + 1) * 512;
  const before = f.payloadOffset ?? 0x40;
  const img = Buffer.alloc(setupEnd + before + f.payload.length + 0x20, 0x90);
  img.fill(0, 0, setupEnd);
  img[0x1f1] = setupSects;
  img.writeUInt16LE(0xaa55, 0x1fe);
  img.write(f.magic ?? 'HdrS', 0x202, 'latin1');
  img.writeUInt16LE(f.protocol ?? 0x020f, 0x206);
  img.writeUInt16LE(f.versionPointer ?? 0x300, 0x20e);
  img.write(`${VERSION}\0`, 0x500, 'latin1');
  img[0x211] = f.loadflags ?? 0x01;
  img.writeUInt32LE(before, 0x248);
  img.writeUInt32LE(f.payloadLength ?? f.payload.length, 0x24c);
  f.payload.copy(img, setupEnd + before);
  return img;
}

/** Payload start in a default fake image: (2 + 1) * 512 + 0x40. */
const AT = 0x640;

async function rejects(p: Promise<unknown>, message: RegExp, offset?: number) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ArtifactFormatError, String(e));
    assert.match(e.message, message);
    assert.equal(e.source, 'img');
    if (offset !== undefined) assert.equal(e.offset, offset);
    return true;
  });
}

const extract = (img: Buffer, maxOutput?: number) =>
  extractVmlinux(img, maxOutput === undefined ? { source: 'img' } : { source: 'img', maxOutput });

describe('readBzImageHeader', { skip: needs('xz') }, () => {
  it('reads protocol, version string, payload place and the size after the stream', () => {
    const payload = withSize(xz(ELF), ELF.length);
    const img = bzImage({ payload });
    assert.ok(isBzImage(img));
    assert.deepEqual(readBzImageHeader(img, { source: 'img' }), {
      protocolVersion: '2.15',
      kernelVersion: VERSION,
      payloadCompression: 'xz',
      payloadOffset: AT,
      payloadLength: payload.length,
      uncompressedSize: ELF.length,
    });
  });

  it('takes setup_sects 0 as 4 and recognises each compression by magic', {
    skip: needs('zstd', 'bzip2', 'lz4'),
  }, () => {
    const cases: Array<[string, Buffer]> = [
      ['gzip', gzipSync(ELF)],
      ['zstd', withSize(zstd(ELF), ELF.length)],
      ['bzip2', withSize(pack('bzip2', ['-c'], ELF), ELF.length)],
      ['lzma', withSize(pack('xz', ['--format=lzma', '-c'], ELF), ELF.length)],
      ['lz4', withSize(pack('lz4', ['-l', '-c', '-q'], ELF), ELF.length)],
      ['lzo', withSize(Buffer.from([0x89, 0x4c, 0x5a, 0x4f, 0, 0x0d, 0x0a, 0x1a]), ELF.length)],
      ['none', ELF],
    ];
    for (const [compression, payload] of cases) {
      const info = readBzImageHeader(bzImage({ payload, setupSects: 0 }), { source: 'img' });
      assert.equal(info.payloadCompression, compression);
      assert.equal(info.payloadOffset, 5 * 512 + 0x40);
      assert.equal(info.uncompressedSize, compression === 'none' ? null : ELF.length);
    }
  });

  it('gives no version string for a null, outlying or unterminated pointer', () => {
    const payload = gzipSync(ELF);
    for (const versionPointer of [0, 0x1000, 0x3ff]) {
      const img = bzImage({ payload, versionPointer });
      if (versionPointer === 0x3ff) img.fill(0x41, 0x5ff, 0x600);
      assert.equal(readBzImageHeader(img, { source: 'img' }).kernelVersion, null);
    }
  });

  it('refuses what is not a bzImage, naming the offset and what it expected', async () => {
    const payload = gzipSync(ELF);
    assert.equal(isBzImage(Buffer.from('MZ not a kernel')), false);
    assert.equal(isBzImage(bzImage({ payload, loadflags: 0 })), false);
    await rejects(
      extract(bzImage({ payload, magic: 'ELF!' })),
      /^img@0x202: not an x86 bzImage: expected "HdrS" \(48 64 72 53\) at 0x202, found 45 4c 46 21$/,
      0x202,
    );
    await rejects(
      extract(Buffer.alloc(0x100)),
      /^img@0x0: not an x86 bzImage: 256 bytes, too short for the boot setup header \(0x250 bytes\)$/,
    );
    await rejects(
      extract(bzImage({ payload, protocol: 0x0206 })),
      /^img@0x206: boot protocol 2\.06 predates 2\.08, the first with payload_offset\/payload_length/,
      0x206,
    );
    await rejects(
      extract(bzImage({ payload, loadflags: 0 })),
      /^img@0x211: a zImage \(loadflags bit LOADED_HIGH clear\), not a bzImage$/,
    );
  });

  it('refuses a payload offset or length past the end of the file', async () => {
    const payload = gzipSync(ELF);
    const img = bzImage({ payload });
    const far = Buffer.from(img);
    far.writeUInt32LE(0x10_0000, 0x248);
    await rejects(
      extract(far),
      /^img@0x100600: payload \(payload_offset 0x100000 after the setup code at 0x600\) at offset 1050112 size \d+ runs past the end \(\d+ bytes\)$/,
      0x100600,
    );
    const long = Buffer.from(img);
    long.writeUInt32LE(0xffff_ffff, 0x24c);
    await rejects(extract(long), /^img@0x640: payload .* size 4294967295 runs past the end/, AT);
    // A file cut short inside the payload: the header still claims the whole length.
    await rejects(
      extract(img.subarray(0, AT + 100)),
      /^img@0x640: payload .* runs past the end \(1700 bytes\)$/,
      AT,
    );
  });
});

describe('extractVmlinux', { skip: needs('xz', 'zstd') }, () => {
  it('returns vmlinux.bin from gzip, xz and zstd payloads, trailing bytes included', async () => {
    for (const payload of [gzipSync(ELF), withSize(xz(ELF), ELF.length), withSize(zstd(ELF), ELF.length)]) {
      assert.deepEqual(Buffer.from(await extract(bzImage({ payload }))), ELF);
    }
    assert.deepEqual(Buffer.from(await extract(bzImage({ payload: ELF }))), ELF);
  });

  it('reports a truncated or corrupt stream with the payload offset and the kernel file name', async () => {
    const x = xz(ELF);
    const cut = withSize(x.subarray(0, x.length - 30), ELF.length);
    await rejects(
      extract(bzImage({ payload: cut })),
      /^img@0x640 \(vmlinux\.bin\.xz\): corrupt or truncated xz data/,
      AT,
    );
    const z = zstd(ELF);
    const zcut = withSize(z.subarray(0, z.length - 10), ELF.length);
    await rejects(
      extract(bzImage({ payload: zcut })),
      /^img@0x640 \(vmlinux\.bin\.zst\): corrupt or truncated zstd data/,
    );
    const g = gzipSync(ELF);
    g.fill(0xff, 20, 40);
    await rejects(
      extract(bzImage({ payload: g })),
      /^img@0x640 \(vmlinux\.bin\.gz\): corrupt or truncated gzip data/,
    );
    const bad = withSize(Buffer.from(x), ELF.length);
    bad.fill(0x55, 40, 60);
    // Corruption is not blamed on the size trailer.
    await rejects(
      extract(bzImage({ payload: bad })),
      /^img@0x640 \(vmlinux\.bin\.xz\): corrupt or truncated xz data \([^()]*\)$/,
    );
  });

  it('checks the decoded size against the size after the stream', async () => {
    const short = withSize(zstd(ELF), ELF.length + 1);
    await rejects(
      extract(bzImage({ payload: short })),
      new RegExp(
        `^img@0x640 \\(vmlinux\\.bin\\.zst\\): zstd payload decodes to ${ELF.length} bytes, but the size after the stream declares ${ELF.length + 1}$`,
      ),
    );
    const long = withSize(xz(ELF), ELF.length - 1);
    await rejects(
      extract(bzImage({ payload: long })),
      new RegExp(
        `^img@0x640 \\(vmlinux\\.bin\\.xz\\): xz data expands past ${ELF.length - 1} bytes; refusing \\(the size after the stream declares ${ELF.length - 1} bytes\\)$`,
      ),
    );
    const tiny = withSize(xz(ELF), 12);
    await rejects(
      extract(bzImage({ payload: tiny })),
      /^img@0x640 \(vmlinux\.bin\.xz\): xz payload declares 12 uncompressed bytes, too few for an ELF vmlinux$/,
    );
  });

  it('refuses a decompression bomb, whatever size the trailer claims', async () => {
    const bomb = Buffer.concat([ELF.subarray(0, 4), Buffer.alloc(8 << 20)]);
    const honest = withSize(zstd(bomb), bomb.length);
    await rejects(
      extract(bzImage({ payload: honest }), 1 << 20),
      /^img@0x640 \(vmlinux\.bin\.zst\): zstd payload declares 8388612 uncompressed bytes, past the limit of 1048576; refusing$/,
    );
    const lying = withSize(zstd(bomb), 4096);
    await rejects(
      extract(bzImage({ payload: lying })),
      /^img@0x640 \(vmlinux\.bin\.zst\): zstd data expands past 4096 bytes; refusing \(the size after the stream declares 4096 bytes\)$/,
    );
    const gz = gzipSync(bomb);
    gz.writeUInt32LE(4096, gz.length - 4);
    await rejects(
      extract(bzImage({ payload: gz })),
      /^img@0x640 \(vmlinux\.bin\.gz\): gzip data expands past 4096 bytes; refusing/,
    );
  });

  it('refuses a payload that is not an ELF, and compressions it cannot decode', {
    skip: needs('bzip2', 'lz4'),
  }, async () => {
    const text = Buffer.from('this is not a kernel\n'.repeat(10));
    await rejects(
      extract(bzImage({ payload: withSize(xz(text), text.length) })),
      /^img@0x640 \(vmlinux\.bin\.xz\): payload decodes to 210 bytes that do not start with the ELF magic 7f 45 4c 46 \(found 74 68 69 73\); not a vmlinux$/,
      AT,
    );
    for (const [name, suffix, payload] of [
      ['lz4', 'lz4', pack('lz4', ['-l', '-c', '-q'], ELF)],
      ['bzip2', 'bz2', pack('bzip2', ['-c'], ELF)],
      ['lzma', 'lzma', pack('xz', ['--format=lzma', '-c'], ELF)],
      ['lzo', 'lzo', Buffer.from([0x89, 0x4c, 0x5a, 0x4f, 0, 0x0d, 0x0a, 0x1a, 0x0a])],
    ] as const) {
      await rejects(
        extract(bzImage({ payload: withSize(payload, ELF.length) })),
        new RegExp(
          `^img@0x640 \\(vmlinux\\.bin\\.${suffix}\\): ${name} payload: no ${name} decompressor available \\(supported: gzip, xz, zstd\\)$`,
        ),
        AT,
      );
    }
    await rejects(
      extract(bzImage({ payload: Buffer.from('PK\x03\x04 zip? no') })),
      /^img@0x640: unknown payload compression: found 50 4b 03 04 20 7a, expected the magic of gzip \(1f 8b\)/,
      AT,
    );
    await rejects(
      extract(bzImage({ payload: Buffer.from([0x1f, 0x8b, 8]) })),
      /^img@0x640: gzip payload of 3 bytes is too short$/,
    );
  });
});
