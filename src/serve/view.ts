// What the server remembers between requests: loaded builds and computed results, valid for one state of
// the store. `kabi ingest` in another process changes that state; the server notices within `recheckMs`
// (it compares the entry list, which costs about a millisecond) and forgets everything it computed.
import { createHash } from 'node:crypto';
import type { EntryRecord, KernelBuild, ModuleImage, Store } from '../index.js';

const MAX_RESULTS = 48;
const MAX_BUILDS = 64;
/** Kmods whose modules are kept (a heatmap reads every stored kmod: at most LIMITS.kmods). */
const MAX_KMODS = 256;

export class StoreView {
  private gen = '';
  private checkedAt = Number.NEGATIVE_INFINITY;
  /** The store's entry list being read: callers meanwhile wait for it rather than read it again. */
  private checking: Promise<string> | null = null;
  private readonly results = new Map<string, Promise<unknown>>();
  private readonly builds = new Map<number, KernelBuild>();
  private readonly modules = new Map<number, ModuleImage[]>();

  /** Called after the store changed and everything computed was dropped (the server warms up again). */
  onReset: (() => void) | null = null;
  closed = false;

  constructor(
    readonly store: Store,
    private readonly recheckMs = 1000,
  ) {}

  /** A digest of the store's entries (ids, labels, sizes): it changes when anything is ingested or removed. */
  generation(): Promise<string> {
    if (this.checking) return this.checking;
    const now = performance.now();
    if (now - this.checkedAt < this.recheckMs) return Promise.resolve(this.gen);
    this.checkedAt = now;
    this.checking = this.recheck().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async recheck(): Promise<string> {
    const h = createHash('sha256');
    for (const e of await this.store.list())
      h.update(`${e.id}\0${e.kind}\0${e.sha256}\0${e.exports}\0${JSON.stringify(e.labels)}\n`);
    const gen = h.digest('base64url').slice(0, 16);
    if (gen !== this.gen) {
      const first = this.gen === '';
      this.gen = gen;
      this.results.clear();
      this.builds.clear();
      this.modules.clear();
      if (!first) this.onReset?.();
    }
    return gen;
  }

  /**
   * A result computed once per state of the store (least recently used ones are dropped). Requests that
   * ask while it is computed share the computation; a failure is not kept.
   */
  async memo<T>(key: string, compute: () => T | Promise<T>): Promise<T> {
    await this.generation();
    const hit = this.results.get(key) as Promise<T> | undefined;
    if (hit) {
      this.results.delete(key);
      this.results.set(key, hit);
      return hit;
    }
    const value = (async () => compute())();
    value.catch(() => {
      if (this.results.get(key) === value) this.results.delete(key);
    });
    this.results.set(key, value);
    if (this.results.size > MAX_RESULTS) this.results.delete(this.results.keys().next().value!);
    return value;
  }

  entries(query = ''): Promise<EntryRecord[]> {
    return this.memo(`entries\0${query}`, () => this.store.list(query));
  }

  /** Builds by entry id; the missing ones are loaded together, so they share their unchanged exports. */
  async loadBuilds(ids: number[]): Promise<KernelBuild[]> {
    await this.generation();
    const missing = [...new Set(ids.filter((id) => !this.builds.has(id)))];
    if (missing.length) {
      const loaded = await this.store.loadBuilds(missing);
      missing.forEach((id, i) => {
        this.builds.set(id, loaded[i]!);
      });
    }
    const out = ids.map((id) => {
      const b = this.builds.get(id)!;
      this.builds.delete(id);
      this.builds.set(id, b);
      return b;
    });
    while (this.builds.size > Math.max(MAX_BUILDS, ids.length))
      this.builds.delete(this.builds.keys().next().value!);
    return out;
  }

  async loadModules(id: number): Promise<ModuleImage[]> {
    await this.generation();
    let m = this.modules.get(id);
    if (!m) {
      m = await this.store.loadModules(id);
      this.modules.set(id, m);
      if (this.modules.size > MAX_KMODS) this.modules.delete(this.modules.keys().next().value!);
    }
    return m;
  }
}
