// Issue 16's tar case, from its committed fixture: a broken header inside a .deb's data.tar is reported at
// the offset of that header (0x400) naming its entry (b.ko) and the member, no longer at the block after.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ArtifactFormatError } from '../../src/errors.js';
import { openArtifact } from '../../src/readers/pkg/index.js';

const fixture = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../test/fixtures/hostile/pkg/tar-bad-header.deb',
);

it('a bad tar header in data.tar is named by its entry and its own offset', async () => {
  const source = await openArtifact(fixture);
  assert.equal((await source.metadata()).name, 'linux-image-hostile');
  const seen: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const f of source.files(() => true)) seen.push(f.path);
    })(),
    (e: unknown) => {
      assert.ok(e instanceof ArtifactFormatError, String(e));
      assert.equal(e.offset, 0x400);
      assert.equal(e.section, 'data.tar');
      assert.match(
        e.message,
        /tar-bad-header\.deb@0x400 \(data\.tar\): tar header of "\.\/usr\/lib\/modules\/6\.12\.0-hostile\/kernel\/b\.ko": header checksum 0o0 does not match its bytes \(0o\d+\); corrupt data\?$/,
      );
      return true;
    },
  );
  assert.deepEqual(seen, ['usr/lib/modules/6.12.0-hostile/kernel/a.ko']);
});
