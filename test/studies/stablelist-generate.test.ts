// `kabi stablelist generate`: regenerating openEuler's own references. Each reference file is taken as
// the build, its own allowlist as the list: the module-kabi output must be exactly the reference's
// lines of the listed symbols (computed here as awk would: the list's names, each reference line once),
// every format it writes must read back through the stablelist readers with the same symbols, and the
// change report against the previous release must count what a plain Map comparison counts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readStablelist } from '../../src/index.js';
import { kabi } from '../helpers/exec.js';
import { needs } from '../helpers/tools.js';

const DATA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'openeuler');
const skip = existsSync(DATA)
  ? needs('xz')
  : `no openEuler references at ${DATA} (../shared beside the repo)`;
const dir = mkdtempSync(join(tmpdir(), 'kabi-gen-'));
const file = (release: string, name: string) => join(DATA, `openEuler-${release}`, `${name}.xz`);
const text = (path: string) =>
  execFileSync('xz', ['-dc', path], { encoding: 'utf8', maxBuffer: 1 << 26 }).replace(/\r/g, '');

/** The allowlist's names in order: `[section]` headers and blank lines are not names. */
const names = (list: string) =>
  list
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('['));

/** awk: for each listed name, the first reference line whose second field is that name. */
function expectedLines(release: string, arch: string): string {
  const lines = new Map<string, string>();
  for (const line of text(file(release, `Module.kabi_${arch}`)).split('\n')) {
    const sym = line.split('\t')[1];
    if (sym !== undefined && !lines.has(sym)) lines.set(sym, line);
  }
  const listed = [...new Set(names(text(file(release, `kabi_whitelist_${arch}`))))];
  return listed.map((s) => `${lines.get(s)}\n`).join('');
}

function generate(release: string, arch: string, ...args: string[]) {
  return kabi([
    'stablelist',
    'generate',
    '--allow-duplicates',
    file(release, `Module.kabi_${arch}`),
    '--from',
    file(release, `kabi_whitelist_${arch}`),
    ...args,
  ]);
}

describe('stablelist generate on openEuler references', { skip }, () => {
  for (const [release, arch] of [
    ['22.03-LTS', 'x86_64'],
    ['22.03-LTS-SP1', 'aarch64'],
    ['24.03-LTS-SP1', 'x86_64'],
  ] as const)
    it(`${release} ${arch}: module-kabi gives back the reference's lines of the listed symbols`, () => {
      const out = join(dir, `Module.kabi_${arch}-${release}`);
      const r = generate(release, arch, '-o', out);
      assert.equal(r.status, 0, r.stderr);
      const want = expectedLines(release, arch);
      assert.ok(want.length > 10_000);
      assert.equal(readFileSync(out, 'utf8'), want);
    });

  it('every format it writes reads back through the stablelist readers, the same symbols', async () => {
    const listed = new Set(names(text(file('22.03-LTS', 'kabi_whitelist_aarch64'))));
    for (const [format, detected] of [
      ['module-kabi', 'module-kabi'],
      ['suse', 'module-kabi'],
      ['rhel', 'rhel-stablelist'],
      ['gki', 'ini-symbol-list'],
    ] as const) {
      const out = join(dir, `ref.${format}`);
      const r = generate('22.03-LTS', 'aarch64', '--as', format, '--name', 'oe2203', '-o', out);
      assert.equal(r.status, 0, r.stderr);
      const list = await readStablelist(out);
      assert.deepEqual(new Set(list.symbols.keys()), listed, format);
      assert.equal((await readStablelist(out, { format: detected })).symbols.size, listed.size);
      if (format === 'rhel') assert.match(readFileSync(out, 'utf8'), /^\[oe2203_aarch64_stablelist\]\n\t/);
      if (format === 'gki') assert.match(readFileSync(out, 'utf8'), /^\[abi_symbol_list\]\n {2}\S/);
    }
  });

  it('--previous: kept, CRC changed, dropped, added as two Maps count them', () => {
    const crcs = (release: string) =>
      new Map(
        text(file(release, 'Module.kabi_x86_64'))
          .split('\n')
          .filter((l) => l.startsWith('0x'))
          .map((l) => [l.split('\t')[1]!, l.split('\t')[0]!] as const),
      );
    const [a, b] = [crcs('22.03-LTS'), crcs('22.03-LTS-SP1')];
    const common = [...a.keys()].filter((s) => b.has(s));
    const want = {
      kept: common.filter((s) => a.get(s) === b.get(s)).length,
      crcChanged: common.filter((s) => a.get(s) !== b.get(s)).length,
      dropped: a.size - common.length,
      added: b.size - common.length,
    };
    const r = generate(
      '22.03-LTS-SP1',
      'x86_64',
      '--previous',
      file('22.03-LTS', 'Module.kabi_x86_64'),
      '-o',
      join(dir, 'sp1'),
      '-f',
      'json',
    );
    assert.equal(r.status, 0, r.stderr);
    const p = JSON.parse(r.stdout).previous;
    assert.deepEqual(
      { kept: p.kept, crcChanged: p.crcChanged.length, dropped: p.dropped.length, added: p.added.length },
      want,
    );
    assert.equal(want.added, 2); // two symbols joined the x86_64 list in SP1
  });

  it('a listed symbol the build does not export is an error unless --allow-missing', () => {
    // 22.03-LTS-SP1's list against 22.03-LTS's reference: SP1 added symbols LTS does not have.
    const args = [
      'stablelist',
      'generate',
      file('22.03-LTS', 'Module.kabi_x86_64'),
      '--from',
      file('22.03-LTS-SP1', 'kabi_whitelist_x86_64'),
      '-o',
      join(dir, 'missing'),
    ];
    const r = kabi(args);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /2 listed symbol\(s\) not exported by .*--allow-missing/);
    const ok = kabi([...args, '--allow-missing', '-f', 'json']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).missing.length, 2);
  });
});
