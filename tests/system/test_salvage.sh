#!/usr/bin/env bash
# A damaged store at start: a torn page, a truncated file, a file that is
# no database, a WAL with a garbage header, a garbage shm. Each device
# records 60 events the bridge acks, then 60 it does not (the bridge is
# down), is SIGKILLed, and its files are damaged. On restart the agent runs:
# the damaged files are moved aside (never deleted), the unacked rows it
# can read go up under their old identity, a new epoch starts, and a
# retained alarm carries the counts. The bridge then holds each old event
# at most once, exactly the acked ones plus the salvaged ones.
set -u
source "$(dirname "$0")/lib.sh"

BILLING_OUTPUT=file
N=60
item() { printf ']d201008845211234511727063010%s%03d' "$1" "$2"; }
db() { echo "$T/$1.db"; }
state() { sql "$(db "$1")" "SELECT $2 FROM state"; }
state_is() { test "$(state "$1" "$2")" = "$3"; }
held() {	# held DEVICE [EPOCH]: events the bridge stores for it
	sql "$T/bridge.db" "SELECT count(*) FROM events WHERE device = 'cart-$1'${2:+ AND epoch = '$2'}"
}
salvage_empty() { test "$(sql "$(db "$1")" 'SELECT count(*) FROM salvage')" -eq 0; }
held_is() { test "$(held "$1" "${3:-}")" -eq "$2"; }
bridge_up() { start_bridge; wait_for 10 logged "$T/bridge.log" 'connecting -> online'; }

run_agent() {	# run_agent V: the agent of device cart-V on store V.db
	DEVICE=cart-$1 write_agent_conf
	sed -i "s|^path = $T/agent.db|path = $(db "$1")|" "$T/agent.conf"
	rm -f "$T/scan.fifo"
	start_agent
}

scan_range() {	# scan_range V FROM TO
	local i
	for ((i = $2; i <= $3; i++)); do
		scan "$(item "$1" "$i")"
	done
}

# prepare V: 60 acked, then 60 unacked, then kill -9; the epoch in E.
prepare() {
	bridge_up
	run_agent "$1"
	scan_range "$1" 1 $N
	wait_for 20 state_is "$1" acked_upto $N
	stop_pid "$BRIDGE_PID" TERM
	scan_range "$1" $((N + 1)) $((2 * N))
	wait_for 10 state_is "$1" last_seq $((2 * N))
	E=$(state "$1" epoch)
	stop_pid "$AGENT_PID" KILL
}

checkpoint() { sqlite3 "$(db "$1")" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null; }
page_of_last() {	# the page holding the last event row (dbstat)
	sqlite3 "$(db "$1")" "SELECT max(pageno) FROM dbstat WHERE name = 'events'"
}
alarm_field() {	# the retained alarm's field for device V
	mosquitto_sub -p "$BROKER_PORT" -t "pou/v1/or-west/cart-$1/alarm" -C 1 \
	    -W 5 | $PY -c 'import json,sys; a=[x for x in json.load(sys.stdin)["alarms"] if x["kind"]=="store_salvaged"]; print(a[0][sys.argv[1]] if a else "none")' "$2"
}

# after V: restart; what must hold for every damaged store.
after() {
	local v=$1 aside salvaged unreadable invalid
	bridge_up
	run_agent "$v"
	check "$v: the agent runs on a damaged store" kill -0 "$AGENT_PID"
	check "$v: the damaged files are moved aside" \
	    test -e "$(ls -d "$(db "$v")".damaged-* 2>/dev/null | head -1)"
	check "$v: a new epoch" test "$(state "$v" epoch)" != "$E"
	check "$v: the mark file went aside with the store: no rollback alarm" \
	    test "$(sqlite3 "$(db "$v")" "SELECT count(*) FROM alarms WHERE kind = 'store_rolled_back'")" -eq 0
	check_eq "$v: the retained alarm names the old epoch" "$2" \
	    "$(alarm_field "$v" old_epoch)"
	salvaged=$(alarm_field "$v" salvaged)
	unreadable=$(alarm_field "$v" unreadable)
	invalid=$(alarm_field "$v" invalid)
	check "$v: the salvage is sent and released" wait_for 20 \
	    salvage_empty "$v"
	check_eq "$v: the bridge holds the acked ones and the salvaged ones" \
	    $((N + salvaged)) "$(held "$v" "$E")"
	[ "$unreadable" = -1 ] ||
	    check_eq "$v: salvaged + unreadable + not sendable = the unacked ones" \
	    $N $((salvaged + unreadable + invalid))
	scan "$(item "$v" 999)"
	check "$v: new scans flow in the new epoch" wait_for 10 state_is "$v" \
	    acked_upto 1
	stop_pid "$AGENT_PID" TERM
	stop_pid "$BRIDGE_PID" TERM
	SALVAGED=$salvaged
}

start_broker

# A torn page among the unacked rows.
prepare torn
checkpoint torn
dd if=/dev/urandom of="$(db torn)" bs="$(sqlite3 "$(db torn)" 'PRAGMA page_size')" \
    count=1 conv=notrunc seek=$(($(page_of_last torn) - 2)) status=none
after torn "$E"
check "torn: most unacked rows are salvaged" test "$SALVAGED" -ge $((N / 2))

# A file cut short.
prepare cut
checkpoint cut
truncate -s $(($(stat -c %s "$(db cut)") * 3 / 4)) "$(db cut)"
after cut "$E"

# A WAL whose header is garbage: its commits are gone, and the alarm says so.
prepare wal
dd if=/dev/urandom of="$(db wal)-wal" bs=32 count=1 conv=notrunc status=none
after wal ""
check "wal: the alarm says the WAL's commits are lost" \
    test "$(alarm_field wal wal_lost)" = True

# A file that is no database at all.
prepare notadb
checkpoint notadb
dd if=/dev/urandom of="$(db notadb)" bs=100 count=1 conv=notrunc status=none
after notadb ""

# A garbage shm is only an index: SQLite rebuilds it, nothing is lost.
prepare shm
dd if=/dev/urandom of="$(db shm)-shm" bs=32768 count=1 conv=notrunc status=none
bridge_up
run_agent shm
check "shm: the same epoch" test "$(state shm epoch)" = "$E"
check "shm: all 120 reach the bridge once" wait_for 20 held_is shm $((2 * N))
check "shm: and are acked" wait_for 10 state_is shm acked_upto $((2 * N))
check "shm: no files moved aside" test -z "$(ls -d "$(db shm)".damaged-* 2>/dev/null)"

check_eq "no event is held twice centrally" 0 \
    "$(sql "$T/bridge.db" 'SELECT count(*) FROM (SELECT 1 FROM events GROUP BY device, epoch, seq HAVING count(*) > 1)')"
summary
