/*
 * The agent's local store: every usage event, in SQLite, before anything
 * else happens to it. The row is the queue; only a bridge ack releases it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include <sqlite3.h>

#include "evsql.h"
#include "log.h"
#include "sqlmig.h"
#include "store.h"
#include "util.h"

#define STORE_BUSY_MS	5000	/* pouctl may read while the agent writes */

enum { ST_APPEND_SEQ, ST_INSERT, ST_ACK, ST_READ, ST_STATE, ST_OLDEST,
	ST_UPLINK, ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_DRIVER, ST_DRIVERS,
	ST_SAL_PUT, ST_SAL_READ, ST_SAL_RELEASE, ST_SAL_COUNT, ST_ALARM_SET,
	ST_ALARM_CLEAR, ST_ALARMS, ST_SYNC_NORMAL, ST_SYNC_FULL, ST_UNDOABLE,
	ST_COUNT };

static const char *const store_sql[ST_COUNT] = {
	[ST_APPEND_SEQ] = "UPDATE state SET last_seq = last_seq + 1 "
	    "RETURNING last_seq",
	[ST_INSERT] = "INSERT INTO events (seq, " EVSQL_COLUMNS ") VALUES (?, "
	    EVSQL_PARAMS ")",
	[ST_ACK] = "UPDATE state SET acked_upto = max(acked_upto, ?1), "
	    "last_ack_ms = ?2 WHERE ?1 <= last_seq",
	[ST_READ] = "SELECT seq, " EVSQL_COLUMNS " FROM events WHERE seq > ?1 "
	    "ORDER BY seq LIMIT ?2",
	[ST_STATE] = "SELECT epoch, last_seq, acked_upto, last_ack_ms, uplink, "
	    "uplink_since_ms FROM state",
	[ST_OLDEST] = "SELECT at_ms FROM events WHERE seq = ?1",
	[ST_UPLINK] = "UPDATE state SET uplink = ?1, uplink_since_ms = ?2",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_DRIVER] = "INSERT INTO drivers VALUES (?1, ?2, ?3) ON CONFLICT DO "
	    "UPDATE SET state = ?2, since_ms = ?3",
	[ST_DRIVERS] = "SELECT d.name, d.state, d.since_ms, (SELECT count(*) FROM "
	    "events WHERE source = d.name), (SELECT max(at_ms) FROM events WHERE "
	    "source = d.name) FROM drivers d ORDER BY d.name",
	[ST_SAL_PUT] = "INSERT OR IGNORE INTO salvage (epoch, seq, "
	    EVSQL_COLUMNS ") VALUES (?, ?, " EVSQL_PARAMS ")",
	/* The oldest epoch first; rows whose epoch was unreadable stay. */
	[ST_SAL_READ] = "SELECT epoch, seq, " EVSQL_COLUMNS " FROM salvage "
	    "WHERE epoch = (SELECT min(epoch) FROM salvage WHERE epoch <> '') "
	    "ORDER BY seq LIMIT ?1",
	[ST_SAL_RELEASE] = "DELETE FROM salvage WHERE epoch = ?1 AND seq <= ?2",
	[ST_SAL_COUNT] = "SELECT count(*) FROM salvage",
	[ST_ALARM_SET] = "INSERT INTO alarms VALUES (?1, ?2, ?3) ON CONFLICT DO "
	    "UPDATE SET at_ms = ?2, detail = ?3",
	[ST_ALARM_CLEAR] = "DELETE FROM alarms WHERE kind = ?1",
	[ST_ALARMS] = "SELECT kind, at_ms, detail FROM alarms ORDER BY kind",
	[ST_SYNC_NORMAL] = "PRAGMA synchronous = NORMAL",
	[ST_SYNC_FULL] = "PRAGMA synchronous = FULL",
	[ST_UNDOABLE] = "SELECT seq, " EVSQL_COLUMNS " FROM events e WHERE "
	    "user_id = ?1 AND case_id = ?2 AND kind <> 'undo' AND NOT EXISTS "
	    "(SELECT 1 FROM events u WHERE u.undoes = e.seq AND u.undoes > 0) "
	    "ORDER BY seq DESC LIMIT 1",
};

/* Schema versions; index i takes user_version i to i + 1. */
static const char *const store_migrations[] = {
	"CREATE TABLE state ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  epoch TEXT NOT NULL,"
	"  last_seq INTEGER NOT NULL,"		/* gap-free counter, never reused */
	"  acked_upto INTEGER NOT NULL,"	/* the bridge stored all <= this */
	"  last_ack_ms INTEGER NOT NULL,"
	"  uplink TEXT NOT NULL,"
	"  uplink_since_ms INTEGER NOT NULL);"
	"CREATE TABLE events (seq INTEGER PRIMARY KEY, " EVSQL_SCHEMA ");"
	/* The epoch: random, from SQLite's generator (seeded by the OS). */
	"INSERT INTO state VALUES (1, lower(hex(randomblob(16))), 0, 0, 0,"
	"  'offline', 0);",
	/* 2: the input drivers' state, for pouctl status. */
	"CREATE TABLE drivers (name TEXT PRIMARY KEY, state TEXT NOT NULL,"
	"  since_ms INTEGER NOT NULL);",
	/* 3: rows read back from a damaged store, under their old identity;
	 * alarms that stay until an operator clears them. */
	"CREATE TABLE salvage (epoch TEXT NOT NULL, seq INTEGER NOT NULL, "
	EVSQL_SCHEMA ", PRIMARY KEY (epoch, seq));"
	"CREATE TABLE alarms (kind TEXT PRIMARY KEY, at_ms INTEGER NOT NULL,"
	"  detail TEXT NOT NULL);",
	/* 4: reference data for the checks at the point of use (refdata.c). */
	"CREATE TABLE catalog (di TEXT PRIMARY KEY, description TEXT NOT NULL,"
	"  implant INTEGER NOT NULL, lot_required INTEGER NOT NULL,"
	"  serial_required INTEGER NOT NULL, active INTEGER NOT NULL);"
	"CREATE TABLE recalls (di TEXT NOT NULL, lot TEXT NOT NULL,"
	"  serial TEXT NOT NULL, recall_id TEXT NOT NULL, reason TEXT NOT NULL);"
	"CREATE INDEX recalls_di ON recalls (di);"
	"CREATE TABLE refdata (name TEXT PRIMARY KEY, version TEXT NOT NULL,"
	"  rows INTEGER NOT NULL, loaded_ms INTEGER NOT NULL);",
	/* 5: UNDO's compensating events name the seq they reverse. */
	"ALTER TABLE events " EVSQL_ADD_UNDOES ";"
	"ALTER TABLE salvage " EVSQL_ADD_UNDOES ";"
	"CREATE INDEX events_undoes ON events (undoes) WHERE undoes > 0;",
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*st[ST_COUNT];
	char		 epoch[33];
	int		 sync_full;
};

static int
store_errno(int rc)
{
	switch (rc) {
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_BUSY:
		return -EBUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EBADMSG;
	default:
		return -EIO;
	}
}

static int
store_err(struct store *s, const char *what)
{
	log_warnx("store: %s: %s", what, sqlite3_errmsg(s->db));
	return store_errno(sqlite3_errcode(s->db));
}

static int
store_exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	int rc;

	if ((rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg)) != SQLITE_OK) {
		log_warnx("store: %s", msg ? msg : "exec failed");
		sqlite3_free(msg);
		return store_errno(rc);
	}
	return 0;
}

/* SQLite's own quick check of every page; -EBADMSG when damaged. */
static int
store_check(struct store *s)
{
	sqlite3_stmt *st;
	const char *v;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st,
	    NULL) != SQLITE_OK)
		return store_err(s, "quick_check");
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		rc = store_err(s, "quick_check");
	else if ((v = (const char *)sqlite3_column_text(st, 0)) == NULL ||
	    strcmp(v, "ok") != 0) {
		log_warnx("store: damaged: %s", v ? v : "?");
		rc = -EBADMSG;
	} else
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

static int
store_user_version(struct store *s, int *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL))
		return store_err(s, "user_version");
	rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -EIO;
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc;
}

static int
store_migrate(struct store *s)
{
	int rc = sqlmig_run(s->db, "store", store_migrations,
	    (int)nitems(store_migrations));

	return rc > 0 ? store_errno(rc) : rc;
}

static int
store_prepare(struct store *s)
{
	int i;

	for (i = 0; i < ST_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, store_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK)
			return store_err(s, store_sql[i]);
	return 0;
}

static int
store_load_epoch(struct store *s)
{
	sqlite3_stmt *st = s->st[ST_STATE];
	int rc = -EBADMSG;	/* no state row: not a store this agent made */

	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(s->epoch, sizeof(s->epoch), "%s",
		    (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

static int
store_open_flags(const char *path, int flags, struct store **out)
{
	struct store *s;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -ENOMEM;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		log_warnx("store: %s: %s", path, s->db ? sqlite3_errmsg(s->db) :
		    "out of memory");
		store_close(s);
		return -EIO;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	sqlite3_extended_result_codes(s->db, 0);
	*out = s;
	return 0;
}

int
store_open(const char *path, int sync_full, struct store **out)
{
	struct store *s;
	int rc;

	if ((rc = store_open_flags(path, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, &s)) != 0)
		return *out = NULL, rc;
	s->sync_full = sync_full;
	if ((rc = store_check(s)) != 0 ||
	    /* A new store only: each scan's commit writes whole pages. */
	    (rc = store_exec(s, "PRAGMA page_size = 1024")) != 0 ||
	    (rc = store_exec(s, "PRAGMA journal_mode = WAL")) != 0 ||
	    /* Reads are sequential: a small page cache keeps the cart's RSS
	     * flat (SQLite's default is 2 MB). */
	    (rc = store_exec(s, "PRAGMA cache_size = -512")) != 0 ||
	    (rc = store_exec(s, sync_full ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL")) != 0 ||
	    (rc = store_migrate(s)) != 0 || (rc = store_prepare(s)) != 0 ||
	    (rc = store_load_epoch(s)) != 0 ||
	    (rc = store_exec(s, "DELETE FROM drivers")) != 0)	/* a new run */
		goto fail;
	*out = s;
	return 0;
fail:
	store_close(s);
	*out = NULL;
	return rc;
}

int
store_open_existing(const char *path, int writable, struct store **out)
{
	struct store *s;
	int rc, v = 0;

	if ((rc = store_open_flags(path, writable ? SQLITE_OPEN_READWRITE :
	    SQLITE_OPEN_READONLY, &s)) != 0)
		return *out = NULL, rc;
	if ((rc = store_user_version(s, &v)) != 0 || v < 1 ||
	    v > (int)nitems(store_migrations) ||
	    (rc = store_prepare(s)) != 0 || (rc = store_load_epoch(s)) != 0) {
		store_close(s);
		*out = NULL;
		return rc ? rc : -EPROTO;
	}
	*out = s;
	return 0;
}

void
store_close(struct store *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

sqlite3 *
store_sqlite(struct store *s)
{
	return s->db;
}

const char *
store_epoch(const struct store *s)
{
	return s->epoch;
}

static int
store_step_done(struct store *s, int i)
{
	int rc = sqlite3_step(s->st[i]);

	sqlite3_reset(s->st[i]);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_err(s,
	    store_sql[i]);
}

/*
 * A write that may be lost in a power cut without harm (an ack mark: the
 * bridge dedups what is resent; a state for pouctl): committed without
 * waiting for the disk. The next FULL commit syncs it with its own.
 */
static int
store_step_lazy(struct store *s, int i)
{
	int rc;

	if (!s->sync_full)
		return store_step_done(s, i);
	store_step_done(s, ST_SYNC_NORMAL);
	rc = store_step_done(s, i);
	store_step_done(s, ST_SYNC_FULL);
	return rc;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static int
store_insert(struct store *s, const struct event *ev)
{
	sqlite3_bind_int64(s->st[ST_INSERT], 1, ev->seq);
	evsql_bind(s->st[ST_INSERT], 2, ev);
	return store_step_done(s, ST_INSERT);
}

int
store_append(struct store *s, struct event *ev)
{
	sqlite3_stmt *st = s->st[ST_APPEND_SEQ];
	int rc;

	if ((rc = store_step_done(s, ST_BEGIN)) != 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = store_err(s, "next seq");
		sqlite3_reset(st);
		goto fail;
	}
	ev->seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if ((rc = store_insert(s, ev)) != 0 ||
	    (rc = store_step_done(s, ST_COMMIT)) != 0)
		goto fail;
	return 0;
fail:
	store_step_done(s, ST_ROLLBACK);
	ev->seq = 0;
	return rc;
}

int
store_ack(struct store *s, int64_t upto, int64_t wall_ms)
{
	sqlite3_stmt *st = s->st[ST_ACK];
	int rc;

	sqlite3_bind_int64(st, 1, upto);
	sqlite3_bind_int64(st, 2, wall_ms);
	if ((rc = store_step_lazy(s, ST_ACK)) != 0)
		return rc;
	return sqlite3_changes(s->db) == 1 ? 0 : -ERANGE;
}

static void
col_text(sqlite3_stmt *st, int i, char *dst, size_t size)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	snprintf(dst, size, "%s", v ? (const char *)v : "");
}

int
store_read(struct store *s, int64_t after, struct event *evs, int max)
{
	sqlite3_stmt *st = s->st[ST_READ];
	int n = 0, rc;

	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, max);
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&evs[n], 0, sizeof(evs[n]));
		evs[n].seq = sqlite3_column_int64(st, 0);
		evsql_row(st, 1, &evs[n++]);
	}
	if (n < max && rc != SQLITE_DONE)
		n = store_err(s, "read");
	sqlite3_reset(st);
	return n;
}

int
store_stats(struct store *s, struct store_stats *out)
{
	sqlite3_stmt *st = s->st[ST_STATE];

	memset(out, 0, sizeof(*out));
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return store_err(s, "stats");
	}
	col_text(st, 0, out->epoch, sizeof(out->epoch));
	out->last_seq = sqlite3_column_int64(st, 1);
	out->acked_upto = sqlite3_column_int64(st, 2);
	out->last_ack_ms = sqlite3_column_int64(st, 3);
	col_text(st, 4, out->uplink, sizeof(out->uplink));
	out->uplink_since_ms = sqlite3_column_int64(st, 5);
	sqlite3_reset(st);
	out->unacked = out->last_seq - out->acked_upto;
	if (sqlite3_step(s->st[ST_SAL_COUNT]) == SQLITE_ROW)
		out->salvage = sqlite3_column_int64(s->st[ST_SAL_COUNT], 0);
	sqlite3_reset(s->st[ST_SAL_COUNT]);
	if (out->unacked == 0)
		return 0;
	st = s->st[ST_OLDEST];
	sqlite3_bind_int64(st, 1, out->acked_upto + 1);
	if (sqlite3_step(st) == SQLITE_ROW)
		out->oldest_unacked_at_ms = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

int
store_set_uplink(struct store *s, const char *state, int64_t wall_ms)
{
	sqlite3_stmt *st = s->st[ST_UPLINK];

	bind_text(st, 1, state);
	sqlite3_bind_int64(st, 2, wall_ms);
	return store_step_lazy(s, ST_UPLINK);
}

int
store_set_driver(struct store *s, const char *name, const char *state,
    int64_t wall_ms)
{
	sqlite3_stmt *st = s->st[ST_DRIVER];

	bind_text(st, 1, name);
	bind_text(st, 2, state);
	sqlite3_bind_int64(st, 3, wall_ms);
	return store_step_lazy(s, ST_DRIVER);
}

int
store_drivers(struct store *s, store_driver_fn fn, void *arg)
{
	sqlite3_stmt *st = s->st[ST_DRIVERS];
	struct store_driver d;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		col_text(st, 0, d.name, sizeof(d.name));
		col_text(st, 1, d.state, sizeof(d.state));
		d.since_ms = sqlite3_column_int64(st, 2);
		d.scans = sqlite3_column_int64(st, 3);
		d.last_ms = sqlite3_column_int64(st, 4);
		fn(arg, &d);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_err(s, "drivers");
}

static int64_t
store_pragma(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = 0;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
store_space(struct store *s, int64_t *db_bytes, int64_t *free_bytes)
{
	const char *path = sqlite3_db_filename(s->db, "main");
	struct statvfs vfs;

	*db_bytes = store_pragma(s, "PRAGMA page_count") *
	    store_pragma(s, "PRAGMA page_size");
	*free_bytes = path && statvfs(path, &vfs) == 0 ?
	    (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize : -1;
	return 0;
}

int
store_set_quota(struct store *s, int64_t bytes)
{
	char sql[80];
	int64_t page = store_pragma(s, "PRAGMA page_size");

	/* SQLite's own cap: past it an insert fails with SQLITE_FULL. */
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
	    (long long)(bytes > 0 && page > 0 ? bytes / page : 1073741823));
	return store_pragma(s, sql) > 0 ? 0 : -EIO;
}

int64_t
store_used(struct store *s)
{
	return (store_pragma(s, "PRAGMA page_count") -
	    store_pragma(s, "PRAGMA freelist_count")) *
	    store_pragma(s, "PRAGMA page_size");
}

int64_t
store_prune(struct store *s, int64_t before)
{
	sqlite3_stmt *st;
	int64_t n = 0;

	if (sqlite3_prepare_v2(s->db, "DELETE FROM events WHERE seq <= "
	    "(SELECT acked_upto FROM state) AND at_ms < ?1", -1, &st,
	    NULL) != SQLITE_OK)
		return store_err(s, "prune");
	sqlite3_bind_int64(st, 1, before);
	if (sqlite3_step(st) == SQLITE_DONE)
		n = sqlite3_changes(s->db);
	else
		n = store_err(s, "prune");
	sqlite3_finalize(st);
	return n;
}

int
store_last_undoable(struct store *s, const char *user, const char *case_id,
    struct event *ev)
{
	sqlite3_stmt *st = s->st[ST_UNDOABLE];
	int rc;

	bind_text(st, 1, user);
	bind_text(st, 2, case_id);
	memset(ev, 0, sizeof(*ev));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ev->seq = sqlite3_column_int64(st, 0);
		evsql_row(st, 1, ev);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 :
	    store_err(s, "undoable");
}

int
store_salvage_put(struct store *s, const char *epoch, const struct event *evs,
    int n)
{
	sqlite3_stmt *st = s->st[ST_SAL_PUT];
	int i, rc;

	if ((rc = store_step_done(s, ST_BEGIN)) != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++) {
		bind_text(st, 1, epoch);
		sqlite3_bind_int64(st, 2, evs[i].seq);
		evsql_bind(st, 3, &evs[i]);
		rc = store_step_done(s, ST_SAL_PUT);
	}
	if (rc == 0 && (rc = store_step_done(s, ST_COMMIT)) == 0)
		return 0;
	store_step_done(s, ST_ROLLBACK);
	return rc;
}

int
store_salvage_read(struct store *s, char *epoch, size_t epochlen,
    struct event *evs, int max)
{
	sqlite3_stmt *st = s->st[ST_SAL_READ];
	int n = 0, rc;

	sqlite3_bind_int(st, 1, max);
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		col_text(st, 0, epoch, epochlen);
		memset(&evs[n], 0, sizeof(evs[n]));
		evs[n].seq = sqlite3_column_int64(st, 1);
		evsql_row(st, 2, &evs[n++]);
	}
	if (n < max && rc != SQLITE_DONE)
		n = store_err(s, "salvage read");
	sqlite3_reset(st);
	return n;
}

int
store_salvage_release(struct store *s, const char *epoch, int64_t upto)
{
	sqlite3_stmt *st = s->st[ST_SAL_RELEASE];

	bind_text(st, 1, epoch);
	sqlite3_bind_int64(st, 2, upto);
	return store_step_done(s, ST_SAL_RELEASE);
}

int
store_alarm_set(struct store *s, const char *kind, const char *detail,
    int64_t wall_ms)
{
	sqlite3_stmt *st = s->st[ST_ALARM_SET];

	bind_text(st, 1, kind);
	sqlite3_bind_int64(st, 2, wall_ms);
	bind_text(st, 3, detail);
	return store_step_done(s, ST_ALARM_SET);
}

int
store_alarm_clear(struct store *s, const char *kind)
{
	bind_text(s->st[ST_ALARM_CLEAR], 1, kind);
	return store_step_done(s, ST_ALARM_CLEAR);
}

int
store_alarms(struct store *s, store_alarm_fn fn, void *arg)
{
	sqlite3_stmt *st = s->st[ST_ALARMS];
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int64(st, 1),
		    (const char *)sqlite3_column_text(st, 2));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_err(s, "alarms");
}
