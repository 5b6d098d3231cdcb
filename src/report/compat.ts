// Verdicts of modules on kernels: a matrix (modules × kernels) and one verdict in full (`kabi why`).
import { formatCrc } from '../model/export.js';
import type { Verdict } from '../model/verdict.js';
import { mdCode } from './markdown.js';
import { csvField, textSafe } from './series.js';

type Format = 'text' | 'json' | 'markdown' | 'csv';

function matrix(verdicts: Verdict[]): {
  modules: string[];
  kernels: string[];
  cell: (m: string, k: string) => Verdict | undefined;
} {
  const modules = [...new Set(verdicts.map((v) => v.module))];
  const kernels = [...new Set(verdicts.map((v) => v.kernel))];
  const at = new Map(verdicts.map((v) => [`${v.module}\0${v.kernel}`, v]));
  return { modules, kernels, cell: (m, k) => at.get(`${m}\0${k}`) };
}

const short = (v: Verdict | undefined) =>
  !v ? '' : v.loads ? 'loads' : `FAIL ${v.reasons.filter((r) => !r.alsoFails).length}`;

function reasonLine(r: Verdict['reasons'][number]): string {
  const crc =
    r.wanted !== undefined && r.offered !== undefined
      ? ` [wanted ${formatCrc(r.wanted ?? null)}, offered ${formatCrc(r.offered ?? null)}]`
      : '';
  const where = r.module && r.symbol ? ` (exported by ${r.module})` : '';
  return `${r.alsoFails ? 'would also fail: ' : ''}${r.message}${crc}${where}`;
}

function matrixText(verdicts: Verdict[]): string {
  const { modules, kernels, cell } = matrix(verdicts);
  const w0 = Math.max(6, ...modules.map((m) => m.length));
  const w = kernels.map((k) => Math.max(k.length, 7));
  const out = [`${'module'.padEnd(w0)}  ${kernels.map((k, i) => textSafe(k).padEnd(w[i]!)).join('  ')}`];
  for (const m of modules)
    out.push(
      `${textSafe(m).padEnd(w0)}  ${kernels.map((k, i) => short(cell(m, k)).padEnd(w[i]!)).join('  ')}`,
    );
  const failing = verdicts.filter((v) => !v.loads);
  if (failing.length) out.push('', 'Why not (first reasons; kabi why MODULE KERNEL for all):');
  for (const v of failing)
    out.push(
      `  ${textSafe(v.module)} on ${textSafe(v.kernel)}: ${textSafe(reasonLine(v.reasons[0]!))}${v.reasons.length > 1 ? ` (+${v.reasons.length - 1} more)` : ''}`,
    );
  return `${out.join('\n')}\n`;
}

function verdictsJson(verdicts: Verdict[]): string {
  const crc = (c: number | null | undefined) => (c === undefined ? undefined : formatCrc(c ?? null));
  const out = verdicts.map((v) => ({
    ...v,
    reasons: v.reasons.map((r) => ({ ...r, wanted: crc(r.wanted), offered: crc(r.offered) })),
  }));
  return `${JSON.stringify(out, null, 2)}\n`;
}

export const compatRenderers: Record<Format, (v: Verdict[]) => string> = {
  text: matrixText,
  json: verdictsJson,
  markdown: (verdicts) => {
    const { modules, kernels, cell } = matrix(verdicts);
    const rows = modules.map(
      (m) => `| ${mdCode(m)} | ${kernels.map((k) => short(cell(m, k))).join(' | ')} |`,
    );
    return `${[`| module | ${kernels.map(mdCode).join(' | ')} |`, `|---|${kernels.map(() => '---').join('|')}|`, ...rows].join('\n')}\n`;
  },
  csv: (verdicts) => {
    const { modules, kernels, cell } = matrix(verdicts);
    const rows = modules.map((m) => [m, ...kernels.map((k) => short(cell(m, k)))].map(csvField).join(','));
    return `${[['module', ...kernels].map(csvField).join(','), ...rows].join('\r\n')}\r\n`;
  },
};

/** One verdict in full: every reason in the order the loader meets it, then the notes. */
export function whyText(v: Verdict): string {
  const out = [`${textSafe(v.module)} on ${textSafe(v.kernel)}: ${v.loads ? 'LOADS' : 'DOES NOT LOAD'}`];
  v.reasons.forEach((r, i) => out.push(`  ${i + 1}. ${textSafe(reasonLine(r))}`));
  for (const n of v.notes) out.push(`  note: ${textSafe(n)}`);
  return `${out.join('\n')}\n`;
}
