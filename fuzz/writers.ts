// Minimal writers for the archive formats the package readers take apart (ustar tar, ar, cpio newc),
// so that the fuzz seeds and the property tests can build valid archives of any shape, then break them.
// Only what the readers need: regular files, symlinks and (cpio) hard links; fixed owner and time.

export interface ArchiveEntry {
  path: string;
  data?: Uint8Array;
  /** A symlink to this target (data is ignored). */
  symlink?: string;
}

const enc = (s: string) => Buffer.from(s, 'latin1');

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** One ustar header block: name (≤ 100 bytes), mode, size, typeflag, linkname, magic. */
function tarHeader(e: ArchiveEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(e.path, 0, 100, 'latin1');
  h.write(octal(e.symlink === undefined ? 0o644 : 0o777, 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  h.write(octal(size, 12), 124, 'latin1');
  h.write(octal(0, 12), 136, 'latin1');
  h.fill(0x20, 148, 156);
  h.write(e.symlink === undefined ? '0' : '2', 156, 'latin1');
  if (e.symlink !== undefined) h.write(e.symlink, 157, 100, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

const pad = (n: number, to: number) => Buffer.alloc((to - (n % to)) % to);

/** A ustar archive with the two zero blocks that end it. */
export function tarArchive(entries: readonly ArchiveEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.symlink === undefined ? Buffer.from(e.data ?? new Uint8Array()) : Buffer.alloc(0);
    parts.push(tarHeader(e, data.length), data, pad(data.length, 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A System V / GNU ar archive (as a .deb is): 60-byte member headers, data padded to even length. */
export function arArchive(members: readonly { name: string; data: Uint8Array }[]): Buffer {
  const parts: Buffer[] = [enc('!<arch>\n')];
  for (const m of members) {
    const header =
      `${m.name}/`.padEnd(16) +
      '0'.padEnd(12) +
      '0'.padEnd(6) +
      '0'.padEnd(6) +
      '100644'.padEnd(8) +
      String(m.data.length).padEnd(10) +
      '`\n';
    parts.push(enc(header), Buffer.from(m.data), pad(m.data.length, 2));
  }
  return Buffer.concat(parts);
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** A cpio "new ASCII" (070701) archive ending in TRAILER!!!, as rpm writes payloads. */
export function cpioArchive(entries: readonly ArchiveEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  const add = (name: string, mode: number, data: Uint8Array) => {
    const nameBytes = Buffer.concat([enc(name), Buffer.alloc(1)]);
    const fields = [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, nameBytes.length, 0];
    const header = enc(`070701${fields.map(hex8).join('')}`);
    parts.push(
      header,
      nameBytes,
      pad(header.length + nameBytes.length, 4),
      Buffer.from(data),
      pad(data.length, 4),
    );
  };
  for (const e of entries) {
    if (e.symlink !== undefined) add(e.path, 0o120777, enc(e.symlink));
    else add(e.path, 0o100644, e.data ?? new Uint8Array());
  }
  add('TRAILER!!!', 0, new Uint8Array());
  return Buffer.concat(parts);
}
