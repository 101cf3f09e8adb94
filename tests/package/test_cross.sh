#!/usr/bin/env bash
# make cross-test: pou for the carts' boards, arm64 and armhf, in a clean
# Debian 12 root (mmdebstrap, cached in $B/cross-root) holding Debian's
# cross toolchains and each architecture's -dev packages (as sbuild would:
# the package's own build-deps, no amd64 -dev ones, so libnfc-dev:<arch>
# installs). For each: make CROSS=<triplet> with -Werror, the unit tests
# under qemu-user-static, make deb ARCH=<arch> (lintian-clean; the .debs
# copied to $B/deb-<arch>/), and the stripped size of the agent.
set -u
source "$(dirname "$0")/../system/lib.sh"

R="$B/cross-root"
source "$(dirname "$0")/../system/buildroot.sh"

make_root() {
	[ -x "$R/usr/bin/aarch64-linux-gnu-gcc" ] && return 0
	mkdir -p "$B"
	rm -rf "$R.new"
	mmdebstrap --quiet --variant=apt --format=directory \
	    --architectures=amd64,arm64,armhf \
	    --include=build-essential,crossbuild-essential-arm64,crossbuild-essential-armhf,debhelper,dpkg-dev,lintian,groff-base,qemu-user-static,git \
	    bookworm "$R.new" > "$T/mmdebstrap.log" 2>&1 && mv "$R.new" "$R"
}

if ! make_root; then
	not_ok "a Debian 12 root with the cross toolchains"
	tail -20 "$T/mmdebstrap.log"
	summary; exit
fi
ok "a Debian 12 root with the cross toolchains"
root_fill

for arch in arm64 armhf; do
	case $arch in arm64) tr=aarch64-linux-gnu ;; armhf) tr=arm-linux-gnueabihf ;; esac
	# mmdebstrap leaves no package lists
	if ! inroot "deps-$arch.log" "apt-get update -q && cp -a packaging/debian debian &&
	    apt-get build-dep -y -q -a $arch -P cross,nocheck ./ &&
	    apt-get install -y -q libcmocka-dev:$arch; rc=\$?; rm -rf debian; exit \$rc"; then
		not_ok "$arch: the build dependencies"
		tail -20 "$T/deps-$arch.log"
		continue
	fi
	if inroot "build-$arch.log" "make -j2 CROSS=$tr all unit"; then
		ok "$arch: built with -Werror, $(grep -c '^  PASS' "$T/build-$arch.log") unit test programs pass under qemu"
	else
		not_ok "$arch: make CROSS=$tr all unit"
		tail -20 "$T/build-$arch.log"
	fi
	inroot "strip-$arch.log" "$tr-strip -o /tmp/pou-agent.$arch build-$tr/pou-agent &&
	    stat -c %s /tmp/pou-agent.$arch"
	echo "# $arch: pou-agent stripped $(tail -1 "$T/strip-$arch.log") bytes"
	if inroot "deb-$arch.log" "B=build-deb-$arch ARCH=$arch packaging/deb.sh"; then
		ok "$arch: make deb, lintian-clean: $(grep -c '\.deb$' "$T/deb-$arch.log") packages"
		grep '\.deb$' "$T/deb-$arch.log" | grep -v dbgsym | sed 's/^/# /'
		rm -rf "$B/deb-$arch" && mkdir -p "$B/deb-$arch" &&
		    cp "$R/src/build-deb-$arch/deb/"*.deb "$B/deb-$arch/"
	else
		not_ok "$arch: make deb ARCH=$arch"
		tail -20 "$T/deb-$arch.log"
	fi
done
summary
