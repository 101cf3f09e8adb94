#!/usr/bin/env bash
# The nfc driver on the real libnfc (pn532_uart) talking to a PN532
# emulator on a pty: a badge held on the reader is one badge, presented
# again it counts again, and the reader vanishing and coming back is
# survived. Badges become the user of the events recorded after them.
set -u
source "$(dirname "$0")/lib.sh"

badges() { grep -c 'board: CONTEXT user' "$T/agent.log"; }
badges_are() { test "$(badges)" -eq "$1"; }
card() { echo "$*" > "$T/reader.ctl"; }

card none
$PY "$ROOT/tests/drivers/pn532_emu.py" "$T/pn532" "$T/reader.ctl" \
    > "$T/emu.log" 2>&1 &
PIDS+=($!)
wait_for 10 logged "$T/emu.log" ready
agent_conf "$T/agent.conf" cart-nfc '[driver.nfc0]' \
    "device = pn532_uart:$T/pn532" 'poll_ms = 100' 'gone_ms = 600' \
    '[driver.sim0]' "path = $T/scan.fifo"
export LIBNFC_AUTO_SCAN=false LIBNFC_INTRUSIVE_SCAN=false
"$B/pou-agent" -c "$T/agent.conf" > "$T/agent.log" 2>&1 &
AGENT_PID=$!
PIDS+=($AGENT_PID)
check "libnfc opens the emulated PN532" wait_for 10 logged "$T/agent.log" 'nfc0: reader'
wait_for 10 test -p "$T/scan.fifo"

card card 04a1b2c3
check "a badge reaches the pipeline as the user" \
    wait_for 5 logged "$T/agent.log" 'board: CONTEXT user 04A1B2C3'
sleep 1.5	# held on the reader: polled fifteen times
check_eq "held on the reader, it counts once" 1 "$(badges)"
scan ']d201008845211234511727063010LOT1'
card none
sleep 1
card card 04a1b2c3
check "presented again, it counts again" wait_for 5 badges_are 2
card card 04112233445566
check "a 7-byte UID badge" wait_for 5 \
    logged "$T/agent.log" 'board: CONTEXT user 04112233445566'
scan ']d201008845211234681727063010LOT2'
card vanish
check "the reader vanishing is logged" wait_for 10 \
    logged "$T/agent.log" 'nfc0: reader lost'
card card 04DEADBE
check "the reader comes back and reads badges" wait_for 15 \
    logged "$T/agent.log" 'board: CONTEXT user 04DEADBE'
scan ']d201008845211234751727063010LOT3'
check "three items recorded" wait_for 5 recorded_is 3

# An item tag: NDEF URI record with a GS1 Digital Link.
ndef() {	# ndef URI-CODE TEXT: the data area of a Type 2 tag
	$PY -c 'import sys
code, text = int(sys.argv[1]), sys.argv[2].encode()
rec = bytes([0xD1, 1, len(text) + 1]) + b"U" + bytes([code]) + text
print((bytes([3, len(rec)]) + rec + b"\xfe").hex())' "$@"
}
card tag 04AABBCCDDEEFF "$(ndef 4 id.example.org/01/00884521123482/10/TAG7?17=270630)"
check "a tag's Digital Link is an item" wait_for 5 recorded_is 4
stop_pid "$AGENT_PID"
"$B/pouctl" -c "$T/agent.conf" status > "$T/status"
check "pouctl status: the reader is open again" grep -q '^  nfc0 *open for' "$T/status"
check "pouctl status: the reader counted four badge reads and a tag" \
    grep -q '^  nfc0 *open for .*; 5 scans, last .* ago; longest handler' \
    "$T/status"
check "pouctl status: the sim driver counted its three scans" \
    grep -q '^  sim0 *open for .*; 3 scans, last' "$T/status"
check_eq "the first item's user is the first badge" 04A1B2C3 \
    "$(sql "$T/agent.db" 'SELECT user_id FROM events WHERE seq = 1')"
check_eq "the second item's user is the 7-byte badge" 04112233445566 \
    "$(sql "$T/agent.db" 'SELECT user_id FROM events WHERE seq = 2')"
check_eq "after the reader came back" 04DEADBE \
    "$(sql "$T/agent.db" 'SELECT user_id FROM events WHERE seq = 3')"
check_eq "the tag's item: GTIN, lot, expiry, source" \
    "00884521123482|TAG7|2027-06-30|nfc0" \
    "$(sql "$T/agent.db" "SELECT di || '|' || lot || '|' || expiry || '|' || source FROM events WHERE seq = 4")"
summary
