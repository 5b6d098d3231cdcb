// Query parameters, checked before anything reads the store: strings are capped in length, numbers in
// range, and a parameter given twice is an error rather than a guess.

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export type Query = Record<string, unknown>;

export const LIMITS = {
  /** The whole request target (path + query string). */
  url: 2048,
  /** A label query, a store REF, a glob. */
  text: 512,
  /** A change page. */
  pageSize: 1000,
  /** Builds in one series (each costs a comparison per step and drift point). */
  seriesBuilds: 400,
  /** Kmod entries in one heatmap. */
  kmods: 200,
} as const;

export function text(q: Query, name: string, fallback = ''): string {
  const v = q[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new HttpError(400, `parameter ${name}: give it once`);
  if (v.length > LIMITS.text) throw new HttpError(400, `parameter ${name}: longer than ${LIMITS.text}`);
  return v;
}

export function required(q: Query, name: string): string {
  const v = text(q, name);
  if (v === '') throw new HttpError(400, `parameter ${name} is required`);
  return v;
}

export function int(q: Query, name: string, fallback: number, min: number, max: number): number {
  const v = text(q, name);
  if (v === '') return fallback;
  if (!/^\d{1,9}$/.test(v)) throw new HttpError(400, `parameter ${name}: expected a whole number`);
  const n = Number(v);
  if (n < min || n > max) throw new HttpError(400, `parameter ${name}: expected ${min}..${max}`);
  return n;
}

/** A comma-separated list of allowed words (`kind=removed,crc-changed`). */
export function words<T extends string>(q: Query, name: string, allowed: readonly T[]): T[] {
  const v = text(q, name);
  if (v === '') return [];
  const out = v.split(',').filter(Boolean);
  for (const w of out)
    if (!(allowed as readonly string[]).includes(w))
      throw new HttpError(400, `parameter ${name}: "${w}" is not one of ${allowed.join(', ')}`);
  return out as T[];
}
