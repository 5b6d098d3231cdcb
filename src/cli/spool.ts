// A temporary file that holds text appended during a long command and gives it back once, in pieces: the
// distinct reasons of `compat -f json` (27 MB for 4,022 modules on 11 kernels) wait there, not in memory,
// until the end of the document.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { TextSpool } from '../index.js';

const PIECE = 1 << 20;

export interface FileSpool extends TextSpool {
  /** Removes the file; call once done (also after an error). */
  dispose(): void;
}

export function fileSpool(): FileSpool {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-spool-'));
  const fd = openSync(join(dir, 'spool'), 'w+');
  let pending: string[] = [];
  let size = 0;
  let written = 0;
  const flush = () => {
    if (size === 0) return;
    written += writeSync(fd, pending.join(''), written);
    pending = [];
    size = 0;
  };
  let open = true;
  return {
    append(text) {
      pending.push(text);
      size += text.length;
      if (size >= PIECE) flush();
    },
    *read() {
      flush();
      const buf = Buffer.allocUnsafe(PIECE);
      const utf8 = new StringDecoder('utf8');
      for (let at = 0; at < written; ) {
        const n = readSync(fd, buf, 0, PIECE, at);
        if (n === 0) break;
        at += n;
        yield utf8.write(buf.subarray(0, n));
      }
      const rest = utf8.end();
      if (rest) yield rest;
    },
    dispose() {
      if (!open) return;
      open = false;
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
