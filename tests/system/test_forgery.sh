#!/usr/bin/env bash
# The bridge's second defence, on a broker that lets anyone publish on a
# cart's topic (the TLS + ACL config is the first): a forged batch with
# the cart's epoch and next seqs is stored first, but the real scans under
# those seqs are kept as conflicts, alarmed and in the exception queue, and
# go on under a new epoch, never dropped as resends; a seq far past the
# prefix, another site than the device's, a device that is not enrolled
# or is retired, are refused and kept; an empty payload is kept too.
set -u
source "$(dirname "$0")/lib.sh"

BILLING_OUTPUT=file
EVENTS=pou/v1/or-west/cart-07/events
item() { printf ']d201008845211234511727063010%s' "$1"; }
pub() { mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t "$1" -m "$2"; }
lot_held() { test "$(q "SELECT count(*) FROM events WHERE lot = '$1'")" -eq 1; }
rejected() { test "$(q "SELECT count(*) FROM rejects WHERE reason LIKE '%$1%'")" -ge 1; }
# batch EPOCH SITE SEQ LOT...: a well-formed batch, one event per lot.
batch() {
	$PY - "$@" <<'PY'
import json, sys
epoch, site, seq = sys.argv[1], sys.argv[2], int(sys.argv[3])
evs = []
for i, lot in enumerate(sys.argv[4:]):
    evs.append({"seq": seq + i, "at": 1795526699162, "boot": "b",
        "mono_ms": 1, "kind": "use", "qty": 1,
        "item": {"scheme": "gs1", "di": "00884521123451", "lot": lot,
                 "serial": "", "expiry": "2027-06-30", "mfg": "",
                 "raw": "]d201008845211234511727063010" + lot},
        "case": "", "patient": {"mrn": "", "encounter": ""}, "user": "",
        "location": {"site": site, "room": "OR07", "unit": "cart-07"},
        "flags": [], "source": "sim0"})
print(json.dumps({"v": 1, "epoch": epoch, "events": evs}))
PY
}

start_broker
start_bridge
# The cart reaches the broker through a link the test can cut.
PROXY_PORT=$(free_port)
$PY "$ROOT/tests/peers/tcp_proxy.py" "$PROXY_PORT" "$BROKER_PORT" "$T/link" \
    > "$T/proxy.out" 2>&1 &
PIDS+=($!)
wait_for 10 grep -q listening "$T/proxy.out"
write_agent_conf
sed -i "/^\[mqtt\]/,/^\[/ s/^port = .*/port = $PROXY_PORT/" "$T/agent.conf"
start_agent
scan "$(item F1)" "$(item F2)"
check "two real scans are acked" wait_for 15 acked_all 2
E=$(sql "$T/agent.db" 'SELECT epoch FROM state')

# 4. While the cart's link is dead, it records two scans, and a forged
# batch takes their seqs at the bridge first.
echo blackhole > "$T/link"
sleep 0.3
scan "$(item F3)" "$(item F4)"
wait_for 10 recorded_is 4
pub "$EVENTS" "$(batch "$E" or-west 3 FORGED3 FORGED4)"
check "the bridge stores the forgery (it came first)" wait_for 10 lot_held FORGED4
echo forward > "$T/link"
check "the real scans under those seqs are not taken for resends" \
    wait_for 15 lot_held F4
check "both reach billing's way as events" lot_held F3
check_eq "they are kept as conflicts, content and all" "F3 F4" \
    "$(q "SELECT group_concat(json_extract(event, '$.events[0].item.lot'), ' ')
    FROM (SELECT event FROM conflicts ORDER BY seq)")"
check_eq "each an open exception on the forged event it met" "FORGED3 FORGED4" \
    "$(q "SELECT group_concat(e.lot, ' ') FROM (SELECT e.lot FROM exceptions x
    JOIN events e ON e.id = x.event_id WHERE x.rule = 'identity_conflict'
    AND x.state = 'open' ORDER BY e.seq) e")"
check "the bridge logs the alarm" logged "$T/bridge.log" \
    "cart-07:$E:3 arrived again with other content"
check "the cart starts a new epoch with its alarm" test "$(sql "$T/agent.db" \
    "SELECT json_extract(detail, '$.how') FROM alarms WHERE kind = 'store_rolled_back'")" == bridge
check "and drains" wait_for 15 unacked_is 0

# Seq 2^63-1, far past the prefix.
pub "$EVENTS" "$(batch "$E" or-west 9223372036854775807 HUGE)"
check "a seq far past the prefix is refused and kept" wait_for 10 \
    rejected 'is more than max_seq_jump (100000) past the 4 held'
# Seqs named gone far past the prefix, or past what the device was acked.
pub "$EVENTS" "{\"v\":1,\"epoch\":\"$E\",\"events\":[],\"gone\":[5,4611686018427387904],\"acked\":4611686018427387904}"
check "a gone range far past the prefix is refused" wait_for 10 \
    rejected 'gone up to 4611686018427387904 is more than max_seq_jump'
pub "$EVENTS" "{\"v\":1,\"epoch\":\"$E\",\"events\":[],\"gone\":[5,9],\"acked\":6}"
check "a gone range past what the device was acked is refused" wait_for 10 \
    rejected 'gone 5..9 past what the device was acked (6)'
check_eq "the prefix did not move" 4 "$(q "SELECT contig_upto FROM devices WHERE epoch = '$E'")"
# Another site than the device's, in the topic or in the events.
pub pou/v1/or-east/cart-07/events "$(batch "$E" or-east 5 EAST)"
check "a topic naming another site than the device's is refused" wait_for 10 \
    rejected 'device cart-07 is enrolled at site or-west, not or-east'
pub "$EVENTS" "$(batch "$E" or-east 5 EAST2)"
check "an event naming another site than the topic's is refused" wait_for 10 \
    rejected 'location.site "or-east" is not the topic_s site or-west'
check "none of them stored" test "$(q "SELECT count(*) FROM events WHERE lot IN
    ('HUGE', 'EAST', 'EAST2')")" -eq 0

# Devices never seen: enrolled as first seen, audited; or refused.
pub pou/v1/or-west/cart-55/events "$(batch e55 or-west 1 N55)"
check "a device first seen is enrolled (enrol_first_seen = yes)" wait_for 10 lot_held N55
check "audited with who, before and after" test "$(q "SELECT by || '|' || what || '|'
    || before || '|' || after FROM audit WHERE what = 'enrolment cart-55'")" == \
    "pou-bridge (first seen)|enrolment cart-55||site=or-west state=enrolled"
stop_pid "$BRIDGE_PID"
sed -i 's/^\[rules\]/[devices]\nenrol_first_seen = no\n[rules]/' "$T/bridge.conf"
start_bridge
onlines() { test "$(grep -c 'connecting -> online' "$T/bridge.log")" -ge 2; }
wait_for 10 onlines
sleep 0.3	# subscribed
pub pou/v1/or-west/cart-66/events "$(batch e66 or-west 1 N66)"
check "with enrol_first_seen = no, an unknown device is refused and kept" \
    wait_for 10 rejected 'device cart-66 is not enrolled (pouctl devices enroll cart-66 or-west)'
"$B/pouctl" -b "$T/bridge.db" devices enroll cart-66 or-west --by it-alice > /dev/null
check "an operator enrols it, audited" test "$(q "SELECT by || '|' || after FROM audit
    WHERE what = 'enrolment cart-66'")" == "it-alice|site=or-west state=enrolled"
pub pou/v1/or-west/cart-66/events "$(batch e66 or-west 1 N66)"
check "then its events are taken" wait_for 10 lot_held N66
"$B/pouctl" -b "$T/bridge.db" devices retire cart-55 --by it-bob > /dev/null
pub pou/v1/or-west/cart-55/events "$(batch e55 or-west 2 N55B)"
check "a retired device is refused" wait_for 10 rejected 'device cart-55 is retired'
check "the retirement is audited, before and after" test "$(q "SELECT before || '>' || after
    FROM audit WHERE by = 'it-bob'")" == "site=or-west state=enrolled>site=or-west state=retired"
"$B/pouctl" -b "$T/bridge.db" devices > "$T/devices.txt"
check "pouctl devices lists them" grep -q '^cart-55 .*retired .* by it-bob' "$T/devices.txt"

# 5. An empty payload is kept, as every rejected message is.
mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -q 1 -t "$EVENTS" -n
empty_kept() { test "$(q "SELECT count(*) FROM rejects WHERE length(payload) = 0")" -eq 1; }
check "an empty payload is kept in rejects" wait_for 10 empty_kept
check "with its reason" rejected 'not JSON'
check "the bridge never failed to keep one" bash -c "! grep -q 'NOT NULL constraint' '$T/bridge.log'"
pub "$EVENTS" 'not json at all'
pub "$EVENTS" 'not json at all'
counted_twice() {
	test "$(q "SELECT count(*) || ' ' || max(count) FROM rejects
	    WHERE payload = CAST('not json at all' AS BLOB)")" == "1 2"
}
check "the same bad message twice is counted, not kept twice" wait_for 10 counted_twice
check "the bridge is alive" kill -0 "$BRIDGE_PID"
summary
