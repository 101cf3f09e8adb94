# Shared by test_debian13.sh and tests/package/test_cross.sh: a Debian root
# that builds pou. Source it after lib.sh, with R set to the root.
MOUNTS=()
# umount -l: a build still holding them must not leave them mounted, or a
# later rm -rf of the root would reach the host's /dev.
trap 'for m in "${MOUNTS[@]}"; do umount -l "$m"; done; cleanup' EXIT

# The tree's files (tracked and new, no build output) in $R/src, the
# standards' vectors where test_codes looks (../shared/vectors), and
# /proc and /dev mounted for the build, taken down at exit.
root_fill() {
	rm -rf "$R/src" "$R/shared"
	mkdir -p "$R/src" "$R/shared"
	(cd "$ROOT" && git ls-files -z -co --exclude-standard |
	    tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
	    tar -xf - -C "$R/src"
	[ -d "$ROOT/../shared/vectors" ] &&
	    cp -R "$ROOT/../shared/vectors" "$R/shared/vectors"
	for m in proc dev; do
		mount --bind "/$m" "$R/$m" && MOUNTS+=("$R/$m")
	done
}

# inroot LOG COMMAND: COMMAND in /src as root with a clean environment,
# its output in $T/LOG.
inroot() {
	chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
	    sh -c "cd /src && $2" > "$T/$1" 2>&1
}
