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
  | 'namespace-not-imported';

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
  /** What loads but taints or warns: no symbol version, unsigned licence, unchecked vermagic. */
  notes: string[];
}
