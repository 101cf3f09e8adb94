#!/usr/bin/env bash
# Runs every test: the cmocka unit programs (TAP output) and the system
# scripts, then prints one closing line "N passed, N failed" over all of them
# (", N skipped" when a test had nothing to run on, e.g. no shared/vectors).
# A program that dies without reporting a failure counts as one failure.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
export B
pass=0
fail=0
skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run() {	# run NAME COMMAND...
	local p f s rc
	echo "# $1"
	"${@:2}" > "$log" 2>&1
	rc=$?
	grep -E '^(not )?ok |^# agreement: ' "$log"
	# cmocka reports a skipped test as "not ok N # SKIP".
	s=$(grep -cE '^(not )?ok .*# SKIP' "$log")
	p=$(grep -E '^ok ' "$log" | grep -vc '# SKIP')
	f=$(grep -E '^not ok ' "$log" | grep -vc '# SKIP')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $1 exited with status $rc"
		tail -n 20 "$log" | sed 's/^/#   /'
	fi
	if [ "$f" -gt 0 ] && [ -n "${CI:-}" ]; then
		sed 's/^/#   /' "$log" | tail -n 60
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
}

for t in "$B"/test_*; do
	[ -x "$t" ] || continue
	run "$(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
done
for t in tests/faults/test_*.sh tests/system/test_*.sh; do
	run "$(basename "$t")" timeout 300 bash "$t"
done
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
