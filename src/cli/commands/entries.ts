// `kabi list`, `kabi show REF`, `kabi label REF k=v`, `kabi rm REF`: what the store holds; `kabi migrate`:
// its schema.
import type { Command } from 'commander';
import { type CommandState, emit, formatOption, type OutputOptions } from '../output.js';
import { migrateStoreAt, openStore, storeLocation } from '../store.js';

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
    .command('label')
    .description("set or remove a stored entry's labels (ingesting its artifact again sets them too)")
    .argument('<ref>', 'an id or a label query matching exactly one entry')
    .argument('[label...]', 'key=value labels to set (add or replace)')
    .option(
      '--unset <key>',
      'a label to remove; repeat for more',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .action(async (ref: string, pairs: string[], o: { unset: string[] }, cmd: Command) => {
      const lib = await import('../../index.js');
      const set = lib.parseLabels(pairs);
      if (pairs.length === 0 && o.unset.length === 0)
        throw new lib.UsageError('kabi label: give key=value labels to set or --unset KEY');
      const both = o.unset.find((k) => lib.labelOf(set, k) !== undefined);
      if (both) throw new lib.UsageError(`label ${both} is both set and unset`);
      // A date given by hand says so; removing the date removes where it came from.
      if (set.date !== undefined) set[lib.DATE_FROM] ??= 'label';
      const store = await openStore(cmd, { write: true });
      try {
        const before = await store.resolve(ref);
        const unset = [...o.unset];
        if (
          unset.includes('date') &&
          before.labels[lib.DATE_FROM] !== undefined &&
          !unset.includes(lib.DATE_FROM)
        )
          unset.push(lib.DATE_FROM);
        const e = await store.setLabels(String(before.id), set, unset);
        process.stdout.write(`labelled ${e.kind} ${e.id} ${lib.formatLabels(e.labels)}\n`);
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
      process.stdout.write(await migrateStoreAt(await storeLocation(cmd)));
    });
}
