// The thin file layer under every reader: turns the file system's errors into messages a user can act on.
import { statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';

export function fsError(path: string, what: string, cause: unknown): UsageError {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UsageError(`${path}: no such file (expected ${what})`, { cause });
  if (code === 'EISDIR') return new UsageError(`${path}: is a directory (expected ${what})`, { cause });
  if (code === 'EACCES') return new UsageError(`${path}: permission denied`, { cause });
  return new UsageError(`${path}: cannot read ${what} (${(cause as Error).message})`, { cause });
}

/** Reads a whole input file; `what` names what was expected there, for the error message. */
export async function readInputFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw fsError(path, what, cause);
  }
}

export async function isDirectory(path: string, what: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (cause) {
    throw fsError(path, what, cause);
  }
}

/** Synchronous, for dispatch on arguments that exist: true for a directory. */
export function isDirectoryPath(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
