// Properties of the archive readers, on archives built by fuzz/writers.ts: tar and cpio read back the
// files written into them, and every truncation or corrupted byte of one ends in a typed error (or, for
// a byte the format does not check, a reading); a .deb made of them reads back through openArtifact.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { fastTmp } from '../../fuzz/target.js';
import { type ArchiveEntry, arArchive, cpioArchive, tarArchive } from '../../fuzz/writers.js';
import { type ArtifactFile, KabiError, openArtifact } from '../../src/index.js';
import { ChunkReader } from '../../src/readers/pkg/chunk-reader.js';
import { cpioFiles } from '../../src/readers/pkg/cpio.js';
import { tarFiles } from '../../src/readers/pkg/tar.js';

const CTX = { source: 'p.deb', section: 'data.tar', maxFile: 1 << 20 };

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield Buffer.from(bytes.subarray(i, i + size));
}

async function collect(files: AsyncIterable<ArtifactFile>) {
  const out: [string, string][] = [];
  for await (const f of files) out.push([f.path, f.linkTarget ?? f.data.toString('latin1')]);
  return out;
}

const readTar = (bytes: Uint8Array, chunk = 700) => collect(tarFiles(chunks(bytes, chunk), () => true, CTX));
const readCpio = (bytes: Uint8Array, chunk = 700) =>
  collect(cpioFiles(new ChunkReader(chunks(bytes, chunk)), () => true, { ...CTX, section: 'payload' }));

/** Runs a read that may fail; fails the test only on an error that is not a KabiError. */
async function typedOnly(read: () => Promise<unknown>): Promise<'read' | 'refused'> {
  try {
    await read();
    return 'read';
  } catch (e) {
    assert.ok(e instanceof KabiError, `untyped error: ${(e as Error)?.stack ?? String(e)}`);
    return 'refused';
  }
}

const segment = fc.stringMatching(/^[a-z0-9_][a-z0-9_.-]{0,11}$/).filter((s) => s !== '..' && s !== '.');
const entryArb: fc.Arbitrary<ArchiveEntry> = fc.oneof(
  fc.record({
    path: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/')),
    data: fc.uint8Array({ maxLength: 1500 }),
  }),
  fc.record({
    path: fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
    symlink: fc.stringMatching(/^\/?[a-z0-9_/.-]{1,40}$/),
  }),
);
const entriesArb = fc.uniqueArray(entryArb, { selector: (e) => e.path, minLength: 1, maxLength: 6 });

const expected = (entries: ArchiveEntry[]) =>
  entries.map((e) => [e.path, e.symlink ?? Buffer.from(e.data ?? []).toString('latin1')]);

const SMALL: ArchiveEntry[] = [
  { path: 'lib/modules/6.1.0/kernel/x.ko', data: Buffer.from('\x7fELF fake module x'.repeat(40)) },
  { path: 'lib/modules/6.1.0/build', symlink: '/usr/src/linux-headers-6.1.0' },
  { path: 'boot/System.map-6.1.0', data: Buffer.from('ffffffff81000000 T _text\n') },
];

describe('tar (fuzz/writers.ts → tarFiles)', () => {
  it('reads back every file and symlink written, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(entriesArb, fc.integer({ min: 1, max: 2000 }), async (entries, chunk) => {
        assert.deepEqual(await readTar(tarArchive(entries), chunk), expected(entries));
      }),
      { numRuns: 150, seed: 16 },
    );
  });

  it('refuses the archive cut at every offset, with typed errors only', async () => {
    const tar = tarArchive(SMALL);
    for (let at = 0; at < tar.length; at++)
      assert.equal(await typedOnly(() => readTar(tar.subarray(0, at))), 'refused', `cut at ${at}`);
  });

  it('gives a typed error or a reading for any byte corrupted', async () => {
    const tar = tarArchive(SMALL);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: tar.length - 1 }), fc.nat({ max: 255 }), async (at, byte) => {
        const bad = Buffer.from(tar);
        bad[at] = byte;
        await typedOnly(() => readTar(bad));
      }),
      { numRuns: 400, seed: 16 },
    );
  });
});

describe('cpio newc (fuzz/writers.ts → cpioFiles)', () => {
  it('reads back every file and symlink written, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(entriesArb, fc.integer({ min: 1, max: 2000 }), async (entries, chunk) => {
        assert.deepEqual(await readCpio(cpioArchive(entries), chunk), expected(entries));
      }),
      { numRuns: 150, seed: 16 },
    );
  });

  it('refuses the payload cut at every offset, with typed errors only', async () => {
    const cpio = cpioArchive(SMALL);
    for (let at = 0; at < cpio.length; at++)
      assert.equal(await typedOnly(() => readCpio(cpio.subarray(0, at))), 'refused', `cut at ${at}`);
  });

  it('gives a typed error or a reading for any byte corrupted', async () => {
    const cpio = cpioArchive(SMALL);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: cpio.length - 1 }), fc.nat({ max: 255 }), async (at, byte) => {
        const bad = Buffer.from(cpio);
        bad[at] = byte;
        await typedOnly(() => readCpio(bad));
      }),
      { numRuns: 400, seed: 16 },
    );
  });
});

describe('.deb (ar of control.tar.gz and data.tar → openArtifact)', () => {
  const dir = mkdtempSync(join(fastTmp(), 'kabi-fuzz-deb-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const control = tarArchive([
    { path: './control', data: Buffer.from('Package: x\nVersion: 1\nArchitecture: amd64\n') },
  ]);
  const deb = arArchive([
    { name: 'debian-binary', data: Buffer.from('2.0\n') },
    { name: 'control.tar.gz', data: gzipSync(control) },
    { name: 'data.tar', data: tarArchive(SMALL) },
  ]);
  const read = async (bytes: Uint8Array) => {
    const path = join(dir, 'p.deb');
    writeFileSync(path, bytes);
    const source = await openArtifact(path);
    const meta = await source.metadata();
    return { meta, files: await collect(source.files(() => true)) };
  };

  it('reads the package the writers built', async () => {
    const { meta, files } = await read(deb);
    assert.equal(meta.name, 'x');
    assert.deepEqual(files, expected(SMALL));
  });

  it('gives typed errors only when cut or corrupted anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: deb.length - 1 }),
        fc.nat({ max: 255 }),
        fc.boolean(),
        async (at, byte, cut) => {
          const bad = Buffer.from(cut ? deb.subarray(0, at) : deb);
          if (!cut) bad[at] = byte;
          const outcome = await typedOnly(() => read(bad));
          if (cut) assert.equal(outcome, 'refused', `cut at ${at}`);
        },
      ),
      { numRuns: 200, seed: 16 },
    );
  });
});
