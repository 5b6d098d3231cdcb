import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ArtifactFormatError, UsageError } from '../../errors.js';
import { collect, readTree, SAMPLE, tempDir, writeTree } from './fixtures.test.js';
import { openArtifact } from './index.js';

const dir = tempDir('dir');

describe('directory trees', () => {
  const root = join(dir, 'modules');
  writeTree(root, SAMPLE);
  // Links that lead out of the tree: reported as links, never followed.
  writeFileSync(join(dir, 'outside.ko'), 'not part of the tree');
  mkdirSync(join(dir, 'elsewhere'));
  writeFileSync(join(dir, 'elsewhere/secret.ko'), 'not part of the tree either');
  symlinkSync('../outside.ko', join(root, 'escape.ko'));
  symlinkSync(join(dir, 'elsewhere'), join(root, 'lib/modules/6.1.0-test/updates'));

  it('reads every file and link of the tree, as the file system holds them', async () => {
    const source = await openArtifact(root);
    assert.equal(source.kind, 'directory');
    assert.equal(source.source, root);
    const got = await collect(source);
    assert.deepEqual(got, readTree(root));
    assert.equal(got.symlinks.get('escape.ko'), '../outside.ko');
    assert.ok(![...got.files.keys()].some((p) => p.includes('secret') || p.includes('outside')));
    assert.deepEqual((await source.metadata()).name, null);
  });

  it('offers every path to wanted, reads only the wanted ones, and lists symlinks', async () => {
    const source = await openArtifact(root);
    const asked: string[] = [];
    const got = await collect(source, (p) => {
      asked.push(p);
      return p.endsWith('.ko');
    });
    assert.deepEqual(
      [...got.files.keys()],
      ['lib/modules/6.1.0-test/kernel/drivers/x.ko', 'lib/modules/6.1.0-test/kernel/fs/y.ko'],
    );
    assert.deepEqual([...got.symlinks.keys()], ['escape.ko']);
    assert.equal(asked.length, 9);
    assert.deepEqual(
      await source.symlinks?.(),
      new Map([
        ['escape.ko', '../outside.ko'],
        ['lib/modules/6.1.0-test/build', '/usr/src/linux-headers-6.1.0-test'],
        ['lib/modules/6.1.0-test/updates', join(dir, 'elsewhere')],
      ]),
    );
  });

  it('opens a tree through a symlink to it (/lib → usr/lib), and gives the same paths', async () => {
    const link = join(dir, 'modules-link');
    symlinkSync(root, link);
    assert.deepEqual(await collect(await openArtifact(link)), readTree(root));
  });

  it('refuses a file over the per-file cap', async () => {
    await assert.rejects(collect(await openArtifact(root, { maxFile: 1000 })), (e: unknown) => {
      assert.ok(e instanceof ArtifactFormatError);
      assert.match(
        e.message,
        /lib\/modules\/6\.1\.0-test\/kernel\/fs\/y\.ko is 70000 bytes, over the per-file limit of 1000$/,
      );
      return true;
    });
  });
});

describe('openArtifact', () => {
  it('goes by content, not name: a text file named .deb is refused, naming what was found', async () => {
    const path = join(dir, 'looks-like.deb');
    writeFileSync(path, 'hello, world');
    await assert.rejects(openArtifact(path), (e: unknown) => {
      assert.ok(e instanceof ArtifactFormatError);
      assert.match(e.message, /looks-like\.deb@0x0: expected a \.deb .* found 68 65 6c 6c 6f 2c 20 77$/);
      return true;
    });
  });

  it('reports a missing path as a usage error', async () => {
    await assert.rejects(openArtifact(join(dir, 'nope')), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /nope: no such file/);
      return true;
    });
  });
});
