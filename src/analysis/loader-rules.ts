// The loader's rules that depend on how the kernel was built (kernel/module/main.c, version.c and
// signing.c of 6.1, and Debian's patch to version.c), applied to the reasons moduleVerdicts found:
//
// - CONFIG_MODVERSIONS off: no CRC is checked (check_version() and check_modstruct_version() return 1).
// - no `__versions`, or no vermagic: try_to_force_load() loads it tainting the kernel (F) with
//   CONFIG_MODULE_FORCE_LOAD ("X: module_layout: kernel tainted.", "X: bad vermagic: kernel tainted."),
//   and refuses it (-ENOEXEC, printing nothing) without.
// - an import without a `__versions` record: upstream warns once ("X: no symbol version for S") and
//   binds it; Debian's "module: Disable matching missing version CRC" refuses it (-EINVAL).
// - CONFIG_MODULE_SIG: an unsigned module taints (E, "module verification failed: signature and/or
//   required key missing - tainting kernel"); CONFIG_MODULE_SIG_FORCE (or module.sig_enforce=1) refuses it
//   before anything else ("Loading of unsigned module is rejected").
// - CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS: a namespace used but not imported only warns.
// - taints of a module that loads: P (licence not GPL-compatible), C (staging), O (no `intree`), F, E.
//
// Where a switch is unknown the verdict keeps the reading moduleVerdicts gives (refused without
// __versions or vermagic, upstream's missing-record rule, unsigned modules load) and says in `dependsOn`
// what the other setting would do.
import type { Export } from '../model/export.js';
import { isGplCompatible } from '../model/export.js';
import { type LoaderProfile, UNKNOWN_PROFILE } from '../model/loader-profile.js';
import type { ModuleImage } from '../model/module-image.js';
import type { ConfigDependency, Reason, ReasonCode, Taint } from '../model/verdict.js';
import { TAINT_ORDER } from '../model/verdict.js';
import {
  codeOf,
  expandItem,
  type ItemContext,
  type NeededImport,
  type ReasonItem,
  resolvedAt,
  SYMBOL_CODES,
  symbolOf,
} from './module-compat-reasons.js';

/** What moduleVerdicts knows of the kernel besides the profile. */
export interface LoaderFacts {
  /** The export a needed symbol binds to: the kernel's, or the kmod set's own. */
  lookup: (symbol: string) => Export | undefined;
  /** Whether the kernel's exports carry CRCs: modversions, when the profile does not say. */
  kernelHasCrcs: boolean;
  /**
   * What the draft's compact reasons refer to (module-compat-reasons.ts), when there are any: lookup's
   * answer for each needed import by index, and the Reason each number stands for.
   */
  context?: ItemContext;
  /** moduleFacts(m), when the caller keeps it. */
  module?: ModuleFacts;
}

/** What the rules read of a module on every kernel: worked out once per module image by moduleFacts. */
export interface ModuleFacts {
  needed: readonly NeededImport[];
  /** Indexes in `needed` of the imports without a `__versions` record. */
  unversioned: readonly number[];
  staging: boolean;
  intree: boolean;
}

export function moduleFacts(m: ModuleImage): ModuleFacts {
  const needed = neededImports(m);
  const { staging, intree } = modinfoFlagsOf(m);
  return { needed, unversioned: unversionedOf(needed), staging, intree };
}

export interface LoaderDraft {
  reasons: Reason[];
  notes: string[];
}

export interface LoaderOutcome extends LoaderDraft {
  /** Taints if it loads, in the kernel's letter order. */
  taints: Taint[];
  dependsOn: ConfigDependency[];
}

/** A draft whose import reasons may still be compact numbers (module-compat-reasons.ts). */
export interface ItemDraft {
  reasons: ReasonItem[];
  notes: string[];
}

export interface ItemOutcome extends ItemDraft {
  taints: Taint[];
  dependsOn: ConfigDependency[];
}

/**
 * Every symbol the loader resolves: the `__versions` imports, then each undefined symbol without a record
 * (crc null). A module image that does not list its undefined symbols gives its imports alone.
 */
export function neededImports(m: ModuleImage): readonly NeededImport[] {
  // Asked for each module on each kernel judged: worked out once per module image.
  let needed = neededByModule.get(m);
  if (!needed && !m.needs?.length) {
    // Nothing undefined beyond `__versions` (nearly every module): no set of its symbols to filter by.
    needed = m.imports.slice();
    neededByModule.set(m, needed);
  } else if (!needed) {
    const versioned = new Set(m.imports.map((i) => i.symbol));
    const unversioned = (m.needs ?? []).filter((s) => !versioned.has(s));
    needed = [...m.imports, ...unversioned.map((symbol) => ({ symbol, crc: null }))];
    neededByModule.set(m, needed);
  }
  return needed;
}

export type { NeededImport };

const neededByModule = new WeakMap<ModuleImage, readonly NeededImport[]>();

const unversionedByNeeded = new WeakMap<readonly NeededImport[], number[]>();

/** Indexes of the needed imports without a `__versions` record (crc null): worked out once per list. */
function unversionedOf(needed: readonly NeededImport[]): number[] {
  let out = unversionedByNeeded.get(needed);
  if (!out) {
    out = [];
    for (let i = 0; i < needed.length; i++) if (needed[i]!.crc === null) out.push(i);
    unversionedByNeeded.set(needed, out);
  }
  return out;
}

/** The draft's reasons and notes with the configuration's rules applied, and the module's taints. */
export function applyLoaderRules(
  m: ModuleImage,
  profile: LoaderProfile | null | undefined,
  draft: LoaderDraft,
  facts: LoaderFacts,
): LoaderOutcome {
  // Reasons in, reasons out: the rules add Reason objects only.
  return applyLoaderRulesTo(m, profile, draft, facts) as LoaderOutcome;
}

/** applyLoaderRules over a draft whose import reasons may be compact (as moduleVerdicts keeps them). */
export function applyLoaderRulesTo(
  m: ModuleImage,
  profile: LoaderProfile | null | undefined,
  draft: ItemDraft,
  facts: LoaderFacts,
): ItemOutcome {
  return applyLoaderRulesIn(m, profile, { reasons: [...draft.reasons], notes: [...draft.notes] }, facts);
}

/** applyLoaderRulesTo on the draft's own arrays (moduleVerdicts makes them for one verdict). */
export function applyLoaderRulesIn(
  m: ModuleImage,
  profile: LoaderProfile | null | undefined,
  draft: ItemDraft,
  facts: LoaderFacts,
): ItemOutcome {
  const p = profile ?? UNKNOWN_PROFILE;
  const out: ItemOutcome = { reasons: draft.reasons, notes: draft.notes, taints: [], dependsOn: [] };
  if (p.modversions === false) unversionedKernel(out);
  forcedLoad(m, p, out, facts);
  missingRecords(m, p, out, facts);
  namespaces(p, out, facts);
  signature(m, p, out);
  moduleTaints(m, out, facts.module);
  if (out.taints.length > 1)
    out.taints.sort((a, b) => TAINT_ORDER.indexOf(a.flag) - TAINT_ORDER.indexOf(b.flag));
  return out;
}

const drop = (out: ItemOutcome, codes: ReadonlySet<Reason['code']>) => {
  const dropped = out.reasons.filter((r) => codes.has(codeOf(r)));
  out.reasons = out.reasons.filter((r) => !codes.has(codeOf(r)));
  return dropped;
};

function unversionedKernel(out: ItemOutcome): void {
  if (drop(out, new Set(['crc-mismatch', 'module-layout', 'no-modversions'])).length)
    out.notes.push('CONFIG_MODVERSIONS is off: no CRC is checked');
}

const FORCE_LOAD = 'CONFIG_MODULE_FORCE_LOAD';

function forcedLoad(m: ModuleImage, p: LoaderProfile, out: ItemOutcome, facts: LoaderFacts): void {
  if (!hasCode(out.reasons, 'no-modversions') && !hasCode(out.reasons, 'no-vermagic')) return;
  const forced = out.reasons.filter(
    (r): r is Reason => typeof r !== 'number' && (r.code === 'no-modversions' || r.code === 'no-vermagic'),
  );
  if (forced.length === 0) return;
  // try_to_force_load(mod, reason): check_modstruct_version passes the first symbol it checks.
  const first = facts.lookup('module_layout')
    ? 'module_layout'
    : (neededImports(m)[0]?.symbol ?? 'module_layout');
  const words = (r: Reason) =>
    `${m.name}: ${r.code === 'no-vermagic' ? 'bad vermagic' : first}: kernel tainted.`;
  if (p.forceLoad === true) {
    drop(out, new Set(['no-modversions', 'no-vermagic']));
    for (const r of forced) out.taints.push({ flag: 'F', code: 'forced', message: words(r) });
  } else if (p.forceLoad === false) {
    const refused = (r: Reason) =>
      `${r.message.replace(/: refused unless force-loaded.*$/, '')}: refused, the kernel has no ${FORCE_LOAD} (insmod: Invalid module format; the kernel prints nothing)`;
    out.reasons = out.reasons.map((r) =>
      typeof r !== 'number' && forced.includes(r) ? { ...r, message: refused(r) } : r,
    );
  } else {
    out.dependsOn.push({
      option: FORCE_LOAD,
      message: `set: loads, tainting the kernel (F: "${words(forced[0]!)}"); unset: refused (Invalid module format)`,
    });
  }
}

function missingRecords(m: ModuleImage, p: LoaderProfile, out: ItemOutcome, facts: LoaderFacts): void {
  const modversions = p.modversions ?? facts.kernelHasCrcs;
  if (m.modversions === 'none' || !modversions) return;
  const needed = facts.module?.needed ?? neededImports(m);
  // Worked out only for a module with an import without a record: most have none.
  let failed: Set<string | undefined> | undefined;
  for (const i of facts.module?.unversioned ?? unversionedOf(needed)) {
    const { symbol } = needed[i]!;
    failed ??= new Set(
      out.reasons
        .filter((r) => {
          const code = codeOf(r);
          return code === 'missing-symbol' || code === 'gpl-only';
        })
        .map((r) => symbolOf(r, needed)),
    );
    const e = facts.context ? resolvedAt(facts.context, i) : facts.lookup(symbol);
    // check_version() returns 1 at once when the exporter has no CRC.
    if (failed.has(symbol) || !e || e.crc === null || e.crc === 0) continue;
    const words = `${m.name}: no symbol version for ${symbol}`;
    if (p.vendor === 'debian') {
      // resolve_symbol() stops at check_version(): the namespace is not looked at.
      out.reasons = out.reasons.filter(
        (r) => !(codeOf(r) === 'namespace-not-imported' && symbolOf(r, needed) === symbol),
      );
      out.reasons.push({
        code: 'no-symbol-version',
        symbol,
        module: e.module ?? undefined,
        message: `${words}, then Unknown symbol ${symbol} (err -22): Debian's loader refuses an import without a __versions record`,
      });
    } else {
      out.notes.push(`${words} (upstream's loader warns once and binds it)`);
      if (!out.dependsOn.some((d) => d.option === 'vendor'))
        out.dependsOn.push({
          option: 'vendor',
          message: `Debian's kernels refuse an import without a __versions record ("${words}"); upstream's warn and load it`,
        });
    }
  }
}

const ALLOW_NS = 'CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS';

/** Whether any reason is of a code: a plain loop, as it runs over every reason of every verdict. */
function hasCode(reasons: readonly ReasonItem[], code: ReasonCode): boolean {
  const symbolCode = (SYMBOL_CODES as readonly string[]).indexOf(code);
  for (let i = 0; i < reasons.length; i++) {
    const r = reasons[i]!;
    if (typeof r === 'number' ? r % SYMBOL_CODES.length === symbolCode : r.code === code) return true;
  }
  return false;
}

function namespaces(p: LoaderProfile, out: ItemOutcome, facts: LoaderFacts): void {
  if (!hasCode(out.reasons, 'namespace-not-imported')) return;
  const missing = out.reasons.filter((r) => codeOf(r) === 'namespace-not-imported');
  if (missing.length === 0) return;
  if (p.allowMissingNamespaceImports === true) {
    drop(out, new Set(['namespace-not-imported']));
    for (const r of missing) {
      const message = typeof r === 'number' ? expandItem(r, facts.context!).message : r.message;
      out.notes.push(`${message} (a warning: ${ALLOW_NS} is set)`);
    }
  } else if (p.allowMissingNamespaceImports === null) {
    out.dependsOn.push({
      option: ALLOW_NS,
      message: 'set: a namespace used but not imported only warns, and it loads',
    });
  }
}

const UNSIGNED_TAINT = 'module verification failed: signature and/or required key missing - tainting kernel';
const ENFORCED =
  'refused where signatures are enforced (CONFIG_MODULE_SIG_FORCE, module.sig_enforce=1, Secure Boot lockdown)';

// One string for every unsigned module's verdict on a kernel whose CONFIG_MODULE_SIG is unknown.
const SIG_UNKNOWN = `set: an unsigned module taints the kernel (E: "${UNSIGNED_TAINT}"), and is ${ENFORCED}`;

function signature(m: ModuleImage, p: LoaderProfile, out: ItemOutcome): void {
  if (m.signed === undefined || p.sig === false) return;
  if (m.signed) {
    if (p.sig)
      out.notes.push(
        'signed: the kernel checks the signature against its own keys, which kabi does not read',
      );
    return;
  }
  if (p.sig === null) {
    out.dependsOn.push({ option: 'CONFIG_MODULE_SIG', message: SIG_UNKNOWN });
  } else if (p.sigForce === true) {
    // module_sig_check() runs before every other check: the rest would show once it is signed.
    const at = out.reasons.findIndex((r) => !codeOf(r).startsWith('dependency-'));
    out.reasons.splice(at === -1 ? out.reasons.length : at, 0, {
      code: 'unsigned',
      message: `${m.name}: Loading of unsigned module is rejected (insmod: Key was rejected by service)`,
    });
  } else {
    out.taints.push({ flag: 'E', code: 'unsigned', message: `${m.name}: ${UNSIGNED_TAINT}` });
    if (p.sigForce === false) out.notes.push(`unsigned: ${ENFORCED}`);
    else
      out.dependsOn.push({
        option: 'CONFIG_MODULE_SIG_FORCE',
        message:
          'set: an unsigned module is refused ("Loading of unsigned module is rejected"); unset: it loads, tainting (E)',
      });
  }
}

/** What of a module's modinfo its taints depend on, read once per modinfo list (a rebuild shares it). */
const modinfoFlags = new WeakMap<object, { staging: boolean; intree: boolean }>();
const NO_MODINFO: readonly never[] = [];

function modinfoFlagsOf(m: ModuleImage): { staging: boolean; intree: boolean } {
  const modinfo = m.modinfo ?? NO_MODINFO;
  let flags = modinfoFlags.get(modinfo);
  if (!flags) {
    const has = (key: string) => modinfo.some((e) => e.key === key);
    flags = { staging: has('staging'), intree: has('intree') };
    modinfoFlags.set(modinfo, flags);
  }
  return flags;
}

function moduleTaints(m: ModuleImage, out: ItemOutcome, known: ModuleFacts | undefined): void {
  const flags = known ?? modinfoFlagsOf(m);
  if (!isGplCompatible(m.license)) {
    const license = m.license ?? 'unspecified';
    out.taints.push({
      flag: 'P',
      code: 'proprietary',
      message: `${m.name}: module license '${license}' taints kernel.`,
    });
    out.notes.push(`module license '${license}' is not GPL-compatible: GPL-only exports are hidden from it`);
  }
  if (flags.staging)
    out.taints.push({
      flag: 'C',
      code: 'staging',
      message: `${m.name}: module is from the staging directory, the quality is unknown, you have been warned.`,
    });
  if (!flags.intree)
    out.taints.push({
      flag: 'O',
      code: 'out-of-tree',
      message: `${m.name}: loading out-of-tree module taints kernel.`,
    });
}
