#!/usr/bin/env bash
# A fourth destination, added to the bridge as one row of its destination
# table and one encoder (sync/bridge/dest.c): [export] output = file drops
# each charge as a JSON record for a second billing or analytics system.
# It receives every billable event once, not a non-billable supply, and is
# held with billing: a use without an encounter reaches it only when the
# exception is resolved and released.
set -u
source "$(dirname "$0")/lib.sh"

BILLING_OUTPUT=file
RULE_NO_ENCOUNTER=hold_billing
SCREW=00884521123451
GAUZE=00884521123536
item() { printf ']d201%s1727123110%s' "$1" "$2"; }
exports() { ls "$T/export" 2>/dev/null | grep -c '\.json$'; }
exports_are() { test "$(exports)" -eq "$1"; }
ctl() { "$B/pouctl" -b "$T/bridge.db" exceptions "$@"; }
field() {	# field LOT KEY: KEY of the exported record of lot LOT's event
	local seq
	seq=$(q "SELECT seq FROM events WHERE lot = '$1'")
	$PY -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
	    "$(ls "$T/export"/*_"$seq".json)" "$2"
}

write_bridge_conf
sed -i "s|^\[rules\]|[export]\noutput = file\ndir = $T/export\n[rules]|" "$T/bridge.conf"
start_broker
start_bridge
start_agent
scan 'USER:N1' 'CASE:C1' 'MRN:100234' 'ENC:V1'
scan "$(item $SCREW X1)" "$(item $GAUZE X2)"
scan 'POU:RETURN' "$(item $SCREW X3)"
check "three events acked" wait_for 15 acked_all 3
check "the export gets the charge and the credit" wait_for 15 exports_are 2
check_eq "as its identity, the key billing dedups on too" \
    "cart-07:$(sql "$T/agent.db" 'SELECT epoch FROM state'):1" "$(field X1 idempotency_key)"
check_eq "a charge at the chargemaster's price" "charge 41200" \
    "$(field X1 type) $(field X1 amount_cents)"
check_eq "the return a credit" "credit -41200" "$(field X3 type) $(field X3 amount_cents)"
check_eq "gauze (billable = no) is not exported but goes to the ERP" "0 1" \
    "$(ls "$T/export" | grep -c "_2.json") $(ls "$T/erp" | grep -c "_2.json")"

# Held with billing.
scan 'CASE:C2' 'MRN:100235' "$(item $SCREW X4)"
check "a use without an encounter is acked" wait_for 15 acked_all 4
held() { test -n "$(q "SELECT id FROM exceptions WHERE rule = 'no_encounter' AND state = 'open'")"; }
check "and waits in the exception queue" wait_for 10 held
sleep 1
check_eq "the export holds it, as billing does" 2 "$(exports)"
check_eq "the ERP does not (the rule holds billing only)" 4 "$(ls "$T/erp" | grep -c '\.json$')"
id=$(q "SELECT id FROM exceptions WHERE rule = 'no_encounter'")
ctl resolve "$id" encounter=V2 --by alice > /dev/null
ctl release "$id" --by alice > /dev/null
check "released, it reaches the export" wait_for 15 exports_are 3
check_eq "with the encounter supplied" V2 "$($PY -c 'import json, sys
print(json.load(open(sys.argv[1]))["patient"]["encounter"])' "$(ls "$T/export"/*_4.json)")"
billed4() { ls "$T/billing"/*_4.hl7 > /dev/null 2>&1; }
check "and billing" wait_for 10 billed4
check "the outboxes settle" wait_for 15 outbox_settled
check_eq "one export row per billable event, each done once" "3|3" \
    "$(q "SELECT count(*), sum(attempts) FROM outbox WHERE dest = 'export' AND state = 'done'")"
# What holds MRNs and encounters is not for the world: the stores, their
# WALs, the cart's state file, the drops of billing, ERP and export.
phi=$(find "$T" -type f \( -name '*.db' -o -name '*.db-wal' -o -name '*.db-shm' \
    -o -name agent.state -o -path "$T/billing/*" -o -path "$T/erp/*" \
    -o -path "$T/export/*" \) -perm /o=rwx)
check "no file holding patient data is world-readable" test -z "$phi"
[ -z "$phi" ] || printf '#   %s\n' $phi
check "and there were such files to look at" test "$(find "$T" -name '*.db' | wc -l)" -ge 2
summary
