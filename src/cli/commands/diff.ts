import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { addInputOptions, type InputOptions, readPair, readPolicy } from '../inputs.js';
import {
  type CommandState,
  emit,
  formatOption,
  type OutputOptions,
  renderOptions,
  terminalSafe,
} from '../output.js';
import { loadKfuncList } from './kfuncs.js';

interface DiffOptions extends OutputOptions, InputOptions {
  exitCode?: boolean;
  kfuncs?: boolean;
}

export function registerDiff(program: Command, state: CommandState): void {
  const cmd = program
    .command('diff')
    .description(
      'compare the exports of two kernel builds (Module.symvers, symvers.gz, RPM provides, Ubuntu abi)',
    )
    .argument('<old>', 'exports of the old build')
    .argument('<new>', 'exports of the new build')
    .addOption(formatOption())
    .option('--all', 'list every change (text and markdown list 50 per kind by default)')
    .option('--limit <n>', 'changes listed per kind', '50')
    .option('-o, --output <file>', 'write the report to a file')
    .option('--no-color', 'no colours')
    .option('--exit-code', 'exit 4 on ABI change, 12 on incompatible change (as kabi check)')
    .option('--kfuncs', 'compare the BPF kfuncs of two kernel artifacts (or stored builds) instead');
  addInputOptions(cmd).action(async (oldPath: string, newPath: string, o: DiffOptions, cmd: Command) => {
    if (!o.kfuncs && (await tableDiff(oldPath, newPath, o, state))) return;
    const lib = await import('../../index.js');
    if (o.kfuncs) {
      const [a, b] = [await loadKfuncList(oldPath, cmd), await loadKfuncList(newPath, cmd)];
      const d = lib.diffKfuncs(a, b);
      await emit(lib.kfuncDiffRenderers[o.format](d, renderOptions(o)), o);
      state.exitCode = o.exitCode ? lib.kfuncDiffExitCode(d) : 0;
      return;
    }
    const [[old, next], policy] = await Promise.all([readPair(oldPath, newPath, o, cmd), readPolicy(o)]);
    const report = lib.compareBuilds(old, next, { policy });
    await emit(lib.diffRenderers[o.format](report, renderOptions(o)), o);
    state.exitCode = o.exitCode ? report.exitCode : 0;
  });
}

/**
 * Two plain Module.symvers files (the common case) compared as columns and written as one Buffer; false,
 * having written nothing, for anything else (store refs, other formats, colours, Markdown, any fault),
 * which the general path reads and reports.
 */
async function tableDiff(
  oldPath: string,
  newPath: string,
  o: DiffOptions,
  state: CommandState,
): Promise<boolean> {
  const opts = renderOptions(o);
  if (o.format === 'markdown' || opts.color || (o.inputFormat && o.inputFormat !== 'module-symvers'))
    return false;
  if (!existsSync(oldPath) || !existsSync(newPath)) return false;
  if (!o.policy && !o.stablelist?.length) {
    // The WebAssembly core (src/model/symvers-wasm.ts) first; null anywhere sends the pair on below.
    const [{ wasmTableDiff }, { readSymversTableWasmAny }] = await Promise.all([
      import('../wasm-diff.js'),
      import('../../index-diff.js'),
    ]);
    const code = await wasmTableDiff(
      oldPath,
      newPath,
      {
        format: o.format,
        limit: opts.limit,
        output: o.output,
        exitCode: o.exitCode,
      },
      readSymversTableWasmAny,
    );
    if (code !== null) {
      state.exitCode = code;
      return true;
    }
  }
  const lib = await import('../../index-diff.js');
  const [a, b, policy] = await Promise.all([
    lib.readSymversTable(oldPath).catch(() => null),
    lib.readSymversTable(newPath).catch(() => null),
    o.policy || o.stablelist?.length
      ? lib.loadPolicy({ policyPath: o.policy, stablelistPaths: o.stablelist }).catch(() => null)
      : lib.DEFAULT_POLICY,
  ]);
  if (a === null || b === null || policy === null || !lib.tablesComparable(a, b)) return false;
  if (o.format === 'text' && terminalSafe(policy.name, false) !== policy.name) return false;
  const report = lib.compareTables(a, b, policy);
  const out = o.format === 'json' ? lib.tableDiffToJson(report) : lib.tableDiffToText(report, opts);
  if (o.output) await writeFile(o.output, out);
  else process.stdout.write(out);
  state.exitCode = o.exitCode ? report.exitCode : 0;
  return true;
}
