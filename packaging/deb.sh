#!/bin/sh
# make deb [ARCH=arm64]: pou's three Debian packages from this tree, built
# with debhelper from packaging/debian in a copy of the tracked files (so
# nothing of build/ goes in), then checked by lintian. The .debs land in
# $B/deb/.
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
ARCH=${ARCH:-}
VERSION=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
out="$B/deb"
src="$out/pou-$VERSION"

rm -rf "$out"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# the working tree's files, edits and new files included
	git ls-files -z --cached --others --exclude-standard |
	    xargs -0 cp -a --parents -t "$src"
else
	tar --exclude='./build*' -cf - . | tar -xf - -C "$src"
fi
rm -rf "$src/debian"
cp -a packaging/debian "$src/debian"
# POU_DEB_VERSION: a rebuild with this version on top (an upgrade test)
if [ -n "${POU_DEB_VERSION:-}" ] && [ "$POU_DEB_VERSION" != "$VERSION" ]; then
	{ printf 'pou (%s) unstable; urgency=medium\n\n  * Rebuilt.\n\n' \
	    "$POU_DEB_VERSION"
	  printf ' -- pou engineers <engineers@pou-project.org>  %s\n\n' "$(date -R)"
	  cat packaging/debian/changelog; } > "$src/debian/changelog"
fi

set -- -b -us -uc
[ -n "$ARCH" ] && set -- "$@" -a"$ARCH" -Pcross,nocheck
# the build is the package's own: none of the caller's make settings
(cd "$src" && env -u B -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
    dpkg-buildpackage "$@" >../build.log 2>&1) || {
	tail -n 40 "$out/build.log"
	echo "pou: the package build failed; its log: $out/build.log" >&2
	exit 1
}
rm -rf "$src"
ls "$out"/*.deb
# Each tag left is overridden in packaging/debian/*.lintian-overrides with
# its reason; any other error or warning fails.
lintian --fail-on error,warning "$out"/*.changes
