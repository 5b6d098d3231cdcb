import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { needs } from '../../../test/helpers/tools.js';
import { ArtifactFormatError } from '../../errors.js';
import { arArchive, buildDeb, collect, dpkgExtract, tempDir } from './fixtures.test.js';
import { type ArtifactOptions, openArtifact } from './index.js';

const skip = needs('dpkg-deb', 'tar');
const dir = tempDir('deb');

/** Opens, reads the metadata and every file: the whole of what a caller can ask for. */
async function readAll(path: string, opts?: ArtifactOptions): Promise<void> {
  const source = await openArtifact(path, opts);
  await source.metadata();
  await collect(source);
}

async function rejects(p: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    if (process.env.SHOW_ERRORS) console.log(String((e as Error).message));
    assert.ok(e instanceof ArtifactFormatError, `expected an ArtifactFormatError, got ${String(e)}`);
    assert.match(e.message, message);
    return true;
  });
}

/** The ar members of a .deb, parsed independently of ar.ts. */
function members(deb: Buffer): { name: string; header: number; data: Buffer }[] {
  const out = [];
  let at = 8;
  while (at < deb.length) {
    const name = deb.toString('latin1', at, at + 16).trim();
    const size = Number(deb.toString('latin1', at + 48, at + 58).trim());
    out.push({ name, header: at, data: deb.subarray(at + 60, at + 60 + size) });
    at += 60 + size + (size % 2);
  }
  return out;
}

function save(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

let plain: ReturnType<typeof members> | undefined;

/** A .deb with the members of a dpkg-deb -Znone build, data.tar replaced. */
function withData(name: string, dataMember: string, data: Buffer): string {
  plain ??= members(readFileSync(buildDeb(dir, 'none')));
  const [binary, control] = plain;
  return save(
    name,
    arArchive([
      [binary!.name, binary!.data],
      [control!.name, control!.data],
      [dataMember, data],
    ]),
  );
}

describe('.deb packages', { skip }, () => {
  for (const compression of ['xz', 'zstd', 'gzip', 'none'] as const) {
    it(`reads what dpkg-deb -x extracts (dpkg-deb -Z${compression})`, async () => {
      const deb = buildDeb(dir, compression);
      const source = await openArtifact(deb);
      assert.equal(source.kind, 'deb');
      const meta = await source.metadata();
      assert.equal(meta.name, 'linux-image-test');
      assert.equal(meta.version, '1:6.1.170-3');
      assert.equal(meta.arch, 'amd64');
      assert.equal(meta.release, null);
      assert.equal(meta.fields.Source, 'linux');
      assert.equal(meta.fields.Description, 'test kernel\n with a continuation line');
      assert.deepEqual(await collect(source), dpkgExtract(deb, dir));
    });
  }

  it('reads only the wanted files, and lists symlinks without reading data', async () => {
    const source = await openArtifact(buildDeb(dir, 'xz'));
    const asked: string[] = [];
    const got = await collect(source, (p) => {
      asked.push(p);
      return p.endsWith('.ko');
    });
    assert.deepEqual([...got.files.keys()].sort(), [
      'lib/modules/6.1.0-test/kernel/drivers/x.ko',
      'lib/modules/6.1.0-test/kernel/fs/y.ko',
    ]);
    assert.ok(asked.includes('lib/modules/6.1.0-test/build'), 'symlinks are offered to wanted');
    assert.ok(!asked.some((p) => p.endsWith('/') || p === ''), 'directories are not offered');
    assert.deepEqual(
      await source.symlinks?.(),
      new Map([['lib/modules/6.1.0-test/build', '/usr/src/linux-headers-6.1.0-test']]),
    );
  });

  it('stops cleanly when the caller stops early, and can be read again', async () => {
    const source = await openArtifact(buildDeb(dir, 'zstd'));
    for await (const f of source.files(() => true)) {
      assert.ok(f.path.length > 0);
      break;
    }
    assert.equal((await collect(source)).files.size, 6);
  });

  it('fails on a package cut at every member and header boundary', async () => {
    const whole = readFileSync(buildDeb(dir, 'xz'));
    const cuts = new Set([0, 4, 7, 8, 30]);
    for (const m of members(whole)) {
      for (const d of [0, 1, 59, 60, 61]) cuts.add(m.header + d);
      for (const d of [m.data.length >> 1, m.data.length - 1, m.data.length]) cuts.add(m.header + 60 + d);
    }
    cuts.delete(whole.length);
    for (const cut of cuts) {
      const path = save(`cut-${cut}.deb`, whole.subarray(0, cut));
      await rejects(readAll(path), /truncated|runs past the end|expected a \.deb/);
    }
    const [, control, data] = members(whole);
    await rejects(
      readAll(save('no-data.deb', whole.subarray(0, data!.header))),
      /no-data\.deb@0x[0-9a-f]+ \(ar archive\): the ar archive ends without a data\.tar member \(truncated\?\)$/,
    );
    await rejects(
      readAll(save('half-data.deb', whole.subarray(0, data!.header + 100))),
      /half-data\.deb@0x[0-9a-f]+ \(data\.tar\.xz\): member data\.tar\.xz holds \d+ bytes but the file ends 40 bytes after its header \(truncated\?\)$/,
    );
    assert.ok(control!.name.startsWith('control.tar'));
    await rejects(readAll(save('empty.deb', Buffer.alloc(0))), /found an empty file$/);
  });

  it('names a wrong magic, a non-Debian ar archive and an unsupported compression', async () => {
    const whole = readFileSync(buildDeb(dir, 'gzip'));
    const bad = Buffer.from(whole);
    bad.write('!<arcX>\n', 0, 'latin1');
    await rejects(
      readAll(save('magic.deb', bad)),
      /magic\.deb@0x0: expected a \.deb \(ar magic "!<arch>\\n"\), an \.rpm \(lead magic ed ab ee db\) or a directory, found 21 3c 61 72 63 58 3e 0a$/,
    );
    const [, control] = members(whole);
    const at = control!.header;
    const edited = (name: string, offset: number, text: string) => {
      const b = Buffer.from(whole);
      b.write(text, at + offset, 'latin1');
      return save(name, b);
    };
    await rejects(
      readAll(edited('arsize.deb', 48, '12x4      ')),
      new RegExp(
        `arsize\\.deb@0x${at.toString(16)} \\(ar member header\\): member "control\\.tar\\.gz": expected a decimal member size, found "12x4"$`,
      ),
    );
    await rejects(
      readAll(edited('arend.deb', 58, 'XX')),
      new RegExp(
        `arend\\.deb@0x${at.toString(16)} \\(ar member header\\): member "control\\.tar\\.gz": expected the ar member header end "\`\\\\n" at byte 58, found 58 58$`,
      ),
    );
    await rejects(
      readAll(edited('arlong.deb', 0, '#1/20           ')),
      /arlong\.deb@0x48 \(ar member header\): member "#1\/20": long ar member names are not used by \.deb; refusing$/,
    );
    const notDeb = arArchive([['hello.o', Buffer.from('x')]]);
    await rejects(
      readAll(save('lib.a', notDeb)),
      /expected the first member to be debian-binary, found "hello\.o"/,
    );
    const bz2 = Buffer.from('BZh91AY&SY', 'latin1'); // a bzip2 stream's start: refused by its magic alone
    await rejects(
      readAll(withData('bz2.deb', 'data.tar.bz2', bz2)),
      /\(data\.tar\.bz2\): bzip2-compressed data is not supported/,
    );
  });

  it('fails on corrupt and on truncated xz inside a whole ar member', async () => {
    const [binary, control, data] = members(readFileSync(buildDeb(dir, 'xz')));
    const corrupt = Buffer.from(data!.data);
    corrupt.fill(0x55, 40, 80);
    const rebuilt = (name: string, d: Buffer) =>
      save(
        name,
        arArchive([
          [binary!.name, binary!.data],
          [control!.name, control!.data],
          [data!.name, d],
        ]),
      );
    await rejects(
      readAll(rebuilt('corrupt.deb', corrupt)),
      /corrupt\.deb \(data\.tar\.xz\): corrupt or truncated xz data/,
    );
    for (const cut of [1, 12, 13, 100, data!.data.length >> 1]) {
      const short = data!.data.subarray(0, data!.data.length - cut);
      await rejects(
        readAll(rebuilt(`xzcut-${cut}.deb`, short)),
        /\(data\.tar\.xz\): (corrupt or )?truncated xz data/,
      );
    }
  });

  it('refuses a decompression bomb and a file over the per-file cap', async () => {
    const tarDir = join(dir, 'bomb');
    execFileSync('mkdir', ['-p', tarDir]);
    writeFileSync(join(tarDir, 'zeros'), Buffer.alloc(4 << 20));
    const tar = execFileSync('tar', ['-c', '-C', tarDir, '.'], { maxBuffer: 1 << 30 });
    const bomb = withData('bomb.deb', 'data.tar.gz', gzipSync(tar));
    await rejects(
      readAll(bomb, { maxTotal: 1 << 20 }),
      /^.*bomb\.deb \(data\.tar\.gz\): gzip data expands past 1048576 bytes; refusing$/,
    );
    await rejects(
      readAll(bomb, { maxFile: 1000 }),
      /\(data\.tar\): zeros is 4194304 bytes, over the per-file limit of 1000$/,
    );
    await readAll(bomb); // within the default caps
  });

  it('fails on a tar cut anywhere inside a valid ar', async () => {
    plain ??= members(readFileSync(buildDeb(dir, 'none')));
    const tar = plain[2]!.data;
    const cuts = new Set<number>();
    for (let at = 0; at < tar.length; at += 512) {
      if (tar.subarray(at, tar.length).every((b) => b === 0)) break; // only end-of-archive zeros follow
      cuts.add(at).add(at + 100);
    }
    const end = [...cuts].reduce((a, b) => Math.max(a, b), 0);
    cuts.add(end + 412).add(end + 412 + 512); // with one end-of-archive block of the two
    for (const cut of cuts) {
      await rejects(
        readAll(withData(`tarcut-${cut}.deb`, 'data.tar', tar.subarray(0, cut))),
        /\(data\.tar\): tar data ends (inside|.* without the end-of-archive blocks)/,
      );
    }
    const junk = Buffer.from(tar);
    junk.fill(0x41, 0, 512);
    await rejects(
      readAll(withData('tarjunk.deb', 'data.tar', junk)),
      /junk\.deb@0x0 \(data\.tar\): tar header of "A{60}…": expected an octal checksum, found "AAAAAAAA"$/,
    );
  });
});
