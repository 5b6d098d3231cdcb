// The kernel's own loader as the judge: boot a kernel under qemu (TCG, no KVM needed) with a busybox
// initramfs whose /init insmods each module in turn and prints, per module, insmod's exit and words, the
// kernel's log lines (dmesg, read and cleared around each insmod) and /sys/module/X/taint, then powers
// off. The serial console carries it all; the markers below pick it out of the boot noise.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openPackage, sniffArtifact } from '../../src/index.js';
import { tool, which } from './tools.js';

/** One insmod, as the kernel answered it. */
export interface KernelAnswer {
  case: string;
  /** insmod's exit status (busybox's is the errno: 8 ENOEXEC, 2 ENOENT, 22 EINVAL, 129 EKEYREJECTED). */
  exit: number;
  /** What insmod printed. */
  insmod: string[];
  /** The kernel's log lines during that insmod, without timestamps. */
  kernel: string[];
  /** /sys/module/X/taint once loaded (`OE`); null when it did not load. */
  taint: string | null;
}

// `kabi.cases=` on the kernel's command line names the modules to insmod, in order.
const INIT = `#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox --install -s /bin
export PATH=/bin
for c in $(tr ' ' '\\n' </proc/cmdline | sed -n 's/^kabi\\.cases=//p' | tr , ' '); do
  dmesg -c >/dev/null
  echo "@@case $c"
  insmod /m/$c.ko 2>/tmp/err
  echo "@@exit $?"
  sed 's/^/@@insmod /' /tmp/err
  dmesg -c | sed 's/^\\[[^]]*\\] //; s/^/@@kernel /'
  [ -e /sys/module/$c/taint ] && echo "@@taint $(cat /sys/module/$c/taint)"
  rmmod $c 2>/dev/null
done
echo "@@done"
poweroff -f
`;

/** A skip reason when busybox is missing or not static (the initramfs has no libc); else false. */
export function needsStaticBusybox(): string | false {
  const path = which('busybox');
  if (!path) return 'needs busybox (busybox-static; not on PATH)';
  return isStatic(readFileSync(path)) ? false : `needs a static busybox (busybox-static): ${path} is dynamic`;
}

/** An ELF executable without a PT_INTERP program header runs without a dynamic loader. */
function isStatic(elf: Buffer): boolean {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false; // 64-bit ELF only
  const phoff = Number(elf.readBigUInt64LE(32));
  const [size, count] = [elf.readUInt16LE(54), elf.readUInt16LE(56)];
  for (let i = 0; i < count; i++) if (elf.readUInt32LE(phoff + i * size) === 3) return false;
  return true;
}

/** A cpio archive in the "newc" format the kernel unpacks as its initramfs (usr/gen_init_cpio.c). */
export function newcCpio(entries: { path: string; mode: number; data?: Uint8Array }[]): Buffer {
  const parts: Buffer[] = [];
  const pad = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  const add = (path: string, mode: number, data: Uint8Array, ino: number) => {
    const name = Buffer.from(`${path}\0`);
    // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
    const fields = [ino, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length, 0];
    const head = Buffer.from(`070701${fields.map(hex).join('')}`);
    parts.push(head, name, pad(head.length + name.length), Buffer.from(data), pad(data.length));
  };
  for (const [i, e] of entries.entries()) add(e.path, e.mode, e.data ?? new Uint8Array(), i + 1);
  add('TRAILER!!!', 0, new Uint8Array(), 0);
  return Buffer.concat(parts);
}

/** boot/vmlinuz-* of a linux-image package, written to `dir`. */
export async function vmlinuzOf(deb: string, dir: string): Promise<string> {
  const source = await openPackage(await sniffArtifact(deb));
  for await (const f of source.files((p) => /(^|\/)boot\/vmlinuz-[^/]+$/.test(p))) {
    const out = join(dir, 'vmlinuz');
    writeFileSync(out, f.data);
    return out;
  }
  throw new Error(`${deb}: no boot/vmlinuz-*`);
}

const run = promisify(execFile);
const DIR = 0o040755;
const FILE = 0o100755;

/** Boots `vmlinuz` once and insmods each module in order; `append` joins the kernel's command line. */
export async function insmodUnderQemu(
  vmlinuz: string,
  modules: { name: string; path: string }[],
  append = '',
): Promise<KernelAnswer[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-qemu-'));
  try {
    const initrd = join(dir, 'initrd.cpio');
    writeFileSync(
      initrd,
      newcCpio([
        ...['bin', 'm', 'proc', 'sys', 'tmp'].map((path) => ({ path, mode: DIR })),
        { path: 'bin/busybox', mode: FILE, data: readFileSync(tool('busybox')) },
        { path: 'init', mode: FILE, data: Buffer.from(INIT) },
        ...modules.map((m) => ({ path: `m/${m.name}.ko`, mode: 0o100644, data: readFileSync(m.path) })),
      ]),
    );
    const cmdline = `console=ttyS0 loglevel=1 panic=-1 ${append} kabi.cases=${modules.map((m) => m.name).join(',')}`;
    const { stdout } = await run(
      tool('qemu-system-x86_64'),
      ['-kernel', vmlinuz, '-initrd', initrd, '-append', cmdline, '-nographic', '-no-reboot', '-m', '256'],
      { timeout: 180_000, maxBuffer: 1 << 24 },
    );
    return parseConsole(stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The answers between the markers; throws when the boot did not reach `@@done`. */
export function parseConsole(console: string): KernelAnswer[] {
  const out: KernelAnswer[] = [];
  let done = false;
  for (const raw of console.split('\n')) {
    const m = /@@(case|exit|insmod|kernel|taint|done) ?(.*)$/.exec(raw.replace(/\r$/, ''));
    if (!m) continue;
    const [kind, text] = [m[1]!, m[2]!];
    const cur = out[out.length - 1];
    if (kind === 'case') out.push({ case: text, exit: -1, insmod: [], kernel: [], taint: null });
    else if (kind === 'done') done = true;
    else if (!cur) continue;
    else if (kind === 'exit') cur.exit = Number(text);
    else if (kind === 'insmod') cur.insmod.push(text);
    else if (kind === 'kernel') cur.kernel.push(text);
    else if (kind === 'taint') cur.taint = text;
  }
  if (!done) throw new Error(`the boot did not finish its cases:\n${console.slice(-3000)}`);
  return out;
}
