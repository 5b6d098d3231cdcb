// Identity labels a kernel artifact implies: from a release string (`6.1.0-47-amd64`,
// `6.12.117+deb12-amd64`, `5.14.0-362.8.1.el9_3.x86_64`) and package metadata. The user's labels win.
import { splitDebianRelease } from '../model/kernel-release.js';

const EL_RELEASE = /^(\d+\.\d+\.\d+-[\d.]+)\.(el\d+[_\d]*)\.([a-z0-9_]+)(?:\+(\w+))?$/;

/**
 * Distro, ABI, flavour and stream for a release string, where its shape tells them. A Debian release
 * with a flavour (`6.1.0-55-amd64`) becomes release=6.1.0-55, flavour=amd64, uname=6.1.0-55-amd64: the
 * release its Module.symvers is named by, so that a ref from one source finds the other.
 */
export function releaseLabels(release: string): Record<string, string> {
  const deb = splitDebianRelease(release);
  if (deb) {
    const { abi, flavour } = deb;
    return { release: abi, uname: release, abi, flavour, stream: streamOf(abi) };
  }
  const el = EL_RELEASE.exec(release);
  if (el) return { distro: 'rhel', abi: el[1]!, arch: el[3]!, flavour: el[4] ?? 'default', stream: el[2]! };
  return {};
}

/** `6.1.0-47.symvers.xz`, `symvers-6.1.0-47-amd64.gz`, `.../linux-headers-6.1.0-47-amd64/Module.symvers`. */
export function releaseFromFileName(path: string): string | null {
  const parts = path.split('/');
  const base = parts[parts.length - 1] ?? '';
  const parent = parts[parts.length - 2] ?? '';
  return (
    /^symvers-(.+?)(?:\.(?:gz|xz|zst))?$/.exec(base)?.[1] ??
    /^linux-headers-(.+)$/.exec(parent)?.[1] ??
    /^(\d+\.\d+.*?)\.symvers(?:\.(?:gz|xz|zst))?$/.exec(base)?.[1] ??
    null
  );
}

const streamOf = (abi: string) => abi.split('.').slice(0, 2).join('.');

/** Defaults for labels the artifact did not carry: distro from the package version, stream from the release. */
export function defaultLabels(
  found: Record<string, string>,
  path: string,
  format: string,
): Record<string, string> {
  const out: Record<string, string> = { ...found };
  if (format !== 'ko') out.release ??= releaseFromFileName(path) ?? '';
  if (out.release === '') delete out.release;
  if (out.release) {
    const derived = releaseLabels(out.release);
    // The release is split even though the reader named it whole; any other label found wins.
    Object.assign(out, { ...derived, ...out }, derived.release ? { release: derived.release } : {});
  }
  const version = out.version ?? '';
  if (!out.distro) {
    if (/ubuntu/.test(version)) out.distro = 'ubuntu';
    else if (
      /deb\d+|bpo/.test(version) ||
      format === 'deb' ||
      /^linux-(image|headers)-/.test(out.package ?? '')
    )
      out.distro = 'debian';
  }
  if (out.stream && out.distro && !out.stream.startsWith(out.distro))
    out.stream = `${out.distro}-${out.stream}`;
  return out;
}

/** Where a build's `date` label came from; `date-from` says which, so a reader can weigh it. */
export const DATE_FROM = 'date-from';

/**
 * `date` and `date-from` for a package: its changelog's first entry (Debian: the upload's date), else its
 * RPM BUILDTIME (seconds since the epoch, as a UTC day). Neither: no date.
 */
export function dateLabels(changelog: string | null, buildtime: string | undefined): Record<string, string> {
  if (changelog) return { date: changelog, [DATE_FROM]: 'changelog' };
  const seconds = Number(buildtime);
  if (buildtime && Number.isSafeInteger(seconds) && seconds > 0)
    return { date: new Date(seconds * 1000).toISOString().slice(0, 10), [DATE_FROM]: 'buildtime' };
  return {};
}
