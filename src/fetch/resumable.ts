// What a watcher needs beyond http.ts: indexes fetched only when they changed (ETag / Last-Modified,
// RFC 9110 §13.1), retries with exponential backoff for what is worth retrying (a stall, a lost
// connection, a 5xx, a 429), and package downloads that resume (Range, RFC 9110 §14) from a `.part` file
// named by the expected hash, so a part of another version is never continued. A package takes its final
// name only once size and checksum match the index: a truncated or corrupt file is never ingested.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { FetchError, type GetOptions, getBody } from './http.js';

export interface Validators {
  etag: string | null;
  lastModified: string | null;
  /** SHA-256 of the body: a server that sends no validators answers in full, and this tells it unchanged. */
  digest: string | null;
}

export interface RetryOptions {
  /** Attempts after the first; default 3. */
  retries?: number;
  /** The first wait; doubled after each failure; default 1 s. */
  backoffMs?: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type IndexAnswer = { changed: false } | { changed: true; bytes: Uint8Array; validators: Validators };

/** Whether a failure may pass if tried again: not a 404, not a checksum that does not match. */
export function retryable(e: unknown): boolean {
  if (!(e instanceof FetchError)) return false;
  if (e.failure === 'network' || e.failure === 'timeout') return true;
  if (e.failure === 'http') return e.status === 429 || (e.status ?? 0) >= 500;
  return false;
}

/** Runs `attempt` until it succeeds, a failure is not retryable, or the retries are spent. */
export async function withRetries<T>(attempt: () => Promise<T>, o: RetryOptions): Promise<T> {
  const retries = o.retries ?? 3;
  let wait = o.backoffMs ?? 1000;
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (i >= retries || !retryable(e) || o.signal?.aborted) throw e;
      await new Promise((r) => setTimeout(r, wait));
      wait *= 2;
    }
  }
}

/**
 * GETs an index unless it is unchanged since `known`: a 304 answer, or (from a server that sends no
 * validators or ignores them) the same bytes as last time. `maxBytes` caps it.
 */
export async function getIfChanged(
  url: string,
  known: Validators | null,
  o: RetryOptions & { maxBytes: number },
): Promise<IndexAnswer> {
  const headers: Record<string, string> = {};
  if (known?.etag) headers['if-none-match'] = known.etag;
  if (known?.lastModified) headers['if-modified-since'] = known.lastModified;
  return withRetries(async () => {
    let etag: string | null = null;
    let lastModified: string | null = null;
    const onResponse = (res: Response) => {
      etag = res.headers.get('etag');
      lastModified = res.headers.get('last-modified');
    };
    const chunks: Uint8Array[] = [];
    try {
      for await (const c of getBody(url, { ...o, headers, onResponse })) chunks.push(c);
    } catch (e) {
      if (e instanceof FetchError && e.status === 304) return { changed: false as const };
      throw e;
    }
    const bytes = Buffer.concat(chunks);
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (known?.digest === digest) return { changed: false as const };
    return { changed: true as const, bytes, validators: { etag, lastModified, digest } };
  }, o);
}

export interface ExpectedFile {
  size: number;
  algorithm: string;
  /** Lower-case hex. */
  hex: string;
}

/**
 * Downloads `url` to `dest`, resuming a part left by an earlier attempt or round, and keeps it only if
 * size and checksum match. A file the server sends short is retried from where it stopped; still short
 * after the retries, it is a FetchError (`size`) and `dest` is not written.
 */
export async function downloadResumable(
  url: string,
  dest: string,
  want: ExpectedFile,
  o: RetryOptions,
): Promise<void> {
  const part = `${dest}.${want.hex.slice(0, 16)}.part`;
  await withRetries(async () => {
    const have = (await stat(part).catch(() => null))?.size ?? 0;
    if (have < want.size) await fetchRange(url, part, have, want, o);
    const size = (await stat(part)).size;
    if (size < want.size) {
      throw new FetchError(`GET ${url}: truncated: ${size} of ${want.size} bytes`, url, 'network');
    }
  }, o).catch((e: unknown) => {
    if (e instanceof FetchError && e.failure === 'network' && /truncated/.test(e.message)) {
      throw new FetchError(e.message, url, 'size', { cause: e });
    }
    throw e;
  });
  const got = await hashFile(part, want.algorithm);
  if (got !== want.hex) {
    await rm(part, { force: true });
    const reason = `${want.algorithm} mismatch: got ${got}, the index says ${want.hex}`;
    throw new FetchError(`GET ${url}: ${reason}; the file was not kept`, url, 'integrity');
  }
  await rename(part, dest);
}

/** Appends bytes `from`.. to `part`; a server that ignores Range (200) starts it again. */
async function fetchRange(url: string, part: string, from: number, want: ExpectedFile, o: RetryOptions) {
  let append = from > 0;
  const headers: Record<string, string> = append ? { range: `bytes=${from}-` } : {};
  const onResponse = (res: Response) => {
    append = append && res.status === 206;
  };
  const get: GetOptions = { ...o, maxBytes: want.size, headers, onResponse };
  let file: Awaited<ReturnType<typeof open>> | null = null;
  try {
    for await (const chunk of getBody(url, get)) {
      file ??= await open(part, append ? 'a' : 'w');
      await file.write(chunk);
    }
    file ??= await open(part, append ? 'a' : 'w');
  } catch (e) {
    // 416: the server's file ends where the part does, short of what the index says: a truncated file
    // on the mirror, which trying again will not mend. The part goes; a later round starts afresh.
    if (e instanceof FetchError && e.status === 416) {
      await rm(part, { force: true });
      const reason = `truncated: the server's file ends at byte ${from} (HTTP 416), the index says ${want.size} bytes`;
      throw new FetchError(`GET ${url}: ${reason}; the file was not kept`, url, 'size', { cause: e });
    }
    throw e;
  } finally {
    await file?.close();
  }
}

export async function hashFile(path: string, algorithm: string): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
