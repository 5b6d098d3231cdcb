// The kernel itself judges kabi: Debian's 6.1.0-47 kernel boots under qemu and insmods each loader case of
// test/fixtures/loader; its answers (insmod's exit, its log lines, /sys/module/X/taint) must agree with
// kabi's verdict on the same modules against the same linux-image package, and with the answers recorded
// in results.json (which the default suite checks offline: kernel-words.test.ts).
// Needs qemu-system-x86_64, a static busybox and the package (downloaded when apt-get can); skips without.
// KABI_RECORD_LOADER=1 writes results.json from this run instead of comparing with it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type CompatTarget,
  moduleName,
  moduleVerdicts,
  readKernelArtifact,
  readModuleImage,
} from '../../src/index.js';
import { debianPackage } from '../helpers/debian-packages.js';
import {
  BOOTS,
  disagreements,
  IMAGE_PACKAGE,
  modulePath,
  RESULTS,
  type Recorded,
  readRecorded,
  withCmdline,
} from '../helpers/loader-cases.js';
import { insmodUnderQemu, type KernelAnswer, needsStaticBusybox, vmlinuzOf } from '../helpers/qemu.js';
import { needs } from '../helpers/tools.js';
import { unpackedPackage } from '../helpers/unpacked-package.js';

// The package is looked for (and downloaded) only where the boot can run.
const tools = needs('qemu-system-x86_64') || needsStaticBusybox();
const image = tools ? null : debianPackage(IMAGE_PACKAGE);
const skip = tools || (image && 'skip' in image ? image.skip : false);

/** What must not change between two boots: the exit, the taint, and the lines the loader printed. */
const essentials = (a: KernelAnswer) => ({
  case: a.case,
  exit: a.exit,
  taint: a.taint,
  kernel: a.kernel.filter((l) => l.startsWith(`${a.case}: `) || /^Loading of /.test(l)),
});

const SWITCHES = [
  'CONFIG_MODVERSIONS',
  'CONFIG_MODULE_FORCE_LOAD',
  'CONFIG_MODULE_SIG',
  'CONFIG_MODULE_SIG_FORCE',
  'CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS',
];

describe('Debian 6.1.0-47 under qemu: the kernel answers each loader case as kabi says', { skip }, () => {
  it('three boots, every verdict agreeing with the kernel', { timeout: 600_000 }, async () => {
    const deb = image && 'path' in image ? image.path : '';
    // The package's kernel as kabi reads it, from the package unpacked (once per run; ~1.4 CPU-s against
    // ~4 for the .deb, which ingest and symvers of it read whole elsewhere), or the .deb without dpkg-deb.
    const a = await readKernelArtifact(needs('dpkg-deb') ? deb : await unpackedPackage(deb));
    const target: CompatTarget = {
      name: a.release ?? deb,
      build: a.build,
      vermagic: a.build.labels.vermagic ?? null,
      modules: new Set([...a.modules.map((m) => m.name), ...a.builtin].map(moduleName)),
      profile: a.profile,
    };
    assert.equal(a.profile?.vendor, 'debian', 'the banner names the Debian kernel team');
    const dir = mkdtempSync(join(tmpdir(), 'kabi-loader-'));
    const boots: Recorded['boots'] = [];
    try {
      const vmlinuz = await vmlinuzOf(deb, dir);
      for (const boot of BOOTS) {
        const modules = boot.cases.map((name) => ({ name, path: modulePath(name) }));
        const answers = await insmodUnderQemu(vmlinuz, modules, boot.cmdline);
        assert.deepEqual(
          answers.map((x) => x.case),
          boot.cases,
        );
        const on = { ...target, profile: withCmdline(target.profile!, boot.cmdline) };
        const log = answers.flatMap((x) => x.kernel);
        for (const answer of answers) {
          const [v] = moduleVerdicts([await readModuleImage(modulePath(answer.case))], on);
          assert.deepEqual(disagreements(v!, answer, log), [], `${answer.case} ${boot.cmdline}`);
        }
        boots.push({ cmdline: boot.cmdline, answers });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (process.env.KABI_RECORD_LOADER === '1') {
      const options = a.config?.options;
      const recorded: Recorded = {
        kernel: {
          package: a.build.labels.package ?? IMAGE_PACKAGE,
          version: a.build.labels.version ?? '',
          release: target.name,
          vermagic: target.vermagic ?? '',
        },
        config: Object.fromEntries(SWITCHES.map((s) => [s, options?.get(s) ?? 'n'])),
        boots,
      };
      writeFileSync(RESULTS, `${JSON.stringify(recorded, null, 2)}\n`);
      return;
    }
    const recorded = readRecorded();
    assert.deepEqual(
      boots.map((b) => b.answers.map(essentials)),
      recorded.boots.map((b) => b.answers.map(essentials)),
      'the kernel answers as it did when results.json was recorded',
    );
  });
});
