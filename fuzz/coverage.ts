// Coverage guidance from V8 itself: the inspector's precise block coverage (what `c8` and `node
// --experimental-test-coverage` read), taken in-process. Counters reset at each take, so a take after a
// batch of inputs says which blocks of the project's own code (dist/src) that batch reached; when the
// batch reached a block never seen before, its inputs are replayed one by one to find which to keep.
import { Session } from 'node:inspector';

interface Range {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface ScriptCoverage {
  scriptId: string;
  url: string;
  functions: { ranges: Range[] }[];
}

export class Coverage {
  private readonly session = new Session();
  private readonly seen = new Set<string>();

  constructor(private readonly only: string) {}

  private post<T>(method: string, params?: object): Promise<T> {
    return new Promise((resolve, reject) =>
      this.session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))),
    );
  }

  async start(): Promise<void> {
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  }

  /** Blocks reached since the last take that were never seen; `commit` adds them to the seen set. */
  async take(commit: boolean): Promise<Set<string>> {
    const { result } = await this.post<{ result: ScriptCoverage[] }>('Profiler.takePreciseCoverage');
    const fresh = new Set<string>();
    for (const script of result) {
      if (!script.url.includes(this.only)) continue;
      for (const fn of script.functions)
        for (const r of fn.ranges) {
          if (r.count === 0) continue;
          const key = `${script.url}:${r.startOffset}:${r.endOffset}`;
          if (!this.seen.has(key)) fresh.add(key);
        }
    }
    if (commit) for (const k of fresh) this.seen.add(k);
    return fresh;
  }

  commit(keys: Iterable<string>): void {
    for (const k of keys) this.seen.add(k);
  }

  get blocks(): number {
    return this.seen.size;
  }
}
