// The formats CI systems show natively: SARIF 2.1.0 (GitHub code scanning) and JUnit XML (GitLab, Jenkins
// test reports). Here for `kabi check`; `kabi compat` streams them (compat-stream.ts).
import type { DiffReport } from '../analysis/check.js';
import { CHANGE_KINDS, type ChangeKind, type JudgedChange } from '../model/change.js';
import { formatCrc } from '../model/export.js';

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  defaultConfiguration: { level: 'error' | 'warning' | 'note' };
}

export interface SarifLocation {
  physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
  logicalLocations: { name: string; kind: string }[];
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: 'error' | 'warning' | 'note';
  message: { text: string };
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** A path as a SARIF artifact URI (a relative reference, each segment percent-encoded). */
export function sarifUri(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

/**
 * Where a result is: the file (code scanning needs a physical location; a symbol has no line in a binary,
 * so line 1 stands for the file) and the symbol or module by name.
 */
export function sarifLocation(file: string, name: string, kind = 'module'): SarifLocation {
  return {
    physicalLocation: { artifactLocation: { uri: sarifUri(file) }, region: { startLine: 1 } },
    logicalLocations: [{ name, kind }],
  };
}

/** A SARIF log of one run of kabi; `results` may be a placeholder string a streamed writer splits at. */
export function sarifLog(rules: SarifRule[], results: SarifResult[] | string): string {
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'kabi-tracker', rules } },
        results,
      },
    ],
  };
  return `${JSON.stringify(log)}\n`;
}

// XML 1.0 allows no C0 control but tab, LF and CR: others (from artifacts' strings) are shown as \xNN.
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const hex = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** Element text, escaped. */
export const xmlText = (s: string): string =>
  s.replace(XML_INVALID, hex).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** A quoted attribute value, escaped (newlines and tabs kept as character references). */
export const xmlAttr = (s: string): string =>
  `"${xmlText(s).replaceAll('"', '&quot;').replaceAll('\n', '&#10;').replaceAll('\r', '&#13;').replaceAll('\t', '&#9;')}"`;

const KIND_HELP: Record<ChangeKind, string> = {
  removed: 'an export was removed',
  'crc-changed': "an export's CRC changed",
  'export-type-changed': "an export's type changed (EXPORT_SYMBOL ↔ EXPORT_SYMBOL_GPL)",
  'namespace-changed': "an export's namespace changed",
  moved: 'an export moved to another module',
  added: 'an export was added',
};

const LEVEL = { fail: 'error', warn: 'warning', ignore: 'note' } as const;

const side = (c: JudgedChange, which: 'old' | 'new') => {
  const e = c[which];
  return e
    ? `${formatCrc(e.crc)} ${e.module ?? '?'} ${e.exportType ?? '?'}${e.namespace ? ` ${e.namespace}` : ''}`
    : 'none';
};

const changeLine = (c: JudgedChange) =>
  `${c.kind} ${c.symbol}: ${side(c, 'old')} → ${side(c, 'new')} (${c.severity}, ${c.rule}${c.breaking ? ', breaking' : ''})`;

/** `kabi check --format sarif`: one result per change the policy does not ignore. */
export function diffToSarif(r: DiffReport): string {
  const rules: SarifRule[] = CHANGE_KINDS.map((kind) => ({
    id: `kabi/check/${kind}`,
    name: kind,
    shortDescription: { text: KIND_HELP[kind] },
    defaultConfiguration: { level: 'warning' },
  }));
  const results: SarifResult[] = r.changes
    .filter((c) => c.severity !== 'ignore')
    .map((c) => ({
      ruleId: `kabi/check/${c.kind}`,
      ruleIndex: CHANGE_KINDS.indexOf(c.kind),
      level: LEVEL[c.severity],
      message: { text: `${changeLine(c)}; baseline ${r.old.source}` },
      locations: [sarifLocation(r.new.source, c.symbol, 'function')],
      partialFingerprints: { 'kabiChange/v1': `${c.kind}|${c.symbol}` },
      properties: {
        symbol: c.symbol,
        kind: c.kind,
        severity: c.severity,
        rule: c.rule,
        breaking: c.breaking,
      },
    }));
  return sarifLog(rules, results);
}

/**
 * `kabi check --format junit`: one test suite, one test case per change (a failure when the policy fails
 * it, skipped when it ignores it), and one for the verdict so that a clean check still shows a passing test.
 */
export function diffToJunit(r: DiffReport): string {
  const name = `kabi check ${r.new.source} against ${r.old.source}`;
  const fails = r.changes.filter((c) => c.severity === 'fail').length;
  const skipped = r.changes.filter((c) => c.severity === 'ignore').length;
  const cases = [
    `    <testcase classname="kabi.check" name=${xmlAttr(`verdict: ${r.verdict}`)}>` +
      (r.verdict === 'incompatible'
        ? `\n      <failure type="incompatible" message=${xmlAttr(`${fails} change(s) fail the policy ${r.policy}`)}/>\n    </testcase>`
        : `\n      <system-out>${xmlText(`${r.changes.length} change(s); policy ${r.policy}`)}</system-out>\n    </testcase>`),
    ...r.changes.map((c) => {
      const head = `    <testcase classname=${xmlAttr(`kabi.check.${c.kind}`)} name=${xmlAttr(c.symbol)}>`;
      const line = changeLine(c);
      if (c.severity === 'fail')
        return `${head}\n      <failure type=${xmlAttr(c.kind)} message=${xmlAttr(line)}>${xmlText(line)}</failure>\n    </testcase>`;
      if (c.severity === 'ignore')
        return `${head}\n      <skipped>${xmlText(`ignored by the policy: ${line}`)}</skipped>\n    </testcase>`;
      return `${head}\n      <system-out>${xmlText(`warning: ${line}`)}</system-out>\n    </testcase>`;
    }),
  ];
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="kabi check">\n' +
    `  <testsuite name=${xmlAttr(name)} tests="${cases.length}" failures="${fails + (r.verdict === 'incompatible' ? 1 : 0)}" errors="0" skipped="${skipped}">\n` +
    `${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`
  );
}
