// Text from artifacts (symbol names, modinfo strings, labels, file names) is printed with control
// characters shown, never obeyed: a module whose description holds ANSI escapes must not recolour the
// terminal, on stdout or in a warning on stderr.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildElf, modinfoSection, versionsSection } from '../helpers/elf-builder.js';
import { kabi } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';
import { storeFree, testDb } from '../helpers/test-store.js';

const RED = '\u001b[31m';
const TITLE = '\u001b]0;pwned\u0007';
const BIDI = '\u202e';
/** Anything a terminal would act on: ESC, BEL, C1 controls, bidi overrides. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function evilModule(dir: string): string {
  const elf = buildElf({
    is64: true,
    littleEndian: true,
    machine: 62,
    sections: [
      {
        name: '.modinfo',
        data: modinfoSection([
          'license=GPL',
          'name=evil',
          'vermagic=6.1.0-54-amd64 SMP preempt mod_unload modversions ',
          `description=red ${RED}text${BIDI} and ${TITLE}title`,
          `author=${RED}someone`,
        ]),
      },
      {
        name: '__versions',
        data: versionsSection(
          [
            [0x99, `kmalloc${RED}_trace`],
            [0x98, 'module_layout'],
          ],
          true,
          true,
        ),
      },
    ],
  });
  const path = join(dir, 'evil.ko');
  writeFileSync(path, elf);
  return path;
}

function assertShown(out: string, what: string): void {
  assert.doesNotMatch(out, UNSAFE, `${what}: a control character reached the output: ${JSON.stringify(out)}`);
}

describe('artifact text is printed with control characters shown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-ctl-'));
  const ko = evilModule(dir);

  it('modinfo (text, -F, markdown) and modversions', { skip: storeFree }, () => {
    const text = kabi(['modinfo', ko]);
    assert.equal(text.status, 0, text.stderr);
    assertShown(text.stdout, 'modinfo');
    assert.match(
      text.stdout,
      /description: red \\u\{1b\}\[31mtext\\u\{202e\} and \\u\{1b\}\]0;pwned\\u\{7\}title/,
    );
    const field = kabi(['modinfo', '-F', 'description', ko]);
    assertShown(field.stdout, 'modinfo -F');
    assert.equal(field.stdout, 'red \\u{1b}[31mtext\\u{202e} and \\u{1b}]0;pwned\\u{7}title\n');
    assertShown(kabi(['modinfo', '-f', 'markdown', ko]).stdout, 'modinfo markdown');
    const mv = kabi(['modversions', ko]);
    assertShown(mv.stdout, 'modversions');
    assert.match(mv.stdout, /kmalloc\\u\{1b\}\[31m_trace/);
    // A tree (read sparsely, written as read): its file names too.
    const tree = join(dir, `tree${RED}`);
    mkdirSync(tree);
    copyFileSync(ko, join(tree, `evil${BIDI}.ko`));
    const mvTree = kabi(['modversions', tree]);
    assert.equal(mvTree.status, 0, mvTree.stderr);
    assertShown(mvTree.stdout, 'modversions DIR');
    assert.match(mvTree.stdout, /evil\\u\{202e\}\.ko\)\t0x00000099\tkmalloc\\u\{1b\}\[31m_trace\n/);
  });

  it('list, show and ingest print labels with controls shown; JSON keeps the text exact', () => {
    const db = testDb(dir);
    const ing = kabi([
      '--db',
      db,
      'ingest',
      '-l',
      `note=${RED}x${BIDI}`,
      join(FIXTURES, 'debian', '6.1.0-54.symvers.xz'),
    ]);
    assert.equal(ing.status, 0, ing.stderr);
    assertShown(ing.stdout, 'ingest');
    for (const args of [['list'], ['show', '1'], ['list', '-f', 'markdown']]) {
      const r = kabi(['--db', db, ...args]);
      assert.equal(r.status, 0, r.stderr);
      assertShown(r.stdout, args.join(' '));
      assert.match(r.stdout, /note=\\u\{1b\}\[31mx\\u\{202e\}/, args.join(' '));
    }
    const json = JSON.parse(kabi(['--db', db, 'list', '-f', 'json']).stdout) as {
      labels: Record<string, string>;
    }[];
    assert.equal(json[0]!.labels.note, `${RED}x${BIDI}`);
  });

  it('summary and diff of a Module.symvers whose names hold escapes', { skip: storeFree }, () => {
    const line = (crc: string, sym: string, mod: string, ns = '') =>
      `${crc}\t${sym}\t${mod}\tEXPORT_SYMBOL\t${ns}`;
    const a = join(dir, 'a.symvers');
    const b = join(dir, 'b.symvers');
    writeFileSync(
      a,
      `${[line('0x1', `evil${RED}sym`, `drivers/${RED}x`, `NS${TITLE}`), line('0x2', 'ok', 'vmlinux')].join('\n')}\n`,
    );
    writeFileSync(
      b,
      `${[line('0x3', `evil${RED}sym`, `drivers/${RED}x`, `NS${TITLE}`), line('0x4', `new${BIDI}`, 'vmlinux')].join('\n')}\n`,
    );
    const summary = kabi(['summary', a]);
    assert.equal(summary.status, 0, summary.stderr);
    assertShown(summary.stdout, 'summary');
    for (const format of ['text', 'markdown']) {
      const diff = kabi(['diff', '-f', format, a, b]);
      assert.equal(diff.status, 0, diff.stderr);
      assertShown(diff.stdout, `diff ${format}`);
      assert.match(diff.stdout, /evil\\u\{1b\}\[31msym/);
    }
  });

  it('why and explain-style verdicts, and warnings on stderr naming hostile files', {
    skip: storeFree,
  }, () => {
    const mods = join(dir, 'mods');
    mkdirSync(mods);
    writeFileSync(join(mods, `broken${RED}.ko`), 'not an ELF file at all');
    copyFileSync(ko, join(mods, 'evil.ko'));
    const r = kabi(['compat', '-m', ko, '-k', join(FIXTURES, 'debian', '6.1.0-54.symvers.xz')]);
    assertShown(r.stdout, 'compat');
    assertShown(r.stderr, 'compat stderr');
    const w = kabi(['compat', '-m', mods, '-k', join(FIXTURES, 'debian', '6.1.0-54.symvers.xz')]);
    assertShown(w.stderr, 'compat warnings');
    assert.match(w.stderr, /broken\\u\{1b\}\[31m\.ko/);
    const why = kabi(['why', ko, join(FIXTURES, 'debian', '6.1.0-54.symvers.xz')]);
    assertShown(why.stdout, 'why');
    assertShown(why.stderr, 'why stderr');
  });
});
