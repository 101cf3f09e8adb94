#!/usr/bin/env bash
# The commands as a new user meets them: pouctl's help, a verb it does not
# know, a bad option, a missing file; the daemons' -n with missing files
# and several errors at once; log lines with a date.
set -u
source "$(dirname "$0")/lib.sh"

# run OUT CMD...: stdout and stderr of CMD into OUT, its status into RC.
run() { local out=$1; shift; "$@" > "$out" 2>&1; RC=$?; }
says() { grep -q -- "$2" "$1"; }

run "$T/h" "$B/pouctl" -h
check "pouctl -h is the help, not an error" test "$RC" -eq 0
check "and says what the commands are" says "$T/h" '^commands:'
run "$T/f" "$B/pouctl" -c /nonexistent/agent.conf frobnicate
check_eq "an unknown command exits 2" 2 "$RC"
check "and is named, before any configuration is read" \
    test "$(cat "$T/f")" == 'pouctl: unknown command "frobnicate" (pouctl --help lists them)'
run "$T/b" "$B/pouctl" -s "$T/none.db" status --bogus
check_eq "a bad option to a command exits 2" 2 "$RC"
check "naming the option, not printing the whole usage" \
    test "$(wc -l < "$T/b")" -eq 1 -a -n "$(grep -- '--bogus' "$T/b")"
run "$T/x" "$B/pouctl" -x status
check "an unknown option is named" says "$T/x" 'pouctl: unknown option -x'
run "$T/s" "$B/pouctl" -s "$T/none.db" status
check "a missing store is named as missing" says "$T/s" \
    "pouctl: cannot read the store $T/none.db (No such file or directory)"
check "a person's messages carry no time stamp" test "$(grep -c '^pouctl: ' "$T/s")" -eq "$(wc -l < "$T/s")"
printf 'di,code\n' > "$T/bad.csv"
printf '[reference]\nchargemaster = %s\n' "$T/bad.csv" > "$T/bridge-ref.conf"
run "$T/r" "$B/pouctl" -B "$T/bridge-ref.conf" refdata validate chargemaster "$T/bad.csv"
check "reference-file errors are pouctl's" says "$T/r" "^pouctl: $T/bad.csv"

# The bridge's database, through pouctl.
run "$T/e" "$B/pouctl" -b "$T/none-bridge.db" exceptions
check "a missing bridge database is named as missing" says "$T/e" \
    "pouctl: cannot open the bridge's database $T/none-bridge.db (No such file or directory)"
check "and is not created by looking" test ! -e "$T/none-bridge.db"
run "$T/dv" "$B/pouctl" -b "$T/bridge.db" devices enroll cart-1 or-3 --by it
check "devices enroll makes the database before the bridge's first start" \
    says "$T/dv" '^cart-1 enrolled at or-3 by it$'
run "$T/rp" "$B/pouctl" -b "$T/bridge.db" report 2026-13-45
check_eq "report refuses a day that is none" 2 "$RC"
run "$T/rd" "$B/pouctl" -b "$T/bridge.db" replay --all --dest nowhere
check_eq "replay refuses a destination that is none" 2 "$RC"
check "and lists the ones there are" says "$T/rd" 'billing|erp|replenish|export'
run "$T/rx" "$B/pouctl" -b "$T/bridge.db" exceptions release 7 --by it
check_eq "releasing an exception that is none exits 1" 1 "$RC"
check "saying which states can be released" says "$T/rx" \
    'nothing was released (only an exception that is open or resolved can be)'
run "$T/rq" "$B/pouctl" -b "$T/bridge.db" exceptions resolve 7 colour=red
check_eq "resolve refuses a field a person may not supply" 2 "$RC"
run "$T/rr" "$B/pouctl" -b "$T/bridge.db" report 2026-11-24
check "an empty day balances" says "$T/rr" '^balances'

# The daemons' -n.
printf '[device]\nsite = s\nid = d\n[reference]\ncatalog = %s/nope.csv\n[driver.sim0]\npath = %s/f\n' \
    "$T" "$T" > "$T/agent.conf"
run "$T/a" "$B/pou-agent" -n -c "$T/agent.conf"
check "pou-agent -n fails when its catalog is missing" test "$RC" -ne 0
check "naming it" says "$T/a" "\[reference\] catalog = $T/nope.csv: No such file or directory"
printf '[billing]\noutput = bogus\n[reference]\nchargemaster = %s/nope.csv\n' "$T" > "$T/bridge.conf"
run "$T/br" "$B/pou-bridge" -n -c "$T/bridge.conf"
check "pou-bridge -n: a configuration error" says "$T/br" 'output "bogus" is not mllp'
check "and a reference-file error, in the same run" says "$T/br" "$T/nope.csv: No such file or directory"
printf '[device]\nsite = s\nid = d\n[store]\npath = %s/no/dir/agent.db\n[driver.sim0]\npath = %s/f\n' \
    "$T" "$T" > "$T/agent2.conf"
run "$T/a2" timeout 10 "$B/pou-agent" -c "$T/agent2.conf"
check "a missing store directory is said so" says "$T/a2" \
    "cannot open the store $T/no/dir/agent.db (No such file or directory)"
check "a daemon's log line carries the date" says "$T/a2" \
    '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:.]*Z pou-agent: '
summary
