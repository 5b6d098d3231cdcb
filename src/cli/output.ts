// What every command shares: output format, colour, where to write, and how errors become exit codes.
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { Option } from 'commander';

export interface CommandState {
  exitCode: number;
}

export interface OutputOptions {
  format: 'text' | 'json' | 'markdown';
  color?: boolean;
  all?: boolean;
  limit: string;
  output?: string;
}

export const formatOption = () =>
  new Option('-f, --format <format>', 'report format').choices(['text', 'json', 'markdown']).default('text');

export function renderOptions(o: OutputOptions) {
  const limit = Number.parseInt(o.limit, 10);
  // Colours only on a terminal, and never when NO_COLOR is set (https://no-color.org).
  const color = o.color !== false && !o.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
  return { color, limit: o.all || !Number.isFinite(limit) ? null : limit };
}

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

export async function emit(text: string, o: OutputOptions): Promise<void> {
  // JSON escapes controls itself; every other format is read by people.
  const safe = o.format === 'json' ? text : terminalSafe(text, renderOptions(o).color);
  if (o.output) await writeFile(o.output, safe);
  else process.stdout.write(safe);
}

/** A line on stderr for people (`kabi: warning: ...`): a control character in it (from an artifact) is shown. */
export function warn(text: string): void {
  process.stderr.write(terminalSafe(`kabi: ${text}\n`, false));
}

const SINK_CHUNK = 1 << 20;

/**
 * Where a streamed report goes (a file, else stdout), in chunks: a writer that waits when the pipe is
 * full, so that a large report never sits in memory whole.
 */
export function openSink(output: string | undefined): {
  write(text: string): Promise<void>;
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
    if (!out.write(full)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  return {
    async write(piece) {
      let text = carry + piece;
      carry = '';
      const last = text.charCodeAt(text.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        carry = text.slice(-1);
        text = text.slice(0, -1);
      }
      // At most 3 bytes per UTF-16 unit.
      if (used + text.length * 3 > chunk.length) await flush();
      if (text.length * 3 > chunk.length) {
        if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
        return;
      }
      used += chunk.write(text, used, 'utf8');
    },
    async close() {
      if (carry) {
        if (used + 3 > chunk.length) await flush();
        used += chunk.write(carry, used, 'utf8');
        carry = '';
      }
      await flush();
      if (output)
        await new Promise<void>((resolve, reject) => {
          out.once('error', reject);
          out.end(resolve);
        });
    },
  };
}

/** Prints an error the way a user can act on it and returns the exit code. */
export async function reportError(err: unknown): Promise<number> {
  const { UsageError, KabiError, InternalError, environmentError } = await import('../index.js');
  // A file-system fault (ENOSPC, EACCES, EROFS, ...) is the environment's, not a bug: name path and cause.
  err = environmentError(err) ?? err;
  if (err instanceof UsageError) {
    warn(err.message);
    return 2;
  }
  if (err instanceof KabiError && !(err instanceof InternalError)) {
    warn(err.message);
    return 1;
  }
  process.stderr.write(
    terminalSafe(`kabi: internal error: ${(err as Error)?.stack ?? String(err)}\n`, false),
  );
  process.stderr.write('This is a bug in kabi-tracker; please report it with the command line and input.\n');
  return 1;
}
