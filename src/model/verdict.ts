// Will a module load on a kernel? The loader's answer, with its reasons in the order it meets them.
import type { ModuleIdentity } from './module-image.js';

export type ReasonCode =
  | 'dependency-missing'
  | 'dependency-fails'
  | 'dependency-cycle'
  | 'module-layout'
  | 'vermagic'
  | 'no-vermagic'
  | 'missing-symbol'
  | 'gpl-only'
  | 'crc-mismatch'
  | 'no-modversions'
  | 'namespace-not-imported'
  /** An import without a `__versions` record, on a loader that refuses it (Debian's). */
  | 'no-symbol-version'
  /** An unsigned module on a kernel that enforces signatures (CONFIG_MODULE_SIG_FORCE, sig_enforce). */
  | 'unsigned';

/**
 * A taint the loader adds to a module it loads (include/linux/panic.h), with the kernel's letter:
 * P proprietary licence, F force-loaded, C staging, O out-of-tree, E unsigned.
 */
export interface Taint {
  flag: 'P' | 'F' | 'C' | 'O' | 'E';
  code: 'proprietary' | 'forced' | 'staging' | 'out-of-tree' | 'unsigned';
  /** The kernel's own wording. */
  message: string;
}

/** The kernel's taint bits, in the order /sys/module/X/taint prints the letters. */
export const TAINT_ORDER = 'PFSRMBUDAWCIOELKXT';

/** A verdict the kernel's configuration decides, where it is unknown: what each setting would do. */
export interface ConfigDependency {
  /** `CONFIG_MODULE_SIG_FORCE`, or `vendor` for a vendor's patch. */
  option: string;
  message: string;
}

export type VerdictState = 'loads' | 'taints' | 'fails';

export interface Reason {
  code: ReasonCode;
  /** The kernel's (or modprobe's) own wording. */
  message: string;
  symbol?: string;
  /** The CRC the module was built against, and the one the kernel offers. */
  wanted?: number | null;
  offered?: number | null;
  /** The module that exports the symbol on the target (`vmlinux` or a path), or the dependency named. */
  module?: string;
  namespace?: string;
  /** After a first fatal error the loader stops; these would fail too once that one is fixed. */
  alsoFails?: boolean;
  /** The module that exported the symbol on the kernel the module was built for, when it moved. */
  movedFrom?: string;
}

/** A module (told apart from others of its name by where it came from and what it was built for) on a kernel. */
export interface Verdict extends ModuleIdentity {
  kernel: string;
  loads: boolean;
  reasons: Reason[];
  /** What loads but warns: unchecked vermagic, CRCs the kernel does not have. */
  notes: string[];
  /** Taints the kernel adds when it loads the module (empty when it does not load); letters in kernel order. */
  taints?: Taint[];
  /** Verdicts that depend on a configuration switch kabi does not know for this kernel. */
  dependsOn?: ConfigDependency[];
}

/** `loads`, `taints` (loads, tainting the kernel) or `fails`. */
export function verdictState(v: Verdict): VerdictState {
  if (!v.loads) return 'fails';
  return v.taints?.length ? 'taints' : 'loads';
}

/** `OE`: the letters /sys/module/X/taint shows for these taints. */
export const taintLetters = (taints: readonly Taint[] | undefined): string =>
  [...new Set((taints ?? []).map((t) => t.flag))]
    .sort((a, b) => TAINT_ORDER.indexOf(a) - TAINT_ORDER.indexOf(b))
    .join('');
