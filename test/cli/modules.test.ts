// `kabi modversions` and `kabi modinfo` against kmod's own tools, on real Debian modules.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { drive, type Outcome } from '../helpers/cli-driver.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';
import { needs, tool } from '../helpers/tools.js';

function modules(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? modules(p) : /\.ko(\.xz)?$/.test(n) ? [p] : [];
  });
}

const all = modules(join(FIXTURES, 'modules'));
const FIELDS = ['vermagic', 'license', 'depends', 'import_ns', 'name', 'srcversion'];

// Every module's `kabi modversions` and `kabi modinfo -F` answers, through the CLI's entry in one process
// (helpers/cli-driver.ts): 7 commands per module are otherwise 7 Node starts each.
let answers: Map<string, Outcome> | undefined;
const answer = (args: string[]) => {
  if (!answers) {
    const cases = all.flatMap((m) => [['modversions', m], ...FIELDS.map((f) => ['modinfo', '-F', f, m])]);
    const got = drive('kabi', cases);
    answers = new Map(cases.map((c, i) => [c.join('\0'), got[i]!]));
  }
  const a = answers.get(args.join('\0'))!;
  // The driver keeps bytes as latin1; kmod's tools are read as UTF-8.
  return { ...a, stdout: Buffer.from(a.stdout, 'latin1').toString('utf8') };
};

describe('kabi modversions / modinfo (committed real modules)', () => {
  it('has in-tree 6.1 and 6.12 (.ko.xz) modules and out-of-tree kmods to compare', () => {
    assert.ok(all.some((m) => m.endsWith('.ko.xz')) && all.some((m) => m.includes('kmods')));
  });

  for (const m of all) {
    const name = m.slice(m.indexOf('modules/') + 8);
    it(`modversions of ${name} equals modprobe --dump-modversions`, {
      skip: needs('modprobe'),
    }, () => {
      const r = answer(['modversions', m]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, execFileSync(tool('modprobe'), ['--dump-modversions', m], { encoding: 'utf8' }));
    });
    it(`modinfo -F of ${name} equals kmod's modinfo -F`, {
      skip: needs('modinfo'),
    }, () => {
      for (const field of FIELDS) {
        const want = execFileSync(tool('modinfo'), ['-F', field, m], { encoding: 'utf8' });
        assert.equal(answer(['modinfo', '-F', field, m]).stdout, want, field);
      }
    });
  }

  it('modinfo --format json lists exports with their namespace', () => {
    const m = all.find((p) => p.endsWith('6.1.0-47-amd64/kernel/drivers/dma/idxd/idxd_bus.ko'))!;
    const j = JSON.parse(kabi(['modinfo', '--format', 'json', m]).stdout);
    assert.equal(j.name, 'idxd_bus');
    assert.ok(j.exports.length > 0 && j.exports.every((e: { namespace: string }) => e.namespace === 'IDXD'));
    assert.match(j.exports[0].crc, /^0x[0-9a-f]{8}$/);
  });

  it('reports a file that is not a module (exit 1: the file, what was expected, what it is)', () => {
    const r = kabi(['modversions', join(FIXTURES, 'debian', '6.1.0-54.symvers.xz')]);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /6\.1\.0-54\.symvers\.xz: expected modules: a \.ko file .* found a text file \(xz\)/,
    );
    // modinfo still reads the file as an ELF and says where it stops being one.
    const m = kabi(['modinfo', join(FIXTURES, 'debian', '6.1.0-54.symvers.xz')]);
    assert.equal(m.status, 1);
    assert.match(m.stderr, /6\.1\.0-54\.symvers\.xz@0x0: not an ELF file: expected the magic 7f 45 4c 46/);
  });
});
