// A report written into one growing Buffer, line by line, and handed to the output once. Building a 6 MB
// report as an array of strings and joining it kept every piece alive until the join, and the garbage
// collector copied them again at each young-generation collection; a line written out dies young.

/** A literal's bytes, encoded once. */
export const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

export class ByteWriter {
  buf: Buffer;
  pos = 0;
  /** Lines not yet copied: one Buffer#write per ~64 KB instead of one per line. */
  private pending = '';

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(Math.max(size, 4096));
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Any string, as UTF-8. */
  text(s: string): void {
    if (this.pending.length > 0) this.flush();
    this.room(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Bytes already encoded (a literal encoded once, as by `ascii`). */
  bytes(b: Uint8Array): void {
    if (this.pending.length > 0) this.flush();
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A non-negative integer in decimal, without making its string (anything else through String()). */
  uint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) {
      this.text(String(n));
      return;
    }
    if (this.pending.length > 0) this.flush();
    this.room(16);
    if (n < 10) {
      this.buf[this.pos++] = 48 + n;
      return;
    }
    // Digit by remainder: x - 10 * floor(x / 10) is off by one near 2^53, where x / 10 rounds.
    let digits = 0;
    for (let x = n; x > 0; x = (x - (x % 10)) / 10) digits++;
    let at = this.pos + digits;
    this.pos = at;
    for (let x = n; x > 0; x = (x - (x % 10)) / 10) this.buf[--at] = 48 + (x % 10);
  }

  /**
   * As text(), gathered first: at a CLI's start each Buffer#write call costs more in its argument checks
   * than in copying a line.
   */
  line(s: string): void {
    this.pending += s;
    if (this.pending.length >= 1 << 16) this.flush();
  }

  private flush(): void {
    const s = this.pending;
    this.pending = '';
    this.room(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  done(): Buffer {
    if (this.pending.length > 0) this.flush();
    return this.buf.subarray(0, this.pos);
  }
}
