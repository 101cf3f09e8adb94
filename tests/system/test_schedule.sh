#!/usr/bin/env bash
# A case pushed by the OR schedule: a CSV with a case running now in this
# cart's room (and one in another room) sets the context before anyone
# scans a case; a scanned case wins; after the case ends the scheduled one
# is not applied again; a schedule file with an error on reload leaves the
# loaded one.
set -u
source "$(dirname "$0")/lib.sh"

ASSEMBLY_WINDOW_MS=0
item() { printf ']d201008845211235051727063010%s' "$1"; }
row() { sql "$T/agent.db" "SELECT case_id || '|' || mrn || '|' || encounter FROM events WHERE seq = $1"; }
at() { date -d "$1" +%Y-%m-%dT%H:%M; }
cat > "$T/schedule.csv" <<CSV
room,start,end,case_id,mrn,encounter
OR01,$(at '-1 min'),$(at '+30 min'),OTHER-ROOM,1,V1
OR07,$(at '-1 min'),$(at '+30 min'),SCH-1,555,V555
OR07,$(at '+2 hours'),$(at '+3 hours'),SCH-2,556,V556
CSV
write_agent_conf
printf '[reference]\nschedule = %s\n' "$T/schedule.csv" >> "$T/agent.conf"
start_agent
check "the schedule is loaded for this room" wait_for 5 \
    grep -q 'schedule: 2 cases for room OR07' "$T/agent.log"
check "the running case becomes the context" wait_for 15 \
    grep -q 'board: CONTEXT scheduled case SCH-1' "$T/agent.log"
scan "$(item S1)"
check "1: recorded" wait_for 5 recorded_is 1
check_eq "1: in the scheduled case" "SCH-1|555|V555" "$(row 1)"
scan 'CASE:C-X' "$(item S2)"
check "2: recorded" wait_for 5 recorded_is 2
check_eq "2: a scanned case wins" "C-X||" "$(row 2)"
scan 'POU:END'
sleep 11		# past a housekeeping tick: nothing re-applies SCH-1
scan "$(item S3)"
check "3: recorded" wait_for 5 recorded_is 3
check_eq "3: no case: the scheduled one was used once" "||" "$(row 3)"
echo 'OR07,yesterday,never,BAD,1,1' >> "$T/schedule.csv"
kill -HUP "$AGENT_PID"
check "a bad schedule on reload is refused, line named" wait_for 5 \
    grep -q 'schedule.csv:5: start and end are local times' "$T/agent.log"
check "and the loaded one stays" grep -q '2 cases loaded before stay' "$T/agent.log"
summary
