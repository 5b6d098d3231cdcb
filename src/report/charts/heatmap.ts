// The module × kernel matrix of the loader's verdicts (compat-series.ts, module-compat.ts) as a heatmap:
// a cell per (module, kernel), light where the module loads, dark by the number of broken symbols where it
// does not, every reason in the cell's hover text.
import { identityKey, identityLabel, type ModuleIdentity } from '../../model/module-image.js';
import type { Verdict } from '../../model/verdict.js';
import type { ChartOptions, SvgChart } from './chart.js';
import {
  COLORS,
  clip,
  escapeXml,
  type Frame,
  labelDrop,
  num,
  svgChart,
  textWidth,
  titled,
  xLabels,
} from './svg.js';

/**
 * Modules × kernels; a `CompatSeries` is one. A row is one module, told from others of its name by where
 * it came from and what it was built for. null: no verdict for that pair.
 */
export interface VerdictMatrix {
  kernels: string[];
  modules: (ModuleIdentity & { verdicts: (Verdict | null)[] })[];
}

/** A matrix from a flat list of verdicts (`kabi compat -k`), modules and kernels in first-seen order. */
export function verdictMatrix(verdicts: readonly Verdict[]): VerdictMatrix {
  const kernels = [...new Set(verdicts.map((v) => v.kernel))];
  const rows = new Map<string, VerdictMatrix['modules'][number]>();
  for (const v of verdicts) {
    const key = identityKey(v);
    let row = rows.get(key);
    if (!row) {
      const { module, from, builtFor, source } = v;
      row = { module, from, builtFor, source, verdicts: kernels.map(() => null) };
      rows.set(key, row);
    }
    row.verdicts[kernels.indexOf(v.kernel)] = v;
  }
  return { kernels, modules: [...rows.values()] };
}

/** Per kernel, how many modules do not load there (the failing cells of its column). */
export function failingPerKernel(matrix: VerdictMatrix): number[] {
  return matrix.kernels.map((_, k) => matrix.modules.filter((m) => m.verdicts[k]?.loads === false).length);
}

/**
 * Row labels that tell apart the modules sharing a name: the name alone when it is unique, else with
 * the kernel it was built for, and where it came from when that is not enough.
 */
export function rowLabels(rows: readonly ModuleIdentity[]): string[] {
  const count = (f: (r: ModuleIdentity) => string) => {
    const n = new Map<string, number>();
    for (const r of rows) n.set(f(r), (n.get(f(r)) ?? 0) + 1);
    return (r: ModuleIdentity) => n.get(f(r))! > 1;
  };
  const sameName = count((r) => r.module);
  const sameBuild = count((r) => `${r.module}\0${r.builtFor}`);
  return rows.map((r) => {
    if (!sameName(r)) return r.module;
    const built = `${r.module} · ${r.builtFor ?? '?'}`;
    return sameBuild(r) ? `${built} · ${r.from}` : built;
  });
}

/** The distinct symbols a verdict's reasons name (missing, CRC mismatch, GPL-only, namespace). */
export function brokenSymbols(v: Verdict): string[] {
  return [...new Set(v.reasons.flatMap((r) => (r.symbol ? [r.symbol] : [])))].sort();
}

const MAX_REASONS = 12;

/** The hover text of a cell: the verdict, then every reason in the loader's order (capped). */
export function verdictTitle(who: string, kernel: string, v: Verdict | null): string {
  if (v === null) return `${who} on ${kernel}: not checked`;
  if (v.loads) {
    const notes = v.notes.length ? `\n${v.notes.map((n) => `note: ${n}`).join('\n')}` : '';
    return `${who} on ${kernel}: loads${notes}`;
  }
  const symbols = brokenSymbols(v).length;
  const lines = v.reasons
    .slice(0, MAX_REASONS)
    .map((r) => `${r.alsoFails ? 'would also fail: ' : ''}${r.message}`);
  if (v.reasons.length > MAX_REASONS) lines.push(`… ${v.reasons.length - MAX_REASONS} more (kabi why)`);
  return `${who} on ${kernel}: fails, ${symbols} broken symbol${symbols === 1 ? '' : 's'}\n${lines.join('\n')}`;
}

/** Rows past which the kernels are named above the heatmap as well as below it. */
const TALL_ROWS = 20;

/** The kernel labels above the first row, slanted up from each column's centre (as xLabels slants down). */
function topLabels(f: Frame, labels: string[], centers: number[], maxChars = 22): string {
  const y = f.top - 6;
  const parts = labels.map((l, i) =>
    titled(
      l,
      `<text transform="translate(${num(centers[i]! - 4)} ${num(y)}) rotate(-35)" text-anchor="start" fill="${COLORS.text}">${escapeXml(clip(l, maxChars))}</text>`,
    ),
  );
  return `<g class="axis x top">${parts.join('')}</g>`;
}

/** Modules down, kernels across; a failing cell shows its broken-symbol count (✗ when none is a symbol). */
export function compatHeatmap(matrix: VerdictMatrix, o: ChartOptions = {}): SvgChart {
  const title = o.title ?? 'Which modules load on which kernel';
  const { kernels, modules } = matrix;
  const names = rowLabels(modules).map((l) => clip(l, 40));
  const left = Math.min(260, Math.max(80, ...names.map((n) => textWidth(n) + 16)));
  const drop = labelDrop(kernels);
  const room = o.width ?? 760;
  const cw = Math.max(18, Math.min(64, (room - left - 16) / Math.max(1, kernels.length)));
  // As wide as the cells need (a few kernels make a narrow chart), never narrower than the key.
  // A tall heatmap names the kernels above its first row too: the bottom ones are a screen or more away.
  // Slanted up to the right, the last one needs room past the last column.
  const tall = modules.length > TALL_ROWS;
  const longest = Math.max(0, ...kernels.map((k) => textWidth(clip(k, 22))));
  const right = tall ? Math.max(16, Math.ceil(longest * Math.cos((35 * Math.PI) / 180) - cw / 2 + 8)) : 16;
  const width = Math.max(420, Math.ceil(left + kernels.length * cw + right));
  const ch = 22;
  const top = 52 + (tall ? drop : 0);
  const f: Frame = { width, height: top + modules.length * ch + drop, left, top, right, bottom: drop };
  const counts = modules.flatMap((m) => m.verdicts.map((v) => (v && !v.loads ? brokenSymbols(v).length : 0)));
  const max = Math.max(1, ...counts);
  const rows = modules.map((m, r) => {
    const y = f.top + r * ch;
    const label = titled(
      identityLabel(m),
      `<text x="${num(left - 8)}" y="${num(y + 15)}" text-anchor="end" fill="${COLORS.text}">${escapeXml(names[r]!)}</text>`,
    );
    const cells = m.verdicts.map((v, c) => {
      const x = left + c * cw;
      const state = v === null ? 'none' : v.loads ? 'loads' : 'fails';
      const n = v && !v.loads ? brokenSymbols(v).length : 0;
      const fill = state === 'none' ? COLORS.missing : state === 'loads' ? COLORS.loads : COLORS.fails;
      const opacity = state === 'fails' ? 0.45 + (0.55 * n) / max : 1;
      const mark = state === 'none' ? '' : state === 'loads' ? '✓' : n > 0 ? String(n) : '✗';
      const ink = state === 'fails' ? '#ffffff' : COLORS.text;
      return titled(
        verdictTitle(identityLabel(m), kernels[c] ?? '', v),
        `<rect class="cell" data-module="${escapeXml(m.module)}" data-from="${escapeXml(m.from)}" data-built-for="${escapeXml(m.builtFor ?? '')}" data-kernel="${escapeXml(kernels[c] ?? '')}" data-state="${state}" data-broken="${n}" x="${num(x + 1)}" y="${num(y + 1)}" width="${num(cw - 2)}" height="${ch - 2}" fill="${fill}" fill-opacity="${num(opacity)}"/>` +
          `<text x="${num(x + cw / 2)}" y="${num(y + 15)}" text-anchor="middle" fill="${ink}">${mark}</text>`,
      );
    });
    return `<g class="row">${label}${cells.join('')}</g>`;
  });
  const centers = kernels.map((_, c) => left + (c + 0.5) * cw);
  const failing = failingPerKernel(matrix);
  const fails = failing.reduce((a, b) => a + b, 0);
  const desc = `${modules.length} modules on ${kernels.length} kernels; ${fails} cells fail (per kernel: ${failing.join(', ')}). Number in a cell: broken symbols.`;
  // Under the title, from the left: a narrow heatmap leaves no room beside it.
  const key =
    `<rect x="16" y="29" width="11" height="11" fill="${COLORS.loads}"/><text x="31" y="38">loads</text>` +
    `<rect x="76" y="29" width="11" height="11" fill="${COLORS.fails}"/><text x="91" y="38">fails (number: broken symbols)</text>`;
  const above = tall ? topLabels(f, kernels, centers) : '';
  return svgChart(
    o.id ?? 'compat',
    title,
    f,
    desc,
    key + above + rows.join('') + xLabels(f, kernels, centers),
  );
}
