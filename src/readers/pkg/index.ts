// Kernel packages as artifacts: openArtifact() recognises a .deb, an .rpm or a directory by content
// (magic bytes, stat), never by name, and returns one ArtifactSource whatever the kind. The formats are
// described in docs/formats/packages.md; each reader's file opens with its layout.
import { ArtifactFormatError } from '../../errors.js';
import { type Artifact, unexpectedKind } from '../artifact.js';
import { isDirectory } from '../file.js';
import { AR_MAGIC, hexBytes } from './ar.js';
import { openDeb } from './deb.js';
import { openDirectory } from './directory.js';
import { PackageFile } from './package-file.js';
import { isRpmLead, openRpm } from './rpm.js';
import { type ArtifactOptions, type ArtifactSource, limitsOf } from './types.js';

export type {
  ArtifactFile,
  ArtifactKind,
  ArtifactOptions,
  ArtifactSource,
  FilesOptions,
  PackageMetadata,
} from './types.js';
export { DEFAULT_LIMITS } from './types.js';

const EXPECTED = 'a .deb (ar magic "!<arch>\\n"), an .rpm (lead magic ed ab ee db) or a directory';

/** Opens a package or directory; checks its outer structure now and reads contents on demand. */
export async function openArtifact(path: string, opts?: ArtifactOptions): Promise<ArtifactSource> {
  const limits = limitsOf(opts);
  if (await isDirectory(path, EXPECTED)) return openDirectory(path, limits);
  const file = await PackageFile.open(path);
  const head = await file.read(0, Math.min(AR_MAGIC.length, file.size), 'start', 'magic bytes');
  if (isRpmLead(head)) return openRpm(file, limits);
  if (head.toString('latin1') === AR_MAGIC) return openDeb(file, limits);
  const found = head.length === 0 ? 'an empty file' : hexBytes(head);
  throw new ArtifactFormatError(`expected ${EXPECTED}, found ${found}`, { source: path, offset: 0 });
}

/** Opens an artifact already sniffed as a package or tree, without looking at its bytes again. */
export async function openPackage(artifact: Artifact, opts?: ArtifactOptions): Promise<ArtifactSource> {
  const limits = limitsOf(opts);
  switch (artifact.kind) {
    case 'tree':
      return openDirectory(artifact.path, limits);
    case 'deb':
      return openDeb(await PackageFile.open(artifact.path), limits);
    case 'rpm':
      return openRpm(await PackageFile.open(artifact.path), limits);
    default:
      throw unexpectedKind(artifact, EXPECTED);
  }
}
