#!/usr/bin/env bash
# Gap repair: a batch the broker took (PUBACK) but the bridge never read
# is lost when the bridge dies; the next batch shows the hole, the bridge's
# ack asks for a replay, and the agent resends at once instead of waiting
# for its ack timeout (60 s here).
set -u
source "$(dirname "$0")/lib.sh"

ACK_TIMEOUT_MS=60000
BILLING_OUTPUT=file
item() { printf ']d201008845211234511727063010GAP%s' "$1"; }
stored() { sql "$T/bridge.db" 'SELECT count(*) FROM events'; }
stored_is() { test "$(stored)" -eq "$1"; }

start_broker
start_bridge
start_agent
scan "$(item 1)"
check "the first event is recorded" wait_for 10 recorded_is 1
check "and acked" wait_for 10 unacked_is 0

kill -STOP "$BRIDGE_PID"
scan "$(item 2)" "$(item 3)"
wait_for 10 recorded_is 3
sleep 1		# published and PUBACKed; the stopped bridge never reads it
stop_pid "$BRIDGE_PID" KILL
start_bridge
wait_for 10 logged "$T/bridge.log" 'connecting -> online'
sleep 0.5
check_eq "the batch is lost: the new bridge holds only seq 1" 1 "$(stored)"

t0=$SECONDS
scan "$(item 4)"
check "the bridge asks for the missing seq" wait_for 10 \
    logged "$T/bridge.log" 'seq 2 missing; asking for a replay'
check "the agent replays from it" wait_for 10 \
    logged "$T/agent.log" 'the bridge asks for a replay from seq 2'
check "all four are stored" wait_for 10 stored_is 4
check "and acked" wait_for 10 unacked_is 0
check "well before the 60 s ack timeout" test $((SECONDS - t0)) -lt 20
check_eq "seqs 1..4 once each" "1 2 3 4" \
    "$(sql "$T/bridge.db" 'SELECT group_concat(seq, " ") FROM (SELECT seq FROM events ORDER BY seq)')"
summary
