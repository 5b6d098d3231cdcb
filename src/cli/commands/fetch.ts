import { type Command, Option } from 'commander';
import type { CommandState } from '../output.js';
import { cliProgress } from '../progress.js';

interface FetchDebianCliOptions {
  suite: string;
  flavour: string;
  arch?: string;
  mirror?: string;
  images?: boolean;
  out: string;
  dryRun?: boolean;
  match?: string;
  format: 'text' | 'json';
  timeout: string;
}

type Lib = typeof import('../../index.js');
type Result = Awaited<ReturnType<Lib['fetchDebian']>>;

const MiB = 1024 * 1024;

export function registerFetch(program: Command, _state: CommandState): void {
  const fetch = program
    .command('fetch')
    .description('download the kernel packages of a distribution, ready to ingest');
  fetch
    .command('debian')
    .description(
      'the linux-headers packages (with --images, the linux-image packages too) of every ABI a Debian suite lists, checked against its index',
    )
    .requiredOption('--suite <suite>', 'bookworm, bookworm-security, trixie, ...')
    .requiredOption('--flavour <flavour>', 'kernel flavour: amd64, cloud-amd64, rt-amd64, arm64, ...')
    .option('--arch <arch>', 'Debian architecture (default: from the flavour)')
    .option('--mirror <url>', "repository root (default: the URI apt's configuration gives for the suite)")
    .option('--images', 'also the linux-image packages (-unsigned where there is one)')
    .option('--out <dir>', 'where the .deb files and manifest.json go', '.')
    .option('--dry-run', 'list what would be downloaded; download and write nothing')
    .option('--match <regex>', 'only packages whose name matches')
    .addOption(new Option('-f, --format <format>', 'list format').choices(['text', 'json']).default('text'))
    .option('--timeout <seconds>', 'give up on a request after this long without data', '60')
    .addHelpText(
      'after',
      `
Prints one line per package: name, version, ABI, file (tab-separated); writes DIR/manifest.json.
Examples:
  kabi fetch debian --suite bookworm --flavour amd64 --out debian-amd64
  kabi fetch debian --suite bookworm-security --flavour cloud-amd64 --images --dry-run
  kabi fetch debian --suite trixie --flavour arm64 --match '6\\.12\\.4[0-9]' --mirror URL`,
    )
    .action(async (o: FetchDebianCliOptions) => {
      const lib = await import('../../index.js');
      const result = await withProgress((onProgress) =>
        lib.fetchDebian({
          suite: o.suite,
          flavour: o.flavour,
          arch: o.arch,
          mirror: o.mirror,
          images: o.images === true,
          match: o.match === undefined ? undefined : regex(o.match, lib.UsageError),
          outDir: o.out,
          dryRun: o.dryRun === true,
          timeoutMs: seconds(o.timeout, lib.UsageError) * 1000,
          onProgress,
        }),
      );
      process.stdout.write(o.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : listing(result));
      process.stderr.write(`kabi: ${summary(result)}\n`);
    });
}

function regex(text: string, UsageError: Lib['UsageError']): RegExp {
  try {
    return new RegExp(text);
  } catch (e) {
    throw new UsageError(`--match ${text}: ${(e as Error).message}`);
  }
}

function seconds(text: string, UsageError: Lib['UsageError']): number {
  const n = Number(text);
  if (!(n > 0)) throw new UsageError(`--timeout ${text}: expected a number of seconds`);
  return n;
}

function listing(result: Result): string {
  return result.packages.map((p) => `${p.name}\t${p.version}\t${p.abi}\t${p.file}\n`).join('');
}

function summary(result: Result): string {
  const count = (status: string) => result.packages.filter((p) => p.status === status);
  const mib = (ps: Result['packages']) => (ps.reduce((n, p) => n + p.size, 0) / MiB).toFixed(1);
  const [downloaded, planned, present] = [count('downloaded'), count('planned'), count('present')];
  const parts = [
    `${result.packages.length} of ${result.indexed} packages in ${result.indexUrl}`,
    downloaded.length > 0 ? `${downloaded.length} downloaded (${mib(downloaded)} MiB)` : '',
    planned.length > 0 ? `dry run: ${planned.length} to download (${mib(planned)} MiB)` : '',
    present.length > 0 ? `${present.length} already present` : '',
    result.manifest === null ? '' : `manifest ${result.manifest}`,
  ];
  return parts.filter((p) => p !== '').join('; ');
}

type Progress = Parameters<NonNullable<Parameters<Lib['fetchDebian']>[0]['onProgress']>>[0];

/** A byte count on stderr while packages download: on a terminal only, never in pipes or CI. */
async function withProgress<T>(run: (onProgress: (e: Progress) => void) => Promise<T>): Promise<T> {
  if (!process.stderr.isTTY || process.env.CI) return run(() => {});
  const { SingleBar } = await cliProgress();
  const bar = new SingleBar({
    format: 'downloading {bar} {done}/{size} MiB, {files} packages',
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
    fps: 10,
  });
  let received = 0;
  let started = false;
  const onProgress = (e: Progress) => {
    if (e.type === 'plan' && e.files > 0) {
      const size = (e.bytes / MiB).toFixed(1);
      bar.start(e.bytes, 0, { done: '0.0', size, files: e.files });
      started = true;
    } else if (e.type === 'bytes' && started) {
      received += e.bytes;
      bar.update(received, { done: (received / MiB).toFixed(1) });
    }
  };
  try {
    return await run(onProgress);
  } finally {
    if (started) bar.stop();
  }
}
