// Delta minimization (Zeller's ddmin, the simple form): remove chunks of halving size while the crash
// still reproduces, within a budget of runs and time. Good enough to cut a 100 KB module to the bytes
// that matter in a few hundred runs; the crash key (type + top frame) must stay the same.
export interface Budget {
  runs: number;
  ms: number;
}

export async function minimize(
  input: Uint8Array,
  reproduces: (candidate: Uint8Array) => Promise<boolean>,
  budget: Budget,
): Promise<Uint8Array> {
  const until = Date.now() + budget.ms;
  let left = budget.runs;
  let cur = input;
  let chunk = 2 ** Math.floor(Math.log2(Math.max(1, cur.length)));
  while (chunk >= 1) {
    let at = 0;
    while (at < cur.length) {
      if (left-- <= 0 || Date.now() > until) return cur;
      const candidate = new Uint8Array(cur.length - Math.min(chunk, cur.length - at));
      candidate.set(cur.subarray(0, at), 0);
      candidate.set(cur.subarray(at + chunk), at);
      if (await reproduces(candidate)) cur = candidate;
      else at += chunk;
    }
    chunk = Math.floor(chunk / 2);
  }
  return cur;
}
