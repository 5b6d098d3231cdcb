// A kernel entry's BTF in the SQLite store (migration 7): the bytes of vmlinux's .BTF and of the kfunc
// modules' split .BTF, as the kernel built them, for `kabi bpf-compat --series` (CO-RE needs whole types,
// which the type digest of sqlite-btf.ts does not keep). Each blob is stored once by its sha256 and
// zstd-compressed (a 6.1 vmlinux .BTF: 5.3 MB, about 1 MB compressed); consecutive builds of a stream
// often share module blobs.
import { createHash } from 'node:crypto';
import type { Sql } from './sqlite-db.js';
import type { KernelBtfBlobs } from './store.js';
import { zstdNapi } from './zstd.js';

/** Call inside the ingest's transaction. */
export function saveKernelBtf(sql: Sql, entry: number, btf: KernelBtfBlobs): void {
  const blob = sql.stmt('INSERT OR IGNORE INTO btf_blobs (sha256, size, data) VALUES (?, ?, ?)');
  const known = sql.stmt('SELECT 1 FROM btf_blobs WHERE sha256 = ?');
  const link = sql.stmt('INSERT OR REPLACE INTO entry_btf (entry, module, blob) VALUES (?, ?, ?)');
  for (const [module, bytes] of [
    ['', btf.vmlinux] as const,
    ...btf.modules.map((m) => [m.name, m.bytes] as const),
  ]) {
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (known.get(sha) === undefined)
      blob.run(sha, bytes.length, zstdNapi().compress(bytes, { compressionLevel: 3 }));
    link.run(entry, module, sha);
  }
}

/** The entry's BTF; null when none was kept (no BTF, not a kernel, or stored before migration 7). */
export function loadKernelBtf(sql: Sql, entry: number): KernelBtfBlobs | null {
  const rows = sql
    .stmt(
      'SELECT e.module, b.size, b.data FROM entry_btf e JOIN btf_blobs b ON b.sha256 = e.blob WHERE e.entry = ? ORDER BY e.module',
    )
    .all(entry) as { module: string; size: number; data: Buffer }[];
  const vmlinux = rows.find((r) => r.module === '');
  if (!vmlinux) return null;
  const { decompress } = zstdNapi();
  // A view of the decompressed bytes: vmlinux's 4 MB copied again cost explain 12 ms a side.
  const bytes = (r: { data: Buffer }) => {
    const b = decompress(r.data);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  };
  return {
    vmlinux: bytes(vmlinux),
    modules: rows.filter((r) => r.module !== '').map((r) => ({ name: r.module, bytes: bytes(r) })),
  };
}

/** After a removal: blobs no entry uses. */
export function pruneKernelBtf(sql: Sql): void {
  sql.db.exec('DELETE FROM btf_blobs WHERE sha256 NOT IN (SELECT blob FROM entry_btf)');
}
