// `kabi btf` and the usage errors of `kabi explain`, on the committed BTF fixtures.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readBtf } from '../../src/readers/btf/btf.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES, unxzBytes } from '../helpers/independent.js';

const tmp = mkdtempSync(join(tmpdir(), 'kabi-btf-cli-'));
const fixture = join(FIXTURES, 'btf', '6.1.0-47.subset.btf.xz');
const ROOTS = [
  'func proc_create',
  'func remove_proc_entry',
  'func kmalloc_trace',
  'func default_llseek',
  'func module_layout',
  'struct kmem_cache',
  'struct device',
  'struct task_struct',
];

describe('kabi btf', () => {
  const raw = unxzBytes(fixture);

  it('counts the types by kind', () => {
    const r = kabi(['btf', fixture]);
    assert.equal(r.status, 0, r.stderr);
    const btf = readBtf(raw, { source: 'x' });
    assert.match(r.stdout, new RegExp(`: ${btf.count - 1} types\\n`));
    let structs = 0;
    for (let id = 1; id < btf.count; id++) if (btf.get(id).kind === 'struct') structs++;
    assert.match(r.stdout, new RegExp(`\\n {2}struct +${structs}\\n`));
  });

  it('prints a type and a function as C, and says which names it does not know', () => {
    const r = kabi(['btf', fixture, 'struct kmem_cache', 'proc_create', 'no_such_type']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^struct kmem_cache \{\n\tstruct kmem_cache_cpu \*cpu_slab;\n/m);
    assert.match(
      r.stdout,
      /^struct proc_dir_entry \*proc_create\(const char \*name, umode_t mode, struct proc_dir_entry \*parent, const struct proc_ops \*proc_ops\);$/m,
    );
    assert.match(r.stderr, /no type no_such_type/);
    assert.equal(kabi(['btf', fixture, 'no_such_type']).status, 1);
  });

  it('cuts the same subset again from a subset with the same roots, byte for byte', () => {
    const out = join(tmp, 'again.btf');
    const r = kabi(['btf', fixture, ...ROOTS, '--subset', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readFileSync(out), raw);
  });

  it('names the file and the offset of a damaged BTF', () => {
    const bad = join(tmp, 'bad.btf');
    writeFileSync(bad, raw.subarray(0, raw.length - 1000));
    const r = kabi(['btf', bad]);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /bad\.btf@0x10 \(BTF file\): string section \(\d+ bytes at \d+\) runs past the end/,
    );
  });
});

describe('kabi explain usage', () => {
  it('asks for BTF when the inputs carry none', () => {
    const symvers = join(FIXTURES, 'debian', '6.1.0-54.symvers.xz');
    const r = kabi(['explain', symvers, symvers]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /carries no types: give --old-btf a vmlinux, vmlinuz or linux-image package/);
  });
});

describe('kabi explain on the committed 6.1.0-47 and 6.1.0-50 exports and BTF subsets', () => {
  const side = (abi: string) => [
    join(FIXTURES, 'debian', `${abi}.symvers.xz`),
    join(FIXTURES, 'btf', `${abi}.subset.btf.xz`),
  ];
  const [oldSymvers, oldBtf] = side('6.1.0-47');
  const [newSymvers, newBtf] = side('6.1.0-50');
  const acpiCall = join(FIXTURES, 'modules', 'kmods', '6.1.0-47', 'acpi_call.ko');
  const args = [oldSymvers!, newSymvers!, '--old-btf', oldBtf!, '--new-btf', newBtf!, '-m', acpiCall];

  it("explains acpi_call's CRC changes, and says how many symbols --limit left out", () => {
    const r = kabi(['explain', ...args, '--limit', '2']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^6 CRC change\(s\): 5 explained by 3 root type change\(s\)\.$/m);
    assert.match(r.stdout, /^ {2}struct device: reached by 5 CRC-changed export\(s\)$/m);
    assert.doesNotMatch(r.stdout, /^0 export\(s\) with an unchanged CRC/m, 'no line about none');
    const symbols = r.stdout.slice(r.stdout.indexOf('\nSymbols:'));
    assert.equal(symbols.match(/^ {2}\S+ \[vmlinux\] 0x/gm)?.length, 2);
    assert.match(symbols, /^ {2}… 4 more \(--all\)$/m);
    const all = kabi(['explain', ...args, '--all']);
    assert.equal(all.stdout.match(/^ {2}\S+ \[vmlinux\] 0x/gm)?.length, 6);
    assert.doesNotMatch(all.stdout, /more \(--all\)/);
  });
});
