// An RPM (yum/dnf) repository's metadata (createrepo_c; the schema at rpm-software-management/createrepo_c):
//
//   repodata/repomd.xml       <repomd><revision>1700000000</revision>
//                               <data type="primary"><checksum type="sha256">…</checksum>
//                                 <location href="repodata/…-primary.xml.gz"/><size>…</size></data>…
//   repodata/…-primary.xml.gz <metadata packages="N"><package type="rpm"><name>kernel-core</name>
//                               <arch>x86_64</arch><version epoch="0" ver="5.14.0" rel="362.8.1.el9_3"/>
//                               <checksum type="sha256" pkgid="YES">…</checksum>
//                               <location href="Packages/k/…rpm"/><size package="…"/><format>…</format>
//
// fast-xml-parser reads both (a well-kept parser; XML is not a format to hand-write). A package's
// `<format>` (its file list and dependencies: most of primary.xml) is left unparsed.
import { XMLParser } from 'fast-xml-parser';
import { ArtifactFormatError } from '../../errors.js';

export interface RepoChecksum {
  /** `sha256`, `sha512`, `sha1` (createrepo's `sha` is sha1), as node:crypto names them. */
  algorithm: string;
  /** Lower-case hex. */
  hex: string;
}

export interface RepomdData {
  type: string;
  /** Path below the repository root. */
  href: string;
  checksum: RepoChecksum;
  size: number | null;
}

export interface Repomd {
  revision: string | null;
  data: RepomdData[];
}

export interface RpmPackage {
  name: string;
  arch: string;
  epoch: string;
  version: string;
  release: string;
  /** Path below the repository root. */
  href: string;
  size: number;
  checksum: RepoChecksum;
}

const ALGORITHMS = new Map([
  ['sha256', 'sha256'],
  ['sha512', 'sha512'],
  ['sha384', 'sha384'],
  ['sha1', 'sha1'],
  ['sha', 'sha1'],
]);

type Node = Record<string, unknown>;

const parser = () =>
  new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (name) => name === 'data' || name === 'package',
    stopNodes: ['metadata.package.format'],
  });

function parseXml(text: string, source: string): Node {
  try {
    return parser().parse(text, true) as Node;
  } catch (e) {
    const err = e as { message?: string; err?: { msg?: string; line?: number } };
    const line = err.err?.line;
    throw new ArtifactFormatError(`not well-formed XML (${err.err?.msg ?? err.message})`, {
      source,
      line,
      cause: e,
    });
  }
}

const text = (v: unknown): string | null =>
  typeof v === 'string'
    ? v.trim()
    : typeof v === 'object' && v !== null && '#text' in v
      ? String((v as Node)['#text']).trim()
      : null;

function checksumOf(node: unknown, source: string, what: string): RepoChecksum {
  const hex = text(node)?.toLowerCase() ?? '';
  const type = String((node as Node | null)?.['@type'] ?? '');
  const algorithm = ALGORITHMS.get(type);
  if (algorithm === undefined || !/^[0-9a-f]+$/.test(hex)) {
    throw new ArtifactFormatError(
      `${what}: expected <checksum type="sha256">hex</checksum>, got type "${type}"`,
      {
        source,
      },
    );
  }
  return { algorithm, hex };
}

/** Parses repodata/repomd.xml. */
export function parseRepomd(xml: string, opts: { source: string }): Repomd {
  const root = parseXml(xml, opts.source).repomd as Node | undefined;
  if (root === undefined) throw new ArtifactFormatError('no <repomd> element', { source: opts.source });
  const data = ((root.data as Node[] | undefined) ?? []).map((d): RepomdData => {
    const type = String(d['@type'] ?? '');
    const href = String((d.location as Node | undefined)?.['@href'] ?? '');
    if (type === '' || href === '')
      throw new ArtifactFormatError('<data> without type or <location href>', { source: opts.source });
    const size = text(d.size);
    return {
      type,
      href,
      checksum: checksumOf(d.checksum, opts.source, `<data type="${type}">`),
      size: size === null ? null : Number(size),
    };
  });
  return { revision: text(root.revision), data };
}

/** Parses primary.xml (decompressed): every package with what is needed to download and verify it. */
export function parsePrimary(xml: string, opts: { source: string }): RpmPackage[] {
  const root = parseXml(xml, opts.source).metadata as Node | undefined;
  if (root === undefined) throw new ArtifactFormatError('no <metadata> element', { source: opts.source });
  return ((root.package as Node[] | undefined) ?? []).map((p, i) => {
    const name = text(p.name) ?? '';
    const v = (p.version as Node | undefined) ?? {};
    const href = String((p.location as Node | undefined)?.['@href'] ?? '');
    const size = Number((p.size as Node | undefined)?.['@package']);
    if (name === '' || href === '' || !Number.isSafeInteger(size) || v['@ver'] === undefined) {
      const reason = `package ${i + 1} (${name || 'no name'}) lacks <name>, <version ver>, <location href> or <size package>`;
      throw new ArtifactFormatError(reason, { source: opts.source });
    }
    return {
      name,
      arch: text(p.arch) ?? '',
      epoch: String(v['@epoch'] ?? '0'),
      version: String(v['@ver']),
      release: String(v['@rel'] ?? ''),
      href,
      size,
      checksum: checksumOf(p.checksum, opts.source, `package ${name}`),
    };
  });
}
