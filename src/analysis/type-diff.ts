// What changed in a type's own definition between two kernels: the facts of the nodes of two type
// graphs (type-graph.ts) compared key by key, the difference named in the kernel's terms (size, member
// added, removed, retyped or moved, enum value, prototype). Only a node's own facts count: a struct that
// points to a changed struct is unchanged here; which exports reach a change is type-reach.ts's work.
import { memberFacts, type TypeGraph } from './type-graph.js';

export type TypeChange =
  | { change: 'type-added' | 'type-removed' }
  | { change: 'size'; old: number; new: number }
  | { change: 'member-added' | 'member-removed'; member: string; offset: number; type: string }
  | { change: 'member-retyped'; member: string; old: string; new: string }
  | { change: 'member-moved'; member: string; old: number; new: number }
  | { change: 'value-added' | 'value-removed'; name: string; value: string }
  | { change: 'value-changed'; name: string; old: string; new: string }
  | { change: 'prototype' | 'definition'; old: string; new: string };

/** Types whose own definition differs between the two graphs, with what changed. */
export function rootChanges(a: TypeGraph, b: TypeGraph): Map<string, TypeChange[]> {
  const out = new Map<string, TypeChange[]>();
  for (const [key, nb] of b.nodes) {
    const na = a.nodes.get(key);
    // An opaque (forward-declared only) side says nothing about the definition.
    if (!na || na.facts.length === 0 || nb.facts.length === 0) continue;
    if (na.facts.length === nb.facts.length && na.facts.every((f, i) => f === nb.facts[i])) continue;
    out.set(key, describeChanges(key, na.facts, nb.facts));
  }
  return out;
}

function describeChanges(key: string, before: string[], after: string[]): TypeChange[] {
  return [
    ...sizeChange(before, after),
    ...memberChanges(before, after),
    ...valueChanges(before, after),
    ...otherChange(key, before, after),
  ];
}

function sizeChange(before: string[], after: string[]): TypeChange[] {
  const size = (f: string[]) => f.find((l) => l.startsWith('size '));
  const sa = size(before);
  const sb = size(after);
  return sa && sb && sa !== sb
    ? [{ change: 'size', old: Number(sa.slice(5)), new: Number(sb.slice(5)) }]
    : [];
}

/** Added, retyped and moved members in the new order, then the removed ones in the old. */
function memberChanges(before: string[], after: string[]): TypeChange[] {
  const changes: TypeChange[] = [];
  const membersOf = (facts: string[]) => new Map(memberFacts(facts).map((m) => [m.member, m]));
  const ma = membersOf(before);
  const mb = membersOf(after);
  for (const [name, n] of mb) {
    const o = ma.get(name);
    if (!o) changes.push({ change: 'member-added', member: name, offset: n.offset, type: n.type });
    else if (o.type !== n.type)
      changes.push({ change: 'member-retyped', member: name, old: o.type, new: n.type });
    else if (o.offset !== n.offset)
      changes.push({ change: 'member-moved', member: name, old: o.offset, new: n.offset });
  }
  for (const [name, o] of ma) {
    if (!mb.has(name))
      changes.push({ change: 'member-removed', member: name, offset: o.offset, type: o.type });
  }
  return changes;
}

function valueChanges(before: string[], after: string[]): TypeChange[] {
  const changes: TypeChange[] = [];
  const valuesOf = (facts: string[]) =>
    new Map(
      facts.filter((f) => f.startsWith('value ')).map((f) => f.slice(6).split(' = ') as [string, string]),
    );
  const va = valuesOf(before);
  const vb = valuesOf(after);
  for (const [name, v] of vb) {
    const o = va.get(name);
    if (o === undefined) changes.push({ change: 'value-added', name, value: v });
    else if (o !== v) changes.push({ change: 'value-changed', name, old: o, new: v });
  }
  for (const [name, v] of va) if (!vb.has(name)) changes.push({ change: 'value-removed', name, value: v });
  return changes;
}

/** Whatever is not size, member or value (a prototype, a typedef's target), compared as one text. */
function otherChange(key: string, before: string[], after: string[]): TypeChange[] {
  const rest = (f: string[]) =>
    f.filter((l) => !l.startsWith('size ') && !l.startsWith('member ') && !l.startsWith('value ')).join('; ');
  const ra = rest(before);
  const rb = rest(after);
  if (ra === rb) return [];
  return [{ change: key.startsWith('func ') ? 'prototype' : 'definition', old: ra, new: rb }];
}
