// Shell-style patterns used by kABI policy files. Hand-written: the two dialects below differ from
// picomatch/minimatch defaults (SUSE's `*` crosses `/`; neither treats dot files specially), and each is a
// few lines.

/**
 * - `fnmatch`: `*` matches any run of characters including `/`, `?` one character, `[...]` a class
 *   (SUSE kabi/severities, GKI lists).
 * - `path`: `*` and `?` do not cross `/`, `**` does (Debian's ignore-changes).
 */
export type GlobDialect = 'fnmatch' | 'path';

export function globToRegExp(pattern: string, dialect: GlobDialect): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (dialect === 'path' && pattern[i + 1] === '*') {
        re += '.*';
        i++;
      } else {
        re += dialect === 'path' ? '[^/]*' : '.*';
      }
    } else if (c === '?') {
      re += dialect === 'path' ? '[^/]' : '.';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        re += '\\[';
      } else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else {
      re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

export function hasGlobChars(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}
