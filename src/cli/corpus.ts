// What the commands that read a module corpus share (impact, coverage): the corpus and report options,
// reading the corpus, and writing the report.
import { type Command, Option } from 'commander';
import type { ModuleCorpus, ModuleImage } from '../index.js';
import { emit, renderOptions, warn } from './output.js';

/** The options addCorpusOptions declares. */
export interface CorpusOptions {
  modules: string[];
  format: 'text' | 'json' | 'markdown' | 'csv';
  view?: string;
  all?: boolean;
  limit: string;
  output?: string;
  color?: boolean;
}

/** Adds what impact and coverage share: corpus, format, view, limits, output. */
export function addCorpusOptions(cmd: Command, views: string): Command {
  return cmd
    .requiredOption(
      '-m, --modules <path...>',
      'module corpus: .ko files, directories (/lib/modules/<release>), linux-image or kmod .deb/.rpm',
    )
    .addOption(
      new Option('-f, --format <format>', 'report format')
        .choices(['text', 'json', 'markdown', 'csv'])
        .default('text'),
    )
    .option(
      '--view <tables>',
      `only these tables, comma-separated (${views}); CSV: one, the first unless told`,
    )
    .option('--all', 'list every row')
    .option('--limit <n>', 'rows per long table', '50')
    .option('-o, --output <file>', 'write the report to a file')
    .option('--no-color', 'no colours');
}

/**
 * The corpus's modules. One that cannot be read is a warning: the rest of the corpus still answers. An
 * input that yields no module at all (an empty directory, a meta-package) is an error naming it.
 */
export async function readCorpusModules(paths: string[]): Promise<ModuleImage[]> {
  const lib = await import('../index.js');
  const modules: ModuleImage[] = [];
  for (const path of paths) {
    const corpus = await lib.readModuleCorpus([path]);
    for (const p of corpus.problems) warn(`warning: ${p.path}: not read: ${p.reason}`);
    await requireModules(path, corpus);
    modules.push(...corpus.modules);
  }
  return modules;
}

/** Each module input must yield a module: `DIR: no kernel modules; expected ...`. */
export async function requireModules(input: string, corpus: ModuleCorpus): Promise<void> {
  const lib = await import('../index.js');
  const unread = corpus.problems.length;
  const what = unread
    ? `kernel modules that could be read (${unread} not read: ${corpus.problems[0]!.reason})`
    : 'kernel modules';
  lib.requireSome(corpus.modules.length, input, what, lib.MODULES_EXPECTED);
}

/** Renders with the corpus options (CSV and Markdown take colour and limits as text does) and writes it. */
export async function emitCorpusReport(
  render: (opts: ReturnType<typeof renderOptions> & { view: string | undefined }) => string,
  o: CorpusOptions,
): Promise<void> {
  const opts = { ...renderOptions({ ...o, format: 'text' }), view: o.view };
  await emit(render(opts), { ...o, format: 'text' });
}
