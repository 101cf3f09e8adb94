#!/usr/bin/env bash
# USB HID POS scanners on the real libusb under umockdev: a Honeywell
# (AIM id at byte 2) and a Zebra-layout scanner (one byte later, found by
# the auto layout) deliver single- and multi-report barcodes, a transfer
# error and an unplug; checked in the agent's store and log.
set -u
source "$(dirname "$0")/lib.sh"

gen() { $PY "$ROOT/tests/drivers/usb_scanner.py" "$@"; }
by() { sql "$T/agent.db" "SELECT $2 FROM events WHERE source = '$1' ORDER BY seq LIMIT 1 OFFSET $3"; }
count() { sql "$T/agent.db" "SELECT count(*) FROM events WHERE source = '$1'"; }
has_events() { test "$(count "$1")" -ge "$2"; }

LONG_LOT=LONGLOT0123456789ABC			# 20 characters
LONG_REF=REF-0123456789-ABCDEFGHIJKLMNO	# 30: the barcode needs 2 reports
cat > "$T/hw.script" <<SCRIPT
enable
report ]d2 01008845211234511727063010LOT1
report ]C1 01008845211234681727063010$LONG_LOT\\x1d240$LONG_REF
error
report ]d2 01008845211234751727063010LOT3
unplug
SCRIPT
cat > "$T/zebra.script" <<SCRIPT
report ]E0 4012345678901
report ]d2 01008845211234821727063010Z2
unplug
SCRIPT
cat > "$T/cart.script" <<SCRIPT
report ]C0 USER:N9
report ]C0 CASE:C-USB
report ]C0 POU:WASTE
report ]d2 01008845211234511727063010LOTW
report ]C0 POU:QTY:2
report ]d2 01008845211235051727063010LOTQ
unplug
SCRIPT
gen "$T/hw" 1 2 0c2e 0b87 honeywell "$T/hw.script"
gen "$T/cart" 1 4 0c2e 0b87 honeywell "$T/cart.script"
gen "$T/zebra" 1 3 05e0 1300 shifted "$T/zebra.script"
check "the long barcode takes two reports" \
    test "$(grep -c '^USBDEVFS_REAPURBNDELAY 0 1 129 0' "$T/hw.ioctl")" -eq 4

# run_agent NAME BUS/DEV SECTION...: the agent under umockdev with one
# scanner (umockdev 0.17 asserts when two usbdevfs devices have URBs in
# flight in one process), until its events are in; stopped by its PID.
run_agent() {
	local name=$1 node=$2 want=$3
	shift 3
	agent_conf "$T/$name.conf" cart-usb "$@"
	rm -f "$T/agent.pid"
	umockdev-run --device "$T/$name.umockdev" \
	    --ioctl "/dev/bus/usb/$node=$T/$name.ioctl" -- \
	    sh -c 'echo $$ > "$1/agent.pid"; exec "$2" -c "$3"' sh "$T" \
	    "$B/pou-agent" "$T/$name.conf" >> "$T/agent.log" 2>&1 &
	PIDS+=($!)
	wait_for 10 test -s "$T/agent.pid"
	AGENT_PID=$(cat "$T/agent.pid")
	wait_for 10 "$want"
	local rc=$?
	stop_pid "$AGENT_PID"
	return $rc
}

found_again() { test "$(grep -c 'hidpos0: scanner 0c2e:0b87 open' "$T/agent.log")" -ge 2; }
hw_done() { has_events hidpos0 3 && found_again; }
zebra_done() { has_events hidpos1 2; }
check "Honeywell barcodes reach the store, and the scanner comes back" \
    run_agent hw 001/002 hw_done '[driver.hidpos0]' 'devices = 0c2e:0b87' \
    'layout = honeywell'
check "Zebra-layout barcodes reach the store" \
    run_agent zebra 001/003 zebra_done '[driver.hidpos1]' \
    'devices = 05e0:1300' 'layout = auto'

cart_done() { has_events hidpos2 2; }
check "a cart session through a USB scanner: badge, case, commands, items" \
    run_agent cart 001/004 cart_done '[driver.hidpos2]' 'devices = 0c2e:0b87' \
    'layout = honeywell'
check_eq "the waste, by N9 in C-USB" "waste|1|N9|C-USB|LOTW" \
    "$(by hidpos2 "kind || '|' || qty || '|' || user_id || '|' || case_id || '|' || lot" 0)"
check_eq "the quantity of 2" "use|2|N9|C-USB|LOTQ" \
    "$(by hidpos2 "kind || '|' || qty || '|' || user_id || '|' || case_id || '|' || lot" 1)"

check_eq "Honeywell single report: GTIN" 00884521123451 "$(by hidpos0 di 0)"
check_eq "with its AIM id first in raw" "]d2" "$(by hidpos0 'substr(raw,1,3)' 0)"
check_eq "multi-report barcode: lot" "$LONG_LOT" "$(by hidpos0 lot 1)"
check_eq "multi-report barcode: whole, 83 bytes" 83 "$(by hidpos0 'length(raw)' 1)"
check_eq "multi-report barcode: AIM id" "]C1" "$(by hidpos0 'substr(raw,1,3)' 1)"
check_eq "the barcode after a transfer error" LOT3 "$(by hidpos0 lot 2)"
check "the transfer error is logged" \
    logged "$T/agent.log" 'hidpos0: transfer failed: LIBUSB_TRANSFER_ERROR'
check "the unplug is logged" logged "$T/agent.log" 'hidpos0: scanner unplugged'
check_eq "Zebra layout: EAN-13 as GTIN-14" 04012345678901 "$(by hidpos1 di 0)"
check_eq "Zebra layout: AIM id found one byte later" "]E0" \
    "$(by hidpos1 'substr(raw,1,3)' 0)"
check_eq "Zebra layout: DataMatrix lot" Z2 "$(by hidpos1 lot 1)"
check_eq "nothing was refused" 0 "$(grep -c 'scan refused' "$T/agent.log")"
summary
