// BTF of real Debian kernels: the reader and the C printer checked against bpftool, and `kabi explain`
// checked against the facts of the 6.1.0-47 → -50 update (struct device gained `flags`, task_struct gained
// members) and against the imports of a real kmod, whose changed CRCs are found independently
// (modprobe --dump-modversions against each Module.symvers).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Btf } from '../../src/model/btf.js';
import { cDefinition } from '../../src/model/btf-c.js';
import { readBtf } from '../../src/readers/btf/btf.js';
import { readKernelBtf, readModuleBtf } from '../../src/readers/btf/kernel-btf.js';
import { extractVmlinux } from '../../src/readers/kernel-image/bzimage.js';
import { debianPackage } from '../helpers/debian-packages.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES, loadSymvers, sharedSymversDir, unxzBytes } from '../helpers/independent.js';
import { needs, tool } from '../helpers/tools.js';
import { unpackedPackage } from '../helpers/unpacked-package.js';

const FIX = join(FIXTURES, 'btf');
const tmp = mkdtempSync(join(tmpdir(), 'kabi-btf-'));

/** The fixture, decompressed into a file bpftool can read. */
function fixture(abi: string): { path: string; btf: Btf } {
  const path = join(tmp, `${abi}.btf`);
  if (!existsSync(path)) writeFileSync(path, unxzBytes(join(FIX, `${abi}.subset.btf.xz`)));
  return { path, btf: readBtf(readFileSync(path), { source: path }) };
}

function bpftool(args: string[]): string {
  return execFileSync(tool('bpftool'), args, { encoding: 'utf8', maxBuffer: 1 << 30 });
}

/**
 * Compares every named struct, union and enum with bpftool's C. What libbpf adds and BTF does not say is
 * set aside: its explicit padding (`long: 64;`), attributes, and the `___2` suffixes that tell apart
 * distinct types of one name.
 */
function compareWithBpftool(btf: Btf, file: string): { compared: number; differ: string[] } {
  const header = bpftool(['btf', 'dump', 'file', file, 'format', 'c']);
  const blocks = new Map<string, string>();
  for (const m of header.matchAll(/^(struct|union|enum) (\w+) \{\n[\s\S]*?^\}[^\n]*;$/gm))
    blocks.set(`${m[1]} ${m[2]}`, m[0]);
  const norm = (s: string) =>
    s
      .replace(/___\d+\b/g, '')
      .split('\n')
      .filter((l) => !/^\s*(long|int|short|char): \d+;$/.test(l))
      .join('\n')
      .replace(/ __attribute__\(\(\w+(\(\d+\))?\)\)/g, '')
      .replace(/ \{\n\};$/, ' {};');
  const seen = new Set<string>();
  const differ: string[] = [];
  let compared = 0;
  for (let id = 1; id < btf.count; id++) {
    const t = btf.get(id);
    if (!t.name || (t.kind !== 'struct' && t.kind !== 'union' && t.kind !== 'enum')) continue;
    const key = `${t.kind} ${t.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const theirs = blocks.get(key);
    if (!theirs) continue;
    compared++;
    if (norm(cDefinition(btf, id)) !== norm(theirs)) differ.push(key);
  }
  return { compared, differ };
}

/** Type counts by kind as bpftool's raw dump lists them: `[12] STRUCT 'device' size=744 vlen=...`. */
function bpftoolKinds(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of bpftool(['btf', 'dump', 'file', file]).matchAll(/^\[\d+\] (\w+) /gm))
    counts.set(m[1]!.toLowerCase(), (counts.get(m[1]!.toLowerCase()) ?? 0) + 1);
  return counts;
}

function ourKinds(btf: Btf): Map<string, number> {
  const counts = new Map<string, number>();
  for (let id = btf.firstId; id < btf.count; id++) {
    const k = btf.get(id).kind;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

describe('BTF fixtures of Debian 6.1.0-47 and -50', () => {
  it('has struct device at 744 bytes in -47 and 752 in -50, where it gained `unsigned long flags[1]`', () => {
    const [a, b] = [fixture('6.1.0-47').btf, fixture('6.1.0-50').btf];
    const devA = a.get(a.find('device', 'struct')!);
    const devB = b.get(b.find('device', 'struct')!);
    assert.ok(devA.kind === 'struct' && devB.kind === 'struct');
    assert.equal(devA.size, 0x2e8);
    assert.equal(devB.size, 0x2f0);
    assert.deepEqual(
      devB.members.map((m) => m.name).filter((n) => !devA.members.some((m) => m.name === n)),
      ['flags'],
    );
    assert.match(cDefinition(b, b.find('device', 'struct')!), /\n\tlong unsigned int flags\[1\];\n/);
  });

  it('reads the same types as bpftool and prints the same C', {
    skip: needs('bpftool'),
  }, () => {
    for (const abi of ['6.1.0-47', '6.1.0-50']) {
      const { path, btf } = fixture(abi);
      assert.deepEqual(ourKinds(btf), bpftoolKinds(path), `${abi}: types by kind`);
      const { compared, differ } = compareWithBpftool(btf, path);
      assert.ok(compared > 500, `${abi}: compared ${compared} types`);
      assert.deepEqual(differ, [], `${abi}: types printed differently from bpftool`);
    }
  });
});

const symvers = sharedSymversDir();
const acpiCall = symvers ? join(symvers, '..', 'kmods', '6.1.0-47', 'acpi-call-1.2.2', 'acpi_call.ko') : null;
const noShared =
  !symvers || !acpiCall || !existsSync(acpiCall) ? 'no ../shared/data beside the checkout' : false;

/** acpi_call's imports whose CRC differs between -47 and -50, by modprobe and the plain symvers tables. */
function changedImports(): string[] {
  const imports = execFileSync(tool('modprobe'), ['--dump-modversions', acpiCall!], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.split('\t')[1]!);
  const a = loadSymvers(join(symvers!, '6.1.0-47.symvers.xz'));
  const b = loadSymvers(join(symvers!, '6.1.0-50.symvers.xz'));
  return imports.filter((s) => a.get(s)?.crc !== b.get(s)?.crc).sort();
}

describe('kabi explain on Debian 6.1.0-47 → -50', {
  skip: noShared || needs('modprobe'),
}, () => {
  it("explains each of acpi_call's changed imports, naming struct device and task_struct", () => {
    const changed = changedImports();
    assert.deepEqual(changed, [
      'default_llseek',
      'kmalloc_caches',
      'kmalloc_trace',
      'module_layout',
      'proc_create',
      'remove_proc_entry',
    ]);
    const r = kabi([
      'explain',
      join(symvers!, '6.1.0-47.symvers.xz'),
      join(symvers!, '6.1.0-50.symvers.xz'),
      '--old-btf',
      fixture('6.1.0-47').path,
      '--new-btf',
      fixture('6.1.0-50').path,
      '--modules',
      acpiCall!,
      '--format',
      'json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.crcChanged, changed.length);
    const status = Object.fromEntries(
      out.symbols.map((s: { symbol: string; status: string }) => [s.symbol, s.status]),
    );
    for (const s of changed.filter((x) => x !== 'kmalloc_caches')) assert.equal(status[s], 'explained', s);
    // BTF records no VAR for a global that is not per-CPU: without the headers it cannot say.
    assert.equal(status.kmalloc_caches, 'no-declaration');
    const device = out.roots.find((x: { type: string }) => x.type === 'struct device');
    assert.deepEqual(device.changes.slice(0, 2), [
      { change: 'size', old: 744, new: 752 },
      { change: 'member-added', member: 'flags', offset: 744 * 8, type: 'long unsigned int[1]' },
    ]);
    const task = out.roots.find((x: { type: string }) => x.type === 'struct task_struct');
    assert.ok(
      task.changes.some((c: { change: string }) => c.change === 'member-added'),
      'task_struct gained members',
    );
    for (const s of out.symbols.filter((x: { status: string }) => x.status === 'explained')) {
      for (const root of s.roots) {
        assert.equal(root.path[0], s.symbol);
        assert.equal(root.path.at(-1), root.type);
      }
    }
  });
});

const online = (() => {
  if (noShared) return { skip: noShared };
  const pkgs = [
    'linux-image-6.1.0-47-amd64-unsigned',
    'linux-image-6.1.0-50-amd64-unsigned',
    'linux-headers-6.1.0-47-common',
    'linux-headers-6.1.0-50-common',
  ].map(debianPackage);
  const skip = pkgs.find((p) => 'skip' in p);
  return skip
    ? { skip: (skip as { skip: string }).skip }
    : { paths: pkgs.map((p) => (p as { path: string }).path) };
})();

describe('kabi explain from the linux-image packages', {
  skip: 'skip' in online ? online.skip : false,
}, () => {
  const [img47, img50, hdr47, hdr50] = 'paths' in online ? online.paths! : [];
  // The kernels unpacked (once per run, test/helpers/unpacked-package.ts) where what is explained is the
  // point, not reading the package: test/real-data/explain-store.test.ts runs explain on these packages
  // themselves.
  it('explains every changed import of acpi_call, kmalloc_caches from its header', {
    skip: needs('modprobe', 'dpkg-deb'),
  }, async () => {
    const r = kabi([
      'explain',
      await unpackedPackage(img47!),
      await unpackedPackage(img50!),
      '--old-headers',
      hdr47!,
      '--new-headers',
      hdr50!,
      '--modules',
      acpiCall!,
      '--format',
      'json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.crcChanged, changedImports().length);
    for (const s of out.symbols) assert.equal(s.status, 'explained', s.symbol);
    const caches = out.symbols.find((s: { symbol: string }) => s.symbol === 'kmalloc_caches');
    assert.match(caches.declarationFrom, /include\/linux\/slab\.h/);
    assert.equal(caches.roots[0].path[1], 'struct kmem_cache');
  });

  it('reads the whole vmlinux and a module split BTF as bpftool does', {
    skip: needs('bpftool', 'dpkg-deb'),
  }, async () => {
    const dir = await unpackedPackage(img47!);
    const vmlinuz = join(dir, 'boot', 'vmlinuz-6.1.0-47-amd64');
    const vmlinux = join(mkdtempSync(join(tmp, 'img-')), 'vmlinux');
    writeFileSync(vmlinux, await extractVmlinux(readFileSync(vmlinuz), { source: vmlinuz }));
    const kernel = await readKernelBtf(vmlinux);
    assert.deepEqual(ourKinds(kernel.btf), bpftoolKinds(vmlinux));
    const whole = compareWithBpftool(kernel.btf, vmlinux);
    assert.ok(whole.compared > 8000, `compared ${whole.compared}`);
    assert.deepEqual(whole.differ, []);
    const ko = execFileSync('find', [dir, '-name', 'e1000e.ko'], { encoding: 'utf8' }).trim();
    const mod = await readModuleBtf(ko, kernel.btf);
    const theirs = new Map<string, number>();
    for (const m of bpftool(['btf', 'dump', 'file', ko, '-B', vmlinux]).matchAll(/^\[(\d+)\] (\w+) /gm))
      if (Number(m[1]) >= mod.firstId)
        theirs.set(m[2]!.toLowerCase(), (theirs.get(m[2]!.toLowerCase()) ?? 0) + 1);
    assert.deepEqual(ourKinds(mod), theirs);
    assert.ok(mod.find('e1000_adapter', 'struct')! >= mod.firstId, 'the driver struct is the module own');
  });

  it('gives module exports their declaration from the module BTF', { skip: needs('dpkg-deb') }, async () => {
    const [old, next] = [await unpackedPackage(img47!), await unpackedPackage(img50!)];
    const r = kabi(['explain', old, next, 'snd_pcm_new', 'usb_register_driver', '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const byName = new Map(out.symbols.map((s: { symbol: string }) => [s.symbol, s]));
    for (const name of ['snd_pcm_new', 'usb_register_driver']) {
      const s = byName.get(name) as { status: string; declaration: string; module: string } | undefined;
      assert.ok(s, `${name} changed CRC`);
      assert.notEqual(s.module, 'vmlinux');
      assert.equal(s.status, 'explained', name);
      assert.match(s.declaration, new RegExp(`\\b${name}\\(`));
    }
  });
});
