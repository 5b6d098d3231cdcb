// The one shape every chart renderer returns, and the options they all take.

/** A rendered chart: a standalone SVG document as a string, and what a page or a PNG needs to place it. */
export interface SvgChart {
  /** Stable name: the HTML anchor (`chart-<id>`) and the PNG file name (`<id>.png`). */
  id: string;
  /** Plain text (not escaped): the page escapes it where it shows it. */
  title: string;
  /**
   * `<svg xmlns=… width height viewBox>…</svg>`: no script, no external reference, no style sheet; every
   * string from an artifact escaped; hover text in `<title>` elements; a white background for PNGs.
   */
  svg: string;
  width: number;
  height: number;
}

export interface ChartOptions {
  /** Overall width in px (default 760). */
  width?: number;
  /** Plot height in px, before room for the labels (default per chart). */
  height?: number;
  /** Replaces the default title. */
  title?: string;
  /** Replaces the default id. */
  id?: string;
  /** Bar charts: rows shown, most first (default 20 symbols, 30 modules). */
  limit?: number;
}
