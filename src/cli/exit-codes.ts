// The exit codes each command can return, listed in its --help (a bitmask, as libabigail's abidiff).
import type { Command } from 'commander';

export const EXIT_CODES: Record<number, string> = {
  0: 'success: nothing the command judges failed',
  1: 'error: unreadable or malformed input, or nothing to judge (the message says which)',
  2: 'usage error',
  4: 'the ABI changed, compatibly under the policy (warnings only)',
  8: 'a module does not load on a kernel (compat, why), a BPF object does not (bpf-compat)',
  12: '4|8: an incompatible ABI change (the policy fails it)',
};

/** Codes beyond 0, 1 and 2, by command; `diff` returns them only with --exit-code. */
const JUDGING: Record<string, { codes: number[]; note?: string }> = {
  check: { codes: [4, 12] },
  diff: { codes: [4, 12], note: 'with --exit-code' },
  compat: { codes: [8] },
  why: { codes: [8] },
  'bpf-compat': { codes: [8] },
  watch: { codes: [4, 8, 12], note: 'with --once' },
};

export function exitCodesOf(name: string): number[] {
  return [0, 1, 2, ...(JUDGING[name]?.codes ?? [])];
}

function helpText(name: string): string {
  const note = JUDGING[name]?.note;
  const lines = exitCodesOf(name).map((c) => {
    const extra = c > 2 && note ? ` (${note})` : '';
    return `  ${String(c).padStart(2)}  ${EXIT_CODES[c]}${extra}`;
  });
  return `\nExit codes:\n${lines.join('\n')}`;
}

/** Adds each command's exit codes to its --help, sub-commands included. */
export function addExitCodeHelp(program: Command): void {
  for (const cmd of program.commands) {
    if (cmd.name() === 'help') continue;
    cmd.addHelpText('after', helpText(cmd.name()));
    for (const sub of cmd.commands) sub.addHelpText('after', helpText(sub.name()));
  }
}
