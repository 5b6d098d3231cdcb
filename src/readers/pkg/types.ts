// The one interface every package reader (.deb, .rpm, a directory tree) offers to the rest of kabi-tracker,
// so that finding a kernel's modules, symvers and System.map does not depend on how it was shipped.

import { DEFAULT_MAX_RATIO } from '../compression.js';

export type ArtifactKind = 'deb' | 'rpm' | 'directory';

export interface PackageMetadata {
  /** deb `Package`, rpm NAME; null for a directory. */
  name: string | null;
  /** deb `Version` (whole, with epoch and revision), rpm VERSION. */
  version: string | null;
  /** rpm RELEASE; null for deb, whose revision stays inside `version`. */
  release: string | null;
  /** deb `Architecture`, rpm ARCH. */
  arch: string | null;
  /** rpm only: PROVIDENAME/FLAGS/VERSION as `NAME [OP VERSION]` lines, as `rpm -qp --provides` prints them. */
  provides: string[];
  /** rpm only: REQUIRENAME/FLAGS/VERSION, as `rpm -qp --requires` prints them. */
  requires: string[];
  /** deb: every control field (`Source`, `Depends`, ...); rpm: the extra tags decoded, by rpm's tag names. */
  fields: Record<string, string>;
}

export interface ArtifactFile {
  /** Normalised: relative to the package root, no leading `./` or `/`, no `.` or `..` components. */
  path: string;
  /** Bytes in `data`; 0 for links. */
  size: number;
  /** The whole file; empty for links. */
  data: Buffer;
  /** st_mode: file type bits (0o100000 regular, 0o120000 symlink) and permissions. */
  mode: number;
  /** Symlinks only: the target as stored (absolute or relative, never resolved). */
  linkTarget?: string;
  /** tar hard links only: the normalised path of the earlier entry that holds the data. */
  hardLinkTarget?: string;
}

export interface ArtifactSource {
  kind: ArtifactKind;
  /** The path given to openArtifact. */
  source: string;
  metadata(): Promise<PackageMetadata>;
  /**
   * Streams the regular files (and, as records with `linkTarget`, symlinks) whose path `wanted` accepts;
   * data is read only for wanted files; others are skipped without buffering.
   */
  files(wanted: (path: string) => boolean, opts?: FilesOptions): AsyncIterable<ArtifactFile>;
  /** Every symlink: normalised path → target as stored. */
  symlinks?(): Promise<Map<string, string>>;
}

export interface FilesOptions {
  /**
   * A file's `data` may be a view into the decoded stream's chunk (1 MiB) rather than a copy: no copy and
   * no allocation per file, but a file held keeps its chunk alive. For a caller that reads each file and
   * lets it go (a kernel package's 4,000 modules: 400 MB less copied, and far less garbage collection).
   * A .deb honours it; other sources copy as always.
   */
  views?: boolean;
  /**
   * Each file's `data` is used only until the next file is asked for (the caller copies out what it
   * keeps): views as above, and the stream's chunks reused rather than left to the collector. A file's
   * data is detached (empty) once the next is read. A .deb honours it.
   */
  lend?: boolean;
  /**
   * The files the caller keeps (by path): each read into a buffer of its own, neither a view nor lent, so
   * that the caller need not copy it again (a 33 MB arm64 Image was copied twice, each time into fresh
   * pages). Sources that copy every file honour it as they are.
   */
  keep?: (path: string) => boolean;
}

/** What an archive entry is, for the readers' internal selection (files() selects by path only). */
export type EntryType = 'file' | 'symlink' | 'link';
export type Select = (path: string, type: EntryType) => boolean;

export interface ArtifactOptions {
  /** Cap on the decompressed bytes of one package stream (data.tar, rpm payload). Default 8 GiB. */
  maxTotal?: number;
  /** Cap on one file read into memory. Default 1 GiB. */
  maxFile?: number;
  /** Cap on a package stream's decompressed bytes per compressed byte read. Default DEFAULT_MAX_RATIO. */
  maxRatio?: number;
}

export interface Limits {
  maxTotal: number;
  maxFile: number;
  maxRatio: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxTotal: 8 * 1024 ** 3,
  maxFile: 1024 ** 3,
  maxRatio: DEFAULT_MAX_RATIO,
};

export function limitsOf(opts: ArtifactOptions | undefined): Limits {
  return {
    maxTotal: opts?.maxTotal ?? DEFAULT_LIMITS.maxTotal,
    maxFile: opts?.maxFile ?? DEFAULT_LIMITS.maxFile,
    maxRatio: opts?.maxRatio ?? DEFAULT_LIMITS.maxRatio,
  };
}

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFDIR = 0o040000;
export const EMPTY = Buffer.alloc(0);
