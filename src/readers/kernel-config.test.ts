import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { ArtifactFormatError } from '../errors.js';
import { formatLoaderLabel, parseLoaderLabel, UNKNOWN_PROFILE } from '../model/loader-profile.js';
import {
  ikconfigOf,
  KERNEL_CONFIG_FILE,
  linuxBanner,
  loaderProfileOf,
  parseKernelConfig,
  vendorOfBanner,
  vermagicOf,
} from './kernel-config.js';

const CONFIG = `#
# Automatically generated file; DO NOT EDIT.
# Linux/x86 6.1.170 Kernel Configuration
#
CONFIG_X86_64=y
CONFIG_SMP=y
CONFIG_PREEMPT_BUILD=y
# CONFIG_PREEMPT is not set
CONFIG_MODULE_UNLOAD=y
CONFIG_MODVERSIONS=y
CONFIG_MODULE_FORCE_LOAD=y
CONFIG_MODULE_SIG=y
# CONFIG_MODULE_SIG_FORCE is not set
CONFIG_MODULE_SIG_HASH="sha256"
CONFIG_EXT4_FS=m
CONFIG_LOG_BUF_SHIFT=18
`;
const config = () => parseKernelConfig(CONFIG, { source: 'config' });
const BANNER =
  'Linux version 6.1.0-47-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.170-3 (2026-05-08)';

describe('kernel configuration', () => {
  it('reads set, module, string, number and not-set options', () => {
    const c = config();
    assert.equal(c.options.get('CONFIG_MODVERSIONS'), 'y');
    assert.equal(c.options.get('CONFIG_EXT4_FS'), 'm');
    assert.equal(c.options.get('CONFIG_MODULE_SIG_HASH'), '"sha256"');
    assert.equal(c.options.get('CONFIG_LOG_BUF_SHIFT'), '18');
    assert.equal(c.options.get('CONFIG_MODULE_SIG_FORCE'), 'n');
  });

  it('refuses what is not a configuration, naming the line', () => {
    assert.throws(
      () => parseKernelConfig('CONFIG_A=y\nmodule_layout 0x1234\n', { source: 'x' }),
      (e: ArtifactFormatError) => e.line === 2 && /expected CONFIG_X=value/.test(e.message),
    );
    assert.throws(() => parseKernelConfig('# just a comment\n', { source: 'x' }), /no CONFIG_ option/);
  });

  it('finds the files packages and trees keep it in', () => {
    for (const p of [
      'boot/config-6.1.0-47-amd64',
      './boot/config-6.12.117+deb12-amd64',
      'lib/modules/5.14.0-362.8.1.el9_3.x86_64/config',
      'usr/src/linux-headers-6.1.0-47-amd64/.config',
    ])
      assert.ok(KERNEL_CONFIG_FILE.test(p), p);
    assert.ok(!KERNEL_CONFIG_FILE.test('usr/src/linux-headers-6.1.0-47-common/scripts/config'));
  });

  it("takes IKCONFIG's gzipped configuration out of a kernel image", () => {
    const image = Buffer.concat([
      Buffer.alloc(100, 7),
      Buffer.from('IKCFG_ST'),
      gzipSync(CONFIG),
      Buffer.from('IKCFG_ED'),
      Buffer.alloc(50),
    ]);
    const c = ikconfigOf(image, { source: 'vmlinux' });
    assert.equal(c?.source, 'vmlinux (IKCONFIG)');
    assert.equal(c?.options.get('CONFIG_MODULE_FORCE_LOAD'), 'y');
    assert.equal(ikconfigOf(Buffer.alloc(1000), { source: 'vmlinux' }), null);
    const corrupt = Buffer.concat([
      Buffer.from('IKCFG_ST\x1f\x8b\x08garbage', 'latin1'),
      Buffer.from('IKCFG_ED'),
    ]);
    assert.throws(() => ikconfigOf(corrupt, { source: 'vmlinux' }), /IKCONFIG's gzip data is corrupt/);
  });

  it("knows Debian's builds by their banner, and skips /proc/version's format string", () => {
    const image = Buffer.from(`xxLinux version %s (%s@%s) (%s) %s\n\0${BANNER}\n\0yy`, 'latin1');
    assert.equal(linuxBanner(image), BANNER);
    assert.equal(vendorOfBanner(BANNER), 'debian');
    assert.equal(vendorOfBanner(BANNER.replace('debian-kernel@lists.debian.org', 'me@laptop')), null);
    assert.equal(linuxBanner(Buffer.from('nothing here')), null);
  });

  it("gives the loader's profile; an option missing from the file is off", () => {
    const p = loaderProfileOf(config(), 'debian');
    assert.deepEqual(
      { ...p, source: null },
      {
        modversions: true,
        forceLoad: true,
        sig: true,
        sigForce: false,
        allowMissingNamespaceImports: false,
        vendor: 'debian',
        source: null,
      },
    );
    assert.deepEqual(loaderProfileOf(null, 'debian'), { ...UNKNOWN_PROFILE, vendor: 'debian' });
  });

  it('keeps the profile in one label and reads it back', () => {
    const p = loaderProfileOf(config(), 'debian');
    const label = formatLoaderLabel(p);
    assert.equal(
      label,
      'MODVERSIONS=y MODULE_FORCE_LOAD=y MODULE_SIG=y MODULE_SIG_FORCE=n MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS=n vendor=debian',
    );
    assert.deepEqual(parseLoaderLabel(label, p.source), p);
    assert.deepEqual(parseLoaderLabel('MODULE_SIG_FORCE=y'), { ...UNKNOWN_PROFILE, sigForce: true });
  });

  it('tells the vermagic from the configuration where nothing else joins it', () => {
    assert.equal(
      vermagicOf(config(), '6.1.0-47-amd64'),
      '6.1.0-47-amd64 SMP preempt mod_unload modversions ',
    );
    const old = parseKernelConfig('CONFIG_X86_64=y\nCONFIG_SMP=y\nCONFIG_PREEMPT=y\n', { source: 'c' });
    assert.equal(vermagicOf(old, '5.10.0-1-amd64'), '5.10.0-1-amd64 SMP preempt ');
    const arm = parseKernelConfig('CONFIG_ARM64=y\nCONFIG_SMP=y\n', { source: 'c' });
    assert.equal(vermagicOf(arm, '6.1.0-47-arm64'), null);
    const randstruct = parseKernelConfig(`${CONFIG}CONFIG_RANDSTRUCT=y\n`, { source: 'c' });
    assert.equal(vermagicOf(randstruct, '6.1.0-47-amd64'), null);
  });
});
