// Loader-exact verdicts: would `modprobe MODULE` succeed on a kernel? Follows kernel/module/main.c and
// kernel/module/version.c (6.x): modprobe loads `depends` first; then check_modstruct_version
// (module_layout's CRC, while the kernel exports it), check_modinfo (vermagic: with __versions only the
// part after the release must match, without them the whole string), and simplify_symbols for every
// needed symbol: find_symbol (GPL-only exports are invisible to modules whose licence is not
// GPL-compatible), check_version (CRC), verify_namespace_is_imported.
import type { Export } from '../model/export.js';
import { formatCrc, isGplCompatible, isGplOnly } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { LoaderProfile } from '../model/loader-profile.js';
import type { ModuleImage } from '../model/module-image.js';
import type { Reason, Verdict } from '../model/verdict.js';
import { applyLoaderRules, neededImports } from './loader-rules.js';

const STOPS = new Set([
  'dependency-missing',
  'dependency-fails',
  'dependency-cycle',
  'module-layout',
  'vermagic',
  'no-vermagic',
  'unsigned',
]);

/** A kernel as the loader sees it. */
export interface CompatTarget {
  name: string;
  build: KernelBuild;
  /** vermagic of the kernel (from its in-tree modules); null when unknown (a Module.symvers has none). */
  vermagic: string | null;
  /** Names of its loadable modules (KBUILD_MODNAME, `_` for `-`) and of those built into vmlinux. */
  modules: Set<string>;
  /** How its loader was built (CONFIG_MODVERSIONS, MODULE_FORCE_LOAD, MODULE_SIG_FORCE, ...); absent: unknown. */
  profile?: LoaderProfile | null;
}

export const moduleName = (s: string) =>
  s
    .replace(/^.*\//, '')
    .replace(/\.ko(\.(xz|gz|zst))?$/, '')
    .replace(/-/g, '_');

const crcsByBuild = new WeakMap<KernelBuild, boolean>();

/** Whether the kernel was built with modversions: asked once per build, not once per module. */
function hasCrcs(build: KernelBuild): boolean {
  let known = crcsByBuild.get(build);
  if (known === undefined) {
    known = false;
    for (const e of build.exports.values()) {
      if (e.crc !== null && e.crc !== 0) {
        known = true;
        break;
      }
    }
    crcsByBuild.set(build, known);
  }
  return known;
}

/** Target module names from a build's exporting modules (all a Module.symvers can tell). */
export function modulesOfBuild(build: KernelBuild): Set<string> {
  const out = new Set<string>();
  for (const e of build.exports.values())
    if (e.module && e.module !== 'vmlinux') out.add(moduleName(e.module));
  return out;
}

/** Verdicts for a set of modules (one kmod set: they may use each other's exports) on one kernel. */
export function moduleVerdicts(set: readonly ModuleImage[], target: CompatTarget): Verdict[] {
  const own = new Map<string, Export>();
  for (const m of set) for (const e of m.exports) own.set(e.symbol, e);
  const byName = new Map(set.map((m) => [m.name, m]));
  const memo = new Map<string, Verdict>();
  const verdictOf = (m: ModuleImage, stack: string[]): Verdict => {
    const seen = memo.get(m.name);
    if (seen) return seen;
    const v = verdict(m, target, own, byName, stack, verdictOf);
    memo.set(m.name, v);
    return v;
  };
  return set.map((m) => verdictOf(m, []));
}

type Recurse = (m: ModuleImage, stack: string[]) => Verdict;

function verdict(
  m: ModuleImage,
  target: CompatTarget,
  own: Map<string, Export>,
  set: Map<string, ModuleImage>,
  stack: string[],
  recurse: Recurse,
): Verdict {
  const reasons: Reason[] = [];
  const notes: string[] = [];
  dependencies(m, target, set, [...stack, m.name], recurse, reasons, notes);
  const exports = target.build.exports;
  const kernelHasCrcs = hasCrcs(target.build);
  moduleLayout(m, exports, reasons);
  vermagic(m, target, notes, reasons);
  const gplOk = isGplCompatible(m.license);
  if (m.modversions === 'none' && kernelHasCrcs) {
    reasons.push({
      code: 'no-modversions',
      message: `${m.name}: no symbol versions (__versions) but the kernel checks CRCs: refused unless force-loaded`,
    });
  }
  for (const imp of neededImports(m)) {
    if (imp.symbol === 'module_layout') continue;
    symbol(m, imp.symbol, imp.crc, exports.get(imp.symbol) ?? own.get(imp.symbol), gplOk, reasons, notes);
  }
  const lookup = (s: string) => exports.get(s) ?? own.get(s);
  const rules = applyLoaderRules(m, target.profile, { reasons, notes }, { lookup, kernelHasCrcs });
  // modprobe stops at a failing dependency, the loader at module_layout or vermagic: what follows would
  // show once that is fixed. Symbol errors come together (simplify_symbols reports every one).
  const stop = rules.reasons.findIndex((r) => STOPS.has(r.code));
  rules.reasons.forEach((r, i) => {
    if (stop !== -1 && i > stop) r.alsoFails = true;
  });
  const loads = rules.reasons.length === 0;
  return {
    module: m.name,
    source: m.source,
    kernel: target.name,
    loads,
    reasons: rules.reasons,
    notes: rules.notes,
    taints: loads ? rules.taints : [],
    dependsOn: rules.dependsOn,
  };
}

function dependencies(
  m: ModuleImage,
  target: CompatTarget,
  set: Map<string, ModuleImage>,
  stack: string[],
  recurse: Recurse,
  reasons: Reason[],
  notes: string[],
): void {
  for (const dep of m.depends.map(moduleName)) {
    if (stack.includes(dep)) {
      reasons.push({
        code: 'dependency-cycle',
        module: dep,
        message: `${[...stack, dep].join(' → ')}: dependency cycle`,
      });
      continue;
    }
    const kmod = set.get(dep);
    if (kmod) {
      const v = recurse(kmod, stack);
      if (!v.loads)
        reasons.push({
          code: 'dependency-fails',
          module: dep,
          message: `${m.name}: dependency ${dep} does not load: ${v.reasons[0]?.message}`,
        });
    } else if (!target.modules.has(dep)) {
      reasons.push({
        code: 'dependency-missing',
        module: dep,
        message: `modprobe: FATAL: Module ${dep} not found (needed by ${m.name})`,
      });
      if (target.modules.size === 0) notes.push(`the target's module list is unknown: ${dep} may exist`);
    }
  }
}

function moduleLayout(m: ModuleImage, exports: ReadonlyMap<string, Export>, reasons: Reason[]): void {
  const kernel = exports.get('module_layout');
  const mine = m.imports.find((i) => i.symbol === 'module_layout');
  if (!kernel || kernel.crc === null || !mine || mine.crc === kernel.crc) return;
  reasons.push({
    code: 'module-layout',
    symbol: 'module_layout',
    wanted: mine.crc,
    offered: kernel.crc,
    module: 'vmlinux',
    message: `${m.name}: disagrees about version of symbol module_layout (insmod: Invalid module format)`,
  });
}

/** kernel/module/main.c same_magic(): with CRCs, compare from the first space on. */
export function sameMagic(mine: string, kernel: string, moduleHasCrcs: boolean): boolean {
  if (!moduleHasCrcs) return mine === kernel;
  const a = mine.indexOf(' ');
  const b = kernel.indexOf(' ');
  return a !== -1 && b !== -1 && mine.slice(a) === kernel.slice(b);
}

function vermagic(m: ModuleImage, target: CompatTarget, notes: string[], reasons: Reason[]): void {
  if (m.vermagic === null) {
    reasons.push({
      code: 'no-vermagic',
      message: `${m.name}: no version magic: refused unless force-loaded (bad vermagic)`,
    });
    return;
  }
  if (target.vermagic === null) {
    notes.push(`vermagic not checked: the kernel's vermagic is unknown (ingest its linux-image to know it)`);
    return;
  }
  if (!sameMagic(m.vermagic, target.vermagic, m.modversions !== 'none')) {
    reasons.push({
      code: 'vermagic',
      message: `${m.name}: version magic '${m.vermagic}' should be '${target.vermagic}'`,
    });
  }
}

function symbol(
  m: ModuleImage,
  name: string,
  wanted: number | null,
  e: Export | undefined,
  gplOk: boolean,
  reasons: Reason[],
  notes: string[],
): void {
  if (!e) {
    reasons.push({
      code: 'missing-symbol',
      symbol: name,
      wanted,
      message: `${m.name}: Unknown symbol ${name} (err -2)`,
    });
    return;
  }
  const where = { symbol: name, module: e.module ?? undefined };
  if (!gplOk && isGplOnly(e.exportType)) {
    reasons.push({
      code: 'gpl-only',
      ...where,
      message: `${m.name}: Unknown symbol ${name} (err -2): exported GPL-only, and the module's license is not GPL-compatible`,
    });
    return;
  }
  if (e.crc === null || e.crc === 0) {
    notes.push(`${name}: the kernel has no CRC for it (no modversions): not checked`);
  } else if (wanted !== null && e.crc !== wanted) {
    reasons.push({
      code: 'crc-mismatch',
      ...where,
      wanted,
      offered: e.crc,
      message: `${m.name}: disagrees about version of symbol ${name} (${formatCrc(wanted)} vs ${formatCrc(e.crc)})`,
    });
  }
  if (e.namespace && !m.importNs.includes(e.namespace)) {
    reasons.push({
      code: 'namespace-not-imported',
      ...where,
      namespace: e.namespace,
      message: `${m.name}: module uses symbol (${name}) from namespace ${e.namespace}, but does not import it.`,
    });
  }
}

/**
 * Says where a broken symbol came from on the kernel the module was built for: moved to another module,
 * or gone. Needs that kernel's exports (e.g. the stored build whose release the module's vermagic names).
 */
export function annotateMoves(v: Verdict, builtFor: KernelBuild): Verdict {
  const reasons = v.reasons.map((r) => {
    const before = r.symbol ? builtFor.exports.get(r.symbol) : undefined;
    if (!before?.module) return r;
    if (r.code === 'missing-symbol')
      return { ...r, message: `${r.message} (was exported by ${before.module})` };
    if (r.module && before.module !== r.module) {
      return {
        ...r,
        movedFrom: before.module,
        message: `${r.message} (moved from ${before.module} to ${r.module})`,
      };
    }
    return r;
  });
  return { ...v, reasons };
}
