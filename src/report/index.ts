import type { DiffReport } from '../analysis/check.js';
import type { ExportsSummary } from '../analysis/summary.js';
import { diffToJunit, diffToSarif } from './ci.js';
import { diffToJson, summaryToJson } from './json.js';
import { diffToMarkdown, summaryToMarkdown } from './markdown.js';
import { diffToText, summaryToText, type TextOptions } from './text.js';

export const REPORT_FORMATS = ['text', 'json', 'markdown'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export type RenderOptions = TextOptions;

export const diffRenderers: Record<ReportFormat, (r: DiffReport, o: RenderOptions) => string> = {
  text: diffToText,
  json: (r) => diffToJson(r),
  markdown: diffToMarkdown,
};

export const summaryRenderers: Record<ReportFormat, (s: ExportsSummary, o: RenderOptions) => string> = {
  text: summaryToText,
  json: (s) => summaryToJson(s),
  markdown: summaryToMarkdown,
};

export const CHECK_FORMATS = [...REPORT_FORMATS, 'sarif', 'junit'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

/** `kabi check`: the diff's formats, and those CI systems show (SARIF for code scanning, JUnit XML). */
export const checkRenderers: Record<CheckFormat, (r: DiffReport, o: RenderOptions) => string> = {
  ...diffRenderers,
  sarif: (r) => diffToSarif(r),
  junit: (r) => diffToJunit(r),
};
