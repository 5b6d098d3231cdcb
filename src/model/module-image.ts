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
  /**
   * The package it came from (a .deb or .rpm, a kmod directory `<source>-<version>`, a stored kmod);
   * absent for a module file given alone. Modules of one package built for one kernel are installed
   * together: they resolve each other's `depends` and exports.
   */
  package?: ModulePackage;
}

export interface ModulePackage {
  name: string;
  /** null where only the name is known (a directory not named `<source>-<version>`). */
  version: string | null;
}

/**
 * What tells a module from another of the same name: where it came from (its package, else its file)
 * and the kernel it was built for (the release its vermagic names). Never merge two that differ.
 */
export interface ModuleIdentity {
  /** KBUILD_MODNAME. */
  module: string;
  /** `package version`, or the module's file when it came alone. */
  from: string;
  /** The release its vermagic names (`6.1.0-47-amd64`); null without vermagic. */
  builtFor: string | null;
  /** The file it was read from (`pkg.deb (path/in/pkg.ko)`, a path): two files are two modules. */
  source: string;
}

/** `name version`, or the name alone when it already ends with the version (`xtables-addons-3.23`). */
export function packageLabel(p: ModulePackage): string {
  return p.version === null || p.name.endsWith(p.version) ? p.name : `${p.name} ${p.version}`;
}

/** The release a vermagic string names: its first word. */
export const vermagicRelease = (vermagic: string | null): string | null => vermagic?.split(' ')[0] || null;

export function moduleIdentity(m: ModuleImage): ModuleIdentity {
  return {
    module: m.name,
    from: m.package ? packageLabel(m.package) : m.source,
    builtFor: vermagicRelease(m.vermagic),
    source: m.source,
  };
}

/** One string per identity: equal only for modules that do not differ. */
export const identityKey = (i: ModuleIdentity): string =>
  `${i.module}\0${i.from}\0${i.builtFor ?? ''}\0${i.source}`;

/** `v4l2loopback (v4l2loopback-0.12.7, built for 6.1.0-47-amd64)`. */
export function identityLabel(i: ModuleIdentity): string {
  return `${i.module} (${i.from}${i.builtFor ? `, built for ${i.builtFor}` : ''})`;
}
