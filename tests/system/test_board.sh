#!/usr/bin/env bash
# The board, in the agent: configs/boards/cart-v2.conf driving its two
# LEDs in a fake sysfs tree (a directory as led_root; its GPIO buzzer is
# left out: this machine has no GPIO simulator, see test_board.c). A
# sampler reads the brightness files every 5 ms and counts pulses: offline
# holds red; ok is one green pulse; warn two amber (green and red) pulses;
# stop five red ones; context one short green.
set -u
source "$(dirname "$0")/lib.sh"

L=$T/leds
for l in pou:green:status pou:red:status; do
	mkdir -p "$L/$l"
	echo 0 > "$L/$l/brightness"
	echo 1 > "$L/$l/max_brightness"
done
sed -e "s|^led_root = .*|led_root = $L|" -e '/^\[output.buzzer\]/,+1d' \
    -e 's/^outputs = \(.*\) buzzer$/outputs = \1/' \
    "$ROOT/configs/boards/cart-v2.conf" > "$T/board.conf"
red() { test "$(cat "$L/pou:red:status/brightness")" = "$1"; }

# pulses SECONDS SCAN: "green red" rises seen after SCAN goes in.
pulses() {
	$PY - "$L" "$1" "$T/scan.fifo" "$2" <<'PY'
import sys, time
root, secs, fifo, scan = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
leds = ["pou:green:status", "pou:red:status"]
def read(l):
    with open(f"{root}/{l}/brightness") as f:
        return f.read().strip() not in ("", "0")
was = [read(l) for l in leds]
rises = [0, 0]
with open(fifo, "w") as f:
    f.write(scan + "\n")
end = time.monotonic() + secs
while time.monotonic() < end:
    for i, l in enumerate(leds):
        on = read(l)
        rises[i] += on and not was[i]
        was[i] = on
    time.sleep(0.005)
print(rises[0], rises[1])
PY
}

write_agent_conf
sed -i "s|^\[session\]|[session]\nassembly_window_ms = 0|" "$T/agent.conf"
sed -i '/^assembly_window_ms = 3000$/d' "$T/agent.conf"
printf '[board]\nbackend = hardware\ndescription = %s\n' "$T/board.conf" >> "$T/agent.conf"
start_agent
check "no broker: the offline state holds red" wait_for 5 red 1
start_broker
check "online: red goes out" wait_for 10 red 0

check_eq "context: one short green" "1 0" "$(pulses 1 'CASE:C-9')"
check_eq "ok: one green" "1 0" \
    "$(pulses 1.5 ']d201008845211234511727063010OK1')"
check_eq "warn (no lot): two amber" "2 2" "$(pulses 1.5 ']d20100884521123505')"
check_eq "stop (an unreadable scan): five red" "0 5" "$(pulses 1.5 'garbage')"
summary
