// Where npm test's time goes, per test file: `KABI_TEST_TIMES=times.jsonl node --import ./scripts/test-times.mjs
// scripts/test.mjs` (node:test passes --import on to each file's process) appends one line per test file:
// its wall seconds and its CPU seconds, its own and its waited-for children's (kabi, dpkg-deb, qemu, …;
// not a daemon's, such as the run's PostgreSQL server), from /proc/self/stat at exit.
// `node scripts/test-times.mjs times.jsonl [N]` prints the N costliest files by CPU and the totals.
// test/helpers/exec.ts does the same per kabi command with KABI_TEST_CALL_LOG=calls.jsonl.
import { appendFileSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const out = process.env.KABI_TEST_TIMES;
const file = process.argv[1] ?? '';
const dist = new URL('../dist/', import.meta.url).pathname;

if (import.meta.url === `file://${file}`) summary(process.argv[2], Number(process.argv[3] ?? 40));
else if (out && file.endsWith('.test.js')) {
  process.once('exit', () => {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    const hz = 100; // USER_HZ: the kernel's fixed unit for these fields on every Linux architecture
    appendFileSync(
      out,
      `${JSON.stringify({
        file: relative(dist, file),
        start: performance.timeOrigin,
        wall: performance.now() / 1000,
        cpu: (f[11] + f[12]) / hz,
        children: (f[13] + f[14]) / hz,
      })}\n`,
    );
  });
}

function summary(path, n) {
  const rows = readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .sort((a, b) => b.cpu + b.children - (a.cpu + a.children));
  const sum = (k) => rows.reduce((s, r) => s + r[k], 0);
  const end = Math.max(...rows.map((r) => r.start + r.wall * 1000));
  const span = (end - Math.min(...rows.map((r) => r.start))) / 1000;
  console.log(`${rows.length} files, span ${span.toFixed(0)} s; sum of walls ${sum('wall').toFixed(0)} s,`);
  console.log(`CPU ${(sum('cpu') + sum('children')).toFixed(0)} s (${sum('cpu').toFixed(0)} own, ${sum('children').toFixed(0)} children)`);
  console.log(`${'file'.padEnd(58)} ${'wall'.padStart(7)} ${'CPU'.padStart(7)} ${'own'.padStart(6)} ${'child'.padStart(6)}`);
  for (const r of rows.slice(0, n))
    console.log(
      `${r.file.padEnd(58)} ${r.wall.toFixed(1).padStart(7)} ${(r.cpu + r.children).toFixed(1).padStart(7)} ${r.cpu.toFixed(1).padStart(6)} ${r.children.toFixed(1).padStart(6)}`,
    );
}
