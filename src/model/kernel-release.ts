// A Debian kernel release names its ABI and its flavour in one string (`uname -r`): `6.1.0-55-amd64`,
// `6.12.117+deb12-cloud-amd64`. Module.symvers files name only the ABI (`6.1.0-55.symvers.xz`), so the
// store keeps them apart: `release` is the ABI, `flavour` the rest, `uname` the whole string.

const DEBIAN_RELEASE = /^(\d+\.\d+(?:\.\d+)?(?:-\d+|\+[a-z0-9.]+)?)-([a-z][a-z0-9-]*)$/;

/** `6.1.0-55-amd64` → { abi: '6.1.0-55', flavour: 'amd64' }; null for a release of another shape. */
export function splitDebianRelease(release: string): { abi: string; flavour: string } | null {
  const m = DEBIAN_RELEASE.exec(release);
  return m ? { abi: m[1]!, flavour: m[2]! } : null;
}
