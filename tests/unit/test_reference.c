/*
 * Unit tests for the bridge's reference data (sync/bridge/reference.c,
 * reftab.c) on real CSV files: good rows loaded and found by their keys
 * with every field parsed, each bad row, header and duplicate reported
 * as file:line (or file: key), a set with any error refused whole, and
 * the lookups' fallbacks (a room's location for a unit without one).
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
#include "log.h"
#include "reftab.h"
#include "testutil.h"

#define ITEMS_HDR	"di,item_id,description,implant,lot_required," \
	"serial_required,active,vendor\n"
#define CM_HDR	"di,charge_code,description,price,revenue_code,hcpcs,billable\n"

struct fx {
	char			 dir[64];
	char			 path[REF_COUNT][96];
	struct bridge_conf	 conf;
	struct reference	*r;
	struct grab		 g;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char dir[64] = "/tmp/pou-ref.XXXXXX";
	int k;

	assert_non_null(mkdtemp(dir));
	snprintf(f->dir, sizeof(f->dir), "%s", dir);
	for (k = 0; k < REF_COUNT; k++)
		snprintf(f->path[k], sizeof(f->path[k]), "%s/%s.csv", dir,
		    reference_kind_name(k));
	assert_non_null(f->r = reference_new());
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	reference_free(f->r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
put(struct fx *f, int k, const char *text)
{
	FILE *fp;

	assert_non_null(fp = fopen(f->path[k], "w"));
	fputs(text, fp);
	fclose(fp);
}

/* Writes kind k's file and loads it into f->r; the errors, with what was
 * logged in f->g.text. */
static int
load(struct fx *f, int k, const char *text)
{
	int errors;

	put(f, k, text);
	grab_start(&f->g);
	errors = reference_load_kind(f->r, k, f->path[k]);
	grab_end(&f->g);
	return errors;
}

/* True when the log says "path: msg" (msg starting with the line). */
static int
said(struct fx *f, int k, const char *msg)
{
	char want[256];

	snprintf(want, sizeof(want), "%s:%s", f->path[k], msg);
	return strstr(f->g.text, want) != NULL;
}

static void
test_kinds(void **state)
{
	(void)state;
	assert_int_equal(reference_kind("items"), REF_ITEMS);
	assert_int_equal(reference_kind("par"), REF_PAR);
	assert_int_equal(reference_kind("prices"), -1);
	assert_string_equal(reference_kind_name(REF_CHARGEMASTER),
	    "chargemaster");
	assert_string_equal(reference_kind_header(REF_CONTRACTS),
	    "vendor,di,unit_cost");
}

/* A good item master: header, comments and blanks skipped, each field of
 * each row as written, found by DI; another DI is not there. */
static void
test_items_good(void **state)
{
	struct fx *f = *state;
	const struct itemref *it;

	assert_int_equal(load(f, REF_ITEMS, ITEMS_HDR
	    "# the cath lab\n"
	    "00884521123451,IT-1,\"Stent, coated\",yes,yes,no,yes,ACME\n"
	    "\n"
	    "00884521999999,IT-2,Gauze,no,no,yes,no,\n"), 0);
	assert_string_equal(f->g.text, "");
	assert_true(reference_loaded(f->r, REF_ITEMS));
	assert_false(reference_loaded(f->r, REF_PAR));
	assert_int_equal(reference_rows(f->r, REF_ITEMS), 2);
	assert_string_equal(reference_path(f->r, REF_ITEMS),
	    f->path[REF_ITEMS]);
	assert_int_equal(strlen(reference_version(f->r, REF_ITEMS)), 64);
	assert_non_null(it = reference_item(f->r, "00884521123451"));
	assert_string_equal(it->item_id, "IT-1");
	assert_string_equal(it->desc, "Stent, coated");
	assert_int_equal(it->implant, 1);
	assert_int_equal(it->lot_required, 1);
	assert_int_equal(it->serial_required, 0);
	assert_int_equal(it->active, 1);
	assert_string_equal(it->vendor, "ACME");
	assert_non_null(it = reference_item(f->r, "00884521999999"));
	assert_int_equal(it->serial_required, 1);
	assert_int_equal(it->active, 0);
	assert_string_equal(it->vendor, "");
	assert_null(reference_item(f->r, "00884521000000"));
	assert_null(reference_item(f->r, "0088452112345"));	/* a prefix */
	assert_null(reference_charge(f->r, "00884521123451"));	/* none */
}

/* The version is the file's content: the same bytes the same, one byte
 * changed another. */
static void
test_version_and_stamp(void **state)
{
	struct fx *f = *state;
	struct ref_stamp a, b;
	char v1[65];

	snprintf(f->conf.items, sizeof(f->conf.items), "%s",
	    f->path[REF_ITEMS]);
	assert_int_equal(load(f, REF_ITEMS, ITEMS_HDR
	    "1,IT-1,x,no,no,no,yes,\n"), 0);
	snprintf(v1, sizeof(v1), "%s", reference_version(f->r, REF_ITEMS));
	reference_stamp(&f->conf, &a);
	assert_int_equal(load(f, REF_ITEMS, ITEMS_HDR
	    "1,IT-1,x,no,no,no,yes,\n"), 0);
	assert_string_equal(reference_version(f->r, REF_ITEMS), v1);
	assert_int_equal(load(f, REF_ITEMS, ITEMS_HDR
	    "1,IT-1,yy,no,no,no,yes,\n"), 0);	/* its size too */
	assert_string_not_equal(reference_version(f->r, REF_ITEMS), v1);
	reference_stamp(&f->conf, &b);
	assert_true(reference_stamp_differs(&a, &b));
	reference_stamp(&f->conf, &a);
	assert_false(reference_stamp_differs(&a, &b));
}

/* Each bad row is named by file and line with what is wrong; the good
 * rows around them still load, the file counts as bad. */
static void
test_items_bad_rows(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f, REF_ITEMS, ITEMS_HDR
	    "1,IT-1,x,no,no,no,yes,\n"			/* 2: good */
	    "2,IT-2,x,perhaps,no,no,yes,\n"		/* 3 */
	    ",IT-3,x,no,no,no,yes,\n"			/* 4 */
	    "4,IT-4,x,no,no,no,yes\n"			/* 5: 7 fields */
	    "5,,x,no,no,no,yes,\n"			/* 6 */
	    "123456789012345678901,IT-6,x,no,no,no,yes,\n"	/* 7 */
	    "7,IT-7,x,no,no,no,yes,\"ACME\n"		/* 8: unclosed */
	    "8,IT-8,x,no,no,no,yes,\n"),		/* 9: good */
	    6);
	assert_true(said(f, REF_ITEMS, "3: implant, lot_required, "
	    "serial_required and active are yes or no"));
	assert_true(said(f, REF_ITEMS, "4: di is empty"));
	assert_true(said(f, REF_ITEMS, "5: expected 8 fields"));
	assert_true(said(f, REF_ITEMS, "6: item_id is empty"));
	assert_true(said(f, REF_ITEMS, "7: di is empty or longer than 20"));
	assert_true(said(f, REF_ITEMS, "8: expected 8 fields"));
	assert_int_equal(reference_rows(f->r, REF_ITEMS), 2);
	assert_non_null(reference_item(f->r, "1"));
	assert_non_null(reference_item(f->r, "8"));
	assert_null(reference_item(f->r, "2"));
}

/* The header: skipped only as the first line; with the wrong field count,
 * or later in the file, it is an error at its line. */
static void
test_headers(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f, REF_ITEMS, "1,IT-1,x,no,no,no,yes,\n"), 0);
	assert_int_equal(reference_rows(f->r, REF_ITEMS), 1);	/* optional */
	assert_int_equal(load(f, REF_ITEMS, "di,item_id,description\n"
	    "1,IT-1,x,no,no,no,yes,\n"), 1);
	assert_true(said(f, REF_ITEMS, "1: expected 8 fields"));
	assert_int_equal(load(f, REF_ITEMS, "1,IT-1,x,no,no,no,yes,\n"
	    ITEMS_HDR), 1);
	assert_true(said(f, REF_ITEMS, "2: implant, lot_required"));
	/* Another kind's header is no header of this one. */
	assert_int_equal(load(f, REF_CONTRACTS, "di,vendor,unit_cost\n"), 1);
	assert_true(said(f, REF_CONTRACTS, "1: unit_cost is not an amount"));
}

/*
 * Columns in another order would load misread (revenue code 0278 as the
 * price, $2.78): the header is compared whole and the file refused.
 */
static void
test_header_order(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f, REF_CHARGEMASTER, "di,charge_code,description,"
	    "revenue_code,price,hcpcs,billable\n"
	    "1,C1,Stent,0278,1250.50,C1874,yes\n"), 1);
	assert_true(said(f, REF_CHARGEMASTER, "1: the header must be \"di,"
	    "charge_code,description,price,revenue_code,hcpcs,billable\""));
}

/* A DI twice is an error naming it; a missing file is one too. */
static void
test_duplicate_and_missing(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f, REF_ITEMS, ITEMS_HDR
	    "1,IT-1,x,no,no,no,yes,\n2,IT-2,x,no,no,no,yes,\n"
	    "1,IT-3,x,no,no,no,yes,\n"), 1);
	assert_true(said(f, REF_ITEMS, " 1 appears more than once"));
	grab_start(&f->g);
	assert_int_equal(reference_load_kind(f->r, REF_PAR, "/nonexistent/par"),
	    1);
	grab_end(&f->g);
	assert_non_null(strstr(f->g.text, "/nonexistent/par"));
	assert_int_equal(reference_rows(f->r, REF_PAR), 0);
}

/* Prices in cents, "12", "12.5" and "12.34"; anything else refused. */
static void
test_chargemaster(void **state)
{
	struct fx *f = *state;
	const struct charge *c;

	assert_int_equal(load(f, REF_CHARGEMASTER, CM_HDR
	    "1,C1,Stent,1250.5,0278,C1874,yes\n"
	    "2,C2,Gauze,3,0270,,no\n"
	    "3,C3,Glue,0.07,0270,,yes\n"
	    "4,C4,x,12.345,0270,,yes\n"		/* 5 */
	    "5,C5,x,-1,0270,,yes\n"		/* 6 */
	    "6,C6,x,1.5,0270,,maybe\n"		/* 7 */
	    "7,C7,x,$5,0270,,yes\n"		/* 8 */
	    "8,,x,5,0270,,yes\n"), 5);		/* 9 */
	assert_true(said(f, REF_CHARGEMASTER, "5: price is not an amount"));
	assert_true(said(f, REF_CHARGEMASTER, "6: price is not an amount"));
	assert_true(said(f, REF_CHARGEMASTER, "7: billable is yes or no"));
	assert_true(said(f, REF_CHARGEMASTER, "8: price is not an amount"));
	assert_true(said(f, REF_CHARGEMASTER, "9: charge_code is empty"));
	assert_non_null(c = reference_charge(f->r, "1"));
	assert_int_equal(c->price_cents, 125050);
	assert_string_equal(c->code, "C1");
	assert_string_equal(c->revenue, "0278");
	assert_string_equal(c->hcpcs, "C1874");
	assert_int_equal(c->billable, 1);
	assert_non_null(c = reference_charge(f->r, "2"));
	assert_int_equal(c->price_cents, 300);
	assert_int_equal(c->billable, 0);
	assert_non_null(c = reference_charge(f->r, "3"));
	assert_int_equal(c->price_cents, 7);
}

static void
test_amounts(void **state)
{
	long long c = -1;

	(void)state;
	assert_int_equal(reftab_amount("0", &c), 0);
	assert_int_equal(c, 0);
	assert_int_equal(reftab_amount("999999999.99", &c), 0);
	assert_int_equal(c, 99999999999LL);
	assert_int_equal(reftab_amount("1.", &c), 0);
	assert_int_equal(c, 100);
	assert_int_equal(reftab_amount("", &c), -1);
	assert_int_equal(reftab_amount(".5", &c), -1);
	assert_int_equal(reftab_amount("1.2.3", &c), -1);
	assert_int_equal(reftab_amount("1000000000", &c), -1);	/* 10 digits */
	assert_int_equal(reftab_amount("1 ", &c), -1);
}

/* Contracts by vendor and DI; a location by its unit, else its room;
 * PAR levels by location and DI, the reorder point below the level. */
static void
test_keyed_lookups(void **state)
{
	struct fx *f = *state;
	const struct contract *k;
	const struct location *l;
	const struct parlevel *p;

	assert_int_equal(load(f, REF_CONTRACTS, "vendor,di,unit_cost\n"
	    "ACME,1,900\nBETA,1,850.25\nACME,2,1\n,3,1\n"), 1);
	assert_true(said(f, REF_CONTRACTS, "5: vendor and di are required"));
	assert_non_null(k = reference_contract(f->r, "BETA", "1"));
	assert_int_equal(k->cost_cents, 85025);
	assert_string_equal(k->vendor, "BETA");
	assert_non_null(k = reference_contract(f->r, "ACME", "1"));
	assert_int_equal(k->cost_cents, 90000);
	assert_null(reference_contract(f->r, "BETA", "2"));

	assert_int_equal(load(f, REF_LOCATIONS, "site,room,unit,department,"
	    "cost_center,erp_location\n"
	    "main,OR1,,Surgery,CC10,LOC-OR\n"
	    "main,OR1,cart-7,Surgery,CC11,LOC-C7\n"
	    "main,,,x,y,z\n"), 1);
	assert_true(said(f, REF_LOCATIONS, "4: site and room are required"));
	assert_non_null(l = reference_location(f->r, "main", "OR1", "cart-7"));
	assert_string_equal(l->erp_location, "LOC-C7");
	assert_non_null(l = reference_location(f->r, "main", "OR1", "cart-9"));
	assert_string_equal(l->erp_location, "LOC-OR");
	assert_string_equal(l->cost_center, "CC10");
	assert_non_null(l = reference_location(f->r, "main", "OR1", ""));
	assert_string_equal(l->erp_location, "LOC-OR");
	assert_null(reference_location(f->r, "main", "OR2", "cart-7"));
	assert_null(reference_location(f->r, "east", "OR1", ""));

	assert_int_equal(load(f, REF_PAR, "erp_location,di,par_level,"
	    "reorder_point\n"
	    "LOC-OR,1,10,3\n"
	    "LOC-OR,2,10,10\n"		/* 3: reorder not below par */
	    "LOC-OR,3,0,0\n"		/* 4 */
	    "LOC-OR,4,ten,3\n"), 3);	/* 5 */
	assert_true(said(f, REF_PAR, "3: par_level is 1 to 100000"));
	assert_true(said(f, REF_PAR, "4: par_level is 1 to 100000"));
	assert_true(said(f, REF_PAR, "5: par_level is 1 to 100000"));
	assert_non_null(p = reference_par(f->r, "LOC-OR", "1"));
	assert_int_equal(p->par, 10);
	assert_int_equal(p->reorder, 3);
	assert_string_equal(p->di, "1");
	assert_null(reference_par(f->r, "LOC-C7", "1"));
}

/* The whole set: loaded when every file named is good, refused (NULL)
 * when one has an error, the file named; an event enriched from it. */
static void
test_set_and_enrich(void **state)
{
	struct fx *f = *state;
	struct reference *r;
	struct bevent be;

	put(f, REF_ITEMS, ITEMS_HDR "1,IT-1,x,yes,no,no,yes,ACME\n");
	put(f, REF_CHARGEMASTER, CM_HDR "1,C1,x,10,0278,,yes\n");
	put(f, REF_CONTRACTS, "ACME,1,7\n");
	put(f, REF_LOCATIONS, "main,OR1,,Surgery,CC10,LOC-OR\n");
	snprintf(f->conf.items, sizeof(f->conf.items), "%s",
	    f->path[REF_ITEMS]);
	snprintf(f->conf.chargemaster, sizeof(f->conf.chargemaster), "%s",
	    f->path[REF_CHARGEMASTER]);
	snprintf(f->conf.contracts, sizeof(f->conf.contracts), "%s",
	    f->path[REF_CONTRACTS]);
	snprintf(f->conf.locations, sizeof(f->conf.locations), "%s",
	    f->path[REF_LOCATIONS]);
	assert_non_null(r = reference_load(&f->conf));
	assert_false(reference_loaded(r, REF_PAR));	/* not named */
	memset(&be, 0, sizeof(be));
	snprintf(be.ev.item.di, sizeof(be.ev.item.di), "1");
	snprintf(be.ev.site, sizeof(be.ev.site), "main");
	snprintf(be.ev.room, sizeof(be.ev.room), "OR1");
	snprintf(be.ev.unit, sizeof(be.ev.unit), "cart-1");
	reference_enrich(r, &be);
	assert_non_null(be.itemref);
	assert_int_equal(be.itemref->implant, 1);
	assert_non_null(be.charge);
	assert_int_equal(be.charge->price_cents, 1000);
	assert_non_null(be.contract);
	assert_int_equal(be.contract->cost_cents, 700);
	assert_non_null(be.loc);
	assert_string_equal(be.loc->erp_location, "LOC-OR");
	assert_true(be.have_items);
	snprintf(be.ev.item.di, sizeof(be.ev.item.di), "2");
	reference_enrich(r, &be);
	assert_null(be.itemref);
	assert_null(be.charge);
	assert_null(be.contract);
	assert_true(be.have_items);
	reference_free(r);

	put(f, REF_CONTRACTS, "ACME,1,7\nACME,2,seven\n");
	grab_start(&f->g);
	r = reference_load(&f->conf);
	grab_end(&f->g);
	assert_null(r);
	assert_true(said(f, REF_CONTRACTS, "2: unit_cost is not an amount"));
	assert_true(said(f, REF_CONTRACTS, " the contracts file has errors"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test_setup_teardown(test_items_good, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_version_and_stamp, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_items_bad_rows, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_and_missing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_chargemaster, setup,
		    teardown),
		cmocka_unit_test(test_amounts),
		cmocka_unit_test_setup_teardown(test_keyed_lookups, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_set_and_enrich, setup,
		    teardown),
	};

	log_init("test_reference", 0);
	log_plain();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
