#!/usr/bin/env bash
# make bench: the bridge end to end, events/s from MQTT to the billing
# receiver's AA: an agent with a backlog of E2E_N (5,000) events drains to a
# bridge that bills each over MLLP to the python3-hl7 receiver. Baseline:
# the same messages sent again over MLLP one at a time to a fresh receiver
# (tests/bench/mllp_send.py), the floor of one message in flight.
set -u
source "$(dirname "$0")/../system/lib.sh"
source "$(dirname "$0")/fill.sh"

N=${E2E_N:-5000}
RULE_NO_ENCOUNTER=warn
fill "$T/agent.db" "$N"
start_broker
start_receiver
start_bridge
wait_for 10 grep -q 'connecting -> online' "$T/bridge.log"
done_count() { sql "$T/bridge.db" "SELECT count(*) FROM outbox WHERE dest = 'billing' AND state = 'done'"; }
all_done() { test "$(done_count)" -ge "$N"; }
write_agent_conf
t0=$(date +%s%N)
start_agent
wait_for 600 all_done
ms=$((($(date +%s%N) - t0) / 1000000))
stop_pid "$RECEIVER_PID" TERM
start_receiver
read -r bn bs < <($PY "$ROOT/tests/bench/mllp_send.py" "$T/bridge.db" "$MLLP_PORT")
printf 'bridge end to end, %d events (tests/bench/e2e.sh):\n' "$N"
printf '  MQTT -> stored -> DFT^P03 -> AA              %8.0f events/s\n' \
    "$(awk -v n="$N" -v ms="$ms" 'BEGIN { print n * 1000 / ms }')"
printf '  baseline: the same messages over MLLP alone  %8.0f messages/s\n' \
    "$(awk -v n="$bn" -v s="$bs" 'BEGIN { print n / s }')"
stop_all
