// A report written into one growing Buffer, line by line, and handed to the output once. Building a 6 MB
// report as an array of strings and joining it kept every piece alive until the join, and the garbage
// collector copied them again at each young-generation collection; a line written out dies young.

export class ByteWriter {
  buf: Buffer;
  pos = 0;

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
    this.room(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  done(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
