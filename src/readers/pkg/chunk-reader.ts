// Exact-size reads over a stream of chunks, for the hand-written cpio parser: headers come back as views
// into the current chunk, file data as one fresh buffer, and skipped data is dropped chunk by chunk.
const EMPTY = Buffer.alloc(0);

export class ChunkReader {
  private readonly it: AsyncIterator<Buffer>;
  private cur: Buffer = EMPTY;
  private off = 0;
  /** Bytes consumed so far. */
  position = 0;

  constructor(input: AsyncIterable<Buffer>) {
    this.it = input[Symbol.asyncIterator]();
  }

  /** Reused by `scratch` reads: grown to the largest asked for. */
  private spare: Buffer = EMPTY;

  /**
   * Up to `n` bytes (fewer only at the end of the stream). Views the chunk when `copy` is false. With
   * `scratch`, bytes that span chunks are copied into one buffer every such read reuses (valid until the
   * next read): a kernel package's larger modules were ~200 MB of fresh buffers, each page faulted in.
   */
  async read(n: number, copy: boolean, scratch = false): Promise<Buffer> {
    if (this.cur.length - this.off >= n && !copy) {
      const view = this.cur.subarray(this.off, this.off + n);
      this.advance(n);
      return view;
    }
    if (scratch && !copy && this.spare.length < n) this.spare = Buffer.allocUnsafeSlow(n);
    const out = scratch && !copy ? this.spare.subarray(0, n) : Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n && (await this.fill())) {
      const take = Math.min(n - got, this.cur.length - this.off);
      this.cur.copy(out, got, this.off, this.off + take);
      this.advance(take);
      got += take;
    }
    return got === n ? out : out.subarray(0, got);
  }

  /** Skips up to `n` bytes; returns how many were skipped. */
  async skip(n: number): Promise<number> {
    let done = 0;
    while (done < n && (await this.fill())) {
      const take = Math.min(n - done, this.cur.length - this.off);
      this.advance(take);
      done += take;
    }
    return done;
  }

  /** Reads to the end of the stream, dropping what is left; returns how many bytes that was. */
  async drain(): Promise<number> {
    return this.skip(Number.POSITIVE_INFINITY);
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }

  private advance(n: number): void {
    this.off += n;
    this.position += n;
  }

  private async fill(): Promise<boolean> {
    while (this.off >= this.cur.length) {
      const next = await this.it.next();
      if (next.done === true) return false;
      this.cur = next.value;
      this.off = 0;
    }
    return true;
  }
}
