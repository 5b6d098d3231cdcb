// Archive member names as packages spell them (`./lib/modules/...` in .deb tars and rpm cpio payloads,
// `lib/...` from other tools) are turned into one form, so `wanted` and callers see the same paths.
import { ArtifactFormatError, type FormatErrorContext } from '../../errors.js';

/** `./a//b/./c` → `a/b/c`; '' for the root itself. Throws when `..` would leave the root. */
export function normaliseEntryPath(name: string, ctx: FormatErrorContext): string {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) {
        throw new ArtifactFormatError(
          `entry "${name}" leaves the package root; expected a path inside it`,
          ctx,
        );
      }
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts.join('/');
}
