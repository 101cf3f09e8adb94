#!/usr/bin/env bash
# Debian 13 (trixie) as well as 12: pou built with -Werror and its unit
# tests run in a trixie root made with mmdebstrap (mbedTLS 3.6, libgpiod 2,
# gcc 14), cached in $B/debian13-root-*. Skipped, and said so, when the
# Debian archive cannot be reached. make debian13 runs it alone.
set -u
source "$(dirname "$0")/lib.sh"

SUITE=${SUITE:-trixie}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
# deps.sh's BUILD list: one list of what pou builds with; a new list, a
# new root.
pkgs=$(sed -n '/^BUILD="/,/"/p' "$ROOT/packaging/deps.sh" |
    sed 's/^BUILD="//; s/".*//' | tr -s ' \n' ',,' | sed 's/,$//')
R="$B/debian13-root-$(echo "$pkgs" | sha256sum | cut -c1-8)"
source "$(dirname "$0")/buildroot.sh"

make_root() {
	[ -x "$R/usr/bin/make" ] && return 0
	mkdir -p "$B"
	rm -rf "$R.new"
	mmdebstrap --quiet --variant=apt --format=directory --include="$pkgs" \
	    "$SUITE" "$R.new" "$MIRROR" > "$T/mmdebstrap.log" 2>&1 &&
	    mv "$R.new" "$R"
}

if ! curl -fsI --max-time 10 "$MIRROR/dists/$SUITE/Release" > /dev/null; then
	echo "ok - Debian 13 build # SKIP $MIRROR cannot be reached"
	exit 0
fi
if ! make_root; then
	not_ok "a $SUITE root made with mmdebstrap"
	tail -20 "$T/mmdebstrap.log"
	summary; exit
fi
ok "a $SUITE root made with mmdebstrap"
root_fill
chroot "$R" dpkg-query -W -f='# ${Package} ${Version}\n' libmbedtls-dev \
    libgpiod-dev gcc
if inroot build.log "make -j2 all"; then
	ok "pou builds on Debian 13 with -Werror"
else
	not_ok "pou builds on Debian 13 with -Werror"
	tail -30 "$T/build.log"
fi
if inroot unit.log "make unit"; then
	ok "and its unit tests pass there ($(grep -c '^  PASS' "$T/unit.log") programs)"
else
	not_ok "and its unit tests pass there"
	tail -30 "$T/unit.log"
fi
summary
