// The kernel's MAINTAINERS file: sections (a subsystem's name on a line of its own) and their fields, of
// which only the file patterns are kept. The layout, from the file's own header:
//
//   Maintainers List
//   ----------------
//   ...
//   VFIO DRIVER
//   M:	Alex Williamson <alex.williamson@redhat.com>
//   F:	drivers/vfio/            (a trailing slash: every file in and below)
//   F:	include/linux/vfio.h     (`*` and `?` are wildcards; X: excludes, same rules; N: a regex on names)
//
// Sections are separated by blank lines; a field is one upper-case letter, a colon and a tab or blank.
// Read as text in memory (22,800 lines, ~700 KB for 6.1).
import { readFile } from 'node:fs/promises';
import { ArtifactFormatError } from '../errors.js';
import type { Maintainers, MaintainersSection } from '../model/maintainers.js';
import { lines } from './lines.js';
import { decodeText } from './text-decode.js';

const FIELD = /^([A-Z]):\s*(.*)$/;
const EXPECTED = 'the kernel MAINTAINERS file (a "Maintainers List" header, then sections with F: patterns)';

export function parseMaintainers(text: string, opts: { source: string }): Maintainers {
  const sections: MaintainersSection[] = [];
  let started = false;
  let previous = '';
  let current: MaintainersSection | null = null;
  for (const l of lines(text)) {
    const t = l.text;
    if (!started) {
      // The list begins after its underlined title; the preamble above it describes the fields.
      if (/^-{4,}$/.test(t.trim()) && previous.trim() === 'Maintainers List') started = true;
      previous = t;
      continue;
    }
    if (t.trim() === '') {
      current = null;
      continue;
    }
    const f = FIELD.exec(t);
    if (f && current) {
      const value = f[2]!.trim();
      if (f[1] === 'F') current.files.push(value);
      else if (f[1] === 'X') current.excludes.push(value);
      else if (f[1] === 'N') current.names.push(value);
      continue;
    }
    // The notes under the title are indented or reST directives; a section's name starts the line.
    if (current === null && !/^\s/.test(t) && !t.startsWith('..')) {
      current = { name: t.trim(), files: [], excludes: [], names: [], line: l.no };
      sections.push(current);
    }
  }
  const withFiles = sections.filter((s) => s.files.length > 0 || s.names.length > 0);
  if (!started || withFiles.length === 0)
    throw new ArtifactFormatError(
      `${started ? 'no section with an F: pattern' : 'no "Maintainers List" title'}; expected ${EXPECTED}`,
      { source: opts.source, line: 1 },
    );
  return { source: opts.source, sections: withFiles };
}

export async function readMaintainers(path: string): Promise<Maintainers> {
  const bytes = await readFile(path);
  return parseMaintainers(decodeText(bytes, path, EXPECTED), { source: path });
}
