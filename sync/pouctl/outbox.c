/*
 * pouctl on the bridge's database: replay (failed or dead deliveries sent
 * again), trace (one event's lineage, scan to posting) and report (a day's
 * reconciliation: every event in exactly one billing and one ERP column,
 * and the events where the two disagree).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "pouctl.h"
#include "util.h"

sqlite3 *
ctl_bridge_db(const char *path)
{
	sqlite3 *db;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "pouctl: %s: %s\n", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 10000);
	return db;
}

const char *
ctl_by(int *argc, char **argv)
{
	if (*argc >= 3 && strcmp(argv[*argc - 2], "--by") == 0) {
		*argc -= 2;
		return argv[*argc + 1];
	}
	return getenv("SUDO_USER") ? getenv("SUDO_USER") : getenv("USER") ?
	    getenv("USER") : "pouctl";
}

static const char *
txt(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return v ? (const char *)v : "";
}

static void
iso(sqlite3_stmt *st, int i, char out[32])
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		snprintf(out, 32, "-");
	else
		fmt_iso_time(sqlite3_column_int64(st, i), out);
}

/* True when each of the n times is one SQLite reads (UTC). */
static int
replay_times_ok(sqlite3 *db, const char *const *t, int n)
{
	sqlite3_stmt *st;
	int i, ok = 1;

	if (sqlite3_prepare_v2(db, "SELECT strftime('%s', ?1) IS NOT NULL", -1,
	    &st, NULL) != SQLITE_OK)
		return 0;
	for (i = 0; i < n && ok; i++) {
		if (t[i][0] == '\0')
			continue;
		sqlite3_bind_text(st, 1, t[i], -1, SQLITE_STATIC);
		ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
		sqlite3_reset(st);
		if (!ok)
			fprintf(stderr, "pouctl: replay: \"%s\" is not a time "
			    "like 2026-11-24 or 2026-11-24T13:30 (UTC)\n", t[i]);
	}
	sqlite3_finalize(st);
	return ok;
}

#define REPLAY_SQL "UPDATE outbox SET state = 'pending', next_ms = 0, " \
	"attempts = 0, last_error = 'replayed' WHERE state IN ('failed', " \
	"'dead') AND dest LIKE ?3 AND event_id IN (SELECT id FROM events " \
	"WHERE CASE ?1 WHEN '--all' THEN 1 WHEN '--device' THEN device = ?2 " \
	"WHEN '--day' THEN date(received_ms / 1000, 'unixepoch') = ?2 " \
	"WHEN '--from' THEN received_ms >= strftime('%s', ?2) * 1000 AND " \
	"(?4 = '' OR received_ms < strftime('%s', ?4) * 1000) " \
	"ELSE device || ':' || epoch || ':' || seq = ?1 END)"

/*
 * replay WHAT [--dest D]: WHAT is an event (device:epoch:seq), --device ID,
 * --day YYYY-MM-DD, --from TIME [--to TIME] (received, UTC) or --all; only
 * failed and dead rows go again (done ones never: billing does not dedup a
 * second DFT^P03).
 */
int
ctl_replay(const char *path, int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "", *val = argc > 2 ?
	    argv[2] : "", *dest = "%", *t[2] = { val, "" };
	sqlite3_stmt *st;
	sqlite3 *db;
	int n, i;

	for (i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--dest") == 0)
			dest = argv[i + 1];
		else if (strcmp(argv[i], "--to") == 0)
			t[1] = argv[i + 1];
	if (argc < 2 || (strncmp(what, "--", 2) == 0 && strcmp(what, "--all")
	    != 0 && argc < 3)) {
		fprintf(stderr, "usage: pouctl replay device:epoch:seq|--device "
		    "ID|--day YYYY-MM-DD|--from TIME [--to TIME]|--all\n"
		    "       [--dest billing|erp|replenish]\n");
		return 2;
	}
	if ((db = ctl_bridge_db(path)) == NULL)
		return 1;
	if (strcmp(what, "--from") == 0 && !replay_times_ok(db, t, 2)) {
		sqlite3_close(db);
		return 2;
	}
	if (sqlite3_prepare_v2(db, REPLAY_SQL, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "pouctl: replay: %s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	sqlite3_bind_text(st, 1, what, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, val, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, dest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t[1], -1, SQLITE_STATIC);
	n = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(db) : -1;
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (n < 0)
		return 1;
	printf("%d deliveries queued again; the bridge sends them within a "
	    "second\n", n);
	return 0;
}

static int
trace_event(sqlite3 *db, const char *id, int64_t *event_id)
{
	sqlite3_stmt *st;
	char at[32], fixed[32], rx[32];
	int found;

	if (sqlite3_prepare_v2(db, "SELECT id, at_ms, at_fixed_ms, "
	    "time_quality, received_ms, kind, qty, di, lot, serial, case_id, "
	    "encounter, user_id, room, source, charge_code, price_cents FROM "
	    "events WHERE device || ':' || epoch || ':' || seq = ?1", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((found = sqlite3_step(st) == SQLITE_ROW)) {
		*event_id = sqlite3_column_int64(st, 0);
		iso(st, 1, at);
		iso(st, 2, fixed);
		iso(st, 4, rx);
		printf("event      %s\n  %s x%d di %s lot %s serial %s case %s "
		    "encounter %s user %s room %s\n", id, txt(st, 5),
		    sqlite3_column_int(st, 6), txt(st, 7), txt(st, 8),
		    txt(st, 9), txt(st, 10), txt(st, 11), txt(st, 12),
		    txt(st, 13));
		printf("scanned    %s  device clock, by %s (bridge: %s, %s)\n",
		    at, txt(st, 14), fixed, txt(st, 3));
		printf("received   %s  stored in the same transaction\n", rx);
		printf("enriched   charge %s, %lld cents\n", sqlite3_column_type(st,
		    15) == SQLITE_NULL ? "none" : txt(st, 15),
		    (long long)sqlite3_column_int64(st, 16));
	}
	sqlite3_finalize(st);
	return found;
}

static void
trace_rows(sqlite3 *db, int64_t event_id)
{
	sqlite3_stmt *st;
	char t[32];

	if (sqlite3_prepare_v2(db, "SELECT rule, state, hold, reason, "
	    "changed_ms, changed_by, note FROM exceptions WHERE event_id = ?1 "
	    "ORDER BY id", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, event_id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			iso(st, 4, t);
			printf("rule       %s: %s (holds %s) %s; %s%s%s\n",
			    txt(st, 0), txt(st, 1), txt(st, 2)[0] ? txt(st, 2) :
			    "nothing", t, txt(st, 3), txt(st, 5)[0] ? "; by " :
			    "", txt(st, 5));
		}
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(db, "SELECT dest, state, attempts, created_ms, "
	    "done_ms, answer, last_error, control_id FROM outbox WHERE event_id "
	    "= ?1 ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, event_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		iso(st, 4, t);
		printf("%-10s %s after %d attempt(s) at %s; id %s; answer %s%s%s\n",
		    txt(st, 0), txt(st, 1), sqlite3_column_int(st, 2), t,
		    txt(st, 7), txt(st, 5)[0] ? txt(st, 5) : "-",
		    txt(st, 6)[0] ? "; last error: " : "", txt(st, 6));
	}
	sqlite3_finalize(st);
}

int
ctl_trace(const char *path, int argc, char **argv)
{
	int64_t event_id = 0;
	sqlite3 *db;
	int found;

	if (argc != 2) {
		fprintf(stderr, "usage: pouctl trace device:epoch:seq\n");
		return 2;
	}
	if ((db = ctl_bridge_db(path)) == NULL)
		return 1;
	if ((found = trace_event(db, argv[1], &event_id)) == 1)
		trace_rows(db, event_id);
	else
		fprintf(stderr, "pouctl: no event %s at the bridge\n", argv[1]);
	sqlite3_close(db);
	return found != 1;
}

/* Each event's billing and ERP column, from its outbox rows and holds. */
#define REPORT_COLS \
	"WITH ev AS (SELECT e.id, e.device || ':' || e.epoch || ':' || e.seq " \
	"AS ident, e.kind, e.site, e.charge_code, " \
	"(SELECT state FROM outbox WHERE event_id = e.id AND dest = 'billing') " \
	"AS b, (SELECT state FROM outbox WHERE event_id = e.id AND dest = " \
	"'erp') AS r, (SELECT group_concat(state || '/' || hold) FROM " \
	"exceptions WHERE event_id = e.id AND hold <> '') AS x FROM events e " \
	"WHERE date(e.received_ms / 1000, 'unixepoch') = ?1 AND (?2 = '' OR " \
	"e.site = ?2)), col AS (SELECT *, CASE " \
	"WHEN b = 'done' AND kind IN ('return', 'undo') THEN 'credited' " \
	"WHEN b = 'done' THEN 'billed' WHEN b IN ('failed', 'dead') THEN 'dead' " \
	"WHEN b = 'pending' THEN 'pending' " \
	"WHEN x LIKE '%discarded/%billing%' THEN 'discarded' " \
	"WHEN x LIKE '%billing%' THEN 'held' " \
	"WHEN charge_code IS NULL THEN 'not_billable' ELSE 'missing' END AS bc, " \
	"CASE WHEN r = 'done' THEN 'posted' WHEN r IN ('failed', 'dead') THEN " \
	"'dead' WHEN r = 'pending' THEN 'pending' " \
	"WHEN x LIKE '%discarded/%erp%' THEN 'discarded' " \
	"WHEN x LIKE '%erp%' THEN 'held' ELSE 'missing' END AS rc FROM ev) "

int
ctl_report(const char *path, int argc, char **argv)
{
	const char *day = argc > 1 ? argv[1] : "", *site = argc > 2 ? argv[2] :
	    "";
	sqlite3_stmt *st;
	sqlite3 *db;
	int rc = 0;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: pouctl report YYYY-MM-DD [site]\n");
		return 2;
	}
	if ((db = ctl_bridge_db(path)) == NULL)
		return 1;
	if (sqlite3_prepare_v2(db, REPORT_COLS "SELECT 'billing', bc, count(*) "
	    "FROM col GROUP BY bc UNION ALL SELECT 'erp', rc, count(*) FROM col "
	    "GROUP BY rc UNION ALL SELECT 'used', '', count(*) FROM col "
	    "UNION ALL SELECT o.dest, CASE WHEN o.unsure > 0 THEN 'maybe_twice' "
	    "ELSE 'from_ledger' END, count(*) FROM outbox o JOIN ev ON ev.id = "
	    "o.event_id WHERE o.state = 'done' AND o.dest IN ('billing', 'erp') "
	    "AND (o.unsure > 0 OR o.answer = 'acknowledged before (ledger)') "
	    "GROUP BY 1, 2 "
	    "UNION ALL SELECT 'missing', bc || '/' || rc || ' ' || ident, 0 FROM "
	    "col WHERE bc = 'missing' OR rc = 'missing'", -1, &st, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "pouctl: report: %s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, site, -1, SQLITE_STATIC);
	printf("reconciliation %s%s%s (bridge received date, UTC)\n", day,
	    site[0] ? ", site " : "", site);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (strcmp(txt(st, 0), "missing") == 0) {
			printf("  NOT ACCOUNTED  %s\n", txt(st, 1));
			rc = 3;
		} else
			printf("  %-8s %-13s %6lld\n", txt(st, 0), txt(st, 1),
			    (long long)sqlite3_column_int64(st, 2));
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	printf("%s\n", rc ? "does NOT balance: the events above are in no "
	    "column" : "balances: every event is in one billing and one ERP "
	    "column");
	return rc;
}
