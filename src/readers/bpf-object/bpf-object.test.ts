import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ArtifactFormatError } from '../../errors.js';
import { isBpfObject, parseBpfObject } from './bpf-object.js';
import { readBtfExt } from './btf-ext.js';
import { sectionType } from './section-types.js';

const BPF = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'bpf');
const read = (name: string) => parseBpfObject(readFileSync(join(BPF, name)), { source: name });

describe('parseBpfObject on clang-built objects (test/fixtures/bpf)', () => {
  it('reads programs, their section types and the CO-RE relocations of .BTF.ext', () => {
    const o = read('state_core.bpf.o');
    assert.equal(o.license, 'GPL');
    assert.deepEqual(
      o.programs.map((p) => [p.name, p.section, p.type, p.start, p.length]),
      [['state_core', 'raw_tp/sched_switch', 'BPF_PROG_TYPE_RAW_TRACEPOINT', 0, 25]],
    );
    // bpf_core_field_exists(t->__state), BPF_CORE_READ(t, __state), BPF_CORE_READ(old, state)
    assert.deepEqual(
      o.coreRelos.map((r) => [r.insn, o.btf.get(r.typeId).name, r.access, r.kind]),
      [
        [1, 'task_struct', '0:0', 'field_exists'],
        [3, 'task_struct', '0:0', 'field_byte_offset'],
        [12, 'task_struct___pre514', '0:0', 'field_byte_offset'],
      ],
    );
    // bpf_get_current_task (35) and bpf_probe_read_kernel (113), twice
    assert.deepEqual(
      o.helpers.map((h) => [h.id, h.calls.map((c) => c.insn)]),
      [
        [35, [0]],
        [113, [9, 18]],
      ],
    );
  });

  it('finds extern kfuncs in .ksyms and the calls relocated against them', () => {
    const o = read('kfunc_task.bpf.o');
    assert.deepEqual(
      o.kfuncs.map((k) => [k.name, k.weak, k.calls.map((c) => c.insn), o.btf.get(k.protoId).kind]),
      [
        ['bpf_task_from_pid', false, [2], 'func_proto'],
        ['bpf_task_release', false, [8], 'func_proto'],
      ],
    );
    assert.deepEqual(o.programs[0]!.attachBtf, { name: 'btf_trace_task_newtask', kind: 'typedef' });
    assert.equal(o.programs[0]!.attachType, 'BPF_TRACE_RAW_TP');
  });

  it('reads BTF-defined maps and their types', () => {
    assert.deepEqual(read('ringbuf.bpf.o').maps, [{ name: 'events', type: 27, definition: 'btf' }]);
    assert.deepEqual(read('cgrp_storage.bpf.o').maps, [{ name: 'mkdirs', type: 32, definition: 'btf' }]);
    assert.deepEqual(
      read('cgrp_storage.bpf.o').helpers.map((h) => h.id),
      [210],
    );
  });

  it('tells a BPF object from another ELF', () => {
    assert.equal(isBpfObject(readFileSync(join(BPF, 'ringbuf.bpf.o'))), true);
    const x86 = Buffer.from(readFileSync(join(BPF, 'ringbuf.bpf.o')));
    x86.writeUInt16LE(62, 18);
    assert.equal(isBpfObject(x86), false);
    assert.throws(
      () => parseBpfObject(x86, { source: 'x86.o' }),
      (e: unknown) => e instanceof ArtifactFormatError && e.offset === 18 && /EM_BPF/.test(e.message),
    );
  });
});

describe('hostile objects', () => {
  const bytes = readFileSync(join(BPF, 'state_core.bpf.o'));
  const ext = (o: Uint8Array) => {
    const elf = parseBpfObject(o, { source: 'x' });
    return elf;
  };

  it('a .BTF.ext whose core_relo block runs past the section: a typed error at its header field', () => {
    const b = Buffer.from(bytes);
    const at = b.indexOf(Buffer.from([0x9f, 0xeb, 1, 0, 32, 0, 0, 0]));
    assert.ok(at > 0);
    b.writeUInt32LE(0xffff, at + 28); // core_relo_len
    assert.throws(
      () => ext(b),
      (e: unknown) => e instanceof ArtifactFormatError && e.section === '.BTF.ext' && e.offset === at + 24,
    );
  });

  it('an unknown relocation kind is refused with its offset', () => {
    const strings = (o: number) => (o === 0 ? '' : 's');
    const blob = Buffer.alloc(32 + 4 + 8 + 16);
    blob.writeUInt16LE(0xeb9f, 0);
    blob[2] = 1;
    blob.writeUInt32LE(32, 4);
    blob.writeUInt32LE(0, 24); // core_relo_off
    blob.writeUInt32LE(4 + 8 + 16, 28); // core_relo_len
    blob.writeUInt32LE(16, 32); // rec_size
    blob.writeUInt32LE(1, 36); // section name
    blob.writeUInt32LE(1, 40); // one record
    blob.writeUInt32LE(99, 44 + 12); // kind 99
    assert.throws(
      () => readBtfExt(blob, { source: 'x', fileOffset: 100, string: strings }),
      (e: unknown) =>
        e instanceof ArtifactFormatError && e.offset === 100 + 56 && /unknown kind 99/.test(e.message),
    );
  });

  it('every truncation of an object is an ArtifactFormatError, never a crash', () => {
    for (let n = 0; n < bytes.length; n += 61) {
      try {
        parseBpfObject(bytes.subarray(0, n), { source: 'cut' });
      } catch (e) {
        assert.ok(e instanceof ArtifactFormatError, `cut at ${n}: ${(e as Error).stack}`);
      }
    }
  });
});

describe('sectionType (libbpf section_defs)', () => {
  it('maps section names as libbpf does', () => {
    assert.equal(sectionType('kprobe/do_exit')?.type, 'BPF_PROG_TYPE_KPROBE');
    assert.equal(sectionType('xdp')?.attachType, 'BPF_XDP');
    assert.equal(sectionType('xdp.frags/devmap')?.attachType, 'BPF_XDP_DEVMAP');
    assert.deepEqual(sectionType('lsm.s/file_open')?.attachBtf?.('file_open'), {
      name: 'bpf_lsm_file_open',
      kind: 'func',
    });
    assert.equal(sectionType('lsm.s/file_open')?.sleepable, true);
    assert.equal(sectionType('fentry/do_unlinkat')?.target, 'do_unlinkat');
    assert.equal(sectionType('kprobe_nope'), null);
    assert.equal(sectionType('tcx'), null);
  });
});
