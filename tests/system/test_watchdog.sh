#!/usr/bin/env bash
# The watchdogs: a hardware one (a plain file stands in for /dev/watchdog:
# every feed is a byte, the magic close a "V") and systemd's, through a
# real AF_UNIX datagram socket as NOTIFY_SOCKET with WATCHDOG_USEC set;
# then the bridge's systemd notifications.
set -u
source "$(dirname "$0")/lib.sh"

listen_notify() {	# listen_notify NAME: $T/NAME.sock, each message in $T/NAME.log
	$PY - "$T/$1.sock" "$T/$1.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        msg = s.recv(4096).decode()
        log.write(msg + "\n")
        if msg == "STOPPING=1":
            break
PY
	PIDS+=($!)
	wait_for 5 test -S "$T/$1.sock"
}

: > "$T/wd"
listen_notify notify
write_agent_conf
printf '[watchdog]\ndevice = %s\nkick_s = 1\n' "$T/wd" >> "$T/agent.conf"
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=400000 start_agent
feeds() { tr -cd 1 < "$T/wd" | wc -c; }
notified() {	# notified MESSAGE [NAME]: how many times
	local n
	n=$(grep -c "^$1\$" "$T/${2:-notify}.log" 2>/dev/null)
	echo "${n:-0}"
}
notified_once() { test "$(notified "$1" "${2:-notify}")" -eq 1; }
check "READY=1 once started" wait_for 5 notified_once READY=1
sleep 2.5
check "the hardware watchdog is fed ($(feeds) times)" \
    test "$(feeds)" -ge 2
check "and systemd's, twice per WATCHDOG_USEC ($(notified WATCHDOG=1) times)" \
    test "$(notified WATCHDOG=1)" -ge 5
stop_pid "$AGENT_PID" TERM
check_eq "a clean stop disarms the hardware watchdog" V "$(tail -c 1 "$T/wd")"
check "and tells systemd" wait_for 5 notified_once STOPPING=1

# The bridge: READY=1 once it is started, WATCHDOG=1 while its loop turns.
listen_notify bridge
start_broker
write_bridge_conf
NOTIFY_SOCKET=$T/bridge.sock WATCHDOG_USEC=1000000 start_bridge
check "the bridge: READY=1 once started" wait_for 10 notified_once READY=1 bridge
sleep 2.5
check "and feeds systemd's watchdog ($(notified WATCHDOG=1 bridge) times)" \
    test "$(notified WATCHDOG=1 bridge)" -ge 3
stop_pid "$BRIDGE_PID" TERM
check "and says it stops" wait_for 5 notified_once STOPPING=1 bridge
summary
