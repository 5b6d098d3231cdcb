// Coverage guidance from V8 itself: the inspector's precise block coverage (what `c8` and `node
// --experimental-test-coverage` read), taken in-process. Counters reset at each take, so a take after a
// batch of inputs says which blocks of the project's own code (dist/src) that batch reached; when the
// batch reached a block never seen before, its inputs are replayed one by one to find which to keep.
//
// V8 reports a block only where its count differs from the enclosing range's, so a block that ran as
// often as its function is not listed and one that did not run is listed with count 0. A key is
// therefore a range with its count in AFL's buckets (0, 1, 2, 3, 4–7, ... 128+): a branch newly skipped
// is news as much as one newly taken, and so is a loop that ran 8 times where it always ran once.
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

function bucket(count: number): number {
  if (count < 4) return count;
  return Math.min(8, 2 + Math.floor(Math.log2(count)));
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
      for (const fn of script.functions) {
        if (fn.ranges[0]?.count === 0) continue; // not called
        for (const r of fn.ranges) {
          const key = `${script.url}:${r.startOffset}:${r.endOffset}:${bucket(r.count)}`;
          if (!this.seen.has(key)) fresh.add(key);
        }
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
