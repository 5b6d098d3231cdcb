// One kernel's side of `kabi explain`: its type graph, and in it the declaration of each export asked
// about, found where the kernel records it (the exporting module's split BTF, vmlinux's BTF, or for a
// variable BTF has no VAR for, its extern in a header). Apart from explain.ts because this is where BTF
// is read; everything after works on the graph by key.
import type { Btf } from '../model/btf.js';
import { cDeclaration } from '../model/btf-c.js';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { type TypeGraph, TypeGraphBuilder } from './type-graph.js';

export interface ExplainSide {
  build: KernelBuild;
  /** vmlinux's BTF. */
  btf: Btf;
  /** Split BTF of exporting modules, by module name (`snd_pcm`); read on demand. */
  modules: { get(name: string): Btf | undefined };
  /**
   * Declared types of exported variables BTF has no VAR for (it records only per-CPU variables):
   * variable name → type key (`struct kmem_cache`) and where that was read.
   */
  externs?: ReadonlyMap<string, { key: string | null; declaration: string; where: string }>;
}

/** `drivers/sound/core/snd-pcm` → `snd_pcm`. */
export function moduleKey(module: string): string {
  // Matches how readers name a module's split BTF: its file name, dashes made underscores.
  return (module.split('/').pop() ?? module).replace(/-/g, '_');
}

/** A kernel's type graph, grown by the declarations of the exports `declare` is asked about. */
export class KernelTypes {
  readonly graph: TypeGraph;
  private readonly builder: TypeGraphBuilder;
  readonly declarations = new Map<string, { key: string; text: string; from: string | null }>();

  /**
   * vmlinux's named types enter the graph as declarations reach them (TypeGraphBuilder's `kernel`); with
   * `everyType`, all of them at once (a type digest keeps every one).
   */
  constructor(
    readonly input: ExplainSide,
    opts: { everyType?: boolean } = {},
  ) {
    this.builder = new TypeGraphBuilder(input.btf);
    if (opts.everyType) this.builder.addTypes(input.btf);
    this.graph = this.builder.build();
  }

  /** Adds vmlinux's definition of `key` and what it reaches, when the graph has none yet. */
  reach(key: string): void {
    this.builder.kernelKey(key);
  }

  /** Finds the export's declaration: its module's split BTF first, then vmlinux; then a header extern. */
  declare(e: Export): string | null {
    const own = e.module === null ? undefined : this.moduleBtf(e.module);
    const btfs = [own, this.input.btf].filter((b) => b !== undefined);
    for (const btf of btfs) {
      const id = btf.find(e.symbol, 'func') ?? btf.find(e.symbol, 'var');
      if (id === undefined) continue;
      const key = this.builder.addClosure(btf, id);
      if (!key) continue;
      const t = btf.get(id);
      const text = cDeclaration(btf, 'type' in t ? t.type : id, e.symbol);
      // Most declarations are one line: the regular expression only for those that are not.
      this.declarations.set(e.symbol, {
        key,
        text: text.includes('\n') ? text.replace(/\s*\n\s*/g, ' ') : text,
        from: null,
      });
      return key;
    }
    const ext = this.input.externs?.get(e.symbol);
    if (ext) {
      const key = `var ${e.symbol}`;
      const refs = new Set(ext.key ? [ext.key] : []);
      this.graph.nodes.set(key, { key, facts: [`type ${ext.key ?? ext.declaration}`], refs });
      this.declarations.set(e.symbol, { key, text: ext.declaration, from: ext.where });
      return key;
    }
    return null;
  }

  /** Each module's split BTF by its name as exports give it: ~800 modules' names for ~25,000 exports. */
  private readonly moduleBtfs = new Map<string, Btf | undefined>();

  private moduleBtf(module: string): Btf | undefined {
    if (this.moduleBtfs.has(module)) return this.moduleBtfs.get(module);
    const btf = this.input.modules.get(moduleKey(module));
    this.moduleBtfs.set(module, btf);
    return btf;
  }
}
