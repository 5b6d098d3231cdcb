// The DWARF reader on small programs built here with the C compiler (DWARF 4 and 5, plain and
// zlib-compressed sections), then on hostile edits of them. The expected map is the programs' own source:
// which file defines which global.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ArtifactFormatError } from '../../src/errors.js';
import { parseDwarfSources } from '../../src/readers/dwarf/source-files.js';
import { unitPath } from '../../src/readers/dwarf/units.js';
import { openElf } from '../../src/readers/elf/elf.js';
import { readSymbolSources } from '../../src/readers/symbol-sources.js';
import { needs, tool } from '../helpers/tools.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'dwarf');
const SOURCES: Record<string, string> = Object.fromEntries(
  ['main.c', 'lib/beta.c', 'lib/weakling.c'].map((f) => [f, readFileSync(join(FIXTURES, f), 'latin1')]),
);

/** Each global the sources define, and where: what the reader must find. */
const EXPECTED = new Map([
  ['counter', 'main.c'],
  ['alpha', 'main.c'],
  ['main', 'main.c'],
  ['table', 'lib/beta.c'],
  ['beta', 'lib/beta.c'],
  ['weakling', 'lib/weakling.c'], // the strong definition, not lib/beta.c's __weak default
]);

const skip = needs('cc');

function build(flags: string[]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-dwarf-'));
  execFileSync('mkdir', ['-p', join(dir, 'lib')]);
  for (const [name, text] of Object.entries(SOURCES)) writeFileSync(join(dir, name), text);
  execFileSync(tool('cc'), ['-O0', ...flags, '-o', 'prog', ...Object.keys(SOURCES)], {
    cwd: dir,
    stdio: 'pipe',
  });
  return readFileSync(join(dir, 'prog'));
}

/** Only the program's own globals: the C library's start files may bring DWARF of their own. */
const ours = (m: Map<string, string>) =>
  new Map([...m].filter(([, f]) => Object.keys(SOURCES).includes(f)).sort(([a], [b]) => a.localeCompare(b)));
const sorted = (m: Map<string, string>) => new Map([...m].sort(([a], [b]) => a.localeCompare(b)));

describe('DWARF: global definitions to their compile unit', { skip }, () => {
  for (const flags of [['-gdwarf-4'], ['-gdwarf-5'], ['-gdwarf-5', '-gz=zlib'], ['-gdwarf-4', '-gz=zlib']]) {
    it(`cc ${flags.join(' ')}: every global to its file, statics and declarations left out`, async () => {
      const r = await parseDwarfSources(build(flags), { source: 'prog' });
      assert.deepEqual(ours(r.sources), sorted(EXPECTED));
      assert.ok(!r.sources.has('hidden') && !r.sources.has('local_count'));
      assert.deepEqual(r.ambiguous, []);
    });
  }

  it('only: keeps the names asked for', async () => {
    const r = await parseDwarfSources(build(['-gdwarf-5']), {
      source: 'prog',
      only: new Set(['beta', 'nope']),
    });
    assert.deepEqual([...r.sources], [['beta', 'lib/beta.c']]);
  });

  it('-gz=zlib sections are compressed (SHF_COMPRESSED), so the test reaches the inflate path', () => {
    const elf = openElf(build(['-gdwarf-5', '-gz=zlib']), { source: 'prog' });
    assert.ok((elf.section('.debug_info')!.flags & 0x800) !== 0);
  });
});

describe('DWARF: the committed fixtures (test/fixtures/dwarf)', () => {
  for (const name of ['prog-dwarf4', 'prog-dwarf5', 'prog-dwarf5-zlib']) {
    it(`${name}: every global to its file`, async () => {
      const r = await parseDwarfSources(readFileSync(join(FIXTURES, name)), { source: name });
      assert.deepEqual(sorted(r.sources), sorted(EXPECTED));
    });
  }
});

describe('--sources: what readSymbolSources takes', () => {
  it('an ELF with DWARF but no ksymtab is not a -dbg vmlinux: says so', async () => {
    await assert.rejects(readSymbolSources(join(FIXTURES, 'prog-dwarf5')), /no __ksymtab_strings section/);
  });

  it('symbol<TAB>file lines still read as before', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kabi-dwarf-')), 'sources.tsv');
    writeFileSync(path, 'kfree\tmm/slab_common.c\nkmalloc_trace\t??:0\n');
    assert.deepEqual([...(await readSymbolSources(path))], [['kfree', 'mm/slab_common.c']]);
  });
});

describe('DWARF: hostile input is an ArtifactFormatError with section and offset', () => {
  // Edits of the committed DWARF 5 fixture, so that these run without a compiler.
  const base = () => new Uint8Array(readFileSync(join(FIXTURES, 'prog-dwarf5')));
  const reject = async (bytes: Uint8Array, pattern: RegExp, section: string) => {
    const e = await parseDwarfSources(bytes, { source: 'prog' }).then(
      () => null,
      (x: unknown) => x,
    );
    assert.ok(e instanceof ArtifactFormatError, `expected an ArtifactFormatError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.equal(e.section, section);
    assert.equal(typeof e.offset, 'number');
  };
  const sectionOf = (bytes: Uint8Array, name: string) => openElf(bytes, { source: 'p' }).section(name)!;
  const put32 = (bytes: Uint8Array, at: number, v: number) =>
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, v, true);

  it('64-bit DWARF is refused by name', async () => {
    const b = base();
    put32(b, sectionOf(b, '.debug_info').offset, 0xffffffff);
    await reject(b, /64-bit DWARF unit/, '.debug_info');
  });

  it('a unit longer than .debug_info', async () => {
    const b = base();
    put32(b, sectionOf(b, '.debug_info').offset, 0x7fffff00);
    await reject(b, /runs past the end of \.debug_info/, '.debug_info');
  });

  it('an abbreviation offset outside .debug_abbrev', async () => {
    const b = base();
    put32(b, sectionOf(b, '.debug_info').offset + 8, 0x7fffff00);
    await reject(b, /abbreviation offset .* outside \.debug_abbrev/, '.debug_info');
  });

  it('an unknown form in .debug_abbrev', async () => {
    const b = base();
    const s = sectionOf(b, '.debug_abbrev');
    // The first declaration: code 1, tag, children, then (name, form): make the first form 0x7f.
    let p = s.offset;
    while (b[p]! & 0x80) p++;
    p++;
    while (b[p]! & 0x80) p++;
    p += 2; // tag's last byte, children
    while (b[p]! & 0x80) p++;
    b[p + 1] = 0x7f;
    await reject(b, /unknown attribute form 0x7f/, '.debug_info');
  });

  it('every truncation of .debug_info ends in a typed error or a smaller map, never a crash', async () => {
    const b = base();
    const s = sectionOf(b, '.debug_info');
    for (let cut = 1; cut < Math.min(s.size, 400); cut += 7) {
      const copy = b.slice();
      put32(copy, s.offset, cut); // the first unit claims `cut` bytes
      await parseDwarfSources(copy, { source: 'prog' }).catch((e: unknown) =>
        assert.ok(e instanceof ArtifactFormatError, String(e)),
      );
    }
  });

  it('a relocatable object (cc -c) is refused: its DWARF is not relocated', { skip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kabi-dwarf-'));
    writeFileSync(join(dir, 'a.c'), 'int a;\n');
    execFileSync(tool('cc'), ['-g', '-c', 'a.c'], { cwd: dir, stdio: 'pipe' });
    await assert.rejects(
      parseDwarfSources(readFileSync(join(dir, 'a.o')), { source: 'a.o' }),
      /relocatable object/,
    );
  });

  it('no debug sections: says what to give', { skip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kabi-dwarf-'));
    writeFileSync(join(dir, 'a.c'), 'int main(void) { return 0; }\n');
    execFileSync(tool('cc'), ['-s', '-o', 'a', 'a.c'], { cwd: dir, stdio: 'pipe' });
    await assert.rejects(parseDwarfSources(readFileSync(join(dir, 'a')), { source: 'a' }), /no \.debug_info/);
  });
});

describe('unitPath', () => {
  it('keeps a prefix-mapped relative name, joins one that climbs, resolves dots', () => {
    assert.equal(unitPath('mm/slub.c', 'debian/build/build_amd64_none_amd64'), 'mm/slub.c');
    assert.equal(unitPath('../../mm/./slub.c', '/src/linux/build/x86'), '/src/linux/mm/slub.c');
    assert.equal(
      unitPath('/k/linux/arch/x86/kernel/head_64.S', '/k/linux/o'),
      '/k/linux/arch/x86/kernel/head_64.S',
    );
  });
});
