// kabi's symbol → source file map of Debian's 6.1.0-47 -dbg vmlinux against binutils and gdb: for a
// sample of 300 exported functions, the file addr2line gives for the function's address (.debug_line);
// for a few exported variables, the file gdb's `info variables` names. Then the .deb read as a whole gives
// the same map as its extracted vmlinux. Needs the cached -dbg package (855 MB; tests do not download it).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { readSymbolSources } from '../../src/readers/symbol-sources.js';
import { needs, tool } from '../helpers/tools.js';

const DBG = process.env.KABI_DBG_CACHE ?? '/work/cache/dbg';
const VMLINUX = join(DBG, 'usr/lib/debug/boot/vmlinux-6.1.0-47-amd64');
const DEB = join(DBG, 'linux-image-6.1.0-47-amd64-dbg_6.1.170-3_amd64.deb');
const missing = existsSync(VMLINUX)
  ? false
  : `needs ${VMLINUX} (linux-image-6.1.0-47-amd64-dbg extracted; not downloaded by tests)`;

/** What Debian's reproducible build puts before a tree path, in DWARF line tables and gdb's output. */
const dir = (p: string) => p.slice(0, p.lastIndexOf('/'));
const treePath = (p: string) =>
  p.replace(/^(debian\/build\/build_amd64_none_amd64|\/build\/reproducible-path\/linux-[^/]+)\//, '');

describe('-dbg vmlinux 6.1.0-47: kabi against addr2line and gdb', { skip: missing }, () => {
  let map: Map<string, string>;
  before(async () => {
    map = await readSymbolSources(VMLINUX);
  });

  it('names most of the 10,488 exports (the rest: static-call trampolines and asm aliases without DWARF)', () => {
    assert.ok(map.size > 10_300 && map.size <= 10_488, String(map.size));
    assert.equal(map.get('kfree'), 'mm/slab_common.c');
    assert.equal(map.get('clear_page_rep'), 'arch/x86/lib/clear_page_64.S'); // GNU as: an absolute name made relative
    assert.equal(map.get('memcpy'), 'arch/x86/lib/memcpy_64.S'); // an alias without a DIE: by .debug_aranges
    assert.equal(map.get('memory_block_size_bytes'), 'arch/x86/mm/init_64.c'); // not drivers/base/memory.c's __weak
  });

  it('300 exported functions: the file addr2line gives for their address', {
    skip: needs('nm', 'addr2line'),
  }, (t) => {
    const nm = execFileSync(tool('nm'), ['--defined-only', VMLINUX], { maxBuffer: 1 << 28 }).toString();
    const address = new Map<string, string>();
    for (const line of nm.split('\n')) {
      const [addr, type, name] = line.split(' ');
      if (name && /^[TW]$/.test(type!) && map.has(name)) address.set(name, addr!);
    }
    const names = [...address.keys()].sort();
    const step = Math.floor(names.length / 300);
    const sample = names.filter((_, i) => i % step === 0).slice(0, 300);
    const out = execFileSync(tool('addr2line'), ['-e', VMLINUX, ...sample.map((n) => address.get(n)!)], {
      maxBuffer: 1 << 24,
    })
      .toString()
      .trim()
      .split('\n');
    assert.equal(out.length, sample.length);
    let same = 0;
    let noLine = 0;
    const differ: string[] = [];
    sample.forEach((name, i) => {
      const file = treePath(out[i]!.replace(/:[0-9?]+( \(discriminator \d+\))?$/, ''));
      if (file.startsWith('??')) noLine++;
      else if (file === map.get(name)) same++;
      else differ.push(`${name}: kabi ${map.get(name)}, addr2line ${file}`);
    });
    t.diagnostic(
      `${same} of ${sample.length} agree, ${noLine} without a line record; differ: ${differ.join('; ')}`,
    );
    // kabi names the compile unit; addr2line the line at the address: a header when the first instruction
    // is inlined code, or a file the unit #includes (kernel/sched/build_utility.c includes wait_bit.c;
    // kernel/rcu/tree.c includes tree_exp.h). Both lie in the unit's directory or a header.
    for (const d of differ) {
      const [, kabi, a2l] = /kabi (.*), addr2line (.*)/.exec(d)!;
      assert.ok(a2l!.endsWith('.h') || dir(a2l!) === dir(kabi!), d);
    }
    assert.ok(same + noLine >= sample.length * 0.95, `${same} of ${sample.length}`);
  });

  it('exported variables: the file gdb names', { skip: needs('gdb') }, () => {
    const vars = ['kmalloc_caches', 'current_task', 'pv_ops', 'init_net', 'system_state', 'loops_per_jiffy'];
    const out = execFileSync(
      tool('gdb'),
      ['-batch', '-nx', '-ex', `info variables ^\\(${vars.join('\\|')}\\)$`, VMLINUX],
      { maxBuffer: 1 << 24, timeout: 300_000 },
    ).toString();
    const gdb = new Map<string, string>();
    let file = '';
    for (const line of out.split('\n')) {
      const f = /^File (.*):$/.exec(line);
      if (f) file = treePath(f[1]!);
      const v = /^\d+:\s+(?!static ).*?\b(\w+)(\[.*\])*;$/.exec(line);
      if (v && vars.includes(v[1]!)) gdb.set(v[1]!, file);
    }
    assert.equal(gdb.size, vars.length, out);
    for (const v of vars) assert.equal(map.get(v), gdb.get(v), v);
  });

  it('the .deb gives the map its vmlinux gives', {
    skip: existsSync(DEB) ? false : `needs ${DEB}`,
  }, async () => {
    assert.deepEqual(await readSymbolSources(DEB), map);
  });
});
