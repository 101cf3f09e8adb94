#!/usr/bin/env bash
# Bad input on real processes: each gets a clear log line, nothing recorded
# is lost, and the rest goes on.
set -u
source "$(dirname "$0")/lib.sh"

good() { printf ']d2010088452112345117271231\\x1d10%s\\x1d21S%s' "$1" "$1"; }
bridge_events() { sql "$T/bridge.db" "SELECT count(*) FROM events"; }
bridge_events_is() { test "$(bridge_events)" -eq "$1"; }
alive() { kill -0 "$1" 2>/dev/null; }
pub() { mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t "$1" -m "$2"; }

start_broker || { not_ok "broker starts"; summary; exit 1; }
start_receiver --ae-match CASE-AE || { not_ok "receiver starts"; summary; exit 1; }
start_bridge
start_agent
wait_for 10 logged "$T/agent.log" "connecting -> online"

# 1. The scanner side: garbage, binary, a bad escape, an over-long line.
scan 'CASE:C1' 'garbage!!' '\x01\x02\x03' 'bad \xZZ escape' \
    "$(head -c 10000 /dev/zero | tr '\0' 'A')" "$(good L1)"
check "a good scan after the garbage is recorded" wait_for 10 recorded_is 1
check "garbage is refused with its reason" \
    logged "$T/agent.log" 'scan refused (bad_symbology_identifier): no symbology identifier, and not HIBC, ISBT 128, GS1 or a Digital Link: set the scanner to send AIM ids (9 bytes)'
check "its bytes are not logged above debug (a wristband's MRN)" \
    test -z "$(grep 'garbage!!' "$T/agent.log")"
check "binary is refused with the byte named" \
    logged "$T/agent.log" 'scan refused (binary_data): control byte 0x01 at 0'
check "a bad escape is dropped with a line number" \
    logged "$T/agent.log" 'sim0: line 4 dropped: bad escape'
check "a 10 kB line is dropped, not buffered" \
    logged "$T/agent.log" 'line 5 dropped: longer than 4096 bytes'
check "the person got a STOP for each refusal" \
    test "$(grep -c 'board: STOP' "$T/agent.log")" -eq 2
check "the agent is still running" alive "$AGENT_PID"

# 2. Malformed batches published straight to the broker.
EV=pou/v1/or-west/cart-07/events
pub "$EV" '{"v":1,'
pub "$EV" '{"v":1,"epoch":"e","events":[{"seq":1}]}'
pub pou/v1/or-west/bad+id/events '{}' 2>/dev/null || true
pub "$EV" "$(head -c 3000 /dev/urandom | base64 -w0)"
rejects_are() { test "$(sql "$T/bridge.db" 'SELECT count(*) FROM rejects')" -eq "$1"; }
check "malformed batches are kept in rejects" wait_for 10 rejects_are 3
check "the bridge logs why: not JSON" \
    logged "$T/bridge.log" "rejected message on $EV (7 bytes): not JSON"
check "the bridge logs why: schema" \
    logged "$T/bridge.log" 'events\[0\]: Object item not found'
check "the bridge is still running" alive "$BRIDGE_PID"
scan "$(good L2)"
check "events keep flowing after the bad batches" wait_for 10 bridge_events_is 2

# 3. Billing answers AE: the message is held as failed and in the exception
# queue, the next goes on.
scan 'CASE:CASE-AE' "$(good L3)" 'CASE:C2' "$(good L4)"
held_failed() {
	test "$(sql "$T/bridge.db" "SELECT count(*) FROM outbox WHERE dest =
	    'billing' AND state = 'failed' AND last_error LIKE 'AE: charge code%'")" -eq 1
}
acks_aa() { test "$(grep -c '"ack": "AA"' "$T/billing.jsonl")" -eq "$1"; }
check "the AE'd charge is held as failed with the ACK text" wait_for 15 held_failed
check "the bridge logs the refusal" \
    logged "$T/bridge.log" 'refused, held as failed and in the exception queue: AE: charge code not on file'
check "the charge after it is accepted" wait_for 15 acks_aa 3
check_eq "the refusal waits in the exception queue with the ACK text" \
    "billing_refused|open|billing|AE: charge code not on file" \
    "$(sql "$T/bridge.db" "SELECT rule, state, hold, reason FROM exceptions
    WHERE rule = 'billing_refused'")"

# 4. Acks the agent must not believe.
ACK=pou/v1/or-west/cart-07/ack
EPOCH=$(sql "$T/agent.db" "SELECT epoch FROM state")
wait_for 10 unacked_is 0
pub "$ACK" 'nonsense'
pub "$ACK" '{"v":1,"epoch":"0000","upto":3}'
pub "$ACK" "{\"v\":1,\"epoch\":\"$EPOCH\",\"upto\":999999}"
check "a garbage ack is ignored with a log line" \
    wait_for 10 logged "$T/agent.log" 'bad ack ignored: not JSON'
check "an ack for another epoch is ignored" \
    wait_for 10 logged "$T/agent.log" 'ack for epoch 0000 ignored'
# An ack past the store's own counter is the proof that the store went
# back in time (issue 12): never believed as an ack, it starts a new epoch.
check "an ack beyond the store is not taken for an ack: a new epoch" \
    wait_for 10 logged "$T/agent.log" 'the store went back in time (bridge: the bridge holds seq 999999, the store.s counter 4)'
check "with the retained alarm" test "$(sql "$T/agent.db" \
    "SELECT count(*) FROM alarms WHERE kind = 'store_rolled_back'")" -eq 1
check "the epoch is new" test "$(sql "$T/agent.db" 'SELECT epoch FROM state')" != "$EPOCH"
scan "$(good L5)"
check "the agent still syncs" wait_for 10 bridge_events_is 5
check "and drains" wait_for 10 unacked_is 0
check_eq "nothing was moved or doubled: the old epoch's 4 and one new" "4 1" \
    "$(sql "$T/bridge.db" "SELECT count(*) FROM events WHERE epoch = '$EPOCH'") $(sql "$T/bridge.db" "SELECT count(*) FROM events WHERE epoch <> '$EPOCH'")"

# 5. Billing's frames split by the network: the CR after 0x1C comes alone.
stop_pid "$RECEIVER_PID"
stop_pid "$BRIDGE_PID"
start_receiver --late-cr
sed -i "s/^port = .*/port = $BROKER_PORT/; /^\[billing\]/,/^\[/ s/^port = .*/port = $MLLP_PORT/" "$T/bridge.conf"
start_bridge
scan "$(good L6)" "$(good L7)" "$(good L8)"
check "every charge is accepted when CRs arrive late" wait_for 20 acks_aa 3
check_eq "and no reply is taken for something else" 1 \
    "$(sql "$T/bridge.db" "SELECT count(*) FROM outbox WHERE dest = 'billing' AND state = 'failed'")"

# 6. Billing answers a frame that is no ACK, or hangs up without answering.
stop_pid "$RECEIVER_PID"
stop_pid "$BRIDGE_PID"
start_receiver --garbage-match CASE-GARB --drop-match CASE-DROP
sed -i "/^\[billing\]/,/^\[/ s/^port = .*/port = $MLLP_PORT/" "$T/bridge.conf"
start_bridge
scan 'CASE:CASE-GARB' "$(good L9)" 'CASE:CASE-DROP' "$(good L10)"
garbage_failed() {
	test "$(sql "$T/bridge.db" "SELECT count(*) FROM outbox WHERE dest =
	    'billing' AND state = 'failed' AND last_error = 'reply is not an HL7 ACK'")" -eq 1
}
check "a reply that is no HL7 ACK holds the charge as failed" wait_for 15 garbage_failed
check "a receiver that hangs up gets the charge again, and acks it" \
    wait_for 20 acks_aa 1
check "the hang-up was a retry, logged" logged "$T/bridge.log" \
    'not delivered (attempt 1), retry in .*Connection reset\|not delivered (attempt 1), retry in .*closed'
check "the bridge is alive" alive "$BRIDGE_PID"
summary
