#!/usr/bin/env bash
# make demo: the whole pipeline on loopback with the simulated scanner.
# An OR case is scanned, the broker goes down mid-case and comes back, an
# implant is scanned without its lot label, the cart's drapes run down to
# their reorder point, and what billing (a python3-hl7 MLLP receiver) and
# the ERP (a file drop) received, the bridge's exception queue and the day's
# reconciliation are printed. The bridge has the sample reference data in
# configs/ (item master, chargemaster, contract prices, locations, PAR
# levels). Everything started here is stopped by its PID.
set -u
source "$(dirname "$0")/lib.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
item() {	# GTIN lot serial expiry(YYMMDD): a GS1 DataMatrix as the scanner sends it
	printf ']d201%s17%s' "$1" "$4"
	[ -n "$2" ] && printf '10%s\\x1d' "$2"
	[ -n "$3" ] && printf '21%s' "$3"
	return 0
}

say "Starting mosquitto (port $BROKER_PORT), the billing receiver, pou-bridge, pou-agent"
start_broker || { echo "mosquitto did not start"; exit 1; }
start_receiver || { echo "the HL7 receiver did not start"; exit 1; }
ITEMS=$ROOT/configs/items.csv CONTRACTS=$ROOT/configs/contracts.csv
PAR=$ROOT/configs/par.csv LOCATIONS=$ROOT/configs/locations.csv
start_bridge
write_agent_conf
printf '[reference]\ncatalog = %s\nrecalls = %s\n' "$ROOT/configs/catalog.csv" \
    "$ROOT/configs/recalls.csv" >> "$T/agent.conf"
start_agent
echo "work dir: $T"

say "OR 07: case C-2026-1187, patient wristband, encounter"
scan 'CASE:C-2026-1187' 'MRN:100234' 'ENC:V778899'
say "Implants and supplies used (GS1 DataMatrix with lot and serial)"
scan "$(item 00884521123451 LOT4711 SN000123 270630)" \
    "$(item 00884521123468 P-3391 SN88120 280200)" \
    "$(item 00884521123475 A55-09 '' 271231)"
say "The broker is stopped: the Wi-Fi in OR 07 is down"
stop_broker
scan "$(item 00884521123499 ST-2231 SN0042 270101)" \
    "$(item 00884521123505 '' '' 291231)"
echo "two more scans recorded locally; unacked on the cart: $(agent_unacked)"
sleep 3
say "The broker is back"
start_broker
wait_for 30 unacked_is 0 && echo "the cart's store is drained: nothing unacked"
say "Two more drapes: the cart's shelf (PAR 6, reorder at 3) runs down"
scan "$(item 00884521123505 '' '' 291231)" "$(item 00884521123505 '' '' 291231)"
wait_for 30 billing_has 7
say "An implant scanned without its lot label"
scan ']d20100884521123451'
wait_for 10 recorded_is 8
wait_for 10 unacked_is 0 && echo "recorded with a warning; the bridge holds it"

say "What billing received (HL7 v2.5.1 DFT^P03 over MLLP)"
$PY - "$T/billing.jsonl" <<'PY'
import json, sys
print("%-4s %-44s %-9s %-26s %3s %8s %8s %s" % ("ACK", "FT1-2 event identity",
      "FT1-7", "description", "qty", "FT1-12", "FT1-22", "FT1-25"))
for line in open(sys.argv[1]):
    r = json.loads(line)
    ft1 = [s for s in r["msg"].split("\r") if s.startswith("FT1|")][0].split("|")
    ft1 += [""] * (26 - len(ft1))
    code, desc = (ft1[7].split("^") + ["", ""])[:2]
    print("%-4s %-44s %-9s %-26s %3s %8s %8s %s" % (r["ack"], ft1[2], code,
          desc[:26], ft1[10], ft1[12], ft1[22], ft1[25].split("^")[0]))
print("\nthe first message in full:")
print(json.loads(open(sys.argv[1]).readline())["msg"].replace("\r", "\n"))
PY

say "What the ERP received (one JSON record each, file drop)"
for f in "$T"/erp/*.json; do
	$PY -c 'import json,sys; r=json.load(open(sys.argv[1]))
if r["type"] == "replenishment_request":
    print("%-21s %-56s %s: %d to bring %s back to PAR %d" % (r["type"],
          r["idempotency_key"], r["erp_location"], r["qty"], r["item_id"], r["par_level"]))
else:
    i = r["item"]
    print("%-21s %-44s item %-6s lot %-8s serial %-8s %-10s cost %s" % (r["type"],
          r["idempotency_key"], r.get("item_id", "-"), i["lot"] or "-", i["serial"] or "-",
          r.get("vendor", "-"), r.get("unit_cost_cents", "-")))' "$f"
done

say "pouctl status on the cart"
"$B/pouctl" -c "$T/agent.conf" status

say "The bridge's exception queue (pouctl exceptions)"
"$B/pouctl" -b "$T/bridge.db" exceptions

say "The PAR estimates (pouctl onhand)"
"$B/pouctl" -b "$T/bridge.db" onhand

say "The day's reconciliation (pouctl report)"
"$B/pouctl" -b "$T/bridge.db" report "$(date -u +%F)"

say "The cart's log"
grep -E 'board:|mqtt|resend' "$T/agent.log" | sed 's/^/  /'
echo
echo "Stopping everything this demo started."
