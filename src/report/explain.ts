// `kabi explain` as text, Markdown and JSON (the Explanation as it is; docs/explain.md describes it).
// The cascade first (N CRC changes, M root type changes, ranked), then each selected symbol with the path
// from its declaration to every root it reaches.
import type {
  Explanation,
  ModuleExposure,
  ModuleReach,
  RootChange,
  SymbolExplanation,
  TypeChange,
} from '../analysis/explain.js';
import { printableLines } from '../errors.js';
import { mdCode } from './markdown.js';

export interface ExplainRenderOptions {
  /** Rows of the per-symbol list and of long change lists; null for all. */
  limit: number | null;
  /** List every symbol, not only when the selection is small. */
  symbols: boolean;
}

const PER_SYMBOL_DEFAULT = 60;
/**
 * Changed types shown per module unless --all: through pointers a declaration reaches most of the
 * kernel's changed types, the nearest (what the module's calls name) say the most.
 */
const PER_MODULE_DEFAULT = 8;

/** At most `n` of a list, or all with --all (or the --limit, when smaller). */
function few(o: ExplainRenderOptions, n: number): number {
  return o.limit === null ? Number.POSITIVE_INFINITY : Math.min(o.limit, n);
}

function at(bits: number): string {
  return bits % 8 === 0 ? `offset ${bits / 8}` : `bit ${bits}`;
}

/** One line for each change; members that only moved are summed up in one line. */
export function describeTypeChanges(changes: readonly TypeChange[], limit = 8): string[] {
  const lines: string[] = [];
  const moved = changes.filter((c) => c.change === 'member-moved');
  for (const c of changes) {
    switch (c.change) {
      case 'type-added':
        lines.push('type added');
        break;
      case 'type-removed':
        lines.push('type removed');
        break;
      case 'size':
        lines.push(`size ${c.old} → ${c.new} bytes`);
        break;
      case 'member-added':
        lines.push(`+ ${c.member}: ${c.type} (${at(c.offset)})`);
        break;
      case 'member-removed':
        lines.push(`- ${c.member}: ${c.type} (was at ${at(c.offset)})`);
        break;
      case 'member-retyped':
        lines.push(`~ ${c.member}: ${c.old} → ${c.new}`);
        break;
      case 'value-added':
        lines.push(`+ ${c.name} = ${c.value}`);
        break;
      case 'value-removed':
        lines.push(`- ${c.name} = ${c.value}`);
        break;
      case 'value-changed':
        lines.push(`~ ${c.name}: ${c.old} → ${c.new}`);
        break;
      case 'prototype':
      case 'definition':
        lines.push(`~ ${c.change} was: ${c.old}`, `  ${' '.repeat(c.change.length)} now: ${c.new}`);
        break;
      case 'member-moved':
        break;
    }
  }
  if (moved.length > 0) {
    const first = moved[0] as Extract<TypeChange, { change: 'member-moved' }>;
    const more = moved.length > 1 ? ` and ${moved.length - 1} more` : '';
    lines.push(`${moved.length} member(s) moved: ${first.member} ${at(first.old)} → ${at(first.new)}${more}`);
  }
  return lines.length > limit ? [...lines.slice(0, limit), `… ${lines.length - limit} more changes`] : lines;
}

function headline(r: Explanation): string[] {
  const noDecl = r.symbols.filter((s) => s.status === 'no-declaration').length;
  const noChange = r.symbols.filter((s) => s.status === 'no-type-change').length;
  const reached = r.roots.filter((x) => x.exports.length > 0).length;
  return [
    `${r.crcChanged} CRC change(s): ${r.explained} explained by ${reached} root type change(s).`,
    ...(noDecl
      ? [
          `${noDecl} without a declaration in BTF (BTF records functions and per-CPU variables; other variables need --old-headers/--new-headers, module exports need the module's BTF).`,
        ]
      : []),
    ...(noChange
      ? [
          `${noChange} with no type change BTF can show: genksyms saw something BTF does not record (an attribute, a declaration detail, or a type it expands differently).`,
        ]
      : []),
    ...(r.unchangedCrcReached
      ? [
          `${r.unchangedCrcReached} export(s) with an unchanged CRC reach a root change too: genksyms did not expand those types for them.`,
        ]
      : []),
  ];
}

function showSymbols(r: Explanation, o: ExplainRenderOptions): SymbolExplanation[] {
  const cap = o.limit ?? Number.POSITIVE_INFINITY;
  if (o.symbols || r.symbols.length <= PER_SYMBOL_DEFAULT) return r.symbols.slice(0, cap);
  return [];
}

function rootLine(x: RootChange): string {
  const also = x.unchangedCrcExports ? ` (+${x.unchangedCrcExports} with unchanged CRC)` : '';
  return `${x.type}: reached by ${x.exports.length} CRC-changed export(s)${also}`;
}

export function explainToText(r: Explanation, o: ExplainRenderOptions): string {
  const out = [`kabi explain: ${r.old} → ${r.new}`, '', ...headline(r), ''];
  if (r.roots.length) out.push('Root type changes:');
  const cap = o.limit ?? Number.POSITIVE_INFINITY;
  for (const x of r.roots.slice(0, cap)) {
    out.push(`  ${rootLine(x)}`);
    for (const l of describeTypeChanges(x.changes)) out.push(`      ${l}`);
    if (x.examplePath.length) out.push(`      e.g. ${x.examplePath.join(' → ')}`);
  }
  if (r.roots.length > cap) out.push(`  … ${r.roots.length - cap} more (--all)`);
  // Named types, a dozen unless --all: the modules' section says which of them a module reaches.
  if (r.inherited.length) {
    const names = r.inherited.map((i) => `${i.type} (embeds ${i.embeds.join(', ')})`);
    out.push(
      '',
      `Layout changes that follow from embedded types (${r.inherited.length}): ${capped(names, few(o, 12))}`,
    );
  }
  if (r.containers.length) {
    const names = r.containers.map((i) => `${i.type} (holds ${i.embeds.join(', ')})`);
    out.push(
      '',
      `Unchanged types that hold a changed type by value (${r.containers.length}): ${capped(names, few(o, 8))}`,
    );
  }
  if (r.modules?.length) out.push('', ...modulesText(r, r.modules, few(o, PER_MODULE_DEFAULT)));
  const list = showSymbols(r, o);
  if (list.length) out.push('', 'Symbols:');
  for (const s of list) {
    out.push(`  ${s.symbol} [${s.module}] ${s.oldCrc} → ${s.newCrc}`);
    if (s.declaration)
      out.push(`      ${s.declaration}${s.declarationFrom ? `  (from ${s.declarationFrom})` : ''}`);
    if (s.status === 'no-declaration') out.push('      no declaration in BTF: cannot say which type changed');
    if (s.status === 'no-type-change') out.push('      BTF shows no change in any type it reaches');
    for (const root of s.roots) out.push(`      because ${root.type} changed: ${root.path.join(' → ')}`);
  }
  if (list.length && list.length < r.symbols.length)
    out.push(`  … ${r.symbols.length - list.length} more (--all)`);
  if (!list.length && r.symbols.length)
    out.push('', `(${r.symbols.length} symbols: name some, use --modules, or --symbols to list them all)`);
  // Type, member and symbol names are BTF's text: no control character of theirs reaches a terminal.
  return printableLines(`${out.join('\n')}\n`);
}

export function explainToMarkdown(r: Explanation, o: ExplainRenderOptions): string {
  const out = [
    `## kabi explain: ${mdCode(r.old)} → ${mdCode(r.new)}`,
    '',
    ...headline(r).map((l) => `- ${l}`),
    '',
  ];
  const cap = o.limit ?? Number.POSITIVE_INFINITY;
  if (r.roots.length) {
    out.push(
      '| root type change | CRC-changed exports | unchanged CRC | what changed | example path |',
      '|---|---:|---:|---|---|',
    );
    for (const x of r.roots.slice(0, cap)) {
      const what = describeTypeChanges(x.changes, 4).map(mdCode).join('<br>');
      out.push(
        `| ${mdCode(x.type)} | ${x.exports.length} | ${x.unchangedCrcExports} | ${what} | ${mdCode(x.examplePath.join(' → '))} |`,
      );
    }
  }
  if (r.modules?.length) out.push('', ...modulesMarkdown(r, r.modules, few(o, PER_MODULE_DEFAULT)));
  const list = showSymbols(r, o);
  if (list.length) {
    out.push('', '| symbol | module | old CRC | new CRC | because |', '|---|---|---|---|---|');
    for (const s of list) {
      const why =
        s.status === 'no-declaration'
          ? 'no declaration in BTF'
          : s.status === 'no-type-change'
            ? 'no type change in BTF'
            : s.roots.map((x) => mdCode(x.path.join(' → '))).join('<br>');
      out.push(`| ${mdCode(s.symbol)} | ${mdCode(s.module)} | ${s.oldCrc} | ${s.newCrc} | ${why} |`);
    }
    if (list.length < r.symbols.length) out.push('', `… ${r.symbols.length - list.length} more (--all)`);
  }
  return `${out.join('\n')}\n`;
}

export function explainToJson(r: Explanation): string {
  return `${JSON.stringify(r, null, 1)}\n`;
}

export const explainRenderers = {
  text: explainToText,
  markdown: explainToMarkdown,
  json: (r: Explanation, _o: ExplainRenderOptions) => explainToJson(r),
};

/** For `kabi why`: one line on why a symbol's CRC changed, or null when it cannot say. */
export function explainSymbolLine(s: SymbolExplanation): string | null {
  if (s.status !== 'explained' || s.roots.length === 0) return null;
  const first = s.roots[0]!;
  const more = s.roots.length > 1 ? ` (and ${s.roots.length - 1} more root change(s))` : '';
  return `its CRC changed because ${first.type} changed: ${first.path.join(' → ')}${more}`;
}

/** What to say when a symbol's CRC change has no type change behind it. */
export function explainStatusLine(s: SymbolExplanation): string {
  if (s.status === 'no-declaration') return 'BTF has no declaration for it: cannot say which type changed';
  if (s.status === 'no-type-change')
    return 'BTF shows no change in any type it reaches: genksyms saw something BTF does not record';
  return `its CRC changed because ${s.roots.map((r) => r.type).join(', ')} changed`;
}

function capped(names: readonly string[], cap: number): string {
  const more = names.length > cap ? `, … ${names.length - cap} more (--all)` : '';
  return `${names.slice(0, cap).join('; ')}${more}`;
}

type Quote = (s: string) => string;
const plain: Quote = (s) => s;

/** `layout: embeds struct device`: how a reached type takes part in the change. */
function reachKind(r: Explanation, x: ModuleReach, q: Quote = plain): string {
  if (x.kind === 'root') return 'root';
  const list = x.kind === 'layout' ? r.inherited : r.containers;
  const inner = (list.find((i) => i.type === x.type)?.embeds ?? []).map(q);
  return `${x.kind === 'layout' ? 'layout: embeds' : 'unchanged, holds'} ${inner.join(', ')}`;
}

/** Three of a list named, then how many more. */
function some(list: readonly string[], q: Quote): string {
  return [...list.slice(0, 3).map(q), ...(list.length > 3 ? [`${list.length - 3} more`] : [])].join(', ');
}

/** The imports that reach a type, and those of them whose CRC did not change. */
function reachImports(x: ModuleReach, q: Quote = plain): string {
  const same = x.unchangedCrc.length ? `; CRC unchanged for ${some(x.unchangedCrc, q)}` : '';
  return `${x.imports.length} import(s): ${some(x.imports, q)}${same}`;
}

/**
 * The reach of the first changed type when every one the module reaches has the same imports behind it
 * (the type graph is one cycle through pointers, so they usually do): the headline names them once.
 */
function sharedImports(m: ModuleExposure): ModuleReach | null {
  const [first, ...rest] = m.reaches;
  if (!first) return null;
  const key = (x: ModuleReach) => `${x.imports.join(' ')}|${x.unchangedCrc.join(' ')}`;
  return rest.every((x) => key(x) === key(first)) ? first : null;
}

function moduleHeadline(m: ModuleExposure): string {
  const undeclared = m.undeclared.length ? `; ${m.undeclared.length} without a declaration` : '';
  if (m.reaches.length === 0)
    return `${m.module}: none of its ${m.imports} imports reaches a changed type${undeclared}`;
  const shared = sharedImports(m);
  const reaching = new Set(m.reaches.flatMap((x) => x.imports)).size;
  const which = shared ? ` (${reachImports(shared).replace(/^\d+ import\(s\): /, '')})` : '';
  return `${m.module}: ${reaching} of ${m.imports} imports${which} reach ${m.reaches.length} changed type(s)${undeclared}`;
}

/** What the corpus says about BTF, once: most out-of-tree kmods carry none. */
function btfNote(modules: readonly ModuleExposure[]): string {
  const without = modules.filter((m) => !m.hasBtf).length;
  if (without === 0) return '';
  const who = without === modules.length ? 'none carries BTF' : `${without} carry no BTF`;
  return `; ${who}: which members of a changed type such a module reads cannot be known`;
}

function modulesText(r: Explanation, modules: readonly ModuleExposure[], cap: number): string[] {
  const reaching = modules.filter((m) => m.reaches.length > 0).length;
  const out = [
    `Modules: the changed types their imports reach (${modules.length} modules, ${reaching} reach one${btfNote(modules)}):`,
  ];
  for (const m of modules) {
    out.push(`  ${moduleHeadline(m)}`);
    // After a path that starts at one import: the others, unless the headline named them.
    const shared = sharedImports(m);
    const also = (x: ModuleReach) =>
      shared || (x.imports.length === 1 && !x.unchangedCrc.length) ? '' : ` (from ${reachImports(x)})`;
    for (const x of m.reaches.slice(0, cap))
      out.push(`      ${x.type} (${reachKind(r, x)}): ${x.path.join(' → ')}${also(x)}`);
    if (m.reaches.length > cap) out.push(`      … ${m.reaches.length - cap} more (--all)`);
    const own = holdsLine(m);
    if (own) out.push(`      ${own}`);
  }
  return out;
}

function modulesMarkdown(r: Explanation, modules: readonly ModuleExposure[], cap: number): string[] {
  const out = [
    `Changed types the modules' imports reach${btfNote(modules)}.`,
    '',
    '| module | changed type | kind | example path | imports |',
    '|---|---|---|---|---|',
  ];
  for (const m of modules) {
    if (m.reaches.length === 0) out.push(`| ${mdCode(m.module)} | none | | | |`);
    for (const x of m.reaches.slice(0, cap))
      out.push(
        `| ${mdCode(m.module)} | ${mdCode(x.type)} | ${reachKind(r, x, mdCode)} | ${mdCode(x.path.join(' → '))} | ${reachImports(x, mdCode)} |`,
      );
  }
  const own = modules.flatMap((m) => (holdsLine(m) ? [`- ${mdCode(m.module)}: ${holdsLine(m)}`] : []));
  return own.length ? [...out, '', ...own] : out;
}

/** What the module's own types hold of the changed ones, when it carries BTF. */
function holdsLine(m: ModuleExposure): string | null {
  if (!m.hasBtf) return null;
  if (m.holds === null)
    return 'its BTF was not read (inside a package): extract the .ko to see its own types';
  if (m.holds.length === 0)
    return 'its own types hold no changed type by value; it is affected only where it reads members that moved';
  const held = m.holds.map((h) => `${h.type}.${h.member} (${at(h.offset)}) holds ${h.holds}`);
  return `its own layout moves: ${held.join('; ')}`;
}
