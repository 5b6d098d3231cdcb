// What every command shares: output format, colour, where to write, and how errors become exit codes.
import { Option } from 'commander';
import { terminalSafe, warn, writeReport } from './sink.js';

// Moved to sink.ts (no commander there, for the quick entry, quick.ts); here for the commands.
export { openSink, terminalSafe, warn } from './sink.js';

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
  // JSON escapes controls itself; every other format is read by people.
  await writeReport(o.format === 'json' ? text : terminalSafe(text, renderOptions(o).color), o.output);
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
