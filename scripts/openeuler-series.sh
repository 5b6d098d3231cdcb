#!/bin/sh
# Stores openEuler's kABI references (../shared/data/openeuler, see its README) as one series per LTS and
# arch, then prints (Markdown) how the stable set changed from one release to the next (kept, CRC changed, dropped,
# added) with `kabi series`. Each Module.kabi_<arch> is Module.symvers lines of the symbols a release
# keeps stable; 24.03's repeat some lines verbatim, hence --allow-duplicates.
#
#   scripts/openeuler-series.sh [DATA_DIR] [DB]     (defaults: ../shared/data/openeuler, ./openeuler.db)
#
# Left out: 20.03-LTS (aarch64 only, a whole Module.symvers, not a kABI reference), 22.03-LTS-LoongArch
# and loongarch-support (branches beside the series), 24.03-LTS-SP1's ext1/ext2 extension lists.
set -eu
here=$(dirname "$0")
data=${1:-$here/../../shared/data/openeuler}
db=${2:-./openeuler.db}
kabi="node $here/../bin/kabi.js --db $db"

# release stream: the releases of one LTS, oldest first.
series='20.03-LTS-SP1 20.03-LTS
20.03-LTS-SP3 20.03-LTS
22.03-LTS 22.03-LTS
22.03-LTS-SP1 22.03-LTS
24.03-LTS 24.03-LTS
24.03-LTS-SP1 24.03-LTS'

echo "$series" | while read -r release stream; do
  for arch in x86_64 aarch64; do
    $kabi ingest --allow-duplicates -l distro=openeuler -l "stream=openeuler-$stream-$arch" \
      -l "release=$release" -l "arch=$arch" "$data/openEuler-$release/Module.kabi_$arch.xz"
  done
done

# One row per step: kept (same CRC) = the old set less what was dropped or changed CRC.
echo "| arch | from | to | old | new | kept | CRC changed | dropped | added |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
for arch in x86_64 aarch64; do
  for stream in 20.03-LTS 22.03-LTS 24.03-LTS; do
    $kabi series "distro=openeuler,stream=openeuler-$stream-$arch" --by release -f json |
      node -e '
        const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
        for (const s of r.steps) {
          const [a, b] = [r.builds[s.from], r.builds[s.to]];
          const kept = a.exports - s.removed - s.crcChanged;
          console.log(`| ${a.labels.arch} | ${a.name} | ${b.name} | ${a.exports} | ${b.exports} | ${kept} | ${s.crcChanged} | ${s.removed} | ${s.added} |`);
        }'
  done
done
