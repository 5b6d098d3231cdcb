// A small Debian repository for the fetch tests, served on 127.0.0.1: kernel packages built with
// dpkg-deb under their real names, a Packages index in plain, xz and gzip form (made with the xz and
// gzip tools, not with the code under test), and an apt configuration pointing at it. Named *.test.ts so
// that it stays out of the published package; it declares no tests itself.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';

/** A temporary directory removed when the test file ends. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kabi-${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface IndexEntry {
  name: string;
  version: string;
  architecture?: string;
  depends?: string;
  /** Built with dpkg-deb and put in the pool; otherwise only listed (its SHA256 is made up). */
  files?: Record<string, string>;
}

export interface PoolFile {
  name: string;
  version: string;
  filename: string;
  size: number;
  sha256: string;
  bytes: Buffer;
}

/** Builds the packages, writes `<root>/<archive>/dists/<suite>/main/binary-amd64/Packages{,.xz,.gz}`. */
export function buildArchive(root: string, archive: string, suite: string, entries: IndexEntry[]) {
  const pool: Record<string, PoolFile> = {};
  const stanzas = entries.map((e) => {
    const arch = e.architecture ?? 'amd64';
    const filename = `pool/main/l/linux/${e.name}_${e.version}_${arch}.deb`;
    let bytes: Buffer = Buffer.from(`not built: ${e.name}`);
    if (e.files !== undefined) {
      bytes = buildDeb(join(root, 'build'), e, arch);
      mkdirSync(dirname(join(root, archive, filename)), { recursive: true });
      writeFileSync(join(root, archive, filename), bytes);
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (e.files !== undefined) pool[e.name] = { ...e, filename, size: bytes.length, sha256, bytes };
    return [
      `Package: ${e.name}`,
      'Source: linux',
      `Version: ${e.version}`,
      `Architecture: ${arch}`,
      ...(e.depends === undefined ? [] : [`Depends: ${e.depends}`]),
      `Description: ${e.name}`,
      ' a folded description line',
      `Filename: ${filename}`,
      `Size: ${bytes.length}`,
      `SHA256: ${sha256}`,
      '',
    ].join('\n');
  });
  const dir = join(root, archive, 'dists', suite, 'main', 'binary-amd64');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Packages'), stanzas.join('\n'));
  execFileSync('xz', ['-k', '-f', join(dir, 'Packages')]);
  execFileSync('gzip', ['-k', '-f', '-n', join(dir, 'Packages')]);
  return { pool, index: `/${archive}/dists/${suite}/main/binary-amd64/` };
}

function buildDeb(work: string, e: IndexEntry, arch: string): Buffer {
  const tree = join(work, e.name);
  for (const [path, content] of Object.entries(e.files ?? {})) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), content);
  }
  mkdirSync(join(tree, 'DEBIAN'), { recursive: true });
  const control = `Package: ${e.name}\nVersion: ${e.version}\nArchitecture: ${arch}\nMaintainer: kabi tests <kabi@tests.example>\nDescription: ${e.name}\n`;
  writeFileSync(join(tree, 'DEBIAN/control'), control);
  const out = join(work, `${e.name}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', tree, out], { stdio: 'ignore' });
  return readFileSync(out);
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface RepoServer {
  url: string;
  /** Paths requested, in order. */
  requests: string[];
  /** Path → what to answer instead of the file. */
  overrides: Map<string, Handler>;
  close: () => void;
}

/** Serves `root` on 127.0.0.1 until `close()`. */
export async function serve(root: string): Promise<RepoServer> {
  const requests: string[] = [];
  const overrides = new Map<string, Handler>();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const handler = overrides.get(path);
    if (handler !== undefined) return handler(req, res);
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(root, path));
    } catch {
      res.writeHead(404, 'Not Found').end();
      return;
    }
    res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => {
    server.closeAllConnections();
    server.close();
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, overrides, close };
}

/** Answers 200 and the whole length, sends half of `bytes`, then drops the connection. */
export const dropHalfway =
  (bytes: Buffer): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-length': bytes.length });
    res.write(bytes.subarray(0, bytes.length >> 1), () => res.socket?.destroy());
  };

/** Sends half of `bytes` without a length and ends cleanly: only the index's Size can tell. */
export const endHalfway =
  (bytes: Buffer): Handler =>
  (_req, res) => {
    res.writeHead(200).end(bytes.subarray(0, bytes.length >> 1));
  };

export const status =
  (code: number): Handler =>
  (_req, res) => {
    res.writeHead(code).end();
  };

/** The file as it should be but one byte changed: same size, wrong hash. */
export const corrupt =
  (bytes: Buffer): Handler =>
  (_req, res) => {
    const bad = Buffer.from(bytes);
    bad[bad.length >> 1] = bad[bad.length >> 1]! ^ 0xff;
    res.writeHead(200, { 'content-length': bad.length }).end(bad);
  };

/** Answers nothing at all. */
export const stall: Handler = () => {};
