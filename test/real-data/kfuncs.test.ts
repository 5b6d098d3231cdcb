// The kfuncs of real Debian kernels, read from their linux-image packages, against lists derived without
// kabi-tracker from the -dbg packages (test/fixtures/kfuncs/PROVENANCE.md): every kfunc's module, name,
// set, KF_* flags and prototype. Downloads the packages (skips offline).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BPF_OBJECTS, packageVerdicts } from '../helpers/bpf-verdicts.js';
import { debianPackage } from '../helpers/debian-packages.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';
import { testDb } from '../helpers/test-store.js';
import { needs } from '../helpers/tools.js';
import { unpackedPackage } from '../helpers/unpacked-package.js';

interface Expected {
  module: string;
  name: string;
  set: string;
  flags: string;
  prototype: string;
}

interface Got {
  name: string;
  module: string | null;
  flags: string[];
  sets: string[];
  prototype: string;
}

const DIR = join(FIXTURES, 'kfuncs');

/** The derived list: one row per (set, kfunc); `#set` lines name the sets and their flags word. */
function expected(abi: string): {
  rows: Expected[];
  sets: { module: string; name: string; flags: number }[];
} {
  const rows: Expected[] = [];
  const sets: { module: string; name: string; flags: number }[] = [];
  for (const line of readFileSync(join(DIR, `debian-${abi}-amd64.tsv`), 'utf8').split('\n')) {
    if (!line) continue;
    const f = line.split('\t');
    if (f[0] === '#set') sets.push({ module: f[1]!, name: f[2]!, flags: Number(f[3]) });
    else rows.push({ module: f[0]!, name: f[1]!, set: f[2]!, flags: f[3]!, prototype: f[4]! });
  }
  return { rows, sets };
}

/** pfunct writes `struct task_struct * p` and `const int  n`; btf_dump writes `struct task_struct *p`. */
const norm = (proto: string) =>
  proto
    .replace(/\s*\*\s*/g, '*')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * The kfunc sets of the derived list by the kernel's rule (docs/kfuncs.md): with BTF_SET8_KFUNCS anywhere,
 * the flagged sets; else every set8 but an fmodret one. Rows of one function in two sets merge.
 */
function kfuncsOf(
  abi: string,
): Map<string, { module: string; flags: string; sets: string[]; prototype: string }> {
  const { rows, sets } = expected(abi);
  const flagged = sets.some((s) => (s.flags & 1) === 1);
  const isKfuncSet = (module: string, name: string) => {
    const s = sets.find((x) => x.module === module && x.name === name)!;
    return flagged ? (s.flags & 1) === 1 : !name.includes('fmodret');
  };
  const out = new Map<string, { module: string; flags: string; sets: string[]; prototype: string }>();
  for (const r of rows) {
    if (!isKfuncSet(r.module, r.set)) continue;
    const known = out.get(r.name);
    if (known) known.sets.push(r.set);
    else out.set(r.name, { module: r.module, flags: r.flags, sets: [r.set], prototype: r.prototype });
  }
  return out;
}

function run(args: string[]): { method: string; symbolSource: string | null; kfuncs: Got[] } {
  const r = kabi(['kfuncs', '-f', 'json', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function compare(got: Got[], want: ReturnType<typeof kfuncsOf>, withVmlinuxSets: boolean): void {
  const key = (module: string, name: string, flags: string) => `${module} ${name} ${flags}`;
  assert.deepEqual(
    got.map((k) => key(k.module ?? 'vmlinux', k.name, k.flags.join('|') || '0')).sort(),
    [...want].map(([name, w]) => key(w.module, name, w.flags)).sort(),
    'module, name and flags of every kfunc',
  );
  for (const k of got) {
    const w = want.get(k.name)!;
    assert.equal(norm(k.prototype), norm(w.prototype), `prototype of ${k.name}`);
    if (k.module !== null || withVmlinuxSets)
      assert.deepEqual([...k.sets].sort(), [...w.sets].sort(), k.name);
    else assert.deepEqual(k.sets, [], `${k.name}: a scan has no set names`);
  }
}

const ABIS = [
  { abi: '6.1.0-47', pkg: 'linux-image-6.1.0-47-amd64-unsigned' },
  { abi: '6.12.117+deb12', pkg: 'linux-image-6.12.117+deb12-amd64-unsigned' },
];
const packages = ABIS.map((a) => ({ ...a, deb: debianPackage(a.pkg) }));

for (const { abi, deb } of packages) {
  describe(`Debian ${abi}: kfuncs of the linux-image package`, {
    skip: 'skip' in deb ? deb.skip : false,
  }, () => {
    const path = 'path' in deb ? deb.path : '';
    const want = kfuncsOf(abi);

    it('a stripped vmlinuz: its sets found by shape equal the derived list', () => {
      const j = run([path]);
      assert.equal(j.method, 'btf-ids-scan');
      compare(j.kfuncs, want, false);
    });

    // On the package unpacked (once per run, test/helpers/unpacked-package.ts): the test above reads the
    // package itself.
    it('with the System.map of the -dbg package: the same, with set names', {
      skip: needs('dpkg-deb'),
    }, async () => {
      const tree = await unpackedPackage(path);
      const j = run(['--system-map', join(DIR, `System.map-${abi}-amd64.btf_ids`), tree]);
      assert.equal(j.method, 'btf-ids');
      assert.equal(j.symbolSource, 'System.map');
      compare(j.kfuncs, want, true);
    });
  });
}

const [old, next] = packages;
const skipBoth = 'skip' in old!.deb ? old!.deb.skip : 'skip' in next!.deb ? next!.deb.skip : false;

/**
 * Both packages ingested into one store of this file (6.12 first: the series is ordered by version, not by
 * ingest), once for the diff and the series below; each package is read by `kfuncs` above as well.
 */
let stored: Promise<string> | undefined;
const storeOfBoth = () =>
  (stored ??= (async () => {
    const db = testDb(mkdtempSync(join(tmpdir(), 'kabi-kfuncs-series-')));
    for (const p of [next!, old!]) {
      const r = kabi(['--db', db, 'ingest', '-l', 'stream=kfunc-test', 'path' in p.deb ? p.deb.path : '']);
      assert.equal(r.status, 0, r.stderr);
    }
    return db;
  })());

describe('Debian 6.1.0-47 → 6.12.117: kabi diff --kfuncs', { skip: skipBoth }, () => {
  // Of the stored builds: the kfuncs ingest recorded from each package (test/cli/kfuncs.test.ts runs
  // diff --kfuncs on artifacts, and `kfuncs` above reads these packages).
  it('adds and removes what the derived lists differ by; bpf_task_acquire and bpf_cpumask_create are new', async () => {
    const a = kfuncsOf(old!.abi);
    const b = kfuncsOf(next!.abi);
    const db = await storeOfBoth();
    const r = kabi([
      '--db',
      db,
      'diff',
      '--kfuncs',
      '-f',
      'json',
      `release=${old!.abi}`,
      `release=${next!.abi}`,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { changes: { kind: string; name: string }[] };
    const of = (kind: string) =>
      j.changes
        .filter((c) => c.kind === kind)
        .map((c) => c.name)
        .sort();
    assert.deepEqual(of('added'), [...b.keys()].filter((n) => !a.has(n)).sort());
    assert.deepEqual(of('removed'), [...a.keys()].filter((n) => !b.has(n)).sort());
    const flagsChanged = [...a].filter(([n, w]) => b.has(n) && b.get(n)!.flags !== w.flags).map(([n]) => n);
    assert.deepEqual(of('flags-changed'), flagsChanged.sort());
    for (const name of ['bpf_task_acquire', 'bpf_cpumask_create']) {
      assert.ok(b.has(name) && !a.has(name), `the derived lists: ${name} is in 6.12 only`);
      assert.ok(of('added').includes(name));
    }
  });
});

describe('Debian 6.1.0-47 and 6.12.117 ingested: kabi kfuncs --series, bpf-compat --series', {
  skip: skipBoth,
}, () => {
  it('records each build’s kfuncs at ingest; the series step equals the derived difference', async () => {
    const db = await storeOfBoth();
    const r = kabi(['--db', db, 'kfuncs', '--series', 'stream=kfunc-test', '-f', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const a = kfuncsOf(old!.abi);
    const b = kfuncsOf(next!.abi);
    assert.deepEqual(
      j.builds.map((x: { count: number }) => x.count),
      [a.size, b.size],
      'ordered 6.1 first, each with its derived count',
    );
    assert.equal(j.steps[0].summary.added, [...b.keys()].filter((n) => !a.has(n)).length);
    assert.equal(j.steps[0].summary.removed, [...a.keys()].filter((n) => !b.has(n)).length);
    // The stability view, against the derived lists: stable means the same prototype, flags and module.
    const cls = new Map<string, string>(
      j.stability.map((r: { name: string; class: string }) => [r.name, r.class]),
    );
    const named = (c: string) =>
      [...cls]
        .filter(([, k]) => k === c)
        .map(([n]) => n)
        .sort();
    assert.deepEqual(named('removed'), [...a.keys()].filter((n) => !b.has(n)).sort());
    assert.deepEqual(named('added'), [...b.keys()].filter((n) => !a.has(n)).sort());
    const same = [...a].filter(([n, x]) => {
      const y = b.get(n);
      return y && norm(y.prototype) === norm(x.prototype) && y.flags === x.flags && y.module === x.module;
    });
    assert.deepEqual(named('stable'), same.map(([n]) => n).sort());
    assert.ok(
      named('stable').length > 20 && named('prototype-changed').length + named('flags-changed').length > 0,
    );

    // With each kernel's source: the program types. The kernels under qemu (test/fixtures/bpf/
    // qemu-results.json) refused bpf_lookup_system_key from a tracepoint program on 6.1 and took it on 6.12.
    const typed = kabi([
      '--db',
      db,
      'kfuncs',
      '--series',
      'stream=kfunc-test',
      '-f',
      'json',
      '--kernel-source',
      join(FIXTURES, 'kfuncs', 'source', '6.1'),
      join(FIXTURES, 'kfuncs', 'source', '6.12'),
    ]);
    assert.equal(typed.status, 0, typed.stderr);
    const t = JSON.parse(typed.stdout);
    const change = t.steps[0].changes.find(
      (c: { kind: string; name: string }) =>
        c.kind === 'prog-types-changed' && c.name === 'bpf_lookup_system_key',
    );
    assert.ok(change, 'bpf_lookup_system_key: program types changed from 6.1 to 6.12');
    assert.ok(!change.old.progTypes.includes('tracepoint') && change.new.progTypes.includes('tracepoint'));
    const qemu = JSON.parse(readFileSync(join(FIXTURES, 'bpf', 'qemu-results.json'), 'utf8')) as {
      kernel: string;
      answers: { object: string; words: string[] }[];
    }[];
    const refused = (kernel: string) =>
      qemu
        .find((k) => k.kernel === kernel)!
        .answers.find((a) => a.object === 'kfunc_tracepoint.bpf.o')!
        .words.includes('calling kernel function bpf_lookup_system_key is not allowed');
    assert.deepEqual([refused('6.1.0-47-amd64'), refused('6.12.117+deb12-amd64')], [true, false]);
    // Every kfunc of either build has program types, or is an fmodret target (listed but not callable).
    for (const r of t.stability as { name: string; latest: { progTypes: string[] } }[])
      assert.ok(
        r.latest.progTypes.length > 0 || /^bpf_(fentry_test|modify_return_test)/.test(r.name),
        r.name,
      );

    // bpf-compat over the same stored series: the BTF kept at ingest gives the verdicts the packages give
    // (each package's kernel read by the library, with the same kernel sources: the run's memo of
    // test/bpf/bpf-compat-real.test.ts, which reads both packages and holds them to the kernels under qemu).
    const names = ['kfunc_task', 'kfunc_tracepoint', 'state_legacy', 'cgrp_storage'].map((o) => `${o}.bpf.o`);
    const objects = names.map((o) => join(FIXTURES, 'bpf', o));
    const sources = ['6.1', '6.12'].map((v) => join(FIXTURES, 'kfuncs', 'source', v));
    const fromStore = kabi([
      '--db',
      db,
      'bpf-compat',
      ...objects,
      '--series',
      'stream=kfunc-test',
      '-f',
      'json',
      '--kernel-source',
      ...sources,
    ]);
    assert.equal(fromStore.status, 8, fromStore.stderr);
    const fromPackages = await packageVerdicts(
      [old!, next!].map((p) => ('path' in p.deb ? p.deb.path : '')),
      BPF_OBJECTS,
    );
    assert.deepEqual(
      fromPackages.map((k) => k.kernel),
      ['6.1.0-47-amd64', '6.12.117+deb12-amd64'],
    );
    const stored = (
      JSON.parse(fromStore.stdout) as {
        objects: {
          object: string;
          firstFailing: string | null;
          kernels: { loads: boolean; reason: { code: string } | null }[];
        }[];
      }
    ).objects.map((o) => [
      o.object.replace(/.*\//, ''),
      o.firstFailing?.replace(/-amd64$/, '') ?? null,
      o.kernels.map((k) => [k.loads, k.reason?.code ?? null]),
    ]);
    const packaged = names.map((name) => {
      const per = fromPackages.map((k) => k.loads.find((l) => l.object === name)!);
      const first = per.findIndex((v) => !v.loads);
      return [
        name,
        first < 0 ? null : fromPackages[first]!.kernel.replace(/-amd64$/, ''),
        per.map((v) => [v.loads, v.reason]),
      ];
    });
    assert.deepEqual(stored, packaged);
    assert.deepEqual(
      stored.map((v) => v[1]),
      ['6.1.0-47', '6.1.0-47', '6.1.0-47', '6.1.0-47'],
    );
  });
});
