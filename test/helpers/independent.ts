// An independent computation of a Module.symvers diff for the real-data tests: decompressed by the
// system's `xz -dc` (or, where xz is not installed, liblzma's one-shot decoder, not kabi's streaming
// reader), split with plain string operations, compared with sets. It shares no code with kabi-tracker's
// readers or analyses, so a bug there cannot hide in both.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unxzSync } from 'node-liblzma';
import { which } from './tools.js';

export interface Row {
  crc: string;
  module: string;
  type: string;
  ns: string;
}

export function loadSymvers(path: string): Map<string, Row> {
  const text = path.endsWith('.xz') ? unxz(path) : '';
  const rows = new Map<string, Row>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [crc, sym, module, type, ns] = line.split('\t');
    rows.set(sym!, { crc: crc!.toLowerCase(), module: module!, type: type!, ns: ns ?? '' });
  }
  return rows;
}

export function unxzBytes(path: string): Buffer {
  const xz = which('xz');
  return xz ? execFileSync(xz, ['-dc', path], { maxBuffer: 1 << 30 }) : unxzSync(readFileSync(path));
}

const unxz = (path: string): string => unxzBytes(path).toString();

export interface Counts {
  added: number;
  removed: number;
  crcChanged: number;
  exportTypeChanged: number;
  gplTightened: number;
  namespaceChanged: number;
  moved: number;
}

export function countChanges(a: Map<string, Row>, b: Map<string, Row>): Counts {
  const c: Counts = {
    added: 0,
    removed: 0,
    crcChanged: 0,
    exportTypeChanged: 0,
    gplTightened: 0,
    namespaceChanged: 0,
    moved: 0,
  };
  for (const [sym, x] of a) {
    const y = b.get(sym);
    if (!y) {
      c.removed++;
      continue;
    }
    if (x.crc !== y.crc) c.crcChanged++;
    if (x.type !== y.type) {
      c.exportTypeChanged++;
      if (y.type.endsWith('_GPL') && !x.type.endsWith('_GPL')) c.gplTightened++;
    }
    if (x.ns !== y.ns) c.namespaceChanged++;
    if (x.module !== y.module) c.moved++;
  }
  for (const sym of b.keys()) if (!a.has(sym)) c.added++;
  return c;
}

/** The checkout's root: found by walking up, so the helpers work from dist/ and from sources under tsx. */
export const ROOT = (() => {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json'))) dir = join(dir, '..');
  return dir;
})();

export const FIXTURES = join(ROOT, 'test', 'fixtures');

/** The shared real-data set beside the checkout (../shared/data), when present. */
export function sharedSymversDir(): string | null {
  const dir = join(ROOT, '..', 'shared', 'data', 'debian', 'symvers');
  return existsSync(dir) ? dir : null;
}

/** The ABIs of a series in the shared data, oldest first (6.1.0-47 … or 6.12.107+deb12 …). */
export function seriesFiles(dir: string, prefix: '6.1.0-' | '6.12.'): string[] {
  const num = (f: string) => Number(f.slice(prefix.length).split(/[^0-9]/)[0]);
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.symvers.xz'))
    .sort((x, y) => num(x) - num(y))
    .map((f) => join(dir, f));
}

/** Package versions of each ABI in ../shared/data (its README): they order the Debian series. */
export const DEBIAN_VERSIONS: Record<string, string> = {
  '6.1.0-47': '6.1.170-3',
  '6.1.0-50': '6.1.176-1',
  '6.1.0-53': '6.1.187-1',
  '6.1.0-54': '6.1.190-1',
  '6.1.0-55': '6.1.192-1',
  '6.1.0-56': '6.1.192-2',
  '6.12.107+deb12': '6.12.107-1~deb12u1',
  '6.12.111+deb12': '6.12.111-1~deb12u1',
  '6.12.113+deb12': '6.12.113-1~deb12u1',
  '6.12.115+deb12': '6.12.115-2~deb12u1',
  '6.12.117+deb12': '6.12.117-1~deb12u1',
};
