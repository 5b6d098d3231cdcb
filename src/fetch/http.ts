// HTTP GET for repository files with Node's own fetch: a timeout that fires when no data arrives (a
// 100 MB package on a slow link may take minutes, a stalled one must not hang), a byte cap, and errors
// that name the URL and the HTTP status. Downloads stream to a temporary file beside the target, are
// hashed as they arrive and renamed into place only once size and SHA256 match.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { KabiError } from '../errors.js';

export type FetchFailure = 'http' | 'network' | 'timeout' | 'size' | 'integrity' | 'cancelled';

export class FetchError extends KabiError {
  override name = 'FetchError';
  readonly url: string;
  /** The HTTP status, when the server answered with an error. */
  readonly status: number | undefined;
  /** `network` and `timeout` mean the mirror could not be reached or stalled: worth retrying. */
  readonly failure: FetchFailure;

  constructor(
    message: string,
    url: string,
    failure: FetchFailure,
    opts: { status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.url = url;
    this.status = opts.status;
    this.failure = failure;
  }
}

export interface GetOptions {
  /** Milliseconds without a byte (or without response headers) before giving up. */
  timeoutMs: number;
  /** The body may hold at most this many bytes. */
  maxBytes: number;
  /** Why `maxBytes`, for the error: e.g. `the index says 1655296 bytes`. */
  capReason?: string;
  /** Cancels the request (another download failed, the user pressed ^C). */
  signal?: AbortSignal;
  /** Request headers (If-None-Match, If-Modified-Since, Range: resumable.ts). */
  headers?: Record<string, string>;
  /** Sees the response before its body is read (its status and validators). */
  onResponse?: (res: Response) => void;
}

/** GETs `url` and yields its body chunk by chunk; every failure is a FetchError naming the URL. */
export async function* getBody(url: string, o: GetOptions): AsyncGenerator<Uint8Array> {
  const idle = new AbortController();
  const timer = setTimeout(() => idle.abort(), o.timeoutMs);
  const signal = o.signal === undefined ? idle.signal : AbortSignal.any([idle.signal, o.signal]);
  let received = 0;
  try {
    const res = await fetch(url, { signal, redirect: 'follow', headers: o.headers });
    if (!res.ok || res.body === null) {
      await res.body?.cancel().catch(() => {});
      const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
      throw new FetchError(`GET ${url}: ${status}`, url, 'http', { status: res.status });
    }
    o.onResponse?.(res);
    const length = Number(res.headers.get('content-length') ?? Number.NaN);
    if (length > o.maxBytes) throw tooLarge(url, `the server announces ${length} bytes`, o);
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      timer.refresh();
      received += chunk.length;
      if (received > o.maxBytes) throw tooLarge(url, `the body runs past ${o.maxBytes} bytes`, o);
      yield chunk;
    }
  } catch (e) {
    throw asFetchError(e, url, received, o, idle.signal.aborted);
  } finally {
    clearTimeout(timer);
  }
}

function tooLarge(url: string, what: string, o: GetOptions): FetchError {
  const why = o.capReason ?? `the limit is ${o.maxBytes} bytes`;
  return new FetchError(`GET ${url}: ${what} (${why}); refusing`, url, 'size');
}

function asFetchError(
  e: unknown,
  url: string,
  received: number,
  o: GetOptions,
  timedOut: boolean,
): FetchError {
  if (e instanceof FetchError) return e;
  const after = received > 0 ? ` after ${received} bytes` : '';
  if (timedOut) {
    const reason = `no data for ${o.timeoutMs / 1000} s${after}; timed out`;
    return new FetchError(`GET ${url}: ${reason}`, url, 'timeout', { cause: e });
  }
  if (o.signal?.aborted)
    return new FetchError(`GET ${url}: cancelled${after}`, url, 'cancelled', { cause: e });
  // undici reports "fetch failed" with the system error (ECONNREFUSED, ENOTFOUND) as its cause, and a
  // connection closed mid-body as "terminated" with "other side closed" below it.
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const detail = [(e as Error).message, cause?.message || cause?.code].filter(Boolean).join(': ');
  const what = received > 0 ? `connection lost${after}` : 'cannot connect';
  return new FetchError(`GET ${url}: ${what} (${detail})`, url, 'network', { cause: e });
}

/** The whole body of `url` (an index: megabytes, not a package). */
export async function getBytes(url: string, o: GetOptions): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of getBody(url, o)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export interface Expected {
  size: number;
  /** Lower-case hex. */
  sha256: string;
}

/**
 * Streams `url` into `dest` through a temporary file in the same directory (so the rename is atomic), and
 * keeps it only if size and SHA256 are as expected: a partial or corrupt file never takes the final name.
 */
export async function downloadVerified(
  url: string,
  dest: string,
  want: Expected,
  o: Omit<GetOptions, 'maxBytes'> & { onBytes?: (n: number) => void },
): Promise<void> {
  const tmp = `${dest}.${process.pid}-${randomBytes(4).toString('hex')}.part`;
  const hash = createHash('sha256');
  let size = 0;
  const file = await open(tmp, 'wx');
  try {
    const capReason = `the index says ${want.size} bytes`;
    for await (const chunk of getBody(url, { ...o, maxBytes: want.size, capReason })) {
      hash.update(chunk);
      size += chunk.length;
      await file.write(chunk);
      o.onBytes?.(chunk.length);
    }
    await file.close();
    if (size !== want.size) {
      throw new FetchError(`GET ${url}: truncated: ${size} of ${want.size} bytes`, url, 'size');
    }
    const got = hash.digest('hex');
    if (got !== want.sha256) {
      const reason = `SHA256 mismatch: got ${got}, the index says ${want.sha256}`;
      throw new FetchError(`GET ${url}: ${reason}; the file was not kept`, url, 'integrity');
    }
    await rename(tmp, dest);
  } catch (e) {
    await file.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Whether `file` exists with exactly the expected size and SHA256 (then there is nothing to fetch). */
export async function hasContent(file: string, want: Expected): Promise<boolean> {
  const st = await stat(file).catch(() => null);
  if (st === null || !st.isFile() || st.size !== want.size) return false;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex') === want.sha256;
}
