// Where output goes, without commander: the quick entry (quick.ts) shares it with the commands
// (output.ts re-exports it). Control characters shown, not obeyed; streamed reports written as made.
// fs.promises, not node:fs/promises: loaded at its first use (only writeReport's -o), not at the quick entry's start.
import { closeSync, createWriteStream, promises as fsp, openSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';

// Controls but line breaks and tabs; with colours on, the SGR sequences picocolors writes are kept.
// CSV's CRLF line ends are kept too.
const CONTROLS = /\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const CONTROLS_BUT_SGR =
  /\u001b\[[0-9;]*m|\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// Every character either pattern can show (ESC and CR included); none: nothing to do.
const ANY_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const shown = (c: string) => (c.length > 1 ? c : `\\u{${c.charCodeAt(0).toString(16)}}`);

/**
 * The last guard before a terminal or file: renderers escape artifact text themselves (textSafe); a
 * control character that still reaches here is shown, not obeyed.
 */
export function terminalSafe(text: string, color: boolean): string {
  // One pass of a plain character class first: the lookahead alternatives cost ~3× as much per
  // character, and nearly every report has nothing to show.
  if (!ANY_CONTROL.test(text)) return text;
  return color ? text.replace(CONTROLS_BUT_SGR, shown) : text.replace(CONTROLS, shown);
}

/** A line on stderr for people (`kabi: warning: ...`): a control character in it (from an artifact) is shown. */
export function warn(text: string): void {
  process.stderr.write(terminalSafe(`kabi: ${text}\n`, false));
}

let epipeQuiet = false;

/**
 * A reader that goes away early (`kabi diff ... | head`) is the reader's choice, not an error: the command
 * ends quietly with the exit code it has so far. Once per process, whichever entry (main.ts, quick.ts) asks.
 */
export function quietOnEpipe(): void {
  if (epipeQuiet) return;
  epipeQuiet = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

/** A whole report, already made safe, to the file `output` names, else stdout. */
export async function writeReport(text: string, output: string | undefined): Promise<void> {
  if (output) await fsp.writeFile(output, text);
  else {
    quietOnEpipe();
    process.stdout.write(text);
  }
}

const SINK_CHUNK = 1 << 20;

/**
 * Where a streamed report goes (a file, else stdout), in chunks: a writer that waits when the pipe is
 * full, so that a large report never sits in memory whole.
 */
export function openSink(output: string | undefined): {
  /** Text, or bytes already UTF-8 (the sink owns them from then on: not to be written over). */
  write(piece: string | Uint8Array): Promise<void>;
  close(): Promise<void>;
} {
  const out: Writable = output ? createWriteStream(output) : process.stdout;
  // Encoded as written, into a chunk handed to the stream when full: no joined string, and no
  // second encoding by the stream (a kernel's modversions table: 20 MB in 4,000 pieces).
  let chunk = Buffer.allocUnsafe(SINK_CHUNK);
  let used = 0;
  let carry = ''; // a high surrogate that ended a piece: encoded with the next piece's low one
  const flush = async () => {
    if (used === 0) return;
    const full = chunk.subarray(0, used);
    chunk = Buffer.allocUnsafe(SINK_CHUNK);
    used = 0;
    await send(full);
  };
  const send = async (piece: string | Uint8Array) => {
    if (!out.write(piece)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  // A high surrogate kept back and no low one to come: encoded alone, as the stream would.
  const writeCarry = async () => {
    if (!carry) return;
    if (used + 3 > chunk.length) await flush();
    used += chunk.write(carry, used, 'utf8');
    carry = '';
  };
  return {
    async write(piece) {
      if (typeof piece !== 'string') {
        // Bytes already encoded (a table of compat -f json): copied into the chunk, or handed on whole.
        await writeCarry();
        if (used + piece.length > chunk.length) await flush();
        if (piece.length > chunk.length) return send(piece);
        chunk.set(piece, used);
        used += piece.length;
        return;
      }
      let text = carry + piece;
      carry = '';
      const last = text.charCodeAt(text.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        carry = text.slice(-1);
        text = text.slice(0, -1);
      }
      // At most 3 bytes per UTF-16 unit.
      if (used + text.length * 3 > chunk.length) await flush();
      if (text.length * 3 > chunk.length) return send(text);
      used += chunk.write(text, used, 'utf8');
    },
    async close() {
      await writeCarry();
      await flush();
      if (output)
        await new Promise<void>((resolve, reject) => {
          out.once('error', reject);
          out.end(resolve);
        });
    },
  };
}

/**
 * A writer of pieces whose memory is reused as soon as they are taken (report/diff-table-wasm.ts): each
 * written at once with writeSync, to the file (opened at the first piece) or to stdout. A reader gone away
 * (EPIPE, `| head`) ends the writing quietly, as main.ts does; a non-blocking stdout that is full (EAGAIN)
 * sends the rest, copied, through process.stdout, which queues it until written.
 */
export function syncWriter(
  output: string | undefined,
  onStart?: () => void,
): {
  write(chunk: Buffer): void;
  close(): void;
  /** Whether anything was written (a file created): the caller can no longer hand the command on. */
  readonly started: boolean;
} {
  let fd = output ? -1 : 1;
  let started = false;
  let gone = false;
  let queued = false;
  return {
    get started() {
      return started;
    },
    write(chunk) {
      if (gone) return;
      if (!started) onStart?.();
      started = true;
      if (fd < 0) fd = openSync(output!, 'w');
      let at = 0;
      if (!queued)
        try {
          while (at < chunk.length) at += writeSync(fd, chunk, at);
          return;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (output === undefined && code === 'EPIPE') {
            gone = true;
            return;
          }
          if (output !== undefined || code !== 'EAGAIN') throw err;
          queued = true;
          quietOnEpipe();
        }
      process.stdout.write(Buffer.from(chunk.subarray(at)));
    },
    close() {
      if (output !== undefined) {
        if (fd < 0) {
          onStart?.();
          fd = openSync(output, 'w');
        }
        closeSync(fd);
      }
    },
  };
}
