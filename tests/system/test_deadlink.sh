#!/usr/bin/env bash
# A link that goes dead without FIN or RST (a proxy that stops relaying):
# the agent notices through MQTT keepalive, reconnects when the path comes
# back, and nothing recorded is lost.
set -u
source "$(dirname "$0")/lib.sh"

BILLING_OUTPUT=file
stored() { sql "$T/bridge.db" 'SELECT count(*) FROM events' 2>/dev/null || echo 0; }
stored_is() { test "$(stored)" -eq "$1"; }
item() { printf ']d201008845211234511727063010DEAD%s' "$1"; }
link() { echo "$1" > "$T/link"; }

start_broker
start_bridge
PROXY_PORT=$(free_port)
link forward
$PY "$ROOT/tests/peers/tcp_proxy.py" "$PROXY_PORT" "$BROKER_PORT" "$T/link" \
    > "$T/proxy.log" 2>&1 &
PIDS+=($!)
wait_for 10 logged "$T/proxy.log" listening
write_agent_conf
sed -i "s/^port = $BROKER_PORT/port = $PROXY_PORT/" "$T/agent.conf"	# keepalive 5 s
start_agent
scan "$(item 1)" "$(item 2)"
check "through the proxy, events are stored" wait_for 10 stored_is 2
wait_for 10 unacked_is 0

link blackhole
sleep 0.3	# the proxy reads its control file every 50 ms
t0=$SECONDS
scan "$(item 3)" "$(item 4)"
check "recorded while the link is dead" wait_for 10 recorded_is 4
check "the dead link is noticed by keepalive" wait_for 20 \
    logged "$T/agent.log" 'the link is dead; reconnecting'
lost_after=$((SECONDS - t0))
check "within a few keepalive periods ($lost_after s, keepalive 5 s)" \
    test "$lost_after" -le 15
check_eq "nothing went through the dead link" 2 "$(stored)"

link forward
check "the path comes back: everything is stored" wait_for 30 stored_is 4
check "and acked" wait_for 10 unacked_is 0
check_eq "seqs 1..4 once each" "1 2 3 4" \
    "$(sql "$T/bridge.db" 'SELECT group_concat(seq, " ") FROM (SELECT seq FROM events ORDER BY seq)')"
echo "# dead link noticed after ${lost_after} s with keepalive 5 s"
summary
