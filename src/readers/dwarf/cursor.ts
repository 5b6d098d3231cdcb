// A bounds-checked reader over one DWARF section: fixed-size little- or big-endian fields and LEB128.
// Every read past the section's end, or a LEB128 too long for a safe integer, is an ArtifactFormatError
// naming the section and the offset within it.
import { ArtifactFormatError } from '../../errors.js';

export class Cursor {
  pos = 0;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    /** The section's name (`.debug_info`), for errors. */
    readonly section: string,
    readonly source: string,
    readonly littleEndian: boolean,
    /** Where `bytes` starts within the section, so that errors give section offsets. */
    readonly base = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  error(reason: string, offset = this.pos): ArtifactFormatError {
    return new ArtifactFormatError(reason, {
      source: this.source,
      section: this.section,
      offset: this.base + offset,
    });
  }

  /** Throws unless `n` more bytes lie within the section. */
  need(n: number, what: string): void {
    if (this.pos + n > this.bytes.length || n < 0)
      throw this.error(`${what} (${n} bytes) runs past the end of the section (${this.bytes.length} bytes)`);
  }

  u8(): number {
    if (this.pos >= this.bytes.length) throw this.error('unexpected end of the section');
    return this.bytes[this.pos++]!;
  }

  u16(): number {
    this.need(2, '2-byte field');
    const v = this.view.getUint16(this.pos, this.littleEndian);
    this.pos += 2;
    return v;
  }

  u24(): number {
    this.need(3, '3-byte field');
    const b = this.bytes;
    const p = this.pos;
    this.pos += 3;
    return this.littleEndian
      ? b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)
      : (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  u32(): number {
    this.need(4, '4-byte field');
    const v = this.view.getUint32(this.pos, this.littleEndian);
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    this.need(8, '8-byte field');
    const v = this.view.getBigUint64(this.pos, this.littleEndian);
    this.pos += 8;
    return v;
  }

  /** An address or offset of `size` bytes (1, 2, 4 or 8) as a bigint. */
  sized(size: number): bigint {
    if (size === 8) return this.u64();
    if (size === 4) return BigInt(this.u32());
    if (size === 2) return BigInt(this.u16());
    if (size === 1) return BigInt(this.u8());
    throw this.error(`unsupported field size ${size}`);
  }

  /** An unsigned LEB128 that must fit a safe integer (offsets, indexes, lengths, codes). */
  uleb(): number {
    const b = this.bytes;
    const start = this.pos;
    let p = start;
    let result = 0;
    let scale = 1;
    for (;;) {
      if (p >= b.length) throw this.error('LEB128 runs past the end of the section', start);
      const byte = b[p++]!;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) break;
      scale *= 128;
      if (scale > 2 ** 49) {
        // Skip the rest of a long LEB128 only if its extra bytes add nothing (padding is legal).
        while (p < b.length && b[p] === 0x80) p++;
        if (p < b.length && b[p] === 0) {
          p++;
          break;
        }
        throw this.error('LEB128 value too large', start);
      }
    }
    this.pos = p;
    return result;
  }

  /** Skips a LEB128 of any length (a value this reader does not use: sdata, udata). */
  skipLeb(): void {
    const b = this.bytes;
    let p = this.pos;
    while (p < b.length && (b[p]! & 0x80) !== 0) p++;
    if (p >= b.length) throw this.error('LEB128 runs past the end of the section');
    this.pos = p + 1;
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  /** A NUL-terminated string in place (DW_FORM_string). */
  cstring(): string {
    const end = this.bytes.indexOf(0, this.pos);
    if (end === -1) throw this.error('unterminated string');
    const s = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.pos, end - this.pos).toString(
      'latin1',
    );
    this.pos = end + 1;
    return s;
  }

  skipCstring(): void {
    const end = this.bytes.indexOf(0, this.pos);
    if (end === -1) throw this.error('unterminated string');
    this.pos = end + 1;
  }
}

/** The NUL-terminated string at `offset` of a string section (.debug_str, .debug_line_str). */
export function stringAt(section: Cursor, offset: number, from: Cursor): string {
  const b = section.bytes;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= b.length)
    throw from.error(
      `string offset ${offset} lies outside ${section.section} (${b.length} bytes)`,
      Math.max(0, from.pos - 1),
    );
  const end = b.indexOf(0, offset);
  if (end === -1) throw section.error('unterminated string', offset);
  return Buffer.from(b.buffer, b.byteOffset + offset, end - offset).toString('latin1');
}
