// The real Debian bookworm kernel image, against dpkg-deb's own listing. Uses /work/cache when the
// .deb is there, else tries `apt-get download` into a temporary directory; skips when neither works.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { needs } from '../../../test/helpers/tools.js';
import { tempDir } from './fixtures.test.js';
import { openArtifact } from './index.js';

const PACKAGE = 'linux-image-6.1.0-47-amd64-unsigned';
const VERSION = '6.1.170-3';
const FILE = `${PACKAGE}_${VERSION}_amd64.deb`;

function findDeb(): string | string[] {
  const cached = join('/work/cache', FILE);
  if (existsSync(cached)) return cached;
  if (needs('apt-get')) return [`${FILE} is not in /work/cache and apt-get is not on PATH`];
  const dir = tempDir('real-deb');
  const got = spawnSync('apt-get', ['download', `${PACKAGE}=${VERSION}`], { cwd: dir, timeout: 300_000 });
  const deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
  if (got.status !== 0 || deb === undefined) {
    return [`${FILE} is not in /work/cache and apt-get download failed (offline?)`];
  }
  return join(dir, deb);
}

const found = needs('dpkg-deb') ? [needs('dpkg-deb') as string] : findDeb();
const skip = typeof found === 'string' ? false : `skipping the real linux-image test: ${found[0]}`;

describe(`real Debian ${PACKAGE}`, { skip }, () => {
  it('streams exactly the .ko files dpkg-deb lists, with their sizes', async () => {
    const deb = found as string;
    // dpkg-deb -c: "-rw-r--r-- root/root   23121 2025-01-01 00:00 ./lib/modules/.../x.ko"
    const listed = new Map<string, number>();
    const listing = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8', maxBuffer: 1 << 28 });
    for (const line of listing.split('\n')) {
      const m = /^-\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+\.\/(.+\.ko)$/.exec(line);
      if (m !== null) listed.set(m[2]!, Number(m[1]));
    }
    assert.equal(listed.size, 4022);
    const source = await openArtifact(deb);
    const meta = await source.metadata();
    assert.equal(meta.name, PACKAGE);
    assert.equal(meta.version, VERSION);
    assert.equal(meta.arch, 'amd64');
    assert.equal(meta.fields.Source, 'linux');
    const streamed = new Map<string, number>();
    for await (const f of source.files((p) => p.endsWith('.ko'))) {
      assert.equal(f.data.length, f.size);
      if (streamed.size === 0) assert.equal(f.data.subarray(0, 4).toString('latin1'), '\x7fELF');
      streamed.set(f.path, f.size);
    }
    assert.deepEqual(streamed, listed);
  });
});
