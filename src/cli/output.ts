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

export async function emit(text: string, o: OutputOptions): Promise<void> {
  if (o.output) await writeFile(o.output, text);
  else process.stdout.write(text);
}

/**
 * Where a streamed report goes (a file, else stdout), in chunks: a writer that waits when the pipe is
 * full, so that a large report never sits in memory whole.
 */
export function openSink(output: string | undefined): {
  write(text: string): Promise<void>;
  close(): Promise<void>;
} {
  const out: Writable = output ? createWriteStream(output) : process.stdout;
  let pending: string[] = [];
  let size = 0;
  const flush = async () => {
    if (size === 0) return;
    const chunk = pending.join('');
    pending = [];
    size = 0;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
  };
  return {
    async write(text) {
      pending.push(text);
      size += text.length;
      if (size >= 1 << 20) await flush();
    },
    async close() {
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
  const { UsageError, KabiError, InternalError } = await import('../index.js');
  if (err instanceof UsageError) {
    process.stderr.write(`kabi: ${err.message}\n`);
    return 2;
  }
  if (err instanceof KabiError && !(err instanceof InternalError)) {
    process.stderr.write(`kabi: ${err.message}\n`);
    return 1;
  }
  process.stderr.write(`kabi: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  process.stderr.write('This is a bug in kabi-tracker; please report it with the command line and input.\n');
  return 1;
}
