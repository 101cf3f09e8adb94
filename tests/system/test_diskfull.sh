#!/usr/bin/env bash
# A full store: with a 1 MB quota and the bridge away, scans fill the store;
# then each is refused with a STOP and an alarm, none recorded is lost, and
# scanning resumes by itself once the bridge acks and acked events go.
set -u
source "$(dirname "$0")/lib.sh"

BILLING_OUTPUT=file
last_seq() { sql "$T/agent.db" 'SELECT last_seq FROM state'; }
settled() {	# the recorded count stopped moving for a second
	local a b
	a=$(last_seq); sleep 1; b=$(last_seq)
	[ "$a" -eq "$b" ] && [ "$a" -gt 0 ]
}
stored() { sql "$T/bridge.db" 'SELECT count(*) FROM events' 2>/dev/null || echo 0; }
stored_is() { test "$(stored)" -eq "$1"; }

start_broker
write_agent_conf
sed -i 's/^\[store\]/[store]\nquota_mb = 1/' "$T/agent.conf"
start_agent
$PY -c 'import sys
for i in range(6000):
    print("]d2010088452112345117271231\\x1d10LOT%06d\\x1d21SERIAL%06d" % (i, i))' \
    > "$T/scans.txt"
cat "$T/scans.txt" > "$T/scan.fifo" &
PIDS+=($!)
check "the store fills and stops growing" wait_for 60 settled
full=$(last_seq)
check "fewer than the 6000 scans fit in 1 MB" test "$full" -lt 6000
check "the 95% alarm is raised" logged "$T/agent.log" 'store: alarm: 95% of its 1 MB quota'
check "the FULL alarm is raised" logged "$T/agent.log" 'store: alarm: FULL'
check "the person gets a STOP, not a beep" \
    logged "$T/agent.log" 'board: STOP NOT RECORDED: storage full, write it down and tell IT'
check "the store stays within its quota" test "$(sql "$T/agent.db" \
    'SELECT page_count * page_size FROM pragma_page_count, pragma_page_size')" -le 1048576
check "the agent is still running" kill -0 "$AGENT_PID"

start_bridge
check "when the bridge is back, everything recorded reaches it" \
    wait_for 60 stored_is "$full"
check "and is acked" wait_for 30 unacked_is 0
scan ']d201008845211234681727123110AFTERFULL'
check "scanning resumes by itself" wait_for 10 recorded_is $((full + 1))
check "saying so" wait_for 5 logged "$T/agent.log" 'store: room again'
check "the new scan reaches the bridge too" wait_for 30 stored_is $((full + 1))
check_eq "nothing recorded was lost or doubled" $((full + 1)) \
    "$(sql "$T/bridge.db" 'SELECT count(DISTINCT seq) FROM events')"
summary
