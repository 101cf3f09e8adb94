/*
 * pouctl exceptions: the bridge's exception queue. Events a governance rule
 * held are listed with the reason; a person supplies what was missing
 * (resolve), sends the event on (release: the bridge queues it within a
 * second) or drops it (discard, with a reason). Every change records who
 * and when. Works on the bridge's database, beside the running bridge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "event.h"
#include "pouctl.h"
#include "util.h"

#define EXC_ID	"e.device || ':' || e.epoch || ':' || e.seq"

static int
exc_fail(sqlite3 *db, const char *what)
{
	fprintf(stderr, "pouctl: %s: %s\n", what, sqlite3_errmsg(db));
	return 1;
}

static int
exc_list(sqlite3 *db, int all)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "SELECT x.id, x.state, x.rule, " EXC_ID ", "
	    "e.di, e.lot, e.case_id, x.hold, x.reason FROM exceptions x JOIN "
	    "events e ON e.id = x.event_id WHERE ?1 OR x.state IN ('open', "
	    "'resolved') ORDER BY x.id", -1, &st, NULL) != SQLITE_OK)
		return exc_fail(db, "list");
	sqlite3_bind_int(st, 1, all);
	printf("%-5s %-9s %-17s %-44s %-14s %-10s %-10s %s\n", "id", "state",
	    "rule", "event", "di", "lot", "case", "holds: reason");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-5lld %-9s %-17s %-44s %-14s %-10s %-10s %s: %s\n",
		    (long long)sqlite3_column_int64(st, 0),
		    sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
		    sqlite3_column_text(st, 3), sqlite3_column_text(st, 4),
		    sqlite3_column_text(st, 5), sqlite3_column_text(st, 6),
		    sqlite3_column_text(st, 7)[0] ? (const char *)
		    sqlite3_column_text(st, 7) : "nothing",
		    sqlite3_column_text(st, 8));
	sqlite3_finalize(st);
	return 0;
}

static int
exc_show(sqlite3 *db, long long id)
{
	sqlite3_stmt *st;
	int n = 0;

	if (sqlite3_prepare_v2(db, "SELECT x.id, x.state, x.rule, x.hold, "
	    "x.reason, x.changed_by, x.note, " EXC_ID ", e.kind, e.qty, e.di, "
	    "e.lot, e.serial, e.expiry, e.case_id, e.mrn, e.encounter, "
	    "e.user_id, e.room FROM exceptions x JOIN events e ON e.id = "
	    "x.event_id WHERE x.event_id = (SELECT event_id FROM exceptions "
	    "WHERE id = ?1) ORDER BY x.id", -1, &st, NULL) != SQLITE_OK)
		return exc_fail(db, "show");
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n++ == 0)
			printf("event      %s\n  %s x%d  di %s lot %s serial %s "
			    "expiry %s\n  case %s mrn %s encounter %s user %s "
			    "room %s\n", sqlite3_column_text(st, 7),
			    sqlite3_column_text(st, 8), sqlite3_column_int(st, 9),
			    sqlite3_column_text(st, 10), sqlite3_column_text(st,
			    11), sqlite3_column_text(st, 12),
			    sqlite3_column_text(st, 13), sqlite3_column_text(st,
			    14), sqlite3_column_text(st, 15),
			    sqlite3_column_text(st, 16), sqlite3_column_text(st,
			    17), sqlite3_column_text(st, 18));
		printf("exception  %lld %s %s (holds %s): %s%s%s%s%s\n",
		    (long long)sqlite3_column_int64(st, 0),
		    sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
		    sqlite3_column_text(st, 3)[0] ? (const char *)
		    sqlite3_column_text(st, 3) : "nothing",
		    sqlite3_column_text(st, 4),
		    sqlite3_column_text(st, 5)[0] ? "; by " : "",
		    sqlite3_column_text(st, 5),
		    sqlite3_column_text(st, 6)[0] ? ": " : "",
		    sqlite3_column_text(st, 6));
	}
	sqlite3_finalize(st);
	if (n == 0)
		fprintf(stderr, "pouctl: no exception %lld\n", id);
	return n == 0;
}

/* Sets the event's field from "key=value"; the keys a person may supply. */
static int
exc_field(sqlite3 *db, long long id, const char *kv, char *note, size_t len)
{
	static const char *const keys[] = { "encounter", "lot", "serial",
		"mrn", "case_id" };
	const char *eq = strchr(kv, '=');
	char sql[200];
	sqlite3_stmt *st;
	size_t i;
	int rc;

	for (i = 0; eq && i < nitems(keys); i++)
		if ((size_t)(eq - kv) == strlen(keys[i]) &&
		    strncmp(kv, keys[i], strlen(keys[i])) == 0)
			break;
	if (eq == NULL || i == nitems(keys) || strlen(eq + 1) >= EV_STR) {
		fprintf(stderr, "pouctl: \"%s\": give encounter=, lot=, "
		    "serial=, mrn= or case_id= and a value\n", kv);
		return -1;
	}
	snprintf(sql, sizeof(sql), "UPDATE events SET %s = ?2 WHERE id = "
	    "(SELECT event_id FROM exceptions WHERE id = ?1)", keys[i]);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, eq + 1, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	snprintf(note + strlen(note), len - strlen(note), "%s%s", note[0] ?
	    " " : "", kv);
	return rc;
}

/* Moves the event's exceptions in from states to state. */
static int
exc_move(sqlite3 *db, long long id, const char *from, const char *to,
    const char *by, const char *note)
{
	char sql[400];
	sqlite3_stmt *st;
	int n;

	snprintf(sql, sizeof(sql), "UPDATE exceptions SET state = ?2, "
	    "changed_ms = ?3, changed_by = ?4, note = CASE WHEN ?5 = '' THEN "
	    "note ELSE ?5 END WHERE event_id = (SELECT event_id FROM "
	    "exceptions WHERE id = ?1) AND state IN (%s)", from);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return exc_fail(db, to);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now_wall_ms());
	sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, note, -1, SQLITE_STATIC);
	n = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(db) : -1;
	sqlite3_finalize(st);
	if (n <= 0) {
		fprintf(stderr, "pouctl: exception %lld: nothing was %s (only "
		    "an exception in state %s can be)\n", id, to, from);
		return 1;
	}
	printf("exception %lld: %d row(s) %s by %s\n", id, n, to, by);
	return 0;
}

static int
exc_change(sqlite3 *db, const char *verb, long long id, int argc,
    char **argv, const char *by)
{
	char note[400] = "";
	int i;

	if (strcmp(verb, "release") == 0)
		return exc_move(db, id, "'open', 'resolved'", "released", by, "");
	if (strcmp(verb, "discard") == 0) {
		if (argc < 1) {
			fprintf(stderr, "pouctl: discard needs a reason\n");
			return 2;
		}
		return exc_move(db, id, "'open', 'resolved'", "discarded", by,
		    argv[0]);
	}
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return exc_fail(db, "resolve");
	for (i = 0; i < argc; i++)
		if (exc_field(db, id, argv[i], note, sizeof(note)) != 0) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return 2;
		}
	if (exc_move(db, id, "'open'", "resolved", by, note) != 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return 1;
	}
	return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 :
	    exc_fail(db, "resolve");
}

int
ctl_exceptions(const char *path, int argc, char **argv)
{
	const char *by = ctl_by(&argc, argv);
	long long id;
	sqlite3 *db;
	int rc;

	if ((db = ctl_bridge_db(path)) == NULL)
		return 1;
	if (argc <= 2 && (argc < 2 || strcmp(argv[1], "list") == 0 ||
	    strcmp(argv[1], "all") == 0))
		rc = exc_list(db, argc == 2 && strcmp(argv[1], "all") == 0);
	else if (argc >= 3 && parse_int(argv[2], 1, INT64_MAX, &id) == 0 &&
	    strcmp(argv[1], "show") == 0)
		rc = exc_show(db, id);
	else if (argc >= 3 && parse_int(argv[2], 1, INT64_MAX, &id) == 0 &&
	    (strcmp(argv[1], "resolve") == 0 || strcmp(argv[1], "release") ==
	    0 || strcmp(argv[1], "discard") == 0))
		rc = exc_change(db, argv[1], id, argc - 3, argv + 3, by);
	else {
		fprintf(stderr, "usage: pouctl exceptions [list|all|show ID|"
		    "resolve ID key=value...|release ID|discard ID REASON] "
		    "[--by NAME]\n");
		rc = 2;
	}
	sqlite3_close(db);
	return rc;
}
