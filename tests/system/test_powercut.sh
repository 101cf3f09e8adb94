#!/usr/bin/env bash
# Power cuts: the agent and the bridge run under tests/faults/powercut.c,
# an SQLite VFS that keeps every write not yet synced in the process's
# memory, so a SIGKILL loses all of them as a power cut would (kill -9
# alone leaves the page cache). Crashes at random instants while scans
# arrive, while batches go up and acks come back; the bridge's own power
# is cut every fourth cycle. Every scan whose beep sounded (the agent's
# log, which stands for the person at the cart) must be in the cart's
# store after the cut and at the bridge in the end, once; no store may
# ever find itself rolled back; billing gets each event once (HL7
# sequence numbers). POWERCUT_CYCLES (default 20; make faults runs 1000).
set -u
source "$(dirname "$0")/lib.sh"

CYCLES=${POWERCUT_CYCLES:-20}
SHIM="$B/libpowercut.so"
ACK_TIMEOUT_MS=700
[ -f "$SHIM" ] || { not_ok "the shim is built ($SHIM)"; summary; exit 1; }
lot() { printf 'PC%06d' "$1"; }
item() { printf ']d201008845211234511727063010%s\\x1d21S%06d' "$(lot "$1")" "$1"; }
# The lots the agent beeped for: "recorded seq N ... lot LOT".
beeped() { grep -o 'recorded seq [0-9]* .* lot PC[0-9]*' "$T/agent.log" |
    grep -o 'PC[0-9]*' | sort -u; }
cart_lots() { sql "$T/agent.db" 'SELECT lot FROM events UNION SELECT lot FROM salvage' | sort -u; }
power_agent() { LD_PRELOAD="$SHIM" POWERCUT=1 start_agent; }
power_bridge() { LD_PRELOAD="$SHIM" POWERCUT=1 start_bridge; }
ack_ok() {	# the cart's durable ack mark never passes what the bridge holds
	local acked held
	acked=$(sql "$T/agent.db" 'SELECT acked_upto FROM state' 2>/dev/null || echo 0)
	held=$(sql "$T/bridge.db" 'SELECT coalesce(max(contig_upto), 0) FROM devices' 2>/dev/null || echo 0)
	[ "$acked" -le "$held" ]
}

start_broker || { not_ok "broker starts"; summary; exit 1; }
start_receiver --sequence || { not_ok "receiver starts"; summary; exit 1; }
write_bridge_conf
sed -i 's/^\[billing\]/[billing]\nsequence = yes/' "$T/bridge.conf"
power_bridge
n=0 lost=0 bad_ack=0 bridge_cuts=0
for ((c = 1; c <= CYCLES; c++)); do
	power_agent
	burst=$((RANDOM % 20 + 1))
	burst_scans "$burst" "$n" 30
	if ((c % 4 == 0)); then		# the bridge's power too
		stop_pid "$BRIDGE_PID" KILL
		bridge_cuts=$((bridge_cuts + 1))
	fi
	stop_pid "$AGENT_PID" KILL
	kill "$WRITER" 2>/dev/null
	wait "$WRITER" 2>/dev/null
	# Every beep so far is in the cart's store after the cut.
	missing=$(comm -23 <(beeped) <(cart_lots) | wc -l)
	lost=$((lost + missing))
	ack_ok || bad_ack=$((bad_ack + 1))
	((c % 4 == 0)) && power_bridge
	n=$((n + burst))
done
beeps=$(beeped | wc -l)
check "scans were beeped through $CYCLES power cuts" test "$beeps" -gt 0
check_eq "no beeped scan was ever missing from the cart after a cut" 0 "$lost"
check_eq "no ack mark ever passed what the bridge held" 0 "$bad_ack"

# Calm: the cart drains to the bridge. (Only the bridge is read while
# they run: the cart's lazy ack marks are in its memory, not its file.)
recorded=$(sql "$T/agent.db" 'SELECT last_seq FROM state')
power_agent
held_all() { test "$(q 'SELECT coalesce(max(contig_upto), 0) FROM devices')" -eq "$recorded"; }
check "the backlog drains" wait_for $((60 + recorded / 20)) held_all
check "billing settles" wait_for $((60 + recorded / 20)) outbox_settled
sleep 1			# the last ack's way back to the cart
stop_pid "$AGENT_PID"
stop_pid "$BRIDGE_PID"
check "and the cart knows it" unacked_is 0
at_bridge=$(comm -12 <(beeped) <(q 'SELECT lot FROM events' | sort -u) | wc -l)
check_eq "every beeped scan is at the bridge" "$beeps" "$at_bridge"
check_eq "none stored twice" 0 "$(q 'SELECT count(*) FROM (SELECT lot FROM events
    GROUP BY lot HAVING count(*) > 1)')"
check_eq "no identity held with two contents" 0 "$(q 'SELECT count(*) FROM conflicts')"
check_eq "no store found itself rolled back" 0 "$(sql "$T/agent.db" \
    "SELECT count(*) FROM alarms WHERE kind = 'store_rolled_back'")"
check_eq "the bridge never found its database rolled back" 0 \
    "$(q "SELECT count(*) FROM alarms WHERE kind IN ('db_rolled_back', 'events_lost')")"
check_eq "billing received exactly the events, once each (sequence numbers)" \
    "$(q 'SELECT count(*) FROM events') $(q 'SELECT count(*) FROM events')" \
    "$(billing_count) $(billing_distinct_ft1)"
on_cart=$(comm -12 <(beeped) <(cart_lots) | wc -l)
echo "# powercut: $CYCLES agent power cuts, $bridge_cuts bridge power cuts; $n scans offered, $beeps beeped; survived: $on_cart on the cart, $at_bridge at the bridge; $(q 'SELECT count(*) FROM events') events at the bridge (recorded, some killed before their beep), $(billing_count) billing messages for $(billing_distinct_ft1) events"
summary
