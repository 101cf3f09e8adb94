/*
 * Unit tests for agent/checks.c on a real store in a temp dir, its
 * reference data loaded through store_ref.c: an expired item and a
 * recalled lot are stopped with the reason for the person, a good item
 * passes, and an unknown, inactive or lot-less item is flagged, not stopped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "agent.h"
#include "log.h"
#include "store.h"
#include "store_int.h"	/* store_fail_nth() */

#define DI_SCREW	"00884521123451"	/* an implant, lot required */
#define DI_GAUZE	"00884521123468"	/* no lot needed */
#define DI_OLD		"00884521123475"	/* inactive */
#define DI_NONE		"00884521123482"	/* in no catalog */

struct fx {
	char		dir[64];
	struct agent	a;
};

/* Replaces kind's table with n rows of f, flag[i] as store_ref_row(). */
static void
load(struct store *s, int kind, char *f[][6], const int flag[][6], int n)
{
	int i, got;

	assert_int_equal(store_ref_begin(s, kind), 0);
	for (i = 0; i < n; i++)
		assert_null(store_ref_row(s, f[i], flag[i]));
	assert_int_equal(store_ref_commit(s, "v1", 1, &got), 0);
	assert_int_equal(got, n);
	assert_true(store_ref_current(s, kind, "v1"));
}

/* The screw an implant needing its lot, the gauze neither, the plate
 * inactive; yes/no fields bound as integers. */
static void
load_catalog(struct store *s)
{
	static char *f[][6] = {
		{ DI_SCREW, "SCREW", "", "", "", "" },
		{ DI_GAUZE, "GAUZE", "", "", "", "" },
		{ DI_OLD, "OLD PLATE", "", "", "", "" },
	};
	static const int flag[][6] = {
		{ -1, -1, 1, 1, 0, 1 },
		{ -1, -1, 0, 0, 0, 1 },
		{ -1, -1, 0, 0, 0, 0 },
	};

	load(s, STORE_REF_CATALOG, f, flag, 3);
}

/* The screw's LOT9 (any serial), the gauze's serial S7 (any lot). */
static void
load_recalls(struct store *s)
{
	static char *f[][6] = {
		{ DI_SCREW, "LOT9", "", "R-1", "sterility", NULL },
		{ DI_GAUZE, "", "S7", "R-2", "mislabelled", NULL },
	};
	static const int flag[][6] = {
		{ -1, -1, -1, -1, -1, 0 },
		{ -1, -1, -1, -1, -1, 0 },
	};

	load(s, STORE_REF_RECALLS, f, flag, 2);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char path[96];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/pou-checks.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/agent.db", f->dir);
	assert_int_equal(store_open(path, 1, &f->a.store), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	store_close(f->a.store);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* A date days from today, local time as checks.c reads today. */
static void
day_from_today(int days, char out[11])
{
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* A scan in case C1 of di with lot ("" none) expiring in days (0: none). */
static void
make_event(struct event *ev, const char *di, const char *lot, int days)
{
	memset(ev, 0, sizeof(*ev));
	snprintf(ev->kind, sizeof(ev->kind), "use");
	ev->qty = 1;
	snprintf(ev->item.scheme, sizeof(ev->item.scheme), "gs1");
	snprintf(ev->item.di, sizeof(ev->item.di), "%s", di);
	snprintf(ev->item.lot, sizeof(ev->item.lot), "%s", lot);
	if (days != 0)
		day_from_today(days, ev->item.expiry);
	snprintf(ev->case_id, sizeof(ev->case_id), "C1");
}

static void
test_good_item_passes(void **state)
{
	struct fx *f = *state;
	struct event ev;
	char why[128];

	load_catalog(f->a.store);
	load_recalls(f->a.store);
	make_event(&ev, DI_SCREW, "LOT1", 30);
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.flags, 0);
	assert_string_equal(why, "");
	/* Expiring today is still good: the label's last day of use. */
	make_event(&ev, DI_SCREW, "LOT1", 0);
	day_from_today(0, ev.item.expiry);
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.flags, 0);
}

static void
test_expired_item_is_stopped(void **state)
{
	struct fx *f = *state;
	struct event ev;
	char why[128], want[64];

	load_catalog(f->a.store);
	make_event(&ev, DI_SCREW, "LOT1", -1);
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)),
	    EVF_EXPIRED);
	assert_int_equal(ev.flags, EVF_EXPIRED);
	snprintf(want, sizeof(want), "EXPIRED %s", ev.item.expiry);
	assert_string_equal(why, want);
	/* Years past, on an item that needs no lot. */
	make_event(&ev, DI_GAUZE, "", 0);
	snprintf(ev.item.expiry, sizeof(ev.item.expiry), "2019-02-28");
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)),
	    EVF_EXPIRED);
	assert_string_equal(why, "EXPIRED 2019-02-28");
}

static void
test_recalled_lot_is_stopped(void **state)
{
	struct fx *f = *state;
	struct event ev;
	char why[128];

	load_catalog(f->a.store);
	load_recalls(f->a.store);
	make_event(&ev, DI_SCREW, "LOT9", 30);
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)),
	    EVF_RECALLED);
	assert_int_equal(ev.flags, EVF_RECALLED);
	assert_string_equal(why, "RECALLED (R-1)");
	/* Another lot of the same item is not recalled. */
	make_event(&ev, DI_SCREW, "LOT8", 30);
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.flags, 0);
	/* A recall by serial stops that unit of any lot, not its neighbour. */
	make_event(&ev, DI_GAUZE, "ANY", 0);
	snprintf(ev.item.serial, sizeof(ev.item.serial), "S7");
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)),
	    EVF_RECALLED);
	assert_string_equal(why, "RECALLED (R-2)");
	snprintf(ev.item.serial, sizeof(ev.item.serial), "S8");
	ev.flags = 0;
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)), 0);
	assert_string_equal(why, "");
}

/* Both reasons for the person, and never past the buffer. */
static void
test_expired_and_recalled(void **state)
{
	struct fx *f = *state;
	struct event ev;
	char why[128], want[64], small[12];

	load_catalog(f->a.store);
	load_recalls(f->a.store);
	make_event(&ev, DI_SCREW, "LOT9", -3);
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)),
	    EVF_EXPIRED | EVF_RECALLED);
	snprintf(want, sizeof(want), "EXPIRED %s, RECALLED (R-1)",
	    ev.item.expiry);
	assert_string_equal(why, want);
	memset(small, 'x', sizeof(small));
	ev.flags = 0;
	assert_int_equal(checks_run(&f->a, &ev, small, sizeof(small)),
	    EVF_EXPIRED | EVF_RECALLED);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, want, sizeof(small) - 1);
}

/* Not in the catalog: flagged (and its missing lot), recorded, not stopped. */
static void
test_unknown_item_is_flagged_not_stopped(void **state)
{
	struct fx *f = *state;
	struct event ev;
	char why[128];

	load_catalog(f->a.store);
	make_event(&ev, DI_NONE, "LOT1", 30);
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.flags, EVF_UNKNOWN_ITEM);
	assert_string_equal(why, "");
	make_event(&ev, DI_NONE, "", 0);
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.flags, EVF_UNKNOWN_ITEM | EVF_LOT_MISSING);
	/* Unknown does not hide expired. */
	make_event(&ev, DI_NONE, "LOT1", -1);
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)),
	    EVF_EXPIRED);
	assert_int_equal(ev.flags, EVF_UNKNOWN_ITEM | EVF_EXPIRED);
}

/* The catalog's rules: inactive flagged; a lot needed only where it says. */
static void
test_catalog_rules_flag(void **state)
{
	struct fx *f = *state;
	struct event ev;
	char why[128];

	load_catalog(f->a.store);
	make_event(&ev, DI_OLD, "LOT1", 30);
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.flags, EVF_INACTIVE_ITEM);
	make_event(&ev, DI_SCREW, "", 30);
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.flags, EVF_LOT_MISSING);
	make_event(&ev, DI_GAUZE, "", 0);
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.flags, 0);
}

/* No catalog on the device: nothing is unknown, every lot-less item is
 * flagged, and the recall list still stops. */
static void
test_no_catalog(void **state)
{
	struct fx *f = *state;
	struct event ev;
	char why[128];

	make_event(&ev, DI_NONE, "LOT1", 30);
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.flags, 0);
	make_event(&ev, DI_GAUZE, "", 0);
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.flags, EVF_LOT_MISSING);
	load_recalls(f->a.store);
	make_event(&ev, DI_SCREW, "LOT9", 30);
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)),
	    EVF_RECALLED);
	assert_string_equal(why, "RECALLED (R-1)");
}

/* No case, patient or encounter: flagged; any one of them is enough; the
 * flags the event had stay. */
static void
test_no_case_is_flagged(void **state)
{
	struct fx *f = *state;
	struct event ev;
	char why[128];

	load_catalog(f->a.store);
	make_event(&ev, DI_GAUZE, "", 0);
	ev.case_id[0] = '\0';
	ev.flags = EVF_OVERRIDE;
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.flags, EVF_OVERRIDE | EVF_NO_CASE);
	make_event(&ev, DI_GAUZE, "", 0);
	ev.case_id[0] = '\0';
	snprintf(ev.mrn, sizeof(ev.mrn), "M1");
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.flags, 0);
	make_event(&ev, DI_GAUZE, "", 0);
	ev.case_id[0] = '\0';
	snprintf(ev.encounter, sizeof(ev.encounter), "E1");
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.flags, 0);
}

/* A lookup that fails leaves the item unchecked: flagged unknown, so the
 * bridge holds it for a person, never passed as checked. */
static void
test_unreadable_reference_is_unknown(void **state)
{
	struct fx *f = *state;
	char why[64];
	struct event ev;
	int nth;

	load_catalog(f->a.store);
	load_recalls(f->a.store);
	for (nth = 1; nth <= 2; nth++) {	/* the catalog, the recalls */
		make_event(&ev, DI_GAUZE, "LOT1", 30);
		store_fail_nth(f->a.store, nth);
		assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)), 0);
		store_fail_nth(f->a.store, 0);
		assert_int_equal(ev.flags, EVF_UNKNOWN_ITEM);
	}
	make_event(&ev, DI_GAUZE, "LOT1", 30);
	assert_int_equal(checks_run(&f->a, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.flags, 0);
}

int
main(void)
{
#define T(t)	cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_unreadable_reference_is_unknown, setup, teardown),
		T(test_good_item_passes),
		T(test_expired_item_is_stopped),
		T(test_recalled_lot_is_stopped),
		T(test_expired_and_recalled),
		T(test_unknown_item_is_flagged_not_stopped),
		T(test_catalog_rules_flag),
		T(test_no_catalog),
		T(test_no_case_is_flagged),
	};
#undef T

	log_init("test_checks", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
