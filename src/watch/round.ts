// One round of `kabi watch`: for each source, what is new since the last round (its state in the store),
// downloaded and verified, ingested (one transaction per package), gated against the stream's last
// release and judged for the module corpus. A layer of its own above fetch, ingest, store and analysis:
// the only place that joins them. A source that fails is an event, and the next source goes on; a
// package that fails to download is an event, not recorded, and tried again next round.
import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { compareBuilds, type DiffReport } from '../analysis/check.js';
import { type CompatTarget, moduleName, modulesOfBuild, moduleVerdicts } from '../analysis/module-compat.js';
import { kernelTypeDigest } from '../analysis/type-digest.js';
import {
  buildEvent,
  failureEvent,
  streamBaseline,
  type WatchEvent,
  type WatchPackage,
} from '../analysis/watch-round.js';
import { ArtifactFormatError, KabiError, NothingToJudgeError } from '../errors.js';
import { downloadResumable, hashFile, type RetryOptions } from '../fetch/resumable.js';
import type { WatchCandidate, WatchSource } from '../fetch/watch-sources.js';
import { ingestArtifact } from '../ingest/ingest.js';
import type { EntryRecord } from '../model/entry.js';
import { labelOf } from '../model/labels.js';
import { LOADER_LABEL, parseLoaderLabel } from '../model/loader-profile.js';
import type { ModuleImage } from '../model/module-image.js';
import type { Policy } from '../model/policy.js';
import type { Verdict } from '../model/verdict.js';
import type { Store } from '../store/store.js';

export interface WatchRoundOptions extends RetryOptions {
  sources: WatchSource[];
  policy: Policy;
  /** The module corpus judged on each new kernel; null: no compat. */
  modules: ModuleImage[] | null;
  /** Where downloads go (a directory per source); each file is removed once handled unless `keep`. */
  downloadDir: string;
  keep?: boolean;
  /** Called with each event as it happens (stdout, --on-break, the dashboard). */
  onEvent?: (event: WatchEvent) => void | Promise<void>;
}

export interface WatchRoundResult {
  events: WatchEvent[];
  /** The events' exit codes or'ed: 1 a failure, 4 an ABI change, 8 incompatible or a module fails. */
  exitCode: number;
}

export async function watchRound(store: Store, o: WatchRoundOptions): Promise<WatchRoundResult> {
  const events: WatchEvent[] = [];
  const report = async (e: WatchEvent) => {
    events.push(e);
    await o.onEvent?.(e);
  };
  for (const source of o.sources) {
    try {
      await watchSource(store, source, o, report);
    } catch (e) {
      await report(failureEvent('source-failed', source.id, null, messageOf(e)));
    }
  }
  return { events, exitCode: events.reduce((n, e) => n | e.exitCode, 0) };
}

async function watchSource(
  store: Store,
  source: WatchSource,
  o: WatchRoundOptions,
  report: (e: WatchEvent) => Promise<void>,
): Promise<void> {
  const state = await store.watchState(source.id);
  const poll = await source.poll(state.validators, o);
  if (!poll.changed) return;
  const fresh = poll.candidates.filter((c) => !state.seen.has(c.key));
  const dir = join(o.downloadDir, createHash('sha256').update(source.id).digest('hex').slice(0, 16));
  let allHandled = true;
  for (const c of fresh) {
    const pkg: WatchPackage = { name: c.name, version: c.version, key: c.key, from: c.url ?? c.path ?? '' };
    let file: string;
    try {
      file = await obtain(c, dir, o);
    } catch (e) {
      allHandled = false;
      await report(failureEvent('download-failed', source.id, pkg, messageOf(e)));
      continue;
    }
    try {
      const event = await handle(store, source.id, pkg, file, o);
      await store.recordWatch(source.id, [
        {
          key: c.key,
          name: c.name,
          outcome: 'ingested',
          entry: event.entry?.id ?? null,
          event: JSON.stringify(event),
        },
      ]);
      await report(event);
    } catch (e) {
      const unreadable = e instanceof ArtifactFormatError || e instanceof NothingToJudgeError;
      const event = failureEvent('rejected', source.id, pkg, messageOf(e));
      // Verified bytes that are not a readable build stay so: recorded, never tried again. Anything else
      // (a full disk, a locked store) is tried again next round.
      if (unreadable)
        await store.recordWatch(source.id, [
          { key: c.key, name: c.name, outcome: 'rejected', entry: null, event: JSON.stringify(event) },
        ]);
      else allHandled = false;
      await report(event);
    } finally {
      if (c.url !== null && !o.keep) await rm(file, { force: true });
    }
  }
  // The validators are kept only once every package they cover is handled: a failed download is
  // looked for again next round even if the index has not changed.
  if (allHandled && poll.validators !== null) await store.recordWatch(source.id, [], poll.validators);
}

/** The candidate as a local file: itself, or downloaded (resumed, verified) into `dir`. */
async function obtain(c: WatchCandidate, dir: string, o: WatchRoundOptions): Promise<string> {
  if (c.path !== null) return c.path;
  await mkdir(dir, { recursive: true });
  const dest = join(dir, c.fileName);
  const want = { size: c.size, ...(c.checksum ?? { algorithm: 'sha256', hex: '' }) };
  // Kept from an earlier round (--keep), or fetched by `kabi fetch` into the same place.
  const present = await hashFile(dest, want.algorithm).catch(() => null);
  if (present !== want.hex) await downloadResumable(c.url!, dest, want, o);
  return dest;
}

async function handle(
  store: Store,
  source: string,
  pkg: WatchPackage,
  file: string,
  o: WatchRoundOptions,
): Promise<WatchEvent> {
  const { entry, created } = await ingestArtifact(store, file, { typeDigest: kernelTypeDigest });
  if (entry.kind !== 'kernel')
    return buildEvent({ source, pkg, entry, created, baseline: null, report: null, verdicts: null });
  const baseline = streamBaseline(entry, await store.list(''));
  const [build, old] = await store.loadBuilds(baseline === null ? [entry.id] : [entry.id, baseline.id]);
  // The build is stored whatever the judging says: a gate or compat that cannot judge it (two builds
  // that share nothing to compare) is said in the event, never a rejected package.
  const problems: string[] = [];
  let report: DiffReport | null = null;
  try {
    if (old !== undefined) report = compareBuilds(old, build!, { policy: o.policy });
  } catch (e) {
    problems.push(`not gated: ${messageOf(e)}`);
  }
  let verdicts: Verdict[] | null = null;
  try {
    if (o.modules !== null) {
      const names = await store.loadModuleNames(entry.id);
      verdicts = moduleVerdicts(o.modules, storedTarget(entry, build!, names), { kernelModules: true });
    }
  } catch (e) {
    problems.push(`compat not judged: ${messageOf(e)}`);
  }
  const event = buildEvent({ source, pkg, entry, created, baseline, report, verdicts });
  if (problems.length === 0) return event;
  return { ...event, message: problems.join('; '), exitCode: event.exitCode | 1 };
}

/** A stored kernel as the loader sees it (as `kabi compat -k REF` reads one). */
function storedTarget(
  entry: EntryRecord,
  build: Parameters<typeof modulesOfBuild>[0],
  names: { modules: string[]; builtin: string[] },
): CompatTarget {
  const modules = new Set([...names.modules, ...names.builtin].map(moduleName));
  const label = labelOf(build.labels, LOADER_LABEL);
  return {
    name: labelOf(entry.labels, 'uname') ?? labelOf(entry.labels, 'release') ?? `entry ${entry.id}`,
    build,
    vermagic: labelOf(build.labels, 'vermagic') ?? null,
    modules: modules.size ? modules : modulesOfBuild(build),
    profile: label === undefined ? null : parseLoaderLabel(label, `${build.source} (loader label)`),
  };
}

function messageOf(e: unknown): string {
  return e instanceof KabiError || e instanceof Error ? e.message : String(e);
}
