#!/usr/bin/env bash
# A real full disk, not the quota: the store on a small tmpfs, the bridge
# away, scans until the file system is full. The person hears STOP, the
# agent restarts on the full disk, acks still land when the bridge is back
# (the reserve's bytes), acked events are deleted and their pages given
# back, and scanning resumes by itself. Then a quota below the disk: the
# WAL and the reserve are inside it, so the disk never fills.
# Needs to mount tmpfs (root); says SKIP where it cannot.
set -u
source "$(dirname "$0")/lib.sh"

BILLING_OUTPUT=file
last_seq() { sql "$T/store/agent.db" 'SELECT last_seq FROM state'; }
acked() { sql "$T/store/agent.db" 'SELECT acked_upto FROM state'; }
acked_is() { test "$(acked)" -eq "$1"; }
seq_is() { test "$(last_seq)" -eq "$1"; }
settled() {	# the recorded count stopped moving for a second
	local a b
	a=$(last_seq); sleep 1; b=$(last_seq)
	[ "$a" -eq "$b" ] && [ "$a" -gt 0 ]
}
stored() { sql "$T/bridge.db" 'SELECT count(DISTINCT seq) FROM events' 2>/dev/null || echo 0; }
stored_is() { test "$(stored)" -eq "$1"; }
disk_free_kb() { df -k --output=avail "$T/store" | tail -1 | tr -d ' '; }
store_bytes() {
	local f n=0
	for f in "$T/store"/agent.db*; do n=$((n + $(stat -c %s "$f"))); done
	echo "$n"
}
# fill N PREFIX: N distinct scans into the agent, in the background.
fill() {
	$PY -c 'import sys
for i in range(int(sys.argv[1])):
    print("]d2010088452112345117271231\\x1d10%s%06d\\x1d21S%06d" % (sys.argv[2], i, i))' \
	    "$1" "$2" > "$T/scans.txt"
	cat "$T/scans.txt" > "$T/scan.fifo" &
	PIDS+=($!)
}
mount_store() {	# mount_store SIZE
	mkdir -p "$T/store"
	mount -t tmpfs -o "size=$1,mode=0700" tmpfs "$T/store" 2>/dev/null
}
umount_store() { mountpoint -q "$T/store" && umount "$T/store"; }
trap 'stop_all; umount_store; cleanup' EXIT

stop_count() { grep -c 'scan NOT recorded' "$T/agent.log"; }
starts_are() { test "$(grep -c 'started: device' "$T/agent.log")" -ge "$1"; }
# One scan, given up after 5 s when no agent reads the FIFO.
tscan() { timeout 5 bash -c 'printf "%s\n" "$1" > "$2"' _ "$1" "$T/scan.fifo"; }
stops_are() { test "$(stop_count)" -ge "$1"; }
# fill_rest NAME: a file takes whatever room the disk has left.
fill_rest() { dd if=/dev/zero of="$T/store/$1" bs=4k 2>/dev/null; true; }

if ! mount_store 6m; then
	echo "ok - a full disk # SKIP cannot mount a tmpfs here (not root?)"
	exit 0
fi
start_broker
write_agent_conf
sed -i "s|^path = $T/agent.db|path = $T/store/agent.db|" "$T/agent.conf"
start_agent
fallocate -l 4M "$T/store/filler"
fill 12000 FULL
check "the disk fills and the store stops growing" wait_for 120 settled
full=$(last_seq)
check "fewer than the 12000 scans fit" test "$full" -lt 12000
check "the file system is full" test "$(disk_free_kb)" -lt 64
check "the person gets a STOP, not a beep" logged "$T/agent.log" \
    'board: STOP NOT RECORDED: storage full, write it down and tell IT'
check "the alarm says the store is full" logged "$T/agent.log" 'store: alarm: FULL'
check "the agent is still running" kill -0 "$AGENT_PID"
n=$(stop_count)
tscan ']d2010088452112345117271231\x1d10STILLFULL\x1d21X1'
check "one more scan is a STOP" wait_for 10 stops_are $((n + 1))
check "and is not recorded" test "$(last_seq)" -eq "$full"

# A restart, with the disk filled to the last byte while the agent was down.
stop_pid "$AGENT_PID"
fill_rest filler2
check "the disk is full to the byte" test "$(disk_free_kb)" -eq 0
start_agent
check "the agent starts on a full disk" wait_for 10 starts_are 2
sleep 1
check "and runs" kill -0 "$AGENT_PID"
check "nothing recorded was lost in the restart" test "$(last_seq)" -eq "$full"
n=$(stop_count)
tscan ']d2010088452112345117271231\x1d10STILLFULL\x1d21X2'
check "a scan on the full disk is a STOP again" wait_for 10 stops_are $((n + 1))

start_bridge
check "when the bridge is back, everything recorded reaches it" \
    wait_for 90 stored_is "$full"
check "and every ack lands in the store (the reserve's bytes)" wait_for 30 acked_is "$full"
check "no ack is refused for the wrong cause" bash -c \
    "! grep -q 'beyond this store' '$T/agent.log'"
check "acked events are deleted, their pages given back, the reserve held again" \
    wait_for 30 logged "$T/agent.log" 'store: the reserve is back'
check "scanning resumes by itself, saying so" wait_for 10 logged "$T/agent.log" 'store: room again'
tscan ']d2010088452112345117271231\x1d10AFTERFULL\x1d21X3'
check "the next scan is recorded" wait_for 10 seq_is $((full + 1))
check "and reaches the bridge" wait_for 30 stored_is $((full + 1))
check "the full alarm is cleared" test "$(sql "$T/store/agent.db" \
    "SELECT count(*) FROM alarms WHERE kind = 'store_full'")" -eq 0
check_eq "nothing recorded was lost or doubled" $((full + 1)) \
    "$(sql "$T/bridge.db" 'SELECT count(*) FROM events')"

# The quota below the disk: the WAL and the reserve are inside it.
stop_all
umount_store
mount_store 4m || not_ok "the second tmpfs mounts"
rm -f "$T/bridge.db"*
: > "$T/agent.log"
start_broker
sed -i 's/^\[store\]/[store]\nquota_mb = 3/' "$T/agent.conf"
start_agent
fill 16000 QUOTA
check "the store fills its quota and stops growing" wait_for 120 settled
quota=$(last_seq)
check "the person gets a STOP" logged "$T/agent.log" 'board: STOP NOT RECORDED: storage full'
check "database, WAL and reserve stay within the 3 MB quota" \
    test "$(store_bytes)" -le $((3 * 1024 * 1024 + 65536))
check "the disk itself never fills" test "$(disk_free_kb)" -ge 512
check "no write met a full disk" bash -c \
    "! grep -qE 'No space left|no space left' '$T/agent.log'"
check "the quota said so" logged "$T/agent.log" "(the store's quota)"
start_bridge
check "everything recorded reaches the bridge" wait_for 90 stored_is "$quota"
check "and is acked" wait_for 30 acked_is "$quota"
tscan ']d2010088452112345117271231\x1d10AFTERQUOTA\x1d21X3'
check "scanning resumes by itself" wait_for 20 seq_is $((quota + 1))
check "the new scan reaches the bridge" wait_for 30 stored_is $((quota + 1))
summary
