// An exported kernel symbol, as modpost writes it to Module.symvers.

/** The EXPORT_SYMBOL macro family; `_GPL_FUTURE` and `_UNUSED` kinds existed until 5.9 / 4.17. */
export const EXPORT_TYPES = [
  'EXPORT_SYMBOL',
  'EXPORT_SYMBOL_GPL',
  'EXPORT_SYMBOL_GPL_FUTURE',
  'EXPORT_UNUSED_SYMBOL',
  'EXPORT_UNUSED_SYMBOL_GPL',
] as const;

export type ExportType = (typeof EXPORT_TYPES)[number];

const EXPORT_TYPE_SET: ReadonlySet<string> = new Set(EXPORT_TYPES);

export function isExportType(s: string): s is ExportType {
  return EXPORT_TYPE_SET.has(s);
}

/** GPL-only exports are refused to modules whose license is not GPL-compatible. */
export function isGplOnly(t: ExportType | null): boolean {
  return t === 'EXPORT_SYMBOL_GPL' || t === 'EXPORT_UNUSED_SYMBOL_GPL';
}

/** include/linux/license.h license_is_gpl_compatible(). */
const GPL_COMPATIBLE = new Set([
  'GPL',
  'GPL v2',
  'GPL and additional rights',
  'Dual BSD/GPL',
  'Dual MIT/GPL',
  'Dual MPL/GPL',
]);

/** Whether a module's `.modinfo` license lets it use GPL-only exports. */
export function isGplCompatible(license: string | null): boolean {
  return license !== null && GPL_COMPATIBLE.has(license);
}

export interface Export {
  symbol: string;
  /** The modversion CRC (u32); null where the source does not say (no modversions, or unknown). */
  crc: number | null;
  /** `vmlinux` or the module path without `.ko` (`drivers/usb/storage/usb-storage`); null if unknown. */
  module: string | null;
  /** null where the source does not say (3-column Module.symvers, RPM provides). */
  exportType: ExportType | null;
  /** Symbol namespace (5.4+); empty string for none; null where the source does not say (RPM provides). */
  namespace: string | null;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** `0x0c2f123f`: the spelling of Module.symvers and RPM provides. Table-driven: reports format ~10^6 CRCs. */
export function formatCrc(crc: number | null): string {
  if (crc === null) return '-';
  return `0x${HEX[crc >>> 24]}${HEX[(crc >>> 16) & 0xff]}${HEX[(crc >>> 8) & 0xff]}${HEX[crc & 0xff]}`;
}

const CRC_TEXT = /^(?:0[xX])?[0-9a-fA-F]{1,8}$/;

/** Parses `0x0c2f123f`, `0C2F123F` or SUSE's `c2f123f` (leading zeros dropped); null if not a u32 in hex. */
export function parseCrc(text: string): number | null {
  if (!CRC_TEXT.test(text)) return null;
  return Number.parseInt(text.replace(/^0[xX]/, ''), 16) >>> 0;
}
