#!/usr/bin/env bash
# Fleet commands at a real agent over a real mosquitto: a recall list pushed
# in parts stops the recalled lot at the cart, and stays after a restart
# though the cart's recall file is older; the clock and a diagnostic
# snapshot answered; a catalog with a bad row refused whole (the one before
# stays); a restart done once and reported after it; and every refusal
# answered on the result topic and logged: forged, unknown key, expired,
# wrong audience, replayed (also after a restart), unknown op, bad args,
# a 5 MB payload, garbage. Scans go on being recorded throughout.
set -u
source "$(dirname "$0")/lib.sh"

JOSE="$ROOT/tests/peers/jose.py"
ASSEMBLY_WINDOW_MS=0
SITE=or-west
DEV=cart-07
item() { printf ']d201%s17%s10%s' "$1" 270630 "$2"; }
SCREW=00884521123451

mkdir -m 700 "$T/keys"
"$B/pouctl" fleet keygen "$T/keys" > "$T/kg"
KEY=$(ls "$T"/keys/fleet-*.key)
PUB=$(ls "$T"/keys/fleet-*.pub)
KID=$(sed -n 's/^kid //p' "$T/kg")

start_broker
write_agent_conf
printf '[reference]\ncatalog = %s\nrecalls = %s\n[fleet]\nkeys = %s\ntrial_s = 5\n' \
    "$ROOT/configs/catalog.csv" "$ROOT/configs/recalls.csv" "$PUB" \
    >> "$T/agent.conf"
start_agent
check "the agent takes the fleet key" wait_for 5 logged "$T/agent.log" \
    "fleet: key $KID"
mosquitto_sub -p "$BROKER_PORT" -t "pou/v1/$SITE/$DEV/result" \
    > "$T/results" 2>> "$T/sub.log" &
SUB_PID=$!
PIDS+=("$SUB_PID")
wait_for 10 logged "$T/mosquitto.log" 'Sending CONNACK' > /dev/null
wait_for 10 logged "$T/agent.log" 'online' > /dev/null

send() {	# send TOPIC-DEVICE < commands, one per line
	local l
	while IFS= read -r l; do
		mosquitto_pub -p "$BROKER_PORT" -q 1 \
		    -t "pou/v1/$SITE/$1/cmd" -m "$l"
	done
}
# result ID STATE: the line the cart reported for ID in STATE, if any.
result() {
	$PY - "$T/results" "$1" "$2" <<'EOF'
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["id"] == (sys.argv[2] or None) and r["state"] == sys.argv[3]:
        print(json.dumps(r)); break
EOF
}
has_result() { test -n "$(result "$1" "$2")"; }
field() { result "$1" "$2" | $PY -c "import json,sys; print(json.load(sys.stdin)$3)"; }
# a set's ids name its audience: SHA-256 of the --aud list as JSON
aud_tag() { printf '%s' "$1" | sha256sum | cut -c1-8; }
# field_has ID TEXT: the snapshot's last log line ends with TEXT
field_has() {
	case "$(field "$1" successful '["data"]["log"][-1]')" in
	*"$2") return 0;; *) return 1;; esac
}
sign() { "$B/pouctl" fleet sign --key "$KEY" "$@"; }
seen() { test "$(grep -c -- "$2" "$1")" -ge "$3"; }	# seen FILE RE N

# A recall pushed in two parts: one lot of the screw's (LOT9) now stopped.
printf 'di,lot,serial,recall_id,reason\n%s,LOT9,,R-9,"fleet push"\n%s,LOT8,,R-8,x\n' \
    $SCREW $SCREW > "$T/recalls-new.csv"
"$B/pouctl" fleet sign-set --key "$KEY" --aud "$SITE" --rows 1 recalls \
    "$T/recalls-new.csv" > "$T/set.jws"
check_eq "the set is two commands" 2 "$(wc -l < "$T/set.jws")"
VER=$(sha256sum "$T/recalls-new.csv" | cut -c1-16)-$(aud_tag "[\"$SITE\"]")
scan 'USER:N1' 'CASE:C1' "$(item $SCREW LOT9)"
check "before the push LOT9 is recorded" wait_for 5 recorded_is 1
send all < "$T/set.jws"
check "part 1 held, reported" wait_for 10 has_result \
    "recalls-$VER-1-2" successful
check "part 2 completes the set: installed, reported" wait_for 10 \
    has_result "recalls-$VER-2-2" successful
check_eq "the result says how many rows" 2 \
    "$(field "recalls-$VER-2-2" successful '["data"]["rows"]')"
check "each transition was reported: received, executing" \
    has_result "recalls-$VER-2-2" executing
scan "$(item $SCREW LOT9)"
check "now LOT9 stops at the cart" wait_for 5 logged "$T/agent.log" \
    'RECALLED (R-9)'
check_eq "and is not recorded" 1 "$(recorded)"

# The OR schedule pushed: a case of this cart's room running now becomes
# the context; another room's is not this cart's.
at() { date -d "$1" +%Y-%m-%dT%H:%M; }
printf 'room,start,end,case_id,mrn,encounter\nOR01,%s,%s,OTHER,1,V1\nOR07,%s,%s,SCH-9,559,V559\n' \
    "$(at '-1 min')" "$(at '+30 min')" "$(at '-1 min')" "$(at '+30 min')" > "$T/sched.csv"
scan 'POU:END'
"$B/pouctl" fleet sign-set --key "$KEY" --aud "$SITE/$DEV" schedule \
    "$T/sched.csv" | send "$DEV"
SVER=$(sha256sum "$T/sched.csv" | cut -c1-16)-$(aud_tag "[\"$SITE/$DEV\"]")
check "a schedule pushed is installed" wait_for 10 has_result \
    "schedule-$SVER-1-1" successful
check "and its case for this room becomes the context" wait_for 15 \
    logged "$T/agent.log" 'board: CONTEXT scheduled case SCH-9'
check "with no encounter of it in the log" test -z "$(grep V559 "$T/agent.log")"

# The clock and a snapshot.
sign --aud "$SITE/$DEV" --op clock --id clk-1 | send "$DEV"
check "clock: answered" wait_for 10 has_result clk-1 successful
check "with the clock's state" test -n \
    "$(field clk-1 successful '["data"]["synced"]')"
sign --aud '*' --op diagnose --id diag-1 | send all
check "diagnose: a snapshot" wait_for 10 has_result diag-1 successful
check_eq "with the store's integrity" ok \
    "$(field diag-1 successful '["data"]["store"]["integrity"]')"
check_eq "and its drivers" sim0 \
    "$(field diag-1 successful '["data"]["drivers"][0]["name"]')"
check "and its recent log lines, this command's start the last" \
    field_has diag-1 "fleet: command diag-1 executing"

# A catalog with a bad row is refused whole; the catalog before stays.
{ head -1 "$ROOT/configs/catalog.csv"; echo "$SCREW,NEW SCREW,yes,yes,no,yes"
  echo "00884521123468,BAD,maybe,no,no,yes"; } > "$T/catalog-bad.csv"
"$B/pouctl" fleet sign-set --key "$KEY" --aud "$SITE/$DEV" catalog \
    "$T/catalog-bad.csv" > "$T/cat.jws"
CVER=$(sha256sum "$T/catalog-bad.csv" | cut -c1-16)-$(aud_tag "[\"$SITE/$DEV\"]")
send "$DEV" < "$T/cat.jws"
check "a catalog with a bad row fails" wait_for 10 has_result \
    "catalog-$CVER-1-1" failed
check_eq "naming the row" "row 2: a yes/no field holds something else" \
    "$(field "catalog-$CVER-1-1" failed '["detail"]')"
check_eq "the catalog before stays" 8 \
    "$(sql "$T/agent.db" 'SELECT count(*) FROM catalog')"

# Refusals, each answered and logged.
sign --aud "$SITE/$DEV" --op clock --id old-1 --ttl 1 > "$T/old.jws"
sleep 2
send "$DEV" < "$T/old.jws"
check "expired: refused" wait_for 10 has_result old-1 failed
check_eq "as expired" expired "$(field old-1 failed '["error"]')"
sign --aud "$SITE/cart-99" --op clock --id aud-1 | send all
check "another cart's command: wrong_audience" wait_for 10 has_result \
    aud-1 failed
sign --aud "$SITE/$DEV" --op clock --id clk-1 | send "$DEV"
check "a second command with a seen id: replayed" wait_for 10 \
    seen "$T/results" '"id":"clk-1".*"error":"replayed"' 1
$PY "$JOSE" sign "" "$KID" "$SITE" 600 forged | send "$DEV"
check "forged under the fleet key's kid: bad_signature, no id believed" \
    wait_for 10 grep -q '"id":null.*"error":"bad_signature"' "$T/results"
$PY "$JOSE" sign "" 0123456789abcdef "$SITE" 600 nokey | send "$DEV"
check "signed by a key the cart does not hold: unknown_key" wait_for 10 \
    grep -q '"error":"unknown_key"' "$T/results"
$PY "$JOSE" sign "$KEY" "$KID" "$SITE" 600 op1 format-disk | send "$DEV"
check "an op no cart knows: unknown_op, against its id" wait_for 10 \
    has_result py-op1 failed
$PY "$JOSE" sign "$KEY" "$KID" "$SITE" 600 args1 clock '{"now":1}' | send "$DEV"
check "args the op does not take: bad_args" wait_for 10 has_result \
    py-args1 failed
head -c 5000000 /dev/zero | tr '\0' 'A' > "$T/big"
mosquitto_pub -p "$BROKER_PORT" -q 1 -t "pou/v1/$SITE/$DEV/cmd" -f "$T/big"
check "a 5 MB payload: too_big" wait_for 10 \
    grep -q '"error":"too_big"' "$T/results"
head -c 3000 /dev/urandom | mosquitto_pub -p "$BROKER_PORT" -q 1 \
    -t "pou/v1/$SITE/$DEV/cmd" -s
check "garbage: malformed" wait_for 10 \
    grep -q '"error":"malformed"' "$T/results"
check "each refusal is in the log" test "$(grep -c 'fleet: command .* refused' \
    "$T/agent.log")" -ge 9
scan "$(item $SCREW LOT3)"
check "scans went on throughout" wait_for 5 recorded_is 2

# A restart: done once, reported by the agent that starts after it.
sign --aud "$SITE/$DEV" --op restart --id rst-1 | send "$DEV"
check "restart: the agent stops by itself" wait_for 10 \
    sh -c "! kill -0 $AGENT_PID 2>/dev/null"
check "having said so" logged "$T/agent.log" 'restart asked'
forget_pid "$AGENT_PID"
start_agent
check "and the agent after it reports it done" wait_for 10 has_result \
    rst-1 successful
check_eq "once" 1 "$(grep -c '"id":"rst-1","state":"successful"' "$T/results")"
scan "$(item $SCREW LOT9)"
check "after the restart the pushed recall list stays (the file is older)" \
    wait_for 5 seen "$T/agent.log" 'sim0: STOP RECALLED (R-9)' 2
sign --aud "$SITE/$DEV" --op clock --id clk-1 | send "$DEV"
check "a seen id is refused after the restart too" wait_for 10 \
    seen "$T/results" '"id":"clk-1".*"error":"replayed"' 2
check_eq "every result the cart queued was published" 0 \
    "$(sql "$T/agent.db" 'SELECT count(*) FROM command_results')"

# Configuration keys: set on trial and kept once the uplink is back; still
# set after a restart; a key a command may not set, or a bad value, refused
# whole; a change that loses the uplink rolled back by itself.
sign --aud "$SITE/$DEV" --op config --id cfg-1 \
    --args '{"set":{"session.undo_window_s":"60","mqtt.telemetry_s":"30"}}' | send "$DEV"
check "config: applied, kept with the uplink online" wait_for 15 \
    has_result cfg-1 successful
check "the agent took the keys" logged "$T/agent.log" \
    'config: \[session\] undo_window_s = 60 (set by the fleet)'
sign --aud "$SITE/$DEV" --op config --id cfg-2 \
    --args '{"set":{"device.id":"cart-99"}}' | send "$DEV"
check "a key a command may not set is refused" wait_for 10 has_result \
    cfg-2 failed
check_eq "saying which" "[device] id is not set by a command" \
    "$(field cfg-2 failed '["detail"]')"
sign --aud "$SITE/$DEV" --op config --id cfg-3 \
    --args '{"set":{"mqtt.telemetry_s":"10","session.undo_window_s":"x"}}' | send "$DEV"
check "a bad value refuses the change whole" wait_for 10 has_result \
    cfg-3 failed
check_eq "nothing of it was set" 30 "$(sql "$T/agent.db" \
    "SELECT value FROM config_set WHERE key = 'telemetry_s'")"
DEAD=$(free_port)
sign --aud "$SITE/$DEV" --op config --id cfg-4 \
    --args "{\"set\":{\"mqtt.port\":\"$DEAD\"}}" | send "$DEV"
check "a change that loses the uplink is rolled back by itself" \
    wait_for 30 has_result cfg-4 failed
check_eq "and says so once the uplink is back" uplink_lost \
    "$(field cfg-4 failed '["error"]')"
check "the port is the file's again" test -z "$(sql "$T/agent.db" \
    "SELECT value FROM config_set WHERE key = 'port'")"
sign --aud "$SITE/$DEV" --op config --id cfg-5 \
    --args '{"set":{"mqtt.cafile":"/nonexistent/ca.pem"}}' | send "$DEV"
check "a change no uplink can be made with is rolled back, not kept" \
    wait_for 20 has_result cfg-5 failed
check_eq "as not_applied" not_applied "$(field cfg-5 failed '["error"]')"
check "the CA file is not left set" test -z "$(sql "$T/agent.db" \
    "SELECT value FROM config_set WHERE key = 'cafile'")"
stop_pid "$AGENT_PID"
start_agent
check "after a restart the keys set are applied again" wait_for 5 seen \
    "$T/agent.log" 'config: \[session\] undo_window_s = 60' 2

# A key rotation: a second key added (SIGHUP), commands signed with it
# obeyed; the first key removed, commands signed with it refused.
mkdir -m 700 "$T/keys2"
"$B/pouctl" fleet keygen "$T/keys2" > "$T/kg2"
KEY2=$(ls "$T"/keys2/fleet-*.key)
PUB2=$(ls "$T"/keys2/fleet-*.pub)
KID2=$(sed -n 's/^kid //p' "$T/kg2")
sed -i "s|^keys = .*|keys = $PUB $PUB2|" "$T/agent.conf"
kill -HUP "$AGENT_PID"
check "after a reload the cart holds both keys" wait_for 5 logged \
    "$T/agent.log" "fleet: key $KID2"
"$B/pouctl" fleet sign --key "$KEY2" --aud "$SITE/$DEV" --op clock \
    --id rot-1 | send "$DEV"
check "a command signed with the new key is obeyed" wait_for 10 \
    has_result rot-1 successful
sign --aud "$SITE/$DEV" --op clock --id rot-2 | send "$DEV"
check "and one with the old key still, while it is held" wait_for 10 \
    has_result rot-2 successful
sed -i "s|^keys = .*|keys = $PUB2|" "$T/agent.conf"
kill -HUP "$AGENT_PID"
wait_for 5 seen "$T/agent.log" 'reload: configuration reloaded' 2 > /dev/null
n=$(grep -c '"error":"unknown_key"' "$T/results")
sign --aud "$SITE/$DEV" --op clock --id rot-3 | send "$DEV"
check "once the old key is removed, its commands are refused: unknown_key" \
    wait_for 10 seen "$T/results" '"error":"unknown_key"' $((n + 1))
check "and not run" test -z "$(result rot-3 successful)"
summary
