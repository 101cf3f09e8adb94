/*
 * The agent's local store: every usage event, in SQLite, before anything
 * else happens to it. The row is the queue; only a bridge ack releases it.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "evsql.h"
#include "log.h"
#include "sqlmig.h"
#include "store_int.h"
#include "util.h"

#define STORE_BUSY_MS	5000	/* pouctl may read while the agent writes */

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
	[ST_DRIVER] = "INSERT INTO drivers (name, state, since_ms) VALUES (?1, "
	    "?2, ?3) ON CONFLICT DO UPDATE SET state = ?2, since_ms = ?3",
	[ST_DRIVER_COUNTS] = "UPDATE drivers SET scans = ?2, last_ms = ?3, "
	    "handle_max_ms = ?4, slow = ?5 WHERE name = ?1",
	[ST_DRIVERS] = "SELECT name, state, since_ms, scans, last_ms, "
	    "handle_max_ms, slow FROM drivers ORDER BY name",
	[ST_SAL_PUT] = "INSERT OR IGNORE INTO salvage (epoch, seq, "
	    EVSQL_COLUMNS ") VALUES (?, ?, " EVSQL_PARAMS ")",
	/* The oldest epoch first; rows whose epoch was unreadable stay. */
	[ST_SAL_READ] = "SELECT epoch, seq, " EVSQL_COLUMNS " FROM salvage "
	    "WHERE epoch = (SELECT min(epoch) FROM salvage WHERE epoch <> '') "
	    "ORDER BY seq LIMIT ?1",
	[ST_SAL_RELEASE] = "DELETE FROM salvage WHERE epoch = ?1 AND seq <= ?2",
	[ST_SAL_COUNT] = "SELECT count(*) FROM salvage",
	[ST_ALARM_SET] = "INSERT INTO alarms VALUES (?1, ?2, ?3) "
	    "ON CONFLICT DO UPDATE SET at_ms = ?2, detail = ?3",
	[ST_ALARM_CLEAR] = "DELETE FROM alarms WHERE kind = ?1",
	[ST_ALARMS] = "SELECT kind, at_ms, detail FROM alarms ORDER BY kind",
	[ST_REF_VERSION] = "SELECT 1 FROM refdata WHERE name = ?1 AND "
	    "version = ?2",
	/* A set pushed by the fleet (?5 NULL) keeps the file version seen. */
	[ST_REF_RECORD] = "INSERT INTO refdata VALUES (?1, ?2, ?3, ?4, "
	    "coalesce(?5, '')) ON CONFLICT (name) DO UPDATE SET version = ?2, "
	    "rows = ?3, loaded_ms = ?4, file_version = coalesce(?5, "
	    "file_version)",
	[ST_SCHEDULE] = "SELECT room, start_at, end_at, case_id, mrn, "
	    "encounter FROM schedule ORDER BY start_at",
	[ST_REF_GET] = "SELECT version FROM refdata WHERE name = ?1",
	[ST_REF_FILE_SEEN] = "SELECT 1 FROM refdata WHERE name = ?1 AND "
	    "file_version = ?2",
	[ST_REF_ITEM] = "SELECT description, implant, lot_required, "
	    "serial_required, active FROM catalog WHERE di = ?1",
	[ST_REF_ANY] = "SELECT 1 FROM catalog LIMIT 1",
	[ST_REF_RECALLED] = "SELECT recall_id, reason FROM recalls WHERE di = "
	    "?1 AND (lot = '' OR lot = ?2) AND (serial = '' OR serial = ?3) "
	    "LIMIT 1",
	[ST_CMD_ADD] = "INSERT INTO commands VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?6) ON CONFLICT (id) DO NOTHING",
	[ST_CMD_STATE] = "UPDATE commands SET state = ?2, updated_ms = ?3 "
	    "WHERE id = ?1",
	[ST_CMD_RESULT] = "INSERT INTO command_results (id, state, error, "
	    "detail, data, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_CMD_NEXT] = "SELECT id, op, args, exp, state, received_ms FROM "
	    "commands WHERE state IN ('received', 'executing') ORDER BY "
	    "received_ms, id LIMIT 1",
	[ST_CMD_LIST] = "SELECT id, op, args, exp, state, updated_ms FROM "
	    "commands ORDER BY received_ms DESC, id LIMIT ?1",
	[ST_RES_NEXT] = "SELECT n, id, state, error, detail, data, at_ms FROM "
	    "command_results ORDER BY n LIMIT 1",
	[ST_RES_DONE] = "DELETE FROM command_results WHERE n = ?1",
	[ST_CMD_PRUNE] = "DELETE FROM commands WHERE exp < ?1 AND state IN "
	    "('successful', 'failed') AND id NOT IN (SELECT id FROM "
	    "command_results)",
	[ST_PART_PUT] = "INSERT INTO command_parts VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6) ON CONFLICT DO NOTHING",
	[ST_PART_COUNT] = "SELECT count(*) FROM command_parts WHERE kind = ?1 "
	    "AND version = ?2 AND parts = ?3",
	[ST_PARTS] = "SELECT rows FROM command_parts WHERE kind = ?1 AND "
	    "version = ?2 ORDER BY part",
	[ST_PART_DROP] = "DELETE FROM command_parts WHERE (kind = ?1 AND "
	    "(version = ?2 OR ?2 = '')) OR at_ms < ?3",
	[ST_CONF_LIST] = "SELECT section, key, value FROM config_set ORDER BY "
	    "section, key",
	[ST_CONF_TRY] = "INSERT INTO config_trial VALUES (?1, ?2, ?3, (SELECT "
	    "value FROM config_set WHERE section = ?2 AND key = ?3), ?4)",
	[ST_CONF_SET] = "INSERT INTO config_set VALUES (?2, ?3, ?4, ?1) ON "
	    "CONFLICT DO UPDATE SET value = ?4, id = ?1",
	[ST_CONF_TRIAL] = "SELECT max(deadline_ms) FROM config_trial WHERE id "
	    "= ?1",
	[ST_CONF_KEEP] = "DELETE FROM config_trial WHERE id = ?1",
	[ST_CONF_UNDO_DEL] = "DELETE FROM config_set WHERE (section, key) IN "
	    "(SELECT section, key FROM config_trial WHERE id = ?1 AND old IS "
	    "NULL)",
	[ST_CONF_UNDO_SET] = "UPDATE config_set SET value = (SELECT old FROM "
	    "config_trial t WHERE t.id = ?1 AND t.section = config_set.section "
	    "AND t.key = config_set.key) WHERE (section, key) IN (SELECT "
	    "section, key FROM config_trial WHERE id = ?1 AND old IS NOT NULL)",
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
	/* gap-free counter, never reused */
	"  last_seq INTEGER NOT NULL,"
	/* the bridge stored all <= this */
	"  acked_upto INTEGER NOT NULL,"
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
	"  serial TEXT NOT NULL, recall_id TEXT NOT NULL,"
	" reason TEXT NOT NULL);"
	"CREATE INDEX recalls_di ON recalls (di);"
	"CREATE TABLE refdata (name TEXT PRIMARY KEY, version TEXT NOT NULL,"
	"  rows INTEGER NOT NULL, loaded_ms INTEGER NOT NULL);",
	/* 5: UNDO's compensating events name the seq they reverse. */
	"ALTER TABLE events " EVSQL_ADD_UNDOES ";"
	"ALTER TABLE salvage " EVSQL_ADD_UNDOES ";"
	"CREATE INDEX events_undoes ON events (undoes) WHERE undoes > 0;",
	/* 6: what the driver front end counts, for telemetry and pouctl. */
	"ALTER TABLE drivers ADD scans INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE drivers ADD last_ms INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE drivers ADD handle_max_ms INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE drivers ADD slow INTEGER NOT NULL DEFAULT 0;",
	/* 7: fleet commands (store_cmd.c): each id once, its state durable,
	 * each transition queued for the result topic until published; the
	 * parts of a reference set until it is whole; and the version of
	 * each reference file last read, so a set the fleet pushed is not
	 * replaced by an unchanged file at the next start. */
	"CREATE TABLE commands (id TEXT PRIMARY KEY, op TEXT NOT NULL,"
	"  args TEXT NOT NULL, exp INTEGER NOT NULL, state TEXT NOT NULL,"
	"  received_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);"
	"CREATE TABLE command_results (n INTEGER PRIMARY KEY, id TEXT NOT NULL,"
	"  state TEXT NOT NULL, error TEXT NOT NULL, detail TEXT NOT NULL,"
	"  data TEXT NOT NULL, at_ms INTEGER NOT NULL);"
	"CREATE TABLE command_parts (kind TEXT NOT NULL, version TEXT NOT NULL,"
	"  part INTEGER NOT NULL, parts INTEGER NOT NULL, rows TEXT NOT NULL,"
	"  at_ms INTEGER NOT NULL, PRIMARY KEY (kind, version, part));"
	"ALTER TABLE refdata ADD file_version TEXT NOT NULL DEFAULT '';",
	/* 8: configuration keys set by fleet commands, over the file; a
	 * change on trial keeps the values it replaced (NULL: none) until the
	 * uplink is back, or is undone. */
	"CREATE TABLE config_set (section TEXT NOT NULL, key TEXT NOT NULL,"
	"  value TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (section, key));"
	"CREATE TABLE config_trial (id TEXT NOT NULL, section TEXT NOT NULL,"
	"  key TEXT NOT NULL, old TEXT, deadline_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (id, section, key));",
	/* 9: the OR schedule, from its file or pushed by the fleet, as the
	 * catalog and recall list are (it holds MRNs: the store is 0600). */
	"CREATE TABLE schedule (room TEXT NOT NULL, start_at TEXT NOT NULL,"
	"  end_at TEXT NOT NULL, case_id TEXT NOT NULL, mrn TEXT NOT NULL,"
	"  encounter TEXT NOT NULL);",
};

/* A full disk shows as SQLITE_FULL, or as an I/O error whose errno says so. */
int
store_errno(struct store *s, int rc)
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
		return s->db && sqlite3_system_errno(s->db) == ENOSPC ?
		    -ENOSPC : -EIO;
	}
}

int
store_err(struct store *s, const char *what)
{
	int rc = store_errno(s, sqlite3_errcode(s->db));
	int disk = sqlite3_system_errno(s->db) == ENOSPC;

	log_warnx("store: %s: %s%s", what, sqlite3_errmsg(s->db), disk ?
	    " (no space left on the device)" : rc == -ENOSPC ?
	    " (the store's quota)" : "");
	return rc;
}

int
store_step(struct store *s, sqlite3_stmt *st)
{
	return s->fail_at > 0 && ++s->steps == s->fail_at ? SQLITE_IOERR :
	    sqlite3_step(st);
}

void
store_fail_nth(struct store *s, int n)
{
	s->fail_at = n;
	s->steps = 0;
}

int
store_exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	int rc;

	if (s->fail_at > 0 && ++s->steps == s->fail_at)
		rc = SQLITE_IOERR;
	else
		rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_warnx("store: %s", msg ? msg : "exec failed");
		sqlite3_free(msg);
		return store_errno(s, rc);
	}
	return 0;
}

/* SQLite's own quick check of every page; -EBADMSG when damaged. */
int
store_check(struct store *s)
{
	sqlite3_stmt *st;
	const char *v;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st,
	    NULL) != SQLITE_OK)
		return store_err(s, "quick_check");
	if ((rc = store_step(s, st)) != SQLITE_ROW)
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
	rc = store_step(s, st) == SQLITE_ROW ? 0 : -EIO;
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc;
}

static int
store_migrate(struct store *s)
{
	int rc = sqlmig_run(s->db, "store", store_migrations,
	    (int)nitems(store_migrations));

	return rc > 0 ? store_errno(s, rc) : rc;
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

int
store_load_epoch(struct store *s)
{
	sqlite3_stmt *st = s->st[ST_STATE];
	int rc = -EBADMSG;	/* no state row: not a store this agent made */

	if (store_step(s, st) == SQLITE_ROW) {
		snprintf(s->epoch, sizeof(s->epoch), "%s",
		    (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

/* Why SQLite could not open path: the file or its directory, if either
 * is missing or closed to us, else -EIO. */
static int
store_open_cause(const char *path, int flags)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", path);
	if (access(dirname(dir), (flags & SQLITE_OPEN_CREATE) ? W_OK | X_OK :
	    X_OK) != 0)
		return -errno;
	if (!(flags & SQLITE_OPEN_CREATE) && access(path, R_OK) != 0)
		return -errno;
	return -EIO;
}

static int
store_open_flags(const char *path, int flags, struct store **out)
{
	struct store *s;
	int rc;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -ENOMEM;
	s->mark_fd = s->room.reserve_fd = -1;
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		rc = store_open_cause(path, flags);
		log_warnx("store: %s: %s (%s)", path, s->db ?
		    sqlite3_errmsg(s->db) : "out of memory", strerror(-rc));
		store_close(s);
		return rc;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	sqlite3_extended_result_codes(s->db, 0);
	*out = s;
	return 0;
}

/* The settings and schema; every write here can meet a full disk. */
static int
store_setup(struct store *s)
{
	int rc;

	if ((rc = store_check(s)) != 0 ||
	    /* A new store only: each commit writes whole pages, and freed
	     * pages can go back to the disk (store_space.c). In this order:
	     * auto_vacuum makes the file. */
	    (rc = store_exec(s, "PRAGMA page_size = 1024")) != 0 ||
	    (rc = store_exec(s, "PRAGMA auto_vacuum = INCREMENTAL")) != 0 ||
	    (rc = store_exec(s, "PRAGMA journal_mode = WAL")) != 0 ||
	    /* Reads are sequential: a small page cache keeps the cart's RSS
	     * flat (SQLite's default is 2 MB). */
	    (rc = store_exec(s, "PRAGMA cache_size = -512")) != 0 ||
	    (rc = store_exec(s, s->sync_full ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL")) != 0 ||
	    (rc = store_migrate(s)) != 0 || (rc = store_prepare(s)) != 0)
		return rc;
	return store_load_epoch(s);
}

/*
 * Its own mark file names a seq beyond the store's: the WAL was lost. The
 * mark is rewritten only once that is dealt with: a rollover that could
 * not be made is found again at the next start (and this one fails).
 */
static int
store_went_back(struct store *s)
{
	struct store_rollback why = { "local", 0, 0, 0 };
	struct store_stats ss;
	struct store_rollover r;
	char epoch[33];
	int64_t seq;
	int rc;

	if ((rc = store_stats(s, &ss)) != 0)
		return rc;
	store_mark_open(s, ss.last_seq, epoch, &seq);
	if (epoch[0] != '\0' && strcmp(epoch, s->epoch) != 0 &&
	    ss.last_seq == 0 && seq > 0)
		store_lost_alarm(s, epoch, seq);
	else if (strcmp(epoch, s->epoch) == 0 && seq > ss.last_seq) {
		why.mark_seq = seq;
		/* none recorded since: none moved */
		why.from = ss.last_seq + 1;
		return store_rollover(s, &why, &r);
	}
	store_mark_write(s, ss.last_seq);
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
	store_room_open(s);
	/* A full disk: the reserve's bytes let the store open and ack. */
	if ((rc = store_setup(s)) == -ENOSPC && store_room_give(s))
		rc = store_setup(s);
	if (rc != 0)
		goto fail;
	store_room_limits(s);
	if ((rc = store_went_back(s)) != 0)
		goto fail;
	if (store_exec(s, "DELETE FROM drivers") != 0)	/* a new run */
		log_warnx("store: the drivers' old states stay for now");
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
	sqlite3_finalize(s->ref_ins);
	sqlite3_close(s->db);
	store_room_close(s);
	store_mark_close(s);
	free(s);
}

const char *
store_epoch(const struct store *s)
{
	return s->epoch;
}

int
store_step_done(struct store *s, int i)
{
	int rc = store_step(s, s->st[i]);

	sqlite3_reset(s->st[i]);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_err(s,
	    store_sql[i]);
}

/*
 * Not a prepared statement: SQLite applies PRAGMA synchronous when it
 * prepares it, not when it steps it (a prepared pair would leave the
 * last one prepared in force, and the lazy writes waiting for the disk).
 */
void
store_sync(struct store *s, int full)
{
	if (s->sync_full)
		store_exec(s, full ? "PRAGMA synchronous = FULL" :
		    "PRAGMA synchronous = NORMAL");
}

#define KEEP_WARN_MS	60000	/* a must-land write failing: once a minute */

/*
 * A write besides the events. KEEP_ROOM: it must land even on a full disk
 * (an ack, a release): there the reserve is given up and it is tried once
 * more; the reserve is for those alone. KEEP_LAZY: it may be lost in a
 * power cut without harm (an ack mark: the bridge dedups what is resent;
 * a state for pouctl): committed without waiting for the disk, the next
 * FULL commit syncs it with its own.
 */
int
store_keep(struct store *s, int i, int how)
{
	int rc;

	if (how & KEEP_LAZY)
		store_sync(s, 0);
	if ((rc = store_step_done(s, i)) == -ENOSPC && (how & KEEP_ROOM) &&
	    store_room_give(s))
		rc = store_step_done(s, i);
	if (how & KEEP_LAZY)
		store_sync(s, 1);
	if (rc != 0 && now_mono_ms() - s->keep_warned_ms >= KEEP_WARN_MS) {
		s->keep_warned_ms = now_mono_ms();
		log_warnx("store: alarm: cannot write its state (%s); it is "
		    "kept in memory and written when it can", strerror(-rc));
	}
	return rc;
}

void
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

int
store_txn_end(struct store *s, int rc)
{
	if (rc == 0 && (rc = store_step_done(s, ST_COMMIT)) == 0)
		return 0;
	if (!sqlite3_get_autocommit(s->db))
		store_step_done(s, ST_ROLLBACK);
	return rc;
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

	/* The reserve is the acks' room: a scan never takes it. */
	if (!store_room_ok(s))
		return ev->seq = 0, -ENOSPC;
	if ((rc = store_step_done(s, ST_BEGIN)) != 0)
		return rc;
	if (store_step(s, st) != SQLITE_ROW) {
		rc = store_err(s, "next seq");
		sqlite3_reset(st);
		goto fail;
	}
	ev->seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if ((rc = store_insert(s, ev)) != 0 ||
	    (rc = store_step_done(s, ST_COMMIT)) != 0)
		goto fail;
	store_mark_write(s, ev->seq);
	return 0;
fail:
	s->room.full = rc == -ENOSPC;
	if (!sqlite3_get_autocommit(s->db))	/* a failed COMMIT ended it */
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
	if ((rc = store_keep(s, ST_ACK, KEEP_LAZY | KEEP_ROOM)) != 0)
		return rc;
	return sqlite3_changes(s->db) == 1 ? 0 : -ERANGE;
}

void
store_col_text(sqlite3_stmt *st, int i, char *dst, size_t size)
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
	while (n < max && (rc = store_step(s, st)) == SQLITE_ROW) {
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
	if (store_step(s, st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return store_err(s, "stats");
	}
	store_col_text(st, 0, out->epoch, sizeof(out->epoch));
	out->last_seq = sqlite3_column_int64(st, 1);
	out->acked_upto = sqlite3_column_int64(st, 2);
	out->last_ack_ms = sqlite3_column_int64(st, 3);
	store_col_text(st, 4, out->uplink, sizeof(out->uplink));
	out->uplink_since_ms = sqlite3_column_int64(st, 5);
	sqlite3_reset(st);
	out->unacked = out->last_seq - out->acked_upto;
	if (store_step(s, s->st[ST_SAL_COUNT]) == SQLITE_ROW)
		out->salvage = sqlite3_column_int64(s->st[ST_SAL_COUNT], 0);
	sqlite3_reset(s->st[ST_SAL_COUNT]);
	if (out->unacked == 0)
		return 0;
	st = s->st[ST_OLDEST];
	sqlite3_bind_int64(st, 1, out->acked_upto + 1);
	if (store_step(s, st) == SQLITE_ROW)
		out->oldest_unacked_at_ms = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

int
store_set_uplink(struct store *s, const char *state, int64_t wall_ms)
{
	sqlite3_stmt *st = s->st[ST_UPLINK];

	store_bind_text(st, 1, state);
	sqlite3_bind_int64(st, 2, wall_ms);
	return store_keep(s, ST_UPLINK, KEEP_LAZY);
}

int
store_set_driver(struct store *s, const char *name, const char *state,
    int64_t wall_ms)
{
	sqlite3_stmt *st = s->st[ST_DRIVER];

	store_bind_text(st, 1, name);
	store_bind_text(st, 2, state);
	sqlite3_bind_int64(st, 3, wall_ms);
	return store_keep(s, ST_DRIVER, KEEP_LAZY);
}

int
store_set_driver_counts(struct store *s, const struct store_driver *d)
{
	sqlite3_stmt *st = s->st[ST_DRIVER_COUNTS];

	store_bind_text(st, 1, d->name);
	sqlite3_bind_int64(st, 2, d->scans);
	sqlite3_bind_int64(st, 3, d->last_ms);
	sqlite3_bind_int64(st, 4, d->handle_max_ms);
	sqlite3_bind_int64(st, 5, d->slow);
	return store_keep(s, ST_DRIVER_COUNTS, KEEP_LAZY);
}

int
store_drivers(struct store *s, store_driver_fn fn, void *arg)
{
	sqlite3_stmt *st = s->st[ST_DRIVERS];
	struct store_driver d;
	int rc;

	while ((rc = store_step(s, st)) == SQLITE_ROW) {
		store_col_text(st, 0, d.name, sizeof(d.name));
		store_col_text(st, 1, d.state, sizeof(d.state));
		d.since_ms = sqlite3_column_int64(st, 2);
		d.scans = sqlite3_column_int64(st, 3);
		d.last_ms = sqlite3_column_int64(st, 4);
		d.handle_max_ms = sqlite3_column_int64(st, 5);
		d.slow = sqlite3_column_int64(st, 6);
		fn(arg, &d);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_err(s, "drivers");
}

int64_t
store_pragma(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = 0;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (store_step(s, st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
store_last_undoable(struct store *s, const char *user, const char *case_id,
    struct event *ev)
{
	sqlite3_stmt *st = s->st[ST_UNDOABLE];
	int rc;

	store_bind_text(st, 1, user);
	store_bind_text(st, 2, case_id);
	memset(ev, 0, sizeof(*ev));
	if ((rc = store_step(s, st)) == SQLITE_ROW) {
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
		store_bind_text(st, 1, epoch);
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
	while (n < max && (rc = store_step(s, st)) == SQLITE_ROW) {
		store_col_text(st, 0, epoch, epochlen);
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

	store_bind_text(st, 1, epoch);
	sqlite3_bind_int64(st, 2, upto);
	return store_keep(s, ST_SAL_RELEASE, KEEP_ROOM);
}

int
store_alarm_set(struct store *s, const char *kind, const char *detail,
    int64_t wall_ms)
{
	sqlite3_stmt *st = s->st[ST_ALARM_SET];

	store_bind_text(st, 1, kind);
	sqlite3_bind_int64(st, 2, wall_ms);
	store_bind_text(st, 3, detail);
	return store_keep(s, ST_ALARM_SET, 0);
}

int
store_alarm_clear(struct store *s, const char *kind)
{
	store_bind_text(s->st[ST_ALARM_CLEAR], 1, kind);
	return store_keep(s, ST_ALARM_CLEAR, 0);
}

int
store_alarms(struct store *s, store_alarm_fn fn, void *arg)
{
	sqlite3_stmt *st = s->st[ST_ALARMS];
	int rc;

	while ((rc = store_step(s, st)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int64(st, 1),
		    (const char *)sqlite3_column_text(st, 2));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_err(s, "alarms");
}
