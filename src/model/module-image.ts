import type { Export } from './export.js';

/** A symbol a module needs, with the CRC it was built against (`__versions`). */
export interface Import {
  symbol: string;
  crc: number;
}

/** `.modinfo` entries in file order; keys repeat (alias, import_ns, parm, firmware, ...). */
export type ModInfo = ReadonlyArray<{ key: string; value: string }>;

/**
 * A kernel module image (`.ko`, in-tree or out-of-tree). Where imports come from:
 * `versions` (`__versions`), `extended` (6.14+ `__version_ext_crcs`/`__version_ext_names`), or `none`
 * (built without CONFIG_MODVERSIONS: the loader checks no CRC and taints).
 */
export interface ModuleImage {
  source: string;
  /** KBUILD_MODNAME: `.modinfo` name=, else the file name with `-` as `_`. */
  name: string;
  /** In-tree path without `.ko` (`drivers/usb/storage/usb-storage`), as Module.symvers names it; else null. */
  path: string | null;
  modinfo: ModInfo;
  vermagic: string | null;
  license: string | null;
  depends: string[];
  importNs: string[];
  srcversion: string | null;
  imports: Import[];
  modversions: 'versions' | 'extended' | 'none';
  exports: Export[];
  hasBtf: boolean;
  /**
   * The symbols it leaves undefined (SHN_UNDEF, not weak): the loader resolves each one, with or
   * without a `__versions` record. Absent when unknown (a module stored before this was kept).
   */
  needs?: string[];
  /** Whether a signature is appended (`~Module signature appended~`); absent when unknown. */
  signed?: boolean;
  elf: { class: 32 | 64; endian: 'little' | 'big'; machine: number };
}
