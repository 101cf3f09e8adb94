#!/usr/bin/env bash
# The daemons as an operator meets them: options, config errors with
# file:line, SIGHUP reload (good and bad), SIGTERM clean stop.
set -u
source "$(dirname "$0")/lib.sh"

exits_with() { local want=$1; shift; "$@" > "$T/out" 2>&1; test $? -eq "$want"; }

check "pou-agent --version" exits_with 0 "$B/pou-agent" --version
check_eq "version text" "pou-agent 0.1.0" "$(cat "$T/out")"
check "pou-agent --help lists -c and SIGHUP" exits_with 0 "$B/pou-agent" --help
check "help names the options" grep -q -- '--config FILE' "$T/out"
check "an unknown option exits 2" exits_with 2 "$B/pou-bridge" --frobnicate
check "pouctl --help lists status" exits_with 0 "$B/pouctl" --help
check "pouctl help text" grep -q 'status' "$T/out"
check "pouctl with an unknown command exits 2" exits_with 2 "$B/pouctl" \
    --store /nonexistent frob

cat > "$T/bad.conf" <<CONF
[device]
site = or west
id = cart-07
colour = blue
[mqtt]
port = 70000
[driver.sim0]
path = $T/x.fifo
speed = 9600
[driver.laser0]
CONF
check "a bad config is refused" exits_with 1 "$B/pou-agent" -n -c "$T/bad.conf"
check "unknown key with its line" grep -q "bad.conf:4: unknown key \"colour\" in \[device\]" "$T/out"
check "value out of range with its line" grep -q 'bad.conf:6: port: "70000" is not a whole number from 1 to 65535' "$T/out"
check "driver key with its line" grep -q 'bad.conf:9: unknown key "speed" in \[driver.sim0\]' "$T/out"
check "every error is reported, not just the first" grep -q 'site and id are required' "$T/out"
printf 'di,charge_code,description,price,revenue_code,hcpcs,billable\n%s\n%s\n' \
    '00884521123451,X1,Screw,12.5x,0278,,yes' '1,2,3' > "$T/cm.csv"
printf '[reference]\nchargemaster = %s\n' "$T/cm.csv" > "$T/cm.conf"
check "the bridge checks its chargemaster with file:line" \
    exits_with 1 "$B/pou-bridge" -n -c "$T/cm.conf"
check "bad price named on line 2" grep -q ':2: price is not' "$T/out"
check "short line named on line 3" grep -q ':3: expected 7 fields' "$T/out"

# SIGHUP: a good change applies, a bad one keeps the running config.
start_broker
mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -t 'pou/v1/or-west/cart-07/telemetry' \
    -C 1 -W 20 > "$T/telemetry.json" 2>/dev/null &
PIDS+=($!)
sleep 0.3
write_agent_conf
start_agent
check "telemetry is published when the agent comes online" \
    wait_for 10 test -s "$T/telemetry.json"
check "telemetry: backlog, ack mark, store and disk figures, drivers" $PY -c '
import json, sys
t = json.load(open(sys.argv[1]))
assert t["v"] == 1 and t["backlog"] == 0 and t["last_acked_seq"] == 0
assert t["store_bytes"] > 0 and t["disk_free_bytes"] > 0 and t["uptime_s"] >= 0
assert t["clock"]["boot"] == open("/proc/sys/kernel/random/boot_id").read().strip()
assert t["clock"]["synced"] in (True, False)
assert [d["name"] for d in t["drivers"]] == ["sim0"], t["drivers"]
assert t["drivers"][0]["state"] == "open" and t["drivers"][0]["scans"] == 0
' "$T/telemetry.json"
scan 'CASE:C1'
check "the default case prefix works" wait_for 5 logged "$T/agent.log" 'CONTEXT case C1'
sed -i 's/^\[device\]/[session]\ncase_prefix = OR-CASE:\n[device]/' "$T/agent.conf"
kill -HUP "$AGENT_PID"
check "SIGHUP reloads" wait_for 5 logged "$T/agent.log" 'reload: configuration reloaded'
scan 'OR-CASE:C2'
check "the new prefix applies after SIGHUP" wait_for 5 logged "$T/agent.log" 'CONTEXT case C2'
echo 'nonsense line' >> "$T/agent.conf"
kill -HUP "$AGENT_PID"
check "a broken config is not applied" \
    wait_for 5 logged "$T/agent.log" 'keeping the running configuration'
scan 'OR-CASE:C3'
check "the running config still works" wait_for 5 logged "$T/agent.log" 'CONTEXT case C3'
check "the agent is still running" kill -0 "$AGENT_PID"
kill -TERM "$AGENT_PID"
wait "$AGENT_PID"
check_eq "SIGTERM stops it with status 0" 0 $?
forget_pid "$AGENT_PID"
check "and it says so" logged "$T/agent.log" 'stopped: 0 recorded, 0 refused'
summary
