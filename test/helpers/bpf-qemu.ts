// The kernel as the judge of BPF objects: boot a kernel under qemu with a busybox initramfs that also
// holds bpftool (and the shared libraries it links), run `bpftool prog loadall OBJ /sys/fs/bpf/NAME` for
// each object, print bpftool's exit and words between markers on the serial console, and power off.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { newcCpio } from './qemu.js';
import { tool } from './tools.js';

export interface BpfLoadAnswer {
  object: string;
  /** bpftool's exit status: 0 when every program loaded. */
  exit: number;
  /** What bpftool (libbpf and the verifier's log) printed, at most 60 lines. */
  words: string[];
}

const INIT = `#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox --install -s /bin
export PATH=/bin:/usr/sbin
mount -t bpf bpf /sys/fs/bpf
for o in /o/*.o; do
  n=$(basename $o .bpf.o)
  echo "@@case $n.bpf"
  bpftool prog loadall $o /sys/fs/bpf/$n >/tmp/err 2>&1
  echo "@@exit $?"
  head -n 60 /tmp/err | sed 's/^/@@says /'
done
echo "@@done"
poweroff -f
`;

/** The shared libraries an executable needs, with the paths its loader looks for them at (from ldd). */
function sharedLibraries(exe: string): { path: string; file: string }[] {
  const out = execFileSync(tool('ldd'), [exe], { encoding: 'utf8' });
  const libs: { path: string; file: string }[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.push({ path: m[1]!.replace(/^\//, ''), file: realpathSync(m[1]!) });
  }
  return libs;
}

const run = promisify(execFile);
const DIR = 0o040755;
const FILE = 0o100755;

/** Boots `vmlinuz` once and loads each object with bpftool. */
export async function bpftoolUnderQemu(vmlinuz: string, objects: string[]): Promise<BpfLoadAnswer[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-bpf-qemu-'));
  try {
    const bpftool = tool('bpftool');
    const libs = sharedLibraries(bpftool);
    const dirs = new Set(['bin', 'usr', 'usr/sbin', 'o', 'proc', 'sys', 'tmp']);
    for (const l of libs) for (let d = dirname(l.path); d !== '.'; d = dirname(d)) dirs.add(d);
    const initrd = join(dir, 'initrd.cpio');
    writeFileSync(
      initrd,
      newcCpio([
        ...[...dirs].sort().map((path) => ({ path, mode: DIR })),
        { path: 'bin/busybox', mode: FILE, data: readFileSync(tool('busybox')) },
        { path: 'usr/sbin/bpftool', mode: FILE, data: readFileSync(bpftool) },
        ...libs.map((l) => ({ path: l.path, mode: FILE, data: readFileSync(l.file) })),
        { path: 'init', mode: FILE, data: Buffer.from(INIT) },
        ...objects.map((o) => ({ path: `o/${basename(o)}`, mode: 0o100644, data: readFileSync(o) })),
      ]),
    );
    const { stdout } = await run(
      tool('qemu-system-x86_64'),
      [
        '-kernel',
        vmlinuz,
        '-initrd',
        initrd,
        '-append',
        'console=ttyS0 loglevel=1 panic=-1',
        '-nographic',
        '-no-reboot',
        '-m',
        '512',
      ],
      { timeout: 300_000, maxBuffer: 1 << 24 },
    );
    return parseBpfConsole(stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function parseBpfConsole(console: string): BpfLoadAnswer[] {
  const out: BpfLoadAnswer[] = [];
  let done = false;
  for (const raw of console.split('\n')) {
    const m = /@@(case|exit|says|done) ?(.*)$/.exec(raw.replace(/\r$/, ''));
    if (!m) continue;
    const [kind, text] = [m[1]!, m[2]!];
    const cur = out[out.length - 1];
    if (kind === 'case') out.push({ object: `${text}.o`, exit: -1, words: [] });
    else if (kind === 'done') done = true;
    else if (!cur) continue;
    else if (kind === 'exit') cur.exit = Number(text);
    else cur.words.push(text);
  }
  if (!done) throw new Error(`the boot did not finish its cases:\n${console.slice(-3000)}`);
  return out;
}
