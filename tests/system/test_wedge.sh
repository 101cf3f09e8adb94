#!/usr/bin/env bash
# The keyboard-wedge driver reading evdev key events replayed by umockdev:
# GS as Ctrl+], as Alt+0029 and as a substitute character, shifted
# characters, and a fast double scan; checked in the agent's store.
set -u
source "$(dirname "$0")/lib.sh"

row() { sql "$T/agent.db" "SELECT $1 FROM events WHERE seq = $2"; }
count() { sql "$T/agent.db" 'SELECT count(*) FROM events' 2>/dev/null || echo 0; }
recorded_n() { test "$(count)" -ge "$1"; }

cat > "$T/wedge.umockdev" <<'DEV'
P: /devices/virtual/input/input5/event5
N: input/event5
E: DEVNAME=/dev/input/event5
E: SUBSYSTEM=input
E: ID_INPUT=1
E: ID_INPUT_KEYBOARD=1
A: dev=13:69\n

P: /devices/virtual/input/input5
E: SUBSYSTEM=input
A: name=Scanner Keyboard\n
DEV
GTIN=0100884521123451
$PY "$ROOT/tests/drivers/wedge_events.py" 1.0 \
    "ctrl:]d2${GTIN}1727063010CTRL1\x1d21S1" \
    "alt:]d2${GTIN}1727063010ALT2\x1d21S2" \
    "sub:]d2${GTIN}1727063010SUB3\x1d21S3" \
    "ctrl:]d2${GTIN}1727063010A!B%\x1d21Q4" \
    "ctrl:]C1${GTIN}10FAST5" \
    "ctrl:]C1${GTIN}10FAST6" > "$T/scan.events"
agent_conf "$T/agent.conf" cart-wedge '[driver.wedge0]' \
    'path = /dev/input/event5' 'gs_substitute = ~'
umockdev-run --device "$T/wedge.umockdev" \
    --evemu-events /dev/input/event5="$T/scan.events" -- \
    sh -c 'echo $$ > "$1/agent.pid"; exec "$2" -c "$1/agent.conf"' sh "$T" \
    "$B/pou-agent" > "$T/agent.log" 2>&1 &
PIDS+=($!)
wait_for 10 test -s "$T/agent.pid"
AGENT_PID=$(cat "$T/agent.pid")
check "six scans typed are six events" wait_for 15 recorded_n 6
stop_pid "$AGENT_PID"

check "the device was grabbed" logged "$T/agent.log" 'wedge0: /dev/input/event5 open and grabbed'
check_eq "GS as Ctrl+]: lot ends at the GS" CTRL1 "$(row lot 1)"
check_eq "and the serial after it" S1 "$(row serial 1)"
check_eq "GS as Alt+0029 on the keypad" ALT2 "$(row lot 2)"
check_eq "GS as the substitute character" SUB3 "$(row lot 3)"
check_eq "raw holds a real GS byte" 1 "$(row "instr(raw, char(29)) > 0" 3)"
check_eq "shifted characters" 'A!B%' "$(row lot 4)"
check_eq "a fast double scan: the first" FAST5 "$(row lot 5)"
check_eq "a fast double scan: the second" FAST6 "$(row lot 6)"
check_eq "nothing refused" 0 "$(grep -c 'scan refused' "$T/agent.log")"
summary
