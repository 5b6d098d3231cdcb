// A kernel's types as the store keeps them for `kabi explain`: the type graph of its BTF (every named
// type, and the declaration of every export with a CRC) digested like genksyms digests a declaration.
// Each node is named by its key (`struct device`, `func kmalloc_trace`) and carries two hashes:
//   def:   of its own shallow definition (the graph's facts and refs, and an export's C declaration);
//   reach: of its whole transitive definition (every node it reaches, cycles included).
// Two builds' nodes with the same reach hash reach nothing that changed, so explain never loads them;
// the definitions themselves are kept once per def hash, shared by every build that has them.

/** A node's two hashes, 8 bytes each, and how it entered the graph. */
export interface TypeDigestNode {
  def: Uint8Array;
  reach: Uint8Array;
  /**
   * Added by an export's declaration (the declaration itself, and the module's own types it reaches,
   * or the definition of a type vmlinux has only as a forward declaration), not by vmlinux's BTF: explain
   * takes it into its graph only when an export it asks about reaches it, as explain on BTF does.
   */
  declared: boolean;
}

/** One build's index: key → hashes, in the graph's order. */
export type TypeIndex = Map<string, TypeDigestNode>;

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
  defs: Map<string, { hash: Uint8Array; def: TypeDef }>;
}

export const TYPE_HASH_BYTES = 8;

/** The stored text of a definition (JSON: BTF names are bytes, a newline among them stays one fact). */
export function encodeTypeDef(d: TypeDef): string {
  return JSON.stringify([d.facts, d.refs, d.text]);
}

export function decodeTypeDef(s: string): TypeDef {
  const [facts, refs, text] = JSON.parse(s) as [string[], string[], string | null];
  return { facts, refs, text };
}

export const hashHex = (h: Uint8Array): string => Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('hex');

export function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
