// Verdicts of modules on kernels: a matrix (modules × kernels) and one verdict in full (`kabi why`).
import type { CompatSeries } from '../analysis/compat-series.js';
import { formatCrc } from '../model/export.js';
import { taintLetters, type Verdict, verdictState } from '../model/verdict.js';
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

/**
 * `FAIL n`: n reasons, as many as `kabi why` lists (those the loader stops at and those behind them).
 * `taints OE`: it loads, tainting the kernel with those flags (as /sys/module/X/taint shows them).
 */
const short = (v: Verdict | undefined) => {
  if (!v) return '';
  const state = verdictState(v);
  return state === 'fails'
    ? `FAIL ${v.reasons.length}`
    : state === 'taints'
      ? `taints ${taintLetters(v.taints)}`
      : 'loads';
};

const LEGEND = 'FAIL n: n reasons it would not load; kabi why MODULE KERNEL lists them';
const TAINT_LEGEND =
  'taints XY: loads, tainting the kernel (P licence, F forced, C staging, O out-of-tree, E unsigned)';

/** The legends a matrix needs: failures, taints, and verdicts that hang on an unknown configuration. */
function legends(verdicts: Verdict[]): string[] {
  const out: string[] = [];
  if (verdicts.some((v) => !v.loads)) out.push(`(${LEGEND})`);
  if (verdicts.some((v) => verdictState(v) === 'taints')) out.push(`(${TAINT_LEGEND})`);
  const unknown = [...new Set(verdicts.flatMap((v) => (v.dependsOn ?? []).map((d) => d.option)))];
  if (unknown.length)
    out.push(
      `(depend on what kabi does not know of the kernel: ${unknown.join(', ')}; --config FILE, kabi why)`,
    );
  return out;
}

function reasonLine(r: Verdict['reasons'][number]): string {
  const [wanted, offered] = [formatCrc(r.wanted ?? null), formatCrc(r.offered ?? null)];
  const said = r.message.includes(wanted) && r.message.includes(offered);
  const crc =
    r.wanted !== undefined && r.offered !== undefined && !said
      ? ` [wanted ${wanted}, offered ${offered}]`
      : '';
  const where = r.module && r.symbol ? ` (exported by ${r.module})` : '';
  return `${r.alsoFails ? 'would also fail: ' : ''}${r.message}${crc}${where}`;
}

function matrixText(verdicts: Verdict[]): string {
  const { modules, kernels, cell } = matrix(verdicts);
  const w0 = Math.max(6, ...modules.map((m) => m.length));
  const w = kernels.map((k) => Math.max(k.length, 7));
  const row = (first: string, cells: string[]) =>
    `${first.padEnd(w0)}  ${cells.map((c, i) => c.padEnd(w[i]!)).join('  ')}`.trimEnd();
  const out = [
    row('module', kernels.map(textSafe)),
    ...modules.map((m) =>
      row(
        textSafe(m),
        kernels.map((k) => short(cell(m, k))),
      ),
    ),
  ];
  const failing = verdicts.filter((v) => !v.loads);
  out.push(...legends(verdicts));
  if (failing.length) out.push('', 'Why not (first reasons; kabi why MODULE KERNEL for all):');
  for (const v of failing) out.push(`  ${textSafe(v.module)} on ${textSafe(v.kernel)}: ${firstReason(v)}`);
  return `${out.join('\n')}\n`;
}

/** The reason the loader meets first, and how many follow it. */
function firstReason(v: Verdict): string {
  const more = v.reasons.length > 1 ? ` (+${v.reasons.length - 1} more)` : '';
  return `${textSafe(reasonLine(v.reasons[0]!))}${more}`;
}

function verdictsJson(verdicts: Verdict[]): string {
  const crc = (c: number | null | undefined) => (c === undefined ? undefined : formatCrc(c ?? null));
  const out = verdicts.map((v) => ({
    ...v,
    state: verdictState(v),
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
  const out = [`${textSafe(v.module)} on ${textSafe(v.kernel)}: ${stateLine(v)}`];
  for (const [i, r] of v.reasons.entries()) out.push(`  ${i + 1}. ${textSafe(reasonLine(r))}`);
  for (const t of v.taints ?? []) out.push(`  taint ${t.flag}: ${textSafe(t.message)}`);
  for (const d of v.dependsOn ?? []) out.push(`  depends on ${d.option} (unknown): ${textSafe(d.message)}`);
  for (const n of v.notes) out.push(`  note: ${textSafe(n)}`);
  return `${out.join('\n')}\n`;
}

/** `LOADS`, `DOES NOT LOAD`, or `LOADS, TAINTS THE KERNEL: out-of-tree (O), unsigned (E)`. */
function stateLine(v: Verdict): string {
  const state = verdictState(v);
  if (state !== 'taints') return state === 'loads' ? 'LOADS' : 'DOES NOT LOAD';
  const why = [...new Map((v.taints ?? []).map((t) => [t.flag, `${t.code} (${t.flag})`])).values()];
  return `LOADS, TAINTS THE KERNEL: ${why.join(', ')}`;
}

/** The matrix over a series, the first failure of each module and its rebuild count. */
export function compatSeriesText(s: CompatSeries): string {
  const verdicts = s.modules.flatMap((m) => m.verdicts);
  const out = [
    matrixText(verdicts).split('\nWhy not')[0]!.trimEnd(),
    '',
    'First failure and rebuilds (one per breakage):',
  ];
  for (const m of s.modules) {
    const first = m.firstFailure
      ? `stops loading on ${textSafe(m.firstFailure.kernel)}`
      : 'loads on every build';
    out.push(
      `  ${textSafe(m.module)}: ${first}; ${m.rebuilds.length} rebuild(s)${m.rebuilds.length ? ` at ${m.rebuilds.map((r) => textSafe(r.kernel)).join(', ')}` : ''}`,
    );
    const failed = m.verdicts.find((v) => !v.loads);
    if (failed?.reasons.length) out.push(`    why: ${firstReason(failed)}`);
    const symbols = m.firstFailure?.symbols ?? [];
    if (symbols.length)
      out.push(
        `    ${symbols.length} symbol(s): ${symbols.slice(0, 5).map(textSafe).join(', ')}${symbols.length > 5 ? ', …' : ''}`,
      );
    for (const r of m.rebuilds.filter((x) => x.unfixable.length))
      out.push(
        `    at ${textSafe(r.kernel)} a rebuild is not enough: ${r.unfixable.map(textSafe).join(', ')} no longer exported`,
      );
  }
  out.push('', `Total rebuilds across the series: ${s.totalRebuilds}`);
  return `${out.join('\n')}\n`;
}

export const compatSeriesRenderers: Record<Format, (s: CompatSeries) => string> = {
  text: compatSeriesText,
  json: (s) =>
    `${JSON.stringify(
      {
        kernels: s.kernels,
        totalRebuilds: s.totalRebuilds,
        modules: s.modules.map((m) => ({
          module: m.module,
          loads: m.verdicts.map((v) => v.loads),
          firstFailure: m.firstFailure,
          rebuilds: m.rebuilds,
        })),
      },
      null,
      2,
    )}\n`,
  markdown: (s) =>
    `${compatRenderers.markdown(s.modules.flatMap((m) => m.verdicts))}\nTotal rebuilds across the series: ${s.totalRebuilds}\n`,
  csv: (s) => {
    const head = ['module', ...s.kernels, 'first_failure', 'rebuilds'].map(csvField).join(',');
    const rows = s.modules.map((m) =>
      [
        m.module,
        ...m.verdicts.map((v) => (v.loads ? 'loads' : 'fails')),
        m.firstFailure?.kernel ?? '',
        String(m.rebuilds.length),
      ]
        .map(csvField)
        .join(','),
    );
    return `${[head, ...rows].join('\r\n')}\r\n`;
  },
};

/**
 * The weak-modules question for an installed set (`/lib/modules/<release>/updates`, `extra`, DKMS's
 * installed-abi): which modules each kernel can use as they are, and which need a rebuild, and why.
 */
export function usableText(verdicts: Verdict[]): string {
  const out: string[] = [];
  for (const kernel of [...new Set(verdicts.map((v) => v.kernel))]) {
    const on = verdicts.filter((v) => v.kernel === kernel);
    const usable = on
      .filter((v) => v.loads)
      .map((v) => textSafe(v.module) + (v.taints?.length ? ` (taints ${taintLetters(v.taints)})` : ''));
    const rebuild = on.filter((v) => !v.loads);
    out.push(`${textSafe(kernel)}: ${usable.length} usable as they are, ${rebuild.length} need a rebuild`);
    if (usable.length) out.push(`  usable: ${usable.join(', ')}`);
    for (const v of rebuild)
      out.push(
        `  rebuild ${textSafe(v.module)}: ${textSafe(reasonLine(v.reasons[0]!))}${v.reasons.length > 1 ? ` (+${v.reasons.length - 1} more)` : ''}`,
      );
  }
  return `${out.join('\n')}\n`;
}
