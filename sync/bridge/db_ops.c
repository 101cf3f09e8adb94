/*
 * What operators do to the bridge's database, through pouctl today and the
 * console later: the exception queue and its state machine, deliveries
 * sent again, one event's lineage, the day's reconciliation, reference
 * files imported and shelves counted. Rows come back as text to a
 * callback, so a second backend can answer them the same way.
 */
#include <stdio.h>
#include <string.h>

#include "bridge.h"
#include "db.h"
#include "db_int.h"
#include "util.h"

#define EXC_IDENT	"e.device || ':' || e.epoch || ':' || e.seq"

/* The exception state machine: where each state may be reached from. */
static const unsigned exc_from[EXC_STATE_COUNT] = {
	[EXC_RESOLVED] = 1u << EXC_OPEN,
	[EXC_RELEASED] = 1u << EXC_OPEN | 1u << EXC_RESOLVED,
	[EXC_DISCARDED] = 1u << EXC_OPEN | 1u << EXC_RESOLVED,
};

/* What a person may supply, and the event's column it sets. */
static const char *const exc_fields[XF_COUNT] = {
	[XF_ENCOUNTER] = "encounter", [XF_LOT] = "lot",
	[XF_SERIAL] = "serial", [XF_MRN] = "mrn", [XF_CASE] = "case_id",
};

unsigned
db_exception_from(enum exc_state to)
{
	return (unsigned)to < EXC_STATE_COUNT ? exc_from[to] : 0;
}

const char *
db_exception_field_name(enum exc_field f)
{
	return (unsigned)f < XF_COUNT ? exc_fields[f] : NULL;
}

/* The states of mask as ",open,resolved," for instr(). */
static void
exc_state_list(unsigned mask, char *out, size_t len)
{
	int s;

	snprintf(out, len, ",");
	for (s = 0; s < EXC_STATE_COUNT; s++)
		if (mask & (1u << s))
			snprintf(out + strlen(out), len - strlen(out), "%s,",
			    db_exc_state_name(s));
}

int
db_exceptions(struct db *d, int all, db_row_fn fn, void *arg)
{
	char held[64];

	exc_state_list(1u << EXC_OPEN | 1u << EXC_RESOLVED, held, sizeof(held));
	return db_rows(d, "SELECT x.id, x.state, x.rule, " EXC_IDENT ", e.di, "
	    "e.lot, e.case_id, x.hold, x.reason FROM exceptions x JOIN events "
	    "e ON e.id = x.event_id WHERE ?1 OR instr(?2, ',' || x.state || "
	    "',') > 0 ORDER BY x.id", fn, arg, "it", (int64_t)all, held);
}

int
db_exception_history(struct db *d, int64_t id, db_row_fn fn, void *arg)
{
	return db_rows(d, "SELECT x.id, x.state, x.rule, x.hold, x.reason, "
	    "x.changed_by, x.note, " EXC_IDENT ", e.kind, e.qty, e.di, e.lot, "
	    "e.serial, e.expiry, e.case_id, e.mrn, e.encounter, e.user_id, "
	    "e.room FROM exceptions x JOIN events e ON e.id = x.event_id "
	    "WHERE x.event_id = (SELECT event_id FROM exceptions WHERE id = "
	    "?1) ORDER BY x.id", fn, arg, "i", id);
}

int
db_exception_move(struct db *d, int64_t id, enum exc_state to,
    const char *by, const char *note)
{
	char from[64];

	exc_state_list(db_exception_from(to), from, sizeof(from));
	return db_change(d, "UPDATE exceptions SET state = ?2, changed_ms = "
	    "?3, changed_by = ?4, note = CASE WHEN ?5 = '' THEN note ELSE ?5 "
	    "END WHERE event_id = (SELECT event_id FROM exceptions WHERE id = "
	    "?1) AND instr(?6, ',' || state || ',') > 0", "itittt", id,
	    db_exc_state_name(to), now_wall_ms(), by, note, from);
}

/* Sets one field of exception id's event. */
static int
exc_fix(struct db *d, int64_t id, const struct db_fix *f)
{
	char sql[160];

	if (db_exception_field_name(f->field) == NULL)
		return -1;
	snprintf(sql, sizeof(sql), "UPDATE events SET %s = ?2 WHERE id = "
	    "(SELECT event_id FROM exceptions WHERE id = ?1)",
	    db_exception_field_name(f->field));
	return db_change(d, sql, "it", id, f->value);
}

int
db_exception_resolve(struct db *d, int64_t id, const struct db_fix *fix,
    int n, const char *by, const char *note)
{
	int i, rc;

	if ((rc = db_begin(d)) != 0)
		return rc;
	for (i = 0; i < n && rc >= 0; i++)
		rc = exc_fix(d, id, &fix[i]);
	if (rc >= 0)
		rc = db_exception_move(d, id, EXC_RESOLVED, by, note);
	if (rc > 0 && db_commit(d) == 0)
		return rc;
	db_rollback(d);
	return rc > 0 ? -1 : rc;
}

#define REPLAY_SQL(where) "UPDATE outbox SET state = 'pending', next_ms = " \
	"0, attempts = 0, last_error = 'replayed' WHERE state IN ('failed', " \
	"'dead') AND (?1 = '' OR dest = ?1) AND event_id IN (SELECT id FROM " \
	"events WHERE " where ")"

int
db_replay(struct db *d, const struct db_replay *r)
{
	const char *dest = r->dest ? r->dest : "";

	switch (r->by) {
	case REPLAY_EVENT:
		return db_change(d, REPLAY_SQL("device = ?2 AND epoch = ?3 AND "
		    "seq = ?4"), "ttti", dest, r->device, r->epoch, r->seq);
	case REPLAY_DEVICE:
		return db_change(d, REPLAY_SQL("device = ?2"), "tt", dest,
		    r->device);
	case REPLAY_RECEIVED:
		return db_change(d, REPLAY_SQL("received_ms >= ?2 AND "
		    "received_ms < ?3"), "tii", dest, r->from_ms, r->to_ms);
	case REPLAY_ALL:
		return db_change(d, REPLAY_SQL("1"), "t", dest);
	}
	return -1;
}

/* Calls fn with the event's id first; keeps the id. */
struct trace_event {
	const struct db_trace	*t;
	int64_t			 id;
};

static void
trace_event_row(void *arg, const char *const *col, int n)
{
	struct trace_event *te = arg;
	long long id;

	if (parse_int(col[0], 1, INT64_MAX, &id) == 0)
		te->id = id;
	te->t->event(te->t->arg, col, n);
}

int
db_trace(struct db *d, const char *device, const char *epoch, int64_t seq,
    const struct db_trace *t)
{
	struct trace_event te = { t, 0 };
	int rc;

	if ((rc = db_rows(d, "SELECT id, at_ms, at_fixed_ms, time_quality, "
	    "received_ms, kind, qty, di, lot, serial, case_id, encounter, "
	    "user_id, room, source, charge_code, price_cents FROM events "
	    "WHERE device = ?1 AND epoch = ?2 AND seq = ?3", trace_event_row,
	    &te, "tti", device, epoch, seq)) <= 0)
		return rc;
	if ((rc = db_rows(d, "SELECT rule, state, hold, reason, changed_ms, "
	    "changed_by, note FROM exceptions WHERE event_id = ?1 ORDER BY id",
	    t->exception, t->arg, "i", te.id)) < 0)
		return rc;
	if ((rc = db_rows(d, "SELECT dest, state, attempts, created_ms, "
	    "done_ms, answer, last_error, control_id FROM outbox WHERE "
	    "event_id = ?1 ORDER BY id", t->delivery, t->arg, "i", te.id)) < 0)
		return rc;
	return 1;
}

/* Each event's billing and ERP column, from its outbox rows and holds. */
#define REPORT_COLS \
	"WITH ev AS (SELECT e.id, " EXC_IDENT " AS ident, e.kind, e.site, " \
	"e.charge_code, " \
	"(SELECT state FROM outbox WHERE event_id = e.id AND " \
	"dest = 'billing') " \
	"AS b, (SELECT state FROM outbox WHERE event_id = e.id AND dest = " \
	"'erp') AS r, (SELECT group_concat(state || '/' || hold) FROM " \
	"exceptions WHERE event_id = e.id AND hold <> '') AS x FROM events e " \
	"WHERE e.received_ms >= ?1 AND e.received_ms < ?2 AND (?3 = '' OR " \
	"e.site = ?3)), col AS (SELECT *, CASE " \
	"WHEN b = 'done' AND kind IN ('return', 'undo') THEN 'credited' " \
	"WHEN b = 'done' THEN 'billed' " \
	"WHEN b IN ('failed', 'dead') THEN 'dead' " \
	"WHEN b = 'pending' THEN 'pending' " \
	"WHEN x LIKE '%discarded/%billing%' THEN 'discarded' " \
	"WHEN x LIKE '%billing%' THEN 'held' " \
	"WHEN charge_code IS NULL THEN 'not_billable' ELSE 'missing' " \
	"END AS bc, " \
	"CASE WHEN r = 'done' THEN 'posted' " \
	"WHEN r IN ('failed', 'dead') THEN " \
	"'dead' WHEN r = 'pending' THEN 'pending' " \
	"WHEN x LIKE '%discarded/%erp%' THEN 'discarded' " \
	"WHEN x LIKE '%erp%' THEN 'held' ELSE 'missing' END AS rc FROM ev) "

int
db_report(struct db *d, int64_t from_ms, int64_t to_ms, const char *site,
    db_row_fn fn, void *arg)
{
	return db_rows(d, REPORT_COLS "SELECT 'billing', bc, count(*) FROM col "
	    "GROUP BY bc UNION ALL SELECT 'erp', rc, count(*) FROM col "
	    "GROUP BY rc UNION ALL SELECT 'used', '', count(*) FROM col "
	    "UNION ALL SELECT o.dest, CASE WHEN o.unsure > 0 THEN "
	    "'maybe_twice' ELSE 'from_ledger' END, count(*) FROM outbox o "
	    "JOIN ev ON ev.id = o.event_id WHERE o.state = 'done' AND "
	    "o.dest IN ('billing', 'erp') AND (o.unsure > 0 OR "
	    "o.answer = 'acknowledged before (ledger)') "
	    "GROUP BY 1, 2 UNION ALL SELECT 'missing', bc || '/' || rc || ' ' "
	    "|| ident, 0 FROM col WHERE bc = 'missing' OR rc = 'missing'", fn,
	    arg, "iit", from_ms, to_ms, site);
}

int
db_refdata_imported(struct db *d, const char *kind, const char *version,
    size_t rows, const char *path, const char *by)
{
	int rc = db_change(d, "INSERT INTO refdata_log (kind, version, rows, "
	    "path, what, by, at_ms) VALUES (?1, ?2, ?3, ?4, 'imported', ?5, "
	    "?6)", "ttitti", kind, version, (int64_t)rows, path, by,
	    now_wall_ms());

	return rc < 0 ? rc : 0;
}

int
db_refdata_last(struct db *d, const char *kind, int imported, db_row_fn fn,
    void *arg)
{
	return db_rows(d, "SELECT version, at_ms, by FROM refdata_log WHERE "
	    "kind = ?1 AND what = ?2 ORDER BY id DESC LIMIT 1", fn, arg, "tt",
	    kind, imported ? "imported" : "loaded");
}

int
db_onhand_list(struct db *d, db_row_fn fn, void *arg)
{
	return db_rows(d, "SELECT erp_location, di, qty, changed_ms, "
	    "counted_by FROM onhand ORDER BY erp_location, di", fn, arg, "");
}

int
db_onhand_count(struct db *d, const char *erp_location, const char *di,
    int64_t qty, const char *by)
{
	int rc = db_change(d, "INSERT INTO onhand (erp_location, di, qty, "
	    "changed_ms, counted_ms, counted_by) VALUES (?1, ?2, ?3, ?4, ?4, "
	    "?5) ON CONFLICT DO UPDATE SET qty = ?3, changed_ms = ?4, "
	    "counted_ms = ?4, counted_by = ?5", "ttiit", erp_location, di, qty,
	    now_wall_ms(), by);

	return rc < 0 ? rc : 0;
}
