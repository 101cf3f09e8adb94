#!/usr/bin/env bash
# Billing over MLLP against the real python3-hl7 receiver when it is slow or
# says no: an ACK 1.5 s late (within the 3 s timeout) is taken once and
# holds the next message back (one in flight, order kept); AR is a refusal
# with its text in the exception queue; an ACK later than the timeout makes
# the bridge reconnect and send again (the receiver sees the message twice
# with the same MSH-10 and FT1-2, its keys to drop the second) and the row
# is done after two attempts.
set -u
source "$(dirname "$0")/lib.sh"

ERP_OUTPUT=none
ASSEMBLY_WINDOW_MS=0
item() { printf ']d201008845211235051727063010%s' "$1"; }
state() { q "SELECT o.state FROM outbox o JOIN events e ON e.id = o.event_id WHERE o.dest = 'billing' AND e.lot = '$1'"; }
state_is() { test "$(state "$1")" = "$2"; }
lots_seen() { $PY -c '
import json, re, sys
print(" ".join(re.search(r"ZUD\|1\|[^|]*\|[^|]*\|([^|]*)", json.loads(l)["msg"]).group(1)
               for l in sys.stdin))' < "$T/billing.jsonl"; }

start_broker
start_receiver --ar-match LOTAR --slow-match LOTSLOW --slow-ms 1500
start_bridge
start_agent
scan 'CASE:C1' 'ENC:V1' "$(item LOTOK1)" "$(item LOTSLOW1)" "$(item LOTOK2)" \
    "$(item LOTAR1)" "$(item LOTOK3)"
check "all five are acked by the bridge" wait_for 15 acked_all 5
check "the last one is delivered" wait_for 20 state_is LOTOK3 done
check_eq "the receiver got each once, in order" \
    "LOTOK1 LOTSLOW1 LOTOK2 LOTAR1 LOTOK3" "$(lots_seen)"
check_eq "the slow one: done at the first attempt" "done|1" \
    "$(q "SELECT o.state || '|' || o.attempts FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.lot = 'LOTSLOW1'")"
check "AR: failed" state_is LOTAR1 failed
check_eq "AR: in the exception queue with the ACK text" \
    "billing_refused|AR: rejected by test receiver" \
    "$(q "SELECT x.rule || '|' || x.reason FROM exceptions x JOIN events e ON e.id = x.event_id WHERE e.lot = 'LOTAR1' AND x.state = 'open'")"

# An ACK later than the 3 s timeout.
port=$MLLP_PORT
kill "$RECEIVER_PID"; wait "$RECEIVER_PID" 2>/dev/null
start_receiver --port "$port" --slow-match LOTVSLOW --slow-ms 5000
scan "$(item LOTVSLOW1)" "$(item LOTOK4)"
check "the late one is done" wait_for 30 state_is LOTVSLOW1 done
check "after a timeout and a second attempt" test "$(q "SELECT o.attempts FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.lot = 'LOTVSLOW1'")" -ge 2
check "the bridge logged the timeout" grep -q 'billing: .*not delivered (attempt 1)' "$T/bridge.log"
check "the next one follows" wait_for 15 state_is LOTOK4 done
seen_twice() { test "$(grep -c 'LOTVSLOW1' "$T/billing.jsonl")" -eq 2; }
check "the receiver saw the late one twice" wait_for 10 seen_twice
check_eq "with one MSH-10 between them" 1 \
    "$(grep 'LOTVSLOW1' "$T/billing.jsonl" | grep -o 'DFT\^P03\^DFT_P03|[^|]*' | sort -u | wc -l)"
check_eq "and one FT1-2 (the event identity)" 1 \
    "$(grep 'LOTVSLOW1' "$T/billing.jsonl" | grep -o 'FT1|1|[^|]*' | sort -u | wc -l)"
check "the bridge still runs" kill -0 "$BRIDGE_PID"
summary
