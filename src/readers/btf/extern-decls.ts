// Declared types of exported variables, from the kernel's headers (a linux-headers-*-common package or a
// source tree). BTF records functions and per-CPU variables only, so for `kmalloc_caches` the type comes
// from its header: `extern struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];`.
//
// A regular expression over declarations, not a C parser: externs are simple declarations (no function
// bodies), and what is needed is only the named type they mention. Macros in the type are not expanded;
// a declaration whose type is a macro gives no type.
import { openArtifact } from '../pkg/index.js';

export interface ExternDeclaration {
  /** `struct kmem_cache`, `typedef cpumask_var_t`; null for a base type (int, unsigned long). */
  key: string | null;
  /** The declaration as written, on one line. */
  declaration: string;
  /** `include/linux/slab.h`. */
  where: string;
}

const HEADER = /(?:^|\/)(?:arch\/[^/]+\/)?include\/.*\.h$/;
const EXTERN = /\bextern\s+([^;{}()#]*?)\b([A-Za-z_]\w*)\s*((?:\[[^\];]*\]\s*)*)(?:__\w+\s*)*;/g;
const BASE_TYPES = new Set([
  'int',
  'long',
  'char',
  'short',
  'unsigned',
  'signed',
  'bool',
  '_Bool',
  'void',
  'float',
  'double',
]);

/** The named type an extern's type text mentions, ignoring qualifiers and kernel annotations. */
export function declaredTypeKey(typeText: string): string | null {
  const clean = typeText
    .replace(/\b__\w+(?:\([^)]*\))?/g, ' ')
    .replace(/\b(?:const|volatile|static|register|restrict)\b/g, ' ')
    .replace(/\*/g, ' ')
    .trim();
  const tagged = /\b(struct|union|enum)\s+(\w+)/.exec(clean);
  if (tagged) return `${tagged[1]} ${tagged[2]}`;
  const words = clean.split(/\s+/).filter(Boolean);
  const last = words.at(-1);
  if (!last || BASE_TYPES.has(last) || words.every((w) => BASE_TYPES.has(w))) return null;
  return `typedef ${last}`;
}

/** Scans every header of `path` for extern declarations of `names`; the first found for a name wins. */
export async function readExternDeclarations(
  path: string,
  names: ReadonlySet<string>,
): Promise<Map<string, ExternDeclaration>> {
  const found = new Map<string, ExternDeclaration>();
  if (names.size === 0) return found;
  const source = await openArtifact(path);
  for await (const file of source.files((p) => HEADER.test(p))) {
    if (file.linkTarget !== undefined || file.hardLinkTarget !== undefined) continue;
    const text = file.data.toString('latin1');
    if (!text.includes('extern')) continue;
    for (const m of text.matchAll(EXTERN)) {
      const name = m[2]!;
      if (!names.has(name) || found.has(name)) continue;
      const where = file.path.replace(/^.*?(?=(?:arch\/[^/]+\/)?include\/)/, '');
      found.set(name, {
        key: declaredTypeKey(m[1]!),
        declaration: m[0].replace(/\s+/g, ' ').trim(),
        where,
      });
    }
  }
  return found;
}
