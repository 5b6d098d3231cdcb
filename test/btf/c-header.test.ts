// `kabi btf ARTIFACT --format c`: one C header, as `bpftool btf dump file F format c` prints it (issue 20).
// Offline, against bpftool 7.1's output kept beside the fixtures; where bpftool is on PATH, against
// bpftool itself on every BTF fixture, and on the whole vmlinux BTF of a Debian kernel package.
// Hostile BTF's headers are timed in test/btf/hostile.test.ts, which runs alone; this file runs with others.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { btfToC } from '../../src/model/btf-dump.js';
import { readBtf } from '../../src/readers/btf/btf.js';
import { readKernelBtf } from '../../src/readers/btf/kernel-btf.js';
import { debianPackage } from '../helpers/debian-packages.js';
import { kabi } from '../helpers/exec.js';
import { HOSTILE_BTF_DIR } from '../helpers/hostile-btf.js';
import { FIXTURES, unxzBytes } from '../helpers/independent.js';
import { needs, tool } from '../helpers/tools.js';
import { unpackedPackage } from '../helpers/unpacked-package.js';

const tmp = mkdtempSync(join(tmpdir(), 'kabi-btf-c-'));
const BTF_DIR = join(FIXTURES, 'btf');
const rawOf = (name: string) =>
  name.endsWith('.xz') ? unxzBytes(join(BTF_DIR, name)) : readFileSync(join(BTF_DIR, name));
const headerOf = (btf: Uint8Array) => btfToC(readBtf(btf, { source: 'x' }));

/** The lines two texts differ in, as `diff -u | grep -c '^[-+]'` counts them (without the file names). */
function differingLines(want: string, got: string): string[] {
  const a = join(tmp, 'want.h');
  const b = join(tmp, 'got.h');
  writeFileSync(a, want);
  writeFileSync(b, got);
  try {
    execFileSync('diff', ['-u', a, b]);
    return [];
  } catch (e) {
    const out = String((e as { stdout: Buffer }).stdout);
    return out.split('\n').filter((l) => /^[-+]/.test(l) && !/^(---|\+\+\+) /.test(l));
  }
}

describe('BTF as a C header, offline', () => {
  it("writes libbpf's rules as bpftool 7.1 did: packing, padding, bitfields, ___N, forward declarations", () => {
    const got = headerOf(rawOf('dump-rules.btf'));
    assert.deepEqual(got.problems, []);
    assert.equal(got.text, readFileSync(join(BTF_DIR, 'dump-rules.h'), 'utf8'));
  });

  it("writes 6.1.0-47's netdev cut (1,920 types) as bpftool did, line for line", () => {
    const got = headerOf(rawOf('6.1.0-47.netdev.btf.xz'));
    assert.deepEqual(got.problems, []);
    const want = unxzBytes(join(BTF_DIR, '6.1.0-47.netdev.h.xz')).toString();
    assert.deepEqual(differingLines(want, got.text), []);
    assert.match(got.text, /\n\} __attribute__\(\(packed\)\);\n/);
  });

  it('kabi btf --format c prints the header, and only what the TYPEs named need', () => {
    const fixture = join(BTF_DIR, '6.1.0-47.netdev.btf.xz');
    const r = kabi(['btf', fixture, '--format', 'c']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, unxzBytes(join(BTF_DIR, '6.1.0-47.netdev.h.xz')).toString());
    const one = kabi(['btf', fixture, '-f', 'c', 'struct list_head']);
    assert.equal(one.status, 0, one.stderr);
    assert.match(
      one.stdout,
      /\n\nstruct list_head \{\n\tstruct list_head \*next;\n\tstruct list_head \*prev;\n\};\n\n#ifndef/,
    );
  });

  it('kabi btf --format c says what it could not write and exits 1', () => {
    const r = kabi(['btf', join(HOSTILE_BTF_DIR, 'anon-tree.btf'), '-f', 'c']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /anon-tree\.btf: output budget spent: anonymous struct \[\d+\] elided/);
    assert.match(r.stdout, /^struct top \{$/m);
  });
});

describe('BTF as a C header, against bpftool', { skip: needs('bpftool') }, () => {
  for (const name of [
    'dump-rules.btf',
    '6.1.0-47.subset.btf.xz',
    '6.1.0-50.subset.btf.xz',
    '6.1.0-47.netdev.btf.xz',
    '6.1.0-50.netdev.btf.xz',
  ]) {
    it(`${name}: 0 lines differ from bpftool btf dump format c`, () => {
      const raw = join(tmp, name.replace(/\.xz$/, ''));
      writeFileSync(raw, rawOf(name));
      const want = execFileSync(tool('bpftool'), ['btf', 'dump', 'file', raw, 'format', 'c'], {
        maxBuffer: 1 << 28,
      }).toString();
      assert.deepEqual(differingLines(want, headerOf(readFileSync(raw)).text), []);
    });
  }
});

// The whole vmlinux BTF (about 100,000 types) of both series, as the package has it (the .BTF bytes
// themselves go to bpftool), and modules' split BTF over it (`bpftool btf dump file M -B vmlinux`: the base's
// types and the module's, as a module's BTF is dumped). From the package unpacked (once per run,
// test/helpers/unpacked-package.ts): what is tested here is the header, and reading the .deb itself would
// decompress all of its modules for two; the packages' BTF is read whole by kfuncs, ingest and bpf-compat.
const MODULES = ['nf_conntrack', 'tcp_bbr'];
for (const pkg of ['linux-image-6.1.0-47-amd64-unsigned', 'linux-image-6.12.117+deb12-amd64-unsigned']) {
  const image = debianPackage(pkg);
  describe(`Debian ${pkg}: vmlinux and module BTF as a C header`, {
    skip: needs('bpftool', 'dpkg-deb') || ('skip' in image ? image.skip : false),
  }, () => {
    it('0 lines differ from bpftool btf dump format c, for vmlinux and for modules', async () => {
      const k = await readKernelBtf(await unpackedPackage('path' in image ? image.path : ''), {
        modules: (m) => MODULES.includes(m),
        raw: true,
      });
      const base = join(tmp, `${pkg}.vmlinux.btf`);
      writeFileSync(base, k.raw!);
      const bpftool = (args: string[]) =>
        execFileSync(tool('bpftool'), ['btf', 'dump', 'file', ...args, 'format', 'c'], {
          maxBuffer: 1 << 30,
        }).toString();
      const want = bpftool([base]);
      const got = btfToC(k.btf);
      assert.deepEqual(got.problems, []);
      assert.ok(want.split('\n').length > 100_000);
      assert.deepEqual(differingLines(want, got.text).slice(0, 20), []);
      for (const m of MODULES) {
        const file = join(tmp, `${pkg}.${m}.btf`);
        writeFileSync(file, k.modules.bytes!(m)!);
        const mod = btfToC(k.modules.get(m)!);
        assert.deepEqual(mod.problems, [], m);
        assert.deepEqual(differingLines(bpftool([file, '-B', base]), mod.text).slice(0, 20), [], m);
      }
    });
  });
}
