#!/usr/bin/env bash
# make bench, store-and-forward figures, each beside a baseline from the
# same run (real mosquitto on loopback, real SQLite files on this disk):
#  2. draining a backlog of DRAIN_N (100,000) events until the bridge has
#     stored and acked all of it, beside a plain libmosquitto program
#     publishing the same events one per message at QoS 1;
#  3. the agent's peak RSS in that drain and with a BIG_N (1,000,000)
#     backlog, and bytes written per scan (/proc/PID/io) while scanning;
#  4. the bridge's ingest rate with the agent's window wide open, beside
#     the sqlite3 shell inserting the same rows in the same transactions.
set -u
source "$(dirname "$0")/../system/lib.sh"
source "$(dirname "$0")/fill.sh"

DRAIN_N=${DRAIN_N:-100000}
BIG_N=${BIG_N:-1000000}
ms() { echo $(($(date +%s%N) / 1000000)); }
acked() { sql "$1" 'SELECT acked_upto FROM state'; }
acked_is() { test "$(acked "$1")" -ge "$2"; }

bridge() {	# bridge DB: a bridge that only stores and acks
	cat > "$T/bridge.conf" <<-CONF
	[mqtt]
	port = $BROKER_PORT
	[store]
	path = $1
	[reference]
	chargemaster = $ROOT/configs/chargemaster.csv
	[billing]
	output = none
	[erp]
	output = none
	CONF
	start_bridge
	wait_for 10 grep -q 'connecting -> online' "$T/bridge.log"
}

# The cart's session state lives on tmpfs (/run/pou on a cart): here too,
# or its writes would count as the store's in bytes per scan.
STATE=/dev/shm/pou-bench-$$.state
trap 'rm -f "$STATE"; cleanup' EXIT

# drain DB N [WINDOW BATCH]: runs an agent on DB until all N are acked;
# sets DRAIN_MS, FIRST_MS (start to first ack), HWM_KB.
drain() {
	write_agent_conf
	sed -i -e "s|^path = $T/agent.db|path = $1|" \
	    -e "s|^state_file = .*|state_file = $STATE|" "$T/agent.conf"
	[ $# -gt 2 ] && sed -i "s|^\[mqtt\]|[mqtt]\nwindow = $3\nbatch_max = $4|" "$T/agent.conf"
	local t0 t1 first=0
	rm -f "$T/scan.fifo"
	t0=$(ms)
	"$B/pou-agent" -c "$T/agent.conf" >> "$T/agent.log" 2>&1 &
	AGENT_PID=$!
	PIDS+=("$AGENT_PID")
	until acked_is "$1" "$2"; do
		[ "$first" = 0 ] && acked_is "$1" 1 && first=$(ms)
		kill -0 "$AGENT_PID" || { echo "the agent died"; exit 1; }
		sleep 0.05
	done
	t1=$(ms)
	[ "$first" = 0 ] && first=$t1
	DRAIN_MS=$((t1 - t0))
	FIRST_MS=$((first - t0))
	HWM_KB=$(awk '/^VmHWM/ { print $2 }' "/proc/$AGENT_PID/status")
}

per_s() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", n * 1000 / (ms > 0 ? ms : 1) }'; }

echo "store-and-forward (DRAIN_N=$DRAIN_N, BIG_N=$BIG_N; tests/bench/drain.sh)"
start_broker
fill "$T/backlog.db" "$DRAIN_N"
cp "$T/backlog.db" "$T/plain.db"
cp "$T/backlog.db" "$T/wide.db"

read -r plain_n plain_s < <("$B/bench_mqtt_plain" "$T/plain.db" "$BROKER_PORT")
plain_rate=$(awk -v n="$plain_n" -v s="$plain_s" 'BEGIN { printf "%.0f", n / s }')

bridge "$T/bridge1.db"
drain "$T/backlog.db" "$DRAIN_N" ${DRAIN_WINDOW:-} ${DRAIN_BATCH:-}
rate=$(per_s "$DRAIN_N" "$DRAIN_MS")
printf '  2. drain %d events, stored + acked by the bridge  %8d ev/s   baseline: plain libmosquitto, 1 event/message QoS 1, PUBACKed %8d ev/s  (%.1fx; first ack %d ms after start)\n' \
    "$DRAIN_N" "$rate" "$plain_rate" "$(awk -v a="$rate" -v b="$plain_rate" 'BEGIN { print a / b }')" "$FIRST_MS"
drain_hwm=$HWM_KB

# Bytes written per scan, with the agent connected and the bridge acking.
wb0=$(awk '/^write_bytes/ { print $2 }' "/proc/$AGENT_PID/io")
for ((i = 1; i <= 2000; i++)); do
	printf ']d201008845211234511727063010W%d\n' "$i"
done > "$T/scan.fifo"
wait_for 60 acked_is "$T/backlog.db" $((DRAIN_N + 2000))
wb1=$(awk '/^write_bytes/ { print $2 }' "/proc/$AGENT_PID/io")
stop_pid "$AGENT_PID" TERM
printf '  3. bytes written per scan (2000 scans, acked)      %8d B     target <= 8192 B\n' $(((wb1 - wb0) / 2000))

stop_pid "$BRIDGE_PID" TERM
bridge "$T/bridge2.db"
drain "$T/wide.db" "$DRAIN_N" 100000 1000
stop_pid "$AGENT_PID" TERM
span=$(sql "$T/bridge2.db" 'SELECT max(received_ms) - min(received_ms) FROM events')
sqlite3 "$T/bare.db" "PRAGMA journal_mode = WAL" >/dev/null
sqlite3 "$T/bare.db" "$(sqlite3 "$T/bridge2.db" '.schema events')"
# Every column but the row id, read from the schema so new ones come along.
cols=$(sqlite3 "$T/bridge2.db" "SELECT group_concat(name, ', ') FROM pragma_table_info('events') WHERE name NOT IN ('id', 'seq')")
t0=$(ms)
{
	echo 'PRAGMA synchronous = FULL;'
	for ((k = 0; k < DRAIN_N / 1000; k++)); do
		echo "BEGIN; INSERT INTO events ($cols, seq) SELECT $cols, seq + $((k * 1000)) FROM src.events WHERE seq <= 1000; COMMIT;"
	done
} | sqlite3 -cmd "ATTACH '$T/bridge2.db' AS src" "$T/bare.db"
bare_ms=$(($(ms) - t0))
printf '  4. bridge ingest, stored + acked                   %8d ev/s   baseline: sqlite3 shell, same rows, 1000/transaction %8d ev/s\n' \
    "$(per_s "$DRAIN_N" "$span")" "$(per_s "$DRAIN_N" "$bare_ms")"

stop_pid "$BRIDGE_PID" TERM
rm -f "$T"/plain.db* "$T"/wide.db* "$T"/bare.db* "$T"/bridge2.db*
fill "$T/big.db" "$BIG_N"
bridge "$T/bridge3.db"
drain "$T/big.db" "$BIG_N"
stop_pid "$AGENT_PID" TERM
printf '  3. agent peak RSS: %d-event drain %6d kB, %d-event drain %6d kB (%d ev/s)   target <= 8192 kB\n' \
    "$DRAIN_N" "$drain_hwm" "$BIG_N" "$HWM_KB" "$(per_s "$BIG_N" "$DRAIN_MS")"
stop_all
