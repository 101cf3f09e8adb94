/*
 * Unit tests for the bridge's database (sync/bridge/db*.c) on real SQLite
 * files: the exception state machine, replay's selections, the day's
 * report, and every step of the all-or-nothing operations failed in turn
 * (db_fail_nth) to show they leave nothing half done.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bridge.h"
#include "db.h"
#include "log.h"
#include "util.h"

struct fx {
	char		 dir[64];
	char		 path[96];
	struct db	*d;
	int64_t		 day;		/* 2026-11-24 00:00 UTC */
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/pou-db.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/bridge.db", f->dir);
	assert_int_equal(db_open(f->path, 0, &f->d), 0);
	assert_int_equal(parse_utc_time("2026-11-24", &f->day), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	db_close(f->d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Stores event seq of cart-1, received at ms; its row id. */
static int64_t
add_event(struct fx *f, int seq, int64_t ms)
{
	struct bevent be;

	memset(&be, 0, sizeof(be));
	snprintf(be.device, sizeof(be.device), "cart-1");
	snprintf(be.epoch, sizeof(be.epoch), "e1");
	be.ev.seq = seq;
	be.ev.at_ms = ms;
	snprintf(be.ev.boot, sizeof(be.ev.boot), "b");
	snprintf(be.ev.kind, sizeof(be.ev.kind), "use");
	be.ev.qty = 1;
	snprintf(be.ev.item.scheme, sizeof(be.ev.item.scheme), "gs1");
	snprintf(be.ev.item.di, sizeof(be.ev.item.di), "00884521123451");
	snprintf(be.ev.item.lot, sizeof(be.ev.item.lot), "LOT%d", seq);
	snprintf(be.ev.site, sizeof(be.ev.site), "main");
	be.time_quality = "ok";
	assert_int_equal(db_insert_event(f->d, &be, ms), 1);
	return be.id;
}

/* Queues a delivery of event id to dest, then sets its state. */
static void
add_delivery(struct fx *f, const char *dest, int64_t id, enum ob_state st)
{
	struct db_delivery m = { dest, id, "n", "ctl", "payload", "ident", 0 };
	struct db_outrow r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(db_enqueue(f->d, &m), 0);
	assert_int_equal(db_outbox_next(f->d, dest, &r), 1);
	buf_free(&r.payload);
	if (st != OB_PENDING)
		assert_int_equal(db_outbox_set(f->d, r.id, st, 0, "x", 0), 0);
}

struct cols {
	int	n;
	char	c[DB_ROW_MAX][64];
};

static void
keep_row(void *arg, const char *const *col, int n)
{
	struct cols *k = arg;
	int i;

	k->n++;
	for (i = 0; i < n; i++)
		snprintf(k->c[i], sizeof(k->c[i]), "%s", col[i]);
}

/* The lot of exception 1's event, and that exception's state. */
static void
exc_now(struct fx *f, char lot[64], char state[64])
{
	struct cols k = { 0 };

	assert_true(db_exception_history(f->d, 1, keep_row, &k) >= 1);
	snprintf(lot, 64, "%s", k.c[11]);
	snprintf(state, 64, "%s", k.c[1]);
}

static void
test_exception_moves(void **state)
{
	struct fx *f = *state;
	struct db_fix fix = { XF_LOT, "FIXED" };
	char lot[64], st[64];
	struct cols k = { 0 };
	int64_t id = add_event(f, 1, f->day);

	assert_int_equal(db_exception_add(f->d, id, "lot_missing", "no lot",
	    HOLD_BILLING, f->day), 0);
	assert_int_equal(db_exceptions(f->d, 0, keep_row, &k), 1);
	assert_string_equal(k.c[1], "open");
	assert_int_equal(db_exception_resolve(f->d, 1, &fix, 1, "ann",
	    "lot=FIXED"), 1);
	exc_now(f, lot, st);
	assert_string_equal(lot, "FIXED");
	assert_string_equal(st, "resolved");
	/* Only an open exception is resolved; the fix is not applied. */
	fix.value = "AGAIN";
	assert_int_equal(db_exception_resolve(f->d, 1, &fix, 1, "ann", ""), 0);
	exc_now(f, lot, st);
	assert_string_equal(lot, "FIXED");
	assert_int_equal(db_exception_move(f->d, 1, EXC_RELEASED, "ann", ""),
	    1);
	assert_int_equal(db_exception_move(f->d, 1, EXC_RELEASED, "ann", ""),
	    0);
	assert_int_equal(db_exception_move(f->d, 1, EXC_DISCARDED, "ann", "x"),
	    0);
	exc_now(f, lot, st);
	assert_string_equal(st, "released");
	k.n = 0;
	assert_int_equal(db_exceptions(f->d, 0, keep_row, &k), 0);
	assert_int_equal(db_exceptions(f->d, 1, keep_row, &k), 1);
}

static void
test_exception_from(void **state)
{
	(void)state;
	assert_int_equal(db_exception_from(EXC_RESOLVED), 1u << EXC_OPEN);
	assert_int_equal(db_exception_from(EXC_DISCARDED), 1u << EXC_OPEN |
	    1u << EXC_RESOLVED);
	assert_int_equal(db_exception_from(EXC_OPEN), 0);
	assert_string_equal(db_exc_state_name(EXC_DISCARDED), "discarded");
	assert_string_equal(db_ob_state_name(OB_DEAD), "dead");
	assert_null(db_exception_field_name(XF_COUNT));
}

/* The state of event id's delivery to dest. */
static void
delivery_state(struct fx *f, int seq, const char *dest, char out[64])
{
	struct cols k = { 0 };
	struct db_trace t = { NULL, NULL, NULL, &k };

	t.event = t.exception = t.delivery = keep_row;
	snprintf(out, 64, "none");
	assert_int_equal(db_trace(f->d, "cart-1", "e1", seq, &t), 1);
	if (strcmp(k.c[0], dest) == 0)
		snprintf(out, 64, "%s", k.c[1]);
}

static void
test_replay(void **state)
{
	struct fx *f = *state;
	struct db_replay r = { .by = REPLAY_EVENT, .device = "cart-1",
		.epoch = "e1", .seq = 1 };
	char s[64];

	add_delivery(f, "billing", add_event(f, 1, f->day), OB_FAILED);
	add_delivery(f, "billing", add_event(f, 2, f->day + 1000), OB_DONE);
	add_delivery(f, "erp", add_event(f, 3, f->day - 1000), OB_DEAD);
	r.dest = "erp";
	assert_int_equal(db_replay(f->d, &r), 0);	/* not its dest */
	r.dest = NULL;
	assert_int_equal(db_replay(f->d, &r), 1);
	delivery_state(f, 1, "billing", s);
	assert_string_equal(s, "pending");
	r.by = REPLAY_RECEIVED;
	r.from_ms = f->day;
	r.to_ms = f->day + 86400000;
	assert_int_equal(db_replay(f->d, &r), 0);	/* 2 is done: never */
	delivery_state(f, 2, "billing", s);
	assert_string_equal(s, "done");
	r.by = REPLAY_DEVICE;
	assert_int_equal(db_replay(f->d, &r), 1);	/* 3, the day before */
	r.by = REPLAY_ALL;
	assert_int_equal(db_replay(f->d, &r), 0);
}

struct report {
	int	billed, not_billable, used, missing;
};

static void
report_row(void *arg, const char *const *c, int n)
{
	struct report *r = arg;

	(void)n;
	if (strcmp(c[0], "billing") == 0 && strcmp(c[1], "billed") == 0)
		r->billed = atoi(c[2]);
	else if (strcmp(c[0], "billing") == 0 &&
	    strcmp(c[1], "not_billable") == 0)
		r->not_billable = atoi(c[2]);
	else if (strcmp(c[0], "used") == 0)
		r->used = atoi(c[2]);
	else if (strcmp(c[0], "missing") == 0)
		r->missing++;
}

static void
test_report(void **state)
{
	struct fx *f = *state;
	struct report r = { 0 };

	add_delivery(f, "billing", add_event(f, 1, f->day + 5), OB_DONE);
	add_delivery(f, "erp", add_event(f, 2, f->day + 6), OB_DONE);
	add_event(f, 3, f->day + 86400000);	/* the next day */
	assert_true(db_report(f->d, f->day, f->day + 86400000, "", report_row,
	    &r) > 0);
	assert_int_equal(r.used, 2);
	assert_int_equal(r.billed, 1);
	assert_int_equal(r.not_billable, 1);
	/* Event 1 has no ERP row and no hold: in no ERP column. */
	assert_int_equal(r.missing, 1);
	memset(&r, 0, sizeof(r));
	assert_true(db_report(f->d, f->day, f->day + 86400000, "elsewhere",
	    report_row, &r) > 0);
	assert_int_equal(r.used, 0);
}

/* Each step of a resolve failed in turn: all of it, or nothing. */
static void
test_resolve_fails_whole(void **state)
{
	struct fx *f = *state;
	struct db_fix fix[2] = { { XF_LOT, "L2" }, { XF_MRN, "M2" } };
	char lot[64], st[64];
	int n, rc;

	assert_int_equal(db_exception_add(f->d, add_event(f, 1, f->day),
	    "lot_missing", "no lot", HOLD_BILLING, f->day), 0);
	for (n = 1; n < 20; n++) {
		db_fail_nth(f->d, n);
		rc = db_exception_resolve(f->d, 1, fix, 2, "ann", "");
		db_fail_nth(f->d, 0);
		exc_now(f, lot, st);
		if (rc > 0)
			break;
		assert_true(rc < 0);
		assert_string_equal(lot, "LOT1");
		assert_string_equal(st, "open");
	}
	assert_true(n > 3);	/* begin, two fixes, the move: each failed */
	assert_string_equal(lot, "L2");
	assert_string_equal(st, "resolved");
}

/* A refused delivery is failed and excepted together, or neither. */
static void
test_refused_fails_whole(void **state)
{
	struct fx *f = *state;
	struct db_outrow r;
	struct cols k;
	int n, rc;

	add_delivery(f, "billing", add_event(f, 1, f->day), OB_PENDING);
	memset(&r, 0, sizeof(r));
	assert_int_equal(db_outbox_next(f->d, "billing", &r), 1);
	buf_free(&r.payload);
	for (n = 1; n < 20; n++) {
		db_fail_nth(f->d, n);
		rc = db_outbox_refused(f->d, r.id, "AR bad");
		db_fail_nth(f->d, 0);
		memset(&k, 0, sizeof(k));
		assert_true(db_exceptions(f->d, 1, keep_row, &k) >= 0);
		if (rc == 0)
			break;
		assert_int_equal(k.n, 0);
		assert_int_equal(db_outbox_next(f->d, "billing", &r), 1);
		buf_free(&r.payload);
	}
	assert_true(n > 2);
	assert_int_equal(k.n, 1);
	assert_string_equal(k.c[2], "billing_refused");
	assert_int_equal(db_outbox_next(f->d, "billing", &r), 0);
}

static void
collect(void *arg, const char *const *col, int n)
{
	char *out = arg;
	size_t len = strlen(out);
	int i;

	for (i = 0; i < n; i++)
		snprintf(out + len, 512 - len, "%s%s", col[i], i + 1 < n ?
		    "|" : ";"), len = strlen(out);
}

/*
 * The fleet: a registry row keeps since while the state stays; a command
 * is sent once (-EEXIST after), unsent until marked; a cart's pending
 * commands are the live ones it has no terminal result for; each result
 * is stored once per state; the latest state is the furthest one.
 */
static void
test_fleet(void **state)
{
	struct fx *f = *state;
	char out[512];

	assert_int_equal(db_device_status(f->d, "cart-1", "main", "online",
	    "e1", "0.1.0", 1000), 0);
	assert_int_equal(db_device_status(f->d, "cart-1", "main", "online", "",
	    "", 2000), 0);
	out[0] = '\0';
	db_devices_registry(f->d, collect, out);
	assert_non_null(strstr(out, "cart-1|main|online|1000|0.1.0|e1|"));
	assert_int_equal(db_device_status(f->d, "cart-1", "main", "offline",
	    "", "", 3000), 0);
	out[0] = '\0';
	db_devices_registry(f->d, collect, out);
	assert_non_null(strstr(out, "|offline|3000|0.1.0|e1|"));

	assert_int_equal(db_fleet_add(f->d, "c1", "clock", "[\"main\"]", 100,
	    "jws1", "it", 1), 0);
	assert_int_equal(db_fleet_add(f->d, "c1", "clock", "[\"main\"]", 100,
	    "jws1", "it", 2), -EEXIST);
	assert_int_equal(db_fleet_add(f->d, "c2", "clock", "[\"*\"]", 50,
	    "jws2", "it", 3), 0);
	out[0] = '\0';
	assert_int_equal(db_fleet_unsent(f->d, collect, out), 2);
	assert_string_equal(out, "c1|[\"main\"]|jws1;c2|[\"*\"]|jws2;");
	assert_int_equal(db_fleet_sent(f->d, "c1", 5), 0);
	assert_int_equal(db_fleet_unsent(f->d, NULL, NULL), 1);

	/* At 60 s c2 has expired; c1 is pending until cart-1 finishes it. */
	assert_int_equal(db_fleet_pending(f->d, "cart-1", 60, NULL, NULL), 1);
	assert_int_equal(db_fleet_result(f->d, "cart-1", "c1", "executing", "",
	    "", "{}", 10, 11), 0);
	assert_int_equal(db_fleet_pending(f->d, "cart-1", 60, NULL, NULL), 1);
	assert_int_equal(db_fleet_result(f->d, "cart-1", "c1", "successful",
	    "", "ok", "{}", 10, 12), 0);
	assert_int_equal(db_fleet_result(f->d, "cart-1", "c1", "successful",
	    "", "ok again", "{}", 20, 13), 0);	/* reported twice */
	assert_int_equal(db_fleet_pending(f->d, "cart-1", 60, NULL, NULL), 0);
	assert_int_equal(db_fleet_pending(f->d, "cart-2", 60, NULL, NULL), 1);
	out[0] = '\0';
	assert_int_equal(db_fleet_results(f->d, "c1", collect, out), 1);
	assert_string_equal(out, "cart-1|successful||ok|{}|10;");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exception_moves, setup,
		    teardown),
		cmocka_unit_test(test_exception_from),
		cmocka_unit_test_setup_teardown(test_fleet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_fails_whole,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_fails_whole,
		    setup, teardown),
	};

	log_init("test_db", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
