// What the loader's verdicts read of a stored module image, kept apart at ingest so that `kabi compat`
// reads a few kilobytes per kmod instead of every image's whole modinfo and undefined-symbol list (7 MB of
// JSON for a linux-image's 4,022 modules) and 8,000 deflated id sets.
//
// Layout of SQLite's `module_loader.facts` (migration 10), little-endian:
//   u32 count of import ids, u32 count of export ids,
//   the import ids then the export ids (u32 each, ascending, as the image's id sets hold them),
//   then UTF-8 JSON `[modinfo, unversioned]` (the text PostgreSQL keeps alone in its `loader` column,
//   whose id sets are already arrays):
//   modinfo: the image's .modinfo entries the loader reads (LOADER_KEYS), in file order;
//   unversioned: the undefined symbols without a `__versions` record, in order; null when unknown.
import type { ModuleImage } from '../model/module-image.js';

/** The modinfo keys moduleVerdicts and the loader's rules read (depends, namespaces, taints). */
export const LOADER_KEYS: ReadonlySet<string> = new Set(['depends', 'import_ns', 'staging', 'intree']);

/** What the facts are made of: an image as read, or its stored row (sqlite- and postgres-loader-backfill.ts). */
export type LoaderSource = Pick<ModuleImage, 'modinfo' | 'needs'> & {
  imports: readonly { symbol: string }[];
};

/** The JSON part: what of modinfo and `needs` the loader reads. */
export function loaderText(m: LoaderSource): string {
  const modinfo = m.modinfo.filter((e) => LOADER_KEYS.has(e.key)).map((e) => [e.key, e.value]);
  let unversioned: string[] | null = null;
  if (m.needs) {
    const versioned = new Set(m.imports.map((i) => i.symbol));
    unversioned = m.needs.filter((s) => !versioned.has(s));
  }
  return JSON.stringify([modinfo, unversioned]);
}

/**
 * A stored image's LoaderSource, from its row: modinfo and needs as JSON text, and the symbols of its import
 * ids (for images stored before the facts were kept).
 */
export function storedLoaderSource(modinfo: string, needs: string | null, symbols: string[]): LoaderSource {
  return {
    modinfo: JSON.parse(modinfo) as ModuleImage['modinfo'],
    ...(needs === null ? {} : { needs: JSON.parse(needs) as string[] }),
    imports: symbols.map((symbol) => ({ symbol })),
  };
}

/** SQLite's blob: the image's import and export ids as its id sets hold them, then loaderText. */
export function encodeLoaderFacts(
  m: LoaderSource,
  importIds: readonly number[],
  exportIds: readonly number[],
): Buffer {
  // Sorted as encodeIdSet sorts (repeats kept), so the compact form reads back what the id sets do.
  const imports = Uint32Array.from(importIds).sort();
  const exports = Uint32Array.from(exportIds).sort();
  const text = Buffer.from(loaderText(m), 'utf8');
  const out = Buffer.alloc(8 + 4 * (imports.length + exports.length) + text.length);
  out.writeUInt32LE(imports.length, 0);
  out.writeUInt32LE(exports.length, 4);
  let at = 8;
  for (const id of imports) at = out.writeUInt32LE(id, at);
  for (const id of exports) at = out.writeUInt32LE(id, at);
  text.copy(out, at);
  return out;
}

const LITTLE = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

export interface LoaderFacts {
  imports: Uint32Array;
  exports: Uint32Array;
  text: string;
}

export function decodeLoaderFacts(blob: Buffer): LoaderFacts {
  const ni = blob.readUInt32LE(0);
  const ne = blob.readUInt32LE(4);
  const end = 8 + 4 * (ni + ne);
  if (end > blob.length) throw new Error(`loader facts truncated: ${blob.length} bytes for ${ni + ne} ids`);
  // Copied out once: a Buffer from SQLite need not be 4-byte aligned for a Uint32Array view.
  const ids = new Uint32Array(ni + ne);
  if (LITTLE) new Uint8Array(ids.buffer).set(blob.subarray(8, end));
  else for (let k = 0, at = 8; k < ids.length; k++, at += 4) ids[k] = blob.readUInt32LE(at);
  return { imports: ids.subarray(0, ni), exports: ids.subarray(ni), text: blob.toString('utf8', end) };
}

/** The fields of a ModuleImage that come from the loader text: modinfo (its loader keys), depends, importNs, needs. */
export function loaderFields(
  text: string,
): Pick<ModuleImage, 'modinfo' | 'depends' | 'importNs'> & { needs: string[] | null } {
  const [pairs, unversioned] = JSON.parse(text) as [[string, string][], string[] | null];
  return modinfoFields(
    pairs.map(([key, value]) => ({ key, value })),
    unversioned,
  );
}

/** What a module's modinfo says of its dependencies and namespaces, as ModuleImage keeps them. */
export function modinfoFields(
  modinfo: ModuleImage['modinfo'],
  needs: string[] | null,
): Pick<ModuleImage, 'modinfo' | 'depends' | 'importNs'> & { needs: string[] | null } {
  const depends = modinfo.find((e) => e.key === 'depends')?.value ?? '';
  return {
    modinfo,
    depends: depends.split(',').filter(Boolean),
    importNs: modinfo.filter((e) => e.key === 'import_ns').map((e) => e.value),
    needs,
  };
}
