// One round of `kabi watch`: for each source, what is new since the last round (its state in the store),
// downloaded and verified, ingested (one transaction per package), gated against the stream's last
// release and judged for the module corpus. A layer of its own above fetch, ingest, store and analysis:
// the only place that joins them. A source that fails is an event, and the next source goes on; a
// package that fails to download is an event, not recorded, and tried again next round.
//
// Several watchers may share one store (CI workers on several machines). Each new package is claimed in
// the store before it is downloaded: one watcher handles it, the others leave it (and look again next
// round). The claim is a lease, renewed while the package is handled; a watcher killed mid-round holds it
// only until the lease runs out, then another takes it over. The package's record (`completeWatch`) is
// written once, and only the watcher that writes it reports the event: each build is reported once.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { compareBuilds, type DiffReport } from '../analysis/check.js';
import { type CompatTarget, moduleName, modulesOfBuild, moduleVerdicts } from '../analysis/module-compat.js';
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
import type { Store, WatchSeen } from '../store/store.js';

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
  /** Called with what is worth saying but is no event (stderr): a package left to another watcher. */
  onNote?: (text: string) => void;
  /**
   * OpenPGP keyrings a Debian source's InRelease must be signed by (checked with gpgv); none: signatures
   * are not checked, and the round says so once.
   */
  keyrings?: readonly string[];
  /** Who claims packages in the store: default this process (host, pid and a random tag). */
  holder?: string;
  /** How long a claim holds unless renewed; default 10 minutes. It is renewed every third of it. */
  leaseMs?: number;
}

let processHolder: string | undefined;
/** This process as a claim holder: unique across processes and machines, readable in a note. */
const thisProcess = () => {
  processHolder ??= `${hostname()} pid ${process.pid} ${randomBytes(4).toString('hex')}`;
  return processHolder;
};

const DEFAULT_LEASE_MS = 10 * 60_000;

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
  if (!o.keyrings?.length && o.sources.some((s) => s.kind === 'deb'))
    o.onNote?.('InRelease signatures are not checked (no --keyring): trust comes from the transport only');
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
  const holder = o.holder ?? thisProcess();
  const leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
  for (const c of fresh) {
    const pkg: WatchPackage = { name: c.name, version: c.version, key: c.key, from: c.url ?? c.path ?? '' };
    const claim = await store.claimWatch(source.id, c.key, holder, leaseMs);
    if (claim.state === 'seen') continue;
    if (claim.state === 'held') {
      // Left to the watcher that has it; looked for again next round (the validators are not kept).
      allHandled = false;
      o.onNote?.(`${source.id}: ${shown(c)}: being handled by ${claim.holder} (lease until ${claim.until})`);
      continue;
    }
    if (claim.from !== null)
      o.onNote?.(`${source.id}: ${shown(c)}: taken over from ${claim.from}, whose lease ran out`);
    const lease = renewing(store, source.id, c.key, holder, leaseMs);
    try {
      if (!(await handleClaimed(store, source, c, pkg, dir, o, report, lease))) allHandled = false;
    } finally {
      await lease.stop();
    }
  }
  // The validators are kept only once every package they cover is handled: a failed download is
  // looked for again next round even if the index has not changed.
  if (allHandled && poll.validators !== null) await store.recordWatch(source.id, [], poll.validators);
}

/**
 * A claimed package downloaded, ingested and judged; its event reported if this watcher is the one that
 * records it. false when it is to be tried again next round (its claim is then given up).
 */
async function handleClaimed(
  store: Store,
  source: WatchSource,
  c: WatchCandidate,
  pkg: WatchPackage,
  dir: string,
  o: WatchRoundOptions,
  report: (e: WatchEvent) => Promise<void>,
  lease: Lease,
): Promise<boolean> {
  const release = async (event: WatchEvent) => {
    await lease.stop();
    await store.releaseWatch(source.id, c.key, lease.holder);
    await report(event);
    return false;
  };
  const complete = async (event: WatchEvent, outcome: WatchSeen['outcome']) => {
    const seen = { key: c.key, name: c.name, outcome, entry: event.entry?.id ?? null };
    if (await store.completeWatch(source.id, { ...seen, event: JSON.stringify(event) })) await report(event);
    return true;
  };
  let file: string;
  try {
    file = await obtain(c, dir, o);
  } catch (e) {
    return release(failureEvent('download-failed', source.id, pkg, messageOf(e)));
  }
  try {
    return await complete(await handle(store, source.id, pkg, file, o), 'ingested');
  } catch (e) {
    const event = failureEvent('rejected', source.id, pkg, messageOf(e));
    // Verified bytes that are not a readable build stay so: recorded, never tried again. Anything else
    // (a full disk, a locked store) is tried again next round.
    const unreadable = e instanceof ArtifactFormatError || e instanceof NothingToJudgeError;
    return unreadable ? complete(event, 'rejected') : release(event);
  } finally {
    if (c.url !== null && !o.keep) await rm(file, { force: true });
  }
}

interface Lease {
  holder: string;
  /** Stops renewing, once the renewal under way (if any) has ended. */
  stop(): Promise<void>;
}

/** Renews a claim every third of its lease while the package is handled (a slow download, a big ingest). */
function renewing(store: Store, source: string, key: string, holder: string, leaseMs: number): Lease {
  let pending: Promise<unknown> = Promise.resolve();
  const timer = setInterval(
    () => {
      // A renewal that fails (the store busy) is tried at the next tick; the lease has two left.
      pending = store.claimWatch(source, key, holder, leaseMs).catch(() => undefined);
    },
    Math.max(1, Math.floor(leaseMs / 3)),
  );
  timer.unref();
  return {
    holder,
    async stop() {
      clearInterval(timer);
      await pending;
    },
  };
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
  const { entry, created } = await ingestArtifact(store, file);
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

const shown = (c: WatchCandidate) => (c.version ? `${c.name} ${c.version}` : c.name);

function messageOf(e: unknown): string {
  return e instanceof KabiError || e instanceof Error ? e.message : String(e);
}
