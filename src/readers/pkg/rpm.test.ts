import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { needs } from '../../../test/helpers/tools.js';
import { ArtifactFormatError } from '../../errors.js';
import { buildRpm, collect, rpmExtract, tempDir } from './fixtures.test.js';
import { openArtifact } from './index.js';

const skip = needs('rpmbuild', 'rpm', 'rpm2archive', 'tar');
const dir = tempDir('rpm');
const built = new Map<string, string>();

/** One rpm per payload setting, built on first use. */
function rpmWith(payload: string): string {
  const path = built.get(payload) ?? buildRpm(dir, payload);
  built.set(payload, path);
  return path;
}

async function readAll(path: string): Promise<void> {
  const source = await openArtifact(path);
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

function save(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Where the parts of an rpm start, worked out here independently of rpm.ts. */
function layout(rpm: Buffer) {
  const sigIndex = rpm.readUInt32BE(96 + 8);
  const sigEnd = 96 + 16 + 16 * sigIndex + rpm.readUInt32BE(96 + 12);
  const main = sigEnd + ((8 - (sigEnd % 8)) % 8);
  const mainIndex = rpm.readUInt32BE(main + 8);
  const payload = main + 16 + 16 * mainIndex + rpm.readUInt32BE(main + 12);
  return { sigIndex, sigEnd, main, mainIndex, payload };
}

const rpmQuery = (rpm: string, what: string) =>
  execFileSync('rpm', ['-qp', what, rpm], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l !== '');

describe('.rpm packages', { skip }, () => {
  for (const payload of ['w9.xzdio', 'w19.zstdio', 'w9.gzdio', 'w.ufdio']) {
    it(`reads what rpm itself reads (payload ${payload})`, async () => {
      const rpm = rpmWith(payload);
      const source = await openArtifact(rpm);
      assert.equal(source.kind, 'rpm');
      const meta = await source.metadata();
      assert.deepEqual(
        [meta.name, meta.version, meta.release, meta.arch],
        ['kernel-test', '6.1.0', '1.test', 'x86_64'],
      );
      assert.deepEqual(meta.provides, rpmQuery(rpm, '--provides'));
      assert.deepEqual(meta.requires, rpmQuery(rpm, '--requires'));
      assert.ok(meta.provides.includes('kernel(foo) = 0x0c2f123f'));
      assert.ok(meta.requires.includes('kmod >= 30'));
      assert.equal(meta.fields.PAYLOADFORMAT, 'cpio');
      const reference = rpmExtract(rpm, dir);
      const got = await collect(source);
      assert.deepEqual(got, reference);
      assert.equal(got.files.get('boot/linked-b')?.toString(), 'same\n', 'hard links carry their data');
      assert.deepEqual(await source.symlinks?.(), reference.symlinks);
    });
  }

  it('reads only the wanted files and stops cleanly when the caller stops', async () => {
    const source = await openArtifact(rpmWith('w9.xzdio'));
    const got = await collect(source, (p) => p.endsWith('.ko'));
    assert.deepEqual([...got.files.keys()].sort(), [
      'lib/modules/6.1.0-test/kernel/drivers/x.ko',
      'lib/modules/6.1.0-test/kernel/drivers/y.ko',
    ]);
    assert.equal(got.files.get('lib/modules/6.1.0-test/kernel/drivers/y.ko')?.length, 70_000);
    for await (const _ of source.files(() => true)) break;
    assert.equal((await collect(source)).files.size, 5);
  });

  it('refuses payloads it cannot decompress, naming the compressor', async () => {
    await rejects(
      readAll(rpmWith('w9.bzdio')),
      /\(payload \(bzip2\)\): bzip2-compressed data is not supported/,
    );
    await rejects(
      readAll(rpmWith('w9.lzdio')),
      /\(payload \(lzma\)\): lzma-compressed data is not supported/,
    );
  });

  it('fails on a package cut at every header and payload boundary', async () => {
    const whole = readFileSync(rpmWith('w9.xzdio'));
    const at = layout(whole);
    const cuts = [
      0,
      3,
      4,
      50,
      95,
      96,
      100,
      111,
      112,
      112 + 8 * at.sigIndex,
      at.sigEnd - 1,
      at.sigEnd,
      at.main,
    ];
    cuts.push(at.main + 8, at.main + 16, at.main + 16 + 16 * at.mainIndex, at.payload - 1, at.payload);
    cuts.push(at.payload + 6, at.payload + 100, (at.payload + whole.length) >> 1, whole.length - 1);
    for (const cut of new Set(cuts)) {
      await rejects(
        readAll(save(`cut-${cut}.rpm`, whole.subarray(0, cut))),
        /truncated|runs past the end|expected a \.deb/,
      );
    }
  });

  it('names corrupt magic, absurd header counts and a corrupt payload', async () => {
    const whole = readFileSync(rpmWith('w9.xzdio'));
    const at = layout(whole);
    const edit = (name: string, change: (b: Buffer) => void) => {
      const b = Buffer.from(whole);
      change(b);
      return save(name, b);
    };
    await rejects(
      readAll(edit('sigmagic.rpm', (b) => b.fill(0, 96, 100))),
      /sigmagic\.rpm@0x60 \(signature header\): expected header magic 8e ad e8 01, found 00 00 00 00$/,
    );
    await rejects(
      readAll(edit('mainmagic.rpm', (b) => b.writeUInt32BE(0x8eade802, at.main))),
      /mainmagic\.rpm@0x[0-9a-f]+ \(header\): expected header magic 8e ad e8 01, found 8e ad e8 02$/,
    );
    await rejects(
      readAll(edit('count.rpm', (b) => b.writeUInt32BE(0x01000000, at.main + 8))),
      /\(header\): header index count 16777216 is absurd \(rpm allows 1 to 65535\)$/,
    );
    await rejects(
      readAll(edit('store.rpm', (b) => b.writeUInt32BE(0xfffffff0, 96 + 12))),
      /\(signature header\): header data size 4294967280 is absurd/,
    );
    await rejects(
      readAll(edit('store2.rpm', (b) => b.writeUInt32BE(0x00ffffff, 96 + 12))),
      /\(signature header\): signature header index and data at offset 112 size \d+ runs past the end/,
    );
    // Index entries (16 bytes each after the 16-byte intro): tag, type, offset, count.
    const entry = (i: number) => at.main + 16 + 16 * i;
    const mainStore = whole.readUInt32BE(at.main + 12);
    await rejects(
      readAll(edit('entry-offset.rpm', (b) => b.writeUInt32BE(0x7fffffff, entry(2) + 8))),
      new RegExp(
        `entry-offset\\.rpm@0x${entry(2).toString(16)} \\(header\\): header index entry for tag \\d+: its data (starts at|spans) 2147483647.* outside the ${mainStore}-byte store$`,
      ),
    );
    const ofType = (type: number) => {
      for (let i = 0; i < at.mainIndex; i++) if (whole.readUInt32BE(entry(i) + 4) === type) return i;
      throw new Error(`no entry of type ${type}`);
    };
    const int32 = ofType(4);
    await rejects(
      readAll(edit('entry-count.rpm', (b) => b.writeUInt32BE(0x00100000, entry(int32) + 12))),
      new RegExp(
        `entry-count\\.rpm@0x${entry(int32).toString(16)} \\(header\\): header index entry for tag \\d+: its data spans \\d+ to \\d+, outside the ${mainStore}-byte store$`,
      ),
    );
    const string = ofType(6);
    await rejects(
      readAll(edit('string-count.rpm', (b) => b.writeUInt32BE(2, entry(string) + 12))),
      /string-count\.rpm@0x[0-9a-f]+ \(header\): header index entry for tag \d+: a STRING with count 2 \(expected 1\)$/,
    );
    const array = ofType(8);
    await rejects(
      readAll(edit('array-count.rpm', (b) => b.writeUInt32BE(0x00100000, entry(array) + 12))),
      /array-count\.rpm@0x[0-9a-f]+ \(header\): header index entry for tag \d+: string \d+ of 1048576 runs past the \d+-byte store$/,
    );
    await rejects(
      readAll(edit('entry-type.rpm', (b) => b.writeUInt32BE(77, entry(1) + 4))),
      new RegExp(
        `@0x${entry(1).toString(16)} \\(header\\): header index entry for tag \\d+: type 77 is not an rpm type`,
      ),
    );
    await rejects(
      readAll(edit('sig-count.rpm', (b) => b.writeUInt32BE(0, 96 + 16 + 12))),
      /sig-count\.rpm@0x70 \(signature header\): header index entry for tag \d+: count 0 is absurd$/,
    );
    await rejects(
      readAll(edit('compressor.rpm', (b) => b.write('JUNK!!', at.payload, 'latin1'))),
      new RegExp(
        `compressor\\.rpm@0x${at.payload.toString(16)} \\(payload\\): payload starts with 4a 55 4e 4b 21 21; expected xz data \\(PAYLOADCOMPRESSOR\\) or cpio$`,
      ),
    );
    await rejects(
      readAll(edit('major.rpm', (b) => b.writeUInt8(9, 4))),
      /major\.rpm@0x4 \(lead\): expected rpm format major version 3 or 4, found 9$/,
    );
    await rejects(
      readAll(edit('lead.rpm', (b) => b.writeUInt16BE(1, 78))),
      /lead\.rpm@0x4e \(lead\): expected signature type 5 \(header-style\), found 1$/,
    );
    await rejects(
      readAll(edit('payload.rpm', (b) => b.fill(0x55, at.payload + 40, at.payload + 80))),
      /payload\.rpm \(payload \(xz\)\): corrupt or truncated xz data/,
    );
  });
});
