#!/usr/bin/env bash
# Governance at the bridge, with its default rules, a real MLLP billing
# receiver and a real HTTP ERP: a case of ordinary uses plus one event per
# rule (implant without lot, expired and recalled with override, the same
# serial twice, bill-only, an item with no chargemaster line, a use without
# a visit number). Billing and the ERP each get exactly what they should;
# every held event is in the exception queue with its rule; resolving the
# missing encounter and releasing sends it to billing; a discarded one is
# never sent.
set -u
source "$(dirname "$0")/lib.sh"

ERP_OUTPUT=http
LOCATIONS=$ROOT/configs/locations.csv
RULE_NO_ENCOUNTER=hold_billing
ASSEMBLY_WINDOW_MS=0
GS='\x1d'
item() { printf ']d201%s17%s10%s' "$1" "${3:-270630}" "$2"; }
SCREW=00884521123451
DRAPE=00884521123505
STENT=00884521123499
billed_lots() {	# the lots billing accepted, sorted, from FT1-2's events
	q "SELECT group_concat(lot, ' ') FROM (SELECT e.lot FROM outbox o JOIN events e ON e.id = o.event_id WHERE o.dest = 'billing' AND o.state = 'done' ORDER BY e.lot)"
}
erp_lots() { q "SELECT group_concat(lot, ' ') FROM (SELECT e.lot FROM outbox o JOIN events e ON e.id = o.event_id WHERE o.dest = 'erp' AND o.state = 'done' ORDER BY e.lot)"; }
held() { q "SELECT group_concat(x, ' ') FROM (SELECT e.lot || ':' || r.rule || ':' || r.hold AS x FROM exceptions r JOIN events e ON e.id = r.event_id WHERE r.state = 'open' ORDER BY e.lot, r.rule)"; }
ctl() { "$B/pouctl" -b "$T/bridge.db" exceptions "$@"; }

start_broker
start_receiver
start_erp
start_bridge
write_agent_conf
printf '[reference]\ncatalog = %s\nrecalls = %s\n' "$ROOT/configs/catalog.csv" \
    "$ROOT/configs/recalls.csv" >> "$T/agent.conf"
start_agent
scan 'USER:N1' 'CASE:C1' 'MRN:100234' 'ENC:V1'
for i in 01 02 03 04 05; do scan "$(item $DRAPE D$i)"; done
scan "]d201$SCREW" \
    "$(item $SCREW XEXP 250131)" 'POU:OVERRIDE' \
    "$(item $SCREW LOTBAD)" 'POU:OVERRIDE' \
    "$(item $STENT SER1)${GS}21SN-1" "$(item $STENT SER2)${GS}21SN-1" \
    'POU:BILLONLY' "$(item $DRAPE BILLO)" \
    "$(item 00884521123529 UNK)" \
    'POU:END' 'CASE:C2' "$(item $DRAPE NOENC)"
check "all thirteen are recorded and acked" wait_for 15 acked_all 13
check_eq "thirteen at the bridge" 13 "$(q 'SELECT count(*) FROM events')"
check "every delivery settles" wait_for 30 outbox_settled

check_eq "billing: the ordinary ones, the first stent and the bill-only" \
    "BILLO D01 D02 D03 D04 D05 SER1" "$(billed_lots)"
check_eq "ERP: the ordinary ones, the expired, the first stent, no encounter" \
    "D01 D02 D03 D04 D05 NOENC SER1 XEXP" "$(erp_lots)"
check_eq "the exception queue: each held event with its rule and holds" \
    ":lot_missing:billing+erp BILLO:billonly_no_po:erp LOTBAD:recalled:billing+erp NOENC:no_encounter:billing SER2:duplicate_serial:billing+erp UNK:unknown_item:billing+erp XEXP:expired:billing" \
    "$(held)"

ctl > "$T/list"
check "pouctl lists them with the reason" grep -q 'no_encounter.*chargeable without an encounter' "$T/list"
id=$(q "SELECT r.id FROM exceptions r JOIN events e ON e.id = r.event_id WHERE e.lot = 'NOENC'")
check "resolving supplies the encounter" ctl resolve "$id" encounter=V2 --by alice
check_eq "the event has it" V2 "$(q "SELECT encounter FROM events WHERE lot = 'NOENC'")"
check "release sends it on" ctl release "$id" --by alice
billed_noenc() { billed_lots | grep -q NOENC; }
check "billing receives it" wait_for 15 billed_noenc
check "with PV1-19 = V2" grep -q 'PV1|[^"]*V2' "$T/billing.jsonl"
check_eq "who released it, and the note" "released|alice|encounter=V2" \
    "$(q "SELECT state || '|' || changed_by || '|' || note FROM exceptions WHERE id = $id")"
dup=$(q "SELECT r.id FROM exceptions r JOIN events e ON e.id = r.event_id WHERE e.lot = 'SER2'")
check "discarding needs a reason" test "$(ctl discard "$dup" 2>&1; echo $?)" != 0
check "the duplicate is discarded" ctl discard "$dup" "scanned twice" --by bob
sleep 2
check_eq "and never sent" 0 \
    "$(q "SELECT count(*) FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.lot = 'SER2'")"
check "releasing a discarded one is refused" test "$(ctl release "$dup" >/dev/null 2>&1; echo $?)" != 0
check_eq "billing got each event once (FT1-2)" "$(billing_count)" "$(billing_distinct_ft1)"
check "FT1-13: the cart's department from the locations" \
    grep -q 'FT1|1|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|ORTHO-SURG|' "$T/billing.jsonl"
erp_cc() { q "SELECT count(*) FROM outbox WHERE dest = 'erp' AND payload LIKE '%\"cost_center\":\"CC-4410\",%\"erp_location\":\"ERP-CART-07\"%'"; }
check_eq "every ERP record carries the cost center and ERP location" \
    "$(q "SELECT count(*) FROM outbox WHERE dest = 'erp'")" "$(erp_cc)"

ev=$(q "SELECT device || ':' || epoch || ':' || seq FROM events WHERE lot = 'NOENC'")
"$B/pouctl" -b "$T/bridge.db" trace "$ev" > "$T/trace"
check "trace: the scan, by the sim driver" grep -q '^scanned .*by sim0' "$T/trace"
check "trace: the rule and who released it" \
    grep -q '^rule  *no_encounter: released (holds billing).*by alice' "$T/trace"
check "trace: billing done, with the AA that acked it" grep -q '^billing  *done .*id P[A-Z2-7]\{19\}; answer AA P[A-Z2-7]\{19\}' "$T/trace"
check "trace: the ERP's document id" grep -q '^erp  *done .*answer DOC-' "$T/trace"
"$B/pouctl" -b "$T/bridge.db" report "$(date -u +%F)" > "$T/report"
check "the day's report balances" grep -q '^balances' "$T/report"
check_eq "billing: 8 billed, 4 held, 1 discarded" "8 4 1" \
    "$(awk '$1 == "billing" { c[$2] = $3 } END { print c["billed"], c["held"], c["discarded"] }' "$T/report")"
check_eq "ERP: 8 posted, 4 held, 1 discarded" "8 4 1" \
    "$(awk '$1 == "erp" { c[$2] = $3 } END { print c["posted"], c["held"], c["discarded"] }' "$T/report")"
summary
