// The CLI's writers read a kernel's verdicts as the judge keeps them (kernelVerdicts): the text matrix and
// the compact JSON must be the bytes they write from the Verdict objects, kernel after kernel.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { corpus, target, VERMAGIC } from '../../test/helpers/compat-corpus.js';
import { kernelVerdicts } from '../analysis/module-compat.js';
import { matrixTextStream } from './compat.js';
import { compatStreams, pieceText } from './compat-stream.js';

/** The set on two kernels (one of unknown vermagic) under other names, and a single-module set. */
const kernels = () => {
  const set = corpus();
  return [
    kernelVerdicts(set, { ...target(VERMAGIC), name: 'k1' }),
    kernelVerdicts(set, { ...target(null), name: 'k2' }),
    kernelVerdicts(set.slice(2, 3), { ...target(VERMAGIC), name: 'k3' }),
  ];
};

describe('writers of kernelVerdicts', () => {
  it('the text matrix is the one written from the Verdict objects', () => {
    const [a, b] = [matrixTextStream(), matrixTextStream()];
    for (const t of kernels()) {
      a.table(t);
      b.kernel(t.verdicts());
    }
    const text = [...a.end()].join('');
    assert.equal(text, [...b.end()].join(''));
    assert.match(text, /FAIL \d/);
    assert.match(text, /taints O/);
  });

  it('the compact JSON is the one written from the Verdict objects', () => {
    const [a, b] = [compatStreams.json(), compatStreams.json()];
    const [x, y] = [[a.begin()], [b.begin()]];
    for (const t of kernels()) {
      x.push(pieceText(a.table!(t)));
      y.push(b.kernel(t.verdicts()));
    }
    x.push(...[...a.end()].map(pieceText));
    y.push(...[...b.end()].map(pieceText));
    assert.equal(x.join(''), y.join(''));
    const doc = JSON.parse(x.join(''));
    assert.equal(doc.verdicts.length, 15);
    assert.ok(doc.reasons.some((r: { code: string }) => r.code === 'module-layout'));
  });
});
