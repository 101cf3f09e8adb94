#!/usr/bin/env bash
# Time you can trust: a cart whose wall clock says 2001 (libfaketime; its
# CLOCK_BOOTTIME is the real one) records three uses. The bridge learns that
# boot's offset from the batch's sent clocks and bills the real time, marked
# "corrected"; the cart's own `at` is kept. With a good clock: "ok". Events
# of a boot the bridge never saw keep their `at`: "unverified", or "wrong"
# when `at` is impossible.
set -u
source "$(dirname "$0")/lib.sh"

BILLING_OUTPUT=file
item() { printf ']d201008845211234511727063010CLK%s' "$1"; }
quality() { q "SELECT group_concat(time_quality, ' ') FROM (SELECT time_quality FROM events WHERE device = '$1' ORDER BY seq)"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

start_broker
start_bridge
write_agent_conf
FAKETIME_DONT_FAKE_MONOTONIC=1 LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 \
    FAKETIME='@2001-01-01 00:00:00' "$B/pou-agent" -c "$T/agent.conf" >> "$T/agent.log" 2>&1 &
AGENT_PID=$!
PIDS+=("$AGENT_PID")
wait_for 10 test -p "$T/scan.fifo"
scan "$(item 1)" "$(item 2)" "$(item 3)"
check "three uses recorded" wait_for 15 recorded_is 3
check "and acked" wait_for 15 unacked_is 0
at=$(q "SELECT max(at_ms) FROM events")
check "the cart's clock said 2001 (at $at)" test "$at" -lt 1010000000000
check_eq "each is corrected" "corrected corrected corrected" "$(quality cart-07)"
skew=$(q "SELECT max(abs(at_fixed_ms - received_ms)) FROM events")
check "to within 60 s of when the bridge received it (off by $skew ms)" \
    test "$skew" -lt 60000
billed() { test "$(cat "$T"/billing/*.hl7 2>/dev/null | tr '\r' '\n' | grep -c "^FT1|1|[^|]*||$(date -u +%Y)")" -eq 3; }
check "FT1-4 of all three bills this year, not 2001" wait_for 10 billed
erp_fixed() { test "$(grep -l "\"time_quality\":\"corrected\",\"type\":\"inventory_issue\",\"used_at\":\"$(date -u +%Y)" "$T"/erp/*.json 2>/dev/null | wc -l)" -eq 3; }
check "the ERP gets the corrected time and its quality" wait_for 10 erp_fixed
stop_pid "$AGENT_PID" TERM

start_agent
scan "$(item 4)"
check "with a good clock, recorded" wait_for 15 recorded_is 4
check "and acked" wait_for 15 unacked_is 0
check_eq "the fourth is ok" "corrected corrected corrected ok" \
    "$(quality cart-07)"

# A batch without sent clocks from a boot the bridge never saw.
ev() {	# ev SEQ AT
	printf '{"seq":%s,"at":%s,"boot":"b-unseen","mono_ms":5,"kind":"use","qty":1,' "$1" "$2"
	printf '"item":{"scheme":"gs1","di":"00884521123451","lot":"L","serial":"","expiry":"","mfg":"","raw":"]d20100884521123451"},'
	printf '"case":"","patient":{"mrn":"","encounter":""},"user":"","location":{"site":"or-west","room":"","unit":""},"flags":[],"source":"sim0"}'
}
mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t pou/v1/or-west/cart-x/events \
    -m "{\"v\":1,\"epoch\":\"ex\",\"events\":[$(ev 1 "$(now_ms)"),$(ev 2 978307200000),$(ev 3 $(($(now_ms) + 86400000)))]}"
stored_x() { test "$(q "SELECT count(*) FROM events WHERE device = 'cart-x'")" -eq 3; }
check "the unseen boot's batch is stored" wait_for 10 stored_x
check_eq "unverified, then wrong (2001), wrong (tomorrow)" \
    "unverified wrong wrong" "$(quality cart-x)"
check_eq "and their at is kept" 978307200000 \
    "$(q "SELECT at_fixed_ms FROM events WHERE device = 'cart-x' AND seq = 2")"
summary
