#!/usr/bin/env bash
# The bridge's reference data for revenue and supply chain, against a real
# MLLP billing receiver and a real HTTP ERP: the item master, chargemaster
# (HCPCS, billable flag), contract prices per vendor, locations and PAR
# levels. A charge carries FT1-22 unit cost and FT1-25 HCPCS; a non-billable
# supply goes to the ERP only; the item master's inactive and unknown items
# and a stent without its required serial are held; a bill-only PO request
# carries the vendor and contract price, one without a contract is held;
# drapes used down to the reorder point send one replenishment request, a
# return and a shelf count move the estimate, and the next crossing sends
# another; a held use moves it only when released, a discarded one never. pouctl refdata validates (file:line), imports (the bridge loads
# the new chargemaster within seconds and prices by it) and shows versions.
set -u
source "$(dirname "$0")/lib.sh"

ERP_OUTPUT=http
ASSEMBLY_WINDOW_MS=0
RULE_NO_ENCOUNTER=hold_billing
GS='\x1d'
item() { printf ']d201%s17%s10%s' "$1" 270630 "$2"; }
SCREW=00884521123451 PLATE=00884521123468 ANCHOR=00884521123475
MESH=00884521123482 STENT=00884521123499 DRAPE=00884521123505
GAUZE=00884521123536 UNKNOWN=00884521123529
ctl() { "$B/pouctl" -B "$T/bridge.conf" -b "$T/bridge.db" "$@"; }
ft1() {	# field $2 of the FT1 of the message for lot $1
	$PY -c '
import json, sys
lot, n = sys.argv[1], int(sys.argv[2])
for line in sys.stdin:
    segs = json.loads(line)["msg"].replace("\r", "\n").split("\n")
    if any(s.startswith("ZUD|") and "|" + lot + "|" in s for s in segs):
        print([s for s in segs if s.startswith("FT1|")][0].split("|")[n])' \
	    "$1" "$2" < "$T/billing.jsonl"
}
billed() { test "$(q "SELECT o.state FROM outbox o JOIN events e ON e.id = o.event_id WHERE o.dest = 'billing' AND e.lot = '$1'")" = done; }
erp_rec() { q "SELECT o.payload FROM outbox o JOIN events e ON e.id = o.event_id WHERE o.dest = 'erp' AND e.lot = '$1'"; }
jget() { $PY -c 'import json, sys; print(json.loads(sys.stdin.read()).get(sys.argv[1]))' "$1"; }
held() { q "SELECT group_concat(x, ' ') FROM (SELECT e.lot || ':' || r.rule || ':' || r.hold AS x FROM exceptions r JOIN events e ON e.id = r.event_id WHERE r.state = 'open' ORDER BY e.lot, r.rule)"; }
replenished() { q "SELECT count(*) FROM outbox WHERE dest = 'replenish' AND state = 'done'"; }
replenished_is() { test "$(replenished)" -eq "$1"; }
onhand() { q "SELECT qty FROM onhand WHERE erp_location = 'ERP-CART-07' AND di = '$DRAPE'"; }

mkdir -p "$T/ref"
cp "$ROOT/configs/chargemaster.csv" "$ROOT/configs/contracts.csv" \
    "$ROOT/configs/par.csv" "$T/ref/"
# The plate is inactive in this hospital's item master (not at the cart).
sed "s/^$PLATE,\(.*\),yes,ACME-ORTHO$/$PLATE,\1,no,ACME-ORTHO/" \
    "$ROOT/configs/items.csv" > "$T/ref/items.csv"
# No contract price for the anchor: its bill-only PO cannot be priced.
sed -i "/$ANCHOR/d" "$T/ref/contracts.csv"
ITEMS=$T/ref/items.csv CHARGEMASTER=$T/ref/chargemaster.csv
CONTRACTS=$T/ref/contracts.csv PAR=$T/ref/par.csv
LOCATIONS=$ROOT/configs/locations.csv

start_broker
start_receiver
start_erp
start_bridge
start_agent
scan 'USER:N1' 'CASE:C1' 'MRN:100234' 'ENC:V1' \
    "$(item $SCREW SC1)" "$(item $GAUZE GZ1)" "$(item $STENT ST1)" \
    "$(item $PLATE PL1)" "$(item $UNKNOWN UK1)" \
    'POU:BILLONLY' "$(item $MESH BOMESH)${GS}21MS-77" \
    'POU:BILLONLY' "$(item $ANCHOR BOANC)" \
    "$(item $DRAPE DR1)" "$(item $DRAPE DR2)" "$(item $DRAPE DR3)" \
    "$(item $DRAPE DR4)" 'POU:RETURN' "$(item $DRAPE DR5)" \
    'POU:BILLONLY' "$(item $DRAPE DRBO)"
check "all thirteen are recorded and acked" wait_for 15 acked_all 13
check "every delivery settles" wait_for 30 outbox_settled

# Billing: FT1-22 the vendor's contract price, FT1-25 the HCPCS code.
check "the screw is billed" wait_for 10 billed SC1
check_eq "FT1-12: the chargemaster price" 412.00 "$(ft1 SC1 12)"
check_eq "FT1-22: the contract unit cost" 187.50 "$(ft1 SC1 22)"
check_eq "FT1-25: HCPCS from the chargemaster" "C1713^^HCPCS" "$(ft1 SC1 25)"
check_eq "the ERP issue names the item and vendor" "100234 ACME-ORTHO 18750" \
    "$(for k in item_id vendor unit_cost_cents; do erp_rec SC1 | jget $k; done | xargs)"
check_eq "a non-billable supply is not billed" 0 \
    "$(q "SELECT count(*) FROM outbox o JOIN events e ON e.id = o.event_id WHERE o.dest = 'billing' AND e.lot = 'GZ1'")"
check_eq "but issued in the ERP" inventory_issue "$(erp_rec GZ1 | jget type)"

# Item master rules.
check_eq "held: inactive, unknown, stent without serial, unpriced bill-only" \
    "BOANC:billonly_no_po:erp PL1:unknown_item:billing+erp ST1:lot_missing:billing+erp UK1:unknown_item:billing+erp" \
    "$(held)"
ctl exceptions list > "$T/list"
check "the reasons name the item master" grep -q 'item 100235 (DI 00884521123468) is inactive in the item master' "$T/list"
check "and the missing line" grep -q "DI $UNKNOWN is not in the item master" "$T/list"
check "and the serial the item needs" grep -q 'item 100238 needs a serial' "$T/list"
check "and the missing contract" grep -q "no contract price with ACME-ORTHO" "$T/list"
check_eq "the bill-only mesh: a PO request with vendor and contract price" \
    "po_request MESHCO 41000 MS-77" \
    "$(r=$(erp_rec BOMESH); for k in type vendor unit_cost_cents; do jget $k <<< "$r"; done | xargs) $(erp_rec BOMESH | $PY -c 'import json,sys; print(json.load(sys.stdin)["item"]["serial"])')"

# PAR: 6 drapes at par, reorder at 3. Four used (6 -> 2, crossing at the
# third), one returned (3), a bill-only one (vendor stock: no move).
check_eq "one replenishment request, at the third drape" 1 "$(replenished)"
req=$(q "SELECT payload FROM outbox WHERE dest = 'replenish'")
check_eq "for 3 drapes at ERP-CART-07, item 200100" \
    "replenishment_request ERP-CART-07 3 3 200100" \
    "$(for k in type erp_location qty on_hand_estimate item_id; do jget $k <<< "$req"; done | xargs)"
check "triggered by the third drape's event" grep -q "\"triggered_by\":\"$(q "SELECT device || ':' || epoch || ':' || seq FROM events WHERE lot = 'DR3'")\"" <<< "$req"
check "the ERP got it as a replenishment request, once" \
    grep -q '"type": "replenishment_request", "qty": 3' "$T/erp.jsonl"
check_eq "on hand: 6 - 4 + 1 returned" 3 "$(onhand)"
check "a shelf count resets the estimate" ctl onhand count ERP-CART-07 "$DRAPE" 6 --by stockroom
check "pouctl onhand shows it, with who counted" grep -q "ERP-CART-07 .*$DRAPE  *6 .*stockroom" <<< "$(ctl onhand)"
# A drape scanned twice (same serial): held, it does not move the shelf;
# discarded, it never does; the same serial released later does.
scan "$(item $DRAPE DRS1)${GS}21S-9" "$(item $DRAPE DRS2)${GS}21S-9" \
    "$(item $DRAPE DR6)" "$(item $DRAPE DR7)"
check "the next crossing sends a second request" wait_for 15 replenished_is 2
check_eq "on hand: 6 - 3 (the held one does not count)" 3 "$(onhand)"
xid() { q "SELECT x.id FROM exceptions x JOIN events e ON e.id = x.event_id WHERE e.lot = '$1' AND x.state = 'open'"; }
check "the second scan is held as a duplicate serial" test -n "$(xid DRS2)"
check "discarded" ctl exceptions discard "$(xid DRS2)" "scanned twice" --by n1
sleep 2
check_eq "the shelf stays" 3 "$(onhand)"
scan "$(item $DRAPE DRS3)${GS}21S-9"
held_now() { test -n "$(xid "$1")"; }
check "the serial once more: held" wait_for 10 held_now DRS3
check "released (a second unit with a reused label)" \
    ctl exceptions release "$(xid DRS3)" --by n1
onhand_is() { test "$(onhand)" = "$1"; }
check "moves the shelf when its ERP issue goes out" wait_for 10 onhand_is 2
check_eq "and no third request (one per crossing)" 2 "$(replenished)"

# pouctl refdata.
printf 'di,charge_code,description,price,revenue_code,hcpcs,billable\n%s\n%s\n' \
    "$SCREW,27801234,SCREW,4x2,0278,C1713,yes" "$DRAPE,1,DRAPE,1.00,0272,,maybe" > "$T/bad.csv"
ctl refdata validate chargemaster "$T/bad.csv" > "$T/out" 2>&1
check_eq "validate refuses a bad file" 1 $?
check "naming the price on line 2" grep -q 'bad.csv:2: price is not an amount' "$T/out"
check "and the billable flag on line 3" grep -q 'bad.csv:3: billable is yes or no' "$T/out"
check "import refuses it too" test "$(ctl refdata import chargemaster "$T/bad.csv" >/dev/null 2>&1; echo $?)" = 1
check "the bridge's file is untouched" cmp -s "$T/ref/chargemaster.csv" "$ROOT/configs/chargemaster.csv"
sed "s/^$SCREW,27801234,SCREW CANC 6.5X40MM,412.00,/$SCREW,27801234,SCREW CANC 6.5X40MM,450.00,/" \
    "$ROOT/configs/chargemaster.csv" > "$T/new.csv"
check "validate passes a good file" ctl refdata validate chargemaster "$T/new.csv"
chmod 0644 "$T/ref/chargemaster.csv"	# readable by the bridge's user
check "import puts it in place" ctl refdata import chargemaster "$T/new.csv" --by cdm-team
check_eq "keeping the file's mode" 644 "$(stat -c %a "$T/ref/chargemaster.csv")"
check "as the file the bridge reads" cmp -s "$T/new.csv" "$T/ref/chargemaster.csv"
new=$(sha256sum "$T/new.csv" | cut -c1-12)
loaded_new() { q "SELECT count(*) FROM refdata_log WHERE kind = 'chargemaster' AND what = 'loaded' AND version LIKE '$new%'" | grep -qx 1; }
check "the bridge loads it by itself" wait_for 10 loaded_new
ctl refdata versions > "$T/versions"
check "versions: the new one on disk and loaded, imported by cdm-team" \
    grep -q "^chargemaster  *7 $new  *$new .* $new .* by cdm-team" "$T/versions"
check "versions: every kind configured here" test "$(grep -cE '^(items|contracts|locations|par) ' "$T/versions")" -eq 4
scan "$(item $SCREW SC2)"
check "the next screw is billed" wait_for 15 billed SC2
check_eq "at the new price" 450.00 "$(ft1 SC2 12)"
check "the bridge still runs" kill -0 "$BRIDGE_PID"
summary
