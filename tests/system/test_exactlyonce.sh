#!/usr/bin/env bash
# Billing over MLLP when a reply does not confirm a charge. MSH-10 comes
# from the event's identity, so it is the same on every resend and after
# any restart. Without HL7's sequence number protocol an ACK later than
# the timeout, or a receiver that hangs up after taking the message, means
# a second copy (at-least-once), and the day's report counts it as a
# possible double. With the protocol (a receiver that keeps MSH-13 and
# answers MSA-4) the bridge asks at the link's start which number the
# receiver expects and does not send again what it has: exactly once.
set -u
source "$(dirname "$0")/lib.sh"

item() { printf ']d201008845211234511727063010%s' "$1"; }
EPOCH=
copies() {	# copies CASE: how many messages for that case billing recorded
	local n
	n=$(grep -c "|$1|" "$T/billing.jsonl" 2>/dev/null)
	echo "${n:-0}"
}
copies_are() { test "$(copies "$1")" -eq "$2"; }
msh() {		# msh CASE N: MSH-N of the case's first message
	$PY - "$T/billing.jsonl" "$1" "$2" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    m = json.loads(l)["msg"]
    if "|" + sys.argv[2] + "|" in m:
        print(m.split("\r")[0].split("\n")[0].split("|")[int(sys.argv[3]) - 1])
        break
PY
}
msh10s() {	# the distinct MSH-10 of a case's messages
	$PY - "$T/billing.jsonl" "$1" <<'PY'
import json, sys
print(" ".join(sorted({json.loads(l)["msg"].split("|")[9] for l in
    open(sys.argv[1]) if "|" + sys.argv[2] + "|" in json.loads(l)["msg"]})))
PY
}
control_id() {	# what MSH-10 must be for identity $1, revision 0
	$PY -c 'import base64, hashlib, sys
print("P" + base64.b32encode(hashlib.sha256((sys.argv[1] + "#0").encode()).digest()).decode()[:19])' "$1"
}

start_broker
start_receiver --slow-match CASE-SLOW1 --slow-ms 4500 --drop-match CASE-DROP1 ||
    { not_ok "receiver starts"; summary; exit 1; }
start_bridge
start_agent
scan 'CASE:CASE-ONE' "$(item E1)"
check "a charge is billed" wait_for 15 copies_are CASE-ONE 1
EPOCH=$(sql "$T/agent.db" 'SELECT epoch FROM state')
check_eq "its MSH-10 comes from its identity, ST(20)" \
    "$(control_id "cart-07:$EPOCH:1")" "$(msh CASE-ONE 10)"

# Without the sequence protocol: at-least-once.
scan 'CASE:CASE-SLOW1' "$(item E2)"
check "an ACK after the timeout: billing gets the charge twice" \
    wait_for 20 copies_are CASE-SLOW1 2
check_eq "both copies with one MSH-10" 1 "$(msh10s CASE-SLOW1 | wc -w)"
scan 'CASE:CASE-DROP1' "$(item E3)"
check "a receiver that hangs up after taking it: twice too" \
    wait_for 20 copies_are CASE-DROP1 2
check "the outbox settles" wait_for 20 outbox_settled
"$B/pouctl" -b "$T/bridge.db" report "$(date -u +%F)" > "$T/report1.txt"
check "the day's report counts the two possible doubles" \
    grep -q 'billing  *maybe_twice  *2' "$T/report1.txt"

# With the sequence protocol: exactly once.
stop_pid "$BRIDGE_PID"
stop_pid "$RECEIVER_PID"
start_receiver --sequence --slow-match CASE-SLOW2 --slow-ms 4500 \
    --drop-match CASE-DROP2 --ae-match CASE-AE2 || { not_ok "receiver starts"; summary; exit 1; }
sed -i "/^\[billing\]/,/^\[/ s/^port = .*/port = $MLLP_PORT/;
    s/^\[billing\]/[billing]\nsequence = yes/" "$T/bridge.conf"
start_bridge
scan 'CASE:CASE-TWO' "$(item E4)"
check "a charge is billed with sequence numbers" wait_for 15 copies_are CASE-TWO 1
check_eq "its MSH-13 is the first number" 1 "$(msh CASE-TWO 13)"
check "the link started with sequence number 0" logged "$T/receiver.log" \
    'receiver: sequence 0 -> AA'
scan 'CASE:CASE-SLOW2' "$(item E5)"
check "an ACK after the timeout" wait_for 20 logged "$T/bridge.log" \
    'not delivered (attempt 1), retry in .*no ACK in time'
check "and done without a second copy" wait_for 20 bash -c "sqlite3 '$T/bridge.db' \
    \"SELECT answer FROM outbox WHERE state = 'done' AND answer LIKE 'sequence 2 accepted before%'\" | grep -q ."
check "the receiver took it (late)" wait_for 10 copies_are CASE-SLOW2 1
sleep 1
check_eq "billing has it once" 1 "$(copies CASE-SLOW2)"
scan 'CASE:CASE-DROP2' "$(item E6)"
check "a receiver that hangs up after taking it" wait_for 20 copies_are CASE-DROP2 1
check "the outbox settles" wait_for 20 outbox_settled
check_eq "has it once" 1 "$(copies CASE-DROP2)"
check_eq "sequence numbers 1, 2, 3 in order, none twice" "1 2 3" \
    "$(for c in CASE-TWO CASE-SLOW2 CASE-DROP2; do msh "$c" 13; done | tr '\n' ' ' | sed 's/ $//')"
# A refusal is a refusal, whatever its MSA-4 says: never "had it".
scan 'CASE:CASE-AE2' "$(item E7)"
ae_held() { test "$(q "SELECT count(*) FROM exceptions WHERE rule = 'billing_refused'
    AND reason LIKE 'AE:%'")" -eq 1; }
check "an AE under sequence numbers opens a refusal, not a delivery" wait_for 20 ae_held
scan 'CASE:CASE-AFTER' "$(item E8)"
check "the next charge goes on" wait_for 20 copies_are CASE-AFTER 1
check_eq "with the next number" 5 "$(msh CASE-AFTER 13)"
"$B/pouctl" -b "$T/bridge.db" report "$(date -u +%F)" > "$T/report2.txt"
check "no new possible double in the report" \
    grep -q 'billing  *maybe_twice  *2' "$T/report2.txt"
summary
