#!/usr/bin/env bash
# The ERP's nightly batch files: [erp] output = csv. The bridge runs under
# libfaketime 20 s before midnight (UTC). Records go to the day's
# erp-YYYYMMDD.csv.part, one CSV line each (a lot holding a comma and a
# quote comes back intact); when the day is over the file becomes .csv by
# itself and the next record starts the new day's file. After a SIGKILL, a
# record the bridge wrote but had not marked done is not written again, and
# a line cut short is cut off and written whole.
set -u
source "$(dirname "$0")/lib.sh"

BILLING_OUTPUT=none
ERP_OUTPUT=csv
ASSEMBLY_WINDOW_MS=0
item() { printf ']d201008845211235051727063010%s' "$1"; }
now=$(date -u +%s)
midnight=$(( (now / 86400 + 1) * 86400 ))
OFFSET=$(( midnight - 20 - now ))
DAY1=$(date -u -d "@$((midnight - 20))" +%Y%m%d)
DAY2=$(date -u -d "@$midnight" +%Y%m%d)
fake_bridge() {
	[ -f "$T/bridge.conf" ] || write_bridge_conf
	FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME="+${OFFSET}s" \
	    LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 \
	    "$B/pou-bridge" -c "$T/bridge.conf" >> "$T/bridge.log" 2>&1 &
	BRIDGE_PID=$!
	PIDS+=("$BRIDGE_PID")
}
lines() { grep -c . "$1" 2>/dev/null || echo 0; }
lines_are() { test "$(lines "$1")" -eq "$2"; }
settled() { test "$(q "SELECT count(*) FROM outbox WHERE state <> 'done'")" -eq 0 &&
	test "$(q "SELECT count(*) FROM outbox")" -eq "$1"; }
# The records of every file, checked as CSV: "key|lot" per line.
records() { cat "$T"/erp/erp-*.csv* | $PY -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
bad = [r for r in rows if len(r) != 22]
for r in rows:
    if r[0] != "idempotency_key" and not bad:
        print(r[0].split(":")[2] + "|" + r[6])
if bad:
    print("BAD", bad)'; }

start_broker
fake_bridge
start_agent
scan 'CASE:C1' 'ENC:V1' "$(item LOTA1)" "$(item 'Q"1,2')"
check "two records written" wait_for 15 settled 2
if ! check_eq "into the day's part file, under a header" 3 "$(lines "$T/erp/erp-$DAY1.csv.part")"; then
	# It has failed twice under the full make check, never alone: say
	# where the lines went (and when, by the faked clock) next time.
	echo "# DAY1 $DAY1, faked now $(date -u -d "@$(($(date -u +%s) + OFFSET))" +%FT%TZ)"
	for f in "$T"/erp/*; do echo "# $f:"; sed 's/^/#   /' "$f"; done
	grep -E 'erp|csv' "$T/bridge.log" | tail -5 | sed 's/^/#   /'
fi
check "the file is finished when the day is over" wait_for 40 test -f "$T/erp/erp-$DAY1.csv"
check "and the part file is gone" test ! -e "$T/erp/erp-$DAY1.csv.part"
scan "$(item LOTA3)"
check "the next record" wait_for 15 settled 3
check_eq "starts the new day's file" 2 "$(lines "$T/erp/erp-$DAY2.csv.part")"

# The crash window: written, not marked done.
kill -9 "$BRIDGE_PID"; wait "$BRIDGE_PID" 2>/dev/null
q "UPDATE outbox SET state = 'pending', next_ms = 0 WHERE id = (SELECT max(id) FROM outbox)"
fake_bridge
check "the record in flight is done again" wait_for 15 settled 3
check_eq "without a second line" 2 "$(lines "$T/erp/erp-$DAY2.csv.part")"
# A line cut short by a crash.
kill -9 "$BRIDGE_PID"; wait "$BRIDGE_PID" 2>/dev/null
printf 'cart-07:cut:99,inventory_iss' >> "$T/erp/erp-$DAY2.csv.part"
fake_bridge
scan "$(item LOTA4)"
check "after a cut line, the next record" wait_for 15 settled 4
check_eq "every record once, each line whole, the comma and quote kept" \
    '1|LOTA1 2|Q"1,2 3|LOTA3 4|LOTA4' "$(records | xargs -d '\n')"
summary
