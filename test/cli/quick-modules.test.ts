// The quick entry (src/cli/quick.ts) takes `kabi modversions FILE` and `kabi modinfo [-F FIELD] FILE` before
// the whole CLI loads; whatever it takes must come out as the whole CLI (dist/cli/main.js) writes it, byte
// for byte, with the same exit code, and whatever it declines must reach main.js before a byte is written.
// Every committed module file (real Debian modules, the loader's, the hostile ones) runs through both.
// Each path runs all cases in one process (a driver that calls run() or main() once per case and keeps what
// it writes), so that the comparison costs two processes instead of two per case; a few cases also run as
// real `kabi` processes, to check what the process itself adds (exit code, nothing written at exit).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { DIST_CLI, drive } from '../helpers/cli-driver.js';
import { KABI } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';

function moduleFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? moduleFiles(p) : /\.ko(\.(xz|zst|gz))?$/.test(n) ? [p] : [];
    });
}

const modules = moduleFiles(FIXTURES);
const one = modules.find((m) => m.endsWith('6.1.0-47-amd64/kernel/drivers/dma/idxd/idxd_bus.ko'))!;
const symvers = join(FIXTURES, 'debian', '6.1.0-54.symvers.xz');
const dir = mkdtempSync(join(tmpdir(), 'kabi-quick-modules-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the quick entry: one module file, as main.js answers', () => {
  it('finds the committed module files (in-tree .ko and .ko.xz, loader fixtures, hostile files)', () => {
    assert.ok(modules.length >= 40, `${modules.length} module files`);
    for (const kind of ['.ko.xz', '.ko.zst', 'loader/', 'hostile/'])
      assert.ok(
        modules.some((m) => m.includes(kind)),
        kind,
      );
  });

  it('writes the same bytes and exits with the same code for every module file and option form', () => {
    const perFile = modules.flatMap((m) => [
      ['modversions', m],
      ['modinfo', m],
      ['modinfo', '-F', 'vermagic', m],
      ['modinfo', '--field', 'import_ns', m],
    ]);
    const forms = [
      ['modinfo', `--field=depends`, one],
      ['modinfo', '-f', 'text', '-F', 'name', one],
      ['modinfo', one, '-F', 'srcversion', '--format=text'],
      ['modinfo', '-F', 'license', '-F', 'vermagic', one], // the last of a repeated option wins
      ['modinfo', '-Fname', one], // declined: commander's joined short form
      ['modinfo', '--format', 'json', one], // declined
      ['modinfo', '-F', 'nosuchfield', one],
      ['modversions', '-f', 'markdown', one], // declined
      ['modversions', one, one], // declined: two inputs
      ['modversions', symvers], // not a module: main.js says what it is
      ['modinfo', symvers], // not an ELF
      ['modinfo', join(dir, 'missing.ko')],
      ['modversions', join(dir, 'missing.ko')],
      ['modinfo', FIXTURES], // a directory
      ['modinfo'],
      ['modinfo', '--', one],
      ['modinfo', '--help'],
    ];
    const cases = [...perFile, ...forms];
    const quick = drive('quick', cases);
    const main = drive('main', cases);
    assert.equal(quick.length, main.length);
    let taken = 0;
    cases.forEach((args, i) => {
      const { loaded, ...q } = quick[i]!;
      const { loaded: _, ...m } = main[i]!;
      assert.deepEqual(q, m, args.join(' '));
      if (!loaded) {
        taken++;
        assert.equal(q.status, 0, `quick took ${args.join(' ')} and did not succeed`);
      }
    });
    // Most cases are the quick entry's own (the hostile files and the declined forms are the rest).
    assert.ok(taken > perFile.length / 2, `the quick entry answered ${taken} of ${cases.length} cases`);
    for (const args of [
      ['modinfo', '-Fname', one],
      ['modinfo', '--format', 'json', one],
      ['modversions', symvers],
    ])
      assert.ok(
        quick[cases.findIndex((c) => c.join(' ') === args.join(' '))]!.loaded,
        `declined: ${args.join(' ')}`,
      );
  });

  it('writes the same file with -o', () => {
    const files: Record<string, string[]> = {};
    for (const side of ['quick', 'main'] as const) {
      const out = mkdtempSync(join(dir, `${side}-`));
      const cases = [
        ['modinfo', '-o', join(out, 'modinfo.txt'), one],
        ['modversions', '--output', join(out, 'modversions.txt'), one],
      ];
      for (const { loaded: _, ...o } of drive(side, cases))
        assert.deepEqual(o, { status: 0, stdout: '', stderr: '' });
      files[side] = ['modinfo.txt', 'modversions.txt'].map((f) => readFileSync(join(out, f), 'latin1'));
    }
    assert.deepEqual(files.quick, files.main);
    assert.ok(files.quick!.every((f) => f.length > 0));
  });

  it('as real processes: bin/kabi.js (quick) and main.js give the same stdout, stderr and exit code', () => {
    const viaMain = `process.exitCode = await (await import(${JSON.stringify(pathToFileURL(join(DIST_CLI, 'main.js')).href)})).main(['node', 'kabi', ...process.argv.slice(1)]);`;
    const xz = modules.find((m) => m.endsWith('.ko.xz'))!;
    for (const args of [
      ['modversions', xz],
      ['modinfo', '-F', 'vermagic', xz],
      ['modinfo', one],
      ['modinfo', symvers],
      ['modversions', symvers],
    ]) {
      const env = { ...process.env, NO_COLOR: '1' };
      const q = spawnSync(process.execPath, [KABI, ...args], { env, encoding: 'latin1' });
      const m = spawnSync(process.execPath, ['--input-type=module', '-e', viaMain, ...args], {
        env,
        encoding: 'latin1',
      });
      const pick = (r: typeof q) => ({ status: r.status, stdout: r.stdout, stderr: r.stderr });
      assert.deepEqual(pick(q), pick(m), args.join(' '));
    }
  });
});
