// A reader of the subset of XML Schema that the JUnit XSD uses (global elements, sequences of refs with
// minOccurs/maxOccurs, required and allowed attributes, text-only elements), to check JUnit output
// where xmllint is not installed.
import { XMLParser } from 'fast-xml-parser';

interface ElementRule {
  attributes: Map<string, boolean>;
  sequence: { ref: string; min: number; max: number }[];
  textOnly: boolean;
}

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
});

const tagOf = (n: Node) => Object.keys(n).find((k) => k !== ':@')!;
const kids = (n: Node) => (n[tagOf(n)] as Node[]) ?? [];
const occurs = (v: string | undefined, d: number) =>
  v === undefined ? d : v === 'unbounded' ? Infinity : Number(v);

export function readXsd(text: string): Map<string, ElementRule> {
  const rules = new Map<string, ElementRule>();
  const schema = (parser.parse(text) as Node[]).find((n) => tagOf(n) === 'xs:schema')!;
  for (const el of kids(schema).filter((n) => tagOf(n) === 'xs:element')) {
    const name = el[':@']!.name!;
    const rule: ElementRule = {
      attributes: new Map(),
      sequence: [],
      textOnly: el[':@']!.type === 'xs:string',
    };
    const type = kids(el).find((n) => tagOf(n) === 'xs:complexType');
    for (const part of type ? kids(type) : []) {
      if (tagOf(part) === 'xs:attribute')
        rule.attributes.set(part[':@']!.name!, part[':@']!.use === 'required');
      if (tagOf(part) === 'xs:sequence')
        for (const r of kids(part).filter((n) => tagOf(n) === 'xs:element'))
          rule.sequence.push({
            ref: r[':@']!.ref!,
            min: occurs(r[':@']!.minOccurs, 1),
            max: occurs(r[':@']!.maxOccurs, 1),
          });
    }
    rules.set(name, rule);
  }
  return rules;
}

/** Problems found in `xml` against the rules, as `path: what`; empty when it conforms. */
export function checkXml(xml: string, rules: Map<string, ElementRule>, root: string): string[] {
  const problems: string[] = [];
  const top = (parser.parse(xml) as Node[]).filter((n) => !tagOf(n).startsWith('?') && tagOf(n) !== '#text');
  if (top.length !== 1 || tagOf(top[0]!) !== root) return [`the document element is not <${root}>`];
  const visit = (n: Node, path: string) => {
    const tag = tagOf(n);
    const rule = rules.get(tag);
    if (!rule) return void problems.push(`${path}: <${tag}> is not in the schema`);
    const attrs = n[':@'] ?? {};
    for (const a of Object.keys(attrs))
      if (!rule.attributes.has(a)) problems.push(`${path}: attribute ${a} not allowed`);
    for (const [a, required] of rule.attributes)
      if (required && !(a in attrs)) problems.push(`${path}: attribute ${a} missing`);
    const elements = kids(n).filter((c) => tagOf(c) !== '#text');
    if (rule.textOnly || rule.sequence.length === 0) {
      if (elements.length) problems.push(`${path}: <${tag}> holds elements`);
      return;
    }
    // Walk the sequence: each particle takes as many of its element as it may, in order.
    let i = 0;
    for (const p of rule.sequence) {
      let n = 0;
      while (i < elements.length && tagOf(elements[i]!) === p.ref && n < p.max) {
        visit(elements[i]!, `${path}/${p.ref}[${n}]`);
        i++;
        n++;
      }
      if (n < p.min) problems.push(`${path}: expected <${p.ref}>`);
    }
    if (i < elements.length) problems.push(`${path}: <${tagOf(elements[i]!)}> not allowed here`);
  };
  visit(top[0]!, root);
  return problems;
}
