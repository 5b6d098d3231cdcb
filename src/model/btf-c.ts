// BTF types written as C, in the style of libbpf's btf_dump (what `bpftool btf dump ... format c`
// prints): `const char *name`, `int (*probe)(struct device *)`, `unsigned int can_match: 1;`.
// It lives in the model, like libabigail's pretty representations in its IR, because comparison
// names types with it too, not only reports.
import type { Btf, BtfType } from './btf.js';

// BTF comes from outside, so its graph is hostile until shown otherwise: a function prototype may take
// itself as a parameter, an anonymous struct may hold a pointer to itself, and anonymous types shared by
// dedup can form a tree that doubles at every level. Each call therefore carries the ids on its path (a
// repeat is a loop, written as a comment), a depth limit, and a budget: one unit per declarator and per
// character of the bodies it writes. The largest definition in Debian 6.1's vmlinux spends 15,214
// (measured); past the budget, anonymous bodies and parameter lists are elided, so one call costs at most
// a few milliseconds whatever the input. The budget is per call, not per BTF, so a long-lived process
// (the server) prints the same types the same way forever.
const MAX_DEPTH = 64;
const BUDGET = 1 << 18;

interface Walk {
  btf: Btf;
  /** Unnamed types being written out on the current path: meeting one again is a loop. */
  path: Set<number>;
  budget: { left: number };
}

function walkOf(btf: Btf): Walk {
  return { btf, path: new Set(), budget: { left: BUDGET } };
}

/** The C spelling of a type used in a declaration: `struct device *`, `unsigned long[1]`. */
export function cTypeName(btf: Btf, id: number): string {
  return cDeclaration(btf, id, '');
}

/**
 * `name` declared with type `id`, e.g. cDeclaration(btf, ptrToFuncProto, 'probe') → `int (*probe)(struct device *)`.
 * Anonymous structs, unions and enums are written inline; `indent` is the depth of the declaration.
 */
export function cDeclaration(btf: Btf, id: number, name: string, indent = 0): string {
  return declare(walkOf(btf), id, name, indent, 0).trimEnd();
}

function join(base: string, inner: string): string {
  if (!inner) return base;
  return inner.startsWith('[') ? base + inner : `${base} ${inner}`;
}

/** Named types end the walk; every other kind may lead back to itself. */
function mayLoop(t: BtfType): boolean {
  switch (t.kind) {
    case 'void':
    case 'int':
    case 'float':
    case 'typedef':
    case 'fwd':
    case 'datasec':
    case 'decl_tag':
      return false;
    case 'struct':
    case 'union':
    case 'enum':
    case 'enum64':
      return !t.name;
    default:
      return true;
  }
}

function declare(w: Walk, id: number, inner: string, indent: number, depth: number): string {
  if (depth > MAX_DEPTH) return join(`/* [${id}] too deep */ void`, inner);
  const t = w.btf.get(id);
  if (!mayLoop(t)) return declareStep(w, id, t, inner, indent, depth);
  if (w.path.has(id)) return join(`/* [${id}] loops back to itself */ void`, inner);
  w.budget.left--;
  w.path.add(id);
  try {
    return declareStep(w, id, t, inner, indent, depth);
  } finally {
    w.path.delete(id);
  }
}

function declareStep(w: Walk, id: number, t: BtfType, inner: string, indent: number, depth: number): string {
  const btf = w.btf;
  switch (t.kind) {
    case 'void':
      return join('void', inner);
    case 'int':
    case 'float':
    case 'typedef':
      return join(t.name, inner);
    case 'fwd':
      return join(`${t.union ? 'union' : 'struct'} ${t.name}`, inner);
    case 'struct':
    case 'union':
    case 'enum':
    case 'enum64': {
      const tag = t.kind === 'enum64' ? 'enum' : t.kind;
      if (t.name) return join(`${tag} ${t.name}`, inner);
      return join(body(w, id, t, indent, depth + 1), inner);
    }
    case 'ptr': {
      const target = skipQualifiers(btf, t.type);
      const pointee = btf.get(target).kind;
      const star = /^(\(|const\b|volatile\b|restrict\b)/.test(inner) ? `* ${inner}` : `*${inner}`;
      const p = pointee === 'array' || pointee === 'func_proto' ? `(${star})` : star;
      return declare(w, t.type, p, indent, depth + 1);
    }
    case 'const':
    case 'volatile':
    case 'restrict': {
      const target = btf.get(t.type);
      // A qualified pointer: the qualifier follows the star (`char * const p`).
      if (target.kind === 'ptr')
        return declare(w, t.type, inner ? `${t.kind} ${inner}` : t.kind, indent, depth + 1);
      // A qualified array is an array of qualified elements; C spells the qualifier once.
      if (target.kind === 'array') {
        const elem = btf.get(target.type);
        const rest = declare(w, target.type, `${inner}[${target.nelems}]`, indent, depth + 1);
        return elem.kind === t.kind ? rest : `${t.kind} ${rest}`;
      }
      return `${t.kind} ${declare(w, t.type, inner, indent, depth + 1)}`;
    }
    case 'type_tag':
      return declare(w, t.type, inner, indent, depth + 1);
    case 'array':
      return declare(w, t.type, `${inner}[${t.nelems}]`, indent, depth + 1);
    case 'func_proto': {
      let params: string[];
      if (w.budget.left <= 0) params = [`/* [${id}] parameters elided: output limit */`];
      else {
        params = t.params.map((p) => declare(w, p.type, p.name, indent, depth + 1).trimEnd());
        if (t.variadic) params.push('...');
        for (const p of params) w.budget.left -= p.length;
      }
      return declare(w, t.type, `${inner}(${params.length ? params.join(', ') : 'void'})`, indent, depth + 1);
    }
    case 'func':
    case 'var':
      return declare(w, t.type, inner || t.name, indent, depth + 1);
    case 'datasec':
    case 'decl_tag':
      return join(`/* ${t.kind} ${t.name} */`, inner);
  }
}

function skipQualifiers(btf: Btf, id: number): number {
  let cur = id;
  for (let i = 0; i < MAX_DEPTH; i++) {
    const t = btf.get(cur);
    if (t.kind !== 'const' && t.kind !== 'volatile' && t.kind !== 'restrict' && t.kind !== 'type_tag')
      return cur;
    cur = t.type;
  }
  return cur;
}

/** `struct x {\n\tint a;\n}` (no trailing `;`): a struct, union or enum with its body. */
export function cBody(btf: Btf, t: BtfType, indent = 0): string {
  return body(walkOf(btf), -1, t, indent, 0);
}

function body(w: Walk, id: number, t: BtfType, indent: number, depth: number): string {
  const pad = '\t'.repeat(indent + 1);
  const close = '\t'.repeat(indent);
  if (t.kind === 'struct' || t.kind === 'union') {
    const head = t.name ? `${t.kind} ${t.name}` : t.kind;
    if (t.members.length === 0) return `${head} {}`;
    if (!t.name && w.budget.left <= 0) return `${head} {/* [${id}] elided: output limit */}`;
    const lines = t.members.map((m) => {
      const decl = declare(w, m.type, m.name, indent + 1, depth).trimEnd();
      return `${pad}${decl}${m.bitfieldSize ? `: ${m.bitfieldSize}` : ''};`;
    });
    const text = `${head} {\n${lines.join('\n')}\n${close}}`;
    w.budget.left -= text.length;
    return text;
  }
  if (t.kind === 'enum' || t.kind === 'enum64') {
    const head = t.name ? `enum ${t.name}` : 'enum';
    if (t.values.length === 0) return `${head} {}`;
    const lines = t.values.map(
      (v) => `${pad}${v.name} = ${enumValue(v.value, t.kind === 'enum64', t.signed)},`,
    );
    return `${head} {\n${lines.join('\n')}\n${close}}`;
  }
  return t.name;
}

function enumValue(v: bigint, wide: boolean, signed: boolean): string {
  return wide && !signed ? `${v}ULL` : `${v}`;
}

/**
 * A type's definition as a C statement: `struct device {...};`, `typedef unsigned int u32;`,
 * `int proc_create(...);` for a function, `extern int x;` for a variable.
 */
export function cDefinition(btf: Btf, id: number): string {
  const t = btf.get(id);
  switch (t.kind) {
    case 'struct':
    case 'union':
    case 'enum':
    case 'enum64': {
      const w = walkOf(btf);
      w.path.add(id);
      return `${body(w, id, t, 0, 1)};`;
    }
    case 'typedef':
      return `typedef ${cDeclaration(btf, t.type, t.name)};`;
    case 'fwd':
      return `${t.union ? 'union' : 'struct'} ${t.name};`;
    case 'func':
      // pahole marks kernel functions static whatever their C linkage: the keyword would mislead.
      return `${cDeclaration(btf, t.type, t.name)};`;
    case 'var':
      return `${t.linkage === 'static' ? 'static ' : 'extern '}${cDeclaration(btf, t.type, t.name)};`;
    default:
      return `${cTypeName(btf, id)};`;
  }
}
