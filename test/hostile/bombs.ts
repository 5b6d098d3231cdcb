// Hostile package inputs built in memory: decompression bombs (zeros, compressed as concatenated frames
// or streams so that a few KB stand for GiB without ever holding them), tar headers written field by
// field so that any field can be broken, and .deb (ar) archives around them. make-fixtures.ts writes the
// committed ones under test/fixtures/hostile/.
import { gzipSync } from 'node:zlib';
import { xzSync } from 'node-liblzma';
import { compress } from 'zstd-napi';

const PIECE = 16 * 1024 * 1024;

function repeated(piece: Buffer, total: number): Buffer {
  return Buffer.concat(Array.from({ length: Math.ceil(total / PIECE) }, () => piece));
}

/** `total` zero bytes as zstd frames of 16 MiB each (RFC 8878 allows frames back to back). */
export function zstdZeros(total: number, prefix: Buffer = Buffer.alloc(0)): Buffer {
  const first = prefix.length === 0 ? [] : [compress(prefix)];
  return Buffer.concat([...first, repeated(compress(Buffer.alloc(PIECE), { compressionLevel: 19 }), total)]);
}

/** `total` zero bytes as xz streams of 16 MiB each (xz(1) reads concatenated streams). */
export function xzZeros(total: number, prefix: Buffer = Buffer.alloc(0)): Buffer {
  const first = prefix.length === 0 ? [] : [xzSync(prefix)];
  return Buffer.concat([...first, repeated(xzSync(Buffer.alloc(PIECE), { preset: 9 }), total)]);
}

/** `total` zero bytes as gzip members of 16 MiB each (RFC 1952: a gzip file may hold several). */
export function gzipZeros(total: number, prefix: Buffer = Buffer.alloc(0)): Buffer {
  const first = prefix.length === 0 ? [] : [gzipSync(prefix)];
  return Buffer.concat([...first, repeated(gzipSync(Buffer.alloc(PIECE), { level: 9 }), total)]);
}

export interface TarEntry {
  name: string;
  size?: number;
  /** '0' file (default), '1' hard link, '2' symlink, '5' directory, 'x' pax, 'L' GNU long name. */
  type?: string;
  linkname?: string;
  data?: Buffer;
  /** Raw bytes written over the header after the checksum is set (e.g. `{ 124: 'zzz' }`). */
  patch?: Record<number, string | Buffer>;
  /** Set the checksum after patching (default) or leave the patched header's old checksum. */
  fixChecksum?: boolean;
}

/** One ustar header block, fields as tar(5) lays them out; the checksum computed unless told not to. */
export function tarHeader(e: TarEntry): Buffer {
  const h = Buffer.alloc(512);
  const size = e.size ?? e.data?.length ?? 0;
  h.write(e.name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('14000000000\0', 136, 'latin1');
  h.write(e.type ?? '0', 156, 'latin1');
  if (e.linkname) h.write(e.linkname, 157, 100, 'utf8');
  h.write('ustar\x0000', 257, 'latin1');
  const sum = () => {
    h.fill(0x20, 148, 156);
    let s = 0;
    for (const b of h) s += b;
    h.write(`${s.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  };
  sum();
  for (const [at, bytes] of Object.entries(e.patch ?? {})) {
    const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    b.copy(h, Number(at));
  }
  if (e.patch && e.fixChecksum !== false) sum();
  return h;
}

/** A tar of `entries`, each header followed by its data padded to 512 bytes, then the end blocks. */
export function tarArchive(entries: TarEntry[], end = true): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(tarHeader(e));
    if (e.data) parts.push(e.data, Buffer.alloc((512 - (e.data.length % 512)) % 512));
  }
  if (end) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** An ar archive as dpkg-deb writes it (ar(5), short names ending in "/"-less padding). */
export function arArchive(members: [name: string, data: Buffer][]): Buffer {
  const parts: Buffer[] = [Buffer.from('!<arch>\n')];
  for (const [name, data] of members) {
    const header = `${name.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'100644'.padEnd(8)}${String(data.length).padEnd(10)}\`\n`;
    parts.push(Buffer.from(header, 'latin1'), data);
    if (data.length % 2 === 1) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

const CONTROL = 'Package: linux-image-hostile\nVersion: 1.0\nArchitecture: amd64\n';

/** A .deb whose data.tar member is `data`, named `dataName` (the name only informs; content decides). */
export function debWith(dataName: string, data: Buffer): Buffer {
  const control = gzipSync(tarArchive([{ name: './control', data: Buffer.from(CONTROL) }]));
  return arArchive([
    ['debian-binary', Buffer.from('2.0\n')],
    ['control.tar.gz', control],
    [dataName, data],
  ]);
}

/** The header of a file that the zeros after it fill: a bomb inside data.tar. */
export const bombTarHead = (size: number) =>
  tarHeader({ name: './usr/lib/modules/6.12.0-hostile/kernel/b.ko', size });
