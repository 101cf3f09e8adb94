#!/usr/bin/env bash
# Fault injection on real processes: the agent SIGKILLed at random instants
# (while scans arrive, while it publishes, while it waits for acks), the
# bridge and the broker SIGKILLed mid-batch. Then everything drains, and:
# nothing recorded is lost, nothing is stored twice centrally, nothing was
# acked that the bridge had not committed, billing got every event.
# FAULT_CYCLES (default 8; make faults runs 200).
set -u
source "$(dirname "$0")/lib.sh"

CYCLES=${FAULT_CYCLES:-8}
ACK_TIMEOUT_MS=700
GTINS=(00884521123451 00884521123468 00884521123475 00884521123482)
n=0
item() { printf ']d201%s1727123110F%06d' "${GTINS[$(($1 % 4))]}" "$1"; }
bridge_rows() { sql "$T/bridge.db" 'SELECT count(*) FROM events' 2>/dev/null || echo 0; }
bridge_has() { test "$(bridge_rows)" -ge "$1"; }
distinct_is() { test "$(billing_distinct_ft1)" -eq "$1"; }
# The ack mark never passes what the bridge committed (checked live).
ack_ok() {
	local acked held
	acked=$(sql "$T/agent.db" 'SELECT acked_upto FROM state' 2>/dev/null || echo 0)
	held=$(sql "$T/bridge.db" 'SELECT coalesce(max(contig_upto), 0) FROM devices' 2>/dev/null || echo 0)
	[ "$acked" -le "$held" ]
}

start_broker || { not_ok "broker starts"; summary; exit 1; }
start_receiver || { not_ok "receiver starts"; summary; exit 1; }
start_bridge
bad_ack=0 bridge_kills=0
for ((c = 1; c <= CYCLES; c++)); do
	if ((c % 4 == 2)); then		# the bridge is down for this burst
		stop_pid "$BRIDGE_PID" KILL
		bridge_kills=$((bridge_kills + 1))
		bridge_down=1
	fi
	start_agent
	burst=$((RANDOM % 25 + 1))
	burst_scans "$burst" "$n" 40
	if ((c % 5 == 0)) && [ -z "${bridge_down:-}" ]; then	# mid-ingest
		stop_pid "$BRIDGE_PID" KILL
		bridge_kills=$((bridge_kills + 1))
		start_bridge
	elif ((c % 7 == 0)); then	# the broker dies mid-batch
		stop_broker KILL
		start_broker
	fi
	stop_pid "$AGENT_PID" KILL
	# A writer still waiting for the FIFO's reader is stopped: those
	# scans were never read, so never recorded and never beeped.
	kill "$WRITER" 2>/dev/null
	wait "$WRITER" 2>/dev/null
	ack_ok || bad_ack=$((bad_ack + 1))
	if [ -n "${bridge_down:-}" ]; then
		start_bridge
		bridge_down=
	fi
	n=$((n + burst))
done
check_eq "no ack ever passed what the bridge had committed" 0 "$bad_ack"

# Calm: everything runs until the backlog drains.
start_agent
recorded=$(sql "$T/agent.db" 'SELECT last_seq FROM state')
check "some scans were recorded through $CYCLES SIGKILLs" test "$recorded" -gt 0
check "the agent's backlog drains" wait_for 60 unacked_is 0
check "the bridge holds them" wait_for 30 bridge_has "$recorded"
# Billing takes one message at a time, each commit fsynced: allow for it.
if ! wait_for $((60 + recorded / 20)) distinct_is "$recorded"; then
	not_ok "billing receives every one ($(billing_distinct_ft1) of $recorded)"
	echo "# outbox rows not done:"
	sql "$T/bridge.db" "SELECT id, dest, state, attempts, next_ms, last_error
	    FROM outbox WHERE state != 'done' LIMIT 20" | sed 's/^/#   /'
	echo "# receiver log:"
	tail -n 20 "$T/receiver.log" | sed 's/^/#   /'
	grep -E 'billing' "$T/bridge.log" | tail -n 20 | sed 's/^/#   /'
else
	ok "billing receives every one"
fi
sleep 1
check_eq "events lost: the bridge holds exactly the recorded ones" "$recorded" \
    "$(sql "$T/bridge.db" 'SELECT count(*) FROM events')"
check_eq "events stored twice centrally: none" "$recorded" \
    "$(sql "$T/bridge.db" 'SELECT count(DISTINCT device || epoch || seq) FROM events')"
check_eq "one epoch: SIGKILL never cost the store" 1 \
    "$(sql "$T/bridge.db" 'SELECT count(DISTINCT epoch) FROM events')"
check_eq "seqs 1..N, none missing" "$recorded" \
    "$(sql "$T/bridge.db" 'SELECT max(seq) FROM events')"
check_eq "per-device order: the bridge's contiguous mark is N" "$recorded" \
    "$(sql "$T/bridge.db" 'SELECT contig_upto FROM devices')"
check_eq "billing: exactly the recorded events, by FT1-2" "$recorded" "$(billing_distinct_ft1)"
# At most one message is in flight per destination: a bridge killed
# between billing's AA and its own commit resends that one (same FT1-2).
dups=$(( $(billing_count) - recorded ))
check "billing duplicates ($dups) bounded by bridge kills ($bridge_kills)" \
    test "$dups" -le "$bridge_kills"
check_eq "ERP: one record per event" "$recorded" "$(ls "$T/erp" | grep -c '\.json$')"
echo "# faults: $CYCLES agent SIGKILLs, $bridge_kills bridge SIGKILLs (some while the agent published), $((CYCLES / 7)) broker SIGKILLs; $n scans offered, $recorded recorded, $recorded at the bridge once each, $(billing_count) billing messages ($dups doubles)"
summary
