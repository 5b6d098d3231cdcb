#!/usr/bin/env bash
# Rebuilds the binary seeds of the fuzz targets that no committed fixture covers: small .debs built by
# dpkg-deb (each data.tar compression), .rpms built by rpmbuild (each payload compression) and
# xz/zstd/gzip streams made by the tools themselves. Run from anywhere; writes next to this script.
# Needs dpkg-deb, rpmbuild, xz, zstd, gzip. The outputs are committed so that fuzzing needs none of them.
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)"
root_dir="$(cd "$out/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ko="$root_dir/test/fixtures/loader/clean/clean.ko"
symvers="$root_dir/test/fixtures/modules/arm64-6.1/Module.symvers.excerpt"

# The tree both packages carry: a module, a System.map, a symlink and a hard link.
tree="$work/tree"
mkdir -p "$tree/lib/modules/6.1.0-fuzz/kernel/drivers" "$tree/boot" "$tree/DEBIAN"
cp "$ko" "$tree/lib/modules/6.1.0-fuzz/kernel/drivers/clean.ko"
printf 'ffffffff81000000 T _text\n' >"$tree/boot/System.map-6.1.0-fuzz"
cp "$symvers" "$tree/boot/symvers-6.1.0-fuzz"
ln -s /usr/src/linux-headers-6.1.0-fuzz "$tree/lib/modules/6.1.0-fuzz/build"
ln "$tree/boot/System.map-6.1.0-fuzz" "$tree/boot/System.map.copy"
cat >"$tree/DEBIAN/control" <<CONTROL
Package: linux-image-fuzz
Source: linux
Version: 1:6.1.170-3
Architecture: amd64
Maintainer: Fuzz <fuzz@example.org>
Description: fuzz seed kernel
 with a continuation line
CONTROL
for z in xz zstd gzip none; do
  dpkg-deb --root-owner-group "-Z$z" --build "$tree" "$out/seed-$z.deb" >/dev/null
done

top="$work/rpm"
mkdir -p "$top"
cat >"$top/seed.spec" <<SPEC
Name: kernel-fuzz
Version: 6.1.0
Release: 1.fuzz
Summary: kabi-tracker fuzz seed
License: GPL-2.0-only
BuildArch: x86_64
Provides: kernel(foo) = 0x0c2f123f
Provides: kmod(clean.ko)
Requires: kmod >= 30
%define __os_install_post %{nil}
%define debug_package %{nil}
%description
A fuzz seed.
%install
mkdir -p %{buildroot}/lib/modules/6.1.0-fuzz/kernel/drivers %{buildroot}/boot
cp $ko %{buildroot}/lib/modules/6.1.0-fuzz/kernel/drivers/clean.ko
cp $symvers %{buildroot}/boot/symvers-6.1.0-fuzz
ln -s /usr/src/kernels/6.1.0-fuzz %{buildroot}/lib/modules/6.1.0-fuzz/build
echo same > %{buildroot}/boot/linked-a
ln %{buildroot}/boot/linked-a %{buildroot}/boot/linked-b
%files
/lib/modules/6.1.0-fuzz
/boot/symvers-6.1.0-fuzz
/boot/linked-a
/boot/linked-b
SPEC
for p in w9.xzdio w19.zstdio w9.gzdio; do
  rm -rf "$top/RPMS"
  rpmbuild -bb --quiet --define "_topdir $top" --define "_binary_payload $p" "$top/seed.spec" >/dev/null 2>&1
  cp "$top"/RPMS/x86_64/*.rpm "$out/seed-${p%%dio}.rpm"
done

head -c 600 "$symvers" >"$work/text"
xz -c --check=crc32 "$work/text" >"$out/seed-crc32.xz"
xz -c --check=sha256 "$work/text" >"$out/seed-sha256.xz"
cat "$out/seed-crc32.xz" "$out/seed-crc32.xz" >"$out/seed-two-streams.xz"
zstd -q -c --check "$work/text" >"$out/seed-check.zst"
zstd -q -c --no-check -19 "$work/text" >"$out/seed.zst"
gzip -n -c "$work/text" >"$out/seed.gz"

# Bombs: a few tens of KB that expand to 256 MiB–1 GiB of zeros. The fuzz targets cap output at 64 MiB,
# so each must be refused by its cap, within bounded memory (issue 16's zstd bomb: a 68 KB .deb whose
# data.tar.zst drove RSS to 4.2 GB).
head -c 1G /dev/zero | zstd -q -19 -c >"$out/seed-bomb.zst"
head -c 256M /dev/zero | xz -9 -c >"$out/seed-bomb.xz"
bomb="$work/bomb"
mkdir -p "$bomb"
truncate -s 1G "$bomb/zeros.ko"
printf '2.0\n' >"$bomb/debian-binary"
tar -C "$tree/DEBIAN" -czf "$bomb/control.tar.gz" ./control
tar -C "$bomb" --format=gnu -cf - ./zeros.ko | zstd -q -19 -c >"$bomb/data.tar.zst"
(cd "$bomb" && ar rc "$out/seed-bomb-zstd.deb" debian-binary control.tar.gz data.tar.zst)
