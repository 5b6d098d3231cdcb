// Small things users hit: `symvers DIR` of a directory of kmods, `diff` of a stored kmod against a
// kernel, `impact -m CORPUS REF1 REF2`, and `why` saying each CRC pair once.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { kabi } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';
import { storeFree, testDb } from '../helpers/test-store.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'kabi-small-'));
const symvers = (abi: string) => join(FIXTURES, 'debian', `${abi}.symvers.xz`);
const LTTNG = join(FIXTURES, 'modules', 'packages', 'lttng-modules-2.13.9');
const ACPI_CALL = join(FIXTURES, 'modules', 'kmods', '6.1.0-47', 'acpi_call.ko');

/** `kabi symvers` lines, sorted. */
const lines = (text: string) => text.split('\n').filter(Boolean).sort();

describe('kabi symvers of a directory of kmods', { skip: storeFree }, () => {
  it('prints the exports of every module in it, as each module alone says them', () => {
    const each = readdirSync(LTTNG)
      .filter((n) => n.endsWith('.ko'))
      .flatMap((n) => {
        const r = kabi(['symvers', join(LTTNG, n)]);
        // A module that exports nothing has no Module.symvers to print: an error, exit 1.
        if (r.status === 1 && /: no exports; /.test(r.stderr)) return [];
        assert.equal(r.status, 0, r.stderr);
        return lines(r.stdout);
      });
    assert.ok(each.length > 0, 'lttng-clock exports symbols');
    const r = kabi(['symvers', LTTNG]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), each.sort());
    assert.doesNotMatch(r.stderr, /no vmlinux or vmlinuz found/, 'a kmod directory is not a kernel tree');
    // Nested as DKMS and ../kmods/<abi>/<source> leave them.
    const dir = tmp();
    const nested = join(dir, '6.1.0-47', 'lttng-modules-2.13.9');
    mkdirSync(nested, { recursive: true });
    for (const n of readdirSync(LTTNG)) copyFileSync(join(LTTNG, n), join(nested, n));
    assert.deepEqual(lines(kabi(['symvers', dir]).stdout), each.sort());
  });
});

describe('kabi diff of a stored kmod', () => {
  const db = testDb(tmp());
  for (const f of [symvers('6.1.0-47'), LTTNG]) {
    const r = kabi(['--db', db, 'ingest', f]);
    assert.equal(r.status, 0, r.stderr);
  }

  it('against a kernel: refused, saying it is a kmod and what to run instead', () => {
    for (const args of [
      ['diff', '2', '1'],
      ['diff', '1', '2'],
      ['check', '-b', '1', '2'],
    ]) {
      const r = kabi(['--db', db, ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^kabi: 2: store entry 2 is a kmod \(.*name=lttng-modules-2\.13\.9.*\) and 1 is not/,
      );
      assert.match(r.stderr, /kabi compat -m 2 -k 1/);
    }
  });

  it('against a kmod (its own exports, another build of it): compared', () => {
    const r = kabi(['--db', db, 'diff', '2', LTTNG]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /UNCHANGED/);
  });
});

describe('kabi impact -m CORPUS OLD NEW', () => {
  const db = testDb(tmp());
  for (const abi of ['6.1.0-47', '6.1.0-50']) {
    const r = kabi(['--db', db, 'ingest', symvers(abi)]);
    assert.equal(r.status, 0, r.stderr);
  }

  it('store refs after the corpus are OLD NEW, as before it', () => {
    const before = kabi(['--db', db, 'impact', '1', '2', '-f', 'json', '-m', ACPI_CALL]);
    assert.equal(before.status, 0, before.stderr);
    const after = kabi(['--db', db, 'impact', '-f', 'json', '-m', ACPI_CALL, '1', '2']);
    assert.equal(after.status, 0, after.stderr);
    assert.deepEqual(JSON.parse(after.stdout), JSON.parse(before.stdout));
    assert.equal(JSON.parse(after.stdout).modules, 1, 'the refs are not read as modules');
    const dashes = kabi(['--db', db, 'impact', '-f', 'json', '-m', ACPI_CALL, '--', '1', '2']);
    assert.deepEqual(JSON.parse(dashes.stdout), JSON.parse(before.stdout));
  });

  it('paths after the corpus are ambiguous: a usage error that says the two ways to write it', () => {
    const r = kabi(['impact', '-m', ACPI_CALL, symvers('6.1.0-47'), symvers('6.1.0-50')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /kabi impact OLD NEW -m CORPUS\.\.\..*kabi impact -m CORPUS\.\.\. -- OLD NEW/);
  });
});

describe('kabi why', { skip: storeFree }, () => {
  it('says each CRC pair once', () => {
    const r = kabi(['why', ACPI_CALL, symvers('6.1.0-50')]);
    assert.equal(r.status, 8, r.stderr);
    const reasons = r.stdout.split('\n').filter((l) => /disagrees about version/.test(l));
    assert.ok(reasons.length > 1, r.stdout);
    for (const l of reasons) {
      const crcs = l.match(/0x[0-9a-f]{8}/g) ?? [];
      assert.equal(crcs.length, 2, l);
      assert.notEqual(crcs[0], crcs[1], l);
    }
  });
});
