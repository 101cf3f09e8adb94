/*
 * The bridge's database: every event once (unique on device, epoch, seq),
 * the contiguous prefix held per device epoch, an outbox per destination
 * written in the same transaction as the event, and rejected payloads.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bridge.h"
#include "db.h"
#include "db_int.h"
#include "evsql.h"
#include "log.h"
#include "sqlmig.h"
#include "util.h"

#define DB_BUSY_MS	10000	/* ingest and delivery threads share the file */

/* The states as the database spells them. */
static const char *const ob_state_names[OB_STATE_COUNT] = {
	[OB_PENDING] = "pending", [OB_DONE] = "done", [OB_FAILED] = "failed",
	[OB_DEAD] = "dead",
};
static const char *const exc_state_names[EXC_STATE_COUNT] = {
	[EXC_OPEN] = "open", [EXC_RESOLVED] = "resolved",
	[EXC_RELEASED] = "released", [EXC_DISCARDED] = "discarded",
	[EXC_WARNING] = "warning",
};

const char *
db_ob_state_name(enum ob_state s)
{
	return (unsigned)s < OB_STATE_COUNT ? ob_state_names[s] : "?";
}

const char *
db_exc_state_name(enum exc_state s)
{
	return (unsigned)s < EXC_STATE_COUNT ? exc_state_names[s] : "?";
}

/* Schema versions; index i takes user_version i to i + 1. */
static const char *const db_migrations[] = {
	"CREATE TABLE IF NOT EXISTS devices ("
	"  device TEXT NOT NULL, epoch TEXT NOT NULL, site TEXT NOT NULL,"
	"  contig_upto INTEGER NOT NULL, first_ms INTEGER NOT NULL,"
	"  last_ms INTEGER NOT NULL, PRIMARY KEY (device, epoch));"
	"CREATE TABLE IF NOT EXISTS events ("
	"  id INTEGER PRIMARY KEY,"
	"  device TEXT NOT NULL, epoch TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  received_ms INTEGER NOT NULL, " EVSQL_SCHEMA ","
	"  charge_code TEXT, price_cents INTEGER,"
	"  UNIQUE (device, epoch, seq));"
	"CREATE TABLE IF NOT EXISTS outbox ("
	"  id INTEGER PRIMARY KEY, dest TEXT NOT NULL,"
	"  event_id INTEGER NOT NULL REFERENCES events (id),"
	/* pending done failed dead */
	"  state TEXT NOT NULL DEFAULT 'pending',"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_ms INTEGER NOT NULL DEFAULT 0,"	/* wall ms of the next try */
	"  last_error TEXT NOT NULL DEFAULT '',"
	"  name TEXT NOT NULL, control_id TEXT NOT NULL, payload TEXT NOT NULL,"
	"  created_ms INTEGER NOT NULL, done_ms INTEGER,"
	"  UNIQUE (dest, event_id));"
	"CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (dest, state, id);"
	"CREATE TABLE IF NOT EXISTS rejects ("
	"  id INTEGER PRIMARY KEY, received_ms INTEGER NOT NULL,"
	"  topic TEXT NOT NULL, reason TEXT NOT NULL, payload BLOB NOT NULL);",
	/* 2: times the bridge can vouch for (clock.c). */
	"ALTER TABLE events ADD COLUMN at_fixed_ms INTEGER;"
	"ALTER TABLE events ADD COLUMN time_quality TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE boots (device TEXT NOT NULL, boot TEXT NOT NULL,"
	"  offset_ms INTEGER NOT NULL, PRIMARY KEY (device, boot));",
	/* 3: UNDO's compensating events name the seq they reverse. */
	"ALTER TABLE events " EVSQL_ADD_UNDOES ";",
	/* 4: what the receiver answered (ACK, ERP document id), for lineage. */
	"ALTER TABLE outbox ADD COLUMN answer TEXT NOT NULL DEFAULT '';",
	/* 5: the exception queue (rules.c, pouctl exceptions). */
	"CREATE TABLE exceptions (id INTEGER PRIMARY KEY,"
	"  event_id INTEGER NOT NULL REFERENCES events (id),"
	"  rule TEXT NOT NULL, reason TEXT NOT NULL,"
	"  hold TEXT NOT NULL,"		/* billing, erp, billing+erp, "" */
	/* open resolved released discarded warning */
	"  state TEXT NOT NULL,"
	"  queued INTEGER NOT NULL DEFAULT 0,"
	"  created_ms INTEGER NOT NULL, changed_ms INTEGER NOT NULL,"
	"  changed_by TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX exceptions_state ON exceptions (state, queued);"
	"CREATE INDEX events_serial ON events (di, serial) WHERE serial <> '';",
	/* 6: PAR estimates (replenish.c) and reference data loads. */
	"CREATE TABLE onhand (erp_location TEXT NOT NULL, di TEXT NOT NULL,"
	"  qty INTEGER NOT NULL, changed_ms INTEGER NOT NULL,"
	"  counted_ms INTEGER, counted_by TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (erp_location, di));"
	"CREATE TABLE refdata_log (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
	"  version TEXT NOT NULL, rows INTEGER NOT NULL, path TEXT NOT NULL,"
	/* imported (pouctl) or loaded (bridge) */
	"  what TEXT NOT NULL,"
	"  by TEXT NOT NULL, at_ms INTEGER NOT NULL);",
	/* 7: the second defence (db_guard.c): each event's content hash,
	 * conflicting content kept, seqs a cart no longer had, alarms, the
	 * enrolment list with its audit trail; rejects counted, not
	 * repeated; each delivery's key for the ledger, its revision for
	 * MSH-10, its HL7 sequence number and its attempts of unknown
	 * outcome (a possible double). */
	"ALTER TABLE events ADD COLUMN hash TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE conflicts (id INTEGER PRIMARY KEY,"
	"  device TEXT NOT NULL, epoch TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  hash TEXT NOT NULL, held_id INTEGER NOT NULL REFERENCES events (id),"
	"  topic TEXT NOT NULL, event TEXT NOT NULL,"	/* the event as JSON */
	"  received_ms INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 1,"
	"  settled TEXT NOT NULL DEFAULT '',"	/* its identity, sent again */
	"  UNIQUE (device, epoch, seq, hash));"
	"CREATE INDEX conflicts_hash ON conflicts (device, hash);"
	"CREATE TABLE gaps (device TEXT NOT NULL, epoch TEXT NOT NULL,"
	"  first INTEGER NOT NULL, last INTEGER NOT NULL,"
	"  lost INTEGER NOT NULL, at_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (device, epoch, first));"
	"CREATE TABLE alarms (kind TEXT NOT NULL, device TEXT NOT NULL,"
	"  epoch TEXT NOT NULL, detail TEXT NOT NULL,"
	" first_ms INTEGER NOT NULL,"
	"  at_ms INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 1,"
	"  cleared_ms INTEGER, cleared_by TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (kind, device, epoch));"
	"CREATE TABLE enrolment (device TEXT PRIMARY KEY, site TEXT NOT NULL,"
	"  state TEXT NOT NULL,"	/* enrolled, retired */
	"  by TEXT NOT NULL, at_ms INTEGER NOT NULL);"
	"CREATE TABLE audit (id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL,"
	"  by TEXT NOT NULL, what TEXT NOT NULL, before TEXT NOT NULL,"
	"  after TEXT NOT NULL);"
	"ALTER TABLE rejects ADD COLUMN hash TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE rejects ADD COLUMN count INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE rejects ADD COLUMN last_ms INTEGER NOT NULL DEFAULT 0;"
	"CREATE UNIQUE INDEX rejects_hash ON rejects (hash) WHERE hash <> '';"
	"ALTER TABLE outbox ADD COLUMN ident TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE outbox ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE outbox ADD COLUMN seqno INTEGER;"
	"ALTER TABLE outbox ADD COLUMN unsure INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE exceptions ADD COLUMN ref TEXT NOT NULL DEFAULT '';"
	"CREATE INDEX outbox_seqno ON outbox (dest, seqno) WHERE seqno IS NOT "
	"NULL;",
	/* 8: the fleet (db_fleet.c): each cart as its status and telemetry
	 * last said, the commands IT sent, and each cart's results, one row
	 * per command, cart and state however often it is reported. */
	"CREATE TABLE device_status (device TEXT PRIMARY KEY,"
	"  site TEXT NOT NULL,"
	"  state TEXT NOT NULL, since_ms INTEGER NOT NULL,"
	"  epoch TEXT NOT NULL DEFAULT '', version TEXT NOT NULL DEFAULT '',"
	"  telemetry TEXT NOT NULL DEFAULT '{}',"
	"  telemetry_ms INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE fleet_commands (id TEXT PRIMARY KEY, op TEXT NOT NULL,"
	"  aud TEXT NOT NULL, exp INTEGER NOT NULL, jws TEXT NOT NULL,"
	"  by TEXT NOT NULL, created_ms INTEGER NOT NULL, sent_ms INTEGER);"
	"CREATE TABLE fleet_results (id TEXT NOT NULL, device TEXT NOT NULL,"
	"  state TEXT NOT NULL, error TEXT NOT NULL, detail TEXT NOT NULL,"
	"  data TEXT NOT NULL, at_ms INTEGER NOT NULL,"
	"  received_ms INTEGER NOT NULL, PRIMARY KEY (id, device, state));",
	/* 9: each cart's open alarms, as its retained alarm message says. */
	"ALTER TABLE device_status ADD COLUMN alarms TEXT NOT NULL DEFAULT "
	"'[]';",
};

static const char *const db_sql[Q_COUNT] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_INSERT] = "INSERT OR IGNORE INTO events (device, epoch, seq, "
	    "received_ms, " EVSQL_COLUMNS ", charge_code, price_cents, "
	    "at_fixed_ms, time_quality, hash) VALUES (?, ?, ?, ?, " EVSQL_PARAMS
	    ", ?, ?, ?, ?, ?)",
	/* A release after a refusal: the message again, with what was
	 * supplied; a delivered one is never sent twice. */
	[Q_ENQUEUE] = "INSERT INTO outbox (dest, event_id, name, control_id, "
	    "payload, created_ms, ident, rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8) ON CONFLICT DO UPDATE SET payload = ?5, control_id = ?4, "
	    "rev = ?8, seqno = NULL, unsure = 0, state = 'pending', "
	    "next_ms = 0, attempts = 0, last_error = 'released' WHERE state IN "
	    "('failed', 'dead')",
	[Q_REV] = "SELECT rev + 1 FROM outbox WHERE dest = ?1 AND "
	    "event_id = ?2",
	/* A row's HL7 sequence number, given once, before it is sent. */
	[Q_SEQNO] = "UPDATE outbox SET seqno = ?2 WHERE id = ?1 AND seqno IS "
	    "NULL",
	[Q_SEQNO_MAX] = "SELECT coalesce(max(seqno), 0) FROM outbox WHERE "
	    "dest = ?1 AND seqno IS NOT NULL",
	[Q_CONTIG] = "SELECT contig_upto FROM devices WHERE device = ?1 AND "
	    "epoch = ?2",
	[Q_NEXT] = "SELECT seq FROM events WHERE device = ?1 AND epoch = ?2 "
	    "AND seq > ?3 ORDER BY seq LIMIT 1000",
	[Q_DEVICE] = "INSERT INTO devices VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
	    "ON CONFLICT DO UPDATE SET contig_upto = ?4, last_ms = ?5",
	/* The same message again is counted, not kept twice. */
	[Q_REJECT] = "INSERT INTO rejects (received_ms, topic, reason, "
	    "payload, hash, last_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?1) "
	    "ON CONFLICT (hash) WHERE hash <> '' DO UPDATE SET "
	    "count = count + 1, last_ms = ?1",
	[Q_OB_NEXT] = "SELECT id, name, control_id, payload, attempts, "
	    "next_ms, ident, coalesce(seqno, 0), unsure FROM outbox WHERE "
	    "dest = ?1 AND state = 'pending' ORDER BY id LIMIT 1",
	[Q_MAXSEQ] = "SELECT max(seq) FROM events WHERE device = ?1 AND "
	    "epoch = ?2",
	[Q_BOOT_GET] = "SELECT offset_ms FROM boots WHERE device = ?1 AND "
	    "boot = ?2",
	[Q_BOOT_SET] = "INSERT INTO boots VALUES (?1, ?2, ?3) ON CONFLICT DO "
	    "UPDATE SET offset_ms = min(offset_ms, ?3)",
	[Q_EXC_ADD] = "INSERT INTO exceptions (event_id, rule, reason, hold, "
	    "state, created_ms, changed_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?6)",
	/* Another use of the unit, not reversed by an UNDO. */
	/* serial <> '' spelled out: only then may SQLite use the partial
	 * index events_serial (without it every event scanned the table). */
	[Q_SERIAL] = "SELECT 1 FROM events e WHERE e.di = ?1 AND e.serial = ?2 "
	    "AND e.serial <> '' AND e.id <> ?3 AND e.kind NOT IN ('undo', "
	    "'return') AND NOT EXISTS "
	    "(SELECT 1 FROM events u WHERE u.undoes = e.seq AND u.undoes > 0 "
	    "AND u.device = e.device AND u.epoch = e.epoch) LIMIT 1",
	[Q_ONHAND] = "SELECT qty FROM onhand WHERE erp_location = ?1 AND "
	    "di = ?2",
	[Q_ONHAND_SET] = "INSERT INTO onhand (erp_location, di, qty, "
	    "changed_ms) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET "
	    "qty = ?3, changed_ms = ?4",
	[Q_KIND] = "SELECT kind FROM events WHERE device = ?1 AND epoch = ?2 "
	    "AND seq = ?3",
	[Q_REFLOG] = "INSERT INTO refdata_log (kind, version, rows, path, "
	    "what, by, at_ms) VALUES (?1, ?2, ?3, ?4, 'loaded', 'pou-bridge', "
	    "?5)",
	/* A refused delivery waits in the exception queue with the answer. */
	[Q_REFUSED] = "INSERT INTO exceptions (event_id, rule, reason, hold, "
	    "state, created_ms, changed_ms) SELECT event_id, dest || "
	    "'_refused', ?2, dest, 'open', ?3, ?3 FROM outbox WHERE id = ?1",
	[Q_OB_SET] = "UPDATE outbox SET state = ?2, attempts = attempts + 1, "
	    "next_ms = ?3, last_error = CASE WHEN ?2 = 'done' THEN '' ELSE ?4 "
	    "END, answer = CASE WHEN ?2 = 'done' THEN ?4 ELSE answer END, "
	    "done_ms = CASE WHEN ?2 = 'pending' THEN NULL ELSE ?5 END, "
	    "unsure = CASE WHEN ?6 < 0 THEN 0 ELSE unsure + ?6 END "
	    "WHERE id = ?1",
};

int
db_fail(struct db *d, const char *what)
{
	log_warnx("db: %s: %s", what, d->fail_at > 0 && d->steps == d->fail_at ?
	    "a fault a test injected" : sqlite3_errmsg(d->h));
	return sqlite3_errcode(d->h) == SQLITE_FULL ? -ENOSPC : -EIO;
}

int
db_exec(struct db *d, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(d->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_warnx("db: %s", msg ? msg : "exec failed");
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

int
db_open(const char *path, int flags, struct db **out)
{
	struct db *d;
	int i;

	*out = NULL;
	if ((flags & DB_EXISTING) && access(path, F_OK) != 0)
		return -errno;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -ENOMEM;
	if (sqlite3_open_v2(path, &d->h, SQLITE_OPEN_READWRITE |
	    (flags & DB_EXISTING ? 0 : SQLITE_OPEN_CREATE) |
	    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		log_warnx("db: %s: %s", path, d->h ? sqlite3_errmsg(d->h) :
		    "out of memory");
		db_close(d);
		return -EIO;
	}
	sqlite3_busy_timeout(d->h, DB_BUSY_MS);
	if (db_exec(d, "PRAGMA journal_mode = WAL") != 0 ||
	    db_exec(d, flags & DB_SYNC_FULL ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL") != 0 || sqlmig_run(d->h, "db",
	    db_migrations, (int)nitems(db_migrations)) != 0)
		goto fail;
	for (i = 0; i < Q_COUNT; i++)
		if (sqlite3_prepare_v3(d->h, db_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &d->q[i], NULL) != SQLITE_OK) {
			db_fail(d, db_sql[i]);
			goto fail;
		}
	if (db_guard_prepare(d) != 0)
		goto fail;
	*out = d;
	return 0;
fail:
	db_close(d);
	return -EIO;
}

void
db_close(struct db *d)
{
	int i;

	if (d == NULL)
		return;
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(d->q[i]);
	db_guard_finalize(d);
	sqlite3_close(d->h);
	free(d);
}

/* A step that fails inside a transaction fails the transaction: a lookup
 * whose caller reads an error as "none" cannot let the commit through. */
int
db_step(struct db *d, sqlite3_stmt *st)
{
	int rc = d->fail_at > 0 && ++d->steps == d->fail_at ? SQLITE_IOERR :
	    sqlite3_step(st);

	if (rc != SQLITE_ROW && rc != SQLITE_DONE &&
	    !sqlite3_get_autocommit(d->h))
		d->txn_failed = 1;
	return rc;
}

void
db_fail_nth(struct db *d, int n)
{
	d->fail_at = n;
	d->steps = 0;
}

/* Steps q to completion and resets it; 0 or a negative error. */
int
db_run(struct db *d, int q)
{
	int rc = db_step(d, d->q[q]);

	sqlite3_reset(d->q[q]);
	sqlite3_clear_bindings(d->q[q]);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 :
	    db_fail(d, db_sql[q]);
}

int
db_begin(struct db *d)
{
	d->txn_failed = 0;
	return db_run(d, Q_BEGIN);
}

int
db_commit(struct db *d)
{
	if (d->txn_failed) {
		log_warnx("db: a statement of this transaction failed: it is "
		    "not committed");
		return -EIO;
	}
	return db_run(d, Q_COMMIT);
}

void
db_rollback(struct db *d)
{
	if (!sqlite3_get_autocommit(d->h))
		db_run(d, Q_ROLLBACK);
	d->txn_failed = 0;
}

void
bt(sqlite3_stmt *q, int i, const char *v)
{
	sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
}

/* Binds the arguments in ap by types: t text, i int64 (?1, ?2...). */
static void
db_bind_args(sqlite3_stmt *st, const char *types, va_list ap)
{
	int i;

	for (i = 0; types[i]; i++)
		if (types[i] == 'i')
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		else
			bt(st, i + 1, va_arg(ap, const char *));
}

int
db_rows(struct db *d, const char *sql, db_row_fn fn, void *arg,
    const char *types, ...)
{
	const char *col[DB_ROW_MAX];
	sqlite3_stmt *st;
	va_list ap;
	int i, n, rc, rows = 0;

	if (sqlite3_prepare_v2(d->h, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(d, sql);
	va_start(ap, types);
	db_bind_args(st, types, ap);
	va_end(ap);
	n = sqlite3_column_count(st) < DB_ROW_MAX ? sqlite3_column_count(st) :
	    DB_ROW_MAX;
	while ((rc = db_step(d, st)) == SQLITE_ROW) {
		for (i = 0; i < n; i++)
			col[i] = sqlite3_column_text(st, i) ? (const char *)
			    sqlite3_column_text(st, i) : "";
		if (fn)
			fn(arg, col, n);
		rows++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? rows : db_fail(d, sql);
}

int
db_change(struct db *d, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	if (sqlite3_prepare_v2(d->h, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(d, sql);
	va_start(ap, types);
	db_bind_args(st, types, ap);
	va_end(ap);
	rc = db_step(d, st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? sqlite3_changes(d->h) : db_fail(d, sql);
}

int
db_insert_event(struct db *d, struct bevent *be, int64_t received_ms)
{
	sqlite3_stmt *q = d->q[Q_INSERT];
	int rc, i = 5 + EVSQL_NCOLS;

	bt(q, 1, be->device);
	bt(q, 2, be->epoch);
	sqlite3_bind_int64(q, 3, be->ev.seq);
	sqlite3_bind_int64(q, 4, received_ms);
	evsql_bind(q, 5, &be->ev);
	if (be->charge && be->charge->billable) {	/* what billing gets */
		bt(q, i, be->charge->code);
		sqlite3_bind_int64(q, i + 1, be->charge->price_cents);
	}
	sqlite3_bind_int64(q, i + 2, be->at_fixed_ms);
	bt(q, i + 3, be->time_quality);
	bt(q, i + 4, be->hash);
	if ((rc = db_run(d, Q_INSERT)) != 0)
		return rc;
	if (sqlite3_changes(d->h) == 0)
		return 0;
	be->id = sqlite3_last_insert_rowid(d->h);
	return 1;
}

int
db_enqueue(struct db *d, const struct db_delivery *m)
{
	sqlite3_stmt *q = d->q[Q_ENQUEUE];

	bt(q, 1, m->dest);
	sqlite3_bind_int64(q, 2, m->event_id);
	bt(q, 3, m->name);
	bt(q, 4, m->control_id);
	bt(q, 5, m->payload);
	sqlite3_bind_int64(q, 6, now_wall_ms());
	bt(q, 7, m->ident);
	sqlite3_bind_int(q, 8, m->rev);
	return db_run(d, Q_ENQUEUE);
}

int
db_outbox_rev(struct db *d, const char *dest, int64_t event_id)
{
	sqlite3_stmt *q = d->q[Q_REV];
	int rev = 0;

	bt(q, 1, dest);
	sqlite3_bind_int64(q, 2, event_id);
	if (db_step(d, q) == SQLITE_ROW)
		rev = sqlite3_column_int(q, 0);
	sqlite3_reset(q);
	return rev;
}

int
db_outbox_seqno(struct db *d, int64_t id, int64_t seqno)
{
	sqlite3_stmt *q = d->q[Q_SEQNO];

	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, seqno);
	return db_run(d, Q_SEQNO);
}

int64_t
db_outbox_seqno_max(struct db *d, const char *dest)
{
	sqlite3_stmt *q = d->q[Q_SEQNO_MAX];
	int64_t v = 0;

	bt(q, 1, dest);
	if (db_step(d, q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return v;
}

/* One integer looked up by two keys (?1, ?2): a device's epoch or boot,
 * a location's DI; dflt if none. */
static int64_t
db_device_value(struct db *d, int qi, const char *device, const char *key,
    int64_t dflt)
{
	sqlite3_stmt *q = d->q[qi];
	int64_t v = dflt;

	bt(q, 1, device);
	bt(q, 2, key);
	if (db_step(d, q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return v;
}

/* Walks the seqs held above upto while they follow on; returns the last. */
static int64_t
db_walk(struct db *d, const char *device, const char *epoch, int64_t upto)
{
	sqlite3_stmt *q = d->q[Q_NEXT];
	int64_t start;

	do {
		start = upto;
		bt(q, 1, device);
		bt(q, 2, epoch);
		sqlite3_bind_int64(q, 3, upto);
		while (db_step(d, q) == SQLITE_ROW &&
		    sqlite3_column_int64(q, 0) == upto + 1)
			upto++;
		sqlite3_reset(q);
	} while (upto - start == 1000);	/* a full page: there may be more */
	return upto;
}

int64_t
db_max_seq(struct db *d, const char *device, const char *epoch)
{
	return db_device_value(d, Q_MAXSEQ, device, epoch, 0);
}

int64_t
db_contig(struct db *d, const char *device, const char *epoch)
{
	return db_device_value(d, Q_CONTIG, device, epoch, 0);
}

int
db_advance(struct db *d, const char *site, const char *device,
    const char *epoch, int64_t past, int64_t *upto)
{
	sqlite3_stmt *q = d->q[Q_DEVICE];
	int64_t from = db_contig(d, device, epoch);

	*upto = db_walk(d, device, epoch, past > from ? past : from);
	bt(q, 1, device);
	bt(q, 2, epoch);
	bt(q, 3, site);
	sqlite3_bind_int64(q, 4, *upto);
	sqlite3_bind_int64(q, 5, now_wall_ms());
	return db_run(d, Q_DEVICE);
}

int
db_reject(struct db *d, const char *topic, const char *reason,
    const void *payload, size_t len)
{
	sqlite3_stmt *q = d->q[Q_REJECT];
	char hash[HASH_HEX];
	struct buf b = BUF_INIT;
	int rc;

	buf_adds(&b, topic);
	buf_addc(&b, '\0');
	if (len > 0)
		buf_add(&b, payload, len);
	sha256_hex(b.s ? b.s : "", b.len, hash);
	sqlite3_bind_int64(q, 1, now_wall_ms());
	bt(q, 2, topic);
	bt(q, 3, reason);
	/* An empty message is kept too: a zero-length blob, not NULL. */
	if (len == 0)
		sqlite3_bind_zeroblob(q, 4, 0);
	else
		sqlite3_bind_blob(q, 4, payload, (int)len, SQLITE_STATIC);
	bt(q, 5, b.oom ? "" : hash);
	rc = db_run(d, Q_REJECT);
	buf_free(&b);
	return rc;
}

int
db_outbox_next(struct db *d, const char *dest, struct db_outrow *r)
{
	sqlite3_stmt *q = d->q[Q_OB_NEXT];
	int rc;

	bt(q, 1, dest);
	rc = db_step(d, q);
	if (rc == SQLITE_ROW) {
		r->id = sqlite3_column_int64(q, 0);
		snprintf(r->name, sizeof(r->name), "%s",
		    (const char *)sqlite3_column_text(q, 1));
		snprintf(r->control_id, sizeof(r->control_id), "%s",
		    (const char *)sqlite3_column_text(q, 2));
		buf_reset(&r->payload);
		buf_adds(&r->payload, (const char *)sqlite3_column_text(q, 3));
		r->attempts = sqlite3_column_int(q, 4);
		r->next_ms = sqlite3_column_int64(q, 5);
		snprintf(r->ident, sizeof(r->ident), "%s",
		    (const char *)sqlite3_column_text(q, 6));
		r->seqno = sqlite3_column_int64(q, 7);
		r->unsure = sqlite3_column_int(q, 8);
	}
	sqlite3_reset(q);
	if (rc == SQLITE_ROW)
		return r->payload.oom ? -ENOMEM : 1;
	return rc == SQLITE_DONE ? 0 : db_fail(d, "outbox next");
}

int
db_outbox_set(struct db *d, int64_t id, enum ob_state state, int64_t next_ms,
    const char *error, int unsure)
{
	sqlite3_stmt *q = d->q[Q_OB_SET];

	sqlite3_bind_int64(q, 1, id);
	bt(q, 2, db_ob_state_name(state));
	sqlite3_bind_int64(q, 3, next_ms);
	bt(q, 4, error);
	sqlite3_bind_int64(q, 5, now_wall_ms());
	sqlite3_bind_int(q, 6, unsure);
	return db_run(d, Q_OB_SET);
}

int
db_outbox_refused(struct db *d, int64_t id, const char *error)
{
	sqlite3_stmt *q = d->q[Q_REFUSED];
	int rc;

	if ((rc = db_begin(d)) != 0)
		return rc;
	sqlite3_bind_int64(q, 1, id);
	bt(q, 2, error);
	sqlite3_bind_int64(q, 3, now_wall_ms());
	if ((rc = db_outbox_set(d, id, OB_FAILED, 0, error, 0)) != 0 ||
	    (rc = db_run(d, Q_REFUSED)) != 0 || (rc = db_commit(d)) != 0) {
		db_rollback(d);
		return rc;
	}
	return 0;
}

int64_t
db_boot_offset(struct db *d, const char *device, const char *boot)
{
	return db_device_value(d, Q_BOOT_GET, device, boot, INT64_MIN);
}

int
db_boot_learn(struct db *d, const char *device, const char *boot,
    int64_t offset_ms)
{
	sqlite3_stmt *q = d->q[Q_BOOT_SET];

	bt(q, 1, device);
	bt(q, 2, boot);
	sqlite3_bind_int64(q, 3, offset_ms);
	return db_run(d, Q_BOOT_SET);
}

int64_t
db_onhand(struct db *d, const char *erp_location, const char *di,
    int64_t dflt)
{
	return db_device_value(d, Q_ONHAND, erp_location, di, dflt);
}

int
db_onhand_set(struct db *d, const char *erp_location, const char *di,
    int64_t qty)
{
	sqlite3_stmt *q = d->q[Q_ONHAND_SET];

	bt(q, 1, erp_location);
	bt(q, 2, di);
	sqlite3_bind_int64(q, 3, qty);
	sqlite3_bind_int64(q, 4, now_wall_ms());
	return db_run(d, Q_ONHAND_SET);
}

int
db_event_kind(struct db *d, const char *device, const char *epoch,
    int64_t seq, char *kind, size_t len)
{
	sqlite3_stmt *q = d->q[Q_KIND];
	int rc = -1;

	bt(q, 1, device);
	bt(q, 2, epoch);
	sqlite3_bind_int64(q, 3, seq);
	if (db_step(d, q) == SQLITE_ROW) {
		snprintf(kind, len, "%s", (const char *)sqlite3_column_text(q,
		    0));
		rc = 0;
	}
	sqlite3_reset(q);
	return rc;
}

int
db_refdata_loaded(struct db *d, const char *kind, const char *version,
    size_t rows, const char *path)
{
	sqlite3_stmt *q = d->q[Q_REFLOG];

	bt(q, 1, kind);
	bt(q, 2, version);
	sqlite3_bind_int64(q, 3, (int64_t)rows);
	bt(q, 4, path);
	sqlite3_bind_int64(q, 5, now_wall_ms());
	return db_run(d, Q_REFLOG);
}

static const char *
hold_text(int d)
{
	return (d & HOLD_BILLING) && (d & HOLD_ERP) ? "billing+erp" :
	    d & HOLD_BILLING ? "billing" : d & HOLD_ERP ? "erp" : "";
}

int
db_exception_add(struct db *d, int64_t event_id, const char *rule,
    const char *reason, int disp, int64_t now)
{
	sqlite3_stmt *q = d->q[Q_EXC_ADD];

	sqlite3_bind_int64(q, 1, event_id);
	bt(q, 2, rule);
	bt(q, 3, reason);
	bt(q, 4, hold_text(disp));
	bt(q, 5, db_exc_state_name(disp & (HOLD_BILLING | HOLD_ERP) ? EXC_OPEN :
	    EXC_WARNING));
	sqlite3_bind_int64(q, 6, now);
	return db_run(d, Q_EXC_ADD);
}

int
db_serial_seen(struct db *d, const struct bevent *be)
{
	sqlite3_stmt *q = d->q[Q_SERIAL];
	int seen;

	bt(q, 1, be->ev.item.di);
	bt(q, 2, be->ev.item.serial);
	sqlite3_bind_int64(q, 3, be->id);
	seen = db_step(d, q) == SQLITE_ROW;
	sqlite3_reset(q);
	return seen;
}

/* The stored quality as one of clock.c's constant names. */
static const char *
time_quality_name(const char *s)
{
	static const char *const names[] = { "ok", "corrected", "unverified",
		"wrong" };
	size_t i;

	for (i = 0; s && i < nitems(names); i++)
		if (strcmp(s, names[i]) == 0)
			return names[i];
	return "unverified";
}

/* The released events not yet queued, with the holds of their exceptions. */
#define DB_RELEASES_SQL "SELECT e.id, e.device, e.epoch, e.seq, " \
	EVSQL_COLUMNS ", group_concat(x.hold), e.at_fixed_ms, " \
	"e.time_quality, " \
	"max(x.hold LIKE '%erp%' AND x.rule NOT LIKE '%refused') " \
	"FROM exceptions x JOIN events e ON e.id = x.event_id WHERE " \
	"x.state = 'released' AND x.queued = 0 GROUP BY e.id"

/* A refused replenishment request, released: sent again as it was. */
#define DB_RELEASE_REPLENISH "UPDATE outbox SET state = 'pending', " \
	"next_ms = 0, attempts = 0, last_error = 'released' WHERE dest = " \
	"'replenish' AND state IN ('failed', 'dead') AND event_id IN (SELECT " \
	"event_id FROM exceptions WHERE state = 'released' AND queued = 0 " \
	"AND hold = 'replenish');"

int
db_releases(struct db *d, db_release_fn fn, void *arg)
{
	sqlite3_stmt *st;
	struct bevent be;
	const char *h;
	int rc = 0, n = 0;

	if (sqlite3_prepare_v2(d->h, DB_RELEASES_SQL, -1, &st, NULL) !=
	    SQLITE_OK)
		return db_fail(d, "releases");
	if ((rc = db_begin(d)) != 0) {
		sqlite3_finalize(st);
		return rc;
	}
	while (rc == 0 && db_step(d, st) == SQLITE_ROW) {
		memset(&be, 0, sizeof(be));
		be.id = sqlite3_column_int64(st, 0);
		snprintf(be.device, sizeof(be.device), "%s",
		    (const char *)sqlite3_column_text(st, 1));
		snprintf(be.epoch, sizeof(be.epoch), "%s",
		    (const char *)sqlite3_column_text(st, 2));
		be.ev.seq = sqlite3_column_int64(st, 3);
		evsql_row(st, 4, &be.ev);
		h = (const char *)sqlite3_column_text(st, 4 + EVSQL_NCOLS);
		be.at_fixed_ms = sqlite3_column_int64(st, 5 + EVSQL_NCOLS);
		be.time_quality = time_quality_name((const char *)
		    sqlite3_column_text(st, 6 + EVSQL_NCOLS));
		rc = fn(arg, &be, (h && strstr(h, "billing") ? HOLD_BILLING :
		    0) | (h && strstr(h, "erp") ? HOLD_ERP : 0) |
		    (sqlite3_column_int(st, 7 + EVSQL_NCOLS) ? HOLD_ERP_INTAKE :
		    0));
		n++;
	}
	sqlite3_finalize(st);
	if (rc == 0 && n > 0)
		rc = sqlite3_exec(d->h, DB_RELEASE_REPLENISH
		    "UPDATE exceptions SET queued = 1 WHERE state = 'released' "
		    "AND queued = 0",
		    NULL, NULL, NULL) == SQLITE_OK ? 0 : db_fail(d, "releases");
	if (rc == 0 && (rc = db_commit(d)) == 0)
		return n;
	db_rollback(d);
	return rc < 0 ? rc : -1;
}
