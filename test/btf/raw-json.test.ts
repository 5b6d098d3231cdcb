// `kabi btf ARTIFACT --format json`: the raw types as `bpftool btf dump file F -j` writes them (issue 20).
// Offline, against bpftool 7.1's output kept beside the fixtures; where bpftool is on PATH, against bpftool
// itself on every BTF fixture, on the whole vmlinux BTF of Debian 6.1 and 6.12, and on modules' split BTF.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readBtf } from '../../src/readers/btf/btf.js';
import { readKernelBtf, readModuleBtf } from '../../src/readers/btf/kernel-btf.js';
import { extractVmlinux } from '../../src/readers/kernel-image/bzimage.js';
import { btfRawJson } from '../../src/report/btf-raw.js';
import { debianPackage } from '../helpers/debian-packages.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES, unxzBytes } from '../helpers/independent.js';
import { assertMatchesSchema } from '../helpers/json-validate.js';
import { needs, tool } from '../helpers/tools.js';
import { unpackedPackage } from '../helpers/unpacked-package.js';

const tmp = mkdtempSync(join(tmpdir(), 'kabi-btf-json-'));
const BTF_DIR = join(FIXTURES, 'btf');
const rawOf = (name: string) =>
  name.endsWith('.xz') ? unxzBytes(join(BTF_DIR, name)) : readFileSync(join(BTF_DIR, name));
const bpftoolJson = (args: string[]) =>
  execFileSync(tool('bpftool'), ['btf', 'dump', 'file', ...args, '-j'], { maxBuffer: 1 << 30 }).toString();

interface RawType {
  id: number;
  kind: string;
  encoding?: string;
  values?: { name: string; val: number | bigint }[];
}

/**
 * bpftool 7.1 writes an unsigned 32-bit enum value of 2^31 or more sign-extended to 64 bits
 * (0xefffffff as 18446744073441116159); kabi writes the value itself. The types where that is the only
 * difference are counted, and every other type must be equal.
 */
function compareRaw(want: string, got: string): { types: number; signExtended: number; differ: number[] } {
  // Big values are compared as text: read them as strings so 2^64 - 1 stays exact.
  const parse = (s: string) =>
    (JSON.parse(s.replace(/"val":(-?\d{16,})/g, '"val":"$1"')) as { types: RawType[] }).types;
  const a = parse(want);
  const b = parse(got);
  assert.equal(b.length, a.length, 'type count');
  let signExtended = 0;
  const differ: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = JSON.stringify(a[i]);
    if (x === JSON.stringify(b[i])) continue;
    const t = a[i]!;
    if (t.kind === 'ENUM' && t.encoding === 'UNSIGNED') {
      const low32 = {
        ...t,
        values: t.values!.map((v) => ({ ...v, val: Number(BigInt(v.val) & 0xffffffffn) })),
      };
      if (JSON.stringify(low32) === JSON.stringify(b[i])) {
        signExtended++;
        continue;
      }
    }
    differ.push(t.id);
  }
  return { types: a.length, signExtended, differ };
}

describe('BTF as raw JSON, offline', () => {
  for (const [btf, json] of [
    ['dump-rules.btf', 'dump-rules.json'],
    ['6.1.0-47.netdev.btf.xz', '6.1.0-47.netdev.json.xz'],
  ] as const) {
    it(`${btf}: byte for byte what bpftool 7.1 wrote`, () => {
      const got = btfRawJson(readBtf(rawOf(btf), { source: btf }));
      assert.equal(got, rawOf(json).toString());
    });
  }

  it('kabi btf --format json writes the whole dump, or the TYPEs named, valid by its schema', () => {
    const fixture = join(BTF_DIR, '6.1.0-47.netdev.btf.xz');
    const all = kabi(['btf', fixture, '--format', 'json']);
    assert.equal(all.status, 0, all.stderr);
    assert.equal(all.stdout, rawOf('6.1.0-47.netdev.json.xz').toString());
    assertMatchesSchema('btf', all.stdout);
    const one = kabi(['btf', fixture, '-f', 'json', 'struct list_head', 'dev_get_by_name']);
    assert.equal(one.status, 0, one.stderr);
    const types = (JSON.parse(one.stdout) as { types: { kind: string; name: string }[] }).types;
    assert.deepEqual(
      types.map((t) => `${t.kind} ${t.name}`),
      ['STRUCT list_head', 'FUNC dev_get_by_name'],
    );
    const none = kabi(['btf', fixture, '-f', 'json', 'struct no_such_type']);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no type struct no_such_type/);
  });

  it('writes 64-bit enum values past 2^53 exactly, signed and unsigned', () => {
    // ENUM64 (kind 19) `e` { A = 2^64 - 1 } unsigned and { B = -2^63 } signed, on an 8-byte int.
    const strings = Buffer.from('\0e\0A\0f\0B\0');
    const types = Buffer.alloc(2 * 24);
    const enum64 = (at: number, name: number, signed: boolean, valueName: number, lo: number, hi: number) => {
      types.writeUInt32LE(name, at);
      types.writeUInt32LE(((signed ? 0x80000000 : 0) + (19 << 24) + 1) >>> 0, at + 4);
      types.writeUInt32LE(8, at + 8);
      types.writeUInt32LE(valueName, at + 12);
      types.writeUInt32LE(lo, at + 16);
      types.writeUInt32LE(hi, at + 20);
    };
    enum64(0, 1, false, 3, 0xffffffff, 0xffffffff);
    enum64(24, 5, true, 7, 0, 0x80000000);
    const header = Buffer.alloc(24);
    header.writeUInt16LE(0xeb9f, 0);
    header.writeUInt8(1, 2);
    header.writeUInt32LE(24, 4);
    header.writeUInt32LE(0, 8);
    header.writeUInt32LE(types.length, 12);
    header.writeUInt32LE(types.length, 16);
    header.writeUInt32LE(strings.length, 20);
    const got = btfRawJson(readBtf(Buffer.concat([header, types, strings]), { source: 'enum64' }));
    assert.match(got, /"name":"A","val":18446744073709551615\}/);
    assert.match(got, /"name":"B","val":-9223372036854775808\}/);
    assert.match(got, /"kind":"ENUM64","name":"e","encoding":"UNSIGNED","size":8,"vlen":1/);
  });
});

describe('BTF as raw JSON, against bpftool', { skip: needs('bpftool') }, () => {
  for (const name of [
    'dump-rules.btf',
    '6.1.0-47.subset.btf.xz',
    '6.1.0-50.subset.btf.xz',
    '6.1.0-47.netdev.btf.xz',
    '6.1.0-50.netdev.btf.xz',
  ]) {
    it(`${name}: byte for byte what bpftool btf dump -j writes`, () => {
      const raw = join(tmp, name.replace(/\.xz$/, ''));
      writeFileSync(raw, rawOf(name));
      assert.equal(btfRawJson(readBtf(readFileSync(raw), { source: raw })), bpftoolJson([raw]));
    });
  }
});

// The kernels' own vmlinux (from the package's vmlinuz) and modules: bpftool reads the same ELF files.
for (const [pkg, modules] of [
  ['linux-image-6.1.0-47-amd64-unsigned', ['e1000e.ko', 'nf_tables.ko']],
  ['linux-image-6.12.117+deb12-amd64-unsigned', ['e1000e.ko.xz', 'nf_tables.ko.xz']],
] as const) {
  const image = debianPackage(pkg);
  describe(`${pkg}: vmlinux and module BTF as raw JSON`, {
    skip: needs('bpftool', 'dpkg-deb', 'xz') || ('skip' in image ? image.skip : false),
  }, () => {
    it('equals bpftool btf dump -j (vmlinux; modules with -B vmlinux)', async () => {
      // The package unpacked once per run (test/helpers/unpacked-package.ts; shared: only read here).
      const dir = await unpackedPackage('path' in image ? image.path : '');
      const own = mkdtempSync(join(tmp, 'img-'));
      const vmlinuz = execFileSync('find', [dir, '-name', 'vmlinuz-*'], { encoding: 'utf8' }).trim();
      const vmlinux = join(own, 'vmlinux');
      writeFileSync(vmlinux, await extractVmlinux(readFileSync(vmlinuz), { source: vmlinuz }));
      const kernel = await readKernelBtf(vmlinux);
      const whole = compareRaw(bpftoolJson([vmlinux]), btfRawJson(kernel.btf));
      assert.ok(whole.types > 100_000, `${whole.types} types`);
      assert.deepEqual(whole.differ, []);
      // Only enums with a value of 2^31 or more (E820_TYPE_SOFT_RESERVED, PROC_*_INIT_INO) differ.
      assert.ok(whole.signExtended > 0 && whole.signExtended < 40, `${whole.signExtended} sign-extended`);
      for (const m of modules) {
        let ko = execFileSync('find', [dir, '-name', m], { encoding: 'utf8' }).trim();
        if (ko.endsWith('.xz')) {
          const plain = join(own, m.slice(0, -3));
          writeFileSync(plain, execFileSync('xz', ['-dc', ko], { maxBuffer: 1 << 28 }));
          ko = plain;
        }
        const got = btfRawJson(await readModuleBtf(ko, kernel.btf));
        const split = compareRaw(bpftoolJson([ko, '-B', vmlinux]), got);
        assert.ok(split.types > 50, `${m}: ${split.types} types`);
        assert.deepEqual(split.differ, [], m);
      }
    });
  });
}
