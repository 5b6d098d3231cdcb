// What `kabi stablelist generate` wrote and what changed from the previous reference.
import type { GeneratedReference } from '../analysis/stablelist-generate.js';
import { textSafe } from './series-format.js';

export interface StablelistGenerateJson {
  build: string;
  list: string;
  format: string;
  /** Where the reference was written; null: standard output. */
  output: string | null;
  symbols: number;
  missing: string[];
  previous: {
    source: string;
    kept: number;
    crcChanged: string[];
    dropped: string[];
    added: string[];
  } | null;
}

export function stablelistGenerateJson(
  r: GeneratedReference,
  format: string,
  output: string | null,
): StablelistGenerateJson {
  const c = r.changes;
  return {
    build: r.build,
    list: r.list,
    format,
    output,
    symbols: r.exports.length,
    missing: r.missing,
    previous: c && {
      source: c.previous,
      kept: c.kept,
      crcChanged: c.crcChanged,
      dropped: c.dropped,
      added: c.added,
    },
  };
}

export function stablelistGenerateToText(j: StablelistGenerateJson, limit: number): string {
  const some = (xs: string[]) =>
    `${xs
      .slice(0, limit || xs.length)
      .map(textSafe)
      .join(', ')}${limit && xs.length > limit ? `, ... (${xs.length - limit} more)` : ''}`;
  let out = `${j.format} reference of ${j.symbols} symbols from ${textSafe(j.build)} and ${textSafe(j.list)}${j.output ? ` → ${textSafe(j.output)}` : ''}\n`;
  if (j.missing.length)
    out += `  listed but not exported by the build: ${j.missing.length}: ${some(j.missing)}\n`;
  const p = j.previous;
  if (p) {
    out += `Against ${textSafe(p.source)}: kept ${p.kept}, CRC changed ${p.crcChanged.length}, dropped ${p.dropped.length}, added ${p.added.length}\n`;
    for (const [what, xs] of [
      ['CRC changed', p.crcChanged],
      ['dropped', p.dropped],
      ['added', p.added],
    ] as const)
      if (xs.length) out += `  ${what}: ${some(xs)}\n`;
  }
  return out;
}
