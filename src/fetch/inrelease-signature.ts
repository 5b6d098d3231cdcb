// A Debian repository's InRelease, checked as apt checks it before it trusts the checksums it lists:
// `gpgv` (GnuPG's verify-only tool, the one apt runs) against the keyrings given, and nothing else (a
// GNUPGHOME of its own, empty: the user's keys are never trusted by accident). What is parsed afterwards
// is the text gpgv says was signed, never the file: text outside the signature cannot slip in.
//
// The file must be one OpenPGP cleartext-signed message (RFC 4880 §7) and nothing around it (apt refuses
// such files too: CVE-2013-1051 let unsigned lines after the signature through). A good signature is
// gpgv's exit status 0 with GOODSIG and VALIDSIG on its status channel (doc/DETAILS of GnuPG) and no
// BADSIG, ERRSIG, EXPSIG, EXPKEYSIG or REVKEYSIG; digests apt no longer accepts (MD5, SHA-1, RIPEMD-160)
// are refused as well. gpgv reads binary keyrings only; an armored one (`.asc`) is dearmored first, as
// apt does (RFC 4880 §6).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KabiError } from '../errors.js';
import { FetchError } from './http.js';

const SIGNED = '-----BEGIN PGP SIGNED MESSAGE-----';
const END = '-----END PGP SIGNATURE-----';
const WEAK_DIGESTS = new Map([
  ['1', 'MD5'],
  ['2', 'SHA-1'],
  ['3', 'RIPEMD-160'],
]);

export interface SignatureCheck {
  /** The URL the InRelease came from: what messages name. */
  url: string;
  /** Keyring files (binary, or armored); a signature by a key in any of them is trusted. */
  keyrings: readonly string[];
  /** The gpgv to run; default `gpgv` on PATH. */
  gpgv?: string;
}

/** The signed text of an InRelease whose signature is good by one of the keyrings; else a FetchError. */
export async function verifyInRelease(bytes: Uint8Array, o: SignatureCheck): Promise<Uint8Array> {
  const fail = (why: string) => new FetchError(`${o.url}: ${why}; not trusted`, o.url, 'integrity');
  checkShape(Buffer.from(bytes).toString('latin1'), fail);
  const dir = await mkdtemp(join(tmpdir(), 'kabi-gpgv-'));
  try {
    const keyrings = await Promise.all(
      o.keyrings.map((k, i) => binaryKeyring(k, join(dir, `keyring-${i}.gpg`))),
    );
    const file = join(dir, 'InRelease');
    await writeFile(file, bytes);
    const args = ['--status-fd', '3', '--output', '-', ...keyrings.flatMap((k) => ['--keyring', k]), file];
    const run = await runGpgv(o.gpgv ?? 'gpgv', args, { ...process.env, GNUPGHOME: dir, LC_ALL: 'C' });
    const problem = judge(run.status, run.code, o.keyrings);
    if (problem !== null) throw fail(problem);
    return run.stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One cleartext-signed message, alone in the file. */
function checkShape(text: string, fail: (why: string) => FetchError): void {
  const start = text.search(/\S/);
  if (start === -1 || !text.startsWith(SIGNED, start))
    throw fail(
      `not signed (no OpenPGP cleartext signature, RFC 4880 §7), and --keyring requires a signed InRelease`,
    );
  const end = text.indexOf(END);
  if (end === -1) throw fail('a cleartext signature header without a signature block');
  if (text.indexOf(SIGNED, start + 1) !== -1 || text.slice(end + END.length).trim() !== '')
    throw fail(
      `text outside the signed message (after byte ${end + END.length}; apt refuses such a file too)`,
    );
}

/** What gpgv's status lines say is wrong with the signature; null when it is good. */
export function judge(status: string, code: number | null, keyrings: readonly string[]): string | null {
  const lines = status.split('\n').map((l) => l.replace(/^\[GNUPG:\] /, '').split(' '));
  const first = (kw: string) => lines.find((l) => l[0] === kw);
  const who = (l: string[]) => `key ${l[1]}${l.length > 2 ? ` (${l.slice(2).join(' ')})` : ''}`;
  const bad = first('BADSIG');
  if (bad) return `BAD signature from ${who(bad)}: the file was changed after it was signed`;
  const missing = first('NO_PUBKEY') ?? lines.find((l) => l[0] === 'ERRSIG' && l[6] === '9');
  if (missing)
    return `signed by key ${missing[1]}, which none of the keyrings holds (--keyring ${keyrings.join(', ')})`;
  for (const [kw, what] of [
    ['EXPKEYSIG', 'an expired key'],
    ['REVKEYSIG', 'a revoked key'],
    ['EXPSIG', 'a signature that has expired'],
  ] as const) {
    const l = first(kw);
    if (l) return `signed with ${what}: ${who(l)}`;
  }
  const err = first('ERRSIG');
  if (err) return `gpgv could not check the signature by key ${err[1]} (ERRSIG, reason ${err[6] ?? '?'})`;
  const valid = first('VALIDSIG');
  if (!first('GOODSIG') || !valid || code !== 0)
    return `no good signature (gpgv exited ${code}${first('NODATA') ? ': no signature found' : ''})`;
  const weak = WEAK_DIGESTS.get(valid[8] ?? '');
  if (weak) return `signed with the weak digest ${weak} (key ${valid[1]}), which apt no longer accepts`;
  return null;
}

/** gpgv, its stdout (the signed text) and its status channel (fd 3). */
function runGpgv(
  gpgv: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: Uint8Array; status: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(gpgv, args, { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const status: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => status.push(d));
    child.stderr!.resume();
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new KabiError(`--keyring needs gpgv (Debian package gpgv) on PATH to check InRelease signatures`)
          : e,
      ),
    );
    child.on('close', (code) =>
      resolve({ stdout: Buffer.concat(out), status: Buffer.concat(status).toString('utf8'), code }),
    );
  });
}

const ARMOR = /-----BEGIN PGP PUBLIC KEY BLOCK-----\r?\n([\s\S]*?)-----END PGP PUBLIC KEY BLOCK-----/g;

/** The keyring as gpgv reads it: a binary one as it is, an armored one's blocks decoded into `to`. */
async function binaryKeyring(path: string, to: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new KabiError(`--keyring ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? e})`, {
      cause: e,
    });
  }
  const text = bytes.toString('latin1');
  if (!text.trimStart().startsWith('-----BEGIN PGP')) return path;
  const blocks = [...text.matchAll(ARMOR)].map((m) => {
    // Armor headers end at the first blank line; the `=XXXX` line after the data is the CRC-24.
    const body = m[1]!.replace(/\r/g, '');
    const data = body.includes('\n\n') ? body.slice(body.indexOf('\n\n') + 2) : body;
    return Buffer.from(
      data
        .split('\n')
        .filter((l) => !l.startsWith('='))
        .join(''),
      'base64',
    );
  });
  if (blocks.length === 0)
    throw new KabiError(`--keyring ${path}: armored, but holds no PGP PUBLIC KEY BLOCK`);
  await writeFile(to, Buffer.concat(blocks));
  return to;
}
