// What the main rpm header says about a package, decoded the way rpm itself prints it.
import { ArtifactFormatError } from '../../errors.js';
import { headerNumbers, headerString, headerStrings, type RpmHeader } from './rpm-header.js';

/** rpmsenseFlags comparison bits (rpm's include/rpm/rpmds.h). */
const RPMSENSE_LESS = 1 << 1;
const RPMSENSE_GREATER = 1 << 2;
const RPMSENSE_EQUAL = 1 << 3;
const RPMSENSE_SENSEMASK = 15;

const DEPENDENCY_TAGS = {
  PROVIDE: { name: 1047, flags: 1112, version: 1113 },
  REQUIRE: { name: 1049, flags: 1048, version: 1050 },
} as const;

/**
 * `NAME [OP VERSION]` lines as `rpm -qp --provides` / `--requires` print them (rpm's rpmdsNewDNEVR):
 * the name; then, when a comparison bit is set, a space and `<`, `>`, `=` in that order; then, when the
 * version is not empty, a space and the version.
 */
export function rpmDependencies(main: RpmHeader, kind: keyof typeof DEPENDENCY_TAGS): string[] {
  const tags = DEPENDENCY_TAGS[kind];
  const names = headerStrings(main, tags.name, `${kind}NAME`) ?? [];
  const flags = headerNumbers(main, tags.flags, `${kind}FLAGS`) ?? [];
  const versions = headerStrings(main, tags.version, `${kind}VERSION`) ?? [];
  for (const [what, list] of [
    [`${kind}FLAGS`, flags],
    [`${kind}VERSION`, versions],
  ] as const) {
    if (list.length !== 0 && list.length !== names.length) {
      throw new ArtifactFormatError(`${what} has ${list.length} entries, ${kind}NAME ${names.length}`, {
        source: main.source,
        section: 'header',
      });
    }
  }
  return names.map((name, i) => formatDependency(name, flags[i] ?? 0, versions[i] ?? ''));
}

export function formatDependency(name: string, flags: number, version: string): string {
  let text = name;
  if ((flags & RPMSENSE_SENSEMASK) !== 0) {
    text += ' ';
    if (flags & RPMSENSE_LESS) text += '<';
    if (flags & RPMSENSE_GREATER) text += '>';
    if (flags & RPMSENSE_EQUAL) text += '=';
  }
  if (version !== '') text += ` ${version}`;
  return text;
}

/** Tags worth carrying in `fields`, by the names `rpm --querytags` gives them. */
const FIELD_TAGS: [number, string][] = [
  [1003, 'EPOCH'],
  [1004, 'SUMMARY'],
  [1006, 'BUILDTIME'],
  [1007, 'BUILDHOST'],
  [1009, 'SIZE'],
  [1010, 'DISTRIBUTION'],
  [1011, 'VENDOR'],
  [1014, 'LICENSE'],
  [1015, 'PACKAGER'],
  [1016, 'GROUP'],
  [1020, 'URL'],
  [1021, 'OS'],
  [1044, 'SOURCERPM'],
  [1064, 'RPMVERSION'],
  [1124, 'PAYLOADFORMAT'],
  [1125, 'PAYLOADCOMPRESSOR'],
  [1126, 'PAYLOADFLAGS'],
  [1132, 'PLATFORM'],
];

export function rpmFields(main: RpmHeader): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [tag, name] of FIELD_TAGS) {
    const entry = main.entries.get(tag);
    if (entry === undefined) continue;
    const numeric = entry.type >= 1 && entry.type <= 5;
    const value = numeric ? headerNumbers(main, tag, name)?.join(' ') : headerString(main, tag, name);
    if (value !== undefined && value !== null) fields[name] = value;
  }
  return fields;
}
