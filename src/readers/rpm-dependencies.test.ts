import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ArtifactFormatError } from '../errors.js';
import {
  looksLikeRpmDependencies,
  parseRpmDependencies,
  rpmProvidesToKernelBuild,
} from './rpm-dependencies.js';

const source = 'provides.txt';

// Shape of `rpm -qp --provides kernel-core-5.14.0-362.8.1.el9_3.x86_64.rpm`: rpm sorts provides, and
// kernel-srpm-macros' kabi.sh / find-provides.ksyms write `kernel(sym) = 0x%08x`. CRCs are illustrative.
const RHEL_CORE = `installonlypkg(kernel)
kernel = 5.14.0-362.8.1.el9_3
kernel(FSE_readNCount) = 0x2d22fc3c
kernel(__alloc_pages) = 0x0c2f123f
kernel(x86-64) = 5.14.0-362.8.1.el9_3
kernel-core = 5.14.0-362.8.1.el9_3
kernel-core(x86-64) = 5.14.0-362.8.1.el9_3
kernel-core-uname-r = 5.14.0-362.8.1.el9_3.x86_64
kernel-drm-nouveau = 16
kernel-uname-r = 5.14.0-362.8.1.el9_3.x86_64
`;

// Shape of `rpm -qp --provides kernel-default-*.rpm` on SLE 15 / openSUSE: `ksym(flavor:sym) = crc`
// in bare hex without leading zeros (`current_task = eb56bb3` is quoted from a zypper error report).
const SUSE_DEFAULT = `kernel-default = 5.14.21-150500.55.19.1
kernel-default(x86-64) = 5.14.21-150500.55.19.1
kernel-uname-r = 5.14.21-150500.55.19-default
kmod(af_packet.ko)
ksym(default:__alloc_skb) = a57f3289
ksym(default:current_task) = eb56bb3
ksym(default:foo) = c2f123f
multiversion(kernel)
`;

// Shape of `rpm -qp --requires kmod-foo.rpm` built with find-requires.ksyms: symbols the kernel exports
// get kernel(), symbols from other kmods get ksym().
const KMOD_REQUIRES = `/bin/sh
kernel >= 5.14.0
kernel(__kmalloc) = 0x8d4ae0d4
ksym(nvidia_p2p_get_pages) = 0x0d0ec5a4
rpmlib(CompressedFileNames) <= 3.0.4-1
rpmlib(PayloadIsZstd) <= 5.4.18-1
`;

function throwsFormat(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ArtifactFormatError, `expected ArtifactFormatError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

describe('parseRpmDependencies', () => {
  test('reads RHEL kernel() provides and skips everything else, including kernel(x86-64)', () => {
    assert.deepEqual(parseRpmDependencies(RHEL_CORE, { source }), [
      { symbol: 'FSE_readNCount', crc: 0x2d22fc3c, kind: 'kernel', flavor: null, line: 3 },
      { symbol: '__alloc_pages', crc: 0x0c2f123f, kind: 'kernel', flavor: null, line: 4 },
    ]);
  });

  test('normalizes SUSE ksym(flavor:sym) CRCs without 0x and leading zeros to u32', () => {
    const syms = parseRpmDependencies(SUSE_DEFAULT, { source });
    assert.deepEqual(
      syms.map((s) => [s.symbol, s.crc, s.kind, s.flavor]),
      [
        ['__alloc_skb', 0xa57f3289, 'ksym', 'default'],
        ['current_task', 0x0eb56bb3, 'ksym', 'default'],
        ['foo', 0x0c2f123f, 'ksym', 'default'],
      ],
    );
  });

  test('reads kmod requires with both kernel() and ksym()', () => {
    const syms = parseRpmDependencies(KMOD_REQUIRES, { source });
    assert.deepEqual(
      syms.map((s) => [s.kind, s.symbol, s.crc]),
      [
        ['kernel', '__kmalloc', 0x8d4ae0d4],
        ['ksym', 'nvidia_p2p_get_pages', 0x0d0ec5a4],
      ],
    );
  });

  test('an unversioned kernel(sym) has crc null', () => {
    assert.equal(parseRpmDependencies('kernel(foo)\n', { source })[0]?.crc, null);
  });

  test('skips RHEL 5 kABI group hashes and SUSE symset hashes', () => {
    const text = `kernel(rhel5_vmlinux_ga) = 78f928da689a93ecf2e044fc0ced6b3eaedf5c19
kernel(default:drivers_scsi) = 1eb44bbc20f0c6b6
kernel(real) = 0x00000001
`;
    assert.deepEqual(
      parseRpmDependencies(text, { source }).map((s) => s.symbol),
      ['real'],
    );
  });

  test('an empty text has no symbols (requires of a kmod without modversions)', () => {
    assert.deepEqual(parseRpmDependencies('', { source }), []);
  });

  test('bad CRC text names file, line and expectation', () => {
    throwsFormat(
      () => parseRpmDependencies('kernel(a) = 0x1\nkernel(b) = 0x2\nkernel(foo) = 0xzz\n', { source }),
      'provides.txt:3: expected a hexadecimal CRC after "=" | kernel(foo) = 0xzz',
    );
  });

  test('a CRC wider than 32 bits is an error', () => {
    throwsFormat(
      () => parseRpmDependencies('ksym(default:foo) = 1ffffffff\n', { source }),
      'provides.txt:1: expected a 32-bit CRC after "=", found 9 hex digits | ksym(default:foo) = 1ffffffff',
    );
    throwsFormat(
      () => parseRpmDependencies('kernel(foo) = 0x0123456789abcdef\n', { source }),
      'provides.txt:1: expected a 32-bit CRC after "=", found 15 hex digits | kernel(foo) = 0x0123456789abcdef',
    );
  });

  test('leading zeros beyond 8 digits still fit a u32', () => {
    assert.equal(parseRpmDependencies('kernel(foo) = 0x000000001\n', { source })[0]?.crc, 1);
  });

  test('truncated lines are errors', () => {
    throwsFormat(
      () => parseRpmDependencies('kernel(foo = 0x1\n', { source }),
      'provides.txt:1: expected ")" closing kernel( | kernel(foo = 0x1',
    );
    throwsFormat(
      () => parseRpmDependencies('kernel(foo) =\n', { source }),
      'provides.txt:1: expected a hexadecimal CRC after "=" | kernel(foo) =',
    );
  });

  test('wrong column count: text after the CRC, or another operator', () => {
    throwsFormat(
      () => parseRpmDependencies('kernel(foo) = 0x1 0x2\n', { source }),
      'provides.txt:1: expected end of line after the CRC, found "0x2" | kernel(foo) = 0x1 0x2',
    );
    throwsFormat(
      () => parseRpmDependencies('kernel(foo) >= 0x1\n', { source }),
      'provides.txt:1: expected "=" after kernel(...), found ">=" | kernel(foo) >= 0x1',
    );
  });

  test('a malformed name inside kernel() is an error', () => {
    throwsFormat(
      () => parseRpmDependencies('ksym(default:\u0002) = 1\n', { source }),
      'provides.txt:1: expected a symbol name inside ksym(...) | ksym(default:\\x02) = 1',
    );
  });

  test('binary garbage with NUL bytes is refused with its line', () => {
    assert.throws(
      () => parseRpmDependencies('kernel(a) = 0x1\n\u007fELF\u0002\u0001\u0001\u0000\u0000\n', { source }),
      (e: unknown) =>
        e instanceof ArtifactFormatError &&
        e.line === 2 &&
        e.message.startsWith('provides.txt:2: binary data (NUL byte), expected RPM dependency text'),
    );
  });
});

describe('rpmProvidesToKernelBuild', () => {
  test('builds exports without module, type or namespace, and labels the release', () => {
    const build = rpmProvidesToKernelBuild(RHEL_CORE, { source });
    assert.equal(build.format, 'rpm-provides');
    assert.deepEqual(build.labels, { release: '5.14.0-362.8.1.el9_3.x86_64' });
    assert.deepEqual(build.exports.get('__alloc_pages'), {
      symbol: '__alloc_pages',
      crc: 0x0c2f123f,
      module: null,
      exportType: null,
      namespace: '',
    });
    assert.equal(build.exports.size, 2);
    assert.deepEqual(build.warnings, []);
  });

  test('labels the SUSE flavour', () => {
    const build = rpmProvidesToKernelBuild(SUSE_DEFAULT, { source });
    assert.deepEqual(build.labels, { flavour: 'default', release: '5.14.21-150500.55.19-default' });
    assert.equal(build.exports.get('foo')?.crc, 0x0c2f123f);
  });

  test('an empty provides list is an error', () => {
    throwsFormat(
      () => rpmProvidesToKernelBuild('', { source }),
      'provides.txt: no kernel(...) symbols found; expected the provides of a kernel package built with CONFIG_MODVERSIONS',
    );
    throwsFormat(
      () => rpmProvidesToKernelBuild('kernel = 5.14.0\nkmod(foo.ko)\n', { source }),
      'provides.txt: no kernel(...) symbols found; expected the provides of a kernel package built with CONFIG_MODVERSIONS',
    );
  });

  test('only RHEL 5 group hashes is an error that says why', () => {
    throwsFormat(
      () =>
        rpmProvidesToKernelBuild('kernel(rhel5_vmlinux_ga) = 78f928da689a93ecf2e044fc0ced6b3eaedf5c19\n', {
          source,
        }),
      'provides.txt: no kernel(...) symbols found; only 1 kABI group hashes (RHEL 5 kernel(rhel5_*) or SUSE symsets), which name no symbols',
    );
  });

  test('identical duplicates (concatenated subpackages) are harmless', () => {
    const build = rpmProvidesToKernelBuild('kernel(foo) = 0x1\nkernel(foo) = 0x00000001\n', { source });
    assert.equal(build.exports.get('foo')?.crc, 1);
    assert.deepEqual(build.warnings, []);
  });

  test('a symbol with two CRCs is an error by default', () => {
    throwsFormat(
      () => rpmProvidesToKernelBuild('kernel(foo) = 0x1\nkernel(bar) = 0x3\nkernel(foo) = 0x2\n', { source }),
      'provides.txt:3: foo is provided twice with different CRCs: 0x00000001 (line 1) and 0x00000002; expected one CRC per symbol (mixed kernel builds?)',
    );
  });

  test('keep-last keeps the last CRC and warns', () => {
    const build = rpmProvidesToKernelBuild('kernel(foo) = 0x1\nkernel(foo) = 0x2\n', {
      source,
      duplicates: 'keep-last',
    });
    assert.equal(build.exports.get('foo')?.crc, 2);
    assert.deepEqual(build.warnings, [
      'provides.txt:2: foo is provided twice with different CRCs: 0x00000001 (line 1) and 0x00000002; kept the last',
    ]);
  });

  test('two SUSE flavours in one input are refused', () => {
    throwsFormat(
      () => rpmProvidesToKernelBuild('ksym(default:foo) = 1\nksym(kvmsmall:foo) = 2\n', { source }),
      'provides.txt: symbols of 2 flavours (default, kvmsmall); expected the provides of one kernel flavour',
    );
  });

  test('group hashes next to symbols are skipped with a warning', () => {
    const build = rpmProvidesToKernelBuild(
      'kernel(default:kernel) = 1eb44bbc20f0c6b6\nksym(default:foo) = 1\n',
      {
        source,
      },
    );
    assert.deepEqual([...build.exports.keys()], ['foo']);
    assert.deepEqual(build.warnings, [
      'provides.txt: skipped 1 kABI group hashes (kernel(group) = <hash>), not symbols',
    ]);
  });
});

describe('looksLikeRpmDependencies', () => {
  test('true for kernel provides and kmod requires', () => {
    assert.equal(looksLikeRpmDependencies(RHEL_CORE), true);
    assert.equal(looksLikeRpmDependencies(SUSE_DEFAULT), true);
    assert.equal(looksLikeRpmDependencies(KMOD_REQUIRES), true);
    assert.equal(looksLikeRpmDependencies(RHEL_CORE.replace(/\n/g, '\r\n')), true);
  });

  test('true when ksym() lines come after many kmod() lines (SUSE sorts kmod before ksym)', () => {
    const kmods = Array.from({ length: 200 }, (_, i) => `kmod(m${i}.ko)`).join('\n');
    assert.equal(looksLikeRpmDependencies(`${kmods}\nksym(default:foo) = c2f123f\n`), true);
  });

  test('false for other formats and for dependency lists without symbols', () => {
    assert.equal(looksLikeRpmDependencies(''), false);
    assert.equal(
      looksLikeRpmDependencies('0x0c2f123f\tgf128mul_4k_bbe\tcrypto/gf128mul\tEXPORT_SYMBOL\t\n'),
      false,
    );
    assert.equal(
      looksLikeRpmDependencies('EXPORT_SYMBOL crypto/gf128mul 0x0c2f123f\tgf128mul_4k_bbe\n'),
      false,
    );
    assert.equal(looksLikeRpmDependencies('kernel = 5.14.0\nkmod(foo.ko)\n'), false);
    assert.equal(looksLikeRpmDependencies('kernel(x86-64) = 5\n'), false);
    assert.equal(looksLikeRpmDependencies('kernel(foo) = 0x1\n\u0000\u0000'), false);
    assert.equal(looksLikeRpmDependencies('Hello world, this is prose.\nkernel(foo) = 0x1\n'), false);
  });
});
