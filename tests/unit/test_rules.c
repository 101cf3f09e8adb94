/*
 * Unit tests for the governance rules (sync/bridge/rules.c) on a real
 * database: a good event raises nothing; each rule raises its exception
 * with its disposition (held for billing, the ERP, both, or a warning)
 * on the input it is for, and stays quiet on the input next to it; [rules]
 * turns one off; a failed database step is an error, not "no rule fired".
 */
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

#define DI	"00884521123451"
#define NOW_MS	1764000000000LL

static const struct itemref item_ok = { DI, "IT-1", "Stent", "ACME", 0, 0, 0,
	1 };
static const struct charge charge_ok = { DI, "C100", "Stent", "0278",
	"C1874", 125000, 1 };
static const struct contract contract_ok = { "ACME|" DI, "ACME", 90000 };

struct fx {
	char			 dir[64];
	struct bridge_conf	 conf;
	struct db		*d;
	int			 seq;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char conf[96];
	FILE *c;

	snprintf(f->dir, sizeof(f->dir), "/tmp/pou-rules.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(conf, sizeof(conf), "%s/bridge.conf", f->dir);
	assert_non_null(c = fopen(conf, "w"));
	fprintf(c, "[store]\npath = %s/bridge.db\n", f->dir);
	fclose(c);
	assert_int_equal(bridge_conf_load(conf, &f->conf), 0);
	assert_int_equal(db_open(f->conf.db_path, 0, &f->d), 0);
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

/* An event no rule has anything against: a known, active, billable item
 * with its lot, used for an encounter, on a good clock. */
static void
good(struct fx *f, struct bevent *be, const char *kind)
{
	memset(be, 0, sizeof(*be));
	snprintf(be->device, sizeof(be->device), "cart-1");
	snprintf(be->epoch, sizeof(be->epoch), "e1");
	be->ev.seq = ++f->seq;
	be->ev.at_ms = NOW_MS;
	snprintf(be->ev.boot, sizeof(be->ev.boot), "b");
	snprintf(be->ev.kind, sizeof(be->ev.kind), "%s", kind);
	be->ev.qty = 1;
	snprintf(be->ev.item.scheme, sizeof(be->ev.item.scheme), "gs1");
	snprintf(be->ev.item.di, sizeof(be->ev.item.di), DI);
	snprintf(be->ev.item.lot, sizeof(be->ev.item.lot), "L1");
	snprintf(be->ev.item.expiry, sizeof(be->ev.item.expiry), "2026-01-31");
	snprintf(be->ev.encounter, sizeof(be->ev.encounter), "V100");
	snprintf(be->ev.user, sizeof(be->ev.user), "ann");
	snprintf(be->ev.site, sizeof(be->ev.site), "main");
	be->itemref = &item_ok;
	be->charge = &charge_ok;
	be->contract = &contract_ok;
	be->have_items = 1;
	be->at_fixed_ms = NOW_MS;
	be->time_quality = "ok";
}

struct finding {
	int	n;
	char	rule[8][32], state[8][16], hold[8][16], reason[8][200];
	char	ident[32];	/* only this event's */
};

static void
keep(void *arg, const char *const *col, int n)
{
	struct finding *k = arg;

	(void)n;
	if (strcmp(col[3], k->ident) != 0 || k->n == 8)
		return;
	snprintf(k->rule[k->n], sizeof(k->rule[0]), "%s", col[2]);
	snprintf(k->state[k->n], sizeof(k->state[0]), "%s", col[1]);
	snprintf(k->hold[k->n], sizeof(k->hold[0]), "%s", col[7]);
	snprintf(k->reason[k->n], sizeof(k->reason[0]), "%s", col[8]);
	k->n++;
}

/* Stores be and runs the rules on it; their HOLD_ bits, with what they
 * recorded for it in k. */
static int
apply(struct fx *f, struct bevent *be, struct finding *k)
{
	int holds;

	assert_int_equal(db_insert_event(f->d, be, NOW_MS), 1);
	holds = rules_apply(f->d, &f->conf, be, NOW_MS);
	memset(k, 0, sizeof(*k));
	snprintf(k->ident, sizeof(k->ident), "cart-1:e1:%lld",
	    (long long)be->ev.seq);
	assert_true(db_exceptions(f->d, 1, keep, k) >= 0);
	return holds;
}

/* Exactly one finding, by rule, held as hold ("" a warning), its reason
 * saying why. */
static void
only(const struct finding *k, const char *rule, const char *hold,
    const char *why)
{
	assert_int_equal(k->n, 1);
	assert_string_equal(k->rule[0], rule);
	assert_string_equal(k->hold[0], hold);
	assert_string_equal(k->state[0], hold[0] ? "open" : "warning");
	assert_non_null(strstr(k->reason[0], why));
}

static void
test_good_event_passes(void **state)
{
	static const char *kinds[] = { "use", "waste", "return", "billonly",
		"consign", "undo" };
	struct fx *f = *state;
	struct finding k;
	struct bevent be;
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		good(f, &be, kinds[i]);
		assert_int_equal(apply(f, &be, &k), 0);
		assert_int_equal(k.n, 0);
	}
}

static void
test_disposition_names(void **state)
{
	(void)state;
	assert_int_equal(rule_disposition("hold"), HOLD_BILLING | HOLD_ERP);
	assert_int_equal(rule_disposition("hold_billing"), HOLD_BILLING);
	assert_int_equal(rule_disposition("hold_erp"), HOLD_ERP);
	assert_int_equal(rule_disposition("warn"), HOLD_WARN);
	assert_int_equal(rule_disposition("off"), 0);
	assert_int_equal(rule_disposition("Hold"), -1);
	assert_int_equal(rule_disposition(""), -1);
	assert_string_equal(rule_code(RULE_DUP_SERIAL), "duplicate_serial");
	assert_string_equal(rule_default(RULE_EXPIRED), "hold_billing");
	assert_string_equal(rule_default(RULE_CLOCK), "warn");
}

static void
test_unknown_item(void **state)
{
	struct fx *f = *state;
	struct itemref inactive = item_ok;
	struct finding k;
	struct bevent be;

	good(f, &be, "use");
	be.ev.flags = EVF_UNKNOWN_ITEM;	/* the device's catalog */
	assert_int_equal(apply(f, &be, &k), HOLD_BILLING | HOLD_ERP);
	only(&k, "unknown_item", "billing+erp", "not at all");
	good(f, &be, "use");
	be.ev.flags = EVF_INACTIVE_ITEM;
	apply(f, &be, &k);
	only(&k, "unknown_item", "billing+erp", "as inactive");
	good(f, &be, "use");
	inactive.active = 0;
	be.itemref = &inactive;
	apply(f, &be, &k);
	only(&k, "unknown_item", "billing+erp", "inactive in the item master");
	good(f, &be, "use");
	be.itemref = NULL;	/* an item master, without the DI */
	be.contract = NULL;
	apply(f, &be, &k);
	only(&k, "unknown_item", "billing+erp", "not in the item master");
	/* Without an item master the chargemaster decides. */
	good(f, &be, "use");
	be.itemref = NULL;
	be.have_items = 0;
	assert_int_equal(apply(f, &be, &k), 0);
	assert_int_equal(k.n, 0);
	good(f, &be, "use");
	be.itemref = NULL;
	be.have_items = 0;
	be.charge = NULL;
	apply(f, &be, &k);
	only(&k, "unknown_item", "billing+erp", "no chargemaster line");
	/* An undo reverses what was taken: nothing to know about it. */
	good(f, &be, "undo");
	be.ev.flags = EVF_UNKNOWN_ITEM;
	assert_int_equal(apply(f, &be, &k), 0);
	assert_int_equal(k.n, 0);
}

static void
test_lot_missing(void **state)
{
	struct fx *f = *state;
	struct itemref implant = item_ok, tracked = item_ok, serial = item_ok;
	struct finding k;
	struct bevent be;

	implant.implant = 1;
	tracked.lot_required = 1;
	serial.serial_required = 1;
	good(f, &be, "use");
	be.ev.flags = EVF_LOT_MISSING;
	assert_int_equal(apply(f, &be, &k), HOLD_BILLING | HOLD_ERP);
	only(&k, "lot_missing", "billing+erp", "supply the lot");
	good(f, &be, "use");
	be.itemref = &implant;
	be.ev.item.lot[0] = '\0';
	apply(f, &be, &k);
	only(&k, "lot_missing", "billing+erp", "supply the lot");
	good(f, &be, "use");
	be.itemref = &tracked;
	be.ev.item.lot[0] = '\0';
	apply(f, &be, &k);
	only(&k, "lot_missing", "billing+erp", "supply the lot");
	good(f, &be, "use");
	be.itemref = &serial;
	apply(f, &be, &k);
	only(&k, "lot_missing", "billing+erp", "IT-1 needs a serial");
	/* The same items with what they need pass. */
	good(f, &be, "use");
	be.itemref = &implant;
	assert_int_equal(apply(f, &be, &k), 0);
	good(f, &be, "use");
	be.itemref = &serial;
	snprintf(be.ev.item.serial, sizeof(be.ev.item.serial), "S9");
	assert_int_equal(apply(f, &be, &k), 0);
	/* No lot, but nobody asks for one. */
	good(f, &be, "use");
	be.ev.item.lot[0] = '\0';
	assert_int_equal(apply(f, &be, &k), 0);
	assert_int_equal(k.n, 0);
}

static void
test_expired_recalled(void **state)
{
	struct fx *f = *state;
	struct finding k;
	struct bevent be;

	good(f, &be, "use");
	be.ev.flags = EVF_EXPIRED;
	assert_int_equal(apply(f, &be, &k), HOLD_BILLING);
	only(&k, "expired", "billing", "expiry 2026-01-31 (override by ann)");
	good(f, &be, "use");
	be.ev.flags = EVF_RECALLED;
	be.ev.user[0] = '\0';
	assert_int_equal(apply(f, &be, &k), HOLD_BILLING | HOLD_ERP);
	only(&k, "recalled", "billing+erp", "override by nobody");
	/* Both at once: both recorded, the holds together. */
	good(f, &be, "use");
	be.ev.flags = EVF_RECALLED | EVF_EXPIRED;
	assert_int_equal(apply(f, &be, &k), HOLD_BILLING | HOLD_ERP);
	assert_int_equal(k.n, 2);
}

static void
test_no_encounter(void **state)
{
	struct fx *f = *state;
	struct charge free_line = charge_ok;
	struct finding k;
	struct bevent be;

	good(f, &be, "use");
	be.ev.encounter[0] = '\0';
	assert_int_equal(apply(f, &be, &k), HOLD_BILLING);
	only(&k, "no_encounter", "billing", "supply it");
	/* Nothing to bill: no encounter needed. */
	good(f, &be, "use");
	be.ev.encounter[0] = '\0';
	free_line.billable = 0;
	be.charge = &free_line;
	assert_int_equal(apply(f, &be, &k), 0);
	good(f, &be, "undo");
	be.ev.encounter[0] = '\0';
	assert_int_equal(apply(f, &be, &k), 0);
	assert_int_equal(k.n, 0);
}

static void
test_duplicate_serial(void **state)
{
	struct fx *f = *state;
	struct finding k;
	struct bevent be;

	good(f, &be, "use");
	snprintf(be.ev.item.serial, sizeof(be.ev.item.serial), "S1");
	assert_int_equal(apply(f, &be, &k), 0);	/* the first use */
	good(f, &be, "return");		/* a return of it is no second use */
	snprintf(be.ev.item.serial, sizeof(be.ev.item.serial), "S1");
	assert_int_equal(apply(f, &be, &k), 0);
	good(f, &be, "use");		/* another unit */
	snprintf(be.ev.item.serial, sizeof(be.ev.item.serial), "S2");
	assert_int_equal(apply(f, &be, &k), 0);
	good(f, &be, "use");
	snprintf(be.ev.item.serial, sizeof(be.ev.item.serial), "S1");
	assert_int_equal(apply(f, &be, &k), HOLD_BILLING | HOLD_ERP);
	only(&k, "duplicate_serial", "billing+erp", "serial S1 of DI " DI
	    " was used before");
}

static void
test_billonly_no_po(void **state)
{
	struct fx *f = *state;
	struct itemref novendor = item_ok;
	struct finding k;
	struct bevent be;

	novendor.vendor[0] = '\0';
	good(f, &be, "billonly");
	be.itemref = &novendor;
	be.contract = NULL;
	assert_int_equal(apply(f, &be, &k), HOLD_ERP);
	only(&k, "billonly_no_po", "erp", "no vendor in the item master");
	good(f, &be, "consign");
	be.contract = NULL;
	assert_int_equal(apply(f, &be, &k), HOLD_ERP);
	only(&k, "billonly_no_po", "erp", "no contract price with ACME");
	/* An ordinary use needs no PO. */
	good(f, &be, "use");
	be.itemref = &novendor;
	be.contract = NULL;
	assert_int_equal(apply(f, &be, &k), 0);
	assert_int_equal(k.n, 0);
}

static void
test_clock(void **state)
{
	struct fx *f = *state;
	struct finding k;
	struct bevent be;

	good(f, &be, "use");
	be.time_quality = "wrong";
	assert_int_equal(apply(f, &be, &k), 0);	/* warn: holds nothing */
	only(&k, "clock", "", "could not be corrected");
	good(f, &be, "use");
	be.time_quality = "corrected";
	be.at_fixed_ms = NOW_MS + 61 * 1000;	/* clock_far_s is 60 */
	assert_int_equal(apply(f, &be, &k), 0);
	only(&k, "clock", "", "61 s off");
	good(f, &be, "use");
	be.time_quality = "corrected";
	be.at_fixed_ms = NOW_MS - 60 * 1000;	/* at the limit */
	apply(f, &be, &k);
	assert_int_equal(k.n, 0);
	good(f, &be, "use");
	be.time_quality = "ok";
	be.at_fixed_ms = NOW_MS - 3600 * 1000;	/* only corrected times */
	apply(f, &be, &k);
	assert_int_equal(k.n, 0);
}

/* [rules] decides: off records nothing, warn passes with a note. */
static void
test_configured(void **state)
{
	struct fx *f = *state;
	struct finding k;
	struct bevent be;

	f->conf.rules[RULE_RECALLED] = rule_disposition("off");
	f->conf.rules[RULE_EXPIRED] = rule_disposition("warn");
	good(f, &be, "use");
	be.ev.flags = EVF_RECALLED | EVF_EXPIRED;
	assert_int_equal(apply(f, &be, &k), 0);
	only(&k, "expired", "", "expiry");
	f->conf.rules[RULE_RECALLED] = rule_disposition("hold_erp");
	good(f, &be, "use");
	be.ev.flags = EVF_RECALLED;
	assert_int_equal(apply(f, &be, &k), HOLD_ERP);
	only(&k, "recalled", "erp", "recalled");
}

/* A failed step is an error: the caller does not store the event as
 * passed. */
static void
test_db_error(void **state)
{
	struct fx *f = *state;
	struct bevent be;

	good(f, &be, "use");
	be.ev.flags = EVF_EXPIRED;
	assert_int_equal(db_insert_event(f->d, &be, NOW_MS), 1);
	db_fail_nth(f->d, 1);
	assert_int_equal(rules_apply(f->d, &f->conf, &be, NOW_MS), -1);
	db_fail_nth(f->d, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_event_passes, setup,
		    teardown),
		cmocka_unit_test(test_disposition_names),
		cmocka_unit_test_setup_teardown(test_unknown_item, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lot_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_expired_recalled, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_encounter, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_serial, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_billonly_no_po, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_configured, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_db_error, setup, teardown),
	};

	log_init("test_rules", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
