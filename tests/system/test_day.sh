#!/usr/bin/env bash
# A mixed day: three carts in three rooms record 1,050 uses through their
# sim drivers; a real MLLP billing receiver answers AA, or AE for lots
# marked AE; a real HTTP ERP answers 200, or 400 for lots marked E400. Each
# lot says what must become of it: OK (billed, posted), RET (a return:
# credited, posted), NOENC (no visit number: billing held, posted), UNK (no
# chargemaster line: both held), AE (billing refused: dead, posted), E400
# (billed, ERP refused: dead). At the end each receiver has exactly the
# events it should, once each; the exception queue has every held event
# and every refusal;
# and the day's report balances with the expected counts.
set -u
source "$(dirname "$0")/lib.sh"

ERP_OUTPUT=http
RULE_NO_ENCOUNTER=hold_billing
PER=350			# scans per cart
DRAPE=00884521123505

start_broker
start_receiver --ae-match LOTAE
start_erp
start_bridge

# cart N ROOM: an agent with its own store and FIFO.
cart() {
	write_agent_conf
	sed -e "s|^id = .*|id = cart-$1|" -e "s|^room = .*|room = $2|" \
	    -e "s|$T/agent.db|$T/cart-$1.db|" -e "s|$T/scan.fifo|$T/cart-$1.fifo|" \
	    -e "s|$T/agent.state|$T/cart-$1.state|" "$T/agent.conf" > "$T/cart-$1.conf"
	"$B/pou-agent" -c "$T/cart-$1.conf" >> "$T/agent.log" 2>&1 &
	PIDS+=($!)
	wait_for 10 test -p "$T/cart-$1.fifo"
}

# The lot of the i-th scan of a cart: mostly OK, every so often a case.
lot_kind() {
	local i=$1
	if ((i % 50 == 7)); then echo NOENC; elif ((i % 50 == 17)); then echo UNK
	elif ((i % 50 == 27)); then echo RET; elif ((i % 50 == 37)); then echo AE
	elif ((i % 50 == 47)); then echo E400; else echo OK; fi
}

# day N: the scans of cart N, written at once (the FIFO paces them).
day() {
	local n=$1 i k
	for ((i = 1; i <= PER; i++)); do
		k=$(lot_kind "$i")
		case $k in
		NOENC) printf 'CASE:D%s-%d\nMRN:1%04d\n' "$n" "$i" "$i" ;;
		*) printf 'CASE:D%s-%d\nMRN:1%04d\nENC:V%s%04d\n' "$n" "$i" "$i" "$n" "$i" ;;
		esac
		[ "$k" = RET ] && printf 'POU:RETURN\n'
		if [ "$k" = UNK ]; then
			printf ']d201008845211235291727063010LOT%s%s%04d\n' "$k" "$n" "$i"
		else
			printf ']d201%s1727063010LOT%s%s%04d\n' "$DRAPE" "$k" "$n" "$i"
		fi
	done > "$T/cart-$n.fifo"
}

for n in 1 2 3; do cart "$n" "OR0$n"; done
for n in 1 2 3; do day "$n" & done
wait_all_recorded() {
	test "$(q 'SELECT count(*) FROM events')" -eq $((3 * PER))
}
check "1,050 uses reach the bridge" wait_for 120 wait_all_recorded
check "every delivery settles" wait_for 180 outbox_settled

count_kind() { echo $((3 * $(for ((i = 1; i <= PER; i++)); do lot_kind "$i"; done | grep -c "^$1\$"))); }
OK=$(count_kind OK); RET=$(count_kind RET); NOENC=$(count_kind NOENC)
UNK=$(count_kind UNK); AE=$(count_kind AE); E400=$(count_kind E400)

check_eq "billing received OK, RET, AE and E400 lots, once each" \
    $((OK + RET + AE + E400)) "$(billing_distinct_ft1)"
check_eq "and nothing twice" "$(billing_count)" "$(billing_distinct_ft1)"
held_at_billing=$(grep -c 'LOT\(NOENC\|UNK\)' "$T/billing.jsonl")
check_eq "billing never saw a held one" 0 "$held_at_billing"
erp_posted() { grep '"status": 200' "$T/erp.jsonl" | $PY -c 'import sys, json; print(len({json.loads(l)["key"] for l in sys.stdin}))'; }
check_eq "the ERP posted OK, RET, NOENC and AE lots, once each" \
    $((OK + RET + NOENC + AE)) "$(erp_posted)"
check_eq "each return as a return" "$RET" \
    "$(grep '"status": 200, "type": "inventory_return"' "$T/erp.jsonl" | grep -c LOTRET)"
check_eq "and refused each E400 once, never retried" "$E400" \
    "$(grep -c '"status": 400' "$T/erp.jsonl")"
check_eq "the exception queue holds every NOENC and UNK use" $((NOENC + UNK)) \
    "$(q "SELECT count(DISTINCT event_id) FROM exceptions WHERE state = 'open' AND rule NOT LIKE '%_refused'")"
check_eq "and every refusal, with the receiver's answer" "$AE $E400" \
    "$(q "SELECT count(*) FROM exceptions WHERE state = 'open' AND rule = 'billing_refused' AND reason LIKE 'AE: %'") $(q "SELECT count(*) FROM exceptions WHERE state = 'open' AND rule = 'erp_refused' AND reason LIKE 'HTTP 400%'")"
"$B/pouctl" -b "$T/bridge.db" report "$(date -u +%F)" > "$T/report"
check "the day's report balances" grep -q '^balances' "$T/report"
col() { awk -v d="$1" -v c="$2" '$1 == d && $2 == c { print $3 }' "$T/report"; }
check_eq "billing: billed, credited, held, dead" \
    "$((OK + E400)) $RET $((NOENC + UNK)) $AE" \
    "$(col billing billed) $(col billing credited) $(col billing held) $(col billing dead)"
check_eq "ERP: posted, held, dead" "$((OK + RET + NOENC + AE)) $UNK $E400" \
    "$(col erp posted) $(col erp held) $(col erp dead)"
check_eq "three devices, three rooms" "3|3" \
    "$(q 'SELECT count(DISTINCT device), count(DISTINCT room) FROM events')"
summary
