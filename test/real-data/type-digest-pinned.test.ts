// The type digest of a whole kernel package, Debian 6.1.0-47 (vmlinux's BTF and the split BTF of every
// exporting module), pinned to what main made at 5e132c1: ingest keeps these bytes, and making the
// digest faster must not change them (module declarations, their own types, texts shared with vmlinux).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kernelTypeDigest } from '../../src/analysis/explain.js';
import { readKernelArtifact } from '../../src/readers/kernel-artifact.js';
import { debianPackage } from '../helpers/debian-packages.js';
import { digestFingerprint } from '../helpers/digest-fingerprint.js';
import { needs } from '../helpers/tools.js';
import { unpackedPackage } from '../helpers/unpacked-package.js';

const pkg = debianPackage('linux-image-6.1.0-47-amd64-unsigned');

describe('the type digest of linux-image-6.1.0-47-amd64-unsigned', {
  skip: ('skip' in pkg && pkg.skip) || needs('dpkg-deb'),
}, () => {
  it('is the one main made', async () => {
    // The run's unpacked tree: the package read itself is tested elsewhere (ingest, symvers, kfuncs of the .deb).
    const tree = await unpackedPackage((pkg as { path: string }).path);
    const k = await readKernelArtifact(tree, {
      btf: true,
      parseModuleBtf: true,
      lean: true,
    });
    assert.ok(k.btf);
    const d = kernelTypeDigest(k.build, k.btf);
    assert.ok(d);
    assert.equal(d.index.size, 42218);
    assert.equal(d.defs.size, 40692);
    assert.equal(digestFingerprint(d), '5f14a3646dcca2d9706b6d8a500472ed0b0122343c9c015fbc9b3b02cc8d19b1');
  });
});
