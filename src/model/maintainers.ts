// The kernel's MAINTAINERS file as data: each section's name and the file patterns that say what it covers.

export interface MaintainersSection {
  /** As written: `VFIO DRIVER`, `SLAB ALLOCATOR`, `THE REST`. */
  name: string;
  /** F: patterns, as written (`drivers/vfio/`, `include/linux/vfio.h`, `drivers/net/*`). */
  files: string[];
  /** X: patterns. */
  excludes: string[];
  /** N: regexes (Perl syntax, matched against a file's path). */
  names: string[];
  /** The line the section's name is on. */
  line: number;
}

export interface Maintainers {
  source: string;
  sections: MaintainersSection[];
}
