// JSON Schemas of the commands' JSON output, generated from the TypeScript types the renderers build
// (the checker's view of each type, so inferred return types count too) into schema/<name>.schema.json.
// `npm run schemas` rewrites them; test/cli/machine-output.test.ts fails when they are stale,
// test/cli/json-schemas.test.ts when a command that writes JSON has none.
// Run: node dist/test/helpers/json-schemas.js --write
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { SCHEMA_VERSION, schemaId } from '../../src/report/schema-id.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const SCHEMA_DIR = join(ROOT, 'schema');

/** Each schema: the command whose output it describes, and the type (or function whose result) it is. */
export const SCHEMA_ROOTS: { name: string; command: string; file: string; type: string; fn?: boolean }[] = [
  { name: 'check', command: 'kabi check / kabi diff', file: 'src/report/json.ts', type: 'DiffJson' },
  { name: 'summary', command: 'kabi summary', file: 'src/analysis/summary.ts', type: 'ExportsSummary' },
  { name: 'compat', command: 'kabi compat', file: 'src/report/compat-stream.ts', type: 'CompatJson' },
  { name: 'why', command: 'kabi why', file: 'src/report/compat.ts', type: 'verdictsDocument', fn: true },
  {
    name: 'compat-series',
    command: 'kabi compat --series',
    file: 'src/report/compat-series.ts',
    type: 'compatSeriesDocument',
    fn: true,
  },
  { name: 'list', command: 'kabi list / kabi show', file: 'src/report/entries.ts', type: 'EntryListJson' },
  { name: 'series', command: 'kabi series', file: 'src/report/series-json.ts', type: 'SeriesOutputJson' },
  {
    name: 'series-streams',
    command: 'kabi series --streams',
    file: 'src/report/series-json.ts',
    type: 'StreamDriftJson',
  },
  {
    name: 'series-stablelist',
    command: 'kabi series --stablelist',
    file: 'src/report/series-json.ts',
    type: 'StablelistOutputJson',
  },
  {
    name: 'history',
    command: 'kabi history',
    file: 'src/report/series-json.ts',
    type: 'SymbolHistoryOutputJson',
  },
  { name: 'impact', command: 'kabi impact', file: 'src/report/impact.ts', type: 'ImpactJson' },
  { name: 'coverage', command: 'kabi coverage', file: 'src/report/coverage.ts', type: 'CoverageJson' },
  { name: 'explain', command: 'kabi explain', file: 'src/analysis/explanation.ts', type: 'Explanation' },
  { name: 'kfuncs', command: 'kabi kfuncs', file: 'src/report/kfuncs.ts', type: 'KfuncListJson' },
  {
    name: 'kfuncs-series',
    command: 'kabi kfuncs --series',
    file: 'src/report/kfuncs.ts',
    type: 'KfuncSeriesJson',
  },
  { name: 'kfuncs-diff', command: 'kabi diff --kfuncs', file: 'src/report/kfuncs.ts', type: 'KfuncDiffJson' },
  { name: 'bpf-compat', command: 'kabi bpf-compat', file: 'src/report/bpf-compat.ts', type: 'BpfCompatJson' },
  { name: 'btf', command: 'kabi btf', file: 'src/report/btf-raw.ts', type: 'BtfRawJson' },
  { name: 'modinfo', command: 'kabi modinfo', file: 'src/report/module.ts', type: 'ModinfoJson' },
  { name: 'modversions', command: 'kabi modversions', file: 'src/report/module.ts', type: 'ModversionsJson' },
  {
    name: 'modversions-tree',
    command: 'kabi modversions DIR|PACKAGE',
    file: 'src/report/module.ts',
    type: 'ModversionsTreeJson',
  },
  {
    name: 'series-comm',
    command: 'kabi series --comm',
    file: 'src/report/series-comm.ts',
    type: 'SeriesCommOutputJson',
  },
  {
    name: 'series-consumed',
    command: 'kabi series --modules',
    file: 'src/report/series-consumed.ts',
    type: 'SeriesConsumedOutputJson',
  },
  { name: 'simulate', command: 'kabi simulate', file: 'src/report/simulate.ts', type: 'SimulateJson' },
  { name: 'fetch', command: 'kabi fetch debian', file: 'src/fetch/debian.ts', type: 'FetchDebianResult' },
  {
    name: 'impact-by-arch',
    command: 'kabi impact --by-arch',
    file: 'src/report/impact-by-arch.ts',
    type: 'ImpactByArchJson',
  },
  {
    name: 'interfaces',
    command: 'kabi interfaces',
    file: 'src/report/interfaces.ts',
    type: 'InterfacesJson',
  },
  {
    name: 'stablelist-generate',
    command: 'kabi stablelist generate',
    file: 'src/report/stablelist-reference.ts',
    type: 'StablelistGenerateJson',
  },
  {
    name: 'watch-event',
    command: 'kabi watch (one line each)',
    file: 'src/analysis/watch-round.ts',
    type: 'WatchEvent',
  },
];

const ts_ = ts;

/** A JSON Schema for one exported type, named types under `definitions`. */
export function generateSchemas(): Map<string, string> {
  const files = [...new Set(SCHEMA_ROOTS.map((r) => join(ROOT, r.file)))];
  const program = ts_.createProgram(files, {
    strict: true,
    target: ts_.ScriptTarget.ES2022,
    module: ts_.ModuleKind.NodeNext,
    moduleResolution: ts_.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const out = new Map<string, string>();
  for (const root of SCHEMA_ROOTS) {
    const sf = program.getSourceFile(join(ROOT, root.file));
    if (!sf) throw new Error(`${root.file}: not found`);
    const sym = checker
      .getExportsOfModule(checker.getSymbolAtLocation(sf)!)
      .find((s) => s.name === root.type);
    if (!sym) throw new Error(`${root.file}: exports no ${root.type}`);
    let type = root.fn
      ? checker.getTypeOfSymbolAtLocation(sym, sf).getCallSignatures()[0]!.getReturnType()
      : checker.getDeclaredTypeOfSymbol(sym);
    if (root.fn) type = checker.getAwaitedType(type) ?? type;
    const definitions: Record<string, unknown> = {};
    const schema = new Converter(checker, definitions).convert(type, true);
    const doc = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: schemaId(root.name),
      title: `${root.command} --format json (schema version ${SCHEMA_VERSION})`,
      ...schema,
      ...(Object.keys(definitions).length ? { definitions: sortKeys(definitions) } : {}),
    };
    out.set(root.name, `${JSON.stringify(doc, null, 2)}\n`);
  }
  return out;
}

const sortKeys = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

class Converter {
  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly definitions: Record<string, unknown>,
  ) {}

  convert(type: ts.Type, root = false): Record<string, unknown> {
    const c = this.checker;
    const f = type.flags;
    if (f & ts_.TypeFlags.Any || f & ts_.TypeFlags.Unknown) return {};
    if (f & ts_.TypeFlags.Null) return { type: 'null' };
    if (f & ts_.TypeFlags.StringLiteral) return { const: (type as ts.StringLiteralType).value };
    if (f & ts_.TypeFlags.NumberLiteral) return { const: (type as ts.NumberLiteralType).value };
    if (f & ts_.TypeFlags.BooleanLiteral) return { const: c.typeToString(type) === 'true' };
    if (f & ts_.TypeFlags.String) return { type: 'string' };
    if (f & ts_.TypeFlags.Number) return { type: 'number' };
    if (f & ts_.TypeFlags.Boolean) return { type: 'boolean' };
    // 64-bit BTF enum values: the renderer writes them as decimal strings.
    if (f & ts_.TypeFlags.BigInt) return { type: 'string', pattern: '^-?[0-9]+$' };
    if (type.isUnion()) {
      const parts = type.types.filter((t) => !(t.flags & ts_.TypeFlags.Undefined));
      // true | false is boolean
      const bools = parts.filter((t) => t.flags & ts_.TypeFlags.BooleanLiteral);
      const rest = parts.filter((t) => !(t.flags & ts_.TypeFlags.BooleanLiteral));
      const schemas = [...(bools.length === 2 ? [{ type: 'boolean' }] : bools.map((t) => this.convert(t)))];
      schemas.push(...rest.map((t) => this.convert(t)));
      // Sorted: the checker's union order follows type ids, which depend on what else it read.
      const key = (x: unknown) => JSON.stringify(x);
      if (schemas.every((s) => 'const' in s))
        return { enum: schemas.map((s) => s.const).sort((a, b) => (key(a) < key(b) ? -1 : 1)) };
      schemas.sort((a, b) => (key(a) < key(b) ? -1 : 1));
      return schemas.length === 1 ? schemas[0]! : { anyOf: schemas };
    }
    if (c.isArrayType(type)) {
      const [item] = c.getTypeArguments(type as ts.TypeReference);
      return { type: 'array', items: this.convert(item!) };
    }
    if (c.isTupleType(type)) {
      const items = c.getTypeArguments(type as ts.TypeReference).map((t) => this.convert(t));
      return { type: 'array', items, minItems: items.length, maxItems: items.length };
    }
    if (type.isIntersection()) return this.object(type);
    if (f & ts_.TypeFlags.Object) {
      const name = type.aliasSymbol?.name ?? type.getSymbol()?.name;
      const named =
        !root && name && !name.startsWith('__') && (type.getSymbol()?.flags ?? 0) & ts_.SymbolFlags.Interface;
      if (named) {
        if (!(name in this.definitions)) {
          this.definitions[name] = {};
          this.definitions[name] = this.object(type);
        }
        return { $ref: `#/definitions/${name}` };
      }
      return this.object(type);
    }
    throw new Error(`no JSON Schema for the type ${c.typeToString(type)}`);
  }

  private object(type: ts.Type): Record<string, unknown> {
    const c = this.checker;
    const properties: Record<string, unknown> = {};
    const required: string[] = [];
    for (const p of c.getPropertiesOfType(type)) {
      const decl = p.valueDeclaration ?? p.declarations?.[0];
      const t = decl ? c.getTypeOfSymbolAtLocation(p, decl) : c.getTypeOfSymbol(p);
      if (t.getCallSignatures().length) continue;
      const doc = ts_.displayPartsToString(p.getDocumentationComment(c)).trim();
      properties[p.name] = { ...(doc ? { description: doc } : {}), ...this.convert(t) };
      // A property that may hold undefined is left out by JSON.stringify.
      const optional =
        (p.flags & ts_.SymbolFlags.Optional) !== 0 ||
        (t.isUnion() && t.types.some((u) => u.flags & ts_.TypeFlags.Undefined)) ||
        (t.flags & ts_.TypeFlags.Undefined) !== 0;
      if (!optional) required.push(p.name);
    }
    const index = c.getIndexInfoOfType(type, ts_.IndexKind.String);
    return {
      type: 'object',
      properties,
      ...(required.length ? { required } : {}),
      additionalProperties: index ? this.convert(index.type) : false,
    };
  }
}

if (process.argv.includes('--write')) {
  for (const [name, text] of generateSchemas()) {
    const path = join(SCHEMA_DIR, `${name}.schema.json`);
    let old = '';
    try {
      old = readFileSync(path, 'utf8');
    } catch {}
    if (old !== text) {
      writeFileSync(path, text);
      console.log(`wrote ${path}`);
    }
  }
}
