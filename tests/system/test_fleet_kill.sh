#!/usr/bin/env bash
# Fleet commands through kill -9 of the agent at random points: each cycle
# sends a recall list in three parts, a diagnose, a clock, a configuration
# change of two keys, a schedule in two parts and (every third cycle) a
# restart, kills the agent 0 to 300 ms later, starts it again and
# sends them all once more, as the bridge does for a cart that comes back.
# Then: every command has one terminal state, reported; none is reported
# both successful and failed; the recall list and the schedule are never
# half applied (their rows are one whole version) and are the newest; the
# configuration has both keys of the newest change and none on trial; a
# restart ran at most once. FLEET_KILL_CYCLES (make check: 4; make faults: 100).
set -u
source "$(dirname "$0")/lib.sh"

CYCLES=${FLEET_KILL_CYCLES:-4}
SITE=or-west
DEV=cart-07
mkdir -m 700 "$T/keys"
"$B/pouctl" fleet keygen "$T/keys" > /dev/null
KEY=$(ls "$T"/keys/fleet-*.key)
PUB=$(ls "$T"/keys/fleet-*.pub)

start_broker
: >> "$T/agent.log"
write_agent_conf
printf '[fleet]\nkeys = %s\n' "$PUB" >> "$T/agent.conf"
mosquitto_sub -p "$BROKER_PORT" -t "pou/v1/$SITE/$DEV/result" \
    > "$T/results" 2>> "$T/sub.log" &
PIDS+=("$!")

send_all() {
	local l
	while IFS= read -r l; do
		mosquitto_pub -p "$BROKER_PORT" -q 1 \
		    -t "pou/v1/$SITE/$DEV/cmd" -m "$l" || return 1
	done < "$1"
}
online() { wait_for 10 logged "$T/agent.log" "$1"; }
# settled N: N commands recorded, none still to run, no result unsent.
settled() {
	test "$(sql "$T/agent.db" "SELECT count(*) FROM commands WHERE state
	    IN ('successful', 'failed')")" -eq "$1" &&
	test "$(sql "$T/agent.db" 'SELECT count(*) FROM command_results')" -eq 0
}

settled_or_gone() { settled "$1" || ! kill -0 "$2" 2>/dev/null; }
count() { grep -c -- "$2" "$1"; }
more_than() { test "$(count "$1" "$2")" -gt "$3"; }	# more_than FILE RE N
# start: the agent, online (its subscriptions made).
start() {
	local n
	n=$(count "$T/agent.log" '-> online')
	start_agent
	wait_for 10 more_than "$T/agent.log" '-> online' "$n" > /dev/null
	sleep 0.2
}
# run_cycle FILE TOTAL: send, kill -9 at random, start, send again, settle.
run_cycle() {
	local sender k
	start
	send_all "$1" &
	sender=$!
	sleep "0.$(printf '%03d' $((RANDOM % 300)))"
	kill -KILL "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	forget_pid "$AGENT_PID"
	wait "$sender"
	start
	send_all "$1"
	for k in 1 2 3; do
		wait_for 20 settled_or_gone "$2" "$AGENT_PID"
		settled "$2" && break
		# A restart command stops the agent by itself: start it again.
		kill -0 "$AGENT_PID" 2>/dev/null || { forget_pid "$AGENT_PID"; start; }
	done
	settled "$2" || echo "# $1 did not settle"
	stop_pid "$AGENT_PID"
}

total=0
restarts=0
for i in $(seq 1 "$CYCLES"); do
	printf 'di,lot,serial,recall_id,reason\n' > "$T/r$i.csv"
	for p in 1 2 3; do
		printf '00884521123451,C%d-L%d,,R-%d,cycle %d\n' "$i" "$p" "$i" \
		    "$i" >> "$T/r$i.csv"
	done
	"$B/pouctl" fleet sign-set --key "$KEY" --aud "$SITE" --rows 1 \
	    recalls "$T/r$i.csv" > "$T/c$i"
	"$B/pouctl" fleet sign --key "$KEY" --aud "$SITE/$DEV" --op diagnose \
	    --id "diag-$i" >> "$T/c$i"
	"$B/pouctl" fleet sign --key "$KEY" --aud "$SITE/$DEV" --op clock \
	    --id "clk-$i" >> "$T/c$i"
	"$B/pouctl" fleet sign --key "$KEY" --aud "$SITE/$DEV" --op config \
	    --id "cfg-$i" --args "{\"set\":{\"session.undo_window_s\":\"$((100 + i))\",\"session.override_window_s\":\"$((10 + i))\"}}" \
	    >> "$T/c$i"
	printf 'room,start,end,case_id,mrn,encounter\n' > "$T/s$i.csv"
	for p in 1 2; do
		printf 'OR07,2030-01-0%dT08:00,2030-01-0%dT09:00,K%d-%d,%d,V%d\n' \
		    "$p" "$p" "$i" "$p" "$p" "$p" >> "$T/s$i.csv"
	done
	"$B/pouctl" fleet sign-set --key "$KEY" --aud "$SITE/$DEV" --rows 1 \
	    schedule "$T/s$i.csv" >> "$T/c$i"
	n=8
	if [ $((i % 3)) -eq 0 ]; then
		"$B/pouctl" fleet sign --key "$KEY" --aud "$SITE/$DEV" \
		    --op restart --id "rst-$i" >> "$T/c$i"
		n=9
		restarts=$((restarts + 1))
	fi
	total=$((total + n))
	run_cycle "$T/c$i" "$total"
done

check "every command has a terminal state" settled "$total"
check_eq "every command is in the store once" "$total" \
    "$(sql "$T/agent.db" 'SELECT count(*) FROM commands')"
# Each id's terminal results as published: one kind only, and present.
$PY - "$T/results" "$T/agent.db" > "$T/verdict" <<'EOF'
import json, sqlite3, sys
seen = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["error"] == "replayed" or r["state"] not in ("successful", "failed"):
        continue
    seen.setdefault(r["id"], set()).add(r["state"])
db = sqlite3.connect(sys.argv[2])
rows = db.execute("SELECT id, state FROM commands").fetchall()
missing = [i for i, s in rows if s not in seen.get(i, ())]
both = [i for i, s in seen.items() if len(s) > 1]
print(len(missing), len(both))
EOF
check_eq "each terminal state reported, none both successful and failed" \
    "0 0" "$(cat "$T/verdict")"
check_eq "the recall list is the newest, whole" "3|C$CYCLES" \
    "$(sql "$T/agent.db" "SELECT count(*), min(substr(lot, 1, instr(lot, '-') - 1))
        FROM recalls")"
check_eq "and no other version's rows are in it" 1 \
    "$(sql "$T/agent.db" "SELECT count(DISTINCT recall_id) FROM recalls")"
check_eq "the configuration is the newest command's, both keys, none on trial" \
    "$((100 + CYCLES))|$((10 + CYCLES))|0" "$(sql "$T/agent.db" "SELECT
    (SELECT value FROM config_set WHERE key = 'undo_window_s'),
    (SELECT value FROM config_set WHERE key = 'override_window_s'),
    (SELECT count(*) FROM config_trial)")"
check_eq "the schedule is the newest, whole" "2|K$CYCLES" \
    "$(sql "$T/agent.db" "SELECT count(*), min(substr(case_id, 1, instr(case_id, '-') - 1))
        FROM schedule")"
check "every recall push ended successful" test "$(sql "$T/agent.db" \
    "SELECT count(*) FROM commands WHERE op = 'recalls' AND state <> 'successful'")" -eq 0
check "a restart ran at most once each" test "$(grep -c 'restart asked' \
    "$T/agent.log")" -le "$restarts"
echo "# fleet kills: $CYCLES agent SIGKILLs during $total commands; $(grep -c . "$T/results") results published"
summary
