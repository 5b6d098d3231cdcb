import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import type { WatchEvent } from '../../index.js';
import type { CommandState } from '../output.js';
import { openStoreAt } from '../store.js';

interface WatchCliOptions {
  policy: string;
  modules?: string[];
  interval: string;
  once?: boolean;
  onBreak?: string;
  format: 'text' | 'json';
  serve?: string;
  downloads?: string;
  keep?: boolean;
  timeout: string;
  retries: string;
  keyring?: string[];
  lease: string;
}

type Lib = typeof import('../../index.js');

export function registerWatch(program: Command, state: CommandState): void {
  program
    .command('watch')
    .description(
      'poll repositories for new kernel builds: download, verify, ingest, gate against the stream’s last release, judge the module corpus',
    )
    .argument(
      '<source...>',
      'deb:URL?suite=S&arch=A[&component=C][&flavour=F][&images=1], rpm:URL[?match=RE], dir:PATH or a directory',
    )
    .requiredOption(
      '-p, --policy <file>',
      'the gate’s policy (SUSE severities, Debian ignore-changes, kabi policy)',
    )
    .option(
      '-m, --modules <corpus...>',
      'modules to judge on each new kernel (.ko, directories, kmod packages)',
    )
    .option('--interval <duration>', 'time between rounds: 90s, 10m, 1h', '10m')
    .option('--once', 'one round, then exit with its code (cron, CI)')
    .option('--on-break <cmd>', 'run with each breaking result (JSON on stdin, KABI_* variables): sh -c CMD')
    .addOption(new Option('-f, --format <format>', 'event format').choices(['text', 'json']).default('text'))
    .option('--serve <port>', 'also serve the dashboard, with new builds as they arrive, on 127.0.0.1:PORT')
    .option('--downloads <dir>', 'where packages are downloaded (default ~/.cache/kabi-tracker/watch)')
    .option('--keep', 'keep downloaded packages after ingesting them')
    .option('--timeout <seconds>', 'give up on a request after this long without data', '60')
    .option('--retries <n>', 'attempts after a failed request (with backoff)', '3')
    .option(
      '--keyring <file>',
      'trust a Debian source’s InRelease only if signed by a key of FILE (gpgv; repeatable)',
      (v: string, all: string[] | undefined) => [...(all ?? []), v],
    )
    .option(
      '--lease <duration>',
      'how long a claim on a package holds unless renewed (several watchers)',
      '10m',
    )
    .addHelpText(
      'after',
      `
Each event is a line: text, or with --format json one JSON object (schema/watch-event.schema.json).
What has been seen is kept in the store (--db): a restarted watch does not report a build again.
Several watchers may share one store: each package is claimed before it is downloaded, and reported once.
Exit code of --once: 0, or the or of 1 (a source or package failed), 4 (ABI changed), 8 (a break).
Examples:
  kabi watch 'deb:https://deb.debian.org/debian?suite=bookworm&arch=amd64' --policy kabi.policy --once
  kabi watch rpm:https://repo.almalinux.org/almalinux/9/BaseOS/x86_64/os --policy p --interval 1h
  kabi watch incoming/ --policy p --modules kmods/ --on-break 'mail -s "kABI break" team@example.org'`,
    )
    .action(async (sources: string[], o: WatchCliOptions, cmd: Command) => {
      const lib = await import('../../index.js');
      const { existsSync, statSync } = await import('node:fs');
      const parsed = sources.map((s) => lib.parseWatchSource(s, existsSync(s) && statSync(s).isDirectory()));
      const intervalMs = duration(lib, '--interval', o.interval);
      const leaseMs = duration(lib, '--lease', o.lease);
      const keyrings = await readableKeyrings(lib, o.keyring ?? []);
      const policy = await lib.loadPolicy({ policyPath: o.policy });
      const modules = o.modules === undefined ? null : await readCorpus(lib, o.modules);
      const path = lib.defaultStorePath(cmd.optsWithGlobals().db as string | undefined);
      const store = await openStoreAt(path, { write: true });
      const server = o.serve === undefined ? null : await serve(lib, store, o.serve);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        for (;;) {
          const round = await lib.watchRound(store, {
            sources: parsed,
            policy,
            modules,
            downloadDir:
              o.downloads ??
              join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kabi-tracker', 'watch'),
            keep: o.keep === true,
            timeoutMs: positive(lib, '--timeout', o.timeout) * 1000,
            retries: Math.trunc(positive(lib, '--retries', o.retries, true)),
            signal: stop.signal,
            keyrings,
            leaseMs,
            onNote: (text) => process.stderr.write(`kabi watch: ${lib.printable(text)}\n`),
            onEvent: async (e) => {
              process.stdout.write(o.format === 'json' ? `${JSON.stringify(e)}\n` : lib.watchEventText(e));
              if (o.onBreak !== undefined && isBreak(e)) await runOnBreak(o.onBreak, e);
            },
          });
          state.exitCode = round.exitCode;
          if (o.once || stop.signal.aborted) break;
          await sleep(intervalMs, stop.signal);
          if (stop.signal.aborted) break;
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await server?.close();
        await store.close();
      }
    });
}

/** A break: the gate says incompatible, or a module of the corpus does not load. */
const isBreak = (e: WatchEvent) => e.type === 'build' && (e.exitCode & 8) !== 0;

/** `sh -c CMD` with the event as JSON on stdin and its essentials in KABI_* variables; waited for. */
function runOnBreak(cmd: string, e: WatchEvent): Promise<void> {
  const env = {
    ...process.env,
    KABI_SOURCE: e.source,
    KABI_PACKAGE: e.package?.name ?? '',
    KABI_VERSION: e.package?.version ?? '',
    KABI_ENTRY: String(e.entry?.id ?? ''),
    KABI_BASELINE: String(e.baseline?.id ?? ''),
    KABI_VERDICT: e.gate?.verdict ?? '',
    KABI_COMPAT_FAILS: String(e.compat?.fails ?? 0),
    KABI_EXIT_CODE: String(e.exitCode),
  };
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', cmd], { env, stdio: ['pipe', 'inherit', 'inherit'] });
    child.on('error', (err) => {
      process.stderr.write(`kabi: --on-break: ${err.message}\n`);
      resolve();
    });
    child.on('close', (code) => {
      if (code !== 0) process.stderr.write(`kabi: --on-break exited with ${code}\n`);
      resolve();
    });
    child.stdin.on('error', () => {});
    child.stdin.end(`${JSON.stringify(e)}\n`);
  });
}

async function readCorpus(lib: Lib, paths: string[]) {
  const artifacts = [];
  for (const p of paths)
    artifacts.push(await lib.sniffArtifact(p, { what: 'modules, or a package or directory of them' }));
  const corpus = await lib.readModuleCorpus(artifacts);
  for (const p of corpus.problems) process.stderr.write(`kabi: warning: ${p.path}: not read: ${p.reason}\n`);
  lib.requireSome(
    corpus.modules.length,
    paths.join(' '),
    'kernel modules',
    '.ko files, directories or kmod packages',
  );
  return corpus.modules;
}

async function serve(lib: Lib, store: import('../../index.js').Store, port: string) {
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535)
    throw new lib.UsageError(`--serve ${port}: expected 0..65535`);
  const { startServer } = await import('../../serve/index.js');
  const server = await startServer({ store, host: '127.0.0.1', port: Number(port) });
  process.stderr.write(`kabi watch: dashboard at ${server.url} (new builds at /api/events)\n`);
  return server;
}

/** The keyrings as absolute paths (gpgv looks a bare name up in its home), each one readable. */
async function readableKeyrings(lib: Lib, files: string[]): Promise<string[]> {
  const { accessSync, constants } = await import('node:fs');
  const { resolve } = await import('node:path');
  return files.map((f) => {
    try {
      accessSync(f, constants.R_OK);
    } catch (e) {
      throw new lib.UsageError(`--keyring ${f}: cannot read it (${(e as NodeJS.ErrnoException).code})`);
    }
    return resolve(f);
  });
}

function duration(lib: Lib, flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text);
  if (m === null || Number(m[1]) <= 0) throw new lib.UsageError(`${flag} ${text}: expected 90s, 10m, 1h`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
}

function positive(lib: Lib, flag: string, text: string, zero = false): number {
  const n = Number(text);
  if (!(n > 0 || (zero && n === 0))) throw new lib.UsageError(`${flag} ${text}: expected a number`);
  return n;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
