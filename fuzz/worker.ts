// One target's fuzz loop, in a child process that the parent (main.ts) watches. Before each input the
// child writes it to the in-flight file, headed by its number and start time, so that when the parent
// kills the child for a hang or for memory, the input that did it is on disk. Errors that are not
// KabiError, inputs over the time limit and RSS over the limit are crashes: reported at once (with a
// minimized input) and counted, and the loop goes on.
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { KabiError } from '../src/index.js';
import { Coverage } from './coverage.js';
import { type Crash, crashOf } from './crash.js';
import { minimize } from './minimize.js';
import { mutate } from './mutate.js';
import { Rng, seedOf } from './rng.js';
import { fastTmp, scratchIn } from './target.js';
import { targetNamed } from './targets/index.js';

export interface WorkerConfig {
  target: string;
  runs: number;
  seconds: number;
  seed: number;
  coverage: boolean;
  timeoutMs: number;
  rssLimit: number;
  inflight: string;
  /** Replay these inputs instead of fuzzing. */
  replay?: string[];
  /** Seeds (by input number, from 1) that killed an earlier child: skipped, or each restart would stop there. */
  skipSeeds?: number[];
}

export type WorkerMessage =
  | { type: 'progress'; runs: number; corpus: number; blocks: number; peakRss: number; slowestMs: number }
  | ({ type: 'crash'; input: Uint8Array; minimized: Uint8Array } & Crash)
  | { type: 'done'; runs: number; corpus: number; blocks: number; peakRss: number; slowestMs: number };

const HEADER = 16;
/** Inputs between coverage takes (each take costs a few milliseconds). */
const BATCH = 64;
const CORPUS_MAX = 4000;
/** Collect garbage when RSS passes this (the child runs with --expose-gc). */
const GC_AT = 192 * 2 ** 20;
let gcAt = GC_AT;

const config = JSON.parse(process.argv[2]!) as WorkerConfig;
const send = (m: WorkerMessage) =>
  new Promise<void>((resolve) => process.send!(m, undefined, undefined, () => resolve()));

const target = targetNamed(config.target);
if (!target) throw new Error(`no target ${config.target}`);
const scratch = scratchIn(mkdtempSync(join(fastTmp(), `kabi-fuzz-${config.target}-`)));
const inflight = openSync(config.inflight, 'w');
const header = Buffer.alloc(HEADER);

let runs = 0;
let peakRss = 0;
let slowestMs = 0;
let asyncError: unknown = null;
const reported = new Set<string>();

process.on('unhandledRejection', (e) => {
  asyncError ??= e;
});
process.on('uncaughtException', (e) => {
  asyncError ??= e;
});

function markInflight(index: number, input: Uint8Array | null): void {
  header.writeUInt32LE(index >>> 0, 0);
  header.writeDoubleLE(input === null ? 0 : Date.now(), 8);
  if (input !== null) {
    header.writeUInt32LE(input.length, 4);
    writeSync(inflight, input, 0, input.length, HEADER);
  }
  writeSync(inflight, header, 0, HEADER, 0);
}

/** Runs one input; returns the crash it causes, or null when it returned or threw a typed error. */
async function runOne(input: Uint8Array): Promise<{ crash: Crash | null; ms: number }> {
  markInflight(runs, input);
  const t0 = performance.now();
  let error: unknown = null;
  try {
    const r = target!.run(input, scratch);
    if (r && typeof (r as Promise<unknown>).then === 'function') await r;
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - t0;
  markInflight(runs, null);
  if (error === null && asyncError !== null) {
    error = asyncError;
    asyncError = null;
  }
  if (error === null || error instanceof KabiError) return { crash: null, ms };
  return { crash: crashOf(error, 'error'), ms };
}

/**
 * RSS once garbage is collected: V8 frees the buffers of past inputs lazily, and thousands of 100 KB
 * inputs a second would otherwise read as a reader holding hundreds of megabytes.
 */
function liveRss(): number {
  const rss = process.memoryUsage.rss();
  if (rss < gcAt) return rss;
  globalThis.gc?.();
  const after = process.memoryUsage.rss();
  // What survives a collection is not collected again until the heap grows well past it.
  gcAt = Math.max(GC_AT, after + GC_AT / 2);
  return after;
}

async function exec(input: Uint8Array): Promise<void> {
  runs++;
  const { crash, ms } = await runOne(input);
  if (ms > slowestMs) slowestMs = ms;
  if (runs % 8 === 0 || ms > 20) peakRss = Math.max(peakRss, liveRss());
  if (crash) await report(crash, input);
  else if (ms > config.timeoutMs) {
    // Once more after a collection: a pause of the collector or a busy machine is not the reader's.
    globalThis.gc?.();
    const again = (await runOne(input)).ms;
    if (again > config.timeoutMs) {
      const message = `input took ${Math.round(ms)} ms, and ${Math.round(again)} ms again`;
      await report({ kind: 'slow', key: 'slow', message, stack: '' }, input);
    }
  } else if (peakRss > config.rssLimit && !reported.has('rss'))
    await report(
      {
        kind: 'rss',
        key: 'rss',
        message: `RSS ${Math.round(peakRss / 2 ** 20)} MB after this input`,
        stack: '',
      },
      input,
    );
}

async function report(crash: Crash, input: Uint8Array): Promise<void> {
  if (reported.has(crash.key)) return;
  reported.add(crash.key);
  let minimized = input;
  if (crash.kind === 'error') {
    minimized = await minimize(
      input,
      async (candidate) => (await runOne(candidate)).crash?.key === crash.key,
      {
        runs: 2000,
        ms: 10_000,
      },
    );
  }
  await send({ type: 'crash', input, minimized, ...crash });
}

const stats = (cov: Coverage | null) => ({
  runs,
  corpus: corpus.length,
  blocks: cov?.blocks ?? 0,
  peakRss,
  slowestMs,
});

let corpus: Uint8Array[] = [];

async function fuzz(): Promise<void> {
  const started = Date.now();
  await target!.setup?.(scratch);
  const seeds = await target!.seeds();
  const maxLength = target!.maxLength ?? 256 * 1024;
  corpus = seeds.map((s) => (s.length > maxLength ? s.subarray(0, maxLength) : s));
  const cov = config.coverage ? new Coverage('/dist/src/') : null;
  await cov?.start();
  const rng = new Rng(seedOf(config.target, config.seed));
  const opts = {
    text: target!.text ?? false,
    maxLength,
    dictionary: (target!.dictionary ?? []).map((w) => Buffer.from(w, 'latin1')),
  };
  // The seeds themselves must pass: they are real inputs.
  const skip = new Set(config.skipSeeds ?? []);
  for (const [i, s] of corpus.entries()) {
    if (skip.has(i + 1)) runs++;
    else await exec(s);
  }
  // Nor are they mutated: their mutants would mostly kill the child the same way.
  corpus = corpus.filter((_, i) => !skip.has(i + 1));
  if (corpus.length === 0) corpus = [new Uint8Array(0)];
  await cov?.take(true);
  const deadline = started + config.seconds * 1000;
  let batch: Uint8Array[] = [];
  let lastProgress = Date.now();
  while (runs < config.runs && Date.now() < deadline) {
    const input = mutate(rng, rng.pick(corpus), corpus, opts);
    await exec(input);
    if (cov) batch.push(input);
    if (cov && batch.length >= BATCH) {
      await learn(cov, batch, rng);
      batch = [];
    }
    if (runs % 32 === 0) {
      await new Promise(setImmediate); // let timers, IPC and rejection handlers run
      if (Date.now() - lastProgress > 1000) {
        void send({ type: 'progress', ...stats(cov) });
        lastProgress = Date.now();
      }
    }
  }
  await send({ type: 'done', ...stats(cov) });
}

/**
 * Keeps the inputs of a batch that reached blocks no earlier input reached, found by bisection: run one
 * half, take coverage, descend into the half that reached something new (a take costs 1–5 ms, an input
 * far less, so the batch's 64 inputs cost about 12 takes instead of 64).
 */
async function learn(cov: Coverage, batch: Uint8Array[], rng: Rng): Promise<void> {
  const fresh = await cov.take(false);
  if (fresh.size === 0) return;
  const search = async (inputs: Uint8Array[]): Promise<void> => {
    const mid = Math.ceil(inputs.length / 2);
    for (const half of [inputs.slice(0, mid), inputs.slice(mid)]) {
      if (half.length === 0 || fresh.size === 0) continue;
      for (const input of half) await runOne(input);
      const reached = await cov.take(false);
      if (![...reached].some((k) => fresh.has(k))) continue;
      if (half.length > 1) {
        await search(half);
        continue;
      }
      for (const k of reached) fresh.delete(k);
      cov.commit(reached);
      if (corpus.length < CORPUS_MAX) corpus.push(half[0]!);
      else corpus[rng.below(corpus.length)] = half[0]!;
    }
  };
  await search(batch);
}

async function replay(paths: string[]): Promise<void> {
  const { readFileSync } = await import('node:fs');
  await target!.setup?.(scratch);
  for (const p of paths) await exec(readFileSync(p));
  await send({ type: 'done', ...stats(null) });
}

try {
  await (config.replay ? replay(config.replay) : fuzz());
  await target.teardown?.();
} catch (e) {
  // A fault of the harness itself, not of a reader: say so and stop.
  process.stderr.write(`fuzz worker (${config.target}) failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 70;
} finally {
  closeSync(inflight);
  rmSync(scratch.dir, { recursive: true, force: true });
}
process.exit();
