import { ArtifactFormatError, excerptOf } from '../errors.js';

/** A line of a text artifact: `no` is 1-based; CR of a CRLF ending is already removed. */
export interface Line {
  no: number;
  text: string;
}

/** Splits text into lines, tolerating CRLF and a missing final newline. */
export function* lines(text: string): Generator<Line> {
  let start = 0;
  let no = 1;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    yield { no, text: text.slice(start, stop) };
    start = end + 1;
    no++;
  }
}

/** Lines that are neither blank nor `#` comments, trimmed. */
export function* meaningfulLines(text: string): Generator<Line> {
  for (const l of lines(text)) {
    const t = l.text.trim();
    if (t !== '' && !t.startsWith('#')) yield { no: l.no, text: t };
  }
}

/** An ArtifactFormatError pointing at one line. */
export function lineError(source: string, line: Line, reason: string): ArtifactFormatError {
  return new ArtifactFormatError(reason, { source, line: line.no, excerpt: excerptOf(line.text) });
}

export { decodeText } from './text-decode.js';
