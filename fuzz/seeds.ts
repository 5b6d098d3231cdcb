// Seeds come from the committed real fixtures (test/fixtures/**: Debian Module.symvers, kernel modules of
// six architectures, BTF, kernel image heads, a kernel config) and from fuzz/seeds/ (packages and
// compressed streams built by make-seeds.sh). Large texts are cut into slices of whole lines: a fuzzer
// learns more from many small inputs than from one 2 MB file it can run only a few hundred times.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decompress } from '../src/index.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const SEEDS = join(ROOT, 'fuzz', 'seeds');

/** Files under `dir` (recursively) whose path matches `re`, sorted. */
export function filesUnder(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (re.test(p)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** A file's bytes, decompressed when it is xz, gzip or zstd. */
export async function unpacked(path: string): Promise<Uint8Array> {
  return (await decompress(readFileSync(path), { source: path })).data;
}

export const seedFile = (name: string) => readFileSync(join(SEEDS, name));
export const fixture = (rel: string) => readFileSync(join(FIXTURES, rel));

const memo = new Map<string, Promise<Uint8Array[]>>();
const once = (key: string, make: () => Promise<Uint8Array[]>) => {
  let p = memo.get(key);
  if (!p) {
    p = make();
    memo.set(key, p);
  }
  return p;
};

/** Every kernel module of the fixtures, decompressed: x86, arm64, armhf, i386, ppc64el, s390x. */
export function modules(): Promise<Uint8Array[]> {
  return once('ko', async () => {
    const paths = filesUnder(FIXTURES, /\.ko(\.xz)?$/);
    return Promise.all(paths.map(unpacked));
  });
}

/** `count` slices of `lines` whole lines each, spread over the text (the first lines included). */
export function lineSlices(text: string, lines: number, count: number): Uint8Array[] {
  const all = text.split('\n');
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const start = Math.floor((i * Math.max(0, all.length - lines)) / Math.max(1, count - 1));
    out.push(Buffer.from(`${all.slice(start, start + lines).join('\n')}\n`));
  }
  return out;
}

/** Slices of the Debian Module.symvers fixtures and the per-architecture excerpts. */
export function symversSeeds(): Promise<Uint8Array[]> {
  return once('symvers', async () => {
    const excerpts = filesUnder(FIXTURES, /Module\.symvers\.excerpt$/).map((p) => readFileSync(p));
    const full = Buffer.from(
      await unpacked(join(FIXTURES, 'debian', '6.12.117+deb12.symvers.xz')),
    ).toString();
    const old = Buffer.from(await unpacked(join(FIXTURES, 'debian', '6.1.0-47.symvers.xz'))).toString();
    return [...excerpts, ...lineSlices(full, 40, 6), ...lineSlices(old, 40, 4)];
  });
}

export const text = (...lines: string[]) => Buffer.from(`${lines.join('\n')}\n`);
