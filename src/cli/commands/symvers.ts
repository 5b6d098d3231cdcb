import type { Command } from 'commander';
import { type CommandState, emit, type OutputOptions, warn } from '../output.js';
import { moduleProgress } from '../progress.js';

export function registerSymvers(program: Command, _state: CommandState): void {
  program
    .command('symvers')
    .description(
      'the Module.symvers of a kernel artifact: a linux-image .deb or kernel .rpm, a module tree, vmlinux or vmlinuz',
    )
    .argument('<artifact>', 'package, directory, vmlinux/vmlinuz, module, or an exports file')
    .option('-o, --output <file>', 'write to a file')
    .action(async (path: string, o: Omit<OutputOptions, 'format' | 'limit'>) => {
      const lib = await import('../../index.js');
      const progress = await moduleProgress(path);
      let build: Awaited<ReturnType<typeof lib.readExportsArtifact>>;
      try {
        build = await lib.readExportsArtifact(path, { onProgress: progress.update });
      } finally {
        progress.stop();
      }
      for (const w of build.warnings) warn(`warning: ${w}`);
      lib.requireExports(build);
      await emit(lib.formatModuleSymvers(build.exports.values()), { ...o, format: 'text', limit: '0' });
    });
}
