import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Kfunc, KfuncList } from '../model/kfunc.js';
import { diffKfuncs, kfuncDiffExitCode, kfuncSeries } from './kfuncs.js';

const kf = (name: string, extra: Partial<Kfunc> = {}): Kfunc => ({
  name,
  prototype: `void ${name}(struct task_struct *p)`,
  signature: `void ${name}(struct task_struct *)`,
  flags: 0,
  sets: ['generic_btf_ids'],
  module: null,
  btfId: 1,
  ...extra,
});

const list = (release: string, kfuncs: Kfunc[], method: KfuncList['method'] = 'btf-ids'): KfuncList => ({
  source: release,
  release,
  method,
  symbolSource: null,
  setFlag: true,
  modules: [],
  kfuncs,
  warnings: [],
});

describe('diffKfuncs', () => {
  const old = list('6.1', [
    kf('bpf_gone'),
    kf('bpf_retyped'),
    kf('bpf_renamed'),
    kf('bpf_flagged', { flags: 1 | 4 }),
    kf('bpf_ct_thing', { module: 'nf_conntrack' }),
    kf('bpf_same', { btfId: 7 }),
  ]);
  const next = list('6.12', [
    kf('bpf_new'),
    kf('bpf_retyped', {
      prototype: 'int bpf_retyped(struct task_struct *p)',
      signature: 'int bpf_retyped(struct task_struct *)',
    }),
    kf('bpf_renamed', { prototype: 'void bpf_renamed(struct task_struct *task)' }),
    kf('bpf_flagged', { flags: 1 | 32 }),
    kf('bpf_ct_thing'),
    kf('bpf_same', { btfId: 9, sets: ['common_btf_ids'] }),
  ]);

  it('reports each kind of change once, breaking kinds first', () => {
    const d = diffKfuncs(old, next);
    assert.deepEqual(
      d.changes.map((c) => [c.kind, c.name]),
      [
        ['removed', 'bpf_gone'],
        ['prototype-changed', 'bpf_retyped'],
        ['flags-changed', 'bpf_flagged'],
        ['moved', 'bpf_ct_thing'],
        ['params-renamed', 'bpf_renamed'],
        ['added', 'bpf_new'],
      ],
      'a new BTF id or another set is no change to a BPF program',
    );
    const flags = d.changes.find((c) => c.kind === 'flags-changed')!;
    assert.deepEqual([flags.flagsAdded, flags.flagsRemoved], [['KF_SLEEPABLE'], ['KF_RET_NULL']]);
    assert.deepEqual(d.summary, {
      added: 1,
      removed: 1,
      'prototype-changed': 1,
      'params-renamed': 1,
      'flags-changed': 1,
      'prog-types-changed': 0,
      moved: 1,
    });
    assert.deepEqual([d.old.label, d.new.label, d.old.count, d.new.count], ['6.1', '6.12', 6, 6]);
    assert.equal(d.flagsCompared, true);
    assert.equal(kfuncDiffExitCode(d), 12);
  });

  it('compares flags only where both sides know them', () => {
    const tagged = list('x', [kf('bpf_flagged', { flags: null })], 'decl-tag');
    const d = diffKfuncs(old, tagged);
    assert.equal(d.flagsCompared, false);
    assert.equal(d.summary['flags-changed'], 0);
  });

  it('exit code: 0 without change, 4 for compatible changes only', () => {
    assert.equal(kfuncDiffExitCode(diffKfuncs(old, old)), 0);
    assert.equal(kfuncDiffExitCode(diffKfuncs(list('a', [kf('x')]), list('b', [kf('x'), kf('y')]))), 4);
  });
});

describe('kfuncSeries', () => {
  it('orders by version as kabi series does and diffs each step', () => {
    const p = (version: string, names: string[]) => ({
      label: version,
      labels: { version },
      list: list(
        version,
        names.map((n) => kf(n)),
      ),
    });
    // Given out of order: 6.1.170-3 < 6.1.176-1 < 6.12.117-1 in dpkg order.
    const s = kfuncSeries([
      p('6.12.117-1', ['a', 'c', 'd']),
      p('6.1.170-3', ['a', 'b']),
      p('6.1.176-1', ['a', 'b', 'c']),
    ]);
    assert.deepEqual(
      s.builds.map((b) => b.label),
      ['6.1.170-3', '6.1.176-1', '6.12.117-1'],
    );
    assert.deepEqual(
      s.steps.map((d) => d.changes.map((c) => `${c.kind} ${c.name}`)),
      [['added c'], ['removed b', 'added d']],
    );
    assert.equal(s.seen, 4);
    assert.equal(s.stable, 1, 'only a is in every build unchanged');
  });
});

describe('kfuncSeries stability', () => {
  const p = (version: string, kfuncs: Kfunc[]) => ({
    label: version,
    labels: { version },
    list: list(version, kfuncs),
  });
  it('gives each kfunc one class, worst first, from its history across the builds', () => {
    const s = kfuncSeries([
      p('1-1', [kf('stay'), kf('gone'), kf('flip'), kf('proto'), kf('flags'), kf('renamed')]),
      p('2-1', [
        kf('stay'),
        kf('proto', { signature: 'int proto(long)', prototype: 'int proto(long x)' }),
        kf('flags', { flags: 3 }),
        kf('renamed', { prototype: 'void renamed(struct task_struct *y)' }),
        kf('late'),
      ]),
      p('3-1', [
        kf('stay'),
        kf('flip'),
        kf('proto', { signature: 'int proto(long)', prototype: 'int proto(long x)' }),
        kf('flags', { flags: 3 }),
        kf('renamed', { prototype: 'void renamed(struct task_struct *y)' }),
        kf('late'),
      ]),
    ]);
    const cls = Object.fromEntries(s.stability.map((r) => [r.name, r.class]));
    assert.deepEqual(cls, {
      gone: 'removed',
      flip: 'intermittent',
      proto: 'prototype-changed',
      flags: 'flags-changed',
      late: 'added',
      renamed: 'compatible',
      stay: 'stable',
    });
    // Independent of the classes: the stable count is the kfuncs in every build with one history.
    assert.equal(s.stabilitySummary.stable, s.stable);
    const proto = s.stability.find((r) => r.name === 'proto')!;
    assert.equal(proto.signatures, 2);
    assert.deepEqual(proto.changes, [{ in: '2-1', kind: 'prototype-changed' }]);
    assert.equal(s.stability.find((r) => r.name === 'flip')!.present, 2);
    assert.equal(s.stability.find((r) => r.name === 'late')!.first, '2-1');
  });
});

describe('program types across builds', () => {
  it('a program type lost is breaking (12), one gained is a change (4); unknown on one side is no change', () => {
    const a = list('6.1', [kf('k', { progTypes: ['lsm', 'tracing'] })]);
    const gained = list('6.12', [kf('k', { progTypes: ['lsm', 'perf_event', 'tracepoint', 'tracing'] })]);
    const lost = list('6.12', [kf('k', { progTypes: ['tracing'] })]);
    const d = diffKfuncs(a, gained);
    assert.deepEqual(
      d.changes.map((c) => [c.kind, c.progTypesAdded, c.progTypesRemoved]),
      [['prog-types-changed', ['perf_event', 'tracepoint'], []]],
    );
    assert.equal(kfuncDiffExitCode(d), 4);
    assert.equal(kfuncDiffExitCode(diffKfuncs(a, lost)), 12);
    assert.deepEqual(diffKfuncs(a, list('6.12', [kf('k')])).changes, []);
    const s = kfuncSeries([
      { label: '1', labels: { version: '1' }, list: a },
      { label: '2', labels: { version: '2' }, list: gained },
    ]);
    assert.equal(s.stability[0]!.class, 'prog-types-changed');
  });
});
