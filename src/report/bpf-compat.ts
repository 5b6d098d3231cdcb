// `kabi bpf-compat` as text, Markdown, CSV and HTML (one document: the object × kernel matrix, then every
// finding) and as JSON (the report's data as is: findings keep their `code`; see docs/bpf-compat.md).
import type { BpfCompatReport, BpfFinding } from '../model/bpf-compat.js';
import { renderHtmlReport } from './html/page.js';
import { fromDocTable } from './html/table.js';
import { col, type Line, type SeriesDocument } from './series-document.js';
import { type DocumentOptions, documentToCsv, documentToMarkdown, documentToText } from './series-format.js';

export type BpfCompatFormat = 'text' | 'json' | 'markdown' | 'csv' | 'html';

/** What a finding says, in one line (artifact names are escaped by each format, as whole cells). */
export function bpfFindingText(f: BpfFinding): string {
  switch (f.code) {
    case 'core-relo-failed':
    case 'core-relo-guarded': {
      const what =
        f.reason === 'no-candidate-type'
          ? `the kernel has no type ${f.missing}`
          : f.reason === 'no-member'
            ? `${f.targetType} has no member ${f.missing}`
            : f.reason === 'incompatible-member'
              ? `${f.targetType}.${f.missing} has an incompatible type`
              : f.reason === 'array-index'
                ? `${f.targetType}: index ${f.missing} out of range`
                : f.reason === 'memory-size'
                  ? `${f.missing}: the load's width cannot be adjusted`
                  : f.reason === 'ambiguous'
                    ? `candidate types disagree (${f.missing})`
                    : `bad relocation: ${f.missing}`;
      const similar = f.similar.length > 0 ? ` (similar: ${f.similar.join(', ')})` : '';
      const guard = f.code === 'core-relo-guarded' ? '; the instruction is not reached on this kernel' : '';
      return `${f.kind} ${f.access}: ${what}${similar}${guard}`;
    }
    case 'core-relo-moved':
      return `${f.kind} ${f.access}: ${f.local} as compiled, ${f.target} here`;
    case 'core-relo-absent':
      return `${f.kind} ${f.access}: 0 on this kernel`;
    case 'kfunc-missing':
      return `kfunc ${f.kfunc}${f.weak ? ' (__weak)' : ''}: no such function in the kernel's BTF`;
    case 'kfunc-prototype':
      return `kfunc ${f.kfunc}${f.weak ? ' (__weak)' : ''}: compiled as ${f.expected}, the kernel has ${f.actual}`;
    case 'kfunc-not-registered':
      return `kfunc ${f.kfunc}: the kernel has the function but offers it in no kfunc set`;
    case 'kfunc-prog-type':
      return `program ${f.program} (${f.progType}): calling kernel function ${f.kfunc} is not allowed; ${f.allowed.length ? `registered for ${f.allowed.join(', ')}` : 'registered for no program type'}`;
    case 'kfunc-ok':
      return `kfunc ${f.kfunc}: ${f.flags === null ? 'flags unknown' : f.flags.join(' | ') || 'no flags'}${f.module ? ` (module ${f.module})` : ''}${f.sets.length ? `, sets ${f.sets.join(' ')}` : ''}${f.kernelPrototype ? `; the kernel declares ${f.kernelPrototype} (compatible)` : ''}`;
    case 'helper-unknown':
      return `helper ${f.helper}${f.name ? ` (${f.name})` : ''}: not in the kernel's enum bpf_func_id${f.severity === 'error' ? '' : ' (not reached)'}`;
    case 'section-unknown':
      return `program ${f.program}: libbpf knows no program type for section ${f.section}`;
    case 'prog-type-unknown':
      return `program ${f.program}: ${f.name} is not in the kernel's enum bpf_prog_type`;
    case 'attach-type-unknown':
      return `program ${f.program}: ${f.name} is not in the kernel's enum bpf_attach_type`;
    case 'attach-target-missing':
      return `program ${f.program}: attach target ${f.target} is not in the kernel's BTF`;
    case 'map-type-unknown':
      return `map ${f.map}: type ${f.type}${f.name ? ` (${f.name})` : ''} is not in the kernel's enum bpf_map_type`;
  }
}

function where(f: BpfFinding): string | null {
  if ('insn' in f) return `${f.program ?? f.section}#${f.insn}`;
  if ('program' in f) return f.program;
  return null;
}

export function bpfCompatDocument(r: BpfCompatReport): SeriesDocument {
  const notes: Line[] = [
    [
      `${r.objects.length} object${r.objects.length === 1 ? '' : 's'} × ${r.kernels.length} kernel${r.kernels.length === 1 ? '' : 's'}: `,
      `${r.objects.filter((o) => o.firstFailing === null).length} load on every kernel`,
    ],
  ];
  // The same kernel says the same of every object: each note once.
  const seen = new Set<string>();
  for (const o of r.objects)
    for (const k of o.kernels)
      for (const n of k.notes) {
        if (seen.has(`${k.kernel}\0${n}`)) continue;
        seen.add(`${k.kernel}\0${n}`);
        notes.push(['note (', { code: k.kernel }, '): ', n]);
      }
  return {
    title: ['Will these BPF objects load?'],
    notes,
    tables: [
      {
        view: 'matrix',
        title: 'Object × kernel',
        columns: [
          col('object', 'object', 'artifact'),
          ...r.kernels.map((k, i) => col(`kernel${i}`, k, 'artifact')),
          col('first_failing', 'first failing', 'artifact'),
          col('reason', 'reason', 'artifact'),
        ],
        rows: r.objects.map((o) => {
          const first = o.kernels.find((k) => !k.loads);
          return [
            o.object,
            ...o.kernels.map((k) => (k.loads ? 'loads' : `fails: ${k.reason!.code}`)),
            o.firstFailing,
            first?.reason ? bpfFindingText(first.reason) : null,
          ];
        }),
      },
      {
        view: 'findings',
        title: 'Findings',
        long: true,
        columns: [
          col('object', 'object', 'artifact'),
          col('kernel', 'kernel', 'artifact'),
          col('severity', 'severity', 'word'),
          col('code', 'code', 'word'),
          col('where', 'where', 'artifact'),
          col('finding', 'finding', 'artifact'),
        ],
        rows: r.objects.flatMap((o) =>
          o.kernels.flatMap((k) =>
            k.findings.map((f) => [o.object, k.kernel, f.severity, f.code, where(f), bpfFindingText(f)]),
          ),
        ),
      },
    ],
  };
}

/** `kabi bpf-compat --format json`. */
export function bpfCompatJson(r: BpfCompatReport) {
  return {
    kernels: r.kernels,
    objects: r.objects.map((o) => ({
      object: o.object,
      loadsEverywhere: o.firstFailing === null,
      firstFailing: o.firstFailing,
      programs: o.programs,
      kernels: o.kernels.map((k) => ({
        kernel: k.kernel,
        loads: k.loads,
        reason: k.reason,
        findings: k.findings,
        notes: k.notes,
      })),
    })),
  };
}

export type BpfCompatJson = ReturnType<typeof bpfCompatJson>;

export const bpfCompatRenderers: Record<BpfCompatFormat, (r: BpfCompatReport, o: DocumentOptions) => string> =
  {
    text: (r, o) => documentToText(bpfCompatDocument(r), o),
    json: (r) => `${JSON.stringify(bpfCompatJson(r), null, 2)}\n`,
    markdown: (r, o) => documentToMarkdown(bpfCompatDocument(r), o),
    csv: (r, o) => documentToCsv(bpfCompatDocument(r), o),
    html: (r) => {
      const doc = bpfCompatDocument(r);
      return renderHtmlReport({
        title: 'Will these BPF objects load?',
        lines: [`${r.objects.length} objects × ${r.kernels.length} kernels: ${r.kernels.join(', ')}`],
        charts: [],
        tables: doc.tables.map((t) => fromDocTable(t)),
        generator: 'kabi bpf-compat',
      });
    },
  };
