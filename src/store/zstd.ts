// zstd-napi for the store's BTF blobs and packs, loaded when first used: every store command opens the
// files that use it, few touch BTF, and the addon costs ~15 ms of start-up (as better-sqlite3 in
// sqlite-open.ts).
import { createRequire } from 'node:module';
import type * as Zstd from 'zstd-napi';

let zstd: typeof Zstd | undefined;

export const zstdNapi = (): typeof Zstd =>
  (zstd ??= createRequire(import.meta.url)('zstd-napi') as typeof Zstd);

/** Where a worker thread requires the same package from. */
export const zstdNapiPath = (): string => createRequire(import.meta.url).resolve('zstd-napi');
