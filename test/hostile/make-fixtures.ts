// Writes the committed hostile fixtures of issue 16 (see test/fixtures/hostile/*/PROVENANCE.md):
//   npx tsc -p tsconfig.json && node dist/test/hostile/make-fixtures.js
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bombTarHead, debWith, tarArchive, zstdZeros } from './bombs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/hostile');
const GiB = 1024 ** 3;

function write(path: string, bytes: Buffer) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), bytes);
  console.log(`${path}: ${bytes.length} bytes`);
}

write('decompress/zeros-2g.ko.zst', zstdZeros(2 * GiB));
write('pkg/zstd-bomb.deb', debWith('data.tar.zst', zstdZeros(2 * GiB, bombTarHead(1000 * 1024 * 1024))));
// Issue 16's tar case: b.ko's header at 0x400 has a broken checksum; it was reported at 0x600, unnamed.
const modules = './usr/lib/modules/6.12.0-hostile/kernel';
const tar = tarArchive([
  { name: `${modules}/a.ko`, data: Buffer.alloc(300, 'a') },
  { name: `${modules}/b.ko`, data: Buffer.alloc(300, 'b'), patch: { 148: '0000000\0' }, fixChecksum: false },
]);
write('pkg/tar-bad-header.deb', debWith('data.tar', tar));
