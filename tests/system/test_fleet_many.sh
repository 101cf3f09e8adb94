#!/usr/bin/env bash
# test_fleet_central.sh at scale: FLEET_CARTS (50) real carts and the
# bridge on one mosquitto. Each cart scans once (enrolled at the bridge);
# FLEET_OFFLINE (10) of them are stopped; an urgent recall list is pushed
# with pouctl fleet send while some carts go on scanning good items (all
# recorded). Each online cart installs it and stops the lot; fleet status
# says how many are successful and names the others pending, fleet ls
# --offline lists them. Started again, each gets it from the bridge at its
# birth, installs it and stops the lot on its first scan; then fleet status
# has every cart successful, none pending, fleet ls --behind none and the
# registry every cart on the pushed version.
set -u
source "$(dirname "$0")/lib.sh"

N=${FLEET_CARTS:-50}
OFF=${FLEET_OFFLINE:-10}
ON=$((N - OFF))
SCANNING=$((ON < 10 ? ON : 10))	# carts that scan during the push
BILLING_OUTPUT=file	# no billing receiver: the events stay in the files
source "$(dirname "$0")/fleet_carts.sh"

# check_every DESC SECONDS PRED CARTS...: PRED holds for each cart in
# time, or the carts it does not hold for are said; check_registry the same
# on the registry (fleet ls, read again each time).
check_every() { check_all "$1" "$2" every "${@:3}"; }
check_registry() { check_all "$1" "$2" registry_shows "${@:3}"; }
check_all() {
	local d=$1 s=$2
	shift 2
	if wait_for "$s" "$@"; then ok "$d"; else
		not_ok "$d"
		echo "#   not for:$MISSING"
	fi
}
online_carts() { seq 1 "$ON"; }
offline_carts() { seq $((ON + 1)) "$N"; }
seq_is_1() { test "$(cart_seq "$1")" = 1; }
stopped_lot9() { logged "$T/c$1/agent.log" 'RECALLED (R-9)'; }
resent() { logged "$T/bridge.log" "cart-$1 online: 1 commands sent again"; }
t0=$SECONDS

start_broker
start_bridge
for i in $(seq 1 "$N"); do
	start_cart "$i"
done
check_every "all $N carts started (their scanners open)" 30 has_fifo \
    $(seq 1 "$N")
for i in $(seq 1 "$N"); do
	cart_scan "$i" 'USER:N1' 'CASE:C1' "$(item $SCREW L$i)"
done
check_every "each cart's first scan recorded" 30 seq_is_1 $(seq 1 "$N")
check_every "and at the bridge (enrolled)" 60 at_bridge_1 $(seq 1 "$N")
check_registry "the registry has every cart online" 30 \
    reg_online $(seq 1 "$N")

for i in $(offline_carts); do
	stop_pid "${CART[$i]}"
done
check_registry "$OFF carts stopped: the registry says offline" 15 \
    reg_offline $(offline_carts)
fleet ls --offline > "$T/off"
check_eq "fleet ls --offline lists them alone" \
    "$(offline_carts | sed 's/^/cart-/' | sort)" \
    "$(awk '/^cart-/ {print $1}' "$T/off" | sort)"

printf 'di,lot,serial,recall_id,reason\n%s,LOT9,,R-9,"urgent"\n' $SCREW \
    > "$T/urgent.csv"
"$B/pouctl" fleet sign-set --key "$KEY" --aud "$SITE" recalls \
    "$T/urgent.csv" > "$T/urgent.jws"

# Scanning goes on during the push: some carts scan a good item every
# 0.2 s from just before the send until a scan after their install (at
# most 60), the count written kept in goods, the count before the install
# in before.
scan_through_push() {	# scan_through_push N
	local k=0 b=
	while [ $k -lt 60 ]; do
		installed "$1" && [ -z "$b" ] && b=$k
		[ -n "$b" ] && [ $k -gt "$b" ] && break
		cart_scan "$1" "$(item $SCREW G$k)"
		k=$((k + 1))
		sleep 0.2
	done
	echo $k > "$T/c$1/goods"
	echo "${b:-$k}" > "$T/c$1/before"
}
SCANNERS=()
for i in $(seq 1 "$SCANNING"); do
	scan_through_push "$i" &
	SCANNERS+=($!)
done
fleet send "$T/urgent.jws" --by test > "$T/sent"
ID=$(sed -n 's/^\(recalls-[0-9a-f]*-[0-9a-f]*-1-1\) .*/\1/p' "$T/sent")
VER=$(echo "$ID" | sed 's/^recalls-\([0-9a-f]*\)-.*/\1/' | cut -c1-12)
check "fleet send queues it" test -n "$ID"
check_every "the $ON carts online install it" 60 installed $(online_carts)
for p in "${SCANNERS[@]}"; do
	wait "$p"
done
goods_recorded() {	# every good scan recorded, the first one too
	test "$(cart_seq "$1")" = $((1 + $(cat "$T/c$1/goods")))
}
scanned_across() {	# good scans both before and after its install
	local b
	b=$(cat "$T/c$1/before")
	[ "$b" -gt 0 ] && [ "$(cat "$T/c$1/goods")" -gt "$b" ]
}
check_every "scans during the push at $SCANNING carts all recorded" 15 \
    goods_recorded $(seq 1 "$SCANNING")
goods_at_bridge() { at_bridge "$1" $((1 + $(cat "$T/c$1/goods"))); }
check_every "and at the bridge" 30 goods_at_bridge $(seq 1 "$SCANNING")
check_every "and they scanned before and after the install" 1 \
    scanned_across $(seq 1 "$SCANNING")
echo "# good scans during the push:" "$(awk '{n += $1} END {print n}' \
    $(seq -f "$T/c%g/goods" 1 "$SCANNING"))"

for i in $(online_carts); do
	cart_scan "$i" "$(item $SCREW LOT9)"
done
check_every "each online cart stops LOT9 (RECALLED (R-9))" 30 stopped_lot9 \
    $(online_carts)
seq_unchanged() {
	local g=0
	[ "$1" -le "$SCANNING" ] && g=$(cat "$T/c$1/goods")
	test "$(cart_seq "$1")" = $((1 + g))
}
check_every "and records none of them" 1 seq_unchanged $(online_carts)

says() { fleet status "$ID" > "$T/st" && grep -q -- "$1" "$T/st"; }
check "fleet status: $ON successful, $OFF pending" wait_for 20 \
    says "^$ON successful, 0 failed, 0 under way, $OFF pending"
check_eq "and the pending are the carts that are off" \
    "$(offline_carts | sed 's/^/cart-/' | sort)" \
    "$(awk '$2 == "pending" {print $1}' "$T/st" | sort)"
check "fleet status names who sent it" grep -q '^sent by  test' "$T/st"
behind() {	# behind N: fleet ls --behind says N carts
	fleet ls --behind > "$T/behind" 2>/dev/null &&
	    grep -q "^$1 carts behind the newest recall list ($VER)" \
	    "$T/behind"
}
check "fleet ls --behind: the $OFF carts" wait_for 20 behind "$OFF"

for i in $(offline_carts); do
	start_cart "$i"
done
check_every "the $OFF back: the bridge sends each what it missed" 30 \
    resent $(offline_carts)
check_every "each installs it" 30 installed $(offline_carts)
for i in $(offline_carts); do
	cart_scan "$i" "$(item $SCREW LOT9)"
done
check_every "and stops LOT9 on its first scan after coming back" 15 \
    stopped_lot9 $(offline_carts)
check_every "not recorded" 1 seq_is_1 $(offline_carts)

check "fleet status: $N successful, 0 pending" wait_for 20 \
    says "^$N successful, 0 failed, 0 under way, 0 pending"
check "fleet ls --behind: none" wait_for 20 behind 0
on_pushed() { grep -q "^cart-$1  *$SITE  *online .* $VER  *[-a-zA-Z]" "$T/ls"; }
check_registry "the registry: every cart online, on the pushed list" 20 \
    on_pushed $(seq 1 "$N")
check_eq "each cart's terminal result is stored once" "$N" \
    "$(q "SELECT count(*) FROM fleet_results WHERE id = '$ID' AND
    state = 'successful'")"
check_eq "no event of lot LOT9 at the bridge" 0 \
    "$(q "SELECT count(*) FROM events WHERE lot = 'LOT9'")"
echo "# $N carts, $OFF off at the push: $((SECONDS - t0)) s"
summary
