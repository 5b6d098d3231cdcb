// The text formats, each read from a file as a user's input is (decompression, UTF-8 decoding, format
// detection, parsing): Module.symvers, RPM provides, Ubuntu abi files, the exports detector, stablelists,
// policies, the Debian changelog's first entry and kernel configs.
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  changelogDateOf,
  type Export,
  formatModuleSymvers,
  loadPolicy,
  parseModuleSymvers,
  readKernelConfig,
  readKernelExports,
  readStablelist,
} from '../../src/index.js';
import { FIXTURES, lineSlices, symversSeeds, text, unpacked } from '../seeds.js';
import type { Target } from '../target.js';

const SYMVERS_WORDS = [
  '0x',
  '0x00000000',
  '0xffffffff',
  '\t',
  'EXPORT_SYMBOL',
  'EXPORT_SYMBOL_GPL',
  'EXPORT_SYMBOL_NS',
  'EXPORT_SYMBOL_GPL_FUTURE',
  'vmlinux',
  'drivers/net/foo',
  'CXL',
  'kernel(',
  'ksym(',
  ') = ',
  '__proto__',
  'constructor',
];

/** Symvers slices turned into other export formats with the same symbols. */
async function rewritten(line: (crc: string, sym: string, mod: string, type: string, ns: string) => string) {
  return (await symversSeeds()).slice(0, 8).map((seed) => {
    const out = Buffer.from(seed)
      .toString()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const [crc = '', sym = '', mod = '', type = '', ns = ''] = l.split('\t');
        return line(crc, sym, mod, type, ns);
      });
    return text(...out);
  });
}

const NOBLE = text(
  'CXL EXPORT_SYMBOL_GPL 0x055c6ee3\tcxl_mem_active_inc\tvmlinux',
  'EXPORT_SYMBOL\t arch/x86/kvm/kvm 0x1e21c006\tkvm_cpu_has_pending_timer',
  'EXPORT_SYMBOL_GPL\t vmlinux 0xffd76387\tanon_inode_getfile',
  'USB_STORAGE EXPORT_SYMBOL_GPL 0x016c79bd\tusb_stor_disconnect\tdrivers/usb/storage/usb-storage',
);

const rpmProvides = () =>
  rewritten((crc, sym) => (crc === '' ? `kernel(${sym})` : `kernel(${sym}) = ${crc}`)).then((s) => [
    ...s,
    text('kernel(x86-64) = 5.14.0-362.el9', 'ksym(kfree) = 0x037a0cba', 'kmod(nvme.ko)', 'kernel(vfree)'),
  ]);
const ubuntuAbi = () =>
  rewritten((crc, sym, mod, type, ns) => `${ns ? `${ns} ` : ''}${type}\t ${mod} ${crc}\t${sym}`).then((s) => [
    ...s,
    NOBLE,
  ]);

const exportsTarget = (
  name: string,
  about: string,
  format: 'module-symvers' | 'rpm-provides' | 'ubuntu-abi' | undefined,
  seeds: () => Promise<Uint8Array[]>,
): Target => ({
  name,
  about,
  text: true,
  maxLength: 512 * 1024,
  dictionary: SYMVERS_WORDS,
  seeds,
  run: (input, scratch) => readKernelExports(scratch.file(input, 'exports'), format ? { format } : {}),
});

export const symvers = exportsTarget(
  'symvers',
  'Module.symvers (readKernelExports, format forced)',
  'module-symvers',
  symversSeeds,
);
export const rpmProvidesTarget = exportsTarget(
  'rpm-provides',
  'RPM provides `kernel(sym) = 0xCRC` (readKernelExports, format forced)',
  'rpm-provides',
  rpmProvides,
);
export const ubuntuAbiTarget = exportsTarget(
  'ubuntu-abi',
  'Ubuntu abi files (readKernelExports, format forced)',
  'ubuntu-abi',
  ubuntuAbi,
);
export const kernelExports = exportsTarget(
  'kernel-exports',
  'any text list of exports: detection then the detected reader',
  undefined,
  async () => [...(await symversSeeds()).slice(0, 6), ...(await rpmProvides()), ...(await ubuntuAbi())],
);

/**
 * Module.symvers written back by the project's own writer reads back to the same exports. The writer
 * fills what the old 3-column shape leaves unknown (export type, module) with modpost's defaults, so the
 * first reading is compared with those defaults applied.
 */
export const symversRoundTrip: Target = {
  name: 'symvers-roundtrip',
  about: 'Module.symvers parsed, written by formatModuleSymvers and parsed again: the same exports',
  text: true,
  dictionary: SYMVERS_WORDS,
  seeds: symversSeeds,
  run(input) {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return; // not UTF-8: the symvers target holds the decoding to its errors
    }
    const build = parseModuleSymvers(text, { source: 'in' });
    const again = parseModuleSymvers(formatModuleSymvers(build.exports.values()), { source: 'again' });
    const shown = (exports: Iterable<Export>) =>
      JSON.stringify(
        [...exports].map((e) => ({
          ...e,
          module: e.module ?? 'vmlinux',
          exportType: e.exportType ?? 'EXPORT_SYMBOL',
          namespace: e.namespace ?? '',
        })),
      );
    const a = shown(build.exports.values());
    const b = shown(again.exports.values());
    if (a !== b) throw new Error(`round trip changed the exports:\n${a.slice(0, 400)}\n${b.slice(0, 400)}`);
  },
};

const STABLELISTS = [
  text('# kABI symbols', 'kfree', 'vfree', '__kmalloc'),
  text('[rhel9_x86_64_stablelist]', '\tI_BDEV', '\t__alloc_skb', '\t__kmalloc'),
  text('[abi_symbol_list]', '  kfree', '  vfree', '# required by x.ko', '  memcpy'),
  text(
    '0x54677249\tiscsi_host_add\tdrivers/scsi/libiscsi\tEXPORT_SYMBOL_GPL\t',
    '0xf84a026a\tipv6_chk_custom_prefix\tvmlinux\tEXPORT_SYMBOL\t',
  ),
  text('#2-', '#I:0', '0xd93dd652\t__alloc_skb\tvmlinux\tEXPORT_SYMBOL\t'),
];

export const stablelist: Target = {
  name: 'stablelist',
  about: 'stablelists of every format (readStablelist: detection, then plain, RHEL, INI, kabi-module, ...)',
  text: true,
  dictionary: [
    '[',
    ']',
    '_stablelist',
    '_whitelist',
    '[abi_symbol_list]',
    '#I:',
    '#0-',
    '\t',
    'rhel9_x86_64',
  ],
  seeds: async () => [...STABLELISTS, ...(await symversSeeds()).slice(0, 3)],
  run: (input, scratch) => readStablelist(scratch.file(input, 'Module.kabi_x86_64')),
};

const POLICIES = [
  text(
    '# kabi policy',
    'default breaking=fail harmless=warn',
    'symbol    kmalloc*                 fail',
    'module    drivers/gpu/**           ignore',
    'namespace CXL                      warn',
    'symbol    my_sym                   warn   crc-changed,removed',
    'symbol    *                        fail   added',
  ),
  text('# KABI rules', 'drivers/message/fusion/*\tPASS', 'net/ceph/libceph\t\tPASS', 'zpci_*\t\t\t\tPASS'),
  text('lib/important* FAIL', 'TEST_IMPORTANT FAIL', '*not_stable*   PASS'),
  text(
    '[abi]',
    'abiname: 0.bpo.1',
    'ignore-changes:',
    ' __cpuhp_*',
    ' module:drivers/hv/*',
    '# why',
    ' btree_*',
    '',
    '[base]',
    'arches:',
    ' amd64',
  ),
  text('__cpuhp_*', 'module:drivers/iio/**', 'bpf_analyzer'),
];

export const policy: Target = {
  name: 'policy',
  about: 'policy files (loadPolicy: SUSE severities, Debian ignore-changes and defines, kabi policy)',
  text: true,
  dictionary: [
    'symbol',
    'module',
    'namespace',
    'default',
    'fail',
    'warn',
    'ignore',
    'PASS',
    'FAIL',
    '**',
    '[abi]',
  ],
  seeds: async () => POLICIES,
  // Stablelist references resolve beside the policy; a fuzzed one names a file that is not there.
  run: (input, scratch) => loadPolicy({ policyPath: scratch.file(input, 'severities') }),
};

const CHANGELOG = text(
  'linux (6.1.170-3) bookworm-security; urgency=high',
  '',
  '  * New upstream stable update:',
  '    https://www.kernel.org/pub/linux/kernel/v6.x/ChangeLog-6.1.170',
  '',
  ' -- Salvatore Bonaccorso <carnil@debian.org>  Fri, 08 May 2026 21:59:49 +0200',
  '',
  'linux (6.1.169-1) bookworm; urgency=medium',
  '',
  ' -- Ben Hutchings <benh@debian.org>  Sun, 12 Apr 2026 10:00:00 +0000',
);

export const changelog: Target = {
  name: 'changelog',
  about: "Debian changelog.Debian.gz: the first entry's date (changelogDateOf, gzip streamed or plain)",
  text: true,
  dictionary: [' -- ', '  ', 'Mon, ', 'Dec ', '+0000', '\x1f\x8b'],
  seeds: async () => [CHANGELOG, gzipSync(CHANGELOG), gzipSync(Buffer.concat([CHANGELOG, CHANGELOG]))],
  run: (input) => changelogDateOf(input, 'changelog.Debian.gz'),
};

export const kernelConfig: Target = {
  name: 'kernel-config',
  about: 'kernel .config files (readKernelConfig: sniffed, decompressed, parsed)',
  text: true,
  dictionary: ['CONFIG_', '=y', '=m', '="', '# CONFIG_', ' is not set', 'CONFIG_MODVERSIONS=y'],
  seeds: async () => {
    const config = Buffer.from(
      await unpacked(join(FIXTURES, 'loader', 'config-6.1.0-47-amd64.xz')),
    ).toString();
    return [...lineSlices(config, 60, 6), gzipSync(lineSlices(config, 200, 1)[0]!)];
  },
  run: (input, scratch) => readKernelConfig(scratch.file(input, 'config')),
};
