/*
 * The bridge's second defence, behind the broker's TLS and ACLs, and what
 * it finds: an identity that arrives again with other content (kept as a
 * conflict with an open exception, noted when the cart sends the same
 * content under a new identity), seqs a cart no longer holds (a gap, with
 * how many were lost here), alarms, and the enrolment list of devices the
 * bridge takes events from, every change to it audited.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bridge.h"
#include "db_int.h"
#include "log.h"
#include "util.h"

static const char *const guard_sql[G_COUNT] = {
	[G_HASH] = "SELECT id, hash FROM events WHERE device = ?1 AND "
	    "epoch = ?2 AND seq = ?3",
	[G_CONFLICT_ADD] = "INSERT INTO conflicts (device, epoch, seq, hash, "
	    "held_id, topic, event, received_ms) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8) ON CONFLICT DO UPDATE SET count = count + 1 "
	    "RETURNING id, count",
	[G_CONFLICT_EXC] = "INSERT INTO exceptions (event_id, rule, reason, "
	    "hold, state, created_ms, changed_ms, ref) VALUES (?1, "
	    "'identity_conflict', ?2, '', 'open', ?3, ?3, ?4)",
	[G_SETTLE] = "UPDATE conflicts SET settled = ?3 WHERE device = ?1 AND "
	    "hash = ?2 AND settled = '' RETURNING id",
	/* Still open: which of the two is genuine (a store that went back,
	 * or a forged batch billed first) is for a person to judge. */
	[G_SETTLE_EXC] = "UPDATE exceptions SET changed_ms = ?2, changed_by = "
	    "'pou-bridge', note = ?3 WHERE ref = ?1 AND state = 'open'",
	[G_UNSETTLED] = "SELECT count(*) FROM (SELECT 1 FROM conflicts WHERE "
	    "device = ?1 AND settled = '' LIMIT 1)",
	[G_FLOOR] = "SELECT coalesce(min(seq), 0) FROM conflicts WHERE "
	    "device = ?1 AND epoch = ?2",
	[G_GAP] = "INSERT OR IGNORE INTO gaps VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[G_HELD] = "SELECT count(*) FROM events WHERE device = ?1 AND "
	    "epoch = ?2 AND seq BETWEEN ?3 AND ?4",
	[G_ALARM] = "INSERT INTO alarms (kind, device, epoch, detail, "
	    "first_ms, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
	    "ON CONFLICT DO UPDATE SET detail = ?4, at_ms = ?5, "
	    "count = count + 1, cleared_ms = NULL, cleared_by = ''",
	[G_ENROL_GET] = "SELECT site, state FROM enrolment WHERE device = ?1",
	[G_ENROL_SET] = "INSERT INTO enrolment VALUES (?1, ?2, ?3, ?4, ?5) ON "
	    "CONFLICT DO UPDATE SET site = ?2, state = ?3, by = ?4, at_ms = ?5",
	[G_AUDIT] = "INSERT INTO audit (at_ms, by, what, before, after) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)",
};

int
db_guard_prepare(struct db *d)
{
	int i;

	for (i = 0; i < G_COUNT; i++)
		if (sqlite3_prepare_v3(d->h, guard_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &d->g[i], NULL) != SQLITE_OK)
			return db_fail(d, guard_sql[i]);
	return 0;
}

void
db_guard_finalize(struct db *d)
{
	int i;

	for (i = 0; i < G_COUNT; i++)
		sqlite3_finalize(d->g[i]);
}

/* Steps g once; the first column of its row in *v (when not NULL). */
static int
guard_run(struct db *d, int g, int64_t *v)
{
	sqlite3_stmt *q = d->g[g];
	int rc = db_step(d, q);

	if (rc == SQLITE_ROW && v)
		*v = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : db_fail(d,
	    guard_sql[g]);
}

static void
bind_identity(sqlite3_stmt *q, const struct bevent *be)
{
	bt(q, 1, be->device);
	bt(q, 2, be->epoch);
	sqlite3_bind_int64(q, 3, be->ev.seq);
}

int
db_event_same(struct db *d, const struct bevent *be, int64_t *held_id)
{
	sqlite3_stmt *q = d->g[G_HASH];
	const char *h;
	int step, rc = -1;

	*held_id = 0;
	bind_identity(q, be);
	if ((step = db_step(d, q)) != SQLITE_ROW && step != SQLITE_DONE)
		rc = db_fail(d, "event hash");
	else if (step == SQLITE_ROW) {
		*held_id = sqlite3_column_int64(q, 0);
		h = (const char *)sqlite3_column_text(q, 1);
		/* "" was stored before hashes were: it cannot tell. */
		rc = h == NULL || h[0] == '\0' || be->hash[0] == '\0' ||
		    strcmp(h, be->hash) == 0;
	}
	sqlite3_reset(q);
	return rc;
}

int
db_conflict_add(struct db *d, const struct bevent *be, int64_t held_id,
    const char *topic, const char *json, int64_t now)
{
	sqlite3_stmt *q = d->g[G_CONFLICT_ADD];
	char reason[240], ref[40];
	int64_t id = 0, count = 0;
	int rc;

	bind_identity(q, be);
	bt(q, 4, be->hash);
	sqlite3_bind_int64(q, 5, held_id);
	bt(q, 6, topic);
	bt(q, 7, json);
	sqlite3_bind_int64(q, 8, now);
	if ((rc = db_step(d, q)) == SQLITE_ROW) {
		id = sqlite3_column_int64(q, 0);
		count = sqlite3_column_int64(q, 1);
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc != SQLITE_ROW)
		return db_fail(d, "conflict");
	if (count > 1)
		return 0;
	snprintf(reason, sizeof(reason), "seq %lld of epoch %.12s arrived "
	    "again with other content (kept as conflict %lld); the event held "
	    "is this one", (long long)be->ev.seq, be->epoch, (long long)id);
	snprintf(ref, sizeof(ref), "conflict:%lld", (long long)id);
	q = d->g[G_CONFLICT_EXC];
	sqlite3_bind_int64(q, 1, held_id);
	bt(q, 2, reason);
	sqlite3_bind_int64(q, 3, now);
	bt(q, 4, ref);
	return (rc = guard_run(d, G_CONFLICT_EXC, NULL)) == 0 ? 1 : rc;
}

int
db_conflicts_unsettled(struct db *d, const char *device)
{
	sqlite3_stmt *q = d->g[G_UNSETTLED];
	int64_t any = 0;

	bt(q, 1, device);
	return guard_run(d, G_UNSETTLED, &any) == 0 ? any > 0 : 1;
}

int64_t
db_conflict_floor(struct db *d, const char *device, const char *epoch)
{
	sqlite3_stmt *q = d->g[G_FLOOR];
	int64_t seq = 0;

	bt(q, 1, device);
	bt(q, 2, epoch);
	guard_run(d, G_FLOOR, &seq);
	return seq;
}

int
db_conflict_settle(struct db *d, const struct bevent *be, int64_t now)
{
	sqlite3_stmt *q = d->g[G_SETTLE];
	char ident[EVENT_ID_MAX], ref[40], note[EVENT_ID_MAX + 96];
	int64_t id = 0;
	int rc;

	if (be->hash[0] == '\0')
		return 0;
	event_identity(be, ident, sizeof(ident));
	bt(q, 1, be->device);
	bt(q, 2, be->hash);
	bt(q, 3, ident);
	if ((rc = guard_run(d, G_SETTLE, &id)) != 0 || id == 0)
		return rc;
	snprintf(ref, sizeof(ref), "conflict:%lld", (long long)id);
	snprintf(note, sizeof(note), "the conflicting content arrived again "
	    "as %s and went on from there; judge the event held", ident);
	q = d->g[G_SETTLE_EXC];
	bt(q, 1, ref);
	sqlite3_bind_int64(q, 2, now);
	bt(q, 3, note);
	if ((rc = guard_run(d, G_SETTLE_EXC, NULL)) != 0)
		return rc;
	log_info("db: conflict %lld: its content arrived again as %s",
	    (long long)id, ident);
	return 1;
}

int
db_gap_add(struct db *d, const char *device, const char *epoch,
    int64_t first, int64_t last, int64_t *lost)
{
	sqlite3_stmt *q = d->g[G_HELD];
	int64_t held = 0;
	int rc;

	bt(q, 1, device);
	bt(q, 2, epoch);
	sqlite3_bind_int64(q, 3, first);
	sqlite3_bind_int64(q, 4, last);
	if ((rc = guard_run(d, G_HELD, &held)) != 0)
		return rc;
	*lost = last - first + 1 - held;
	q = d->g[G_GAP];
	bt(q, 1, device);
	bt(q, 2, epoch);
	sqlite3_bind_int64(q, 3, first);
	sqlite3_bind_int64(q, 4, last);
	sqlite3_bind_int64(q, 5, *lost);
	sqlite3_bind_int64(q, 6, now_wall_ms());
	return guard_run(d, G_GAP, NULL);
}

int
db_alarm(struct db *d, const char *kind, const char *device,
    const char *epoch, const char *detail)
{
	sqlite3_stmt *q = d->g[G_ALARM];

	bt(q, 1, kind);
	bt(q, 2, device);
	bt(q, 3, epoch);
	bt(q, 4, detail);
	sqlite3_bind_int64(q, 5, now_wall_ms());
	return guard_run(d, G_ALARM, NULL);
}

int
db_enrolment(struct db *d, const char *device, char *site, size_t len)
{
	sqlite3_stmt *q = d->g[G_ENROL_GET];
	const char *st;
	int step, rc = DB_UNKNOWN;

	site[0] = '\0';
	bt(q, 1, device);
	if ((step = db_step(d, q)) == SQLITE_ROW) {
		snprintf(site, len, "%s", (const char *)sqlite3_column_text(q,
		    0));
		st = (const char *)sqlite3_column_text(q, 1);
		rc = st && strcmp(st, "enrolled") == 0 ? DB_ENROLLED :
		    DB_RETIRED;
	} else if (step != SQLITE_DONE)
		rc = db_fail(d, "enrolment");
	sqlite3_reset(q);
	return rc;
}

/* Who may send: before and after, by whom, when. */
static int
guard_audit(struct db *d, const char *by, const char *what,
    const char *before, const char *after)
{
	sqlite3_stmt *q = d->g[G_AUDIT];

	sqlite3_bind_int64(q, 1, now_wall_ms());
	bt(q, 2, by);
	bt(q, 3, what);
	bt(q, 4, before);
	bt(q, 5, after);
	return guard_run(d, G_AUDIT, NULL);
}

static int
enrol_set(struct db *d, const char *device, const char *site,
    const char *state, const char *by)
{
	char old[80], before[120], after[120], what[96];
	sqlite3_stmt *q = d->g[G_ENROL_SET];
	int was, rc;

	if ((was = db_enrolment(d, device, old, sizeof(old))) < 0)
		return was;
	snprintf(before, sizeof(before), was == DB_UNKNOWN ? "" :
	    "site=%s state=%s", old, was == DB_ENROLLED ? "enrolled" :
	    "retired");
	snprintf(after, sizeof(after), "site=%s state=%s", site, state);
	snprintf(what, sizeof(what), "enrolment %s", device);
	bt(q, 1, device);
	bt(q, 2, site);
	bt(q, 3, state);
	bt(q, 4, by);
	sqlite3_bind_int64(q, 5, now_wall_ms());
	if ((rc = guard_run(d, G_ENROL_SET, NULL)) != 0)
		return rc;
	return guard_audit(d, by, what, before, after);
}

int
db_enrol(struct db *d, const char *device, const char *site,
    const char *state, const char *by)
{
	int own = sqlite3_get_autocommit(d->h), rc;

	if (own && (rc = db_begin(d)) != 0)
		return rc;
	if ((rc = enrol_set(d, device, site, state, by)) == 0 && own)
		rc = db_commit(d);
	if (rc != 0 && own)
		db_rollback(d);
	return rc;
}

int
db_enrolments(struct db *d, db_row_fn fn, void *arg)
{
	return db_rows(d, "SELECT device, site, state, by, strftime("
	    "'%Y-%m-%dT%H:%M:%SZ', at_ms / 1000, 'unixepoch') FROM enrolment "
	    "ORDER BY device", fn, arg, "");
}

int
db_alarms(struct db *d, int all, db_row_fn fn, void *arg)
{
	return db_rows(d, all ? "SELECT kind, device, epoch, count, strftime("
	    "'%Y-%m-%dT%H:%M:%SZ', at_ms / 1000, 'unixepoch'), detail, "
	    "cleared_by FROM alarms ORDER BY at_ms" : "SELECT kind, device, "
	    "epoch, count, strftime('%Y-%m-%dT%H:%M:%SZ', at_ms / 1000, "
	    "'unixepoch'), detail, cleared_by FROM alarms WHERE cleared_ms IS "
	    "NULL ORDER BY at_ms", fn, arg, "");
}

int
db_alarm_clear(struct db *d, const char *kind, const char *device,
    const char *by)
{
	return db_change(d, "UPDATE alarms SET cleared_ms = ?4, cleared_by = "
	    "?3 WHERE kind = ?1 AND device = ?2 AND cleared_ms IS NULL",
	    "ttti", kind, device, by, now_wall_ms());
}

int
db_audit(struct db *d, db_row_fn fn, void *arg)
{
	return db_rows(d, "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', at_ms / "
	    "1000, 'unixepoch'), by, what, before, after FROM audit ORDER BY "
	    "id", fn, arg, "");
}
