#!/usr/bin/env bash
# make bench: scan -> feedback (as tests/bench/feedback.sh measures it)
# while the cart is sent fleet commands without pause: garbage, forgeries,
# expired ones, replays and good clock and diagnose commands, each checked,
# refused or run and answered. Beside it, the same cart with no commands,
# in the same run. Printed, never asserted.
set -u
source "$(dirname "$0")/../system/lib.sh"

N=${FEEDBACK_N:-300}
source "$(dirname "$0")/board.sh"
mkdir -m 700 "$T/keys"
"$B/pouctl" fleet keygen "$T/keys" > "$T/kg"
KEY=$(ls "$T"/keys/fleet-*.key)
KID=$(sed -n 's/^kid //p' "$T/kg")
start_broker
agent_conf "$T/agent.conf" cart-bench '[driver.sim0]' "path = $T/scan.fifo" \
    '[board]' 'backend = hardware' "description = $T/board.conf" \
    '[fleet]' "keys = $(ls "$T"/keys/fleet-*.pub)"
sed -i "s/^port = .*/port = $BROKER_PORT/" "$T/agent.conf"
"$B/pou-agent" -c "$T/agent.conf" >> "$T/agent.log" 2>&1 &
PIDS+=("$!")
wait_for 10 test -p "$T/scan.fifo"
wait_for 10 logged "$T/agent.log" '-> online'

# The commands: a mix, signed once, sent in a loop.
T_CMD=pou/v1/or-west/cart-bench/cmd
for i in $(seq 1 50); do
	"$B/pouctl" fleet sign --key "$KEY" --aud or-west/cart-bench \
	    --op clock --id "clk-$i"
	"$B/pouctl" fleet sign --key "$KEY" --aud or-west/cart-9 --op clock
	$PY "$ROOT/tests/peers/jose.py" sign "" "$KID" or-west 600 "f$i"
	head -c 300 /dev/urandom | base64 -w0; echo
done > "$T/mix"
"$B/pouctl" fleet sign --key "$KEY" --aud or-west --op diagnose \
    --id diag-1 >> "$T/mix"

measure() { $PY "$ROOT/tests/bench/feedback.py" "$T/scan.fifo" \
    "$L/g/brightness" "$N"; }
read -r q50 q99 < <(measure)
flood() {
	while :; do
		while IFS= read -r l; do
			mosquitto_pub -p "$BROKER_PORT" -q 1 -t "$T_CMD" -m "$l" \
			    2> /dev/null
		done < "$T/mix"
	done
}
flood &
FLOOD=$!
PIDS+=("$FLOOD")
sleep 1
before=$(grep -c 'fleet: command' "$T/agent.log")
read -r f50 f99 < <(measure)
after=$(grep -c 'fleet: command' "$T/agent.log")
kill "$FLOOD"
wait "$FLOOD" 2>/dev/null
forget_pid "$FLOOD"
printf 'scan -> feedback while fleet commands arrive, %d scans (tests/bench/fleet_scan.sh):\n' "$N"
printf '  during commands (%d handled meanwhile)      p50 %6.3f ms  p99 %6.3f ms\n' \
    $((after - before)) "$f50" "$f99"
printf '  baseline: the same cart, no commands        p50 %6.3f ms  p99 %6.3f ms\n' "$q50" "$q99"
stop_all
