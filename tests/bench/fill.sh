# Sourced by the benches after tests/system/lib.sh.
BOOT=$(cat /proc/sys/kernel/random/boot_id)

# fill DB N: an agent store holding N unacked events.
fill() {
	agent_conf "$T/fill.conf" cart-07
	sed -i "s|^path = $T/agent.db|path = $1|" "$T/fill.conf"
	"$B/pou-agent" -c "$T/fill.conf" >> "$T/fill.log" 2>&1 &
	local pid=$!
	wait_for 10 test -s "$1"
	sleep 0.3
	kill "$pid"; wait "$pid"
	sqlite3 "$1" <<-SQL
	BEGIN;
	WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < $2)
	INSERT INTO events (seq, $(echo at_ms, boot, mono_ms, kind, qty, scheme, di, lot, serial, expiry, mfg, raw, case_id, mrn, encounter, user_id, site, room, unit, flags, source))
	SELECT i, 1795526699162 + i, '$BOOT', 81234567 + i, 'use', 1, 'gs1',
	    '00884521123451', 'LOT' || i, 'SN' || i, '2027-06-30', '',
	    CAST(']d201008845211234511727063010LOT' || i || char(29) || '21SN' || i AS BLOB),
	    'C-2026-1187', '100234', 'V778899', 'U1', 'or-west', 'OR07', 'cart-07', 0, 'sim0'
	FROM r;
	UPDATE state SET last_seq = $2;
	COMMIT;
	SQL
}

