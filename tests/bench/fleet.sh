#!/usr/bin/env bash
# make bench: a recall list pushed to FLEET_BENCH_N (50) carts online, all
# on one host: the ms from pouctl fleet send to each cart's "installed" log
# line, and to the first scan of the recalled lot stopped there (each cart
# scans the lot right after the send, again as soon as its log says
# installed, and every 250 ms meanwhile; tests/bench/fleet.py), p50, p99
# and max over the carts. The bridge takes what pouctl queued at its next
# poll (once a second), so up to a second of it is that wait. Baseline:
# the same broker's own fan-out, a mosquitto_pub (QoS 1, a new process as
# pouctl is) to as many mosquitto_sub, 20 times, each message's time from
# the publisher's start to each subscriber.
set -u
source "$(dirname "$0")/../system/lib.sh"

N=${FLEET_BENCH_N:-50}
BILLING_OUTPUT=file
source "$ROOT/tests/system/fleet_carts.sh"
start_broker
start_bridge
for i in $(seq 1 "$N"); do
	start_cart "$i"
done
wait_for 60 every has_fifo $(seq 1 "$N")
for i in $(seq 1 "$N"); do
	cart_scan "$i" 'USER:N1' 'CASE:C1' "$(item $SCREW L$i)"
done
wait_for 60 every at_bridge_1 $(seq 1 "$N")
wait_for 60 registry_shows reg_online $(seq 1 "$N") ||
    echo "# not online:$MISSING"

# The baseline first, on the same broker with the carts idle.
SUBS=()
for i in $(seq 1 "$N"); do
	mosquitto_sub -p "$BROKER_PORT" -q 1 -t bench/ping -F '%U %p' \
	    > "$T/sub$i" 2>/dev/null &
	SUBS+=($!)
	PIDS+=($!)
done
subscribed() { test -s "$T/sub$1"; }
for ((k = 0; k < 100; k++)); do	# until each subscriber has one
	mosquitto_pub -p "$BROKER_PORT" -q 1 -t bench/ping -m warm
	every subscribed $(seq 1 "$N") && break
	sleep 0.1
done
for ((k = 0; k < 20; k++)); do
	mosquitto_pub -p "$BROKER_PORT" -q 1 -t bench/ping -m "$(date +%s%N)"
	sleep 0.05
done
sleep 0.5
for p in "${SUBS[@]}"; do
	stop_pid "$p"
done
read -r b50 b99 bmax bn < <($PY "$ROOT/tests/bench/fleet.py" subs \
    $(seq -f "$T/sub%g" 1 "$N"))

printf 'di,lot,serial,recall_id,reason\n%s,LOT9,,R-9,"urgent"\n' $SCREW \
    > "$T/urgent.csv"
"$B/pouctl" fleet sign-set --key "$KEY" --aud "$SITE" recalls \
    "$T/urgent.csv" > "$T/urgent.jws"
$PY "$ROOT/tests/bench/fleet.py" push "$T" "$N" > "$T/push" &
PUSHER=$!
PIDS+=($!)
date +%s%N > "$T/go.new" && mv "$T/go.new" "$T/go"
fleet send "$T/urgent.jws" --by bench > /dev/null
wait "$PUSHER" || echo "# no figures: tests/bench/fleet.py failed"
forget_pid "$PUSHER"
read -r i50 i99 imax s50 s99 smax < "$T/push"
printf 'a recall list pushed to %d carts online (tests/bench/fleet.sh):\n' "$N"
printf '  pouctl fleet send -> installed      p50 %6.0f ms  p99 %6.0f ms  max %6.0f ms\n' \
    "$i50" "$i99" "$imax"
printf '  pouctl fleet send -> lot stopped    p50 %6.0f ms  p99 %6.0f ms  max %6.0f ms\n' \
    "$s50" "$s99" "$smax"
printf '  baseline: mosquitto_pub -> %d subs  p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (%d messages)\n' \
    "$N" "$b50" "$b99" "$bmax" "$bn"
stop_all
