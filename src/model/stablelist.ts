/**
 * A protected set of symbols: RHEL's kABI stablelist, openEuler's Module.kabi, a GKI symbol list.
 * Some formats also pin the CRC (and module) that the symbol must keep.
 */
export interface Stablelist {
  /** e.g. `rhel9_x86_64_stablelist`, or the file name when the format has no name. */
  name: string;
  arch: string | null;
  source: string;
  symbols: ReadonlyMap<string, StablelistEntry>;
}

export interface StablelistEntry {
  symbol: string;
  crc: number | null;
  module: string | null;
}
