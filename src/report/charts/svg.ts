// What every chart shares: XML escaping, number formats, a linear scale with round ticks, axes, a legend
// and the <svg> frame. Hand-written rather than vega-lite: a chart here is a few dozen rects and lines, and
// writing them directly is ~100× faster than vega's dataflow (docs/report.md has the figures), puts the
// hover text in <title> elements (vega's SVG has none), and keeps every artifact string under one escaper.
import type { SvgChart } from './chart.js';

/** Characters XML 1.0 does not allow, even escaped: C0 controls but tab/LF/CR, lone surrogates, U+FFFE/F. */
const XML_INVALID =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text and attribute values for SVG and HTML: `& < > " '` escaped, characters XML cannot carry replaced
 * by U+FFFD. Safe in element content and in quoted attributes; `]]>` and `</script>` come out inert.
 */
export function escapeXml(text: string): string {
  return text.replace(XML_INVALID, '\ufffd').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/** A coordinate: at most two decimals, no exponent. */
export function num(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 100) / 100) : '0';
}

/**
 * A count with thousands separators, as `n.toLocaleString('en-US')` writes it. Integers are grouped here:
 * the first Intl number format a process makes loads ICU's locale data (20-65 ms of chromium's main thread
 * before the dashboard's first figure, ~30 ms of a server's first chart). Other numbers go through Intl.
 */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

/** A share in [0, 1] as a percentage for people: 0.01234 → "1.2 %"; small non-zero shares keep a digit. */
export function formatShare(share: number | null): string {
  if (share === null) return 'n/a';
  const p = share * 100;
  if (p === 0) return '0 %';
  if (p < 0.1) return `${p.toFixed(2)} %`;
  return `${p.toFixed(1)} %`;
}

/** Round tick values from 0 to at least `max`: steps of 1, 2 or 5 × 10^k (whole steps for counts). */
export function niceTicks(max: number, count = 5, integer = true): number[] {
  if (!(max > 0)) return integer ? [0, 1] : [0, 0.01];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * mag;
  if (integer) step = Math.max(1, step);
  const n = Math.max(1, Math.ceil(max / step - 1e-9));
  return Array.from({ length: n + 1 }, (_, i) => Math.round(i * step * 1e9) / 1e9);
}

/** Shortens a label to about `chars` characters; the whole text goes in the element's <title>. */
export function clip(text: string, chars: number): string {
  const cps = [...text];
  return cps.length <= chars ? text : `${cps.slice(0, Math.max(1, chars - 1)).join('')}…`;
}

/** Rough width of a label in the charts' 11 px sans-serif font (for layout only, never for truth). */
export function textWidth(text: string, size = 11): number {
  return [...text].length * size * 0.62;
}

export const FONT = "DejaVu Sans, 'Liberation Sans', Arial, Helvetica, sans-serif";

/** Okabe–Ito colours: told apart with every common colour-vision deficiency. */
export const COLORS = {
  added: '#009E73',
  removed: '#D55E00',
  crcChanged: '#E69F00',
  other: '#56B4E9',
  line: '#0072B2',
  loads: '#c8e6c9',
  fails: '#D55E00',
  missing: '#eeeeee',
  protected: '#0072B2',
  unprotected: '#E69F00',
  epochA: '#f2f2f2',
  epochB: '#e2ecf5',
  grid: '#dddddd',
  text: '#222222',
  muted: '#666666',
} as const;

/** An element with a hover text: `<g><title>…</title>inner</g>`. */
export function titled(title: string, inner: string): string {
  return `<g><title>${escapeXml(title)}</title>${inner}</g>`;
}

export interface Frame {
  width: number;
  height: number;
  /** Plot area inside the frame. */
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function plotWidth(f: Frame): number {
  return f.width - f.left - f.right;
}

export function plotHeight(f: Frame): number {
  return f.height - f.top - f.bottom;
}

/** The <svg> element: a white background (PNG-ready), the title as <title> and as a heading, `desc`. */
function svgDocument(f: Frame, title: string, desc: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(f.width)}" height="${num(f.height)}" ` +
    `viewBox="0 0 ${num(f.width)} ${num(f.height)}" role="img" font-family="${escapeXml(FONT)}" font-size="11">` +
    `<title>${escapeXml(title)}</title><desc>${escapeXml(desc)}</desc>` +
    `<rect width="${num(f.width)}" height="${num(f.height)}" fill="#ffffff"/>` +
    `<text x="16" y="20" font-size="14" font-weight="bold" fill="${COLORS.text}">${escapeXml(title)}</text>` +
    body +
    '</svg>'
  );
}

/** What every chart renderer returns: the <svg> document and the size a page or a PNG places it at. */
export function svgChart(id: string, title: string, f: Frame, desc: string, body: string): SvgChart {
  return { id, title, svg: svgDocument(f, title, desc, body), width: f.width, height: f.height };
}

/** Horizontal grid lines and value labels on the left for a linear y axis from 0 to the last tick. */
export function yAxis(f: Frame, ticks: number[], label: (v: number) => string, caption: string): string {
  const top = ticks.at(-1)!;
  const h = plotHeight(f);
  const parts = ticks.map((v) => {
    const y = f.top + h - (v / top) * h;
    return (
      `<line x1="${num(f.left)}" x2="${num(f.width - f.right)}" y1="${num(y)}" y2="${num(y)}" stroke="${COLORS.grid}"/>` +
      `<text x="${num(f.left - 6)}" y="${num(y + 4)}" text-anchor="end" fill="${COLORS.muted}">${escapeXml(label(v))}</text>`
    );
  });
  const cy = f.top + h / 2;
  parts.push(
    `<text transform="translate(12 ${num(cy)}) rotate(-90)" text-anchor="middle" fill="${COLORS.muted}">${escapeXml(caption)}</text>`,
  );
  return `<g class="axis y">${parts.join('')}</g>`;
}

/** Category labels under the plot, turned 35° so long build names fit; clipped, whole in <title>. */
export function xLabels(f: Frame, labels: string[], centers: number[], maxChars = 22): string {
  const y = f.height - f.bottom + 14;
  const parts = labels.map((l, i) => {
    const x = centers[i]!;
    return titled(
      l,
      `<text transform="translate(${num(x)} ${num(y)}) rotate(-35)" text-anchor="end" fill="${COLORS.text}">${escapeXml(clip(l, maxChars))}</text>`,
    );
  });
  return `<g class="axis x">${parts.join('')}</g>`;
}

/** A row of colour keys at the top right of the frame. */
export function legend(f: Frame, items: { label: string; color: string; line?: boolean }[]): string {
  let x = f.width - f.right;
  const parts: string[] = [];
  for (const it of [...items].reverse()) {
    const w = textWidth(it.label) + 26;
    x -= w;
    const key = it.line
      ? `<line x1="${num(x)}" x2="${num(x + 12)}" y1="${num(f.top - 14)}" y2="${num(f.top - 14)}" stroke="${it.color}" stroke-width="2.5"/>`
      : `<rect x="${num(x)}" y="${num(f.top - 19)}" width="11" height="11" fill="${it.color}"/>`;
    parts.push(
      `${key}<text x="${num(x + 15)}" y="${num(f.top - 10)}" fill="${COLORS.text}">${escapeXml(it.label)}</text>`,
    );
  }
  return `<g class="legend">${parts.join('')}</g>`;
}

/** Room under the plot for labels turned 35°: the longest label's drop, capped. */
export function labelDrop(labels: string[], maxChars = 22): number {
  const longest = Math.max(0, ...labels.map((l) => textWidth(clip(l, maxChars))));
  return Math.min(150, Math.ceil(longest * Math.sin((35 * Math.PI) / 180)) + 24);
}
