// `kabi list`, `kabi show REF`, `kabi rm REF`: what the store holds; `kabi migrate`: its schema.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { type CommandState, emit, formatOption, type OutputOptions } from '../output.js';
import { openStore } from '../store.js';

export function registerEntries(program: Command, _state: CommandState): void {
  program
    .command('list')
    .description('stored kernel builds and kmods, with their labels')
    .argument('[query]', 'label query, e.g. distro=debian,stream=debian-6.1 or kind=kmod', '')
    .addOption(formatOption())
    .action(async (query: string, o: OutputOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const store = await openStore(cmd);
      try {
        await emit(lib.entryListRenderers[o.format](await store.list(query)), o);
      } finally {
        await store.close();
      }
    });
  program
    .command('show')
    .description('one stored entry: labels, source, counts')
    .argument('<ref>', 'an id or a label query matching exactly one entry')
    .addOption(formatOption())
    .action(async (ref: string, o: OutputOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const store = await openStore(cmd);
      try {
        const entry = await store.resolve(ref);
        let text = lib.entryListRenderers[o.format]([entry]);
        // Text only: the list's JSON and Markdown shapes stay those of `kabi list`.
        const kfuncs = o.format === 'text' ? await store.loadKfuncs(entry.id) : null;
        if (kfuncs)
          text += `kfuncs: ${kfuncs.kfuncs.length} (found by ${kfuncs.method}; kabi kfuncs ${entry.id} lists them)\n`;
        await emit(text, o);
      } finally {
        await store.close();
      }
    });
  program
    .command('rm')
    .description('remove one stored entry')
    .argument('<ref>', 'an id or a label query matching exactly one entry')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const lib = await import('../../index.js');
      const store = await openStore(cmd, { write: true });
      try {
        const e = await store.remove(ref);
        process.stdout.write(`removed ${e.kind} ${e.id} ${lib.formatLabels(e.labels)}\n`);
      } finally {
        await store.close();
      }
    });
  program
    .command('migrate')
    .description("bring the store's schema up to date (reading commands never write the store)")
    .action(async (_o: unknown, cmd: Command) => {
      const lib = await import('../../index.js');
      const path = lib.defaultStorePath(cmd.optsWithGlobals().db as string | undefined);
      if (!existsSync(path)) throw new lib.KabiError(`no store at ${path} (kabi ingest creates one)`);
      const { from, to } = lib.migrateSqliteStore(path);
      process.stdout.write(
        from === to ? `${path}: store schema ${to}, up to date\n` : `${path}: store schema ${from} → ${to}\n`,
      );
    });
}
