// The kfuncs of a raw-image kernel: Debian's arm64 6.1.0-47 ships an Image, no ELF, so vmlinux's .BTF and
// .BTF_ids are found by their header (src/readers/btf/raw-image-btf.ts) and the sets by shape. Checked
// against amd64's list of the same release derived without kabi-tracker (test/fixtures/kfuncs), less what
// the kernel source compiles only on x86 (the excerpts in test/fixtures/kfuncs/source keep the #ifdefs).
// Downloads the package with apt configured for arm64 (skips offline).
import assert from 'node:assert/strict';
import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { debianPackageFor } from '../helpers/debian-packages.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';

const deb = await debianPackageFor('linux-image-6.1.0-47-arm64-unsigned', {
  suite: 'bookworm',
  arch: 'arm64',
});

/** Functions a kfunc set lists only under `#ifdef CONFIG_X86`, read straight from the source excerpts. */
function x86Only(dir: string): Set<string> {
  const out = new Set<string>();
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e: Dirent) =>
      e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)],
    );
  for (const f of walk(dir)) {
    let depth = 0;
    for (const line of readFileSync(f, 'latin1').split('\n')) {
      if (/^#ifdef CONFIG_X86\b/.test(line)) depth = 1;
      else if (depth > 0 && /^#if/.test(line)) depth++;
      else if (depth > 0 && /^#endif/.test(line)) depth--;
      else if (depth > 0) {
        const m = /BTF_ID_FLAGS\(func, (\w+)/.exec(line);
        if (m) out.add(m[1]!);
      }
    }
  }
  return out;
}

describe('Debian arm64 6.1.0-47: kfuncs of a raw Image', { skip: 'skip' in deb ? deb.skip : false }, () => {
  it('finds vmlinux’s sets in the Image: amd64’s kfuncs, less those built only on x86', () => {
    const r = kabi(['kfuncs', (deb as { path: string }).path, '-f', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.method, 'btf-ids-scan');
    const arm = new Set<string>(
      j.kfuncs.filter((k: { module: string | null }) => !k.module).map((k: { name: string }) => k.name),
    );
    const amd64 = new Set<string>();
    for (const line of readFileSync(join(FIXTURES, 'kfuncs', 'debian-6.1.0-47-amd64.tsv'), 'utf8').split(
      '\n',
    )) {
      const f = line.split('\t');
      if (f[0] === 'vmlinux') amd64.add(f[1]!);
    }
    const x86 = x86Only(join(FIXTURES, 'kfuncs', 'source', '6.1'));
    assert.ok(x86.size > 0, 'the source has x86-only kfuncs (tcp_cubic)');
    assert.deepEqual([...arm].sort(), [...amd64].filter((n) => !x86.has(n)).sort());
  });
});
