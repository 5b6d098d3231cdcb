// Runs one hostile input through one reader path in a process of its own, so that its peak RSS can be
// measured; prints {error, maxRssMiB} as JSON. Used by decompress-bomb.test.ts.
//   node bomb-child.js decompress FILE   whole-buffer decompress (a .ko.zst, symvers.gz)
//   node bomb-child.js exports FILE      readExportsArtifact, as `kabi symvers FILE` does
//   node bomb-child.js package FILE      every .ko of a .deb or .rpm, streamed
import { readFileSync } from 'node:fs';
import { decompress, openArtifact, readExportsArtifact } from '../../src/index.js';

const [mode, path] = process.argv.slice(2) as [string, string];
let error: Record<string, unknown> | null = null;
try {
  if (mode === 'decompress') await decompress(readFileSync(path), { source: path });
  else if (mode === 'exports') await readExportsArtifact(path);
  else {
    const source = await openArtifact(path);
    for await (const f of source.files((p) => p.endsWith('.ko'))) void f;
  }
} catch (e) {
  const err = e as Error & { limit?: string; cap?: number; offset?: number; section?: string };
  error = {
    name: err.constructor.name,
    message: err.message,
    limit: err.limit,
    cap: err.cap,
    section: err.section,
  };
}
const maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify({ error, maxRssMiB })}\n`);
