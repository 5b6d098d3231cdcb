// A directory tree as an artifact: a `/lib/modules/<release>/` tree, an unpacked package, a build tree.
// Walked in name order without following any symlink (links are reported, never entered), so nothing
// outside the root is read; the root itself is resolved first, since /lib is itself a link on
// merged-/usr systems.
import { constants, type Dirent, readdirSync } from 'node:fs';
import { type FileHandle, lstat, open, readdir, readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactFormatError, UsageError } from '../../errors.js';
import { fsError } from '../file.js';
import type { ArtifactFile, ArtifactSource, Limits, PackageMetadata, Select } from './types.js';

/** Files read ahead of the consumer: enough to keep a disk queue busy, few enough to bound memory. */
const READ_AHEAD = 8;

const byName = (a: Dirent, b: Dirent) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export async function openDirectory(path: string, limits: Limits): Promise<DirectorySource> {
  let root: string;
  try {
    root = await realpath(path);
  } catch (cause) {
    throw new UsageError(`${path}: cannot resolve (${(cause as Error).message})`, { cause });
  }
  return new DirectorySource(path, root, limits);
}

export class DirectorySource implements ArtifactSource {
  readonly kind = 'directory' as const;

  constructor(
    readonly source: string,
    private readonly root: string,
    private readonly limits: Limits,
  ) {}

  async metadata(): Promise<PackageMetadata> {
    return { name: null, version: null, release: null, arch: null, provides: [], requires: [], fields: {} };
  }

  files(wanted: (path: string) => boolean): AsyncIterable<ArtifactFile> {
    return this.walk('', (path, type) => type !== 'link' && wanted(path));
  }

  /**
   * The regular files `wanted` accepts, in walk order, with where they are on disk, unread: for readers
   * that read a few ranges of each file rather than all of it (a module's `__versions`).
   */
  async regularFiles(wanted: (path: string) => boolean): Promise<{ path: string; absolute: string }[]> {
    // Listed synchronously: the caller reads nothing until the list is whole, and 900 directories of
    // a kernel's tree each awaited from the thread pool took twice the CPU of readdirSync (4,022 modules:
    // ~90 ms against ~45) and left the process idle between them.
    const picked: { path: string; absolute: string }[] = [];
    const walk = (rel: string) => {
      for (const entry of this.listSync(rel)) {
        const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
        if (entry.isDirectory()) walk(path);
        else if (entry.isFile() && wanted(path)) picked.push({ path, absolute: join(this.root, path) });
      }
    };
    walk('');
    return picked;
  }

  async symlinks(): Promise<Map<string, string>> {
    const links = new Map<string, string>();
    for await (const f of this.walk('', (_, type) => type === 'symlink'))
      links.set(f.path, f.linkTarget ?? '');
    return links;
  }

  /**
   * Names first (readdir alone), then the files read a few at a time ahead of the consumer, in name
   * order: one read at a time leaves the disk and the CPU idle in turn (4,022 modules: most of the time).
   */
  private async *walk(rel: string, select: Select): AsyncGenerator<ArtifactFile> {
    const picked: { path: string; link: boolean }[] = [];
    await this.names(rel, select, picked);
    const pending: Promise<ArtifactFile>[] = [];
    let next = 0;
    const fill = () => {
      while (pending.length < READ_AHEAD && next < picked.length) {
        const p = picked[next++]!;
        const read = p.link ? this.link(p.path) : this.file(p.path);
        read.catch(() => {}); // awaited in order below; a failure surfaces there, not as unhandled
        pending.push(read);
      }
    };
    fill();
    while (pending.length > 0) {
      const file = await pending.shift()!;
      fill();
      yield file;
    }
  }

  private async names(rel: string, select: Select, out: { path: string; link: boolean }[]): Promise<void> {
    for (const entry of await this.list(rel)) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) await this.names(path, select, out);
      else if (entry.isSymbolicLink()) {
        if (select(path, 'symlink')) out.push({ path, link: true });
      } else if (entry.isFile() && select(path, 'file')) out.push({ path, link: false });
    }
  }

  private async list(rel: string): Promise<Dirent[]> {
    try {
      return (await readdir(join(this.root, rel), { withFileTypes: true })).sort(byName);
    } catch (cause) {
      throw new UsageError(`${join(this.source, rel)}: cannot list (${(cause as Error).message})`, { cause });
    }
  }

  /** list, synchronously (regularFiles). */
  private listSync(rel: string): Dirent[] {
    try {
      return readdirSync(join(this.root, rel), { withFileTypes: true }).sort(byName);
    } catch (cause) {
      throw new UsageError(`${join(this.source, rel)}: cannot list (${(cause as Error).message})`, { cause });
    }
  }

  private async link(path: string): Promise<ArtifactFile> {
    const abs = join(this.root, path);
    try {
      const [target, st] = await Promise.all([readlink(abs), lstat(abs)]);
      return { path, size: 0, data: Buffer.alloc(0), mode: st.mode, linkTarget: target };
    } catch (cause) {
      throw new UsageError(`${join(this.source, path)}: cannot read link (${(cause as Error).message})`, {
        cause,
      });
    }
  }

  /**
   * One open (O_NOFOLLOW: a file swapped for a link after the walk is refused, not followed), one fstat for
   * size and mode, one read of exactly that size: half the round trips of lstat + readFile.
   */
  private async file(path: string): Promise<ArtifactFile> {
    const abs = join(this.root, path);
    const shown = join(this.source, path);
    let handle: FileHandle;
    try {
      handle = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (cause) {
      throw fsError(shown, 'a file of the tree', cause);
    }
    try {
      const st = await handle.stat();
      if (st.size > this.limits.maxFile) {
        throw new ArtifactFormatError(
          `${path} is ${st.size} bytes, over the per-file limit of ${this.limits.maxFile}`,
          { source: this.source },
        );
      }
      const data = Buffer.allocUnsafe(st.size);
      let got = 0;
      while (got < st.size) {
        const { bytesRead } = await handle.read(data, got, st.size - got, got);
        if (bytesRead === 0) break; // shrank while read: what was there
        got += bytesRead;
      }
      const bytes = got === st.size ? data : data.subarray(0, got);
      return { path, size: bytes.length, data: bytes, mode: st.mode };
    } catch (cause) {
      if (cause instanceof ArtifactFormatError) throw cause;
      throw fsError(shown, 'a file of the tree', cause);
    } finally {
      await handle.close();
    }
  }
}
