// Packages and their parts: a .deb (ar, control.tar, data.tar, each compression), an .rpm (lead,
// signature and main headers, cpio payload), a bare tar stream, a bare cpio payload, and the three
// decompressors, whole (decompress) and streamed (decompressStream, as package members are read).
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { decompress, openArtifact } from '../../src/index.js';
import { decompressStream, detectCompression } from '../../src/readers/compression.js';
import { ChunkReader } from '../../src/readers/pkg/chunk-reader.js';
import { cpioFiles } from '../../src/readers/pkg/cpio.js';
import { tarFiles } from '../../src/readers/pkg/tar.js';
import { modules, seedFile } from '../seeds.js';
import type { Target } from '../target.js';
import { type ArchiveEntry, arArchive, cpioArchive, tarArchive } from '../writers.js';

/** The caps the fuzz run holds readers to: well under the 512 MB RSS limit, so a cap must fire first. */
const LIMITS = { maxTotal: 64 * 1024 * 1024, maxFile: 32 * 1024 * 1024 };

async function readPackage(path: string): Promise<void> {
  const source = await openArtifact(path, LIMITS);
  await source.metadata();
  for await (const _ of source.files(() => true));
  await source.symlinks?.();
}

const PKG_WORDS = [
  '!<arch>\n',
  'debian-binary',
  'control.tar.gz',
  'data.tar.xz',
  'data.tar.zst',
  '2.0\n',
  'ustar\0',
  '././@LongLink',
  '\xed\xab\xee\xdb',
  '\x8e\xad\xe8\x01',
  '070701',
  '070702',
  'TRAILER!!!',
  '\xfd7zXZ\0',
  '(\xb5/\xfd',
  '\x1f\x8b',
  'BZh',
];

async function entries(): Promise<ArchiveEntry[]> {
  const ko = (await modules())[0]!;
  return [
    { path: './lib/modules/6.1.0-fuzz/kernel/x.ko', data: ko.subarray(0, 3000) },
    { path: './boot/System.map-6.1.0-fuzz', data: Buffer.from('ffffffff81000000 T _text\n') },
    { path: './lib/modules/6.1.0-fuzz/build', symlink: '/usr/src/linux-headers-6.1.0-fuzz' },
    { path: './usr/share/doc/linux-image/changelog.Debian.gz', data: gzipSync('linux (1) x; urgency=low\n') },
  ];
}

export const deb: Target = {
  name: 'deb',
  about: '.deb packages (openArtifact): ar members, control and data tar in xz, zstd, gzip or none',
  maxLength: 128 * 1024,
  dictionary: PKG_WORDS,
  seeds: async () => {
    const control = tarArchive([{ path: './control', data: Buffer.from('Package: x\nVersion: 1\n') }]);
    const handMade = arArchive([
      { name: 'debian-binary', data: Buffer.from('2.0\n') },
      { name: 'control.tar.gz', data: gzipSync(control) },
      { name: 'data.tar', data: tarArchive(await entries()) },
    ]);
    return [...['xz', 'zstd', 'gzip', 'none', 'bomb-zstd'].map((z) => seedFile(`seed-${z}.deb`)), handMade];
  },
  run: (input, scratch) => readPackage(scratch.file(input, 'fuzz.deb')),
};

export const rpm: Target = {
  name: 'rpm',
  about: '.rpm packages (openArtifact): lead, signature and main header, cpio payload in xz, zstd, gzip',
  maxLength: 128 * 1024,
  dictionary: PKG_WORDS,
  seeds: async () => ['w9.xz', 'w19.zst', 'w9.gz'].map((p) => seedFile(`seed-${p}.rpm`)),
  run: (input, scratch) => readPackage(scratch.file(input, 'fuzz.rpm')),
};

/** `bytes` as a stream of chunks of `size` bytes, as a decompressor hands them on. */
async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield Buffer.from(bytes.subarray(i, i + size));
}

const CTX = { source: 'fuzz.deb', section: 'data.tar', maxFile: LIMITS.maxFile };

export const tar: Target = {
  name: 'tar',
  about: 'tar streams (tarFiles, as data.tar is read): headers, pax and GNU long names, links, end blocks',
  maxLength: 64 * 1024,
  dictionary: PKG_WORDS,
  seeds: async () => {
    const all = await entries();
    return [
      tarArchive(all),
      tarArchive(all.slice(1, 2)),
      tarArchive([{ path: `./${'d/'.repeat(60)}f`, data: Buffer.from('x') }]),
    ];
  },
  run: async (input) => {
    for await (const _ of tarFiles(chunks(input, 1536), () => true, CTX));
  },
};

export const cpio: Target = {
  name: 'cpio',
  about: 'cpio newc payloads (cpioFiles, as an rpm payload is read): headers, names, hard links, trailer',
  maxLength: 64 * 1024,
  dictionary: PKG_WORDS,
  seeds: async () => {
    const all = await entries();
    return [cpioArchive(all), cpioArchive(all.slice(1, 2)), cpioArchive([])];
  },
  run: async (input) => {
    const reader = new ChunkReader(chunks(input, 1000));
    for await (const _ of cpioFiles(reader, () => true, { ...CTX, source: 'fuzz.rpm', section: 'payload' }));
  },
};

const compressionTarget = (name: 'xz' | 'zstd' | 'gzip', seeds: string[]): Target => ({
  name,
  about: `${name} data, whole (decompress) and streamed (decompressStream), output capped at 64 MiB`,
  maxLength: 64 * 1024,
  dictionary: PKG_WORDS,
  seeds: async () => seeds.map(seedFile),
  run: async (input) => {
    await decompress(input, { source: `fuzz.${name}`, maxOutput: LIMITS.maxTotal });
    const stream = decompressStream(chunks(input, 4096), detectCompression(input), {
      source: `fuzz.${name}`,
      section: 'data.tar',
      maxOutput: LIMITS.maxTotal,
    });
    for await (const _ of stream);
  },
});

export const xz = compressionTarget('xz', [
  'seed-crc32.xz',
  'seed-sha256.xz',
  'seed-two-streams.xz',
  'seed-bomb.xz',
]);
/** What a decoding came to: its bytes' length, or its error's class and message. */
async function outcome(run: () => Promise<number>): Promise<string> {
  try {
    return `decoded ${await run()} bytes`;
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

async function streamed(input: Uint8Array, file?: { path: string; start: number; end: number }) {
  let total = 0;
  const stream = decompressStream(chunks(input, 4096), 'xz', {
    source: 'fuzz.xz',
    section: 'data.tar',
    maxOutput: LIMITS.maxTotal,
    inWorker: true,
    file,
  });
  for await (const c of stream) total += c.length;
  return total;
}

/** Several blocks, so that the block-parallel path is reached (xz -T writes such streams). */
function multiBlockSeed(): Uint8Array[] {
  try {
    const text = Buffer.from(Array.from({ length: 4000 }, (_, i) => `sym_${i * 7919}\n`).join(''));
    return [execFileSync('xz', ['-c', '--block-size=8KiB'], { input: text })];
  } catch {
    return []; // no xz tool: the other seeds still reach the pool
  }
}

export const xzThreads: Target = {
  name: 'xz-threads',
  about:
    'xz decoded in the module pool and by blocks in workers (from the file) = decoded on the main thread and by one worker: same bytes or same error',
  maxLength: 64 * 1024,
  dictionary: PKG_WORDS,
  seeds: async () => [
    ...['seed-crc32.xz', 'seed-two-streams.xz', 'seed-bomb.xz'].map(seedFile),
    ...multiBlockSeed(),
  ],
  run: async (input, scratch) => {
    const opts = { source: 'fuzz.xz', maxOutput: LIMITS.maxTotal };
    const main = await outcome(async () => (await decompress(input, opts)).data.length);
    const pool = await outcome(
      async () => (await decompress(input, { ...opts, inWorker: true })).data.length,
    );
    if (pool !== main) throw new Error(`the pool decoded differently: ${pool}; main thread: ${main}`);
    // The stream as a package member, between other bytes.
    const head = Buffer.from('!<arch>\n');
    const path = scratch.file(Buffer.concat([head, input, Buffer.from('\n')]), 'member.xz');
    const file = { path, start: head.length, end: head.length + input.length };
    const one = await outcome(() => streamed(input));
    const blocks = await outcome(() => streamed(input, file));
    if (blocks !== one)
      throw new Error(`the block workers decoded differently: ${blocks}; one worker: ${one}`);
  },
};

export const zstd = compressionTarget('zstd', ['seed.zst', 'seed-check.zst', 'seed-bomb.zst']);
export const gzip = compressionTarget('gzip', ['seed.gz']);
