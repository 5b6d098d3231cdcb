// A directory as the source: files that appear are ingested once; a file still being written (younger
// than 2 s) waits a round; an unreadable file is rejected once and never tried again; a build the gate
// cannot compare with its baseline is stored and says why it was not gated.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kabi } from '../helpers/exec.js';
import { needs } from '../helpers/tools.js';
import { symversFixture } from './repos.js';
import { watch } from './run.js';

describe('kabi watch on a directory', { skip: needs('xz') }, () => {
  let dir: string;
  const inbox = () => join(dir, 'in');
  const age = (file: string, seconds: number) => {
    const t = new Date(Date.now() - seconds * 1000);
    utimesSync(file, t, t);
  };
  const run = () =>
    watch([
      '--db',
      join(dir, 'k.db'),
      'watch',
      `dir:${inbox()}`,
      '--policy',
      join(dir, 'policy'),
      '--once',
      '-f',
      'json',
    ]);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kabi-watch-dir-'));
    mkdirSync(inbox());
    writeFileSync(join(dir, 'policy'), 'vmlinux\tFAIL\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ingests what is settled, rejects what is not a build once, and leaves a file being written', async () => {
    copyFileSync(symversFixture('6.1.0-47'), join(inbox(), '6.1.0-47.symvers.xz'));
    age(join(inbox(), '6.1.0-47.symvers.xz'), 60);
    writeFileSync(join(inbox(), 'notes.txt'), 'not a kernel build\n');
    age(join(inbox(), 'notes.txt'), 60);
    copyFileSync(symversFixture('6.1.0-50'), join(inbox(), '6.1.0-50.symvers.xz'));
    // Written just now, however long the watcher then takes to start on a loaded machine (the mtime of a
    // file still being written is never in the past by more than the settle time).
    age(join(inbox(), '6.1.0-50.symvers.xz'), -60);
    const r = await run();
    assert.deepEqual(
      r.events.map((e) => [e.type, e.package?.name]),
      [
        ['build', '6.1.0-47.symvers.xz'],
        ['rejected', 'notes.txt'],
      ],
      r.stderr,
    );
    assert.equal(r.status, 1);
    age(join(inbox(), '6.1.0-50.symvers.xz'), 60);
    const again = await run();
    assert.deepEqual(
      again.events.map((e) => [e.type, e.package?.name, e.gate?.verdict]),
      [['build', '6.1.0-50.symvers.xz', 'incompatible']],
    );
  });

  it('stores a build the gate cannot compare (modules only against a kernel) and says why', async () => {
    // The 6.1.0-54 Module.symvers without vmlinux's lines: what an external module build writes.
    const text = execFileSync('xz', ['-dc', symversFixture('6.1.0-54')], { maxBuffer: 1 << 28 }).toString();
    const modulesOnly = text.split('\n').filter((l) => l && l.split('\t')[2] !== 'vmlinux');
    const file = join(inbox(), '6.1.0-54.symvers');
    writeFileSync(file, `${modulesOnly.join('\n')}\n`);
    age(file, 60);
    const r = await run();
    assert.equal(r.events.length, 1, r.stderr);
    const [e] = r.events;
    assert.equal(e!.type, 'build');
    assert.equal(e!.gate, null);
    assert.match(e!.message ?? '', /^not gated: .*vmlinux exports/);
    assert.equal(e!.exitCode & 1, 1);
    // As kabi check says of the same two files.
    const check = kabi(['check', '-b', symversFixture('6.1.0-50'), file]);
    assert.equal(check.status, 1);
    assert.match(check.stderr, /vmlinux exports/);
  });
});
