#!/usr/bin/env bash
# The central view: three carts and the bridge on one mosquitto. The
# registry (pouctl fleet ls, show) fills from the carts' status and
# telemetry; a recall list sent with pouctl fleet send reaches the two
# carts online; the third, off at the push, is listed offline and pending,
# gets it when it comes back (the bridge sends it again at its birth) and
# stops the lot on its first scan; then fleet status shows three
# successful and fleet ls --behind none.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fleet_carts.sh"

start_ready() { start_cart "$1" && wait_for 10 has_fifo "$1"; }

start_broker
start_bridge
for i in 1 2 3; do
	start_ready $i
	cart_scan $i 'USER:N1' 'CASE:C1' "$(item $SCREW L$i)"
done
for i in 1 2 3; do
	check "cart-$i: its first event is at the bridge (enrolled)" \
	    wait_for 15 at_bridge $i 1
	check "cart-$i: in the registry, online" wait_for 15 registry_shows reg_online $i
done
shows() { fleet show "$1" > "$T/show" && grep -q -- "$2" "$T/show"; }
check "fleet show: the cart's version" wait_for 10 shows cart-1 '^version  *[0-9]'
check "fleet show: its recall list version, from its telemetry" wait_for 15 \
    shows cart-1 "^recalls  *$(sha256sum "$ROOT/configs/recalls.csv" | cut -c1-12)"

stop_pid "${CART[3]}"
check "cart-3 stopped: the registry says offline" wait_for 10 registry_shows reg_offline 3
fleet ls --offline > "$T/off"
check "fleet ls --offline lists it alone" test "$(grep -c '^cart-' "$T/off")" -eq 1 \
    -a -n "$(grep '^cart-3 ' "$T/off")"

printf 'di,lot,serial,recall_id,reason\n%s,LOT9,,R-9,"urgent"\n' $SCREW > "$T/urgent.csv"
"$B/pouctl" fleet sign-set --key "$KEY" --aud "$SITE" recalls "$T/urgent.csv" > "$T/urgent.jws"
ID=$(sed -n 's/^\(recalls-[0-9a-f]*-[0-9a-f]*-1-1\) .*/\1/p' <(fleet send "$T/urgent.jws" --by it-oncall))
check "fleet send queues it" test -n "$ID"
fleet send "$T/urgent.jws" > "$T/again"
check "sending the same command again is said so" grep -q 'was sent before' "$T/again"
"$B/pouctl" fleet sign-set --key "$KEY" --aud east recalls "$T/urgent.csv" > "$T/east.jws"
fleet send "$T/east.jws" > "$T/east"
EAST=$(sed -n 's/^\(recalls-[0-9a-f]*-[0-9a-f]*-1-1\) .*/\1/p' "$T/east")
check "the same file for another site is a command of its own" \
    test -n "$EAST" -a "$EAST" != "$ID" -a -z "$(grep 'was sent before' "$T/east")"
for i in 1 2; do
	check "cart-$i: the recall list installed" wait_for 15 \
	    logged "$T/c$i/agent.log" 'fleet: recalls version .* installed'
done
says() { fleet status "$ID" > "$T/st" && grep -q -- "$1" "$T/st"; }
check "fleet status: two successful, cart-3 pending" wait_for 10 \
    says '^2 successful, 0 failed, 0 under way, 1 pending'
check "and which is pending" grep -q '^  cart-3  *pending' "$T/st"
check "fleet status names who sent it" grep -q '^sent by  it-oncall' "$T/st"
check "fleet ls --behind: cart-3" wait_for 15 sh -c \
    "'$B/pouctl' -b '$T/bridge.db' fleet ls --behind | grep -q '^1 carts behind'"

start_ready 3
check "cart-3 back: the bridge sends it what it missed" wait_for 15 \
    logged "$T/bridge.log" 'cart-3 online: 1 commands sent again'
check "cart-3 installs it" wait_for 15 \
    logged "$T/c3/agent.log" 'fleet: recalls version .* installed'
cart_scan 3 "$(item $SCREW LOT9)"
check "and stops the lot on its first scan after coming back" wait_for 5 \
    logged "$T/c3/agent.log" 'RECALLED (R-9)'
check_eq "not recorded" 1 "$(cart_seq 3)"
check "fleet status: three successful" wait_for 10 \
    says '^3 successful, 0 failed, 0 under way, 0 pending'
check "fleet ls --behind: none" wait_for 15 sh -c \
    "'$B/pouctl' -b '$T/bridge.db' fleet ls --behind | grep -q '^0 carts behind'"
check_eq "each cart's terminal result is stored once" 3 \
    "$(q "SELECT count(*) FROM fleet_results WHERE id = '$ID' AND state = 'successful'")"
summary
