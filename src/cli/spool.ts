// A temporary file that holds text appended during a long command and gives it back once, in pieces: the
// distinct reasons of `compat -f json` (27 MB for 4,022 modules on 11 kernels) wait there, not in memory,
// until the end of the document.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TextSpool } from '../index.js';

const PIECE = 1 << 20;

export interface FileSpool extends TextSpool {
  /** Removes the file; call once done (also after an error). */
  dispose(): void;
}

export function fileSpool(): FileSpool {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-spool-'));
  const fd = openSync(join(dir, 'spool'), 'w+');
  // Encoded as appended into one chunk, written when full, and given back as the bytes read: the text is
  // never joined, decoded from the file, nor encoded again by the output (27 MB of reasons).
  const chunk = Buffer.allocUnsafe(PIECE);
  let used = 0;
  let written = 0;
  const flush = () => {
    for (let at = 0; at < used; ) at += writeSync(fd, chunk, at, used - at, written + at);
    written += used;
    used = 0;
  };
  let open = true;
  return {
    append(text) {
      // At most 3 bytes per UTF-16 unit (a surrogate pair is 4 bytes for 2 units).
      if (used + text.length * 3 > PIECE) flush();
      if (text.length * 3 > PIECE) {
        const bytes = Buffer.from(text, 'utf8');
        for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at, written + at);
        written += bytes.length;
        return;
      }
      used += chunk.write(text, used, 'utf8');
    },
    *read() {
      flush();
      for (let at = 0; at < written; ) {
        // A buffer per piece: the output may hold it until written.
        const buf = Buffer.allocUnsafeSlow(Math.min(PIECE, written - at));
        const n = readSync(fd, buf, 0, buf.length, at);
        if (n === 0) break;
        at += n;
        yield buf.subarray(0, n);
      }
    },
    dispose() {
      if (!open) return;
      open = false;
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
