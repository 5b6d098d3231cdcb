// The loader cases of test/fixtures/loader (README.md there): which boots insmod which modules, the kernel
// they were judged on, and how a kabi verdict is held against the kernel's answer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CompatTarget,
  type LoaderProfile,
  loaderProfileOf,
  modulesOfBuild,
  readExportsArtifact,
  readKernelConfig,
  taintLetters,
  type Verdict,
} from '../../src/index.js';
import { FIXTURES } from './independent.js';
import type { KernelAnswer } from './qemu.js';

export const LOADER = join(FIXTURES, 'loader');
export const RESULTS = join(LOADER, 'results.json');
export const IMAGE_PACKAGE = 'linux-image-6.1.0-47-amd64-unsigned';

/**
 * Three boots: every case in one; no_vermagic alone (the kernel prints a force-load's words once a boot,
 * and no_versions already took them); the signature rule with `module.sig_enforce=1`, an unsigned
 * module against a signed in-tree one (crc16, signed by Debian).
 */
export const BOOTS: { cmdline: string; cases: string[] }[] = [
  {
    cmdline: '',
    cases: [
      'clean',
      'no_versions',
      'missing_record',
      'wrong_crc',
      'layout_crc',
      'vermagic_flag',
      'proprietary',
      'gpl_only',
      'ns_missing',
    ],
  },
  { cmdline: '', cases: ['no_vermagic'] },
  { cmdline: 'module.sig_enforce=1', cases: ['clean', 'crc16'] },
];

export interface Recorded {
  kernel: { package: string; version: string; release: string; vermagic: string };
  /** The configuration switches the loader's rules read, as boot/config-* sets them. */
  config: Record<string, string>;
  boots: { cmdline: string; answers: KernelAnswer[] }[];
}

export const readRecorded = (): Recorded => JSON.parse(readFileSync(RESULTS, 'utf8')) as Recorded;

export function modulePath(name: string): string {
  return name === 'crc16'
    ? join(FIXTURES, 'modules', 'lib', 'modules', '6.1.0-47-amd64', 'kernel', 'lib', 'crc16.ko')
    : join(LOADER, name, `${name}.ko`);
}

/** `module.sig_enforce=1` on the command line enforces signatures as CONFIG_MODULE_SIG_FORCE does. */
export function withCmdline(p: LoaderProfile, cmdline: string): LoaderProfile {
  return /(^|\s)module\.sig_enforce=1(\s|$)/.test(cmdline) ? { ...p, sigForce: true } : p;
}

/** Debian 6.1.0-47 from the committed fixtures: Module.symvers, boot/config-*, the recorded vermagic. */
export async function fixtureTarget(recorded: Recorded, cmdline: string): Promise<CompatTarget> {
  const build = await readExportsArtifact(join(FIXTURES, 'debian', '6.1.0-47.symvers.xz'));
  const config = await readKernelConfig(join(LOADER, 'config-6.1.0-47-amd64.xz'));
  // The vendor is what the image's banner says (debian-kernel@lists.debian.org); the fixtures hold no image.
  return {
    name: recorded.kernel.release,
    build,
    vermagic: recorded.kernel.vermagic,
    modules: modulesOfBuild(build),
    profile: withCmdline(loaderProfileOf(config, 'debian'), cmdline),
  };
}

/** insmod's exit (busybox returns the errno) for the reason the loader stops at. */
const ERRNO: Record<string, number> = {
  'module-layout': 8,
  vermagic: 8,
  'no-vermagic': 8,
  'no-modversions': 8,
  'missing-symbol': 2,
  'gpl-only': 2,
  'crc-mismatch': 22,
  'namespace-not-imported': 22,
  'no-symbol-version': 22,
  unsigned: 129,
};

// A line where the kernel says why it refused (the `Unknown symbol X (err -22)` after a CRC, namespace or
// missing-record line is that line's consequence, not a cause of its own).
const CAUSE =
  /disagrees about version|Unknown symbol .* \(err -2\)|version magic|no symbol version|does not import it|is rejected/;
const unprefixed = (line: string) => line.replace(/^[\w-]+: /, '');

/**
 * Where kabi's verdict and the kernel's answer disagree, one line each (empty when they agree): loads or
 * not, insmod's errno, the taint letters, every cause the kernel printed, and the words of each taint
 * (printed once a boot, so looked for in the whole boot's log).
 */
export function disagreements(v: Verdict, answer: KernelAnswer, bootLog: string[]): string[] {
  const out: string[] = [];
  const said = (r: { message: string }) => answer.kernel.some((line) => r.message.includes(line));
  if (v.loads !== (answer.exit === 0)) out.push(`loads: kabi ${v.loads}, insmod exit ${answer.exit}`);
  const first = v.reasons.find((r) => !r.alsoFails);
  if (first && ERRNO[first.code] !== answer.exit)
    out.push(`insmod exit ${answer.exit}, kabi's first reason ${first.code} means ${ERRNO[first.code]}`);
  if (answer.exit === 0 && taintLetters(v.taints) !== (answer.taint ?? ''))
    out.push(`taints: kabi ${taintLetters(v.taints)}, kernel ${answer.taint}`);
  for (const r of v.reasons.filter((x) => !x.alsoFails))
    if (!said(r)) out.push(`kabi says "${r.message}", the kernel did not`);
  for (const line of answer.kernel.filter((l) => CAUSE.test(l)))
    if (!v.reasons.some((r) => r.message.includes(line))) out.push(`the kernel says "${line}", kabi did not`);
  const boot = new Set(bootLog.map(unprefixed));
  for (const t of answer.exit === 0 ? (v.taints ?? []) : [])
    if (!boot.has(unprefixed(t.message))) out.push(`taint ${t.flag}: "${t.message}" not in the boot's log`);
  return out;
}
