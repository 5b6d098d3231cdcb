// Nothing judged is never a pass: every command that judges exits 1, naming the input and what it should
// have held, when there is nothing to judge (an empty directory, a meta-package, a query that selects no
// build, a Module.symvers without vmlinux against a kernel). A CI gate must not go green (or red) on
// nothing. Each of these exited 0, 4 or 8 before.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { kabi, type Run } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';
import { storeFree, testDb } from '../helpers/test-store.js';
import { needs } from '../helpers/tools.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'kabi-nothing-'));
const symvers = (abi: string) => join(FIXTURES, 'debian', `${abi}.symvers.xz`);
const ko = (name: string) => join(FIXTURES, 'modules', 'kmods', '6.1.0-47', `${name}.ko`);

/** Exit 1 (an error, not a usage error and never a verdict), and stderr says INPUT: no WHAT. */
function refused(r: Run, input: string, what: RegExp): void {
  assert.equal(r.status, 1, `exit 1, got ${r.status}: ${r.stderr}${r.stdout.slice(0, 300)}`);
  assert.equal(r.stdout, '', 'no report of nothing');
  assert.ok(r.stderr.startsWith(`kabi: ${input}: no `), r.stderr);
  assert.match(r.stderr, what);
  assert.match(r.stderr, /; expected /, 'says what was expected');
  assert.doesNotMatch(r.stderr, /internal error/);
}

describe('nothing to judge: an error naming the input, exit 1', () => {
  const dir = tmp();
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const changes = join(dir, 'changes.txt');
  writeFileSync(changes, 'kmalloc_trace\n');
  const list = join(dir, 'stable.txt');
  writeFileSync(list, 'kmalloc_trace\n');

  it('compat: an empty module directory, and an empty directory as the kernel', { skip: storeFree }, () => {
    refused(kabi(['compat', '-m', empty, '-k', symvers('6.1.0-47')]), empty, /no kernel modules/);
    // It said "FAIL 25" against a kernel of 0 exports, and exited 8.
    refused(kabi(['compat', '-m', ko('acpi_call'), '-k', empty]), empty, /no exports/);
    // One empty input among good ones is still refused: the user named it for a reason.
    refused(kabi(['compat', '-m', ko('acpi_call'), empty, '-k', symvers('6.1.0-47')]), empty, /modules/);
  });

  it('why, impact, coverage and report compat: an empty corpus', { skip: storeFree }, () => {
    refused(kabi(['why', empty, symvers('6.1.0-47')]), empty, /no kernel modules/);
    refused(kabi(['impact', '--changes', changes, '-m', empty]), empty, /no kernel modules/);
    refused(kabi(['coverage', '-s', list, '-m', empty]), empty, /no kernel modules/);
    refused(kabi(['report', 'compat', '-m', empty, '-k', symvers('6.1.0-47')]), empty, /no kernel modules/);
  });

  it('a meta-package that holds no module', { skip: storeFree || needs('dpkg-deb') }, () => {
    const root = join(dir, 'meta');
    mkdirSync(join(root, 'DEBIAN'), { recursive: true });
    writeFileSync(
      join(root, 'DEBIAN', 'control'),
      'Package: v4l2loopback-modules-meta\nVersion: 1\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDepends: v4l2loopback-dkms\nDescription: t\n',
    );
    const deb = join(dir, 'meta.deb');
    if (!needs('dpkg-deb'))
      execFileSync('dpkg-deb', ['--root-owner-group', '--build', root, deb], { stdio: 'ignore' });
    refused(kabi(['compat', '-m', deb, '-k', symvers('6.1.0-47')]), deb, /no kernel modules/);
  });

  it('check and diff: an empty directory on either side', { skip: storeFree }, () => {
    refused(kabi(['check', '-b', empty, symvers('6.1.0-47')]), empty, /no exports/);
    refused(kabi(['diff', symvers('6.1.0-47'), empty]), empty, /no exports/);
    refused(kabi(['summary', empty]), empty, /no exports/);
    refused(kabi(['symvers', empty]), empty, /no exports/);
  });

  it('check: a baseline Module.symvers without vmlinux exports against a kernel', { skip: storeFree }, () => {
    // The Module.symvers of an external module build: its own exports only. It exited 4, silently.
    const kmodSymvers = join(dir, 'kmod.symvers');
    writeFileSync(kmodSymvers, '0x12345678\tlttng_clock_ref\textra/lttng-clock\tEXPORT_SYMBOL_GPL\t\n');
    const r = kabi(['check', '-b', kmodSymvers, symvers('6.1.0-47')]);
    refused(r, kmodSymvers, /no vmlinux exports \(its 1 exports are all of modules/);
    assert.match(r.stderr, /6\.1\.0-47\.symvers\.xz is a kernel/);
    // Two external module builds are compared as they are.
    const again = kabi(['check', '-b', kmodSymvers, kmodSymvers]);
    assert.equal(again.status, 0, again.stderr);
  });

  it('explain: a symbol neither kernel exports', { skip: storeFree }, () => {
    const btf = (abi: string) => join(FIXTURES, 'btf', `${abi}.subset.btf.xz`);
    const args = [symvers('6.1.0-47'), symvers('6.1.0-50'), '--old-btf', btf('6.1.0-47')];
    const r = kabi(['explain', ...args, '--new-btf', btf('6.1.0-50'), 'NOSUCH', 'kmalloc_trace']);
    // It printed "0 CRC change(s)" and exited 0.
    refused(r, 'NOSUCH', /no export of that name in .*6\.1\.0-47\.symvers\.xz or /);
  });

  it('ingest: an artifact that yields nothing is refused (and nothing stored) unless --allow-empty', () => {
    const db = testDb(dir, 'ingest.db');
    refused(kabi(['--db', db, 'ingest', empty]), empty, /no exports and no modules.*--allow-empty/);
    assert.equal(kabi(['--db', db, 'list', '-f', 'json']).stdout.trim(), '[]', 'nothing stored');
    const r = kabi(['--db', db, 'ingest', '--allow-empty', empty]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ingested .*: 0 exports/);
  });

  it('store queries that select nothing: history, series, report, compat --series, coverage --series', () => {
    const db = testDb(dir, 'series.db');
    // An empty store (reading commands never create one): one build stored, then removed.
    assert.equal(kabi(['--db', db, 'ingest', symvers('6.1.0-50')]).status, 0);
    assert.equal(kabi(['--db', db, 'rm', '1']).status, 0);
    const none = kabi(['--db', db, 'history', 'kmalloc_trace']);
    refused(none, 'the store', /no stored kernel builds/);
    const r = kabi(['--db', db, 'ingest', '-l', 'stream=s', symvers('6.1.0-47')]);
    assert.equal(r.status, 0, r.stderr);
    // A symbol no build exports: there is no history to show. It printed an empty table and exited 0.
    refused(kabi(['--db', db, 'history', 'NOSUCH', 'stream=s']), 'NOSUCH', /in the 1 stored kernel build/);
    assert.equal(kabi(['--db', db, 'history', 'kmalloc_trace', 'stream=s']).status, 0);
    refused(kabi(['--db', db, 'series', 'stream=none']), '"stream=none"', /no stored kernel builds/);
    refused(kabi(['--db', db, 'report', 'series', 'stream=none']), '"stream=none"', /kernel builds/);
    refused(
      kabi(['--db', db, 'compat', '-m', ko('acpi_call'), '--series', 'stream=none']),
      '"stream=none"',
      /kernel builds/,
    );
    refused(
      kabi(['--db', db, 'coverage', '-s', list, '-m', ko('acpi_call'), '--series', 'stream=none']),
      '"stream=none"',
      /kernel builds/,
    );
    // A kmod query (a kind or label that matches no stored kmod) is a module input of nothing.
    refused(
      kabi(['--db', db, 'compat', '-m', 'kind=kmods', '-k', 'stream=s']),
      'kind=kmods',
      /no stored kmods/,
    );
  });
});
