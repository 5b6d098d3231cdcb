// bpf-compat on the clang-built objects of test/fixtures/bpf against two small kernels written here: "old"
// keeps `task_struct.state` and lacks what 6.2 added (kfuncs, cgroup storage), "new" has `__state` and all
// of it. The real kernels (Debian 6.1 and 6.12) are judged in bpf-compat-real.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ArtifactFormatError,
  Btf,
  bpfCompat,
  bpfCompatExitCode,
  bpfCompatRenderers,
  encodeBtf,
  parseBpfObject,
} from '../../src/index.js';
import { kernel, kernelTypes } from '../helpers/bpf-kernels.js';
import { kabi } from '../helpers/exec.js';

const BPF = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'bpf');
const object = (name: string) => parseBpfObject(readFileSync(join(BPF, name)), { source: name });

const OLD = kernel('old', false);
const NEW = kernel('new', true);
const OBJECTS = [
  'state_core.bpf.o',
  'state_legacy.bpf.o',
  'kfunc_task.bpf.o',
  'ringbuf.bpf.o',
  'cgrp_storage.bpf.o',
];

describe('bpfCompat on the fixtures', () => {
  const report = bpfCompat(OBJECTS.map(object), [OLD, NEW]);
  const verdict = (o: string) => report.objects.find((x) => x.object === o)!;

  it('gives the matrix: which object loads where, the first failing kernel and why', () => {
    assert.deepEqual(
      report.objects.map((o) => [
        o.object,
        ...o.kernels.map((k) => (k.loads ? 'loads' : k.reason!.code)),
        o.firstFailing,
      ]),
      [
        ['state_core.bpf.o', 'loads', 'loads', null],
        ['state_legacy.bpf.o', 'loads', 'core-relo-failed', 'new'],
        ['kfunc_task.bpf.o', 'kfunc-missing', 'loads', 'old'],
        ['ringbuf.bpf.o', 'loads', 'loads', null],
        ['cgrp_storage.bpf.o', 'map-type-unknown', 'loads', 'old'],
      ],
    );
    assert.equal(bpfCompatExitCode(report), 8);
  });

  it('says why task_struct.state fails on a kernel that renamed it, and suggests __state', () => {
    const r = verdict('state_legacy.bpf.o').kernels[1]!.reason!;
    assert.equal(r.code, 'core-relo-failed');
    assert.ok(r.code === 'core-relo-failed');
    assert.deepEqual(
      [r.access, r.reason, r.targetType, r.missing, r.similar],
      ['task_struct___pre514.state', 'no-member', 'struct task_struct', 'state', ['__state']],
    );
  });

  it('a failed read behind bpf_core_field_exists is not reached: guarded, and the object loads', () => {
    const oldFindings = verdict('state_core.bpf.o').kernels[0]!.findings;
    const newFindings = verdict('state_core.bpf.o').kernels[1]!.findings;
    // old: __state is absent (exists → 0) and its read is poisoned but dead; state reads at 24
    assert.deepEqual(
      oldFindings.map((f) => [f.code, 'insn' in f ? f.insn : null]),
      [
        ['core-relo-absent', 1],
        ['core-relo-guarded', 3],
        ['core-relo-moved', 12],
      ],
    );
    assert.deepEqual(
      newFindings.map((f) => [f.code, 'insn' in f ? f.insn : null]),
      [
        ['core-relo-moved', 3],
        ['core-relo-guarded', 12],
      ],
    );
  });

  it('reports kfunc flags where the kernel offers them, and helpers and map types the kernel lacks', () => {
    const k = verdict('kfunc_task.bpf.o').kernels[1]!.findings;
    assert.deepEqual(
      k.map((f) => (f.code === 'kfunc-ok' ? [f.kfunc, f.flags] : f.code)),
      [
        ['bpf_task_from_pid', ['KF_ACQUIRE', 'KF_RET_NULL']],
        ['bpf_task_release', ['KF_RELEASE']],
      ],
    );
    const c = verdict('cgrp_storage.bpf.o').kernels[0]!.findings;
    assert.deepEqual(
      c.map((f) => [f.code, f.severity]),
      [
        ['map-type-unknown', 'error'],
        ['helper-unknown', 'error'],
      ],
    );
    const h = c[1]!;
    assert.ok(h.code === 'helper-unknown' && h.name === 'bpf_cgrp_storage_get' && h.helper === 210);
  });

  it('renders the matrix as text and JSON', () => {
    const text = bpfCompatRenderers.text(report, { color: false, limit: null });
    assert.match(text, /state_legacy\.bpf\.o\s+loads\s+fails: core-relo-failed\s+new/);
    const json = JSON.parse(bpfCompatRenderers.json(report, { color: false, limit: null }));
    assert.equal(json.objects[2].firstFailing, 'old');
    assert.equal(json.objects[2].kernels[0].reason.kfunc, 'bpf_task_from_pid');
  });
});

describe('bpfCompat on kfuncs that changed or are not offered', () => {
  const kfuncTask = object('kfunc_task.bpf.o');

  it('a kfunc whose prototype changed (a parameter added) is refused as libbpf refuses it', () => {
    const types = kernelTypes(true);
    // id 7: bpf_task_release's prototype, now with a second parameter
    types[6] = {
      kind: 'func_proto',
      name: '',
      type: 0,
      params: [
        { name: 'p', type: 5 },
        { name: 'flags', type: 1 },
      ],
      variadic: false,
    };
    const changed = { ...NEW, name: 'changed', btf: new Btf(types, 1, null, 'changed') };
    const r = bpfCompat([kfuncTask], [changed]).objects[0]!.kernels[0]!;
    assert.equal(r.loads, false);
    assert.ok(r.reason?.code === 'kfunc-prototype');
    assert.deepEqual(
      [r.reason.kfunc, r.reason.expected, r.reason.actual],
      [
        'bpf_task_release',
        'void bpf_task_release(struct task_struct *)',
        'void bpf_task_release(struct task_struct *p, int flags)',
      ],
    );
  });

  it('a prototype whose pointed-to struct was renamed is accepted, as libbpf does, and reported', () => {
    const types = kernelTypes(true);
    types.push({ kind: 'struct', name: 'task_struct_kern', size: 8, members: [] }); // 16
    types.push({ kind: 'ptr', name: '', type: 16 }); // 17
    types[6] = { kind: 'func_proto', name: '', type: 0, params: [{ name: 'p', type: 17 }], variadic: false };
    const renamed = { ...NEW, name: 'renamed', btf: new Btf(types, 1, null, 'renamed') };
    const r = bpfCompat([kfuncTask], [renamed]).objects[0]!.kernels[0]!;
    assert.equal(r.loads, true);
    assert.deepEqual(
      r.findings.map((f) => (f.code === 'kfunc-ok' ? [f.kfunc, f.kernelPrototype] : f.code)),
      [
        ['bpf_task_from_pid', null],
        ['bpf_task_release', 'void bpf_task_release(struct task_struct_kern *p)'],
      ],
    );
  });

  it('a function the kernel has but offers in no kfunc set is refused by the verifier', () => {
    const unlisted = { ...NEW, name: 'unlisted', kfuncs: { ...NEW.kfuncs!, kfuncs: [] } };
    const r = bpfCompat([kfuncTask], [unlisted]).objects[0]!.kernels[0]!;
    assert.deepEqual(
      r.findings.map((f) => [f.code, f.severity]),
      [
        ['kfunc-not-registered', 'error'],
        ['kfunc-not-registered', 'error'],
      ],
    );
  });

  it('without the kernel’s kfunc list, says registration was not checked', () => {
    const r = bpfCompat([kfuncTask], [{ ...NEW, kfuncs: null }]).objects[0]!.kernels[0]!;
    assert.equal(r.loads, true);
    assert.match(r.notes.join('\n'), /kfunc registration not checked/);
  });
});

describe('kabi bpf-compat (the command)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabi-bpf-cli-'));
  const oldBtf = join(dir, 'old.btf');
  const newBtf = join(dir, 'new.btf');
  writeFileSync(oldBtf, encodeBtf(kernelTypes(false)));
  writeFileSync(newBtf, encodeBtf(kernelTypes(true)));
  const objects = OBJECTS.map((o) => join(BPF, o));

  it('prints the matrix as JSON its schema accepts, and exits 8 when an object fails somewhere', () => {
    const r = kabi(['bpf-compat', ...objects, '-k', oldBtf, newBtf, '--format', 'json']);
    assert.equal(r.status, 8, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.kernels, ['old.btf', 'new.btf']);
    assert.deepEqual(
      doc.objects.map((o: { firstFailing: string | null }) => o.firstFailing),
      [null, 'new.btf', 'old.btf', null, 'old.btf'],
    );
  });

  it('exits 0 when every object loads everywhere; text names the objects', () => {
    const r = kabi([
      'bpf-compat',
      join(BPF, 'state_core.bpf.o'),
      join(BPF, 'ringbuf.bpf.o'),
      '-k',
      oldBtf,
      newBtf,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /state_core\.bpf\.o\s+loads\s+loads/);
  });

  it('needs kernels or a stored series, one of them; a store that is not there is an error', () => {
    const neither = kabi(['bpf-compat', objects[0]!]);
    assert.equal(neither.status, 2);
    assert.match(neither.stderr, /--kernels or --series/);
    const both = kabi(['bpf-compat', objects[0]!, '-k', oldBtf, '--series', 'stream=x']);
    assert.equal(both.status, 2);
    // A SQLite file that is not there (a PostgreSQL store is not created by reading either).
    const empty = kabi(['--db', join(dir, 'empty.db'), 'bpf-compat', objects[0]!, '--series', 'stream=x']);
    assert.equal(empty.status, 1, empty.stderr);
    assert.match(empty.stderr, /no store at/);
  });

  it('a --kernel-source of another version than a kernel’s is an error naming both', () => {
    const src = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'kfuncs', 'source', '6.1');
    const r = kabi(['bpf-compat', objects[0]!, '-k', oldBtf, '--kernel-source', src]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no --kernel-source of old\.btf's version \(6\.1\.192\)/);
  });

  it('refuses an input that is not a BPF object, naming it', () => {
    const r = kabi(['bpf-compat', oldBtf, '-k', newBtf]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /old\.btf.*not an ELF file/);
  });
});

describe('hostile objects through the whole analysis', () => {
  it('every byte of an object flipped: an ArtifactFormatError or a verdict, never a crash', () => {
    const bytes = readFileSync(join(BPF, 'state_core.bpf.o'));
    let refused = 0;
    for (let at = 0; at < bytes.length; at++) {
      const b = Buffer.from(bytes);
      b[at] = b[at]! ^ 0xff;
      try {
        bpfCompat([parseBpfObject(b, { source: `flip@${at}` })], [OLD, NEW]);
      } catch (e) {
        assert.ok(e instanceof ArtifactFormatError, `flip at ${at}: ${(e as Error).stack}`);
        refused++;
      }
    }
    assert.ok(refused > 0 && refused < bytes.length, `${refused} of ${bytes.length} refused`);
  });
});
