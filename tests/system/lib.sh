# Shared by the system tests and the demo: real processes on loopback,
# each stopped by the PID we started, never by name.
# Source it with B set to the build directory.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${B:-build}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
PY=/usr/bin/python3	# python3-hl7 is Debian's, not a virtualenv's
T=$(mktemp -d /tmp/pou-test.XXXXXX)
PIDS=()
PASS=0
FAIL=0

stop_all() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	PIDS=()
}

cleanup() {
	stop_all
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }

# check DESC COMMAND...: passes when COMMAND succeeds.
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; return 1; fi
}

# wait_for SECONDS COMMAND...: polls until COMMAND succeeds.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

forget_pid() {
	local p keep=()
	for p in "${PIDS[@]}"; do
		[ "$p" == "$1" ] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

# stop_pid PID [SIGNAL]: signals a process we started and reaps it.
stop_pid() {
	kill -"${2:-TERM}" "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	forget_pid "$1"
}

# The broker: mosquitto on a free loopback port, anonymous, no persistence.
BROKER_PORT=${BROKER_PORT:-$(free_port)}
start_broker() {
	cat > "$T/mosquitto.conf" <<-CONF
	listener $BROKER_PORT 127.0.0.1
	allow_anonymous true
	persistence false
	log_dest stderr
	CONF
	/usr/sbin/mosquitto -c "$T/mosquitto.conf" 2>> "$T/mosquitto.log" &
	BROKER_PID=$!
	PIDS+=("$BROKER_PID")
	wait_for 10 port_open "$BROKER_PORT"
}
stop_broker() { stop_pid "$BROKER_PID" "${1:-TERM}"; }

# The billing receiver: python3-hl7 MLLP server. Extra args pass through.
start_receiver() {
	: > "$T/billing.jsonl"
	$PY "$ROOT/tests/peers/hl7_receiver.py" --out "$T/billing.jsonl" "$@" \
	    > "$T/receiver.out" 2> "$T/receiver.log" &
	RECEIVER_PID=$!
	PIDS+=("$RECEIVER_PID")
	wait_for 15 grep -q listening "$T/receiver.out" || return 1
	MLLP_PORT=$(awk '/listening/ {print $2}' "$T/receiver.out")
}

# The ERP's HTTP endpoint (tests/peers/erp_http.py), logging to $T/erp.jsonl.
start_erp() {
	: > "$T/erp.jsonl"
	$PY "$ROOT/tests/peers/erp_http.py" 0 "$T/erp.jsonl" > "$T/erp.out" \
	    2> "$T/erp.log" &
	ERP_PID=$!
	PIDS+=("$ERP_PID")
	wait_for 15 grep -q listening "$T/erp.out" || return 1
	ERP_PORT=$(awk '/listening/ {print $2}' "$T/erp.out")
}

write_bridge_conf() {
	mkdir -p "$T/erp" "$T/billing"
	cat > "$T/bridge.conf" <<-CONF
	[mqtt]
	port = $BROKER_PORT
	backoff_min_ms = 100
	backoff_max_ms = 1000
	[store]
	path = $T/bridge.db
	[reference]
	chargemaster = ${CHARGEMASTER:-$ROOT/configs/chargemaster.csv}
	locations = ${LOCATIONS:-}
	items = ${ITEMS:-}
	contracts = ${CONTRACTS:-}
	par = ${PAR:-}
	[billing]
	output = ${BILLING_OUTPUT:-mllp}
	port = ${MLLP_PORT:-2575}
	timeout_ms = 3000
	dir = $T/billing
	[erp]
	output = ${ERP_OUTPUT:-file}
	dir = $T/erp
	url = http://127.0.0.1:${ERP_PORT:-1}/issues
	timeout_ms = 1000
	[rules]
	# The delivery tests scan without a visit number; test_rules.sh runs
	# the defaults (no_encounter = hold_billing).
	no_encounter = ${RULE_NO_ENCOUNTER:-warn}
	[outbox]
	dead_after = ${DEAD_AFTER:-50}
	retry_min_ms = 200
	retry_max_ms = 2000
	CONF
}

start_bridge() {
	[ -f "$T/bridge.conf" ] || write_bridge_conf
	"$B/pou-bridge" -c "$T/bridge.conf" ${VERBOSE:+-v} >> "$T/bridge.log" 2>&1 &
	BRIDGE_PID=$!
	PIDS+=("$BRIDGE_PID")
}

write_agent_conf() {
	cat > "$T/agent.conf" <<-CONF
	[device]
	site = or-west
	id = ${DEVICE:-cart-07}
	room = OR07
	unit = ${DEVICE:-cart-07}
	state_file = $T/agent.state
	[store]
	path = $T/agent.db
	[mqtt]
	port = $BROKER_PORT
	keepalive = 5
	ack_timeout_ms = ${ACK_TIMEOUT_MS:-2000}
	backoff_min_ms = 100
	backoff_max_ms = 1000
	[session]
	assembly_window_ms = ${ASSEMBLY_WINDOW_MS:-3000}
	[driver.sim0]
	path = $T/scan.fifo
	CONF
}

start_agent() {
	[ -f "$T/agent.conf" ] || write_agent_conf
	"$B/pou-agent" -c "$T/agent.conf" ${VERBOSE:+-v} >> "$T/agent.log" 2>&1 &
	AGENT_PID=$!
	PIDS+=("$AGENT_PID")
	wait_for 10 test -p "$T/scan.fifo"
}

# agent_conf FILE ID LINES...: an agent config for a driver test: device
# ID, the store in $T, no broker expected, no label joining, then LINES.
agent_conf() {
	local file=$1 id=$2
	shift 2
	{
		printf '[device]\nsite = or-west\nid = %s\n' "$id"
		printf 'state_file = %s/agent.state\n' "$T"
		printf '[store]\npath = %s/agent.db\n' "$T"
		printf '[mqtt]\nport = %s\n' "$(free_port)"
		printf '[session]\nassembly_window_ms = 0\n'
		printf '%s\n' "$@"
	} > "$file"
}

# billing_distinct_ft1: distinct FT1-2 event identities billing received.
billing_distinct_ft1() {
	$PY - "$T/billing.jsonl" <<'PY'
import json, sys
ids = set()
for l in open(sys.argv[1]):
    for seg in json.loads(l)["msg"].split("\r"):
        if seg.startswith("FT1|"):
            ids.add(seg.split("|")[2])
print(len(ids))
PY
}

# scan LINE...: each argument is one scan, in the sim driver's escapes.
scan() {
	local l
	for l in "$@"; do
		printf '%s\n' "$l"
	done > "$T/scan.fifo"
}

# logged FILE PATTERN: a predicate, the pattern is in the log.
logged() { grep -q -- "$2" "$1"; }

# burst_scans N FIRST MAX_CENTISECONDS: N scans "$(item FIRST)".. into the
# agent in the background (WRITER its PID), then a random pause under the
# given hundredths of a second: a crash lands somewhere in the burst.
burst_scans() {
	local i lines=()
	for ((i = 0; i < $1; i++)); do
		lines+=("$(item $(($2 + i)))")
	done
	scan "${lines[@]}" &
	WRITER=$!
	sleep "0.$((RANDOM % $3))"
}

# sql DB QUERY: one value from a SQLite file.
sql() { sqlite3 -cmd '.timeout 5000' "$1" "$2"; }
# q SQL: a query on the bridge's database.
q() { sql "$T/bridge.db" "$1"; }
# A predicate: no delivery in the bridge's outbox is waiting to be sent.
outbox_settled() { test "$(q "SELECT count(*) FROM outbox WHERE state = 'pending'")" -eq 0; }

agent_unacked() {
	sql "$T/agent.db" "SELECT last_seq - acked_upto FROM state"
}

billing_count() { grep -c . "$T/billing.jsonl" 2>/dev/null || echo 0; }
recorded() { sql "$T/agent.db" "SELECT last_seq FROM state"; }

# Predicates for wait_for: they read the state each time they are called.
unacked_is() { test "$(agent_unacked)" -eq "$1"; }
recorded_is() { test "$(recorded)" -eq "$1"; }
# All N scans recorded and acked (unacked_is 0 alone holds before the first).
acked_all() { recorded_is "$1" && unacked_is 0; }
billing_has() { test "$(billing_count)" -ge "$1"; }

# summary: stops everything (so exit-time reports are written), fails on any
# sanitizer report in the daemons' logs, and prints the closing line.
summary() {
	stop_all
	if grep -q -E 'Sanitizer|runtime error:' "$T"/*.log 2>/dev/null; then
		not_ok "sanitizer reports in the daemons' logs:"
		grep -h -A8 -E 'Sanitizer|runtime error:' "$T"/*.log | head -40
	fi
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}
