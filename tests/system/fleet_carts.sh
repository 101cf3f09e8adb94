# Many carts on one host, for test_fleet_central.sh, test_fleet_many.sh and
# tests/bench/fleet.sh:
# each cart N its own dir $T/cN (conf, store, log, scanner fifo) on the
# broker, with a fleet key made here. Source it after lib.sh.

SITE=or-west
SCREW=00884521123451
item() { printf ']d201%s17%s10%s' "$1" 270630 "$2"; }
fleet() { "$B/pouctl" -b "$T/bridge.db" fleet "$@"; }
mkdir -m 700 "$T/keys"
"$B/pouctl" fleet keygen "$T/keys" > /dev/null
KEY=$(ls "$T"/keys/fleet-*.key)
PUB=$(ls "$T"/keys/fleet-*.pub)

cart_conf() {	# cart_conf N
	mkdir -p "$T/c$1"
	cat > "$T/c$1/agent.conf" <<-CONF
	[device]
	site = $SITE
	id = cart-$1
	state_file = $T/c$1/agent.state
	[store]
	path = $T/c$1/agent.db
	quota_mb = 2
	[mqtt]
	port = $BROKER_PORT
	keepalive = 5
	telemetry_s = 5
	backoff_min_ms = 100
	backoff_max_ms = 1000
	[session]
	assembly_window_ms = 0
	[reference]
	recalls = $ROOT/configs/recalls.csv
	[fleet]
	keys = $PUB
	[driver.sim0]
	path = $T/c$1/scan.fifo
	CONF
}
declare -A CART
start_cart() {	# start_cart N: in the background, without waiting
	[ -f "$T/c$1/agent.conf" ] || cart_conf "$1"
	"$B/pou-agent" -c "$T/c$1/agent.conf" >> "$T/c$1/agent.log" 2>&1 &
	CART[$1]=$!
	PIDS+=("$!")
}
cart_scan() { printf '%s\n' "${@:2}" > "$T/c$1/scan.fifo"; }
cart_seq() { sql "$T/c$1/agent.db" 'SELECT last_seq FROM state'; }

# every PRED CARTS...: a predicate, PRED N holds for each cart N; the
# carts it does not hold for are left in $MISSING.
MISSING=
every() {
	local pred=$1 i
	shift
	MISSING=
	for i in "$@"; do
		"$pred" "$i" || MISSING+=" cart-$i"
	done
	[ -z "$MISSING" ]
}
has_fifo() { test -p "$T/c$1/scan.fifo"; }
installed() { logged "$T/c$1/agent.log" 'fleet: recalls version .* installed'; }
at_bridge() {	# at_bridge N COUNT: the bridge has COUNT of cart-N's events
	test "$(q "SELECT count(*) FROM events WHERE device = 'cart-$1'")" = "$2"
}
at_bridge_1() { at_bridge "$1" 1; }
# The registry: fleet ls into $T/ls, then PRED on each cart.
reg_state() { grep -q "^cart-$2  *$SITE  *$1 " "$T/ls"; }
reg_online() { reg_state online "$1"; }
reg_offline() { reg_state offline "$1"; }
registry_shows() { fleet ls > "$T/ls" 2>/dev/null && every "$@"; }
