// The decoders load node-liblzma's native binding alone (liblzma-binding.ts), not its ES wrapper: the same
// engine, constants and parseFileIndex, and so the same bytes and the same reasons for a corrupt or cut
// stream as the wrapper's own Unxz engine gives (the independent side here) and xz(1) decodes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { NativeLZMA } from 'node-liblzma';
import * as wrapper from 'node-liblzma';
import { needs } from '../../test/helpers/tools.js';
import { CorruptStreamError, lzmaReason, unxzChunks } from './decoders.js';
import { liblzma, liblzmaDir, liblzmaVersion, liblzmaWhere, newUnxzEngine } from './liblzma-binding.js';

const xz = (b: Buffer) => execFileSync('xz', ['-c'], { input: b });
const text = Buffer.from(
  Array.from(
    { length: 4000 },
    (_, i) => `0x${(i * 2654435761).toString(16).slice(-8)}\tsym_${i}\tvmlinux\tEXPORT_SYMBOL\t\n`,
  ).join(''),
);

async function viaBinding(bytes: Buffer): Promise<Buffer | string> {
  const out: Buffer[] = [];
  try {
    for await (const c of unxzChunks(
      (async function* () {
        yield bytes;
      })(),
      1 << 12,
    ))
      out.push(c);
  } catch (e) {
    assert.ok(e instanceof CorruptStreamError);
    return e.message;
  }
  return Buffer.concat(out);
}

/** The wrapper's own engine (createUnxz's), driven synchronously in one call per state: the reference. */
function viaWrapper(bytes: Buffer): Buffer | string {
  const engine = (wrapper.createUnxz() as unknown as { lzma: NativeLZMA }).lzma;
  const out: Buffer[] = [];
  let src: Buffer | null = bytes;
  let action = wrapper.LZMA_RUN;
  try {
    for (;;) {
      const buf = Buffer.alloc(1 << 12);
      const [ret, availIn, availOut] = engine.codeSync(action, src, 0, src?.length ?? 0, buf, 0);
      if (ret !== wrapper.LZMA_OK && ret !== wrapper.LZMA_STREAM_END) return lzmaReason(wrapper, ret);
      out.push(buf.subarray(0, buf.length - availOut));
      if (ret === wrapper.LZMA_STREAM_END) break;
      src = src ? src.subarray(src.length - availIn) : null;
      if (availOut > 0 && src !== null && src.length === 0) {
        src = null;
        action = wrapper.LZMA_FINISH;
      } else if (availOut > 0 && src === null) return 'the data ends inside an xz stream';
    }
  } finally {
    engine.close();
  }
  return Buffer.concat(out);
}

describe('liblzma-binding: node-liblzma without its ES wrapper', { skip: needs('xz') }, () => {
  it('has the wrapper’s constants', () => {
    const b = liblzma();
    const pairs: [number, number][] = [
      [b.LZMA_OK, wrapper.LZMA_OK],
      [b.LZMA_STREAM_END, wrapper.LZMA_STREAM_END],
      [b.LZMA_RUN, wrapper.LZMA_RUN],
      [b.LZMA_FINISH, wrapper.LZMA_FINISH],
      [b.LZMA_DATA_ERROR, wrapper.LZMA_DATA_ERROR],
      [b.LZMA_FORMAT_ERROR, wrapper.LZMA_FORMAT_ERROR],
      [b.LZMA_BUF_ERROR, wrapper.LZMA_BUF_ERROR],
    ];
    for (const [mine, theirs] of pairs) assert.equal(mine, theirs);
    assert.equal(b.LZMA_FILTER_LZMA2, wrapper.filter.LZMA2);
    assert.equal(b.LZMA_CHECK_NONE, wrapper.check.NONE);
    assert.equal(typeof newUnxzEngine().code, 'function');
  });

  it('decodes as xz(1) does, and fails a corrupt, cut or foreign stream with the wrapper’s reasons', async () => {
    const packed = xz(text);
    assert.ok(((await viaBinding(packed)) as Buffer).equals(text));
    assert.ok((viaWrapper(packed) as Buffer).equals(text));
    const corrupt = Buffer.from(packed);
    corrupt[corrupt.length >> 1]! ^= 0x55;
    const cut = packed.subarray(0, packed.length >> 1);
    const foreign = Buffer.from('not xz at all, only words\n');
    const reasons = [];
    for (const bad of [corrupt, cut, foreign]) {
      const mine = await viaBinding(bad);
      assert.equal(typeof mine, 'string');
      assert.equal(mine, viaWrapper(bad));
      reasons.push(mine);
    }
    assert.deepEqual(reasons, [
      'data is corrupt',
      'the data ends inside an xz stream',
      'not in the .xz format',
    ]);
  });

  it('reads the index as the wrapper does, and refuses a cut file with the same message', () => {
    const packed = xz(text);
    assert.deepEqual(liblzma().parseFileIndex(packed), wrapper.parseFileIndex(packed));
    assert.equal(liblzma().parseFileIndex(packed).uncompressedSize, text.length);
    const cut = packed.subarray(0, packed.length - 7);
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    const mine = message(() => liblzma().parseFileIndex(cut));
    assert.notEqual(mine, 'no error');
    assert.equal(
      mine,
      message(() => wrapper.parseFileIndex(cut)),
    );
  });
});

describe('liblzma-binding: which binary', () => {
  it('loads the package’s prebuilt binary (liblzma ≥ 5.6, the faster LZMA decoder) where it ships one for this platform', (t) => {
    const prebuilt = join(
      liblzmaDir(),
      'prebuilds',
      `${process.platform}-${process.arch}`,
      'node-liblzma.node',
    );
    if (!existsSync(prebuilt))
      return t.skip(`node-liblzma ships no prebuilt binary for ${process.platform}-${process.arch}`);
    assert.equal(liblzmaWhere().file, prebuilt);
    const [major, minor] = liblzmaVersion().split('.').map(Number);
    assert.ok(major! > 5 || (major === 5 && minor! >= 6), `liblzma ${liblzmaVersion()}`);
  });
});
