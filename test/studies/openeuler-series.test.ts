// openEuler's kABI references as a series per LTS and arch (scripts/openeuler-series.sh): the counts
// `kabi series` gives for each step (kept, CRC changed, dropped, added) against a second, plain
// computation here (xz -dc, a regex per line, two Maps), and the README's facts asserted on their own.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { kabi } from '../helpers/exec.js';
import { storeFree, testDb } from '../helpers/test-store.js';
import { needs } from '../helpers/tools.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const DATA = join(ROOT, '..', 'shared', 'data', 'openeuler');
const skip = existsSync(DATA)
  ? needs('xz')
  : `no openEuler references at ${DATA} (../shared beside the repo)`;

/** symbol → "crc module type" of a Module.kabi_<arch>: a regex per line, nothing of the project's readers. */
function reference(release: string, arch: string): Map<string, string> {
  const text = execFileSync('xz', ['-dc', join(DATA, `openEuler-${release}`, `Module.kabi_${arch}.xz`)], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^(0x[0-9a-f]+)\t(\S+)\t(\S+)\t(\S+)/i.exec(line);
    if (m) out.set(m[2]!, `${Number.parseInt(m[1]!, 16)} ${m[3]} ${m[4]}`);
  }
  return out;
}

function crcOf(v: string): string {
  return v.split(' ')[0]!;
}

/** kept (same CRC), CRC changed, dropped, added from OLD to NEW. */
function step(a: Map<string, string>, b: Map<string, string>) {
  let kept = 0;
  let crcChanged = 0;
  let dropped = 0;
  for (const [sym, v] of a) {
    const w = b.get(sym);
    if (w === undefined) dropped++;
    else if (crcOf(w) === crcOf(v)) kept++;
    else crcChanged++;
  }
  const added = [...b.keys()].filter((s) => !a.has(s)).length;
  return { old: a.size, new: b.size, kept, crcChanged, dropped, added };
}

const STEPS = [
  ['20.03-LTS-SP1', '20.03-LTS-SP3'],
  ['22.03-LTS', '22.03-LTS-SP1'],
  ['24.03-LTS', '24.03-LTS-SP1'],
] as const;

describe('openEuler kABI references as a series', { skip }, () => {
  it("the README's facts, computed here alone", { skip: storeFree }, () => {
    for (const [arch, n] of [
      ['x86_64', 2777],
      ['aarch64', 2463],
    ] as const) {
      const sp1 = reference('20.03-LTS-SP1', arch);
      const sp3 = reference('20.03-LTS-SP3', arch);
      assert.equal(sp1.size, n);
      assert.deepEqual(
        [...sp1].map(([s, v]) => `${s} ${crcOf(v)}`).sort(),
        [...sp3].map(([s, v]) => `${s} ${crcOf(v)}`).sort(),
      );
    }
    const s = step(reference('24.03-LTS', 'x86_64'), reference('24.03-LTS-SP1', 'x86_64'));
    assert.deepEqual([s.old, s.crcChanged], [1723, 990]);
  });

  it('scripts/openeuler-series.sh: each step of each arch as the plain computation counts it', () => {
    const db = testDb(mkdtempSync(join(tmpdir(), 'kabi-oe-')), 'oe.db');
    const r = spawnSync('sh', [join(ROOT, 'scripts', 'openeuler-series.sh'), DATA, db], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.equal(r.status, 0, r.stderr);
    // 12 references stored: 24.03's repeated lines accepted (--allow-duplicates), none refused.
    assert.equal((r.stdout.match(/^ingested /gm) ?? []).length, 12, r.stdout);
    const rows = r.stdout
      .split('\n')
      .filter((l) => /^\| (x86_64|aarch64) \|/.test(l))
      .map((l) =>
        l
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    const expected: string[][] = [];
    for (const arch of ['x86_64', 'aarch64'])
      for (const [a, b] of STEPS) {
        const s = step(reference(a, arch), reference(b, arch));
        expected.push([arch, a, b, ...[s.old, s.new, s.kept, s.crcChanged, s.dropped, s.added].map(String)]);
      }
    assert.deepEqual(rows, expected);
  });
});

describe('kabi ingest --allow-duplicates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-dup-'));
  const db = testDb(dir, 'k.db');
  const line = '0x1a2b3c4d\tvfio_pin_pages\tdrivers/vfio/vfio\tEXPORT_SYMBOL_GPL\t\n';
  const other = '0x00000001\tiommu_map\tvmlinux\tEXPORT_SYMBOL_GPL\t\n';
  const run = (name: string, text: string, ...args: string[]) => {
    writeFileSync(join(dir, name), text);
    return kabi(['--db', db, 'ingest', ...args, join(dir, name)]);
  };

  it('keeps a line repeated verbatim once, with a warning naming both lines; without the option, an error', () => {
    const refused = run('verbatim', line + other + line);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /verbatim:3: symbol vfio_pin_pages is exported twice \(first on line 1\)/);
    const r = run('verbatim', line + other + line, '--allow-duplicates');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /: 2 exports /);
    assert.match(
      r.stderr,
      /warning: .*verbatim:3: vfio_pin_pages repeated verbatim \(first on line 1\); kept once/,
    );
  });

  it('a symbol listed twice with another CRC stays an error', () => {
    const r = run('conflict', line + line.replace('0x1a2b3c4d', '0x1a2b3c4e'), '--allow-duplicates');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /conflict:2: symbol vfio_pin_pages is exported twice/);
  });
});
