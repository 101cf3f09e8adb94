#!/usr/bin/env bash
# make demo: the whole pipeline on loopback with the simulated scanner.
# An OR case is scanned, the broker goes down mid-case and comes back, an
# implant is scanned without its lot label, and what billing (a python3-hl7
# MLLP receiver) and the ERP (a file drop) received, the bridge's exception
# queue and the day's reconciliation are printed. Everything started here
# is stopped by its PID.
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
wait_for 30 billing_has 5
say "An implant scanned without its lot label"
scan ']d20100884521123451'
wait_for 10 recorded_is 6
wait_for 10 unacked_is 0 && echo "recorded with a warning; the bridge holds it"

say "What billing received (HL7 v2.5.1 DFT^P03 over MLLP)"
$PY - "$T/billing.jsonl" <<'PY'
import json, sys
print("%-4s %-44s %-10s %-28s %4s" % ("ACK", "FT1-2 event identity", "FT1-7",
      "description", "qty"))
for line in open(sys.argv[1]):
    r = json.loads(line)
    ft1 = [s for s in r["msg"].split("\r") if s.startswith("FT1|")][0].split("|")
    code, desc = (ft1[7].split("^") + ["", ""])[:2]
    print("%-4s %-44s %-10s %-28s %4s" % (r["ack"], ft1[2], code, desc[:28], ft1[10]))
print("\nthe first message in full:")
print(json.loads(open(sys.argv[1]).readline())["msg"].replace("\r", "\n"))
PY

say "What the ERP received (inventory-issue records, one file each)"
for f in "$T"/erp/*.json; do
	$PY -c 'import json,sys; r=json.load(open(sys.argv[1]))
i=r["item"]; print("%-44s %s lot=%-8s serial=%-8s expiry=%s" % (r["idempotency_key"],
 i["di"], i["lot"] or "-", i["serial"] or "-", i["expiry"]))' "$f"
done

say "pouctl status on the cart"
"$B/pouctl" -c "$T/agent.conf" status

say "The bridge's exception queue (pouctl exceptions)"
"$B/pouctl" -b "$T/bridge.db" exceptions

say "The day's reconciliation (pouctl report)"
"$B/pouctl" -b "$T/bridge.db" report "$(date -u +%F)"

say "The cart's log"
grep -E 'board:|mqtt|resend' "$T/agent.log" | sed 's/^/  /'
echo
echo "Stopping everything this demo started."
