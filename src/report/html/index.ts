// The HTML report: page models (charts + tables) from analysis results, and one self-contained document
// from a page model. See docs/report.md.
export { type HtmlReport, renderHtmlReport } from './page.js';
export {
  compatPage,
  diffPage,
  type ModuleViews,
  type PageOptions,
  type SeriesPageInput,
  seriesPage,
  streamPages,
} from './pages.js';
export { PAGE_SCRIPT } from './script.js';
export {
  fromDocTable,
  type HtmlCell,
  type HtmlCellKind,
  type HtmlColumn,
  type HtmlTable,
  tableHtml,
} from './table.js';
export {
  changesTable,
  coverageTable,
  impactTables,
  limitByKind,
  packagesTable,
  reasonsTable,
  seriesChangesTable,
  verdictsTable,
} from './tables.js';
