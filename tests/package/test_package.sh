#!/usr/bin/env bash
# make package-test: the .debs of make deb installed into a clean Debian 12
# root made with mmdebstrap (cached in $B/pkgroot-<suite>-*.tar for a day),
# and there: files, owners and modes; the daemons started from the exact
# ExecStart lines of their installed units, as the units' user and umask
# (systemd is not PID 1 in a chroot: the units' sandboxing is measured by
# systemd-analyze, not exercised here); a scan reaching the bridge; an
# upgrade to a rebuilt package keeping the store and the config edits;
# remove keeping data, purge removing it.
set -u
source "$(dirname "$0")/../system/lib.sh"

SUITE=${SUITE:-bookworm}
R="$T/root"
# The packages' run-time libraries, already in the root: dpkg -i then fails
# if a package's Depends name one not here.
LIBS="libsqlite3-0,libmosquitto1,libjansson4,libinih1,libusb-1.0-0,libnfc6,libcurl4"
case "$SUITE" in
bookworm) LIBS="$LIBS,libmbedcrypto7,libmbedx509-1,libgpiod2" ;;
*) LIBS="$LIBS,libmbedcrypto16,libmbedx509-7,libgpiod3" ;;
esac
# a new list, a new root
CACHE="$B/pkgroot-$SUITE-$(echo "$LIBS" | sha256sum | cut -c1-8).tar"
MOUNTS=()

unmount_all() {
	local i
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount -l "${MOUNTS[i]}" 2>/dev/null
	done
	MOUNTS=()
}
trap 'stop_all; unmount_all; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT

ch() { chroot "$R" "$@"; }
mode_of() { ch stat -c '%U:%G %a' "$1" 2>&1; }

make_root() {
	if [ ! -f "$CACHE" ] || [ -n "$(find "$CACHE" -mmin +1440)" ]; then
		echo "# mmdebstrap $SUITE (cached in $CACHE)"
		mmdebstrap --quiet --variant=apt --format=tar \
		    --include="systemd,mosquitto,sqlite3,$LIBS" \
		    "$SUITE" "$CACHE.tmp" || return 1
		mv "$CACHE.tmp" "$CACHE"
	fi
	mkdir -p "$R"
	tar -xf "$CACHE" -C "$R" || return 1
	# mmdebstrap leaves no hosts file; every installed system has one
	printf '127.0.0.1 localhost\n::1 localhost\n' > "$R/etc/hosts"
	for m in proc sys dev dev/pts; do
		mount --bind "/$m" "$R/$m" && MOUNTS+=("$R/$m")
	done
	mount -t tmpfs tmpfs "$R/run" && MOUNTS+=("$R/run")
}

# deb_build VERSION: the packages, with VERSION on top of the changelog.
deb_build() {
	POU_DEB_VERSION=$1 B="$T/b-$1" "$ROOT/packaging/deb.sh" > "$T/deb-$1.log" 2>&1
}

# start_unit UNIT LOG VAR: the ExecStart of an installed unit, run as its
# User, but under umask 022, not the unit's UMask=: the daemons themselves
# keep their files with patients' data from being world-readable. Its PID
# in VAR (not echoed: a $(...) subshell would not be its parent, and
# stop_pid could not wait for it).
start_unit() {
	local exec
	exec=$(sed -n 's/^ExecStart=//p' "$R/lib/systemd/system/$1")
	chroot --userspec=pou:pou "$R" sh -c "umask 0022; exec $exec" \
	    > "$2" 2>&1 &
	PIDS+=($!)
	printf -v "$3" '%s' "$!"
}

# Configuration a site edits: the broker, and the sim scanner's FIFO.
edit_confs() {
	sed -i "s/^port = 1883/port = $BROKER_PORT/" "$R/etc/pou/agent.conf" \
	    "$R/etc/pou/bridge.conf"
	sed -i 's/^id = cart-07/id = cart-pkg/' "$R/etc/pou/agent.conf"
	sed -i 's|^chargemaster = .*|chargemaster =|' "$R/etc/pou/bridge.conf"
}

bridge_events() { ch sqlite3 /var/lib/pou/bridge.db 'SELECT count(*) FROM events' 2>/dev/null; }
bridge_has() { test "$(bridge_events)" == "$1"; }
agent_events() { ch sqlite3 /var/lib/pou/agent.db 'SELECT last_seq FROM state' 2>/dev/null; }
fifo_ready() { test -p "$R/run/pou/sim.fifo"; }
scan_in() { printf '%s\n' "$1" > "$R/run/pou/sim.fifo"; }
ITEM=']d2010088452112345110LOT1'

run_daemons() {	# run_daemons N: starts both, scans once, waits for N events
	chroot "$R" mosquitto -p "$BROKER_PORT" > "$T/mosquitto-$1.log" 2>&1 &
	local broker=$!
	PIDS+=($broker)
	wait_for 10 port_open "$BROKER_PORT"
	start_unit pou-bridge.service "$T/bridge-$1.log" BRIDGE
	start_unit pou-agent.service "$T/agent-$1.log" AGENT
	wait_for 10 fifo_ready
	scan_in "$ITEM"
	check "scan $1 reaches the bridge" wait_for 20 bridge_has "$1"
	stop_pid "$AGENT"
	stop_pid "$BRIDGE"
	stop_pid "$broker"
}

if ! deb_build 0.1.0; then
	not_ok "make deb builds the three packages"
	tail -20 "$T/deb-0.1.0.log"
	summary; exit
fi
ok "make deb builds the three packages"
make_root || { not_ok "the root of Debian $SUITE"; summary; exit; }
mkdir -p "$R/tmp/debs" && cp "$T"/b-0.1.0/deb/*.deb "$R/tmp/debs/"
# debs VERSION: the three packages' paths in the root
debs() {
	local p f
	for p in pou-agent pou-bridge pouctl; do
		for f in "$R"/tmp/debs/${p}_"$1"_*.deb; do echo "${f#"$R"}"; done
	done
}
if ! ch dpkg -i $(debs 0.1.0) > "$T/dpkg-install.log" 2>&1; then
	not_ok "dpkg installs them, their dependencies already in the root"
	tail -20 "$T/dpkg-install.log"
	summary; exit
fi
ok "dpkg installs them, their dependencies already in the root"

check "a pou system user and group" ch sh -c \
    'test "$(getent passwd pou | cut -d: -f3)" -lt 1000 && getent group pou >/dev/null'
check_eq "/var/lib/pou" "pou:pou 750" "$(mode_of /var/lib/pou)"
check_eq "/var/spool/pou" "pou:pou 750" "$(mode_of /var/spool/pou)"
check_eq "pou-agent" "root:root 755" "$(mode_of /usr/sbin/pou-agent)"
check_eq "pouctl" "root:root 755" "$(mode_of /usr/bin/pouctl)"
check_eq "agent.conf" "root:root 644" "$(mode_of /etc/pou/agent.conf)"
check "agent.conf and bridge.conf are conffiles" ch sh -c \
    'dpkg-query -W -f "\${Conffiles}" pou-agent pou-bridge | grep -q agent.conf &&
     dpkg-query -W -f "\${Conffiles}" pou-bridge | grep -q bridge.conf'
check "the units are installed and enabled" ch sh -c \
    'test -L /etc/systemd/system/multi-user.target.wants/pou-agent.service &&
     test -L /etc/systemd/system/multi-user.target.wants/pou-bridge.service'
check "the udev rules" test -f "$R/lib/udev/rules.d/60-pou.rules"
check "the man pages" ch sh -c 'for m in man8/pou-agent.8 man8/pou-bridge.8 \
    man8/pouctl.8 man5/pou-agent.conf.5 man5/pou-bridge.conf.5; do
    test -f /usr/share/man/$m.gz || exit 1; done'

check "the shipped agent.conf passes pou-agent -n" \
    ch pou-agent -n -c /etc/pou/agent.conf
edit_confs
run_daemons 1
check_eq "the store, made by the agent" "pou:pou 640" "$(mode_of /var/lib/pou/agent.db)"
check_eq "the bridge's db (MRNs) not world-readable" "pou:pou 640" \
    "$(mode_of /var/lib/pou/bridge.db)"
check_eq "pouctl reads the cart's status" 0 \
    "$(ch pouctl -c /etc/pou/agent.conf status > /dev/null 2>&1; echo $?)"

check "a rebuilt package, 0.1.0+1" deb_build 0.1.0+1
cp "$T"/b-0.1.0+1/deb/*.deb "$R/tmp/debs/"
check "upgrades in place" ch env DEBIAN_FRONTEND=noninteractive dpkg -i \
    $(debs 0.1.0+1)
check "the config edits stay" grep -q "^port = $BROKER_PORT" "$R/etc/pou/agent.conf"
check_eq "the store stays" 1 "$(agent_events)"
run_daemons 2
check_eq "and goes on: the next scan is seq 2" 2 "$(agent_events)"

check "remove" ch dpkg -r pou-agent pou-bridge pouctl
check "keeps the store" test -f "$R/var/lib/pou/agent.db"
check "and the configuration" test -f "$R/etc/pou/agent.conf"
check "purge" ch dpkg -P pou-agent pou-bridge pouctl
check "removes the state" test ! -e "$R/var/lib/pou"
check "the spool" test ! -e "$R/var/spool/pou"
check "and the configuration" test ! -e "$R/etc/pou"
check "and leaves no file of theirs" test -z "$(ch sh -c 'ls /lib/systemd/system/pou-* /usr/sbin/pou-* /usr/bin/pouctl 2>/dev/null')"
summary
