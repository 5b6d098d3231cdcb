// Shell-style patterns used by kABI policy files. Hand-written: the two dialects below differ from
// picomatch/minimatch defaults (SUSE's `*` crosses `/`; neither treats dot files specially), and each is a
// few lines.
//
// Patterns come from input (policy files, the server's query parameters) and are matched against input
// (symbol and module names), so the RegExp is built not to backtrack: `*a*a*a*a*b` as `^.*a.*a.*a.*a.*b$`
// took 1 s on 200 characters and grew as n^k. A glob is fixed-length pieces between stars, and matching
// each piece at its earliest place is never worse than a later one (the classic wildcard matcher); a
// lookahead, which the engine never re-enters, with a back-reference to what it captured makes each star
// but the last commit to that place. Matching is then linear in the name per piece. One exception, in the
// `path` dialect: after `**`, a piece followed by `*` (which cannot cross `/`) may need a later place;
// there `**` backtracks over the name's slashes only, so patterns alternating `**` and `*` cost up to
// (slashes in the name)^(alternations): nothing for symbols, little for module paths.

/**
 * - `fnmatch`: `*` matches any run of characters including `/`, `?` one character, `[...]` a class
 *   (SUSE kabi/severities, GKI lists).
 * - `path`: `*`, `?` and `[...]` do not match `/`, `**` does (Debian's ignore-changes).
 *
 * A class JavaScript cannot compile (`[z-a]`, a range out of order) matches nothing, as Python's fnmatch
 * makes it; a `[` without its `]` is literal.
 */
export type GlobDialect = 'fnmatch' | 'path';

export function globToRegExp(pattern: string, dialect: GlobDialect): RegExp {
  const pieces: string[] = ['']; // fixed-length pieces; a star sits between each two
  const stars: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      let star = dialect === 'path' ? '[^/]' : '.';
      if (dialect === 'path' && pattern[i + 1] === '*') {
        star = '.';
        i++;
      }
      // Stars in a row are one star: the widest of them.
      if (pieces[pieces.length - 1] === '' && stars.length > 0) {
        if (star === '.') stars[stars.length - 1] = '.';
      } else {
        stars.push(star);
        pieces.push('');
      }
      continue;
    }
    let re: string;
    if (c === '?') {
      re = dialect === 'path' ? '[^/]' : '.';
    } else if (c === '[' && pattern.indexOf(']', i + (pattern[i + 1] === '!' ? 3 : 2)) !== -1) {
      const end = pattern.indexOf(']', i + (pattern[i + 1] === '!' ? 3 : 2));
      // As fnmatch's FNM_PATHNAME: in the path dialect a class never matches `/`.
      re = (dialect === 'path' ? '(?!/)' : '') + bracket(pattern.slice(i + 1, end));
      i = end;
    } else {
      re = c.replace(/[.*+?^${}()|[\\\]]/g, '\\$&');
    }
    pieces[pieces.length - 1] += re;
  }
  let source = `^${pieces[0]}`;
  let group = 0;
  for (let k = 0; k < stars.length; k++) {
    const next = pieces[k + 1]!;
    // The last star is greedy up to the anchored end: one star alone cannot blow up.
    if (k === stars.length - 1) source += `${stars[k]}*${next}`;
    // `**` then `*`: a later place can be the one that leaves no `/` for the `*`, but among the places
    // that start after the same `/`, the earliest still is best: `**` chooses the `/` (backtracking over
    // the slashes only), the piece then commits.
    else if (stars[k] === '.' && stars[k + 1] !== '.') source += `(?:.*\\/)?(?=([^/]*?${next}))\\${++group}`;
    else source += `(?=(${stars[k]}*?${next}))\\${++group}`;
  }
  return new RegExp(`${source}$`);
}

/** `[...]` as one RegExp class: a `]` first is a member (as in the shell), never the class's end. */
function bracket(inner: string): string {
  let body = inner.replace(/\\/g, '\\\\');
  const negated = body.startsWith('!');
  if (negated) body = body.slice(1);
  if (body.startsWith(']')) body = `\\${body}`;
  const re = `[${negated ? '^' : ''}${body}]`;
  try {
    new RegExp(re);
    return re;
  } catch {
    return '(?!)';
  }
}

export function hasGlobChars(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}
