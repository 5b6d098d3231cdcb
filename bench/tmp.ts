// A bench's working directory (stores, unpacked images, outputs: up to 1.2 GB), removed when the process
// exits, however the run ends, so that `npm run bench` leaves nothing in the temporary directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function benchTempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kabi-bench-${name}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// An interrupted run still exits through 'exit' (Node's default for these signals skips it).
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  if (process.listenerCount(signal) === 0) process.once(signal, () => process.exit(130));
