// The quick entry: `kabi diff A B` of two plain (or xz) files, `kabi modversions DIR|FILE` and `kabi modinfo [-F
// FIELD] FILE` as text, taken before the whole CLI loads. bin/kabi.js requires its bundle (dist/cli/quick.cjs, CommonJS: no ES module loader
// at start) when argv names one of them; without commander, main.ts and its ~200 KB, those commands start
// in a few milliseconds. The same command, options and output as main.ts gives: anything this file does not
// recognise (another option, --help, a store ref, colours, Markdown, an input the fast paths decline) is
// handed to main.ts before a byte is written; an error after that is reported by main.ts's reportError.
import { fstatSync, type Stats, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { quietOnEpipe, terminalSafe, writeReport } from './sink.js';

/** What bin/kabi.js gives: the whole CLI (dist/cli/main.js), loaded only when needed. */
export interface Cli {
  main(argv: string[]): Promise<number>;
  reportError(err: unknown): Promise<number>;
}

/** The option names this entry takes, each with whether it takes a value. */
const DIFF_OPTIONS: Record<string, boolean> = {
  '-f': true,
  '--format': true,
  '--all': false,
  '--limit': true,
  '-o': true,
  '--output': true,
  '--no-color': false,
  '--exit-code': false,
};
const MODVERSIONS_OPTIONS: Record<string, boolean> = {
  '-f': true,
  '--format': true,
  '-o': true,
  '--output': true,
};
const MODINFO_OPTIONS: Record<string, boolean> = {
  '-f': true,
  '--format': true,
  '-F': true,
  '--field': true,
  '-o': true,
  '--output': true,
};
const LONG: Record<string, string> = { '-f': '--format', '-o': '--output', '-F': '--field' };

/**
 * argv after the command as commander reads these options (the last of a repeated one wins); null for
 * anything else: an unknown option, a value that is empty or starts with `-`, `--`.
 */
function parse(
  args: string[],
  known: Record<string, boolean>,
): { positional: string[]; options: Map<string, string | true> } | null {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '') return null;
    if (!arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const takes = known[name];
    if (takes === undefined) return null;
    let value: string | true = true;
    if (takes) {
      value = eq > 0 ? arg.slice(eq + 1) : (args[++i] ?? '');
      if (value === '' || value.startsWith('-')) return null;
    } else if (eq > 0) return null;
    options.set(LONG[name] ?? name, value);
  }
  return { positional, options };
}

/** The command's exit code, or the whole CLI's when this entry does not take argv. */
export async function run(argv: string[], load: () => Promise<Cli>): Promise<number> {
  let started = false;
  try {
    const start = () => {
      started = true;
    };
    const command = argv[2];
    const code =
      command === 'diff'
        ? await diff(argv.slice(3), start)
        : command === 'modversions'
          ? await modversions(argv.slice(3), start)
          : command === 'modinfo'
            ? await modinfo(argv.slice(3), start)
            : null;
    if (code !== null) return code;
  } catch (err) {
    if (started) return (await load()).reportError(err);
  }
  return (await load()).main(argv);
}

async function diff(args: string[], start: () => void): Promise<number | null> {
  const p = parse(args, DIFF_OPTIONS);
  if (p === null || p.positional.length !== 2) return null;
  const [oldPath, newPath] = p.positional as [string, string];
  const o = p.options;
  const format = o.get('--format') ?? 'text';
  if (format !== 'json' && format !== 'text') return null;
  const output = o.get('--output') as string | undefined;
  // renderOptions (output.ts): colours on a terminal unless --no-color, -o or NO_COLOR; the command's own path then.
  if (!o.has('--no-color') && output === undefined && stdoutIsTerminal() && !process.env.NO_COLOR)
    return null;
  if (!isFile(oldPath) || !isFile(newPath)) return null;
  const limit = Number.parseInt((o.get('--limit') as string | undefined) ?? '50', 10);
  const { wasmTableDiff } = await import('./wasm-diff.js');
  return await wasmTableDiff(oldPath, newPath, {
    format,
    limit: o.has('--all') || !Number.isFinite(limit) ? null : limit,
    output,
    exitCode: o.has('--exit-code'),
    onStart: start,
  });
}

async function modversions(args: string[], start: () => void): Promise<number | null> {
  const p = parse(args, MODVERSIONS_OPTIONS);
  if (p === null || p.positional.length !== 1 || (p.options.get('--format') ?? 'text') !== 'text')
    return null;
  const [dir] = p.positional as [string];
  if (isFile(dir)) return moduleModversions(dir, p.options.get('--output') as string | undefined, start);
  if (!isDirectory(dir)) return null;
  const { writeTreeModversions, sniffTree } = await import('./modversions-tree.js');
  const tree = await sniffTree(dir);
  if (tree === null) return null;
  quietOnEpipe();
  start();
  return writeTreeModversions(tree, [dir], p.options.get('--output') as string | undefined);
}

/** `modversions FILE` of one module (commands/modversions.ts's text path); null for another kind of file. */
async function moduleModversions(
  path: string,
  output: string | undefined,
  start: () => void,
): Promise<number | null> {
  if (colours(output)) return null;
  const { sniffModule, moduleModversionsText } = await import('./module-file.js');
  // A file that is not one module (a package, a symvers table, no ELF) goes to main.ts, which reads it
  // again and says what it is.
  const artifact = await sniffModule(path);
  if (artifact === null) return null;
  start();
  await writeReport(terminalSafe(moduleModversionsText(artifact, path), false), output);
  return 0;
}

/** `modinfo [-F FIELD] FILE` as text (commands/modinfo.ts). */
async function modinfo(args: string[], start: () => void): Promise<number | null> {
  const p = parse(args, MODINFO_OPTIONS);
  if (p === null || p.positional.length !== 1 || (p.options.get('--format') ?? 'text') !== 'text')
    return null;
  const [path] = p.positional as [string];
  const output = p.options.get('--output') as string | undefined;
  if (!isFile(path) || colours(output)) return null;
  const { moduleModinfoText } = await import('./module-file.js');
  // From here an error (not an ELF, a cut file) is main.ts's to report, as its modinfo would.
  start();
  const text = await moduleModinfoText(path, p.options.get('--field') as string | undefined);
  await writeReport(terminalSafe(text, false), output);
  return 0;
}

/**
 * Whether output.ts's renderOptions would keep colours (stdout a terminal, no -o, no NO_COLOR): then its
 * terminalSafe keeps SGR sequences; these commands leave that case to main.ts.
 */
function colours(output: string | undefined): boolean {
  return !output && stdoutIsTerminal() && !process.env.NO_COLOR;
}

/**
 * isatty(1), asking node:tty only of a character device that is not /dev/null: node:tty loads node:net
 * and node:stream (~2–3 ms of a 20 ms diff), and a terminal is always a character device, never
 * /dev/null. A pipe, a file or /dev/null (a bench's stdout) is answered by fstat alone.
 */
function stdoutIsTerminal(): boolean {
  const out = statOf(() => fstatSync(1));
  if (out === null || !out.isCharacterDevice()) return false;
  const nul = statOf(() => statSync('/dev/null'));
  if (nul?.isCharacterDevice() && nul.rdev === out.rdev) return false;
  return (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(1);
}

function statOf(stat: () => Stats): Stats | null {
  try {
    return stat();
  } catch {
    return null; // a closed stdout is no terminal, as isatty says
  }
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
