import { homedir } from 'node:os';
import { join } from 'node:path';

/** `--db PATH`, else `KABI_DB`, else `$XDG_DATA_HOME/kabi-tracker/kabi.db` (`~/.local/share/...`). */
export function defaultStorePath(explicit?: string): string {
  if (explicit) return explicit;
  if (process.env.KABI_DB) return process.env.KABI_DB;
  const data = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(data, 'kabi-tracker', 'kabi.db');
}
