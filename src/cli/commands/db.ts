// `kabi db migrate`: creates the store's schema or brings it up to date, explicitly. A PostgreSQL store is
// migrated only here (run it once per release, as a role that may create tables); every other command
// refuses a PostgreSQL store of another schema version. On a SQLite file it is `kabi migrate`.
import type { Command } from 'commander';
import type { CommandState } from '../output.js';
import { migrateStoreAt, storeLocation } from '../store.js';

export function registerDb(program: Command, _state: CommandState): void {
  const db = program
    .command('db')
    .description("the store's schema: kabi db migrate [--db URL]")
    .addHelpText(
      'after',
      '\nThe store: --db PATH or postgres://user@host/db (before or after "db"), else $KABI_DB, else ~/.local/share/kabi-tracker/kabi.db.',
    );
  db.command('migrate')
    .description("create the store's schema or bring it up to date (PostgreSQL: only this command does)")
    .option('--db <path|url>', 'the store (as the global --db)')
    .action(async (o: { db?: string }, cmd: Command) => {
      const location = o.db ?? (await storeLocation(cmd));
      process.stdout.write(await migrateStoreAt(location));
    });
}
