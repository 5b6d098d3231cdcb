import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moduleImage, symversBuild } from '../../test/helpers/builds.js';
import { NothingToJudgeError } from '../errors.js';
import { compareBuilds } from './check.js';
import { compatSeries } from './compat-series.js';
import type { CompatTarget } from './module-compat.js';
import { moduleVerdicts } from './module-compat.js';
import { modulesOnly, requireComparable } from './nothing-to-judge.js';

const kernel = (source: string, symbols: string[]) =>
  symversBuild(
    source,
    {},
    symbols.map((symbol) => ({ symbol })),
  );
const kmodExports = (source: string) =>
  symversBuild(source, {}, [{ symbol: 'lttng_clock_ref', module: 'extra/lttng-clock' }]);
const target = (build = kernel('k', ['printk'])): CompatTarget => ({
  name: 'k',
  build,
  vermagic: null,
  modules: new Set(),
});

describe('nothing to judge', () => {
  it('compareBuilds refuses a side of no exports, naming it: a gate never passes on nothing', () => {
    const empty = kernel('empty.symvers', []);
    assert.throws(() => compareBuilds(empty, kernel('b', ['x'])), {
      name: 'NothingToJudgeError',
      message: /^empty\.symvers: no exports; expected a kernel build's exports/,
    });
    assert.throws(() => compareBuilds(kernel('a', ['x']), empty), NothingToJudgeError);
  });

  it('compareBuilds refuses a modules-only file against a kernel, in either order, and compares like with like', () => {
    const k = kernel('kernel.symvers', ['printk']);
    const m = kmodExports('kmod.symvers');
    assert.equal(modulesOnly(m), true);
    assert.equal(modulesOnly(k), false);
    for (const [a, b] of [
      [m, k],
      [k, m],
    ] as const)
      assert.throws(() => compareBuilds(a, b), {
        name: 'NothingToJudgeError',
        message:
          /^kmod\.symvers: no vmlinux exports \(its 1 exports are all of modules.*while kernel\.symvers is a kernel/,
      });
    assert.equal(compareBuilds(m, kmodExports('kmod2.symvers')).verdict, 'unchanged');
    // RPM provides name no module: nothing to tell, so compared.
    const provides = symversBuild('provides', {}, [{ symbol: 'printk', module: null }]);
    assert.doesNotThrow(() => requireComparable(provides, k));
  });

  it('moduleVerdicts refuses zero modules and a kernel of no exports', () => {
    const m = moduleImage('m', [['printk', 1]]);
    assert.throws(() => moduleVerdicts([], target()), /no kernel modules/);
    assert.throws(
      () => moduleVerdicts([m], target(kernel('empty', []))),
      /^NothingToJudgeError: k: no exports/,
    );
    assert.deepEqual(
      moduleVerdicts([m], target())[0]!.reasons.map((r) => r.code),
      ['no-vermagic'],
      'judged: only the missing vermagic it was built without',
    );
  });

  it('compatSeries refuses zero builds and zero modules', () => {
    const m = moduleImage('m', [['printk', 1]]);
    assert.throws(() => compatSeries([m], []), /^NothingToJudgeError: the series: no kernel builds/);
    assert.throws(() => compatSeries([], [target()]), /no kernel modules/);
    assert.equal(compatSeries([m], [target()]).modules.length, 1);
  });
});
