// The cpio archive inside an rpm payload, "new ASCII" (newc) format as rpm writes it (rpm's lib/cpio.c,
// cpio(5)). Hand-written: no maintained npm package streams newc with hard links and size caps.
//
//   per entry, a 110-byte header of ASCII hex fields:
//     c_magic[6] "070701" (or "070702": c_check is the byte sum of the data)
//     c_ino c_mode c_uid c_gid c_nlink c_mtime c_filesize c_devmajor c_devminor
//     c_rdevmajor c_rdevminor c_namesize c_check                        8 hex digits each
//   the name, c_namesize bytes with its NUL, padded so that header + name is a multiple of 4
//   the data, c_filesize bytes (a symlink's target), padded to a multiple of 4
//   ... and last an entry named "TRAILER!!!".
//
// Hard links share c_ino; the data travels with the last of them and the others have c_filesize 0, so
// those names wait (names only, never data) until the data comes. rpm's "07070X" headers (payloads with
// files over 4 GiB, names kept in the rpm header) are refused: kernel packages do not use them.
import { ArtifactFormatError, excerptOf } from '../../errors.js';
import type { ChunkReader } from './chunk-reader.js';
import { normaliseEntryPath } from './entry-path.js';
import { type ArtifactFile, EMPTY, S_IFLNK, S_IFMT, S_IFREG, type Select } from './types.js';

const HEADER_SIZE = 110;
const TRAILER = 'TRAILER!!!';
/** Longer names or link targets than this are corrupt data (PATH_MAX is 4096). */
const MAX_NAME = 1 << 16;

export interface CpioContext {
  source: string;
  section: string;
  maxFile: number;
}

interface CpioEntry {
  name: string;
  mode: number;
  nlink: number;
  size: number;
  check: number;
  /** 070702 headers carry a checksum. */
  crc: boolean;
  /** Hard links share it: device and inode. */
  key: string;
  /** Where the header starts. */
  at: number;
}

/** The regular files and symlinks `select` accepts; reads the payload to its end. */
export async function* cpioFiles(
  reader: ChunkReader,
  select: Select,
  ctx: CpioContext,
): AsyncGenerator<ArtifactFile> {
  const waiting = new Map<string, { names: string[]; mode: number }>();
  for (;;) {
    const entry = await readHeader(reader, ctx);
    if (entry.name === TRAILER) break;
    yield* readEntry(reader, entry, select, waiting, ctx);
  }
  // Link sets whose data never came are empty files.
  for (const { names, mode } of waiting.values()) {
    for (const path of names) if (select(path, 'file')) yield { path, size: 0, data: EMPTY, mode };
  }
  // Read on past the trailer so that the decompressor sees, and checks, the end of its stream.
  await reader.drain();
}

async function readHeader(reader: ChunkReader, ctx: CpioContext): Promise<CpioEntry> {
  const at = reader.position;
  const head = await reader.read(HEADER_SIZE, false);
  const err = (reason: string) =>
    new ArtifactFormatError(reason, { source: ctx.source, section: ctx.section, offset: at });
  if (head.length === 0) throw err(`cpio data ends without its ${TRAILER} entry (truncated?)`);
  if (head.length < 6) throw err('cpio header cut short (truncated?)');
  const magic = head.toString('latin1', 0, 6);
  if (magic === '07070X') {
    throw err('cpio header "07070X" (rpm payload for files over 4 GiB) is not supported');
  }
  if (magic !== '070701' && magic !== '070702') {
    throw err(`expected the cpio newc magic "070701", found ${JSON.stringify(magic)}`);
  }
  if (head.length < HEADER_SIZE)
    throw err(`cpio header cut short, ${head.length} of its ${HEADER_SIZE} bytes (truncated?)`);
  const field = (i: number, fail: (reason: string) => Error): number => {
    const text = head.toString('latin1', 6 + 8 * i, 14 + 8 * i);
    if (!/^[0-9a-fA-F]{8}$/.test(text)) {
      throw fail(`expected 8 hex digits for ${FIELDS[i]}, found ${JSON.stringify(text)}`);
    }
    return Number.parseInt(text, 16);
  };
  const namesize = field(11, err);
  if (namesize < 2 || namesize > MAX_NAME)
    throw err(`cpio c_namesize ${namesize} is absurd (2 to ${MAX_NAME})`);
  const nameBytes = await reader.read(namesize, false);
  if (nameBytes.length < namesize) throw err('cpio entry name cut short (truncated?)');
  if (nameBytes[namesize - 1] !== 0) throw err('cpio entry name does not end with a NUL byte');
  const name = nameBytes.toString('utf8', 0, namesize - 1);
  // The header is read whole before its fields are judged, so that a bad one is named by its entry.
  const named = (reason: string) => err(`cpio header of "${excerptOf(name, 60)}": ${reason}`);
  const entry = {
    name,
    mode: field(1, named),
    nlink: field(4, named),
    size: field(6, named),
    check: field(12, named),
    crc: magic === '070702',
    key: `${field(7, named)}:${field(8, named)}:${field(0, named)}`,
    at,
  };
  await skipExactly(reader, pad4(HEADER_SIZE + namesize), ctx, name);
  return entry;
}

/** The newc header's fields after c_magic, in order (cpio(5)). */
const FIELDS = [
  'c_ino',
  'c_mode',
  'c_uid',
  'c_gid',
  'c_nlink',
  'c_mtime',
  'c_filesize',
  'c_devmajor',
  'c_devminor',
  'c_rdevmajor',
  'c_rdevminor',
  'c_namesize',
  'c_check',
];

async function* readEntry(
  reader: ChunkReader,
  entry: CpioEntry,
  select: Select,
  waiting: Map<string, { names: string[]; mode: number }>,
  ctx: CpioContext,
): AsyncGenerator<ArtifactFile> {
  const type = entry.mode & S_IFMT;
  const path = normaliseEntryPath(entry.name, { ...ctx, offset: entry.at });
  const padding = pad4(entry.size);
  if (type === S_IFREG && entry.nlink > 1 && entry.size === 0) {
    const set = waiting.get(entry.key) ?? { names: [], mode: entry.mode };
    set.names.push(path);
    waiting.set(entry.key, set);
    return;
  }
  if (type === S_IFLNK && path !== '') {
    if (entry.size > MAX_NAME) throw sizeError(entry, `symlink target of ${entry.size} bytes is absurd`, ctx);
    const target = (await readExactly(reader, entry, ctx, false)).toString('utf8');
    await skipExactly(reader, padding, ctx, entry.name);
    if (select(path, 'symlink')) yield { path, size: 0, data: EMPTY, mode: entry.mode, linkTarget: target };
    return;
  }
  const names = type === S_IFREG && path !== '' ? [path] : [];
  if (entry.nlink > 1) names.push(...(waiting.get(entry.key)?.names ?? []));
  waiting.delete(entry.key);
  const chosen = names.filter((p) => select(p, 'file'));
  if (chosen.length === 0) {
    await skipExactly(reader, entry.size + padding, ctx, entry.name);
    return;
  }
  if (entry.size > ctx.maxFile) {
    throw sizeError(entry, `${path} is ${entry.size} bytes, over the per-file limit of ${ctx.maxFile}`, ctx);
  }
  const data = await readExactly(reader, entry, ctx, true);
  if (entry.crc && byteSum(data) !== entry.check) {
    throw sizeError(entry, `${entry.name}: data does not match its 070702 checksum`, ctx);
  }
  await skipExactly(reader, padding, ctx, entry.name);
  for (const p of chosen) yield { path: p, size: data.length, data, mode: entry.mode };
}

async function readExactly(reader: ChunkReader, entry: CpioEntry, ctx: CpioContext, copy: boolean) {
  const data = await reader.read(entry.size, copy);
  if (data.length < entry.size) {
    const reason = `${entry.name}: expected ${entry.size} bytes of data, found ${data.length} (truncated?)`;
    throw sizeError(entry, reason, ctx);
  }
  return data;
}

async function skipExactly(reader: ChunkReader, n: number, ctx: CpioContext, name: string): Promise<void> {
  const at = reader.position;
  if ((await reader.skip(n)) < n) {
    throw new ArtifactFormatError(`cpio data ends inside ${name} (truncated?)`, {
      source: ctx.source,
      section: ctx.section,
      offset: at,
    });
  }
}

function sizeError(entry: CpioEntry, reason: string, ctx: CpioContext): ArtifactFormatError {
  return new ArtifactFormatError(reason, { source: ctx.source, section: ctx.section, offset: entry.at });
}

function byteSum(data: Buffer): number {
  let sum = 0;
  for (const b of data) sum = (sum + b) >>> 0;
  return sum;
}

/** Bytes that pad `n` to a multiple of 4. */
function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}
