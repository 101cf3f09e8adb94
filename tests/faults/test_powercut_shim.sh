#!/usr/bin/env bash
# Self-test of the powercut shim (tests/faults/powercut.c): with it, a
# SIGKILL loses what SQLite did not sync; without it, the page cache keeps
# everything. The sqlite3 shell is fed through a FIFO and killed by its PID.
# POWERCUT_LIB=path tests another build of the shim (a broken one).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
LIB=${POWERCUT_LIB:-$B/libpowercut.so}
HELPER=$B/powercut_threads
VFSPROG=$B/powercut_vfs
WARN="-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wpointer-arith -Wcast-qual -Wformat=2 -Werror"
T=$(mktemp -d /tmp/powercut-test.XXXXXX)
PASS=0
FAIL=0
CLI_PID=
CLI_FD=
JMODE=delete

cleanup() {
	[ -z "$CLI_PID" ] || kill -KILL "$CLI_PID" 2>/dev/null
	[ -z "$CLI_PID" ] || wait "$CLI_PID" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }
check() {	# check NAME GOT WANT
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1 (got '$2', want '$3')"
	fi
}

build() {	# build OUT SRC CFLAGS...: when OUT is older than SRC
	[ "$1" -nt "$2" ] && return 0
	mkdir -p "$(dirname "$1")"
	# shellcheck disable=SC2046,SC2086	# words, on purpose
	cc -std=c11 -D_GNU_SOURCE -O2 -g $WARN "${@:3}" -o "$1" "$2" \
	    $(pkg-config --cflags --libs sqlite3) -pthread
}

UNSET=(-u LD_PRELOAD -u POWERCUT -u POWERCUT_STATS)
plain() { env "${UNSET[@]}" "$@"; }
count() { plain sqlite3 "$1" 'SELECT count(*) FROM t' 2>&1; }
integrity() { plain sqlite3 "$1" 'PRAGMA integrity_check' 2>&1; }

mkdb() {	# mkdb DB JOURNAL_MODE: a durable table t, made without the shim
	rm -f "$1" "$1"-*
	JMODE=$2	# only WAL is kept in the file: cli_start sets it again
	plain sqlite3 "$1" "PRAGMA journal_mode = $2; CREATE TABLE t (x);" \
	    > /dev/null
}

cli_start() {	# cli_start DB ENV...: a sqlite3 shell reading a FIFO
	rm -f "$T/in"
	mkfifo "$T/in"
	# A simple command, so $! is the shell itself (env execs it).
	env "${UNSET[@]}" "${@:2}" sqlite3 -batch "$1" < "$T/in" \
	    > "$T/cli.log" 2>&1 &
	CLI_PID=$!
	exec {CLI_FD}> "$T/in"
	cli "PRAGMA journal_mode = $JMODE;"
}

cli() { printf '%s\n' "$@" >&"$CLI_FD"; }

cli_query() {	# cli_query SQL: its output, once the shell has run it
	local out=$T/q.$RANDOM i
	cli ".once $out" "$1"
	for ((i = 0; i < 200; i++)); do
		[ -s "$out" ] && break
		sleep 0.05
	done
	cat "$out" 2>/dev/null || echo "no answer"
	rm -f "$out"
}

cli_kill() {
	kill -KILL "$CLI_PID"
	wait "$CLI_PID" 2>/dev/null
	CLI_PID=
	exec {CLI_FD}>&-
}

cli_quit() {
	cli .quit
	exec {CLI_FD}>&-
	wait "$CLI_PID"
	CLI_PID=
}

SHIM=(LD_PRELOAD="$LIB" POWERCUT=1 POWERCUT_STATS="$T/stats")
ROWS="INSERT INTO t SELECT value FROM generate_series(1, 100);"
BLOBS="INSERT INTO t SELECT randomblob(500) FROM generate_series(1, 400);"

# With synchronous=OFF nothing is synced: the shell sees its rows (through
# the overlay, even with mmap asked for), the disk never does.
sync_off() {	# sync_off JOURNAL_MODE
	mkdb "$T/off.db" "$1"
	rm -f "$T/stats"
	cli_start "$T/off.db" "${SHIM[@]}"
	cli "PRAGMA synchronous = OFF;" "PRAGMA mmap_size = 1048576;" "$ROWS"
	check "$1, synchronous=OFF: the process sees its 100 rows" \
	    "$(cli_query 'SELECT count(*) FROM t;')" 100
	cli_kill
	check "$1, synchronous=OFF: SIGKILL loses them" "$(count "$T/off.db")" 0
	check "$1, synchronous=OFF: the database is intact" \
	    "$(integrity "$T/off.db")" ok
	check "$1, synchronous=OFF: POWERCUT_STATS logs no sync" \
	    "$(cat "$T/stats" 2>/dev/null)" ""
}

# Each commit syncs: all committed rows survive, the open transaction not.
sync_full() {	# sync_full JOURNAL_MODE
	local i
	mkdb "$T/full.db" "$1"
	rm -f "$T/stats"
	cli_start "$T/full.db" "${SHIM[@]}"
	cli "PRAGMA synchronous = FULL;"
	for ((i = 1; i <= 60; i++)); do
		cli "INSERT INTO t VALUES ($i);"
		((i == 30)) && cli "PRAGMA wal_checkpoint;"
	done
	cli "BEGIN;" "$ROWS"
	check "$1, synchronous=FULL: the process sees 160 rows" \
	    "$(cli_query 'SELECT count(*) FROM t;')" 160
	cli_kill
	check "$1, synchronous=FULL: the 60 committed rows survive SIGKILL" \
	    "$(count "$T/full.db")" 60
	check "$1, synchronous=FULL: the database is intact" \
	    "$(integrity "$T/full.db")" ok
	if [ "$(grep -c '^sync ' "$T/stats" 2>/dev/null)" -ge 60 ]; then
		ok "$1, synchronous=FULL: POWERCUT_STATS logs each sync"
	else
		not_ok "$1, synchronous=FULL: POWERCUT_STATS logs each sync"
	fi
}

# pou's ack marks: NORMAL commits are lost alone, kept by a FULL one after.
sync_normal() {
	mkdb "$T/normal.db" wal
	cli_start "$T/normal.db" "${SHIM[@]}"
	cli "PRAGMA synchronous = NORMAL;" "$ROWS"
	check "wal, synchronous=NORMAL: the process sees its 100 rows" \
	    "$(cli_query 'SELECT count(*) FROM t;')" 100
	cli_kill
	check "wal, synchronous=NORMAL: SIGKILL loses the unsynced commit" \
	    "$(count "$T/normal.db")" 0
	cli_start "$T/normal.db" "${SHIM[@]}"
	cli "PRAGMA synchronous = NORMAL;" "$ROWS" \
	    "PRAGMA synchronous = FULL;" "INSERT INTO t VALUES (0);"
	cli_query 'SELECT 1;' > /dev/null
	cli_kill
	check "wal, NORMAL then FULL: the FULL commit syncs both" \
	    "$(count "$T/normal.db")" 101
}

# Connection 1 reads connection 0's unsynced rows, also after 0 closed.
two_connections() {	# two_connections JOURNAL_MODE
	mkdb "$T/two.db" "$1"
	cli_start "$T/two.db" "${SHIM[@]}"
	cli "PRAGMA synchronous = OFF;" "$ROWS" ".connection 1" \
	    ".open $T/two.db"
	check "$1: a second connection sees the first one's unsynced rows" \
	    "$(cli_query 'SELECT count(*) FROM t;')" 100
	# Connection 1's close checkpoints: with OFF, that syncs nothing.
	cli "PRAGMA synchronous = OFF;" ".connection 0" ".open :memory:" \
	    ".connection 1" ".open :memory:" ".open $T/two.db"
	check "$1: unsynced rows outlive the closing of every handle" \
	    "$(cli_query 'SELECT count(*) FROM t;')" 100
	cli_kill
	check "$1: and a SIGKILL still loses them" "$(count "$T/two.db")" 0
}

# The control: the page cache survives a SIGKILL, so the test can tell.
control() {	# control NAME ENV...
	mkdb "$T/ctl.db" wal
	cli_start "$T/ctl.db" "${@:2}"
	cli "PRAGMA synchronous = OFF;" "$ROWS"
	cli_query 'SELECT 1;' > /dev/null
	cli_kill
	check "$1: SIGKILL after synchronous=OFF commits keeps the rows" \
	    "$(count "$T/ctl.db")" 100
}

# A clean exit is no power cut: the overlay reaches the file.
clean_exit() {
	mkdb "$T/exit.db" delete
	cli_start "$T/exit.db" "${SHIM[@]}"
	cli "PRAGMA synchronous = OFF;" "$ROWS"
	cli_quit
	check "delete, synchronous=OFF: a clean exit keeps the rows" \
	    "$(count "$T/exit.db")" 100
}

# The journal, temp files and truncation through the overlay: a rollback
# that spilled to the database file, a VACUUM, a truncating checkpoint.
workload() {	# workload JOURNAL_MODE SYNC
	local db=$T/work.db want=0 size
	mkdb "$db" "$1"
	cli_start "$db" "${SHIM[@]}"
	cli "PRAGMA synchronous = $2;" "PRAGMA cache_size = 10;" \
	    "$BLOBS" "PRAGMA wal_checkpoint;" "BEGIN;" "$BLOBS" "ROLLBACK;" \
	    "DELETE FROM t WHERE rowid % 2 = 0;" "VACUUM;" \
	    "PRAGMA wal_checkpoint(TRUNCATE);" "INSERT INTO t VALUES (1);"
	check "$1, synchronous=$2: rollback, VACUUM, checkpoint in-process" \
	    "$(cli_query 'SELECT count(*) FROM t, pragma_integrity_check
	    WHERE integrity_check = '"'ok'"';')" 201
	cli_kill
	[ "$2" = OFF ] || want=201
	check "$1, synchronous=$2: after SIGKILL $want rows" "$(count "$db")" \
	    $want
	check "$1, synchronous=$2: after SIGKILL the database is intact" \
	    "$(integrity "$db")" ok
	size=$(plain sqlite3 "$db" 'SELECT page_count * page_size FROM
	    pragma_page_count, pragma_page_size')
	if [ "$1" = wal ]; then		# a checkpoint syncs its truncation
		check "$1, synchronous=$2: the file has its logical size" \
		    "$(stat -c %s "$db")" "$size"
	elif [ "$(stat -c %s "$db")" -ge "$size" ]; then
		# A rollback journal's commit truncates after it, unsynced.
		ok "$1, synchronous=$2: the file holds all its pages"
	else
		not_ok "$1, synchronous=$2: the file holds all its pages"
	fi
}

threads() {	# threads SYNC: 4 threads x 150 rows, a connection each
	local out want=600 got i
	rm -f "$T/thr.db" "$T/thr.db"-*
	rm -f "$T/in"
	mkfifo "$T/in"
	env "${UNSET[@]}" "${SHIM[@]}" "$HELPER" "$T/thr.db" "$1" 150 40 \
	    < "$T/in" > "$T/thr.out" 2>&1 &
	CLI_PID=$!
	exec {CLI_FD}> "$T/in"
	for ((i = 0; i < 600; i++)); do
		grep -q '^rows' "$T/thr.out" && break
		sleep 0.05
	done
	out=$(head -n 1 "$T/thr.out")
	cli_kill
	check "4 threads, synchronous=$1: each sees all rows in-process" \
	    "$out" "rows $want integrity ok"
	got=$(count "$T/thr.db")
	if [ "$1" = FULL ]; then
		check "4 threads, synchronous=FULL: all rows survive" \
		    "$got" $want
	elif [ "$got" -lt "$want" ] 2>/dev/null; then
		ok "4 threads, synchronous=$1: SIGKILL lost the unsynced" \
		    "tail ($got of $want left)"
	else
		not_ok "4 threads, synchronous=$1: SIGKILL lost the unsynced" \
		    "tail (got '$got')"
	fi
	check "4 threads, synchronous=$1: the database is intact" \
	    "$(integrity "$T/thr.db")" ok
}

# The VFS called directly: its own TAP lines, and it must exit 0.
vfs_calls() {
	local out line failed=$FAIL
	out=$(env "${UNSET[@]}" "${SHIM[@]}" "$VFSPROG" 2>&1; echo "rc $?")
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		"rc 0") ;;
		"rc "*) [ "$FAIL" -gt "$failed" ] ||
		    not_ok "powercut_vfs exits with status ${line#rc }" ;;
		*) echo "# $line" ;;
		esac
	done <<< "$out"
}

if [ -z "${POWERCUT_LIB:-}" ] && ! build "$LIB" \
    "$ROOT/tests/faults/powercut.c" -fPIC -shared; then
	not_ok "libpowercut.so builds"
elif ! build "$HELPER" "$ROOT/tests/faults/powercut_threads.c"; then
	not_ok "powercut_threads builds"
elif ! build "$VFSPROG" "$ROOT/tests/faults/powercut_vfs.c"; then
	not_ok "powercut_vfs builds"
elif ! command -v sqlite3 > /dev/null; then
	not_ok "the sqlite3 shell is installed (apt-get install sqlite3)"
else
	vfs_calls
	sync_off delete
	sync_off wal
	sync_full delete
	sync_full wal
	sync_normal
	two_connections delete
	two_connections wal
	control "without the shim"
	control "preloaded without POWERCUT=1" LD_PRELOAD="$LIB"
	clean_exit
	workload delete FULL
	workload truncate FULL
	workload persist OFF
	workload wal FULL
	workload wal OFF
	threads FULL
	threads NORMAL
fi
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
