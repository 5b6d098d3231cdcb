#!/usr/bin/env bash
# A two-minute tour on bundled real data only (test/fixtures, no network): seven Debian bookworm
# Module.symvers of two streams ingested into a fresh SQLite store; the store, each stream's series, the
# gate; then two real out-of-tree modules built for 6.1.0-47 (acpi_call, v4l2loopback) across the 6.1
# builds: where they stop loading, why, and the type changes behind it (BTF); last, an HTML report.
# It builds first when a source is newer than the last build; KABI_DEMO_SKIP_BUILD=1 never builds (the
# tests run the demo on the dist/ they built).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${KABI_DEMO_SKIP_BUILD:-}" != 1 ] && { [ ! -e dist/.tsbuildinfo ] ||
  [ -n "$(find src tsconfig.json package.json -newer dist/.tsbuildinfo -print -quit)" ]; }; then
  npm run -s build
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/kabi-demo.XXXXXX")"
db="$work/kabi.db"
kabi() { node bin/kabi.js --db "$db" "$@"; }
step() { printf '\n== %s\n' "$*"; }
# kabi, where a non-zero verdict is an answer, not a failure: its exit code lands in $rc; errors (1) and
# usage errors (2) still stop the demo.
answer() {
  rc=0
  kabi "$@" || rc=$?
  if [ "$rc" = 1 ] || [ "$rc" = 2 ]; then exit "$rc"; fi
}
F=test/fixtures/debian
KMODS=test/fixtures/modules/kmods/6.1.0-47
BTF=test/fixtures/btf

step "1. ingest: 7 real Debian Module.symvers, two streams, into a new store ($db)"
while read -r stream abi version; do
  kabi ingest -l distro=debian -l "stream=$stream" -l "version=$version" "$F/$abi.symvers.xz"
done <<'BUILDS'
debian-6.1 6.1.0-47 6.1.170-3
debian-6.1 6.1.0-50 6.1.176-1
debian-6.1 6.1.0-54 6.1.190-1
debian-6.1 6.1.0-55 6.1.192-1
debian-6.1 6.1.0-56 6.1.192-2
debian-6.12 6.12.115+deb12 6.12.115-2~deb12u1
debian-6.12 6.12.117+deb12 6.12.117-1~deb12u1
BUILDS

step "2. kabi list: what the store holds"
kabi list

step "3. kabi series: what each update changed, and the ABI epochs (runs of builds with the same CRCs)"
kabi series stream=debian-6.1 --view steps,epochs
echo
kabi series stream=debian-6.12 --view steps,epochs

step "4. the gate: kabi check --baseline release=6.1.0-47 release=6.1.0-50"
answer check --baseline release=6.1.0-47 release=6.1.0-50 --limit 3 --abi-version 47
echo "(kabi check exited $rc: 0 no change, 4 compatible changes only, 12 a change fails the policy)"

step "5. kabi compat: will acpi_call and v4l2loopback, built for 6.1.0-47, load on each 6.1 build?"
answer compat -m "$KMODS" --series stream=debian-6.1
echo "(kabi compat exited $rc: 0 every module loads everywhere, 8 some module does not load somewhere)"

step "6. kabi why: every reason acpi_call does not load on 6.1.0-50, in the loader's order"
answer why "$KMODS/acpi_call.ko" release=6.1.0-50

step "7. kabi explain: the type changes behind acpi_call's CRC changes, from the BTF of both kernels"
kabi explain release=6.1.0-47 release=6.1.0-50 -m "$KMODS/acpi_call.ko" --limit 3 \
  --old-btf "$BTF/6.1.0-47.subset.btf.xz" --new-btf "$BTF/6.1.0-50.subset.btf.xz"

step "8. kabi report series: the 6.1 stream and the modules' heatmap as one HTML file"
kabi report series stream=debian-6.1 -m "$KMODS" -o "$work/series.html"
echo "HTML report: $work/series.html"
