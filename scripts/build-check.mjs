// What `npm test` runs before the tests: the build (`npm run build`: tsc, then scripts/bundle.mjs), the
// dashboard's type check (tsc -p web/tsconfig.json) and the lint (biome check), side by side. tsc and the
// bundle keep about one core busy; the other two need nothing the build writes, so they run on the other
// core instead of after it (~4.5 s of the ~18 s the three took one after another). Each one's output is
// printed when all have ended, in this order; the exit status is the first failure's, or 0.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const STEPS = [
  ['build', 'npm', ['run', '-s', 'build']],
  ['web types', bin('tsc'), ['-p', 'web/tsconfig.json']],
  ['lint', bin('biome'), ['check', 'src', 'test', 'bench', 'bin', 'web', 'fuzz']],
];

/** One step run to its end: its exit status, and what it wrote to each stream, in order. */
function step([name, cmd, args]) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (c) => out.push([process.stdout, c]));
    child.stderr.on('data', (c) => out.push([process.stderr, c]));
    child.on('error', (e) => resolve({ name, status: 1, out: [[process.stderr, `${cmd}: ${e.message}\n`]] }));
    child.on('close', (code, signal) => resolve({ name, status: code ?? (signal ? 1 : 0), out }));
  });
}

const results = await Promise.all(STEPS.map(step));
let status = 0;
for (const r of results) {
  for (const [stream, chunk] of r.out) stream.write(chunk);
  if (r.status !== 0) {
    console.error(`scripts/build-check.mjs: ${r.name} failed (exit ${r.status})`);
    if (status === 0) status = r.status;
  }
}
process.exit(status);
