// kabi's verdict on each loader case against what Debian's 6.1.0-47 kernel answered when it was booted under
// qemu (test/fixtures/loader/results.json, recorded by qemu.test.ts): loads or not, insmod's errno, the
// taint letters of /sys/module/X/taint, the kernel's causes and the words of each taint. Offline: the
// kernel is the committed Module.symvers, boot/config-* and the recorded vermagic.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moduleVerdicts, readModuleImage, taintLetters, verdictState } from '../../src/index.js';
import { BOOTS, disagreements, fixtureTarget, modulePath, readRecorded } from '../helpers/loader-cases.js';

const recorded = readRecorded();

describe("kabi's loader verdicts against the kernel's recorded answers", () => {
  it('the recording covers every boot and case, on the configuration the rules read', () => {
    assert.deepEqual(
      recorded.boots.map((b) => ({ cmdline: b.cmdline, cases: b.answers.map((a) => a.case) })),
      BOOTS,
    );
    assert.deepEqual(recorded.config, {
      CONFIG_MODVERSIONS: 'y',
      CONFIG_MODULE_FORCE_LOAD: 'y',
      CONFIG_MODULE_SIG: 'y',
      CONFIG_MODULE_SIG_FORCE: 'n',
      CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS: 'n',
    });
  });

  for (const boot of recorded.boots) {
    const log = boot.answers.flatMap((a) => a.kernel);
    for (const answer of boot.answers) {
      const name = `${answer.case}${boot.cmdline ? ` with ${boot.cmdline}` : ''}`;
      it(`${name}: ${answer.exit === 0 ? `loads (taint ${answer.taint || 'none'})` : `exit ${answer.exit}`}`, async () => {
        const target = await fixtureTarget(recorded, boot.cmdline);
        const [v] = moduleVerdicts([await readModuleImage(modulePath(answer.case))], target);
        assert.deepEqual(disagreements(v!, answer, log), []);
      });
    }
  }

  it('a force-loaded module, a proprietary one and an unsigned one are verdicts of their own: taints', async () => {
    const target = await fixtureTarget(recorded, '');
    const states = await Promise.all(
      ['no_versions', 'proprietary', 'clean'].map(async (c) => {
        const [v] = moduleVerdicts([await readModuleImage(modulePath(c))], target);
        return `${verdictState(v!)} ${taintLetters(v!.taints)}`;
      }),
    );
    assert.deepEqual(states, ['taints FOE', 'taints POE', 'taints OE']);
  });
});
