#!/usr/bin/env bash
# make bench: scan -> feedback through the sim driver (decode, checks,
# commit with synchronous=FULL, then the board's green LED in a fake sysfs
# tree), p50 and p99 over FEEDBACK_N scans, beside the same harness against
# a bare responder that lights the LED for each line read.
set -u
source "$(dirname "$0")/../system/lib.sh"

N=${FEEDBACK_N:-300}
source "$(dirname "$0")/board.sh"
agent_conf "$T/agent.conf" cart-bench '[driver.sim0]' "path = $T/scan.fifo" \
    '[board]' 'backend = hardware' "description = $T/board.conf"
"$B/pou-agent" -c "$T/agent.conf" >> "$T/agent.log" 2>&1 &
AGENT_PID=$!
PIDS+=("$AGENT_PID")
wait_for 10 test -p "$T/scan.fifo"
read -r p50 p99 < <($PY "$ROOT/tests/bench/feedback.py" "$T/scan.fifo" "$L/g/brightness" "$N")
stop_pid "$AGENT_PID" TERM
rm -f "$T/scan.fifo" && mkfifo "$T/scan.fifo"
$PY "$ROOT/tests/bench/feedback.py" "$T/scan.fifo" "$L/g/brightness" "$N" respond &
PIDS+=($!)
read -r b50 b99 < <($PY "$ROOT/tests/bench/feedback.py" "$T/scan.fifo" "$L/g/brightness" "$N")
printf 'scan -> feedback, sim driver to LED, %d scans (tests/bench/feedback.sh):\n' "$N"
printf '  pou-agent (decode, checks, commit, board)   p50 %6.3f ms  p99 %6.3f ms   target < 100 ms\n' "$p50" "$p99"
printf '  baseline: a bare responder, same harness    p50 %6.3f ms  p99 %6.3f ms\n' "$b50" "$b99"
stop_all
