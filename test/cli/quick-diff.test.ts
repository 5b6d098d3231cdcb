// The quick entry (src/cli/quick.ts) takes `kabi diff A B` of two plain or xz Module.symvers before the whole
// CLI loads, decoding both files at once. Whatever it takes must come out as main.js writes it, byte for byte
// and with the same exit code; what it declines (gzip, a cut or foreign xz file, other options) reaches
// main.js before a byte is written, and main.js names the fault.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { KABI } from '../helpers/exec.js';
import { FIXTURES } from '../helpers/independent.js';

const DIST_CLI = join(KABI, '..', '..', 'dist', 'cli');
const xz = (abi: string) => join(FIXTURES, 'debian', `${abi}.symvers.xz`);
const dir = mkdtempSync(join(tmpdir(), 'kabi-quick-diff-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The diff writes its report with writeSync on fd 1, past process.stdout.write, so each case runs as its own
// process: bin/kabi.js's way (quick.cjs, main.js loaded only if it declines; fd 3 says whether it did) or
// main.js's alone.
const QUICK = `
const cli = process.env.DRIVER_CLI;
let loaded = false;
const load = () => { loaded = true; return import(new URL('main.js', cli).href); };
const quick = require(require('node:url').fileURLToPath(new URL('quick.cjs', cli)));
quick.run(['node', 'kabi', ...process.argv.slice(1)], load).then((code) => {
  process.exitCode = code;
  require('node:fs').writeSync(3, String(loaded));
});
`;
const MAIN = `process.exitCode = await (await import(new URL('main.js', process.env.DRIVER_CLI).href)).main(['node', 'kabi', ...process.argv.slice(1)]);`;

interface Outcome {
  loaded: boolean;
  status: number | null;
  stdout: string;
  stderr: string;
}

function drive(which: 'quick' | 'main', cases: string[][]): Outcome[] {
  const env = { ...process.env, NO_COLOR: '1', DRIVER_CLI: `${pathToFileURL(DIST_CLI).href}/` };
  return cases.map((args) => {
    const r =
      which === 'quick'
        ? spawnSync(process.execPath, ['-e', QUICK, ...args], {
            env,
            encoding: 'latin1',
            maxBuffer: 1 << 28,
            stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
          })
        : spawnSync(process.execPath, ['--input-type=module', '-e', MAIN, ...args], {
            env,
            encoding: 'latin1',
            maxBuffer: 1 << 28,
          });
    return {
      loaded: which === 'main' || r.output[3] === 'true',
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
    };
  });
}

function unxz(path: string): Buffer {
  return execFileSync('xz', ['-dc', path], { maxBuffer: 1 << 28 });
}
const hasXz = (() => {
  try {
    execFileSync('xz', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

describe('the quick entry: kabi diff of xz and plain files, as main.js answers', () => {
  it('writes the same bytes and exits with the same code, and takes the xz pairs itself', {
    skip: hasXz ? false : 'no xz(1)',
  }, () => {
    const plain = (abi: string) => {
      const p = join(dir, `${abi}.symvers`);
      writeFileSync(p, unxz(xz(abi)));
      return p;
    };
    const [p54, p55] = [plain('6.1.0-54'), plain('6.1.0-55')];
    const cut = join(dir, 'cut.symvers.xz');
    writeFileSync(cut, readFileSync(xz('6.1.0-55')).subarray(0, 4000));
    const words = join(dir, 'words.xz');
    writeFileSync(words, execFileSync('xz', ['-c'], { input: 'not a table\n' }));
    const gz = join(dir, '6.1.0-55.symvers.gz');
    writeFileSync(gz, gzipSync(readFileSync(p55)));
    const taken = [
      ['diff', '--format', 'json', xz('6.1.0-54'), xz('6.1.0-55')],
      ['diff', '-f', 'text', '--all', xz('6.1.0-47'), xz('6.1.0-50')],
      ['diff', '--limit', '3', '--exit-code', xz('6.1.0-56'), xz('6.12.117+deb12')],
      ['diff', '--format=json', p54, xz('6.1.0-55')], // one plain, one xz
      ['diff', '--no-color', xz('6.1.0-55'), xz('6.1.0-55')],
    ];
    const declined = [
      ['diff', cut, xz('6.1.0-55')], // main.js names the cut stream
      ['diff', xz('6.1.0-54'), words],
      ['diff', '--format', 'json', xz('6.1.0-54'), gz], // gzip: the sniffer's, in main.js
      ['diff', '-f', 'markdown', xz('6.1.0-54'), xz('6.1.0-55')],
    ];
    const cases = [...taken, ...declined];
    const quick = drive('quick', cases);
    const main = drive('main', cases);
    cases.forEach((args, i) => {
      const { loaded, ...q } = quick[i]!;
      const { loaded: _, ...m } = main[i]!;
      assert.deepEqual(q, m, args.join(' '));
      assert.equal(loaded, i >= taken.length, `${loaded ? 'declined' : 'took'}: ${args.join(' ')}`);
    });
    // What was compared is a real report: the JSON of the xz pair is the plain pair's.
    const [plainJson] = drive('quick', [['diff', '--format', 'json', p54, p55]]);
    assert.equal(plainJson!.status, 0);
    assert.equal(plainJson!.loaded, false);
    const sourceless = (json: string) => {
      const report = JSON.parse(json);
      for (const side of [report.old, report.new]) delete side.source;
      return report;
    };
    assert.deepEqual(sourceless(quick[0]!.stdout), sourceless(plainJson!.stdout));
    assert.match(quick[0]!.stdout, /"exports"/);
    assert.match(main[taken.length]!.stderr, /xz/);
    assert.notEqual(main[taken.length]!.status, 0);
  });
});
