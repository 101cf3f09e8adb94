#!/usr/bin/env bash
# The watchdogs: a hardware one (a plain file stands in for /dev/watchdog:
# every feed is a byte, the magic close a "V") and systemd's, through a
# real AF_UNIX datagram socket as NOTIFY_SOCKET with WATCHDOG_USEC set.
set -u
source "$(dirname "$0")/lib.sh"

: > "$T/wd"
$PY - "$T/notify.sock" "$T/notify.log" <<'PY' &
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
wait_for 5 test -S "$T/notify.sock"
write_agent_conf
printf '[watchdog]\ndevice = %s\nkick_s = 1\n' "$T/wd" >> "$T/agent.conf"
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=400000 start_agent
feeds() { tr -cd 1 < "$T/wd" | wc -c; }
notified() { grep -c "^$1\$" "$T/notify.log" 2>/dev/null || echo 0; }
notified_once() { test "$(notified "$1")" -eq 1; }
check "READY=1 once started" wait_for 5 notified_once READY=1
sleep 2.5
check "the hardware watchdog is fed ($(feeds) times)" \
    test "$(feeds)" -ge 2
check "and systemd's, twice per WATCHDOG_USEC ($(notified WATCHDOG=1) times)" \
    test "$(notified WATCHDOG=1)" -ge 5
stop_pid "$AGENT_PID" TERM
check_eq "a clean stop disarms the hardware watchdog" V "$(tail -c 1 "$T/wd")"
check "and tells systemd" wait_for 5 notified_once STOPPING=1
summary
