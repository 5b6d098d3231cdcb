// Integers as text, the cheapest way either store hands back many numbers at once (SQLite's
// group_concat, PostgreSQL's string_agg): parsed in one pass, without an array per row.

/** Comma-separated integers (a minus sign allowed) into `count` numbers; fewer or more is an error. */
export function parseNumbers(text: string, count: number): Float64Array {
  const out = new Float64Array(count);
  if (count === 0) return out;
  let k = 0;
  let v = 0;
  let neg = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 44) {
      out[k++] = neg ? -v : v;
      v = 0;
      neg = false;
    } else if (c === 45) neg = true;
    else v = v * 10 + (c - 48);
  }
  out[k++] = neg ? -v : v;
  if (k !== count) throw new Error(`read ${k} numbers from the store, expected ${count}`);
  return out;
}
