// Counts as the pages print them. Plain TypeScript without imports: test/serve/format.test.ts checks it
// under node against Intl.

/**
 * A count with thousands separators, as `n.toLocaleString('en-US')` writes it. Integers are grouped here:
 * the first Intl number format a page makes loads ICU's locale data, 20–65 ms of chromium's main thread
 * measured here, before the series page's first figure. Other numbers still go through Intl.
 */
export function fmt(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}
