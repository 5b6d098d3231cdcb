// Real Debian kernels, cross-checked against scripts/extract-vmlinux's approach done with shell tools.
// The images come from /work/cache when present, else from an earlier download kept in the system
// temp directory, else from `apt-get download` (about 180 MB for both); the tests skip, saying why,
// when none works. KABI_TEST_NO_WORK_CACHE=1 ignores /work/cache, to exercise the download path.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { needs } from '../../../test/helpers/tools.js';
import { extractVmlinux, readBzImageHeader } from './bzimage.js';

interface RealImage {
  file: string;
  pkg: string;
  workCache: string;
  compression: 'xz' | 'zstd';
  version: string;
  /** grep -P pattern for the stream magic, and the command that decodes from it to the end. */
  magic: string;
  decoder: string[];
}

const IMAGES: RealImage[] = [
  {
    file: 'vmlinuz-6.1.0-47-amd64',
    pkg: 'linux-image-6.1.0-47-amd64-unsigned',
    workCache: '/work/cache/img61/boot',
    compression: 'xz',
    version: '6.1.0-47-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.170-3',
    magic: '\\xfd\\x37\\x7a\\x58\\x5a\\x00',
    decoder: ['xz', '-dc'],
  },
  {
    file: 'vmlinuz-6.12.117+deb12-amd64',
    pkg: 'linux-image-6.12.117+deb12-amd64-unsigned',
    workCache: '/work/cache/img612/boot',
    compression: 'zstd',
    version:
      '6.12.117+deb12-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1~deb12u1',
    magic: '\\x28\\xb5\\x2f\\xfd',
    decoder: ['zstd', '-dc'],
  },
];

const DOWNLOADS = join(tmpdir(), 'kabi-tracker-test-vmlinuz');
const scratch = mkdtempSync(join(tmpdir(), 'kabi-bzimage-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Path of the image, or why there is none. */
function locate(img: RealImage): { path: string } | { skip: string } {
  const cached = join(img.workCache, img.file);
  if (process.env.KABI_TEST_NO_WORK_CACHE !== '1' && existsSync(cached)) return { path: cached };
  const kept = join(DOWNLOADS, img.file);
  if (existsSync(kept)) return { path: kept };
  const missing = needs('apt-get', 'dpkg-deb', 'tar');
  if (missing) return { skip: `${img.file}: not in /work/cache, and ${missing}` };
  const dir = mkdtempSync(join(tmpdir(), 'kabi-apt-'));
  try {
    execFileSync('apt-get', ['download', '-q', img.pkg], { cwd: dir, stdio: 'ignore', timeout: 600_000 });
    const deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
    if (deb === undefined) return { skip: `${img.file}: apt-get download ${img.pkg} produced no .deb` };
    // Only the one member is needed: the package also carries ~100 MB of modules.
    const out = execFileSync(
      'sh',
      ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xOf - "./boot/$2"', 'sh', join(dir, deb), img.file],
      {
        maxBuffer: 64 << 20,
      },
    );
    mkdirSync(DOWNLOADS, { recursive: true });
    writeFileSync(kept, out);
    return { path: kept };
  } catch (e) {
    return {
      skip: `${img.file}: not in /work/cache, and apt-get download ${img.pkg} failed (${(e as Error).message.split('\n')[0]})`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** scripts/extract-vmlinux's way: decode from every offset of the magic, keep the first ELF. */
function shellExtract(path: string, img: RealImage, out: string): void {
  const script = `img=$1 magic=$2 out=$3; shift 3
for pos in $(LC_ALL=C grep -aboP "$magic" "$img" | cut -d: -f1); do
  tail -c+$((pos + 1)) "$img" | "$@" > "$out" 2>/dev/null
  readelf -h "$out" >/dev/null 2>&1 && exit 0
done
exit 1`;
  execFileSync('sh', ['-c', script, 'sh', path, img.magic, out, ...img.decoder], { stdio: 'ignore' });
}

/** End of the ELF proper (the section header table is last); relocation data follows on x86. */
function elfEnd(elf: Uint8Array): number {
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  return Number(view.getBigUint64(0x28, true)) + view.getUint16(0x3a, true) * view.getUint16(0x3c, true);
}

const ms = (t: number) => `${(performance.now() - t).toFixed(0)} ms`;

describe('extractVmlinux on Debian kernels', () => {
  for (const img of IMAGES) {
    it(`${img.file} (${img.compression}) matches an extract-vmlinux-style extraction`, async (t) => {
      const missing = needs('readelf', img.decoder[0]!);
      if (missing) return t.skip(missing);
      const where = locate(img);
      if ('skip' in where) return t.skip(where.skip);
      const bytes = readFileSync(where.path);

      const info = readBzImageHeader(bytes, { source: where.path });
      assert.equal(info.protocolVersion, '2.15');
      assert.equal(info.payloadCompression, img.compression);
      assert.ok(info.kernelVersion?.startsWith(img.version), String(info.kernelVersion));

      let start = performance.now();
      const ours = await extractVmlinux(bytes, { source: where.path });
      t.diagnostic(`kabi-tracker: ${ms(start)}, ${ours.length} bytes`);
      assert.equal(ours.length, info.uncompressedSize);

      const theirsPath = join(scratch, `${img.file}.shell`);
      start = performance.now();
      shellExtract(where.path, img, theirsPath);
      t.diagnostic(`shell (grep | tail | ${img.decoder.join(' ')}): ${ms(start)}`);
      const theirs = readFileSync(theirsPath);
      const end = elfEnd(ours);
      assert.ok(end <= ours.length, `ELF ends at ${end}, past the ${ours.length} bytes`);
      assert.equal(theirs.length, ours.length);
      assert.ok(Buffer.from(ours.subarray(0, end)).equals(theirs.subarray(0, end)), 'ELF part differs');
      assert.ok(Buffer.from(ours).equals(theirs), 'relocation data differs');
      t.diagnostic(`ELF part ${end} bytes, relocation data ${ours.length - end} bytes`);

      const oursPath = join(scratch, `${img.file}.vmlinux`);
      writeFileSync(oursPath, ours);
      const header = execFileSync('readelf', ['-h', oursPath], { encoding: 'utf8' });
      assert.match(header, /Class:\s+ELF64/);
      assert.match(header, /Machine:\s+Advanced Micro Devices X86-64/);
      const sections = execFileSync('readelf', ['-SW', oursPath], { encoding: 'utf8', maxBuffer: 1 << 20 });
      for (const name of ['__ksymtab', '__ksymtab_gpl', '__kcrctab', '__kcrctab_gpl', '__ksymtab_strings']) {
        assert.match(sections, new RegExp(`\\] ${name}\\s+PROGBITS`), `no ${name} section`);
      }
    });
  }
});
