// The kernel judges bpf-compat: Debian's 6.1.0-47 and 6.12.117 kernels boot under qemu and load each
// object of test/fixtures/bpf with `bpftool prog loadall`; whether each loaded must agree with kabi's
// verdict on the same object against the same linux-image package, and with the answers recorded in
// test/fixtures/bpf/qemu-results.json (which bpf-compat-real.test.ts checks without qemu).
// Needs qemu-system-x86_64, a static busybox, bpftool and the packages; skips without.
// KABI_RECORD_BPF=1 writes qemu-results.json from this run instead of comparing with it.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type BpfLoadAnswer, bpftoolUnderQemu } from '../helpers/bpf-qemu.js';
import { packageVerdicts } from '../helpers/bpf-verdicts.js';
import { debianPackage } from '../helpers/debian-packages.js';
import { needsStaticBusybox, vmlinuzOf } from '../helpers/qemu.js';
import { needs } from '../helpers/tools.js';

const BPF = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'bpf');
const RESULTS = join(BPF, 'qemu-results.json');
const PACKAGES = ['linux-image-6.1.0-47-amd64-unsigned', 'linux-image-6.12.117+deb12-amd64-unsigned'];

const tools = needs('qemu-system-x86_64', 'bpftool', 'ldd') || needsStaticBusybox();
const debs = tools ? [] : PACKAGES.map(debianPackage);
const skip = tools || (debs.map((d) => ('skip' in d ? d.skip : false)).find((s) => s) ?? false);

describe('BPF objects loaded for real under qemu', { skip, timeout: 900_000 }, () => {
  it('every object loads where kabi says it loads, and only there', async () => {
    const objects = readdirSync(BPF)
      .filter((f) => f.endsWith('.bpf.o'))
      .sort()
      .map((f) => join(BPF, f));
    const recorded: { kernel: string; answers: BpfLoadAnswer[] }[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'kabi-bpf-'));
    const paths = debs.map((d) => (d as { path: string }).path);
    try {
      const booted: BpfLoadAnswer[][] = [];
      for (const path of paths) booted.push(await bpftoolUnderQemu(await vmlinuzOf(path, dir), objects));
      // kabi's verdicts after the boots: by then bpf-compat-real.test has usually read both packages for
      // the run's memo, and this file takes its verdicts instead of reading them a second time.
      const verdicts = await packageVerdicts(paths, objects);
      for (const [i, answers] of booted.entries()) {
        const { kernel, loads } = verdicts[i]!;
        recorded.push({ kernel, answers });
        assert.equal(loads.length, objects.length, `${kernel}: a verdict per object`);
        for (const o of loads) {
          const a = answers.find((x) => x.object === o.object);
          assert.ok(a, `${o.object}: no answer from the kernel`);
          assert.equal(o.loads, a.exit === 0, `${o.object} on ${kernel}: ${a.words.join('\n')}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (process.env.KABI_RECORD_BPF === '1') writeFileSync(RESULTS, `${JSON.stringify(recorded, null, 2)}\n`);
    else {
      const old = JSON.parse(readFileSync(RESULTS, 'utf8')) as typeof recorded;
      const exits = (r: typeof recorded) =>
        r.map((k) => [k.kernel, k.answers.map((a) => [a.object, a.exit])]);
      assert.deepEqual(exits(recorded), exits(old));
    }
  });
});
