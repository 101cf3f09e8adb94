#!/usr/bin/env bash
# A cart whose store went back in time: its -wal lost after a kill -9.
# A: the mark file beside the store still names the last seq: at start the
#    agent sees it, starts a new epoch with the alarm, and no new scan is
#    ever taken for a resend of what the bridge holds.
# B: the mark file is gone too and the cart scans offline under re-used
#    seqs: the bridge's answer to its birth is the proof, the bridge keeps
#    the re-used identities as conflicts (never a resend), and the cart
#    sends those scans again under a new epoch: none lost, none doubled.
set -u
source "$(dirname "$0")/lib.sh"

BILLING_OUTPUT=file
item() { printf ']d201008845211234511727063010%s' "$1"; }
epoch() { sql "$T/agent.db" 'SELECT epoch FROM state'; }
lots_at_bridge() { sql "$T/bridge.db" "SELECT count(*) FROM events WHERE lot = '$1'"; }
at_bridge() { test "$(lots_at_bridge "$1")" -eq 1; }
checkpoint() { sql "$T/agent.db" 'PRAGMA wal_checkpoint(TRUNCATE)' > /dev/null; }
scans() { local i; for i in "$@"; do scan "$(item "$i")"; done; }

start_broker
start_bridge
start_agent
scans W1 W2 W3 W4 W5
check "five scans are acked" wait_for 15 acked_all 5
checkpoint		# the main file holds seq 5 now; 6.. live in the WAL
scans W6 W7 W8 W9 W10
check "five more are acked" wait_for 15 acked_all 10
stop_pid "$BRIDGE_PID"
scans W11 W12 W13	# recorded, never sent: they go with the WAL
wait_for 10 recorded_is 13
E1=$(epoch)
stop_pid "$AGENT_PID" KILL
rm -f "$T/agent.db-wal"

# A. The mark file is the witness.
start_agent
check "at start the store is seen to have gone back" wait_for 10 logged \
    "$T/agent.log" 'the store went back in time (local: its mark file names seq 13, the store.s counter 5)'
E2=$(epoch)
check "a new epoch" test "$E2" != "$E1"
check "the retained alarm counts the 8 lost here" test "$(sql "$T/agent.db" \
    "SELECT json_extract(detail, '$.lost_here') || ' ' || json_extract(detail, '$.old_epoch')
    FROM alarms WHERE kind = 'store_rolled_back'")" == "8 $E1"
start_bridge
scans W14 W15
check "new scans reach the bridge, not taken for resends" wait_for 15 at_bridge W15
check "both of them" at_bridge W14
check "under the new epoch, seqs 1 and 2" test "$(sql "$T/bridge.db" \
    "SELECT group_concat(seq) FROM events WHERE epoch = '$E2'")" == "1,2"
check "the bridge saw no conflict" test "$(sql "$T/bridge.db" 'SELECT count(*) FROM conflicts')" -eq 0
for i in 1 2 3 4 5 6 7 8 9 10; do
	at_bridge "W$i" || not_ok "W$i, acked before the loss, is at the bridge"
done
check "the cart is acked again" wait_for 15 unacked_is 0

# B. No mark file, and scans offline before the bridge is heard.
checkpoint
scans W16 W17 W18	# E2:3..5
check "three more are acked" wait_for 15 acked_all 5
stop_pid "$AGENT_PID" KILL
rm -f "$T/agent.db-wal" "$T/agent.db-mark"
stop_broker
start_agent
check "with no witness at hand the epoch stays" test "$(epoch)" == "$E2"
scans W19 W20		# E2:3 and E2:4 again, other content
wait_for 10 recorded_is 4
start_broker
check "the bridge's mark is the proof" wait_for 15 logged "$T/agent.log" \
    'the store went back in time (bridge: the bridge holds seq 5, the store.s counter 4)'
check "the scans made offline reach the bridge" wait_for 20 at_bridge W20
check "both" at_bridge W19
check "as new identities of a third epoch" test "$(sql "$T/bridge.db" \
    "SELECT count(*) FROM events WHERE lot IN ('W19', 'W20') AND epoch NOT IN ('$E1', '$E2')")" -eq 2
check_eq "the re-used identities are kept as conflicts, with their content" "W19 W20" \
    "$(sql "$T/bridge.db" "SELECT group_concat(json_extract(event, '$.events[0].item.lot'), ' ')
    FROM (SELECT event FROM conflicts WHERE epoch = '$E2' ORDER BY seq)")"
check_eq "each in the exception queue, open, noted where its content went" 2 \
    "$(sql "$T/bridge.db" "SELECT count(*) FROM exceptions WHERE rule = 'identity_conflict'
    AND state = 'open' AND note LIKE '%arrived again as cart-07:%'")"
check "the bridge raised the alarm" test "$(sql "$T/bridge.db" \
    "SELECT count(*) FROM alarms WHERE kind = 'identity_conflict'")" -eq 1
check "what the bridge held under them is untouched" test "$(sql "$T/bridge.db" \
    "SELECT group_concat(lot) FROM (SELECT lot FROM events WHERE epoch = '$E2' ORDER BY seq)")" \
    == "W14,W15,W16,W17,W18"
check "the cart drains" wait_for 15 unacked_is 0

# C. More scans after going back than it lost, one event per batch: the
# bridge's mark (5) is no proof then, the conflicts are, and an event past
# the first conflict must not be stored under the old identity and again
# under the new one.
checkpoint
E3=$(epoch)
scans W21 W22 W23	# E3:3..5
check "three more are acked" wait_for 15 acked_all 5
stop_pid "$AGENT_PID" KILL
rm -f "$T/agent.db-wal" "$T/agent.db-mark"
stop_broker
sed -i 's/^\[mqtt\]/[mqtt]\nbatch_max = 1/' "$T/agent.conf"
start_agent
scans W24 W25 W26 W27	# E3:3..6 again, other content
wait_for 10 recorded_is 6
start_broker
check "the scans made offline reach the bridge" wait_for 30 at_bridge W27
for l in W24 W25 W26; do
	check "$l too, once" at_bridge "$l"
done
check "the cart drains" wait_for 20 unacked_is 0
check_eq "W21-23 are untouched under E3" "W21,W22,W23" "$(sql "$T/bridge.db" \
    "SELECT group_concat(lot) FROM (SELECT lot FROM events WHERE epoch = '$E3' AND seq >= 3 ORDER BY seq)")"
check_eq "nothing stored twice: every lot once" 0 \
    "$(sql "$T/bridge.db" 'SELECT count(*) FROM (SELECT lot FROM events GROUP BY lot HAVING count(*) > 1)')"
check_eq "every beeped scan the cart still had is at the bridge (W11-13 went with the WAL)" 24 \
    "$(sql "$T/bridge.db" 'SELECT count(DISTINCT lot) FROM events')"
summary
