// A kernel's configuration, where the module loader's rules come from.
//
// Where it is found:
// - `boot/config-<release>` in linux-image packages and /boot trees, `lib/modules/<release>/config` in
//   RHEL's kernel-core RPMs (whose /boot copy is a %ghost), `usr/src/linux-headers-<release>/.config` in
//   Debian's headers packages: the .config text.
// - IKCONFIG (CONFIG_IKCONFIG): kernel/configs.c puts the gzipped .config between the markers
//   `IKCFG_ST` and `IKCFG_ED` in vmlinux's .rodata (or in configs.ko when it is a module).
// - a file the user names (`--config FILE`).
//
// The text (scripts/kconfig/confdata.c): one `CONFIG_X=value` line per option set (`y`, `m`, a number or
// a quoted string), `# CONFIG_X is not set` for a visible option left off, other `#` lines comments.
// An option missing from the file is off: its dependencies were not met.
//
// The vendor: Debian's kernels carry a loader patch kabi models (a missing `__versions` record refuses the
// module). Their banner names the Debian kernel team as the builder: `Linux version 6.1.0-47-amd64
// (debian-kernel@lists.debian.org) (gcc-12 ...) #1 SMP PREEMPT_DYNAMIC Debian 6.1.170-3 (2026-05-08)`.
import { gunzipSync } from 'node:zlib';
import { ArtifactFormatError } from '../errors.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { LoaderProfile, LoaderVendor } from '../model/loader-profile.js';
import { formatLoaderLabel, LOADER_LABEL, UNKNOWN_PROFILE } from '../model/loader-profile.js';
import { sniffArtifact, unexpectedKind } from './artifact.js';
import { extractVmlinux } from './kernel-image/bzimage.js';
import { extractS390Kernel } from './kernel-image/s390-image.js';
import { decodeText } from './lines.js';

export interface KernelConfig {
  source: string;
  /** `CONFIG_MODVERSIONS` → `y`; `n` for `# ... is not set`; strings keep their quotes. */
  options: ReadonlyMap<string, string>;
}

/** `boot/config-<release>`, `lib/modules/<release>/config`, or a headers package's `.config`. */
export const KERNEL_CONFIG_FILE =
  /(?:^|\/)(?:boot\/config-[^/]+|lib\/modules\/[^/]+\/config|usr\/src\/linux-headers-[^/]+\/\.config)$/;

const SET = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const NOT_SET = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/;

export function parseKernelConfig(text: string, opts: { source: string }): KernelConfig {
  const options = new Map<string, string>();
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trimEnd();
    const set = SET.exec(line);
    if (set) options.set(set[1]!, set[2]!);
    else {
      const off = NOT_SET.exec(line);
      if (off) options.set(off[1]!, 'n');
      else if (line !== '' && !line.startsWith('#'))
        throw new ArtifactFormatError('expected CONFIG_X=value, `# CONFIG_X is not set` or a comment', {
          source: opts.source,
          line: i + 1,
          excerpt: line.slice(0, 120),
        });
    }
  }
  if (options.size === 0)
    throw new ArtifactFormatError('no CONFIG_ option: not a kernel configuration', { source: opts.source });
  return { source: opts.source, options };
}

const IKCFG_ST = Buffer.from('IKCFG_ST', 'latin1');
const IKCFG_ED = Buffer.from('IKCFG_ED', 'latin1');
const MAX_CONFIG = 16 << 20;

/** IKCONFIG's configuration, from a vmlinux (or configs.ko); null when the kernel was built without it. */
export function ikconfigOf(image: Uint8Array, opts: { source: string }): KernelConfig | null {
  const bytes = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  const start = bytes.indexOf(IKCFG_ST);
  if (start === -1) return null;
  const from = start + IKCFG_ST.length;
  const end = bytes.indexOf(IKCFG_ED, from);
  if (end === -1 || bytes[from] !== 0x1f || bytes[from + 1] !== 0x8b) return null;
  const where = `${opts.source} (IKCONFIG)`;
  let data: Buffer;
  try {
    data = gunzipSync(bytes.subarray(from, end), { maxOutputLength: MAX_CONFIG });
  } catch (cause) {
    throw new ArtifactFormatError(`IKCONFIG's gzip data is corrupt: ${(cause as Error).message}`, {
      source: opts.source,
      offset: from,
      cause,
    });
  }
  return parseKernelConfig(decodeText(data, where, 'a kernel .config'), { source: where });
}

const BANNER = Buffer.from('Linux version ', 'latin1');

/** linux_banner (init/version.c), as /proc/version shows it; null when the image has none. */
export function linuxBanner(image: Uint8Array): string | null {
  const bytes = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  for (let at = bytes.indexOf(BANNER); at !== -1; at = bytes.indexOf(BANNER, at + 1)) {
    const c = bytes[at + BANNER.length]!;
    if (c < 0x30 || c > 0x39) continue; // linux_proc_banner's "%s", not the built banner
    const nl = bytes.indexOf(0x0a, at);
    const stop = nl === -1 ? Math.min(bytes.length, at + 512) : Math.min(nl, at + 512);
    return bytes.toString('latin1', at, stop);
  }
  return null;
}

/** The loader's vendor from the banner: Debian's own builds name the Debian kernel team. */
export function vendorOfBanner(banner: string | null): LoaderVendor | null {
  return banner && /\(debian-kernel@lists\.debian\.org\)/.test(banner) ? 'debian' : null;
}

const on = (c: KernelConfig, name: string) => c.options.get(name) === 'y';

/** The loader's profile from a configuration (null: only the vendor, if that, is known). */
export function loaderProfileOf(config: KernelConfig | null, vendor: LoaderVendor | null): LoaderProfile {
  if (!config) return { ...UNKNOWN_PROFILE, vendor };
  return {
    modversions: on(config, 'CONFIG_MODVERSIONS'),
    forceLoad: on(config, 'CONFIG_MODULE_FORCE_LOAD'),
    sig: on(config, 'CONFIG_MODULE_SIG'),
    sigForce: on(config, 'CONFIG_MODULE_SIG_FORCE'),
    allowMissingNamespaceImports: on(config, 'CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS'),
    vendor,
    source: config.source,
  };
}

/**
 * The kernel's vermagic from its configuration and release (include/linux/vermagic.h): the release, then
 * `SMP `, `preempt `, `mod_unload `, `modversions `. Only where nothing else joins it: x86-64 (whose
 * MODULE_ARCH_VERMAGIC is empty) without RANDSTRUCT's seed hash or PREEMPT_RT (whose flag's precedence
 * changed across versions); null elsewhere.
 */
export function vermagicOf(config: KernelConfig, release: string): string | null {
  const o = config.options;
  if (!on(config, 'CONFIG_X86_64') || on(config, 'CONFIG_PREEMPT_RT')) return null;
  if (on(config, 'CONFIG_RANDSTRUCT') || on(config, 'CONFIG_GCC_PLUGIN_RANDSTRUCT')) return null;
  // 5.16+ keys the flag on PREEMPT_BUILD (PREEMPT_DYNAMIC selects it); older kernels on PREEMPT.
  const preempt = o.has('CONFIG_PREEMPT_BUILD')
    ? on(config, 'CONFIG_PREEMPT_BUILD')
    : on(config, 'CONFIG_PREEMPT');
  const flags = [
    on(config, 'CONFIG_SMP') && 'SMP ',
    preempt && 'preempt ',
    on(config, 'CONFIG_MODULE_UNLOAD') && 'mod_unload ',
    on(config, 'CONFIG_MODVERSIONS') && 'modversions ',
  ];
  return `${release} ${flags.filter(Boolean).join('')}`;
}

/** A vmlinux's build with the `loader` label its IKCONFIG and banner give, when they say anything. */
export function withLoaderLabel(build: KernelBuild, vmlinux: Uint8Array): KernelBuild {
  const config = ikconfigOf(vmlinux, { source: build.source });
  const vendor = vendorOfBanner(linuxBanner(vmlinux));
  if (config || vendor) build.labels[LOADER_LABEL] = formatLoaderLabel(loaderProfileOf(config, vendor));
  return build;
}

/**
 * A configuration the user names (`--config FILE`): a .config (plain or compressed, as /proc/config.gz),
 * or a vmlinux, vmlinuz or configs.ko holding IKCONFIG.
 */
export async function readKernelConfig(path: string): Promise<KernelConfig> {
  const artifact = await sniffArtifact(path, {
    what: 'a kernel configuration (.config, config.gz, vmlinux)',
  });
  const bytes =
    artifact.kind === 'vmlinuz'
      ? await extractVmlinux(artifact.data!, { source: path })
      : artifact.kind === 's390-image'
        ? await extractS390Kernel(artifact.data!, { source: path })
        : artifact.data;
  const images = ['vmlinux', 'vmlinuz', 'arm64-image', 's390-image', 'ko'];
  if (bytes && images.includes(artifact.kind)) {
    const config = ikconfigOf(bytes, { source: path });
    if (!config)
      throw new ArtifactFormatError('no IKCONFIG in it (built without CONFIG_IKCONFIG)', { source: path });
    return config;
  }
  if (artifact.kind !== 'text') throw unexpectedKind(artifact, 'a kernel configuration');
  return parseKernelConfig(decodeText(artifact.data!, path, 'a kernel .config'), { source: path });
}
