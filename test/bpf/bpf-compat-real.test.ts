// bpf-compat on Debian's 6.1.0-47 and 6.12.117 kernels (the linux-image packages, downloaded when apt-get
// can; skipped without), checked two ways:
//   - the verdict matrix on the committed objects, as recorded from a real load under qemu
//     (test/fixtures/bpf/qemu-results.json, written by test/loader/bpf-qemu.test.ts);
//   - every CO-RE relocation against libbpf itself: `bpftool -d gen min_core_btf` runs libbpf's
//     bpf_core_calc_relo_insn on each relocation and logs which candidate matched, at what offset, or that
//     none did. Ours must find the same relocations unmatched and the same offsets for the matched.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type BpfCompatReport,
  type BpfKernel,
  type BpfObject,
  bpfCompat,
  openElf,
  readBpfObject,
  resolveCoreRelo,
} from '../../src/index.js';
import { extractVmlinux } from '../../src/readers/kernel-image/bzimage.js';
import { packageVerdicts, readBpfKernels } from '../helpers/bpf-verdicts.js';
import { debianPackage } from '../helpers/debian-packages.js';
import { vmlinuzOf } from '../helpers/qemu.js';
import { needs, tool } from '../helpers/tools.js';

const BPF = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'bpf');
const PACKAGES = ['linux-image-6.1.0-47-amd64-unsigned', 'linux-image-6.12.117+deb12-amd64-unsigned'];
const debs = PACKAGES.map(debianPackage);
const skip = debs.map((d) => ('skip' in d ? d.skip : false)).find((s) => s) ?? false;
const OBJECTS = readdirSync(BPF)
  .filter((f) => f.endsWith('.bpf.o'))
  .sort();

interface Recorded {
  kernel: string;
  answers: { object: string; exit: number; words: string[] }[];
}

describe('bpf-compat on Debian 6.1.0-47 and 6.12.117', { skip }, () => {
  let kernels: BpfKernel[] = [];
  let objects: BpfObject[] = [];
  let report: BpfCompatReport;
  before(async () => {
    const paths = debs.map((d) => (d as { path: string }).path);
    objects = await Promise.all(OBJECTS.map((o) => readBpfObject(join(BPF, o))));
    // The packages read here give the run's memo its verdicts for test/loader/bpf-qemu.test.ts to take.
    kernels = [];
    const read = async () => {
      kernels = await readBpfKernels(paths);
      return kernels;
    };
    await packageVerdicts(
      paths,
      OBJECTS.map((o) => join(BPF, o)),
      read,
    );
    if (kernels.length === 0) await read();
    report = bpfCompat(objects, kernels);
  });

  it('gives the verdicts a real load gave under qemu (qemu-results.json)', () => {
    const recorded = JSON.parse(readFileSync(join(BPF, 'qemu-results.json'), 'utf8')) as Recorded[];
    const ours = report.objects.map((o) => [o.object.replace(/.*\//, ''), ...o.kernels.map((k) => k.loads)]);
    const real = OBJECTS.map((o) => [
      o,
      ...kernels.map(
        (k) => recorded.find((r) => r.kernel === k.name)!.answers.find((a) => a.object === o)!.exit === 0,
      ),
    ]);
    assert.deepEqual(ours, real);
    assert.deepEqual(
      report.objects.map((o) => [
        o.object.replace(/.*\//, ''),
        o.firstFailing,
        o.kernels.find((k) => !k.loads)?.reason?.code ?? null,
      ]),
      [
        ['cgrp_storage.bpf.o', '6.1.0-47-amd64', 'map-type-unknown'],
        ['kfunc_task.bpf.o', '6.1.0-47-amd64', 'kfunc-missing'],
        ['kfunc_tracepoint.bpf.o', '6.1.0-47-amd64', 'kfunc-prog-type'],
        ['ringbuf.bpf.o', null, null],
        ['state_core.bpf.o', null, null],
        ['state_legacy.bpf.o', '6.1.0-47-amd64', 'core-relo-failed'],
      ],
    );
  });

  it('names the kfunc the verifier names first when a program type may not call it', () => {
    const recorded = JSON.parse(readFileSync(join(BPF, 'qemu-results.json'), 'utf8')) as Recorded[];
    const words = recorded
      .find((r) => r.kernel === '6.1.0-47-amd64')!
      .answers.find((a) => a.object === 'kfunc_tracepoint.bpf.o')!.words;
    const said = words
      .map((w) => /^calling kernel function (\w+) is not allowed$/.exec(w)?.[1])
      .find(Boolean);
    const reason = report.objects.find((o) => o.object.endsWith('kfunc_tracepoint.bpf.o'))!.kernels[0]!
      .reason;
    assert.equal(reason?.code, 'kfunc-prog-type');
    assert.equal(reason && 'kfunc' in reason ? reason.kfunc : null, said);
  });

  describe('CO-RE relocations against libbpf (bpftool gen min_core_btf)', { skip: needs('bpftool') }, () => {
    let dir = '';
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'kabi-bpf-btf-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('the same relocations fail, and the matched ones get the same offsets', async () => {
      let compared = 0;
      for (const [ki, d] of debs.entries()) {
        const vmlinuz = await vmlinuzOf((d as { path: string }).path, dir);
        const elf = openElf(await extractVmlinux(readFileSync(vmlinuz), { source: vmlinuz }), {
          source: vmlinuz,
        });
        const btfPath = join(dir, `btf-${ki}`);
        writeFileSync(btfPath, elf.data(elf.section('.BTF')!));
        for (const o of objects) {
          if (o.coreRelos.length === 0) continue;
          const log = libbpfLog(btfPath, o.source, join(dir, 'min.btf'));
          for (const [i, r] of o.coreRelos.entries()) {
            const insn = o.code.get(r.section)!.insns[r.insn]!;
            const ours = resolveCoreRelo(o.btf, r, insn, [kernels[ki]!.btf]);
            const theirs = log.get(i);
            assert.ok(theirs, `${o.source} relo #${i}: libbpf logged nothing`);
            const where = `${o.source} relo #${i} on ${kernels[ki]!.name}`;
            assert.equal(ours.status === 'ok', theirs.matched, where);
            if (ours.status === 'ok' && r.kind === 'field_byte_offset')
              assert.equal(Number(ours.target), theirs.offset, where);
            compared++;
          }
        }
      }
      assert.ok(compared >= 8, `${compared} relocations compared`);
    });
  });
});

/** libbpf's debug log of each relocation: matched (and the offset it found), or "no matching targets". */
function libbpfLog(
  btf: string,
  object: string,
  out: string,
): Map<number, { matched: boolean; offset: number | null }> {
  const all = bpftoolDebug(btf, object, out);
  const r = new Map<number, { matched: boolean; offset: number | null }>();
  for (const line of all.split('\n')) {
    const m = /relo #(\d+): (matching candidate #\d+ .*@ offset (\d+)\)|no matching targets found)/.exec(
      line,
    );
    if (!m) continue;
    const i = Number(m[1]);
    if (m[3] !== undefined && !r.has(i)) r.set(i, { matched: true, offset: Number(m[3]) });
    else if (m[3] === undefined) r.set(i, { matched: false, offset: null });
  }
  return r;
}

/** bpftool writes libbpf's debug log to stderr: captured with its stdout. */
function bpftoolDebug(btf: string, object: string, out: string): string {
  try {
    return execFileSync(
      'sh',
      ['-c', `"$0" -d gen min_core_btf "$1" "$2" "$3" 2>&1`, tool('bpftool'), btf, out, object],
      {
        encoding: 'utf8',
      },
    );
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? '');
  }
}
