import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { type CommandState, warn } from '../output.js';
import { moduleProgress } from '../progress.js';
import { openStore } from '../store.js';

interface IngestCliOptions {
  label: string[];
  config?: string;
  allowEmpty?: boolean;
  allowDuplicates?: boolean;
}

export function registerIngest(program: Command, _state: CommandState): void {
  program
    .command('ingest')
    .description('store kernel builds and kmods (symvers files, packages, module trees, .ko) with labels')
    .argument('<artifact...>', 'artifacts to ingest; each is one transaction')
    .option(
      '-l, --label <key=value>',
      'a label (distro, stream, release, version, arch, flavour, date, ...); repeat for more',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--config <file>', "the kernel's configuration, kept as the loader label (for a Module.symvers)")
    .option('--allow-empty', 'store an artifact that yields no export and no module (default: an error)')
    .option(
      '--allow-duplicates',
      'accept a line repeated verbatim, with a warning; a symbol listed twice with different data stays an error',
    )
    .action(async (paths: string[], o: IngestCliOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const labels = lib.parseLabels(o.label);
      if (o.config)
        labels[lib.LOADER_LABEL] ??= lib.formatLoaderLabel(
          lib.loaderProfileOf(await lib.readKernelConfig(o.config), null),
        );
      // Before the store is opened: a mistyped path must not leave a new, empty store behind.
      for (const path of paths)
        if (!existsSync(path))
          throw new lib.UsageError(`${path}: no such file (expected a kernel or kmod artifact)`);
      const store = await openStore(cmd, { write: true });
      try {
        for (const path of paths) {
          const progress = await moduleProgress(path);
          let r: Awaited<ReturnType<typeof lib.ingestArtifact>>;
          try {
            r = await lib.ingestArtifact(store, path, {
              labels,
              onProgress: progress.update,
              allowEmpty: o.allowEmpty === true,
              duplicates: o.allowDuplicates ? 'identical' : 'error',
            });
          } catch (e) {
            if (
              !o.allowDuplicates &&
              e instanceof lib.ArtifactFormatError &&
              /exported twice/.test(e.message)
            )
              warn(
                'hint: --allow-duplicates accepts a line repeated verbatim (openEuler 24.03 references have some)',
              );
            throw e;
          } finally {
            progress.stop();
          }
          const e = r.entry;
          for (const w of r.warnings ?? []) warn(`warning: ${w}`);
          const what = `${e.kind} ${e.id}: ${e.exports} exports${e.modules ? `, ${e.modules} modules` : ''}`;
          const changed = r.labelsChanged?.length
            ? `; labels set: ${r.labelsChanged.map((k) => `${k}=${e.labels[k]}`).join(',')}`
            : '';
          process.stdout.write(
            `${r.created ? 'ingested' : 'already stored'} ${path} → ${what} ${lib.formatLabels(e.labels)}${changed}\n`,
          );
        }
      } finally {
        await store.close();
      }
    });
}
