# Shared by feedback.sh and fleet_scan.sh: a board whose green LED is a
# file in a fake sysfs tree ($L/g/brightness), lit once for ok and warn,
# in $T/board.conf. Source it after lib.sh.
L=$T/leds
mkdir -p "$L/g"
echo 0 > "$L/g/brightness"
echo 1 > "$L/g/max_brightness"
printf '[board]\nled_root = %s\n[output.green]\nled = g\n' "$L" > "$T/board.conf"
for s in ok warn; do
	printf '[signal.%s]\noutputs = green\npulses = 1\non_ms = 20\n' "$s" \
	    >> "$T/board.conf"
done
