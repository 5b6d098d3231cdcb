// `npm run demo` (scripts/demo.sh) on the dist/ this run built: every section of the tour, in order, and
// its numbers checked against the bundled data read independently (xz -dc, string splitting).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { countChanges, FIXTURES, loadSymvers, ROOT } from '../helpers/independent.js';

const HEADINGS = [
  '1. ingest',
  '2. kabi list',
  '3. kabi series',
  '4. the gate',
  '5. kabi compat',
  '6. kabi why',
  '7. kabi explain',
  '8. kabi report',
];

describe('npm run demo', () => {
  let status: number | null = null;
  let stdout = '';
  let stderr = '';
  /** The text of each section, by the number of its heading. */
  const sections = new Map<number, string>();
  let work: string | null = null;

  before(() => {
    const r = spawnSync('bash', [join(ROOT, 'scripts', 'demo.sh')], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', KABI_DEMO_SKIP_BUILD: '1' },
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    ({ status, stdout, stderr } = r);
    for (const part of stdout.split(/^== /m).slice(1)) sections.set(Number.parseInt(part, 10), part);
    work = /new store \((.+)\/kabi\.db\)/.exec(stdout)?.[1] ?? null;
  });

  after(() => {
    if (work && dirname(work) !== work) rmSync(work, { recursive: true, force: true });
  });

  const section = (n: number) => {
    const s = sections.get(n);
    assert.ok(s, `section ${n} is there:\n${stdout}`);
    return s;
  };

  it('exits 0, the gate and the verdicts included, and says nothing on standard error', () => {
    assert.equal(status, 0, stderr);
    assert.equal(stderr, '');
  });

  it('has every section once, in order, each under a one-line heading', () => {
    const headings = stdout.split('\n').filter((l) => l.startsWith('== '));
    assert.equal(headings.length, HEADINGS.length, headings.join('\n'));
    for (const [i, h] of headings.entries()) assert.ok(h.startsWith(`== ${HEADINGS[i]}`), h);
  });

  it('ingests seven builds of two streams into a new store, and lists them', () => {
    assert.equal(
      section(1).match(/^ingested test\/fixtures\/debian\/.+ → kernel \d+: \d+ exports/gm)?.length,
      7,
    );
    assert.ok(work && !work.startsWith(ROOT), 'the store is a temporary file, not in the checkout');
    const list = section(2)
      .split('\n')
      .filter((l) => /^\d+ +kernel /.test(l));
    assert.equal(list.length, 7);
    assert.equal(list.filter((l) => l.includes('stream=debian-6.1,')).length, 5);
    assert.equal(list.filter((l) => l.includes('stream=debian-6.12,')).length, 2);
  });

  it('shows one series per stream, each naming its stream once, with the steps the data has', () => {
    const s = section(3);
    assert.equal(s.match(/^kABI series: /gm)?.length, 2, 'one header per stream');
    assert.match(s, /^kABI series: 5 builds of stream debian-6\.1, by version/m);
    assert.match(s, /^kABI series: 2 builds of stream debian-6\.12, by version/m);
    assert.doesNotMatch(s, /streams mixed/);
    const sym = (abi: string) => loadSymvers(join(FIXTURES, 'debian', `${abi}.symvers.xz`));
    const step = (a: string, b: string) => {
      const c = countChanges(sym(a), sym(b));
      return new RegExp(
        `^ {2}${a.replace(/[.+]/g, '\\$&')} +${b.replace(/[.+]/g, '\\$&')} +${c.added} +${c.removed} +${c.crcChanged} `,
        'm',
      );
    };
    assert.match(s, step('6.1.0-47', '6.1.0-50'));
    assert.match(s, step('6.1.0-55', '6.1.0-56'));
    assert.match(s, step('6.12.115+deb12', '6.12.117+deb12'));
    assert.match(s, /^ {6}3 {2}6\.1\.0-55 {2}6\.1\.0-56 +2 /m, '55 and 56 are one ABI epoch');
  });

  it('gates 6.1.0-47 → 6.1.0-50 and explains its exit code in one line', () => {
    const s = section(4);
    const c = countChanges(
      loadSymvers(join(FIXTURES, 'debian', '6.1.0-47.symvers.xz')),
      loadSymvers(join(FIXTURES, 'debian', '6.1.0-50.symvers.xz')),
    );
    assert.match(s, new RegExp(`removed ${c.removed} +crc changed ${c.crcChanged} `));
    assert.match(s, /^INCOMPATIBLE/m);
    assert.match(s, /^\(kabi check exited 12: .*12 a change fails the policy\)$/m);
  });

  it("compat names acpi_call's first failing build and the loader's reason", () => {
    const s = section(5);
    // It loads on the build it was made for, tainting the kernel as every out-of-tree module does (O).
    assert.match(
      s,
      /^acpi_call +\S+ \(acpi_call\.ko\) +6\.1\.0-47-amd64 +taints O +FAIL 6 +FAIL 6 +FAIL 6 +FAIL 6$/m,
    );
    assert.match(s, /^ {2}acpi_call \(.+\): stops loading on 6\.1\.0-50; /m);
    assert.match(
      s,
      /^ {4}why: acpi_call: disagrees about version of symbol module_layout \(insmod: Invalid module format\)/m,
    );
    assert.match(s, /^ {2}v4l2loopback \(.+\): stops loading on 6\.1\.0-50; /m);
    assert.match(s, /^Total rebuilds across the series: 6 module rebuild\(s\), 3 package rebuild\(s\)$/m);
    assert.match(s, /^\(kabi compat exited 8: /m);
  });

  it('why: every reason on that first failing build, CRCs as the two Module.symvers say', () => {
    const s = section(6);
    assert.match(s, /^acpi_call on 6\.1\.0-50: DOES NOT LOAD$/m);
    const ko = readFileSync(join(FIXTURES, 'modules', 'kmods', '6.1.0-47', 'acpi_call.ko')).toString(
      'latin1',
    );
    assert.ok(ko.includes('vermagic=6.1.0-47-amd64 '), 'acpi_call was built for 6.1.0-47');
    const built = loadSymvers(join(FIXTURES, 'debian', '6.1.0-47.symvers.xz'));
    const target = loadSymvers(join(FIXTURES, 'debian', '6.1.0-50.symvers.xz'));
    const pairs = [...s.matchAll(/version of symbol (\w+) \((0x[0-9a-f]{8}) vs (0x[0-9a-f]{8})\)/g)];
    assert.equal(pairs.length, 5);
    for (const [, symbol, wanted, offered] of pairs) {
      assert.equal(built.get(symbol!)?.crc, wanted, `${symbol} as built`);
      assert.equal(target.get(symbol!)?.crc, offered, `${symbol} on 6.1.0-50`);
    }
    const layout = /module_layout .*\[wanted (0x[0-9a-f]{8}), offered (0x[0-9a-f]{8})\]/.exec(s);
    assert.deepEqual(layout?.slice(1), [built.get('module_layout')?.crc, target.get('module_layout')?.crc]);
  });

  it('explain: the type changes behind the CRC changes, from the bundled BTF subsets', () => {
    const s = section(7);
    assert.match(s, /^6 CRC change\(s\): 5 explained by 3 root type change\(s\)\.$/m);
    assert.match(s, /^ {2}struct device: reached by 5 CRC-changed export\(s\)$/m);
    assert.match(s, /^ {6}size 744 → 752 bytes$/m);
    assert.match(s, /^ {2}… 3 more \(--all\)$/m);
  });

  it('writes an HTML report and prints its path', () => {
    const path = /^HTML report: (.+\.html)$/m.exec(section(8))?.[1];
    assert.ok(path && existsSync(path), `the report is at ${path}`);
    assert.ok(path.startsWith(`${work}/`), 'beside the temporary store');
    const html = readFileSync(path, 'utf8');
    assert.match(html, /^<!doctype html>/i);
    assert.match(html, /<\/html>\s*$/);
    assert.match(html, /acpi_call/);
    assert.match(html, /6\.1\.0-50/);
  });
});
