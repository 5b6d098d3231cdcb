// `.modinfo`: NUL-separated `key=value` strings that MODULE_INFO() and modpost put in a module
// (license, vermagic, depends, name, srcversion, import_ns, intree, retpoline, alias, parm, ...).
// Alignment padding leaves runs of NULs between entries. The loader finds a tag by `key=` prefix,
// so an entry without `=` can never be found; it is kept with an empty value so nothing is hidden.
import type { ModInfo } from '../../model/module-image.js';

const utf8 = new TextDecoder('utf-8'); // author and description fields are UTF-8; never throws
/** Buffer's latin1 decoder on the section's bytes: for an ASCII entry (nearly all), the same string, faster. */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (s: number, e: number) => string })
  .latin1Slice;

function isAscii(data: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (data[i]! >= 0x80) return false;
  return true;
}

function decode(data: Uint8Array, start: number, end: number, ascii: boolean): string {
  return ascii ? latin1Slice.call(data, start, end) : utf8.decode(data.subarray(start, end));
}

export function parseModinfo(data: Uint8Array): ModInfo {
  const out: { key: string; value: string }[] = [];
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(0, start);
    if (end === -1) end = data.length;
    if (end > start) {
      // Key and value decoded apart: a slice of the whole entry would keep the entry alive with it.
      // '=' is looked for within the entry only: a search to the end of the section for each of
      // thousands of '='-less entries took seconds (quadratic) on a 64 KiB section.
      const rel = data.subarray(start, end).indexOf(0x3d);
      const eq = rel === -1 ? -1 : start + rel;
      const ascii = isAscii(data, start, end);
      out.push(
        eq === -1
          ? { key: decode(data, start, end, ascii), value: '' }
          : { key: decode(data, start, eq, ascii), value: decode(data, eq + 1, end, ascii) },
      );
    }
    start = end + 1;
  }
  return out;
}

/**
 * For each of `keys` (ASCII), the value modinfoValue(parseModinfo(data), key) gives, decoding only the
 * entries that bear one of them: a module has hundreds of alias and parm entries, read for nothing when
 * only its name, vermagic, license and srcversion are kept.
 */
export function modinfoFirstValues(data: Uint8Array, keys: readonly string[]): (string | null)[] {
  const out: (string | null)[] = keys.map(() => null);
  const bytes = keys.map((k) => Buffer.from(k, 'latin1'));
  let left = keys.length;
  let start = 0;
  while (start < data.length && left > 0) {
    let end = data.indexOf(0, start);
    if (end === -1) end = data.length;
    if (end > start) {
      for (let k = 0; k < keys.length; k++) {
        if (out[k] !== null) continue;
        const key = bytes[k]!;
        const n = key.length;
        let value: string | null;
        if (data[start] === 0xef && data[start + 1] === 0xbb && data[start + 2] === 0xbf) {
          // A UTF-8 BOM, which the decoder drops from a key: read as parseModinfo reads the entry.
          const [entry] = parseModinfo(data.subarray(start, end));
          value = entry!.key === keys[k] ? entry!.value : null;
        } else {
          // The entry's key is exactly this one: `key=value`, or `key` alone (value '').
          if (end - start < n || (end - start > n && data[start + n] !== 0x3d)) continue;
          let same = true;
          for (let i = 0; i < n && same; i++) same = data[start + i] === key[i];
          if (!same) continue;
          value = end - start === n ? '' : decode(data, start + n + 1, end, isAscii(data, start, end));
        }
        if (value === null) continue;
        out[k] = value;
        left--;
      }
    }
    start = end + 1;
  }
  return out;
}

export function modinfoValue(info: ModInfo, key: string): string | null {
  return info.find((e) => e.key === key)?.value ?? null;
}

export function modinfoValues(info: ModInfo, key: string): string[] {
  return info.filter((e) => e.key === key).map((e) => e.value);
}
