// Which program types each kfunc set is registered for, read from a kernel source tree: the calls to
// register_btf_kfunc_id_set(), the `struct btf_kfunc_id_set` they pass, the sets' BTF_ID_FLAGS(func, …)
// lists, and the hook switch of kernel/bpf/btf.c. The kernel decides this in initcalls, so no built
// artifact records it; the tree (an unpacked linux-source tarball or a git checkout) does.
//
// Hand-written: C is only scanned for these few macro and initializer shapes (they are written the same
// way throughout the tree); a full C parser would need the preprocessor and the kernel's config.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ArtifactFormatError } from '../../errors.js';
import type { KfuncRegistration, KfuncRegistrations } from '../../model/kfunc-registration.js';

export interface SourceFile {
  /** Path relative to the tree's top. */
  path: string;
  text: string;
}

/** Comments blanked to spaces, newlines kept: offsets and line numbers stay those of the file. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => m.replace(/[^\n]/g, ' '));
}

const lineAt = (text: string, index: number): number => {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) n++;
  return n;
};

const SET_RE =
  /\bBTF_(?:SET8|KFUNCS|SET)_START\(\s*(\w+)\s*\)([\s\S]*?)\bBTF_(?:SET8|KFUNCS|SET)_END\(\s*\1\s*\)/g;
const FUNC_RE = /\bBTF_ID(?:_FLAGS)?\(\s*func\s*,\s*(\w+)/g;
const ID_SET_RE = /\bstruct\s+btf_kfunc_id_set\s+(\w+)\s*=\s*\{([^}]*)\}/g;
const REGISTER_RE = /\bregister_btf_kfunc_id_set\s*\(\s*(\w+)\s*,\s*&\s*(\w+)\s*\)/g;
const FMODRET_RE = /\bregister_btf_fmodret_id_set\s*\(\s*&\s*(\w+)\s*\)/g;
const HOOK_FN_RE = /\bbpf_prog_type_to_kfunc_hook\s*\(\s*enum\s+bpf_prog_type\s+\w+\s*\)\s*\{([\s\S]*?)\n\}/;

/** Parses the files that matter (any others are ignored); `source` names the tree in errors. */
export function parseKfuncRegistrations(
  files: readonly SourceFile[],
  source: string,
  version: string | null = null,
): KfuncRegistrations & { warnings: string[] } {
  // Set and id-set names are file-local (static: two files both define `common_kfunc_set`), so a
  // registration resolves in its own file first; a set made extern in one file and used in another second.
  const sets = new Map<string, string[]>();
  const setsIn = new Map<string, Map<string, string[]>>();
  const idSetsIn = new Map<string, Map<string, { set: string | null; filter: string | null }>>();
  const calls: (Omit<KfuncRegistration, 'set' | 'filter'> & { kind: 'call' | 'fmodret' })[] = [];
  const hooks = new Map<string, string>();
  const warnings: string[] = [];
  const defines = new Map<string, Define>();
  const texts: [SourceFile, string][] = [];
  for (const f of files) {
    if (!/BTF_|kfunc|KFUNC/.test(f.text)) continue;
    const text = stripComments(f.text);
    texts.push([f, text]);
    for (const [name, d] of definesOf(text)) defines.set(name, d);
  }
  for (const [f, text] of texts) {
    const local = new Map<string, string[]>();
    for (const m of text.matchAll(SET_RE)) {
      const fns = [...expand(m[2]!, defines).matchAll(FUNC_RE)].map((x) => x[1]!);
      local.set(m[1]!, [...(local.get(m[1]!) ?? []), ...fns]);
    }
    setsIn.set(f.path, local);
    const idSets = new Map<string, { set: string | null; filter: string | null }>();
    for (const m of text.matchAll(ID_SET_RE)) {
      const body = m[2]!;
      const set = /\.(?:set|check_set)\s*=\s*&\s*(\w+)/.exec(body)?.[1] ?? null;
      const filter = /\.filter\s*=\s*&?\s*(\w+)/.exec(body)?.[1] ?? null;
      idSets.set(m[1]!, { set, filter });
    }
    idSetsIn.set(f.path, idSets);
    for (const m of text.matchAll(REGISTER_RE)) {
      const line = lineAt(text, m.index);
      if (!m[1]!.startsWith('BPF_PROG_TYPE_')) {
        warnings.push(
          `${f.path}:${line}: registered for a program type held in a variable (${m[1]}): not counted`,
        );
        continue;
      }
      calls.push({ kind: 'call', progType: m[1]!, idSet: m[2]!, file: f.path, line });
    }
    for (const m of text.matchAll(FMODRET_RE))
      calls.push({
        kind: 'fmodret',
        progType: 'fmodret',
        idSet: m[1]!,
        file: f.path,
        line: lineAt(text, m.index),
      });
    const hook = HOOK_FN_RE.exec(text);
    if (hook) {
      let pending: string[] = [];
      for (const t of hook[1]!.matchAll(/\bcase\s+(\w+)\s*:|\breturn\s+(\w+)\s*;|\bdefault\s*:/g)) {
        if (t[1]) pending.push(t[1]);
        else if (t[2]) {
          for (const p of pending) hooks.set(p, t[2]);
          pending = [];
        } else pending = [];
      }
    }
  }
  if (hooks.size === 0)
    throw new ArtifactFormatError(
      'no bpf_prog_type_to_kfunc_hook() switch (kernel/bpf/btf.c): expected a Linux source tree of 5.18 or later',
      { source },
    );
  if (!calls.some((c) => c.kind === 'call'))
    throw new ArtifactFormatError(
      'no register_btf_kfunc_id_set() call in the tree: nothing registers kfuncs',
      {
        source,
      },
    );
  const anywhere = <T>(maps: Map<string, Map<string, T>>, file: string, name: string): T | undefined =>
    maps.get(file)?.get(name) ?? [...maps.values()].find((m) => m.has(name))?.get(name);
  const registrations: KfuncRegistration[] = [];
  const fmodret: string[] = [];
  for (const c of calls) {
    const s = anywhere(idSetsIn, c.file, c.idSet);
    const fns = s?.set ? anywhere(setsIn, c.file, s.set) : undefined;
    if (!s)
      warnings.push(
        `${c.file}:${c.line}: struct btf_kfunc_id_set ${c.idSet} is not defined where it can be read`,
      );
    else if (s.set !== null && !fns)
      warnings.push(
        `${c.file}:${c.line}: kfunc set ${s.set} (of ${c.idSet}) is not defined where it can be read`,
      );
    if (c.kind === 'fmodret') {
      fmodret.push(...(fns ?? []));
      continue;
    }
    // Keyed by file too: a set name another file reuses must not lend this registration its functions.
    const key = s?.set ? `${c.file}:${s.set}` : null;
    if (key && fns) sets.set(key, fns);
    const { kind: _, ...call } = c;
    registrations.push({ ...call, set: key, filter: s?.filter ?? null });
  }
  return { source, version, hooks, sets, registrations, fmodret: [...new Set(fmodret)].sort(), warnings };
}

interface Define {
  params: string[] | null;
  body: string;
}

/** `#define` lines (with their continuations) that mention kfuncs: what set bodies may be built from. */
function definesOf(text: string): Map<string, Define> {
  const out = new Map<string, Define>();
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+(\w+)(\(([^)]*)\))?((?:[^\n]*\\\n)*[^\n]*)/gm)) {
    const body = m[4]!.replace(/\\\n/g, ' ');
    if (!/BTF_ID|KFUNC/.test(body) && !/KFUNC/.test(m[1]!)) continue;
    out.set(m[1]!, { params: m[2] ? m[3]!.split(',').map((p) => p.trim()) : null, body });
  }
  return out;
}

/** Expands the kfunc macros a set body uses (XDP_METADATA_KFUNC_xxx in 6.3+), a few levels deep. */
function expand(body: string, defines: Map<string, Define>, depth = 0): string {
  if (depth > 4 || defines.size === 0) return body;
  let changed = false;
  const out = body.replace(
    /\b(\w+)\b(\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\))?/g,
    (all, name: string, call, args: string) => {
      const d = defines.get(name);
      if (!d || name === 'BTF_ID_FLAGS' || name === 'BTF_ID') return all;
      changed = true;
      if (d.params === null) return d.body + (call ?? '');
      if (call === undefined) return all;
      const values = args.split(',').map((a) => a.trim());
      return d.body.replace(/\b\w+\b/g, (t) => {
        const i = d.params!.indexOf(t);
        return i >= 0 ? (values[i] ?? '') : t;
      });
    },
  );
  return changed ? expand(out, defines, depth + 1) : out;
}

/** `6.1.192` from the top Makefile's VERSION, PATCHLEVEL and SUBLEVEL. */
export function makefileVersion(text: string): string | null {
  const v = (k: string) => new RegExp(`^${k}\\s*=\\s*(\\d+)`, 'm').exec(text)?.[1];
  const [a, b, c] = [v('VERSION'), v('PATCHLEVEL'), v('SUBLEVEL')];
  return a && b ? `${a}.${b}${c ? `.${c}` : ''}` : null;
}

// Userspace copies and examples define look-alike sets; they register nothing in the kernel.
const SKIP_DIRS = new Set(['.git', 'tools', 'samples', 'Documentation', 'scripts', 'usr', 'LICENSES']);

/** Reads a tree's .c files (only those that mention kfunc sets are parsed) and its Makefile version. */
export function readKfuncRegistrations(dir: string): KfuncRegistrations & { warnings: string[] } {
  const files: SourceFile[] = [];
  const walk = (d: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch (e) {
      throw new ArtifactFormatError(`cannot read the directory: ${(e as Error).message}`, { source: d });
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) || d !== dir) walk(p);
      } else if (e.isFile() && (e.name.endsWith('.c') || e.name.endsWith('.h'))) {
        const text = readFileSync(p, 'latin1');
        if (text.includes('BTF_') || text.includes('KFUNC')) files.push({ path: relative(dir, p), text });
      }
    }
  };
  walk(dir);
  let version: string | null = null;
  try {
    version = makefileVersion(readFileSync(join(dir, 'Makefile'), 'latin1'));
  } catch {
    // A trimmed tree (a fixture) has no Makefile: the version is then unknown.
  }
  return parseKfuncRegistrations(files, dir, version);
}
