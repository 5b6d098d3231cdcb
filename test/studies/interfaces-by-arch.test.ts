// `kabi impact --by-arch`: oEEP-0009's "affected driver modules" per architecture, over Debian
// 6.1.0-47 → 6.1.0-50 for amd64 and arm64, restricted to the document's VFIO, IOMMU and MDEV
// interfaces. A few rows are checked against a second computation: the module's own imports from
// `modprobe --dump-modversions` of the .ko extracted with dpkg-deb, against the new kernel's CRCs in the
// Module.symvers of its linux-headers package (Debian's own table, not kabi's reading of the image).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { type ArchImpactReport, type ImpactByArchJson, impactByArchRenderers } from '../../src/index.js';
import { debianPackage, debianPackageFor } from '../helpers/debian-packages.js';
import { kabi } from '../helpers/exec.js';
import { needs, tool } from '../helpers/tools.js';
import { unpackedPackage } from '../helpers/unpacked-package.js';

// The interfaces oEEP-0009's tables name (seeds/000): VFIO, IOMMU, MDEV.
const OEEP_INTERFACES = `vfio_add_group_dev vfio_del_group_dev vfio_info_add_capability vfio_info_cap_shift
vfio_pin_pages vfio_register_iommu_driver vfio_register_notifier vfio_set_irqs_validate_and_prepare
vfio_unpin_pages vfio_unregister_iommu_driver vfio_unregister_notifier iommu_get_domain_for_dev
iommu_group_add_device iommu_group_alloc iommu_group_get iommu_group_id iommu_group_put
iommu_group_remove_device iommu_iova_to_phys iommu_map iommu_unmap mdev_dev mdev_from_dev
mdev_get_drvdata mdev_parent_dev mdev_register_device mdev_register_driver mdev_set_drvdata
mdev_unregister_device mdev_unregister_driver mdev_uuid`.split(/\s+/);

const dir = mkdtempSync(join(tmpdir(), 'kabi-byarch-'));
const list = join(dir, 'oeep-0009.list');
writeFileSync(list, `${OEEP_INTERFACES.join('\n')}\n`);

const tools = needs('modprobe', 'dpkg-deb', 'tar');
const pkgs = tools
  ? []
  : [
      debianPackage('linux-image-6.1.0-47-amd64-unsigned'),
      debianPackage('linux-image-6.1.0-50-amd64-unsigned'),
      await debianPackageFor('linux-image-6.1.0-47-arm64-unsigned', { suite: 'bookworm', arch: 'arm64' }),
      await debianPackageFor('linux-image-6.1.0-50-arm64-unsigned', { suite: 'bookworm', arch: 'arm64' }),
    ];
// The new kernels' linux-headers: their Module.symvers is the CRC table the check compares against.
const headers = tools
  ? []
  : [
      debianPackage('linux-headers-6.1.0-50-amd64'),
      await debianPackageFor('linux-headers-6.1.0-50-arm64', { suite: 'bookworm', arch: 'arm64' }),
    ];
const skip = tools || [...pkgs, ...headers].map((p) => ('skip' in p ? p.skip : '')).find(Boolean) || false;
const paths = pkgs.map((p) => ('path' in p ? p.path : ''));
const headerPaths = headers.map((p) => ('path' in p ? p.path : ''));

/** symbol → CRC of the Module.symvers in a linux-headers package. */
function crcs(headersPkg: string): Map<string, number> {
  const table = execFileSync(
    'sh',
    ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xO --wildcards "*/Module.symvers"', 'sh', headersPkg],
    { encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  return new Map(
    table
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'))
      .map((f) => [f[1]!, Number.parseInt(f[0]!, 16)] as const),
  );
}

const CHECKED = ['vfio_iommu_type1', 'amdgpu', 'nouveau'];
const unpacked = new Map<string, string>();

/**
 * The .ko files of CHECKED in a package, unpacked once per package (one pass over its data.tar, which
 * tar ends once each has been found: --occurrence; dpkg-deb's complaint about the closed pipe is then
 * no error); amd64's is the whole package unpacked for the run (before()).
 */
function unpackChecked(pkg: string): string {
  let out = unpacked.get(pkg);
  if (out) return out;
  out = join(dir, `pkg${unpacked.size}`);
  execFileSync('sh', [
    '-c',
    'p=$1 o=$2; shift 2; mkdir -p "$o" && dpkg-deb --fsys-tarfile "$p" 2>/dev/null | tar -x -C "$o" --occurrence --wildcards "$@"',
    'sh',
    pkg,
    out,
    ...CHECKED.map((m) => `*/${m}.ko`),
  ]);
  unpacked.set(pkg, out);
  return out;
}

/** The module's imports with the CRCs it was built against: modprobe --dump-modversions of the .ko. */
function modversions(pkg: string, module: string): Map<string, number> {
  const out = unpackChecked(pkg);
  const file = readdirSync(out, { recursive: true, encoding: 'utf8' }).find((p) =>
    p.endsWith(`/${module}.ko`),
  );
  assert.ok(file, `${module}.ko in ${pkg}`);
  const dump = execFileSync(tool('modprobe'), ['--dump-modversions', join(out, file)], { encoding: 'utf8' });
  return new Map(
    dump
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'))
      .map((f) => [f[1]!, Number.parseInt(f[0]!, 16)] as const),
  );
}

describe('kabi impact --by-arch: Debian 6.1.0-47 → 6.1.0-50, amd64 and arm64', { skip }, () => {
  // One run reads the four packages (~28 CPU-s); both tests take its document.
  let doc: ImpactByArchJson;
  before(async () => {
    // amd64 from the packages unpacked (once per run, test/helpers/unpacked-package.ts; other files read
    // those packages whole), arm64 from its packages: both inputs of --by-arch, each read once.
    const amd64 = [await unpackedPackage(paths[0]!), await unpackedPackage(paths[1]!)];
    unpacked.set(paths[0]!, amd64[0]!); // its modules for modprobe, too
    const r = kabi(['impact', '--by-arch', '--only', list, ...amd64, ...paths.slice(2), '-f', 'json']);
    assert.equal(r.status, 0, r.stderr);
    doc = JSON.parse(r.stdout);
  });

  it("each arch's affected modules and the oEEP-0009 interfaces that affect them", () => {
    assert.deepEqual(
      doc.arches.map((a) => a.arch),
      ['x86_64', 'aarch64'],
    );
    for (const a of doc.arches) assert.ok(a.inTree > 3000, `${a.arch}: ${a.inTree} in-tree modules`);
    const newCrcs = headerPaths.map(crcs);
    for (const c of newCrcs) assert.ok(c.size > 20000, `${c.size} exports in Module.symvers`);
    const only = new Set(OEEP_INTERFACES);
    for (const [i, a] of doc.arches.entries()) {
      for (const module of CHECKED) {
        const imports = modversions(paths[2 * i]!, module);
        // Affected by: an interface of the list the module imports whose CRC the new kernel no longer has.
        const want = [...imports]
          .filter(([s, crc]) => only.has(s) && newCrcs[i]!.get(s) !== crc)
          .map(([s]) => s)
          .sort();
        const row = a.impact.affected.find((m) => m.name === module);
        assert.deepEqual(row?.uses.map((u) => u.symbol).sort() ?? [], want, `${a.arch} ${module}`);
        if (module !== 'nouveau' || a.arch === 'x86_64') assert.ok(want.length > 0, `${a.arch} ${module}`);
      }
    }
  });

  it('Markdown in the document shape: one | Name | Affecting Functions | table per arch', () => {
    // The Markdown renderer of `-f markdown`, given what that run found (the JSON carries all it reads):
    // reading the four packages again for another format would double the file's time.
    const reports = doc.arches.map((a) => ({ ...a, report: a.impact })) as unknown as ArchImpactReport[];
    const r = { stdout: impactByArchRenderers.markdown(reports) };
    assert.equal((r.stdout.match(/^\| Name \| Affecting Functions \|$/gm) ?? []).length, 2);
    assert.match(
      r.stdout,
      /\(x86_64\)[\s\S]*\| vfio_iommu_type1 \| iommu_iova_to_phys, iommu_map, iommu_unmap, vfio_register_iommu_driver, vfio_unregister_iommu_driver \|/,
    );
    assert.match(r.stdout, /\(aarch64\)[\s\S]*\| nicvf \| iommu_get_domain_for_dev, iommu_iova_to_phys \|/);
  });
});
