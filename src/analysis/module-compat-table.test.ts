// A kernel's verdicts as typed arrays (kernelVerdicts) say what the Verdict objects say: every accessor
// against the object it materialises, on a set with each kind of reason (a failing dependency, a missing
// one, module_layout, imports of each code, notes, taints) and a module given twice.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { corpus, target, VERMAGIC } from '../../test/helpers/compat-corpus.js';
import { verdictState } from '../model/verdict.js';
import { kernelVerdicts, moduleVerdicts } from './module-compat.js';

describe('kernelVerdicts', () => {
  for (const vermagic of [VERMAGIC, null])
    it(`says what the verdicts say (kernel vermagic ${vermagic === null ? 'unknown' : 'known'})`, () => {
      const set = corpus();
      const t = kernelVerdicts(set, target(vermagic));
      const vs = moduleVerdicts(set, target(vermagic));
      assert.equal(t.length, set.length);
      assert.equal(t.kernel, 'k');
      assert.deepEqual(t.verdicts(), vs);
      // The same image given twice: one verdict object, as before.
      assert.equal(t.verdict(3), t.verdict(6));
      const states = new Set<string>();
      for (let i = 0; i < set.length; i++) {
        const v = vs[i]!;
        states.add(verdictState(v));
        const id = t.identity(i);
        assert.deepEqual(
          { module: id.module, from: id.from, builtFor: id.builtFor, source: id.source },
          { module: v.module, from: v.from, builtFor: v.builtFor, source: v.source },
        );
        assert.equal(t.loads(i), v.loads);
        assert.equal(t.reasonCount(i), v.reasons.length);
        for (let k = 0; k < v.reasons.length; k++) assert.deepEqual(t.reasonAt(i, k), v.reasons[k]);
        assert.deepEqual(t.notes(i), v.notes);
        assert.deepEqual(t.taints(i), v.taints);
        assert.deepEqual(t.dependsOn(i), v.dependsOn ?? []);
      }
      // The set has each state, and every import code and object reason above.
      assert.deepEqual([...states].sort(), ['fails', 'loads', 'taints']);
      const codes = new Set(vs.flatMap((v) => v.reasons.map((r) => r.code)));
      for (const c of [
        'dependency-fails',
        'dependency-missing',
        'module-layout',
        'missing-symbol',
        'gpl-only',
        'crc-mismatch',
        'namespace-not-imported',
      ])
        assert.ok(codes.has(c as never), c);
    });
});
