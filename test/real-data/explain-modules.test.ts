// `kabi explain --modules` on the bundled 6.1.0-47 corpus: for each module, the changed types its imports
// reach, including the structs whose layout moved because they embed `struct device` (744 → 752 bytes in
// 6.1.0-50): `struct net_device` and `struct phy_device`. Checked against an independent walk over the
// BTF records (test/helpers/btf-layouts.ts) and the imports modprobe lists, first on the small netdev
// fixtures, then (when the packages can be had) on the two linux-image packages, unpacked.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import type { Btf } from '../../src/model/btf.js';
import { readBtf } from '../../src/readers/btf/btf.js';
import { readKernelBtf } from '../../src/readers/btf/kernel-btf.js';
import { layoutFollowers, reachedFrom, typeEdges } from '../helpers/btf-layouts.js';
import { debianPackage } from '../helpers/debian-packages.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES, loadSymvers, type Row, sharedSymversDir, unxzBytes } from '../helpers/independent.js';
import { needs, tool } from '../helpers/tools.js';
import { unpackedPackage } from '../helpers/unpacked-package.js';

const symvers = sharedSymversDir();
const corpus = symvers ? join(symvers, '..', 'kmods', '6.1.0-47') : null;
const noShared = symvers ? false : 'no ../shared/data beside the checkout';
const tmp = mkdtempSync(join(tmpdir(), 'kabi-explain-modules-'));

interface Reach {
  type: string;
  kind: string;
  imports: string[];
  path: string[];
}
interface ModuleOut {
  module: string;
  reaches: Reach[];
}

/** Every .ko below a directory and its imports, as `modprobe --dump-modversions` lists them. */
function importsOf(dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ko'));
  for (const f of files) {
    const text = execFileSync(tool('modprobe'), ['--dump-modversions', join(dir, f)], { encoding: 'utf8' });
    const symbols = text
      .trim()
      .split('\n')
      .map((l) => l.split('\t')[1]!);
    out.set(basename(f, '.ko').replace(/-/g, '_'), [...new Set(symbols)].sort());
  }
  return out;
}

/**
 * Independently: per module, each struct whose layout only followed an embedded struct's, and the
 * imports (of those `counted`) whose declaration reaches it.
 */
function expectedLayouts(
  oldBtf: Btf,
  newBtf: Btf,
  modules: Map<string, string[]>,
  counted: (symbol: string) => boolean,
): Map<string, Map<string, string[]>> {
  const btfs = [oldBtf, newBtf];
  const follows = layoutFollowers(oldBtf, newBtf);
  const edges = typeEdges(btfs);
  const reach = new Map<string, Set<string>>();
  const out = new Map<string, Map<string, string[]>>();
  for (const [module, imports] of modules) {
    const byType = new Map<string, string[]>();
    for (const symbol of imports.filter(counted)) {
      if (!reach.has(symbol)) reach.set(symbol, reachedFrom(edges, btfs, symbol));
      for (const type of reach.get(symbol)!)
        if (follows.has(type)) byType.set(type, [...(byType.get(type) ?? []), symbol]);
    }
    out.set(module, byType);
  }
  return out;
}

/** kabi's answer in the same shape: layout reaches, their imports restricted to those `counted`. */
function reportedLayouts(
  modules: ModuleOut[],
  counted: (symbol: string) => boolean,
): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  for (const m of modules) {
    const byType = new Map<string, string[]>();
    for (const r of m.reaches.filter((x) => x.kind === 'layout')) {
      const imports = r.imports.filter(counted);
      if (imports.length) byType.set(r.type, imports);
    }
    out.set(m.module, byType);
  }
  return out;
}

function explainJson(args: string[]): { modules: ModuleOut[] } {
  const r = kabi(['explain', ...args, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Who reaches `type`, sorted. */
const reaching = (layouts: Map<string, Map<string, string[]>>, type: string) =>
  [...layouts]
    .filter(([, t]) => t.has(type))
    .map(([m]) => m)
    .sort();

/** Exported by both kernels (kabi compares only those). */
function exportedByBoth(): (symbol: string) => boolean {
  const a = loadSymvers(join(symvers!, '6.1.0-47.symvers.xz'));
  const b = loadSymvers(join(symvers!, '6.1.0-50.symvers.xz'));
  return (s) => a.has(s) && b.has(s);
}

function fixture(abi: string): { path: string; btf: Btf } {
  const path = join(tmp, `${abi}.netdev.btf`);
  writeFileSync(path, unxzBytes(join(FIXTURES, 'btf', `${abi}.netdev.btf.xz`)));
  return { path, btf: readBtf(readFileSync(path), { source: path }) };
}

describe('kabi explain --modules on the netdev BTF fixtures', { skip: noShared || needs('modprobe') }, () => {
  it('lists the layouts that follow struct device for each netfilter module, as a plain walk finds them', () => {
    const [a, b] = [fixture('6.1.0-47'), fixture('6.1.0-50')];
    const xtables = join(corpus!, 'xtables-addons-3.23');
    const modules = importsOf(xtables);
    const both = exportedByBoth();
    const expected = expectedLayouts(a.btf, b.btf, modules, both);
    assert.deepEqual(
      [...layoutFollowers(a.btf, b.btf)].sort(),
      ['struct mdio_device', 'struct net_device', 'struct phy_device'],
      'the walk finds the three structs around struct device',
    );
    assert.deepEqual(reaching(expected, 'struct net_device'), ['xt_DELUDE', 'xt_ECHO', 'xt_iface']);
    assert.deepEqual(reaching(expected, 'struct phy_device'), ['xt_DELUDE', 'xt_ECHO', 'xt_iface']);

    const out = explainJson([
      join(symvers!, '6.1.0-47.symvers.xz'),
      join(symvers!, '6.1.0-50.symvers.xz'),
      '--old-btf',
      a.path,
      '--new-btf',
      b.path,
      '--modules',
      xtables,
    ]);
    assert.equal(out.modules.length, modules.size);
    assert.deepEqual(reportedLayouts(out.modules, both), expected);
    const iface = out.modules.find((m) => m.module === 'xt_iface')!;
    assert.deepEqual(iface.reaches.find((x) => x.type === 'struct net_device')!.path, [
      'dev_get_by_name',
      'struct net_device',
    ]);
    const device = iface.reaches.find((x) => x.type === 'struct device')!;
    assert.equal(device.kind, 'root', 'struct device itself is the root');
  });
});

const packages = (() => {
  if (noShared) return { skip: noShared };
  const pkgs = ['linux-image-6.1.0-47-amd64-unsigned', 'linux-image-6.1.0-50-amd64-unsigned'].map(
    debianPackage,
  );
  const skip = pkgs.find((p) => 'skip' in p) as { skip: string } | undefined;
  return skip ? { skip: skip.skip } : { paths: pkgs.map((p) => (p as { path: string }).path) };
})();

/** The package's kernel image, as dpkg-deb unpacks it (once per run: test/helpers/unpacked-package.ts). */
async function vmlinuzOf(deb: string): Promise<string> {
  const boot = join(await unpackedPackage(deb), 'boot');
  const [name] = readdirSync(boot).filter((n) => n.startsWith('vmlinuz-'));
  return join(boot, name!);
}

describe('kabi explain --modules on the linux-image packages and the whole 6.1.0-47 corpus', {
  skip: 'skip' in packages ? packages.skip : needs('modprobe', 'dpkg-deb'),
}, () => {
  it('names net_device and phy_device where netfilter modules reach them, as the walk over vmlinux does', async () => {
    const [img47, img50] = 'paths' in packages ? packages.paths! : [];
    const modules = importsOf(corpus!);
    // explain of the packages unpacked (once per run): the walk is the point here, and
    // test/real-data/explain-store.test.ts runs explain on the two .debs themselves.
    const trees = [await unpackedPackage(img47!), await unpackedPackage(img50!)];
    const out = explainJson([trees[0]!, trees[1]!, '--modules', corpus!]);
    assert.equal(out.modules.length, modules.size);
    // The walk reads vmlinux only: compare through the imports vmlinux exports (module exports get their
    // declaration from the exporting module's BTF, which the walk does not read).
    const a = loadSymvers(join(symvers!, '6.1.0-47.symvers.xz'));
    const b = loadSymvers(join(symvers!, '6.1.0-50.symvers.xz'));
    const vmlinux = (s: string) =>
      [a.get(s), b.get(s)].every((r: Row | undefined) => r?.module === 'vmlinux');
    const [k47, k50] = await Promise.all([
      readKernelBtf(await vmlinuzOf(img47!)),
      readKernelBtf(await vmlinuzOf(img50!)),
    ]);
    const expected = expectedLayouts(k47.btf, k50.btf, modules, vmlinux);
    const reported = reportedLayouts(out.modules, vmlinux);
    for (const [module, types] of expected) assert.deepEqual(reported.get(module), types, module);
    for (const name of ['xt_iface', 'xt_DELUDE', 'xt_ECHO']) {
      const m = expected.get(name)!;
      assert.ok(m.has('struct net_device') && m.has('struct phy_device'), name);
    }
    const byName = new Map(out.modules.map((m) => [m.module, m]));
    const path = (module: string, type: string) =>
      byName.get(module)!.reaches.find((x) => x.type === type)!.path;
    assert.deepEqual(path('xt_iface', 'struct net_device'), ['dev_get_by_name', 'struct net_device']);
    assert.deepEqual(path('xt_DELUDE', 'struct net_device'), [
      '__alloc_skb',
      'struct sk_buff',
      'struct net_device',
    ]);
    console.log(
      `  net_device reached by ${reaching(expected, 'struct net_device').length} of ${modules.size} modules, phy_device by ${reaching(expected, 'struct phy_device').length}`,
    );
  });
});
