// Positioned reads and bounded range streams over a package file. Headers (ar members, rpm lead and
// headers) are read at their offsets; payloads are streamed in 1 MiB chunks, so no package is ever held
// in memory whole. Every range is checked against the file's size first, so a truncated package fails
// with the member and offset named rather than with a short read somewhere later.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { ArtifactFormatError, checkRange, UsageError } from '../../errors.js';

const CHUNK = 1 << 20;

export class PackageFile {
  private constructor(
    readonly path: string,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<PackageFile> {
    try {
      return new PackageFile(path, (await stat(path)).size);
    } catch (cause) {
      throw fsError(path, cause);
    }
  }

  /** `length` bytes at `offset`; `what` names them for the error when the file ends first. */
  async read(offset: number, length: number, section: string, what: string): Promise<Buffer> {
    checkRange(offset, length, this.size, { source: this.path, section }, what);
    const buf = Buffer.alloc(length);
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(this.path, 'r');
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buf, done, length - done, offset + done);
        if (bytesRead === 0) throw this.shrunk(offset + done, section);
        done += bytesRead;
      }
      return buf;
    } catch (cause) {
      if (cause instanceof ArtifactFormatError) throw cause;
      throw fsError(this.path, cause);
    } finally {
      await handle?.close();
    }
  }

  /** Streams [start, end) in chunks; fails if the file ends before `end`. */
  async *chunks(start: number, end: number, section: string): AsyncGenerator<Buffer> {
    checkRange(start, end - start, this.size, { source: this.path, section }, section);
    if (end === start) return;
    const stream = createReadStream(this.path, { start, end: end - 1, highWaterMark: CHUNK });
    let at = start;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        at += chunk.length;
        yield chunk;
      }
    } catch (cause) {
      throw fsError(this.path, cause);
    } finally {
      stream.destroy();
    }
    if (at < end) throw this.shrunk(at, section);
  }

  private shrunk(offset: number, section: string): ArtifactFormatError {
    return new ArtifactFormatError(`the file ends at ${offset} while being read (truncated meanwhile?)`, {
      source: this.path,
      section,
      offset,
    });
  }
}

function fsError(path: string, cause: unknown): UsageError {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UsageError(`${path}: no such file`, { cause });
  if (code === 'EACCES') return new UsageError(`${path}: permission denied`, { cause });
  return new UsageError(`${path}: cannot read (${(cause as Error).message})`, { cause });
}
