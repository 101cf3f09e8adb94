#!/usr/bin/env bash
# The spine on real processes: 200 scans reach billing (python3-hl7 MLLP)
# and the ERP file drop exactly once, through a broker stop, two SIGKILLs
# of the agent, and a stalled bridge that receives resent batches twice.
set -u
source "$(dirname "$0")/lib.sh"

N=200
GTINS=(00884521123451 00884521123468 00884521123475 00884521123482
	00884521123499 00884521123505)

item() {	# item I: a GS1 DataMatrix scan with a lot and a serial
	printf ']d201%s17271231\\x1d10L%04d\\x1d21S%05d' \
	    "${GTINS[$(($1 % 6))]}" "$1" "$1"
}

# scan_range A B: scans items A..B-1 and waits until the agent recorded B-1.
scan_range() {
	local i lines=()
	for ((i = $1; i < $2; i++)); do
		lines+=("$(item "$i")")
	done
	scan "${lines[@]}"
	wait_for 30 recorded_is "$2"
}

start_broker || { not_ok "broker starts"; summary; exit 1; }
start_receiver || { not_ok "HL7 receiver starts"; summary; exit 1; }
start_bridge
start_agent
scan "CASE:C-2026-0042" "MRN:100234" "ENC:V778899"

check "first 60 scans recorded" scan_range 0 60
stop_broker
check "agent scans on with the broker down" scan_range 60 90
check "nothing acked while the broker is down" \
    test "$(agent_unacked)" -gt 0
start_broker
check "first SIGKILL after 120 recorded" scan_range 90 120
stop_pid "$AGENT_PID" KILL
start_agent
scan "CASE:C-2026-0042" "MRN:100234" "ENC:V778899"
check "second SIGKILL after 160 recorded" scan_range 120 160
stop_pid "$AGENT_PID" KILL
start_agent
scan "CASE:C-2026-0042" "MRN:100234" "ENC:V778899"
check "scans 160..179 recorded" scan_range 160 180
# A stalled bridge: its acks stop, the agent resends, and when the bridge
# wakes it holds every one of these batches twice in its socket.
kill -STOP "$BRIDGE_PID"
check "scans recorded while the bridge is stalled" scan_range 180 $N
check "the agent resends after its ack timeout" \
    wait_for 10 grep -q 'no ack for 2000 ms; resending from seq' "$T/agent.log"
kill -CONT "$BRIDGE_PID"

check "agent store drains: nothing unacked" \
    wait_for 60 unacked_is 0
check "billing receives $N messages" \
    wait_for 60 billing_has $N
sleep 1	# anything doubled would arrive now
check_eq "agent recorded exactly $N events" "$N" "$(recorded)"
check_eq "bridge saw one epoch: SIGKILL never lost the store" 1 \
    "$(sql "$T/bridge.db" 'SELECT count(DISTINCT epoch) FROM events')"
check_eq "bridge stored exactly $N events" "$N" \
    "$(sql "$T/bridge.db" 'SELECT count(*) FROM events')"
check_eq "billing received exactly $N DFT^P03" "$N" \
    "$($PY - "$T/billing.jsonl" <<'PY'
import json, sys
msgs = [json.loads(l)["msg"] for l in open(sys.argv[1]) if l.strip()]
print(sum(1 for m in msgs if "|DFT^P03^DFT_P03|" in m.split("\r")[0]))
PY
)"
check_eq "with $N distinct FT1-2 event identities" "$N" "$(billing_distinct_ft1)"
check_eq "every FT1 carries case, patient and encounter" "$N" \
    "$(grep -c 'PID|1||100234^^^^MR.*V778899^^^^VN.*C-2026-0042' "$T/billing.jsonl")"
check_eq "ERP drop holds exactly $N records" "$N" \
    "$(ls "$T/erp" | grep -c '\.json$')"
check_eq "ERP records have $N distinct idempotency keys" "$N" \
    "$(cat "$T"/erp/*.json | $PY -c '
import json, sys
print(len({json.loads(l)["idempotency_key"] for l in sys.stdin.read().replace("}{", "}\n{").splitlines()}))')"
check "pouctl status shows the drained store" \
    grep -q '^unacked      0$' <("$B/pouctl" -c "$T/agent.conf" status)
stop_pid "$BRIDGE_PID"
check "the bridge received resent events and dropped them" \
    grep -qE 'new events, [1-9][0-9]* resent' "$T/bridge.log"
summary
