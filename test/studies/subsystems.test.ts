// Subsystems from the kernel's own MAINTAINERS (a trimmed excerpt of Debian's linux-source-6.1), and
// consumed-vs-changed over real Debian 6.1 Module.symvers with real kmods, against an independent count:
// the kmods' imports from kmod's `modprobe --dump-modversions`, the builds' exports split by hand.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathSubsystem, subsystemResolver, UNKNOWN_VMLINUX } from '../../src/analysis/subsystems.js';
import { ArtifactFormatError } from '../../src/errors.js';
import { parseMaintainers } from '../../src/readers/maintainers.js';
import { parseSymbolSources } from '../../src/readers/symbol-sources.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES, loadSymvers } from '../helpers/independent.js';
import { storeFree, testDb } from '../helpers/test-store.js';
import { needs, tool } from '../helpers/tools.js';

const EXCERPT = join(FIXTURES, 'maintainers', 'MAINTAINERS-6.1.excerpt');
const maintainers = parseMaintainers(readFileSync(EXCERPT, 'utf8'), { source: EXCERPT });

describe('MAINTAINERS', { skip: storeFree }, () => {
  it('reads the sections of the real file and their F: and X: patterns', () => {
    assert.deepEqual(
      maintainers.sections.map((s) => s.name),
      [
        'FILESYSTEMS (VFS and infrastructure)',
        'MEDIA INPUT INFRASTRUCTURE (V4L/DVB)',
        'MEMORY MANAGEMENT',
        'MODULE SUPPORT',
        'NETFILTER',
        'NETWORKING [GENERAL]',
        'SLAB ALLOCATOR',
        'VFIO DRIVER',
        'VFIO MEDIATED DEVICE DRIVERS',
        'THE REST',
      ],
    );
    const vfio = maintainers.sections.find((s) => s.name === 'VFIO DRIVER')!;
    assert.ok(vfio.files.includes('drivers/vfio/'));
    const net = maintainers.sections.find((s) => s.name === 'NETWORKING [GENERAL]')!;
    assert.ok(net.files.includes('net/') && net.files.includes('include/linux/netdevice.h'));
    const x = parseMaintainers(
      'Maintainers List\n----------------\n\nA\nF:\tnet/\nX:\tnet/ipv4/\nN:\tvfio\n',
      {
        source: 'm',
      },
    );
    assert.deepEqual(x.sections, [
      { name: 'A', files: ['net/'], excludes: ['net/ipv4/'], names: ['vfio'], line: 4 },
    ]);
    assert.equal(subsystemResolver({ maintainers: x })('f', 'net/ipv4/tcp').subsystem, 'net/ipv4');
    assert.equal(subsystemResolver({ maintainers: x })('f', 'net/core/dev').subsystem, 'A');
    assert.deepEqual(maintainers.sections.at(-1)!.files, ['*', '*/']);
  });

  it('is an error without the list title, naming the file', () => {
    assert.throws(
      () => parseMaintainers('VFIO DRIVER\nF:\tdrivers/vfio/\n', { source: 'x/MAINTAINERS' }),
      (e: unknown) =>
        e instanceof ArtifactFormatError && /x\/MAINTAINERS:1: no "Maintainers List" title/.test(e.message),
    );
  });

  it('attributes a path to its most specific section, as get_maintainer.pl ranks them', () => {
    const of = subsystemResolver({
      maintainers,
      sources: new Map([
        ['kmalloc_trace', 'mm/slab_common.c'],
        ['kfree', 'mm/slub.c'],
        ['filp_open', 'fs/open.c'],
        ['__task_pid_nr_ns', 'kernel/pid.c'],
      ]),
    });
    const cases: [string, string, string, string][] = [
      // module path (Module.symvers' module column), or a vmlinux export by its source file
      ['vfio_register_group_dev', 'drivers/vfio/vfio', 'VFIO DRIVER', 'maintainers'],
      ['mdev_register_device', 'drivers/vfio/mdev/mdev', 'VFIO MEDIATED DEVICE DRIVERS', 'maintainers'],
      [
        'video_ioctl2',
        'drivers/media/v4l2-core/videodev',
        'MEDIA INPUT INFRASTRUCTURE (V4L/DVB)',
        'maintainers',
      ],
      ['xt_register_match', 'net/netfilter/x_tables', 'NETFILTER', 'maintainers'],
      // mm/slab_common.c is SLAB ALLOCATOR's own file: deeper than MEMORY MANAGEMENT's mm/.
      ['kmalloc_trace', 'vmlinux', 'SLAB ALLOCATOR', 'maintainers'],
      ['kfree', 'vmlinux', 'SLAB ALLOCATOR', 'maintainers'],
      ['filp_open', 'vmlinux', 'FILESYSTEMS (VFS and infrastructure)', 'maintainers'],
      // fs/* covers fs/'s own files, not fs/ext4/: the path names it.
      ['jbd2_journal_start', 'fs/jbd2/jbd2', 'fs/jbd2', 'path'],
      // Only THE REST matches kernel/pid.c in this excerpt: never chosen.
      ['__task_pid_nr_ns', 'vmlinux', 'kernel', 'path'],
      ['current_task', 'vmlinux', UNKNOWN_VMLINUX, 'none'],
    ];
    assert.deepEqual(
      cases.map(([sym, mod]) => {
        const a = of(sym, mod);
        return [sym, mod, a.subsystem, a.via];
      }),
      cases,
    );
  });

  it('without MAINTAINERS, the first meaningful directories', () => {
    assert.equal(pathSubsystem('drivers/vfio/vfio.c'), 'vfio');
    assert.equal(pathSubsystem('drivers/gpu/drm/drm.c'), 'gpu/drm');
    assert.equal(pathSubsystem('net/netfilter/x_tables.c'), 'net/netfilter');
    assert.equal(pathSubsystem('lib/zstd/common/entropy_common.c'), 'lib/zstd');
  });

  it('symbol sources: symbol<TAB>file lines; ?? is unknown; a malformed line names its line', () => {
    const m = parseSymbolSources('kfree\tmm/slub.c\nfoo\t??\n', { source: 's.tsv' });
    assert.deepEqual([...m], [['kfree', 'mm/slub.c']]);
    assert.throws(() => parseSymbolSources('kfree mm/slub.c\n', { source: 's.tsv' }), /s\.tsv:1: expected/);
  });
});

const BUILDS: [abi: string, version: string, date: string][] = [
  ['6.1.0-47', '6.1.170-3', '2026-05-08'],
  ['6.1.0-50', '6.1.176-1', '2026-07-02'],
  ['6.1.0-54', '6.1.190-1', '2026-10-16'],
  ['6.1.0-55', '6.1.192-1', '2026-11-14'],
];
const KMODS = join(FIXTURES, 'modules', 'kmods', '6.1.0-47');

describe('kabi series --modules (consumed vs changed)', { skip: needs('modprobe') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-consumed-'));
  const db = testDb(dir, 'k.db');
  const file = (abi: string) => join(FIXTURES, 'debian', `${abi}.symvers.xz`);
  for (const [abi, version, date] of BUILDS) {
    const r = kabi([
      '--db',
      db,
      'ingest',
      '-l',
      'stream=debian-6.1',
      '-l',
      `version=${version}`,
      '-l',
      `date=${date}`,
      file(abi),
    ]);
    assert.equal(r.status, 0, r.stderr);
  }

  it('counts per update equal an independent count from modprobe --dump-modversions', () => {
    const imports = new Map<string, Set<string>>();
    for (const ko of ['acpi_call.ko', 'v4l2loopback.ko']) {
      const out = execFileSync(tool('modprobe'), ['--dump-modversions', join(KMODS, ko)], {
        encoding: 'utf8',
      });
      for (const line of out.split('\n').filter(Boolean)) {
        const sym = line.split('\t')[1]!;
        if (!imports.has(sym)) imports.set(sym, new Set());
        imports.get(sym)!.add(ko);
      }
    }
    const exports = BUILDS.map(([abi]) => loadSymvers(file(abi)));
    const expected = exports.slice(1).map((b, i) => {
      const a = exports[i]!;
      const changed = [...imports.keys()].filter(
        (s) => a.has(s) && (!b.has(s) || b.get(s)!.crc !== a.get(s)!.crc),
      );
      const hit = new Set(changed.flatMap((s) => [...imports.get(s)!]));
      return {
        consumed: [...imports.keys()].filter((s) => a.has(s)).length,
        changed: changed.length,
        modules: hit.size,
      };
    });
    const sources = join(dir, 'sources.tsv');
    writeFileSync(sources, 'kmalloc_trace\tmm/slab_common.c\n');
    const r = kabi([
      '--db',
      db,
      'series',
      'stream=debian-6.1',
      '-m',
      KMODS,
      '--maintainers',
      EXCERPT,
      '--sources',
      sources,
      '-f',
      'json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.modules, 2);
    assert.deepEqual(
      doc.steps.map((s: { consumed: number; changed: number; modules: number }) => ({
        consumed: s.consumed,
        changed: s.changed,
        modules: s.modules,
      })),
      expected,
    );
    const everExported = [...imports.keys()].filter((s) => exports.some((e) => e.has(s)));
    assert.equal(doc.consumed, everExported.length);
    assert.equal(doc.notExported, imports.size - everExported.length);
    // v4l2loopback imports videodev's exports: the media subsystem is hit, and named from MAINTAINERS.
    const media = doc.subsystems.find(
      (s: { subsystem: string }) => s.subsystem === 'MEDIA INPUT INFRASTRUCTURE (V4L/DVB)',
    );
    assert.ok(
      media && media.changes > 0 && media.via === 'maintainers',
      JSON.stringify(doc.subsystems.slice(0, 5)),
    );
    const sum = doc.subsystems.reduce((n: number, s: { changes: number }) => n + s.changes, 0);
    assert.equal(
      sum,
      expected.reduce((n, s) => n + s.changed, 0),
    );
  });
});
