// `kabi watch --serve PORT`: the watch serves its store's dashboard while it runs, /api/events streams
// the build it found, and SIGTERM ends both (exit 0 between rounds).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { KABI } from '../helpers/exec.js';
import { assertMatchesSchema } from '../helpers/json-validate.js';
import { symversFixture } from './repos.js';

test('kabi watch --serve: the dashboard streams the builds found, SIGTERM stops it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-watch-serve-'));
  try {
    mkdirSync(join(dir, 'in'));
    writeFileSync(join(dir, 'policy'), 'vmlinux\tFAIL\n');
    const file = join(dir, 'in', '6.1.0-47.symvers.xz');
    copyFileSync(symversFixture('6.1.0-47'), file);
    utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const args = ['--db', join(dir, 'k.db'), 'watch', join(dir, 'in'), '--policy', join(dir, 'policy')];
    const child = spawn(process.execPath, [KABI, ...args, '--serve', '0', '--interval', '1h', '-f', 'json']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const m = /dashboard at (http:\/\/\S+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.on('close', () => reject(new Error(`exited: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // The round runs after the server starts: wait for its event, then read it from the stream.
    while (!stdout.includes('\n')) await new Promise((r) => setTimeout(r, 100));
    const event = assertMatchesSchema('watch-event', stdout.trim());
    const abort = new AbortController();
    const res = await fetch(`${url}api/events`, { signal: abort.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!/^data: .*$/m.test(text)) text += (await reader.read()).value ?? '';
    abort.abort();
    assert.deepEqual(JSON.parse(/^data: (.*)$/m.exec(text)![1]!), event);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
