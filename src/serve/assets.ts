// The built dashboard (web/ → `npm run build:web` → src/serve/dashboard), read once at start into a table of
// URL path → file. Hand-written rather than @fastify/static: the build is a handful of files, and with a
// lookup table no part of a request's path ever reaches the file system, so `..`, `%2e%2e`, absolute
// paths and encoded slashes cannot name a file outside the build. Symbolic links are not followed.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync } from 'node:zlib';

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  /** Vite names built files by their content hash: they never change under one name. */
  immutable: boolean;
  /**
   * Compressed once (text files of 1 KiB or more): in zlib's thread pool as the server starts
   * (precompress), or on the first request that accepts it if that comes first.
   */
  encoded?: Partial<Record<Encoding, Buffer>>;
}

export type Encoding = 'br' | 'gzip';

const COMPRESSIBLE = /^(text\/|image\/svg|application\/json)/;

/**
 * The encoding to send `asset` in for this Accept-Encoding (brotli, else gzip, else none), and its bytes.
 * Brotli at quality 5: the dashboard's largest script compresses in ~7 ms, within 6% of quality 11 (~60 ms).
 */
export function encodedBody(
  asset: Asset,
  acceptEncoding: string | undefined,
): { encoding: Encoding | null; body: Buffer } {
  if (!acceptEncoding || !compressible(asset)) return { encoding: null, body: asset.body };
  const accepted = new Set<string>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = part.split(';').map((x) => x.trim());
    const q = params.find((x) => x.startsWith('q='));
    if (name && (q === undefined || Number(q.slice(2)) > 0)) accepted.add(name);
  }
  const encoding: Encoding | null = accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : null;
  if (encoding === null) return { encoding, body: asset.body };
  asset.encoded ??= {};
  let body = asset.encoded[encoding];
  if (!body) {
    body = encoding === 'br' ? brotliCompressSync(asset.body, BROTLI) : gzipSync(asset.body, GZIP);
    asset.encoded[encoding] = body;
  }
  return { encoding, body };
}

const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } };
const GZIP = { level: 9 };

const compressible = (a: Asset) => a.body.length >= 1024 && COMPRESSIBLE.test(a.type);

/**
 * Compresses every compressible asset in both encodings off the event loop (zlib's thread pool), so that
 * a browser opening the dashboard right after start is not served behind a compression per file.
 * Resolves when all are done; a request that comes first compresses its file itself (encodedBody).
 */
export function precompress(assets: Iterable<Asset>): Promise<void> {
  const jobs: Promise<void>[] = [];
  for (const asset of new Set(assets)) {
    if (!compressible(asset)) continue;
    for (const encoding of ['br', 'gzip'] as const)
      jobs.push(
        new Promise<void>((resolve) => {
          const done = (error: Error | null, body: Buffer) => {
            asset.encoded ??= {};
            if (!error) asset.encoded[encoding] ??= body;
            resolve();
          };
          if (encoding === 'br') brotliCompress(asset.body, BROTLI, done);
          else gzip(asset.body, GZIP, done);
        }),
      );
  }
  return Promise.all(jobs).then(() => undefined);
}

/**
 * The Content-Security-Policy sources that allow index.html's inline scripts and style sheets, one
 * 'sha256-…' each (the build inlines its first script and its styles: web/vite.config.ts). Only those
 * exact texts run. An inline element with attributes is refused: none is built, and none should be
 * allowed without a look at what it does.
 */
export function inlineSources(html: string | undefined): { script: string[]; style: string[] } {
  const out = { script: [] as string[], style: [] as string[] };
  if (html === undefined) return out;
  for (const m of html.matchAll(/<(script|style)\b([^>]*)>([\s\S]*?)<\/\1>/gi)) {
    const [, tag, attrs, text] = m as unknown as [string, 'script' | 'style', string, string];
    if (tag === 'script' && /\bsrc=/i.test(attrs)) continue;
    if (attrs.trim() !== '')
      throw new Error(`index.html: an inline <${tag}${attrs}> (only a bare one is allowed)`);
    out[tag.toLowerCase() as 'script' | 'style'].push(
      `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`,
    );
  }
  return out;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const MAX_FILES = 500;
const MAX_BYTES = 32 * 1024 * 1024;

/** The committed build: found from the sources (tsx) and from dist/src/serve alike. */
export function defaultAssetsDir(): string {
  let dir = import.meta.dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'src', 'serve', 'dashboard');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    dir = join(dir, '..');
  }
  return join(import.meta.dirname, 'dashboard');
}

export function loadAssets(root: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  let bytes = 0;
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isDirectory()) walk(path, `${prefix}${name}/`);
      // Regular files only: a symbolic link could point anywhere.
      if (!st.isFile()) continue;
      bytes += st.size;
      if (out.size >= MAX_FILES || bytes > MAX_BYTES)
        throw new Error(`${root}: more than ${MAX_FILES} files or ${MAX_BYTES} bytes of assets`);
      const body = readFileSync(path);
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      out.set(`/${prefix}${name}`, {
        body,
        type: TYPES[extname(name)] ?? 'application/octet-stream',
        etag,
        immutable: prefix.startsWith('assets/'),
      });
    }
  };
  if (existsSync(root)) walk(root, '');
  const index = out.get('/index.html');
  if (index) out.set('/', index);
  return out;
}
