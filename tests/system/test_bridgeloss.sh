#!/usr/bin/env bash
# The bridge's database went back in time: its -wal truncated after a
# kill -9. Events it had acked (and billed) are gone from it. The cart,
# acked beyond what the bridge now holds, sends them again from its store;
# the two it no longer holds are named gone and counted as lost, on both
# sides; billing and the ERP, which acknowledged the rest already, are not
# sent them again (the outboxes' ledger); and the cart is acked again.
set -u
source "$(dirname "$0")/lib.sh"

ERP_OUTPUT=file
item() { printf ']d201008845211234511727063010%s' "$1"; }
scans() { local i; for i in "$@"; do scan "$(item "$i")"; done; }
held() { q 'SELECT count(*) FROM events'; }
held_is() { test "$(held)" -eq "$1"; }
contig_is() { test "$(q 'SELECT contig_upto FROM devices')" -eq "$1"; }

start_broker
start_receiver || { not_ok "receiver starts"; summary; exit 1; }
start_bridge
start_agent
scans B1 B2 B3 B4 B5
check "five acked" wait_for 15 acked_all 5
check "and billed" wait_for 15 billing_has 5
q 'PRAGMA wal_checkpoint(TRUNCATE)' > /dev/null	# 1..5 in the main file
scans B6 B7 B8 B9 B10
check "five more acked" wait_for 15 acked_all 10
check "and billed" wait_for 15 billing_has 10
check "the outboxes are done" wait_for 15 outbox_settled
stop_pid "$BRIDGE_PID" KILL
truncate -s 0 "$T/bridge.db-wal"
# Retention took 6 and 7 off the cart already (acked, old enough).
sql "$T/agent.db" 'DELETE FROM events WHERE seq IN (6, 7)'
start_bridge
check "the bridge holds only what the main file had" wait_for 10 \
    logged "$T/bridge.log" 'connecting -> online'

check "the cart sees the bridge lost what it had acked" wait_for 15 \
    logged "$T/agent.log" 'the bridge acks up to 5 but had acked 10'
check "and names what it no longer holds itself" wait_for 15 \
    logged "$T/agent.log" 'seqs 6..7, which the bridge lost, are no longer in this store either'
check "the bridge holds the ones sent again" wait_for 15 held_is 8
check "its prefix passes the gap" wait_for 10 contig_is 10
check_eq "the gap is recorded with the two lost" "6|7|2" \
    "$(q 'SELECT first, last, lost FROM gaps')"
check "the bridge's alarms: lost events and its own rollback" test "$(q \
    "SELECT group_concat(kind) FROM (SELECT kind FROM alarms ORDER BY kind)")" == "db_rolled_back,events_lost"
check "the bridge says it went back" logged "$T/bridge.log" \
    'was acked up to 10 but this database holds up to 5'
check "the cart's retained alarm" test "$(sql "$T/agent.db" \
    "SELECT json_extract(detail, '$.gone') FROM alarms WHERE kind = 'bridge_lost'")" -eq 2
"$B/pouctl" -b "$T/bridge.db" alarms > "$T/alarms.txt" 2>&1
check "pouctl alarms shows them" grep -q 'events_lost .*cart-07' "$T/alarms.txt"

check "the outboxes settle" wait_for 15 outbox_settled
check_eq "billing was not sent the three it had acknowledged" 10 "$(billing_count)"
check_eq "their deliveries are done from the ledger" 3 \
    "$(q "SELECT count(*) FROM outbox WHERE dest = 'billing' AND answer = 'acknowledged before (ledger)'")"
check_eq "the ERP neither" 3 \
    "$(q "SELECT count(*) FROM outbox WHERE dest = 'erp' AND answer = 'acknowledged before (ledger)'")"
scans B11
check "the cart is acked again" wait_for 15 acked_all 11
check "a new scan is billed once" wait_for 15 billing_has 11
sleep 1
check_eq "billing holds each event once" "11 11" "$(billing_count) $(billing_distinct_ft1)"
day=$(date -u +%F)
"$B/pouctl" -b "$T/bridge.db" report "$day" > "$T/report.txt" 2>&1
check "the report counts the deliveries the ledger settled" \
    grep -q 'billing  *from_ledger  *3' "$T/report.txt"
summary
