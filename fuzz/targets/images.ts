// Kernel images: the x86 bzImage (setup header, payload located and decompressed, ELF checked) and the
// raw images whose export tables are found by scanning (arm64 Image, s390 boot image).
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { xzSync } from 'node-liblzma';
import { extractVmlinux, KabiError, readBzImageHeader } from '../../src/index.js';
import { readRawImage } from '../../src/readers/kernel-image/raw-image.js';
import {
  buildArm64Image,
  buildKsymtabBlob,
  buildS390Image,
  syntheticExports,
} from '../../test/helpers/raw-image-builder.js';
import { FIXTURES, modules, unpacked } from '../seeds.js';
import type { Target } from '../target.js';

const VERSION = '6.1.0-99-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.999-1';

/** A bzImage laid out as arch/x86/boot/tools/build lays one out: setup sectors, then the payload. */
function bzImage(payload: Buffer, setupSects = 2): Buffer {
  const setupEnd = (setupSects + 1) * 512;
  const before = 0x40;
  const img = Buffer.alloc(setupEnd + before + payload.length + 0x20, 0x90);
  img.fill(0, 0, setupEnd);
  img[0x1f1] = setupSects;
  img.writeUInt16LE(0xaa55, 0x1fe);
  img.write('HdrS', 0x202, 'latin1');
  img.writeUInt16LE(0x020f, 0x206);
  img.writeUInt16LE(0x300, 0x20e);
  img.write(`${VERSION}\0`, 0x500, 'latin1');
  img[0x211] = 0x01;
  img.writeUInt32LE(before, 0x248);
  img.writeUInt32LE(payload.length, 0x24c);
  payload.copy(img, setupEnd + before);
  return img;
}

const withSize = (stream: Buffer, size: number) => {
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(size);
  return Buffer.concat([stream, tail]);
};

export const bzimage: Target = {
  name: 'bzimage',
  about: 'x86 bzImage: setup header, payload located, decompressed (gzip, xz, none) and checked as ELF',
  maxLength: 128 * 1024,
  dictionary: ['HdrS', '\x55\xaa', '\x1f\x8b', '\xfd7zXZ\0', '(\xb5/\xfd', '\x7fELF', '\x02\x21\x4c\x18'],
  seeds: async () => {
    const vmlinux = Buffer.from((await modules())[0]!);
    return [
      bzImage(gzipSync(vmlinux)),
      bzImage(withSize(xzSync(vmlinux, { check: 1 }), vmlinux.length)),
      bzImage(vmlinux, 4),
    ];
  },
  run: async (input) => {
    readBzImageHeader(input, { source: 'vmlinuz' });
    // A small cap: the reader must refuse a bomb by its cap, not by running out of memory.
    await extractVmlinux(input, { source: 'vmlinuz', maxOutput: 64 * 1024 * 1024 });
  },
};

/** Runs each reader on the input; typed errors from one do not stop the next. */
async function each(...runs: (() => unknown)[]): Promise<void> {
  for (const run of runs) {
    try {
      await run();
    } catch (e) {
      if (!(e instanceof KabiError)) throw e;
    }
  }
}

export const rawImage: Target = {
  name: 'raw-image',
  about: 'arm64 Image and s390 boot images: export tables found by scanning (readRawImage)',
  maxLength: 256 * 1024,
  dictionary: ['ARM\x64', '\xfd7zXZ\0', '__ksymtab', 'Linux version '],
  seeds: async () => {
    const exports = syntheticExports(40);
    const prel = buildKsymtabBlob(exports, { fields: 'prel32', littleEndian: true });
    const ptr = buildKsymtabBlob(exports, { fields: 'pointer', littleEndian: false, base: 0x100000n });
    const arm64Head = Buffer.from(await unpacked(join(FIXTURES, 'images', 'arm64-6.1.0-57.head.xz')));
    const s390Head = Buffer.from(await unpacked(join(FIXTURES, 'images', 's390x-6.1.0-50.head.xz')));
    return [
      buildArm64Image(prel),
      buildArm64Image(prel, arm64Head),
      buildS390Image(ptr),
      buildS390Image(ptr, s390Head.subarray(0, 512)),
    ];
  },
  run: (input) =>
    each(
      () => readRawImage('arm64-image', input, { source: 'Image' }),
      () => readRawImage('s390-image', input, { source: 'image' }),
    ),
};
