#!/usr/bin/env bash
# The tests themselves: `wait_for N test "$(cmd)"` runs cmd once, before
# waiting, so the check sees one value and either passes at once or times
# out; a condition to wait for must be a function that reads the state each
# time (a predicate, as lib.sh's unacked_is). This has bitten twice. And
# the C's 80 columns.
set -u
source "$(dirname "$0")/lib.sh"

cd "$ROOT"
# Continued lines joined first: "wait_for 10 test \<newline> "$(...)"" too.
once=$(for f in tests/system/*.sh tests/bench/*.sh; do
	[ "$f" = tests/system/test_lint.sh ] && continue
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$f" |
	    grep -E 'wait_for [0-9]+ (test|\[) [^|;]*\$\(' | sed "s|^|$f: |"
done)
check "no wait_for evaluates its condition only once" test -z "$once"
[ -z "$once" ] || printf '#   %s\n' "$once"

# The house style's 80 columns (tabs as 8), in every C file git knows.
wide=$(git ls-files '*.c' '*.h' | while read -r f; do
	expand -t8 "$f" | awk -v f="$f" 'length > 80 { print f ":" NR }'
done)
check "no C line is over 80 columns" test -z "$wide"
[ -z "$wide" ] || printf '#   %s\n' $wide
summary
