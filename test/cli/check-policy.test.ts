// The gate under policies and stablelists, on a real Debian step (6.1.0-54 → 6.1.0-55).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { kabi } from '../helpers/exec.js';
import { FIXTURES, loadSymvers } from '../helpers/independent.js';

const OLD = join(FIXTURES, 'debian', '6.1.0-54.symvers.xz');
const NEW = join(FIXTURES, 'debian', '6.1.0-55.symvers.xz');
const a = loadSymvers(OLD);
const b = loadSymvers(NEW);
const crcChanged = [...a.keys()].filter((s) => b.has(s) && a.get(s)!.crc !== b.get(s)!.crc).sort();
const unchanged = [...a.keys()].filter((s) => b.has(s) && a.get(s)!.crc === b.get(s)!.crc).sort();

function file(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-policy-'));
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

interface JsonChange {
  symbol: string;
  kind: string;
  severity: string;
  protected: boolean | null;
  rule: string;
}

function check(args: string[]) {
  const r = kabi(['check', '--format', 'json', '--baseline', OLD, NEW, ...args]);
  assert.ok(r.stdout, r.stderr);
  return {
    status: r.status,
    json: JSON.parse(r.stdout) as {
      summary: { fail: number; warn: number; ignore: number };
      changes: JsonChange[];
    },
  };
}

describe('kabi check with stablelists and policies (real 6.1.0-54 → 6.1.0-55)', () => {
  it('a stablelist holding one changed symbol: only it fails, the rest are mutable warnings', () => {
    const list = file(
      'kabi_stablelist_x86_64',
      `[rhel9_x86_64_stablelist]\n\t${crcChanged[0]}\n\t${unchanged[0]}\n`,
    );
    const { status, json } = check(['--stablelist', list]);
    assert.equal(status, 12);
    assert.equal(json.summary.fail, 1);
    const prot = json.changes.filter((c) => c.protected);
    assert.deepEqual(
      prot.map((c) => [c.symbol, c.kind, c.severity]),
      [[crcChanged[0], 'crc-changed', 'fail']],
    );
    assert.ok(json.changes.every((c) => c.protected || c.severity === 'warn'));
    assert.equal(json.changes.length, json.summary.fail + json.summary.warn);
  });

  it('a stablelist of unchanged symbols: the ABI changed compatibly (exit 4)', () => {
    const { status, json } = check([
      '--stablelist',
      file('list.txt', `${unchanged.slice(0, 50).join('\n')}\n`),
    ]);
    assert.equal(status, 4);
    assert.equal(json.summary.fail, 0);
  });

  it('a kabi policy: rules first-match, stablelist resolved relative to the policy file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kabi-policy-'));
    writeFileSync(join(dir, 'protected.txt'), `${crcChanged[0]}\n${crcChanged[1]}\n`);
    writeFileSync(
      join(dir, 'kabi.policy'),
      `stablelist protected.txt\nsymbol ${crcChanged[0]} warn\nsymbol * fail\n`,
    );
    const { status, json } = check(['--policy', join(dir, 'kabi.policy')]);
    assert.equal(status, 12);
    const by = new Map(json.changes.map((c) => [c.symbol, c]));
    assert.equal(by.get(crcChanged[0]!)!.severity, 'warn');
    assert.match(by.get(crcChanged[0]!)!.rule, /kabi\.policy:2/);
    assert.equal(by.get(crcChanged[1]!)!.severity, 'fail');
    assert.equal(json.summary.fail, 1);
  });

  it('SUSE severities: `vmlinux PASS` leaves only module exports failing', () => {
    const sev = file('severities', '# tolerate the core kernel\nvmlinux\tPASS\n');
    const { status, json } = check(['--policy', sev]);
    const notVmlinux = (s: string) => a.get(s)?.module !== 'vmlinux' && b.get(s)?.module !== 'vmlinux';
    const removed = [...a.keys()].filter((s) => !b.has(s));
    const want = [...crcChanged, ...removed].filter(notVmlinux).length;
    assert.equal(json.summary.fail, want);
    assert.equal(status, want > 0 ? 12 : 4);
  });

  it('Debian ignore-changes `*` ignores every symbol: unchanged, exit 0', () => {
    const { status, json } = check(['--policy', file('ignore-changes', '*\n')]);
    assert.equal(status, 0);
    assert.equal(json.summary.ignore, json.changes.length);
    assert.ok(json.changes.length > 18000);
  });

  it('a bad policy file fails with its file, line and expectation (exit 1); a missing one is a usage error', () => {
    const bad = file('severities', 'vmlinux PASS\nfoo MAYBE\n');
    const r = kabi(['check', '--baseline', OLD, NEW, '--policy', bad]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /severities:2: .*PASS or FAIL/);
    const missing = kabi(['check', '--baseline', OLD, NEW, '--stablelist', '/nonexistent/list']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /\/nonexistent\/list: no such file/);
  });
});
