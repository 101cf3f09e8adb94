#!/usr/bin/env bash
# Two-symbol labels through the agent's pipeline: halves join within the
# window, a wrong secondary is refused, a lone half is settled at the end
# of the window. Asserted in the agent's store.
set -u
source "$(dirname "$0")/lib.sh"

ASSEMBLY_WINDOW_MS=1500
row() { sql "$T/agent.db" "SELECT $1 FROM events WHERE seq = $2"; }
refusals() { grep -c 'scan refused' "$T/agent.log"; }
refusals_are() { test "$(refusals)" -eq "$1"; }

start_broker
start_agent
scan 'CASE:C7'

# 1. A split GS1-128 label: DI, then lot and expiry.
scan ']C10100884521123451' ']C11727063010LOT4711'
check "split GS1-128 halves become one event" wait_for 5 recorded_is 1
check_eq "with the DI" 00884521123451 "$(row di 1)"
check_eq "the lot" LOT4711 "$(row lot 1)"
check_eq "and the expiry" 2027-06-30 "$(row expiry 1)"
check_eq "raw keeps both scans, RS between" \
    "]C10100884521123451"$'\x1e'"]C11727063010LOT4711" "$(row raw 1)"

# 2. HIBC: a secondary whose link does not match is refused; the right one
# joins. Its 2020 expiry stops the item; the override records it.
scan '+A123BJC5D6E71G' '+$$52001510X3+ ' '+$$52001510X3GD' 'POU:OVERRIDE'
check "a mismatched secondary is refused with the reason" wait_for 5 \
    logged "$T/agent.log" "scan refused (link_mismatch): the secondary label's link character '+'"
check "the matching secondary joins its primary" wait_for 5 recorded_is 2
check_eq "HIBC lot" 10X3 "$(row lot 2)"
check_eq "HIBC expiry" 2020-01-15 "$(row expiry 2)"
check_eq "HIBC product" A123BJC5D6E71 "$(row di 2)"
check_eq "expired and overridden" 65 "$(row flags 2)"

# 3. A bare DI and nothing after it: recorded alone when the window ends.
scan ']C10100884521123468'
check "a lone DI is recorded at the end of the window" wait_for 5 recorded_is 3
check_eq "flagged as missing its lot" 32 "$(row 'flags & 32' 3)"

# 4. A lone secondary: refused when the window ends.
before=$(refusals)
scan ']C11727063010LOT9'
check "a lone secondary is refused at the end of the window" \
    wait_for 5 refusals_are $((before + 1))
check "saying what to do" logged "$T/agent.log" 'without its product code: scan the product barcode'

# 5. Two DIs in a row: the first is settled alone, the second waits.
scan ']C10100884521123475' ']C10100884521123482' ']C11727063010LOT5'
check "two DIs in a row, then a secondary" wait_for 5 recorded_is 5
check_eq "the first DI alone" "00884521123475|" "$(sql "$T/agent.db" "SELECT di || '|' || lot FROM events WHERE seq = 4")"
check_eq "the second DI with the lot" "00884521123482|LOT5" "$(sql "$T/agent.db" "SELECT di || '|' || lot FROM events WHERE seq = 5")"

# 6. A complete label is recorded at once, and a context scan ends a label.
scan ']d201008845211234991727063010X' ']C10100884521123505' 'CASE:C8'
check "a whole label and a flushed half" wait_for 5 recorded_is 7
check_eq "the half is recorded under the case it was scanned in" C7 "$(row case_id 7)"
summary
