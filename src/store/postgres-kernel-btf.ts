// A kernel entry's BTF bytes in the PostgreSQL store: the same blobs and dedup as SQLite's
// (sqlite-kernel-btf.ts). Two writers storing one blob at once make one row (ON CONFLICT on its sha256).
import { createHash } from 'node:crypto';
import type { PgTx } from './postgres-db.js';
import type { KernelBtfBlobs } from './store.js';

/** Call inside the ingest's transaction. */
export async function saveKernelBtf(tx: PgTx, entry: number, btf: KernelBtfBlobs): Promise<void> {
  // Loaded here, not at start: few store commands touch BTF (as in sqlite-kernel-btf.ts).
  const { compress } = await import('zstd-napi');
  for (const [module, bytes] of [
    ['', btf.vmlinux] as const,
    ...btf.modules.map((m) => [m.name, m.bytes] as const),
  ]) {
    const sha = createHash('sha256').update(bytes).digest('hex');
    const known = await tx`SELECT 1 FROM btf_blobs WHERE sha256 = ${sha}`;
    if (known.length === 0)
      await tx`
        INSERT INTO btf_blobs (sha256, size, data)
        VALUES (${sha}, ${bytes.length}, ${compress(bytes, { compressionLevel: 3 })})
        ON CONFLICT (sha256) DO NOTHING`;
    await tx`
      INSERT INTO entry_btf (entry, module, blob) VALUES (${entry}, ${module}, ${sha})
      ON CONFLICT (entry, module) DO UPDATE SET blob = excluded.blob`;
  }
}

export async function loadKernelBtf(tx: PgTx, entry: number): Promise<KernelBtfBlobs | null> {
  const rows = await tx`
    SELECT e.module, b.data FROM entry_btf e JOIN btf_blobs b ON b.sha256 = e.blob
    WHERE e.entry = ${entry} ORDER BY e.module`;
  const vmlinux = rows.find((r) => r.module === '');
  if (!vmlinux) return null;
  const { decompress } = await import('zstd-napi');
  // A view of the decompressed bytes: vmlinux's 4 MB copied again cost explain 12 ms a side.
  const bytes = (r: { data: Buffer }) => {
    const b = decompress(r.data);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  };
  return {
    vmlinux: bytes(vmlinux as unknown as { data: Buffer }),
    modules: rows
      .filter((r) => r.module !== '')
      .map((r) => ({ name: r.module as string, bytes: bytes(r as unknown as { data: Buffer }) })),
  };
}

/** After a removal: blobs no entry uses. */
export async function pruneKernelBtf(tx: PgTx): Promise<void> {
  await tx`DELETE FROM btf_blobs WHERE sha256 NOT IN (SELECT blob FROM entry_btf)`;
}
