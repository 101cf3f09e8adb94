#!/usr/bin/env bash
# The serial driver on a pseudo-terminal: fragmented writes, a scan without
# its suffix, a 100 kB line, a hang-up and the device coming back.
set -u
source "$(dirname "$0")/lib.sh"

row() { sql "$T/agent.db" "SELECT $1 FROM events WHERE seq = $2"; }

$PY "$ROOT/tests/drivers/serial_scanner.py" "$T/ttyScanner" > "$T/player.log" 2>&1 &
PIDS+=($!)
PLAYER_PID=$!
wait_for 10 logged "$T/player.log" ready
agent_conf "$T/agent.conf" cart-serial '[driver.serial0]' \
    "path = $T/ttyScanner" 'baud = 115200' 'suffix = \r'
"$B/pou-agent" -c "$T/agent.conf" > "$T/agent.log" 2>&1 &
AGENT_PID=$!
PIDS+=($AGENT_PID)
wait_for 10 logged "$T/agent.log" "serial0: $T/ttyScanner open"
touch "$T/ttyScanner.go"
check "the player finishes" wait_for 30 logged "$T/player.log" done
stop_pid "$AGENT_PID"

check_eq "a scan in three fragments is one scan" FRAG1 "$(row lot 1)"
check_eq "with its AIM id" "]d2" "$(row 'substr(raw,1,3)' 1)"
check "data without the suffix is reported, not guessed" \
    logged "$T/agent.log" 'serial0: 29 bytes without the configured suffix dropped'
check "a 100 kB line is dropped, bounded" \
    logged "$T/agent.log" 'serial0: a scan longer than 512 bytes; dropped to its suffix'
check_eq "the scan after it is read" SERIAL3 "$(row lot 2)"
check "the hang-up is logged" logged "$T/agent.log" "serial0: $T/ttyScanner hung up; reopening"
check "and the device is reopened" \
    test "$(grep -c "serial0: $T/ttyScanner open" "$T/agent.log")" -ge 2
check_eq "the scan after the hang-up is read" AFTER "$(row lot 3)"
check_eq "exactly three events" 3 "$(sql "$T/agent.db" 'SELECT count(*) FROM events')"
summary
