// `kabi`: a thin shell over the library. Each command lives in commands/<verb>.ts, declares its options
// and calls one library function; the library itself is loaded only when a command runs.
import { Command, CommanderError } from 'commander';
import { registerBpfCompat } from './commands/bpf-compat.js';
import { registerCheck } from './commands/check.js';
import { registerCompat } from './commands/compat.js';
import { registerCoverage } from './commands/coverage.js';
import { registerDb } from './commands/db.js';
import { registerDiff } from './commands/diff.js';
import { registerEntries } from './commands/entries.js';
import { registerExplain } from './commands/explain.js';
import { registerFetch } from './commands/fetch.js';
import { registerImpact } from './commands/impact.js';
import { registerIngest } from './commands/ingest.js';
import { registerInterfaces } from './commands/interfaces.js';
import { registerKfuncs } from './commands/kfuncs.js';
import { registerModinfo } from './commands/modinfo.js';
import { registerModversions } from './commands/modversions.js';
import { registerReport } from './commands/report.js';
import { registerSeries } from './commands/series.js';
import { registerServe } from './commands/serve.js';
import { registerSimulate } from './commands/simulate.js';
import { registerStablelist } from './commands/stablelist.js';
import { registerSummary } from './commands/summary.js';
import { registerSymvers } from './commands/symvers.js';
import { registerWatch } from './commands/watch.js';
import { addExitCodeHelp } from './exit-codes.js';
import { type CommandState, reportError } from './output.js';
import { quietOnEpipe } from './sink.js';

// For the quick entry (quick.ts): an error once its command has begun writing is reported as here.
export { reportError };

const EXAMPLES = `
Examples:
  kabi diff 6.1.0-55.symvers.xz 6.1.0-56.symvers.xz
  kabi diff --format json old/Module.symvers new/Module.symvers > changes.json
  kabi check --baseline abi/Module.symvers build/Module.symvers --policy kabi/severities
  kabi check --baseline base.symvers new.symvers --stablelist kabi_stablelist_x86_64 --abi-version 3
  kabi summary /boot/symvers-6.1.0-56-amd64.gz
  kabi fetch debian --suite bookworm-security --flavour amd64 --out debs/
  kabi ingest debs/*.deb && kabi series stream=debian-6.1
  kabi history kmalloc_trace stream=debian-6.1
  kabi serve --db kabi.db --port 8470
  kabi compat -m v4l2loopback.ko -k linux-image-6.1.0-50-amd64-unsigned_6.1.176-1_amd64.deb
  kabi why v4l2loopback.ko release=6.1.0-55-amd64
  kabi report series stream=debian-6.1 -o series.html --png slides/
  kabi modversions /lib/modules/$(uname -r)/kernel/fs/ext4/ext4.ko.xz
  kabi modinfo -F vermagic v4l2loopback.ko
  kabi symvers linux-image-6.1.0-47-amd64-unsigned_6.1.170-3_amd64.deb > Module.symvers
  kabi kfuncs linux-image-6.12.117+deb12-amd64-unsigned_6.12.117-1~deb12u1_amd64.deb
  kabi kfuncs --series stream=debian-6.1 && kabi diff --kfuncs release=6.1.0-47-amd64 release=6.1.0-50-amd64
  kabi diff linux-headers-6.1.0-47/Module.symvers linux-image-6.1.0-50-amd64-unsigned_6.1.176-1_amd64.deb

Exit codes (a bitmask, as libabigail's abidiff): 0 success (no change, every module loads), 1 error,
2 usage error, 4 ABI changed (compatible under the policy), 8 a module does not load (compat, why),
12 (4|8) incompatible change. Each command's --help lists the codes it can return.`;

type Register = (program: Command, state: CommandState) => void;

/** Each register function, in `kabi --help` order, with the top-level commands it adds. */
export const COMMANDS: [names: string[], register: Register][] = [
  [['diff'], registerDiff],
  [['check'], registerCheck],
  [['summary'], registerSummary],
  [['modversions'], registerModversions],
  [['modinfo'], registerModinfo],
  [['symvers'], registerSymvers],
  [['ingest'], registerIngest],
  [['list', 'show', 'label', 'rm', 'migrate'], registerEntries],
  [['series', 'history'], registerSeries],
  [['fetch'], registerFetch],
  [['compat', 'why'], registerCompat],
  [['impact'], registerImpact],
  [['explain', 'btf'], registerExplain],
  [['coverage'], registerCoverage],
  [['serve'], registerServe],
  [['report'], registerReport],
  [['kfuncs'], registerKfuncs],
  [['bpf-compat'], registerBpfCompat],
  [['stablelist'], registerStablelist],
  [['interfaces'], registerInterfaces],
  [['simulate'], registerSimulate],
  [['watch'], registerWatch],
  [['db'], registerDb],
];

/**
 * Every command and option of `kabi` (nothing is loaded until a command runs); with `only`, just the
 * commands that one register function adds (the one `argv` names), since building all eighteen with
 * their options is a measurable part of a short command's start.
 */
export function kabiProgram(state: CommandState, only?: Register): Command {
  const program = new Command('kabi')
    .description('Track Linux kernel ABI (kABI) change across kernel builds')
    .version(process.env.npm_package_version ?? '0.1.0')
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError('(kabi --help for usage)')
    .option('--db <path>', 'the store (SQLite file); default $KABI_DB or ~/.local/share/kabi-tracker/kabi.db')
    .exitOverride();
  for (const [, register] of COMMANDS) if (only === undefined || register === only) register(program, state);
  addExitCodeHelp(program);
  return program;
}

/** The register function of the command `argv` names first; undefined (all) for anything else. */
function namedCommand(argv: string[]): Register | undefined {
  const first = argv[2];
  if (argv.length === 3 && (first === '--version' || first === '-V')) return () => {}; // no command needed
  return COMMANDS.find(([names]) => first !== undefined && names.includes(first))?.[1];
}

export async function main(argv: string[]): Promise<number> {
  quietOnEpipe();
  const state = { exitCode: 0 };
  const program = kabiProgram(state, namedCommand(argv));
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return 2;
    }
    await program.parseAsync(argv);
    return state.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      return 2;
    }
    return reportError(err);
  }
}
