#!/usr/bin/env bash
# The ERP over HTTP (libcurl) against a real HTTP server (python3 standard
# library): 200, 409 for a key posted before, 400, 500 twice then 200, a
# first answer that hangs past the bridge's 1 s timeout, and a first answer
# that is not HTTP. Every event is posted once by Idempotency-Key; the 400
# and the garbage answer end as failed outbox rows with their reason and in
# the exception queue (the 400 resolved with the right lot and released is
# posted; the garbage one is replayed by time range), and nothing crashes.
# With dead_after = 2 the twice-500 one is dead until pouctl replay sends it
# again.
set -u
source "$(dirname "$0")/lib.sh"

BILLING_OUTPUT=none
ERP_OUTPUT=http
DEAD_AFTER=2
item() { printf ']d201008845211234511727063010%s' "$1"; }
erp_state() { q "SELECT o.state FROM outbox o JOIN events e ON e.id = o.event_id WHERE o.dest = 'erp' AND e.lot = '$1'"; }
erp_col() { q "SELECT o.$2 FROM outbox o JOIN events e ON e.id = o.event_id WHERE o.dest = 'erp' AND e.lot = '$1'"; }
state_is() { test "$(erp_state "$1")" = "$2"; }
logged_bad() { grep -q 'erp: .*refused, held as failed and in the exception queue: .*\(Weird server reply\|Unsupported protocol\)' "$T/bridge.log"; }
tries_are() { test "$(grep -c "\"lot\": \"$1\"" "$T/erp.jsonl")" -eq "$2"; }
posted() { grep -c "\"lot\": \"$1\", \"status\": $2" "$T/erp.jsonl"; }

start_broker
start_erp
start_bridge
start_agent
lots="OK1 OK2 OK3 E400A E500A HANG1 GARB1"
for l in $lots; do scan "$(item "$l")"; done
check "all seven are stored" wait_for 10 acked_all 7
for l in OK1 OK2 OK3; do
	check "$l: posted (200) and done" wait_for 10 state_is "$l" done
	check_eq "$l: once" 1 "$(posted "$l" 200)"
done
check "E500A: dead after two 500s" wait_for 20 state_is E500A dead
check_eq "E500A: two 500s" 2 "$(posted E500A 500)"
ev=$(q "SELECT device || ':' || epoch || ':' || seq FROM events WHERE lot = 'E500A'")
check "pouctl replay queues it again" "$B/pouctl" -b "$T/bridge.db" replay "$ev"
check "E500A: done after the replay" wait_for 20 state_is E500A done
check_eq "E500A: one 200" 1 "$(posted E500A 200)"
check "replay leaves done rows alone" grep -q '^0 deliveries' \
    <<< "$("$B/pouctl" -b "$T/bridge.db" replay "$ev")"
check "HANG1: done after the timeout" wait_for 20 state_is HANG1 done
check "HANG1: the hung first try is answered too, late" wait_for 10 \
    tries_are HANG1 2
check_eq "HANG1: posted once (200), the other try answered 409" "1 1" \
    "$(posted HANG1 200) $(posted HANG1 409)"
check_eq "HANG1: the ERP's document id is kept" DOC- "$(erp_col HANG1 answer | cut -c1-4)"
check "E400A: failed, not retried" wait_for 10 state_is E400A failed
check "with the ERP's reason" grep -q 'HTTP 400: .*unknown cost center' \
    <<< "$(erp_col E400A last_error)"
check_eq "E400A: one try" 1 "$(grep -c '"lot": "E400A"' "$T/erp.jsonl")"
xid=$(q "SELECT x.id FROM exceptions x JOIN events e ON e.id = x.event_id WHERE e.lot = 'E400A' AND x.rule = 'erp_refused' AND x.state = 'open' AND x.hold = 'erp'")
check "E400A: in the exception queue as erp_refused" test -n "$xid"
check "with the ERP's answer as the reason" grep -q "erp_refused.*HTTP 400: .*unknown cost center" \
    <<< "$("$B/pouctl" -b "$T/bridge.db" exceptions list)"
check "resolving supplies the right lot" "$B/pouctl" -b "$T/bridge.db" \
    exceptions resolve "$xid" lot=FIXED400 --by tester
check "and release sends it again" "$B/pouctl" -b "$T/bridge.db" \
    exceptions release "$xid" --by tester
check "E400A, now FIXED400: posted (200) and done" wait_for 10 state_is FIXED400 done
check_eq "the ERP got the corrected record under the same key" 1 \
    "$(grep -c '"lot": "FIXED400", "status": 200' "$T/erp.jsonl")"
check "GARB1: a garbage answer fails it, held" wait_for 10 state_is GARB1 failed
check "as a bad answer, logged" logged_bad
replay() { "$B/pouctl" -b "$T/bridge.db" replay "$@"; }
check "replay refuses a time it cannot read" test "$(replay --from yesterday >/dev/null 2>&1; echo $?)" = 2
check "a range that ended yesterday replays nothing" grep -q '^0 deliveries' \
    <<< "$(replay --from "$(date -u -d '-2 days' +%F)" --to "$(date -u +%F)")"
check "a range around now replays GARB1" grep -q '^1 deliveries' \
    <<< "$(replay --from "$(date -u -d '-1 hour' +%FT%H:%M)" --to "$(date -u -d tomorrow +%F)" --dest erp)"
check "GARB1: done after the replay" wait_for 15 state_is GARB1 done
check_eq "every key the ERP accepted, once" \
    "$(grep -c '"status": 200' "$T/erp.jsonl")" \
    "$(grep '"status": 200' "$T/erp.jsonl" | $PY -c 'import sys, json; print(len({json.loads(l)["key"] for l in sys.stdin}))')"
check "the keys are the event identities" grep -q '"key": "cart-07:[0-9a-f]*:1"' "$T/erp.jsonl"
check "the bridge still runs" kill -0 "$BRIDGE_PID"
summary
