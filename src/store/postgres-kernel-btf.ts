// A kernel entry's BTF bytes in the PostgreSQL store: the same blobs, rows and dedup as SQLite's
// (sqlite-kernel-btf.ts). Two writers storing one blob at once make one row (ON CONFLICT on its sha256).
import { createHash } from 'node:crypto';
import { lazyBlob } from './btf-blob.js';
import type { PgTx } from './postgres-db.js';

import type { KernelBtfBlobs } from './store.js';

/** Rows per INSERT: a package's ~930 module blobs in a few statements, not one round trip each. */
const BATCH = 200;

/** Call inside the ingest's transaction. */
export async function saveKernelBtf(tx: PgTx, entry: number, btf: KernelBtfBlobs): Promise<void> {
  // Loaded here, not at start: few store commands touch BTF (as in sqlite-kernel-btf.ts).
  const { compress } = await import('zstd-napi');
  const all = [
    { module: '', bytes: btf.vmlinux, kfuncs: true },
    ...btf.modules.map((m) => ({ module: m.name, bytes: m.bytes, kfuncs: m.kfuncs })),
  ].map((b) => ({ ...b, sha: createHash('sha256').update(b.bytes).digest('hex') }));
  const shas = [...new Set(all.map((b) => b.sha))];
  const known = new Set(
    (await tx`SELECT sha256 FROM btf_blobs WHERE sha256 = ANY(${shas}::text[])`).map(
      (r) => r.sha256 as string,
    ),
  );
  const fresh = new Map<string, Uint8Array>();
  for (const b of all) if (!known.has(b.sha)) fresh.set(b.sha, b.bytes);
  const blobs = [...fresh].map(([sha256, bytes]) => ({
    sha256,
    size: bytes.length,
    data: compress(bytes, { compressionLevel: 3 }),
  }));
  for (let at = 0; at < blobs.length; at += BATCH)
    await tx`
      INSERT INTO btf_blobs ${tx(blobs.slice(at, at + BATCH), 'sha256', 'size', 'data')}
      ON CONFLICT (sha256) DO NOTHING`;
  const links = all.map((b) => ({ entry, module: b.module, blob: b.sha, kfuncs: b.kfuncs }));
  for (let at = 0; at < links.length; at += BATCH)
    await tx`
      INSERT INTO entry_btf ${tx(links.slice(at, at + BATCH), 'entry', 'module', 'blob', 'kfuncs')}
      ON CONFLICT (entry, module) DO UPDATE SET blob = excluded.blob, kfuncs = excluded.kfuncs`;
  if (btf.exporters)
    await tx`INSERT INTO entry_btf_exporters (entry) VALUES (${entry}) ON CONFLICT (entry) DO NOTHING`;
}

export async function loadKernelBtf(
  tx: PgTx,
  entry: number,
  modules: 'kfuncs' | 'all' = 'kfuncs',
): Promise<KernelBtfBlobs | null> {
  const rows = await tx`
    SELECT e.module, e.kfuncs, b.data FROM entry_btf e JOIN btf_blobs b ON b.sha256 = e.blob
    WHERE e.entry = ${entry} AND (e.kfuncs OR e.module = '' OR ${modules === 'all'}) ORDER BY e.module`;
  const vmlinux = rows.find((r) => r.module === '');
  if (!vmlinux) return null;
  const { decompress } = await import('zstd-napi');
  const exporters = await tx`SELECT 1 FROM entry_btf_exporters WHERE entry = ${entry}`;
  return {
    vmlinux: new Uint8Array(decompress(vmlinux.data as Buffer)),
    modules: rows
      .filter((r) => r.module !== '')
      .map((r) => lazyBlob(r.module as string, r.kfuncs as boolean, r.data as Buffer, decompress)),
    exporters: exporters.length > 0,
  };
}

/** After a removal: blobs no entry uses. */
export async function pruneKernelBtf(tx: PgTx): Promise<void> {
  await tx`DELETE FROM btf_blobs WHERE sha256 NOT IN (SELECT blob FROM entry_btf)`;
}
