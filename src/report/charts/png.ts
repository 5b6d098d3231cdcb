// A chart as a PNG for slides, through resvg (Rust, prebuilt for each platform inside its npm package:
// no browser, no download at install). Kept out of charts/index.ts so that the SVG renderers never load
// a native module; resvg itself is loaded on first use.
import type { SvgChart } from './chart.js';

export interface PngOptions {
  /** Pixels per SVG unit (default 2: a 760-wide chart becomes 1520 px, sharp on a projector). */
  scale?: number;
}

export interface PngImage {
  png: Uint8Array;
  width: number;
  height: number;
}

/** Renders a chart's SVG to PNG bytes; text uses the system's fonts (DejaVu Sans where present). */
export async function chartToPng(chart: Pick<SvgChart, 'svg'>, o: PngOptions = {}): Promise<PngImage> {
  const { Resvg } = await import('@resvg/resvg-js');
  const r = new Resvg(chart.svg, {
    fitTo: { mode: 'zoom', value: o.scale ?? 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: '#ffffff',
  }).render();
  return { png: r.asPng(), width: r.width, height: r.height };
}
