// A kernel's types as the store keeps them for `kabi explain`: the type graph of its BTF (every named
// type, and the declaration of every export with a CRC) digested like genksyms digests a declaration.
// Each node is named by its key (`struct device`, `func kmalloc_trace`) and carries two hashes:
//   def:   of its own shallow definition (the graph's facts and refs, and an export's C declaration);
//   reach: of its whole transitive definition (every node it reaches, cycles included).
// Two builds' nodes with the same reach hash reach nothing that changed, so explain never loads them;
// the definitions themselves are kept once per def hash, shared by every build that has them.

/**
 * One build's index: every node's key, its def and reach hashes (8 bytes each, side by side in one
 * array), and whether it was added by an export's declaration (the declaration itself, and the module's
 * own types it reaches, or the definition of a type vmlinux has only as a forward declaration) rather
 * than by vmlinux's BTF: explain takes those into its graph only when an export it asks about reaches
 * them, as explain on BTF does. Typed arrays, not an object per node: explain reads two of these.
 */
export class TypeIndex {
  /** Made on first use: an index that is only stored (ingest) is never looked up. */
  private pos: Map<string, number> | null = null;

  constructor(
    /** In the graph's order. */
    readonly keys: readonly string[],
    /** 16 bytes per node: def hash, then reach hash. */
    readonly hashes: Uint8Array,
    /** 1 where the node was added by a declaration. */
    readonly declared: Uint8Array,
  ) {}

  get size(): number {
    return this.keys.length;
  }

  /** The node's position, or undefined. */
  at(key: string): number | undefined {
    if (this.pos === null) {
      this.pos = new Map();
      for (const [i, k] of this.keys.entries()) this.pos.set(k, i);
    }
    return this.pos.get(key);
  }

  /** The def hash of node `i`, as the store names a definition. */
  defHex(i: number): string {
    return hexOf(this.hashes, i * 2 * TYPE_HASH_BYTES);
  }

  /** Whether node `i` here and node `j` of `other` reach the same definitions. */
  sameReach(i: number, other: TypeIndex, j: number): boolean {
    const a = i * 2 * TYPE_HASH_BYTES + TYPE_HASH_BYTES;
    const b = j * 2 * TYPE_HASH_BYTES + TYPE_HASH_BYTES;
    for (let k = 0; k < TYPE_HASH_BYTES; k++) if (this.hashes[a + k] !== other.hashes[b + k]) return false;
    return true;
  }
}

/** A node's shallow definition, as the type graph holds it; `text` is an export's C declaration. */
export interface TypeDef {
  facts: string[];
  refs: string[];
  text: string | null;
}

/** What ingest keeps of a kernel's BTF. */
export interface TypeDigest {
  index: TypeIndex;
  /** def hash (hex) → definition, one per distinct def hash. */
  defs: Map<string, TypeDef>;
  /** def hash (hex) → the definition as the JSON text `[facts, refs, text]` its hash was taken of. */
  json: Map<string, string>;
}

export const TYPE_HASH_BYTES = 8;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The hex of the 8-byte hash at `offset`. */
export function hexOf(bytes: Uint8Array, offset = 0): string {
  let s = '';
  for (let k = 0; k < TYPE_HASH_BYTES; k++) s += HEX[bytes[offset + k]!];
  return s;
}
