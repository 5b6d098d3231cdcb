// `kabi btf`: types written as C (checked against `bpftool btf dump ... format c` in the tests), or a
// count of a BTF's types by kind.

import { printableLines } from '../errors.js';
import type { Btf, BtfKind } from '../model/btf.js';
import { cDefinition } from '../model/btf-c.js';
import { type BtfCDump, btfDefinitionC, btfToC } from '../model/btf-dump.js';

/** Every type called `name`; `struct device` narrows to one tag. */
export function findTypes(btf: Btf, query: string): number[] {
  const m = /^(struct|union|enum|typedef|func|var) (\S+)$/.exec(query.trim());
  const name = m ? m[2]! : query.trim();
  const kinds: BtfKind[] | null = m ? (m[1] === 'enum' ? ['enum', 'enum64'] : [m[1] as BtfKind]) : null;
  return btf.named(name).filter((id) => kinds === null || kinds.includes(btf.get(id).kind));
}

/** A type's definition as bpftool writes it (padding, packing), or a function's or variable's declaration. */
function definitionOf(btf: Btf, id: number): string {
  return btfDefinitionC(btf, id) ?? cDefinition(btf, id);
}

export function btfTypesToText(btf: Btf, ids: readonly number[]): string {
  return printableLines(`${ids.map((id) => `/* [${id}] */\n${definitionOf(btf, id)}`).join('\n\n')}\n`);
}

/**
 * `kabi btf ARTIFACT --format c`: the whole BTF as the C header `bpftool btf dump file F format c` prints,
 * or the TYPEs named and what they need; `problems` lists what C could not spell (hostile BTF only).
 */
export function btfHeader(btf: Btf, ids?: readonly number[]): BtfCDump {
  const dump = btfToC(btf, ids);
  return { text: printableLines(dump.text), problems: dump.problems };
}

/** Types by kind, most first. */
function kindCounts(btf: Btf): [BtfKind, number][] {
  const counts = new Map<BtfKind, number>();
  for (let id = btf.firstId; id < btf.count; id++) {
    const k = btf.get(id).kind;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

export function btfSummaryToText(btf: Btf): string {
  const lines = kindCounts(btf).map(([k, n]) => `  ${k.padEnd(11)} ${n}`);
  const split = btf.base ? ` (split BTF on ${btf.base.count - 1} base types)` : '';
  return `${btf.source}: ${btf.count - btf.firstId} types${split}\n${lines.join('\n')}\n`;
}
