// .deb packages (deb(5), dpkg-deb(1)): an ar archive (ar.ts) whose members are, in order,
//
//   debian-binary                 "2.0\n": the format version (major 2)
//   _*                            optional members dpkg ignores (signatures)
//   control.tar[.gz|.xz|.zst]     ./control (deb822 fields: Package, Version, Architecture, ...), md5sums,
//                                 maintainer scripts
//   data.tar[.gz|.xz|.zst|.bz2]   the files, as they install under /
//
// Each tar streams from the file through its decompressor (chosen by magic bytes, never by the member
// name) into tar.ts.
import { ArtifactFormatError } from '../../errors.js';
import { DEFAULT_MAX_OUTPUT } from '../compression.js';
import { type ArMember, arMembers } from './ar.js';
import type { PackageFile } from './package-file.js';
import { decodePayload, SNIFF_BYTES, sniffCompression } from './payload.js';
import { tarFiles } from './tar.js';
import type { ArtifactFile, ArtifactSource, FilesOptions, Limits, PackageMetadata, Select } from './types.js';

/** dpkg allows a few `_` members between debian-binary and control.tar; more than this is not a .deb. */
const MAX_MEMBERS_BEFORE_DATA = 16;
/** control.tar holds a few small files; its control file is a page of text. */
const MAX_CONTROL_FILE = 16 * 1024 * 1024;

interface DebMembers {
  control: ArMember;
  data: ArMember;
}

export async function openDeb(file: PackageFile, limits: Limits): Promise<ArtifactSource> {
  return new DebSource(file, await debMembers(file), limits);
}

async function debMembers(file: PackageFile): Promise<DebMembers> {
  const err = (reason: string, m?: ArMember) =>
    new ArtifactFormatError(reason, {
      source: file.path,
      section: m?.name ?? 'ar archive',
      offset: m?.headerOffset,
    });
  let seen = 0;
  let control: ArMember | undefined;
  for await (const m of arMembers(file)) {
    if (seen++ === 0) {
      if (m.name !== 'debian-binary')
        throw err(`expected the first member to be debian-binary, found "${m.name}"`, m);
      const version = (await file.read(m.offset, Math.min(m.size, 16), m.name, m.name)).toString('latin1');
      if (!/^2\.\d+\n/.test(version))
        throw err(`expected format version "2.x", found ${JSON.stringify(version)}`, m);
    } else if (m.name.startsWith('_')) {
      // dpkg-sig and friends; dpkg ignores them.
    } else if (control === undefined) {
      if (!m.name.startsWith('control.tar')) throw err(`expected a control.tar member, found "${m.name}"`, m);
      control = m;
    } else {
      if (!m.name.startsWith('data.tar')) throw err(`expected a data.tar member, found "${m.name}"`, m);
      return { control, data: m };
    }
    if (seen > MAX_MEMBERS_BEFORE_DATA) throw err(`no data.tar among the first ${seen} members`, m);
  }
  const missing = seen === 0 ? 'debian-binary' : control === undefined ? 'control.tar' : 'data.tar';
  throw new ArtifactFormatError(`the ar archive ends without a ${missing} member (truncated?)`, {
    source: file.path,
    section: 'ar archive',
    offset: file.size,
  });
}

class DebSource implements ArtifactSource {
  readonly kind = 'deb' as const;
  readonly source: string;
  private meta: Promise<PackageMetadata> | undefined;

  constructor(
    private readonly file: PackageFile,
    private readonly members: DebMembers,
    private readonly limits: Limits,
  ) {
    this.source = file.path;
  }

  metadata(): Promise<PackageMetadata> {
    this.meta ??= this.readControl();
    return this.meta;
  }

  files(wanted: (path: string) => boolean, opts?: FilesOptions): AsyncIterable<ArtifactFile> {
    return this.member(this.members.data, (path) => wanted(path), this.limits, opts);
  }

  async symlinks(): Promise<Map<string, string>> {
    const links = new Map<string, string>();
    for await (const f of this.member(this.members.data, (_, type) => type === 'symlink', this.limits)) {
      links.set(f.path, f.linkTarget ?? '');
    }
    return links;
  }

  private async readControl(): Promise<PackageMetadata> {
    const { control } = this.members;
    const limits = {
      maxTotal: Math.min(this.limits.maxTotal, DEFAULT_MAX_OUTPUT),
      maxFile: MAX_CONTROL_FILE,
      maxRatio: this.limits.maxRatio,
    };
    let text: string | null = null;
    for await (const f of this.member(
      control,
      (path, type) => path === 'control' && type === 'file',
      limits,
    )) {
      text = f.data.toString('utf8');
    }
    if (text === null) {
      throw new ArtifactFormatError('expected a ./control file in control.tar, found none', {
        source: this.source,
        section: control.name,
      });
    }
    const fields = parseControl(text, this.source, `${control.name} control`);
    const field = (name: string) => fields[name] ?? null;
    return {
      name: field('Package'),
      version: field('Version'),
      release: null,
      arch: field('Architecture'),
      provides: [],
      requires: [],
      fields,
    };
  }

  private async *member(
    m: ArMember,
    select: Select,
    limits: Limits,
    { views = false, lend = false, keep }: FilesOptions = {},
  ): AsyncGenerator<ArtifactFile> {
    const head = await this.file.read(m.offset, Math.min(SNIFF_BYTES, m.size), m.name, m.name);
    const compression = sniffCompression(head);
    const chunks = this.file.chunks(m.offset, m.offset + m.size, m.name);
    const decoded = decodePayload(chunks, compression, {
      source: this.source,
      section: m.name,
      size: m.size,
      file: { path: this.file.path, start: m.offset, end: m.offset + m.size },
      // Files copied out of the chunks (views off), or lent: the tar reader holds a chunk only until the next.
      lend: lend || !views,
      ...limits,
    });
    const tarName = m.name.replace(/^((?:control|data)\.tar).*$/, '$1');
    yield* tarFiles(decoded, select, {
      source: this.source,
      section: tarName,
      maxFile: limits.maxFile,
      views: views || lend,
      lend,
      ...(keep ? { keep } : {}),
    });
  }
}

/** One deb822 paragraph: `Field: value`, continuation lines starting with a space or tab. */
export function parseControl(text: string, source: string, section: string): Record<string, string> {
  const fields: Record<string, string> = {};
  let current: string | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') {
      if (current !== null) break; // the end of the paragraph
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (current === null) throw controlError(`continuation line before any field`, source, section, i + 1);
      fields[current] += `\n${line}`;
      continue;
    }
    const m = /^([!-9;-~][!-9;-~]*):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (m === null) throw controlError('expected "Field: value"', source, section, i + 1);
    current = m[1]!;
    fields[current] = m[2]!;
  }
  return fields;
}

function controlError(reason: string, source: string, section: string, line: number) {
  return new ArtifactFormatError(reason, { source, section, line });
}
