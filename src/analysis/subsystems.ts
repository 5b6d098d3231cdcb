// Which subsystem an export belongs to. A module's export by the module's in-tree path (Module.symvers'
// module column: `drivers/vfio/vfio`); a vmlinux export by the source file that defines it, where a map
// from the kernel's DWARF gives one. The path goes through MAINTAINERS as get_maintainer.pl matches it
// (the most specific F: pattern wins: most slashes, then longest; `THE REST` never does); without
// MAINTAINERS, or when nothing but THE REST matches, the path's first meaningful directories name it.
import type { Maintainers } from '../model/maintainers.js';

export interface Attribution {
  subsystem: string;
  /** `maintainers`: a MAINTAINERS section; `path`: directories of the path; `none`: nothing known. */
  via: 'maintainers' | 'path' | 'none';
  /** The path matched: the module's path with `.c`, or the source file; null when unknown. */
  file: string | null;
}

export interface SubsystemOptions {
  maintainers?: Maintainers;
  /** symbol → source file, for vmlinux exports. */
  sources?: ReadonlyMap<string, string>;
}

export type SubsystemOf = (symbol: string, module: string | null) => Attribution;

/** vmlinux exports whose source is not known. */
export const UNKNOWN_VMLINUX = 'vmlinux (source unknown)';

interface Pattern {
  section: string;
  order: number;
  test: RegExp;
  /** A directory pattern matches everything below it; a file pattern only at its own depth. */
  dir: boolean;
  depth: number;
  length: number;
}

const slashes = (s: string) => (s.match(/\//g) ?? []).length;

/**
 * get_maintainer.pl's file_match_pattern: `*` is any run, `?` one character; a pattern ending in `/` (or
 * naming a directory: no wildcard and no dot in its last part, since the tree is not at hand to ask)
 * matches everything below; any other matches paths with as many slashes as it has.
 */
function compile(pattern: string): { test: RegExp; dir: boolean; depth: number } {
  let p = pattern.replace(/^\/+/, '');
  const last = p.split('/').at(-1) ?? '';
  if (!p.endsWith('/') && p !== '' && !/[*?.]/.test(last)) p += '/';
  const body = p
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const dir = p.endsWith('/');
  return { test: new RegExp(dir ? `^${body}` : `^${body}$`), dir, depth: slashes(p) };
}

function matcher(m: Maintainers): (file: string) => string | null {
  // Patterns by their literal first directory, so a path meets only its own directory's patterns.
  const byTop = new Map<string, Pattern[]>();
  const anywhere: Pattern[] = [];
  const excludes = new Map<string, { test: RegExp; dir: boolean; depth: number }[]>();
  const matches = (x: { test: RegExp; dir: boolean; depth: number }, file: string) =>
    x.test.test(file) && (x.dir || x.depth === slashes(file));
  m.sections.forEach((s, order) => {
    if (s.name === 'THE REST') return;
    for (const f of s.files) {
      const pat: Pattern = { section: s.name, order, ...compile(f), length: f.length };
      const top = f.replace(/^\/+/, '').split('/')[0]!;
      if (/[*?]/.test(top) || !f.includes('/')) anywhere.push(pat);
      else {
        const list = byTop.get(top);
        if (list) list.push(pat);
        else byTop.set(top, [pat]);
      }
    }
    if (s.excludes.length) excludes.set(s.name, s.excludes.map(compile));
  });
  const cache = new Map<string, string | null>();
  return (file) => {
    const hit = cache.get(file);
    if (hit !== undefined) return hit;
    let best: Pattern | null = null;
    for (const p of [...(byTop.get(file.split('/')[0]!) ?? []), ...anywhere]) {
      if (!matches(p, file)) continue;
      if (excludes.get(p.section)?.some((x) => matches(x, file))) continue;
      if (
        best === null ||
        p.depth > best.depth ||
        (p.depth === best.depth &&
          (p.length > best.length || (p.length === best.length && p.order < best.order)))
      )
        best = p;
    }
    const name = best?.section ?? null;
    cache.set(file, name);
    return name;
  };
}

/** `drivers/vfio/vfio` → `vfio`; `fs/ext4/ext4` → `fs/ext4`; `mm/slub.c` → `mm`: up to two directories. */
export function pathSubsystem(file: string): string {
  const dirs = file.split('/').slice(0, -1);
  const meaningful = dirs[0] === 'drivers' ? dirs.slice(1) : dirs;
  if (meaningful.length === 0) return dirs.join('/') || file;
  return meaningful.slice(0, 2).join('/');
}

export function subsystemResolver(opts: SubsystemOptions = {}): SubsystemOf {
  const match = opts.maintainers ? matcher(opts.maintainers) : null;
  const byFile = (file: string): Attribution => {
    const section = match?.(file) ?? null;
    return section === null
      ? { subsystem: pathSubsystem(file), via: 'path', file }
      : { subsystem: section, via: 'maintainers', file };
  };
  return (symbol, module) => {
    if (module !== null && module !== 'vmlinux' && module !== '') return byFile(`${module}.c`);
    const file = opts.sources?.get(symbol);
    if (file !== undefined) return byFile(file);
    return { subsystem: module === null ? '(module unknown)' : UNKNOWN_VMLINUX, via: 'none', file: null };
  };
}
