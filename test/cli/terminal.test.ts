// `kabi` on a terminal: where stderr is a TTY (and CI is unset) the commands that read many modules or
// download packages draw a progress line, so they take a path that pipes never take. Each command runs
// under script(1), which gives it a pseudo-terminal, and must answer what it answers in a pipe.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildArchive, type RepoServer, serve } from '../../src/fetch/fixtures.test.js';
import { KABI, kabi } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';
import { needs } from '../helpers/tools.js';

const skip = needs('script');
const SYMVERS = join(FIXTURES, 'debian');
const TREE = join(FIXTURES, 'modules', 'amd64-5.10', 'lib');

const ERASE_LINE = '\x1b[2K';
const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** What the terminal showed (stdout and stderr as one), without its escape sequences (colours too) and CRs. */
function onTerminal(args: string[]): Promise<{ status: number | null; shown: string; raw: string }> {
  // As a user's terminal: colours on, not CI.
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CI;
  delete env.NO_COLOR;
  // -q: no banner; -e: the command's exit code; -c: the command; /dev/null: no typescript file.
  const command = [process.execPath, KABI, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => out.push(b));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      const raw = Buffer.concat(out).toString('utf8');
      // A line erased (ESC [2K, as a progress line is when it stops) shows only what was written after.
      const shown = raw
        .split('\n')
        .map((line) => {
          const at = line.lastIndexOf(ERASE_LINE);
          return at < 0 ? line : line.slice(at + ERASE_LINE.length);
        })
        .join('\n')
        .replace(/\x1b(?:\[[0-9;?]*[A-Za-z]|[78])/g, '')
        .replace(/\r/g, '');
      resolve({ status, shown, raw });
    });
  });
}

/** Every line a pipe got on stdout is on the terminal, in order. */
function assertShows(shown: string, piped: string): void {
  const lines = shown.split('\n');
  let at = 0;
  for (const line of piped.split('\n').filter((l) => l !== '')) {
    const i = lines.indexOf(line, at);
    assert.ok(i >= 0, `the terminal shows ${JSON.stringify(line)}`);
    at = i + 1;
  }
}

describe('on a terminal, the commands that draw a progress line answer as in a pipe', { skip }, () => {
  it('symvers of a module tree: its progress line, then the same exports', async () => {
    const piped = kabi(['symvers', TREE]);
    assert.equal(piped.status, 0, piped.stderr);
    const t = await onTerminal(['symvers', TREE]);
    assert.equal(t.status, 0, t.shown);
    assert.doesNotMatch(t.shown, /internal error/);
    assert.match(t.raw, /modules read/, 'a progress line was drawn');
    assertShows(t.shown, piped.stdout);
  });

  it('diff of two Debian symvers.xz files', async () => {
    const args = ['diff', join(SYMVERS, '6.1.0-47.symvers.xz'), join(SYMVERS, '6.1.0-50.symvers.xz')];
    const piped = kabi(args);
    assert.equal(piped.status, 0, piped.stderr);
    const t = await onTerminal(args);
    assert.equal(t.status, 0, t.shown);
    assertShows(t.shown, piped.stdout);
  });

  it('ingest of a module tree, then list names the build', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kabi-terminal-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const db = join(dir, 'kabi.db');
    const t = await onTerminal(['--db', db, 'ingest', '-l', 'stream=tty', TREE]);
    assert.equal(t.status, 0, t.shown);
    assert.match(t.raw, /modules read/);
    const list = kabi(['--db', db, 'list', '-f', 'json']);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /stream=tty|"stream": ?"tty"/);
  });
});

describe('on a terminal, fetch draws its byte count and downloads', {
  skip: skip || needs('dpkg-deb', 'xz'),
}, () => {
  const root = mkdtempSync(join(tmpdir(), 'kabi-terminal-repo-'));
  let server: RepoServer;
  before(async () => {
    mkdirSync(root, { recursive: true });
    buildArchive(root, 'debian', 'bookworm', [
      {
        name: 'linux-headers-6.1.0-50-amd64',
        version: '6.1.176-1',
        files: {
          'usr/src/linux-headers-6.1.0-50-amd64/Module.symvers':
            '0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n',
        },
      },
    ]);
    server = await serve(root);
  });
  after(() => {
    server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('fetch debian --mirror: the package and its manifest are written', async () => {
    const out = join(root, 'out');
    const t = await onTerminal([
      'fetch',
      'debian',
      '--suite',
      'bookworm',
      '--flavour',
      'amd64',
      '--mirror',
      `${server.url}/debian`,
      '--out',
      out,
    ]);
    assert.equal(t.status, 0, t.shown);
    assert.doesNotMatch(t.shown, /internal error/);
    assert.deepEqual(readdirSync(out).sort(), [
      'linux-headers-6.1.0-50-amd64_6.1.176-1_amd64.deb',
      'manifest.json',
    ]);
  });
});
