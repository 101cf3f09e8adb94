#!/usr/bin/env bash
# At the cart, scripted through the sim driver with the repo's catalog and
# recall list: a full case, an expired implant stopped then overridden, a
# recalled lot stopped and abandoned, a waste, a return, a quantity, a
# badge switch mid-case, unknown and inactive items, an implant without a
# lot, the case ended, the context expiring, bad commands, two UNDOs (each
# a compensating event; nothing is deleted) and UNDOs with nothing to undo. Each event's
# kind, quantity, user, case and flags are asserted in the agent's store
# and at the bridge.
set -u
source "$(dirname "$0")/lib.sh"

BILLING_OUTPUT=file
ASSEMBLY_WINDOW_MS=0
GS=$'\\x1d'
item() {	# item DI LOT [EXPIRY yymmdd]
	printf ']d201%s17%s10%s' "$1" "${3:-270630}" "$2"
}
SCREW=00884521123451	# an implant, lot required
DRAPE=00884521123505	# a supply
SPONGE=00884521123512	# inactive
row() {	# row SEQ: kind|qty|user|case|flags of the agent's event SEQ
	sql "$T/agent.db" "SELECT kind, qty, user_id, case_id, flags FROM events WHERE seq = $1"
}
bridge_row() {
	sql "$T/bridge.db" "SELECT kind, qty, user_id, case_id, flags FROM events WHERE device = 'cart-07' AND seq = $1"
}
stopped() { grep -c 'board: STOP' "$T/agent.log"; }
stops_are() { test "$(stopped)" -eq "$1"; }

start_broker
start_bridge
write_agent_conf
sed -i "s|^\[session\]|[session]\ncontext_timeout_s = 3\noverride_window_s = 2|" "$T/agent.conf"
printf '[reference]\ncatalog = %s\nrecalls = %s\n' "$ROOT/configs/catalog.csv" \
    "$ROOT/configs/recalls.csv" >> "$T/agent.conf"
start_agent
check "the catalog is loaded" wait_for 5 logged "$T/agent.log" 'refdata: catalog: 8 rows'
check "the recall list is loaded" logged "$T/agent.log" 'refdata: recalls: 2 rows'

scan 'USER:N1' 'CASE:C-1' 'MRN:100234' "$(item $SCREW L1)"
check "1: a use in the case" wait_for 5 recorded_is 1
check_eq "1: use, 1, N1, C-1, no flags" "use|1|N1|C-1|0" "$(row 1)"

s0=$(stopped)
scan "$(item $SCREW L2 250131)"
check "an expired implant stops" wait_for 5 stops_are $((s0 + 1))
check "the stop says why" logged "$T/agent.log" 'STOP: EXPIRED 2025-01-31'
check_eq "and is not recorded" 1 "$(recorded)"
scan 'POU:OVERRIDE'
check "2: the override records it" wait_for 5 recorded_is 2
check_eq "2: expired + override (0x41), by N1" "use|1|N1|C-1|65" "$(row 2)"

scan "$(item $SCREW LOTBAD)"
check "a recalled lot stops" wait_for 5 logged "$T/agent.log" 'RECALLED (R-2026-0142)'
scan 'POU:WASTE' "$(item $DRAPE D1)"
check "3: the next item is recorded" wait_for 5 recorded_is 3
check "the recalled one was abandoned" logged "$T/agent.log" "stopped item $SCREW lot LOTBAD not used"
check_eq "3: the waste" "waste|1|N1|C-1|0" "$(row 3)"
check_eq "the recalled lot is nowhere" 0 \
    "$(sql "$T/agent.db" "SELECT count(*) FROM events WHERE lot = 'LOTBAD'")"

scan 'POU:RETURN' "$(item $DRAPE D2)" 'POU:QTY:3' "$(item $DRAPE D3)" "$(item $DRAPE D4)"
check "4-6 recorded" wait_for 5 recorded_is 6
check_eq "4: a return" "return|1|N1|C-1|0" "$(row 4)"
check_eq "5: a quantity of 3" "use|3|N1|C-1|0" "$(row 5)"
check_eq "6: the quantity was for one item" "use|1|N1|C-1|0" "$(row 6)"

scan 'USER:N2' "$(item $DRAPE D5)"
check "7: after a badge switch" wait_for 5 recorded_is 7
check_eq "7: the new user, the same case" "use|1|N2|C-1|0" "$(row 7)"

scan "$(item 00884521123529 U1)" "$(item $SPONGE S1)" ']d201'"$SCREW"
check "8-10 recorded" wait_for 5 recorded_is 10
check_eq "8: not in the catalog (0x04)" "use|1|N2|C-1|4" "$(row 8)"
check_eq "9: inactive (0x08)" "use|1|N2|C-1|8" "$(row 9)"
check_eq "10: an implant without a lot (0x20)" "use|1|N2|C-1|32" "$(row 10)"

scan 'POU:END' "$(item $DRAPE D6)"
check "11: after the case ended" wait_for 5 recorded_is 11
check_eq "11: no case (0x10), the user stays" "use|1|N2||16" "$(row 11)"

scan 'CASE:C-2' 'POU:QTY:2'
sleep 4		# context_timeout_s = 3
scan "$(item $DRAPE D7)"
check "12: after the context expired" wait_for 5 recorded_is 12
check_eq "12: no case, no user, no quantity" "use|1|||16" "$(row 12)"

s0=$(stopped)
scan 'POU:FOO' 'POU:QTY:0' 'POU:OVERRIDE'
check "an unknown command, a bad quantity and a lone override: 3 stops" \
    wait_for 5 stops_are $((s0 + 3))
scan "$(item $SCREW L3 250131)"
sleep 3		# override_window_s = 2
scan 'POU:OVERRIDE'
check "an override after the window finds nothing" wait_for 5 \
    logged "$T/agent.log" "stopped item $SCREW lot L3 not used"
check_eq "nothing recorded by those" 12 "$(recorded)"

scan 'USER:N3' 'CASE:C-3' "$(item $DRAPE D8)" 'POU:QTY:2' "$(item $DRAPE D9)" \
    'POU:UNDO'
check "15: an undo" wait_for 5 recorded_is 15
undo_row() { sql "$T/agent.db" "SELECT kind, qty, user_id, case_id, undoes, lot FROM events WHERE seq = $1"; }
check_eq "15: reverses 14, the same quantity and lot" "undo|2|N3|C-3|14|D9" \
    "$(undo_row 15)"
check_eq "14 is still there" "use|2|N3|C-3|0" "$(row 14)"
s0=$(stopped)
scan 'POU:UNDO' 'POU:UNDO' 'USER:N4' 'POU:UNDO'
check "16: a second undo reverses the item before" wait_for 5 recorded_is 16
check_eq "16: reverses 13" "undo|1|N3|C-3|13|D8" "$(undo_row 16)"
check "a third finds nothing of N3's, nor one by N4: 2 stops" wait_for 5 \
    stops_are $((s0 + 2))
check_eq "nothing else recorded" 16 "$(recorded)"

check "all sixteen reach the bridge" wait_for 10 unacked_is 0
check_eq "the bridge holds the override as sent" "use|1|N1|C-1|65" "$(bridge_row 2)"
check_eq "and the waste, the return and the quantity" \
    "waste|1|N1|C-1|0 return|1|N1|C-1|0 use|3|N1|C-1|0" \
    "$(echo $(bridge_row 3) $(bridge_row 4) $(bridge_row 5))"
"$B/pouctl" -c "$T/agent.conf" status > "$T/status" 2>&1
check "pouctl status shows the case" grep -q '^case  *C-3$' "$T/status"
check "the user" grep -q '^user  *N4$' "$T/status"
check "and the last scans with their outcome" grep -q 'stop  *nothing to undo' "$T/status"
check "a recorded one among them" grep -q 'warn\|ok  *recorded seq 16 undo' "$T/status"

credit() {	# FT1-6 and FT1-10 billed for seq $1
	cat "$T"/billing/cart-07_*_"$1".hl7 2>/dev/null | tr '\r' '\n' |
	    awk -F'|' '/^FT1/ { print $7 "|" $11 }'
}
billed_15() { test -n "$(credit 15)"; }
check "billing gets the undo" wait_for 10 billed_15
check_eq "as a credit of 2" "CD|2" "$(credit 15)"
check_eq "beside the charge it reverses" "CG|2" "$(credit 14)"

# A serialized stent used, undone, used again: no duplicate-serial hold.
STENT=00884521123499
scan 'USER:N3' "$(item $STENT LS)$GS"'21SN-U1' 'POU:UNDO' "$(item $STENT LS)$GS"'21SN-U1'
check "17-19 recorded" wait_for 5 recorded_is 19
check_eq "19: the unit used again" "use|1|N3|C-3|0" "$(row 19)"
check "and at the bridge" wait_for 10 unacked_is 0
check_eq "no duplicate-serial hold after an UNDO" 0 \
    "$(sql "$T/bridge.db" "SELECT count(*) FROM exceptions WHERE rule = 'duplicate_serial'")"

scan ']d20100884521123529'
check "20: recorded" wait_for 5 recorded_is 20
check_eq "20: not in the catalog and no lot (0x24)" "use|1|N3|C-3|36" "$(row 20)"
summary
