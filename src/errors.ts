// Errors carry where they happened (file, line or byte offset, section) as fields that code can read,
// and render as `source:12: message | excerpt` or `source@0x1a40 (.symtab): message`.

export class KabiError extends Error {
  override name = 'KabiError';
}

/** Bad command-line use: exit code 2. */
export class UsageError extends KabiError {
  override name = 'UsageError';
}

/** A bug in kabi-tracker, not in the input. */
export class InternalError extends KabiError {
  override name = 'InternalError';
}

/**
 * Nothing to judge: an input that yields no exports, modules or builds where some are required. A gate
 * that judged nothing neither passes nor fails: exit 1, naming the input and what it should have held.
 */
export class NothingToJudgeError extends KabiError {
  override name = 'NothingToJudgeError';
  /** The input as the user named it (a path, a store ref or query, a symbol). */
  readonly input: string;
  /** What it holds none of: `kernel modules`, `exports`, `stored kernel builds`, ... */
  readonly what: string;

  constructor(input: string, what: string, expected: string) {
    super(`${input}: no ${what}; expected ${expected}`);
    this.input = input;
    this.what = what;
  }
}

export interface FormatErrorContext {
  /** File path or other name of the input. */
  source: string;
  /** 1-based line number, for text formats. */
  line?: number;
  /** Byte offset, for binary formats. */
  offset?: number;
  /** Section or member name, e.g. `.symtab` or `data.tar.xz`. */
  section?: string;
  /** The offending text, shortened. */
  excerpt?: string;
  cause?: unknown;
}

/** Input that does not follow its format. */
export class ArtifactFormatError extends KabiError {
  override name = 'ArtifactFormatError';
  readonly source: string;
  readonly line: number | undefined;
  readonly offset: number | undefined;
  readonly section: string | undefined;
  readonly excerpt: string | undefined;
  /** The message without the location prefix. */
  readonly reason: string;

  constructor(reason: string, ctx: FormatErrorContext) {
    super(formatLocation(ctx) + reason + (ctx.excerpt === undefined ? '' : ` | ${ctx.excerpt}`), {
      cause: ctx.cause,
    });
    this.reason = reason;
    this.source = ctx.source;
    this.line = ctx.line;
    this.offset = ctx.offset;
    this.section = ctx.section;
    this.excerpt = ctx.excerpt;
  }
}

function formatLocation(ctx: FormatErrorContext): string {
  let loc = ctx.source;
  if (ctx.line !== undefined) loc += `:${ctx.line}`;
  if (ctx.offset !== undefined) loc += `@0x${ctx.offset.toString(16)}`;
  if (ctx.section !== undefined) loc += ` (${ctx.section})`;
  return `${loc}: `;
}

/** Shortens a line for an error excerpt and makes control bytes visible. */
export function excerptOf(text: string, max = 80): string {
  // Escaping only ever lengthens, so max + 1 characters say all the excerpt can show (a 1 MiB line
  // escaped whole cost 0.3 s).
  const visible = text
    .slice(0, max + 1)
    .replace(
      /[\u0000-\u0008\u000b-\u001f\u007f]/g,
      (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
    );
  const tabs = visible.replace(/\t/g, '\\t');
  return tabs.length > max ? `${tabs.slice(0, max)}…` : tabs;
}

/** Throws unless [offset, offset+size) lies within [0, limit). */
export function checkRange(
  offset: number,
  size: number,
  limit: number,
  ctx: FormatErrorContext,
  what: string,
): void {
  if (offset < 0 || size < 0 || offset + size > limit) {
    throw new ArtifactFormatError(
      `${what} at offset ${offset} size ${size} runs past the end (${limit} bytes)`,
      {
        ...ctx,
        offset,
      },
    );
  }
}

/** What the kernel's error numbers mean to a user (the file the call was about is named beside it). */
const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device (the disk is full)',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  ENXIO: 'no such device or address',
  ETXTBSY: 'text file busy',
  EBUSY: 'device or resource busy',
};

/** `permission denied (EACCES)` for a file-system error, or undefined for anything else. */
export function systemErrorText(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !Object.hasOwn(ERRNO_TEXT, code)) return undefined;
  return `${ERRNO_TEXT[code]} (${code})`;
}

/**
 * A file-system error (`ENOSPC`, `EACCES`, ...) from a call that named a path, as a KabiError saying
 * `PATH: cause`; null for anything else. The CLI's last resort before calling an error a bug.
 */
export function environmentError(err: unknown): KabiError | null {
  if (err instanceof KabiError) return null;
  const text = systemErrorText(err);
  if (text === undefined) return null;
  const e = err as { path?: unknown; dest?: unknown; syscall?: unknown };
  const where = typeof e.path === 'string' ? e.path : typeof e.syscall === 'string' ? e.syscall : 'kabi';
  const dest = typeof e.dest === 'string' ? ` → ${e.dest}` : '';
  return new KabiError(`${where}${dest}: ${text}`, { cause: err });
}

// C0/C1 controls could move the cursor or recolour a terminal; bidi overrides could reorder what is read.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_IN_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const shown = (c: string) => `\\u{${c.charCodeAt(0).toString(16)}}`;

/**
 * Text from an artifact (a symbol, a modinfo string, a label) as it may be printed: every control and
 * bidi character shown as `\u{1b}`. The one escaping helper of every text renderer (`textSafe`).
 */
export function printable(s: string): string {
  return s.replace(UNSAFE, shown);
}

/** printable for whole messages: line breaks and tabs kept, everything else shown. */
export function printableLines(s: string): string {
  return s.replace(UNSAFE_IN_LINES, shown);
}
