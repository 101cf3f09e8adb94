#!/usr/bin/env bash
# TLS and identity on a real mosquitto, with the shipped broker config and
# ACL and certificates made here: devices connect with their own client
# certificate; device A can neither publish as B nor read B's acks; no
# certificate, no connection.
set -u
source "$(dirname "$0")/lib.sh"

chmod 755 "$T"	# mosquitto drops root for its own user; it must read these

# A CA, the broker's certificate (localhost) and one per client (CN = id).
cert() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/$1.key" -out "$T/$1.csr" -subj "/CN=$1" 2>/dev/null &&
	openssl x509 -req -in "$T/$1.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" \
	    -CAcreateserial -out "$T/$1.crt" -days 2 ${2:+-extfile "$2"} \
	    2>/dev/null && chmod 644 "$T/$1.key"
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/ca.key" -out "$T/ca.crt" -days 2 -subj /CN=pou-test-ca 2>/dev/null
printf 'subjectAltName = DNS:localhost, IP:127.0.0.1\n' > "$T/san.ext"
check "certificates are made" eval 'cert broker "$T/san.ext" && cert cart-a &&
    cert cart-b && cert pou-bridge && cert nobody'

cp "$ROOT/configs/mosquitto/pou.acl" "$T/pou.acl"
sed -e "s|^listener 8883|listener $BROKER_PORT 127.0.0.1|" \
    -e "s|/etc/mosquitto/ca/pou-ca.crt|$T/ca.crt|" \
    -e "s|/etc/mosquitto/certs/broker|$T/broker|" \
    -e "s|/etc/mosquitto/pou.acl|$T/pou.acl|" \
    "$ROOT/configs/mosquitto/pou.conf" > "$T/mosquitto.conf"
echo "log_dest stderr" >> "$T/mosquitto.conf"
/usr/sbin/mosquitto -c "$T/mosquitto.conf" 2>> "$T/mosquitto.log" &
BROKER_PID=$!
PIDS+=($BROKER_PID)
check "the TLS broker starts with the shipped config" wait_for 10 port_open "$BROKER_PORT"

# mq ID pub|sub ARGS...: a client with ID's certificate.
mq() {
	local id=$1 verb=$2
	shift 2
	"mosquitto_$verb" -h localhost -p "$BROKER_PORT" --cafile "$T/ca.crt" \
	    --cert "$T/$id.crt" --key "$T/$id.key" "$@"
}
batch() {	# batch SEQ LOT: a valid events payload
	$PY -c 'import json, sys
seq, lot = int(sys.argv[1]), sys.argv[2]
ev = {"seq": seq, "at": 1795526699162, "boot": "b", "mono_ms": 1, "kind": "use",
      "qty": 1, "item": {"scheme": "gs1", "di": "00884521123451", "lot": lot,
      "serial": "", "expiry": "", "mfg": "", "raw": "]d2010088452112345110" + lot},
      "case": "", "patient": {"mrn": "", "encounter": ""}, "user": "",
      "location": {"site": "or-west", "room": "", "unit": ""}, "flags": [],
      "source": "test"}
print(json.dumps({"v": 1, "epoch": "e" + lot.lower(), "events": [ev]}))' "$@"
}

write_bridge_conf
sed -i "s|^\[mqtt\]|[mqtt]\nhost = localhost\ncafile = $T/ca.crt\ncertfile = $T/pou-bridge.crt\nkeyfile = $T/pou-bridge.key|" "$T/bridge.conf"
BILLING_OUTPUT=file
sed -i 's/^output = mllp/output = file/' "$T/bridge.conf"
start_bridge
check "the bridge connects with its certificate" \
    wait_for 10 logged "$T/bridge.log" 'connecting -> online'

DEVICE=cart-a
write_agent_conf
sed -i "s|^\[mqtt\]|[mqtt]\ncafile = $T/ca.crt\ncertfile = $T/cart-a.crt\nkeyfile = $T/cart-a.key|" "$T/agent.conf"
start_agent
scan ']d201008845211234511727063010TLS1' ']d201008845211234681727063010TLS2'
wait_for 10 recorded_is 2
check "the agent's events cross TLS and are acked" wait_for 15 unacked_is 0
check_eq "the bridge stored them under cart-a" 2 \
    "$(sql "$T/bridge.db" "SELECT count(*) FROM events WHERE device = 'cart-a'")"
# Its certificate ends in two days: an alarm, in status and at the bridge.
"$B/pouctl" -c "$T/agent.conf" status > "$T/status"
check "a certificate ending within 30 days: cert_expiring in pouctl status" \
    grep -q 'cert_expiring.*"days_left":[12]' "$T/status"
check "and at the bridge, in the cart's alarms" wait_for 10 sh -c \
    "'$B/pouctl' -b '$T/bridge.db' fleet show cart-a | grep -q cert_expiring"
check "and in the log" logged "$T/agent.log" 'cert: alarm: .*cart-a.crt expires in [12] days'
# Renewed (the same key, a year more), and the agent reloaded: cleared.
openssl x509 -req -in "$T/cart-a.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" \
    -CAcreateserial -out "$T/cart-a.crt" -days 400 2>/dev/null
kill -HUP "$AGENT_PID"
no_cert_alarm() {
	"$B/pouctl" -c "$T/agent.conf" status > "$T/status2" &&
	    grep -q '^epoch' "$T/status2" && ! grep -q cert_expiring "$T/status2"
}
check "renewed and reloaded: the alarm is cleared" wait_for 10 no_cert_alarm
bridge_clear() {
	"$B/pouctl" -b "$T/bridge.db" fleet show cart-a > "$T/show" &&
	    grep -q '^alarms' "$T/show" && ! grep -q cert_expiring "$T/show"
}
check "and at the bridge" wait_for 10 bridge_clear

# The shipped pou-cert-request: a key and CSR for the cart's id, signed by
# the CA, checked and installed; the agent then connects with them.
REQ="$ROOT/packaging/pou-cert-request"
check "pou-cert-request makes a key and a CSR for CN = the cart's id" sh -c \
    "'$REQ' -c '$T/agent.conf' -d '$T/tls' > /dev/null &&
     openssl req -in '$T/tls/cart-a.csr' -noout -subject | grep -q 'CN *= *cart-a'"
check "a certificate of another cart is refused" \
    eval '! "$REQ" -c "$T/agent.conf" -d "$T/tls" -i "$T/cart-b.crt" 2>/dev/null'
openssl x509 -req -in "$T/tls/cart-a.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" \
    -CAcreateserial -out "$T/signed.crt" -days 400 2>/dev/null
check "the signed one is installed" "$REQ" -c "$T/agent.conf" -d "$T/tls" \
    -i "$T/signed.crt"
check_eq "its key not world-readable" 640 "$(stat -c %a "$T/tls/cart-a.key")"
sed -i "s|^certfile = .*|certfile = $T/tls/cart-a.crt|; s|^keyfile = .*|keyfile = $T/tls/cart-a.key|" \
    "$T/agent.conf"
kill -HUP "$AGENT_PID"
reloads() { test "$(grep -c 'reload: configuration reloaded' "$T/agent.log")" -ge 2; }
wait_for 10 reloads	# the sim driver is opened again by then
scan ']d201008845211234511727063010TLS3'
check "the agent reconnects with it and is acked" wait_for 15 acked_all 3

check "no certificate, no connection" \
    eval '! mosquitto_pub -h localhost -p $BROKER_PORT --cafile $T/ca.crt \
    -t pou/v1/or-west/cart-a/events -m x -q 1 2>/dev/null'

# Device A publishing as device B is dropped by the broker.
mq cart-a pub -q 1 -t pou/v1/or-west/cart-b/events -m "$(batch 1 FORGED)"
sleep 1
check_eq "A cannot publish as B" 0 \
    "$(sql "$T/bridge.db" "SELECT count(*) FROM events WHERE device = 'cart-b'")"
check_eq "nor does the forged batch reach the bridge at all" 0 \
    "$(sql "$T/bridge.db" "SELECT count(*) FROM rejects")"

# Device A listening to B's acks hears nothing; B hears its own.
mq cart-a sub -t pou/v1/or-west/cart-b/ack -C 1 -W 6 > "$T/a-hears.txt" 2>/dev/null &
A_SUB=$!
mq cart-b sub -t pou/v1/or-west/cart-b/ack -C 1 -W 6 > "$T/b-hears.txt" 2>/dev/null &
B_SUB=$!
sleep 0.5
mq cart-b pub -q 1 -t pou/v1/or-west/cart-b/events -m "$(batch 1 REAL)"
wait "$B_SUB"
wait "$A_SUB"
check "B's own batch is stored and acked to B" grep -q '"upto":1' "$T/b-hears.txt"
check "A hears none of B's acks" test ! -s "$T/a-hears.txt"
check_eq "the bridge holds B's real event only" REAL \
    "$(sql "$T/bridge.db" "SELECT lot FROM events WHERE device = 'cart-b'")"
summary
