/*
 * Unit tests for the bridge's intake (sync/bridge/ingest.c) on a real
 * database: a batch is stored once and acked, a resend is counted and
 * not stored again, a bad topic is rejected, and a batch whose every
 * database step is failed in turn (db_fail_nth) is stored whole, its rules
 * applied, or not at all, never acked past what is held.
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
#include "wire.h"

#define TOPIC	"pou/v1/main/cart-1/events"
#define NEV	5

struct fx {
	char			 dir[64];
	struct bridge_conf	 conf;
	struct db		*d;
	struct reference	*ref;
	struct ingest		*in;
	char			*batch;		/* NEV events of epoch e1 */
};

static char *
make_batch(void)
{
	struct event evs[NEV];
	int i;

	memset(evs, 0, sizeof(evs));
	for (i = 0; i < NEV; i++) {
		evs[i].seq = i + 1;
		evs[i].at_ms = 1764000000000LL + i;
		snprintf(evs[i].boot, sizeof(evs[i].boot), "b");
		snprintf(evs[i].kind, sizeof(evs[i].kind), "use");
		evs[i].qty = 1;
		snprintf(evs[i].item.scheme, sizeof(evs[i].item.scheme), "gs1");
		snprintf(evs[i].item.di, sizeof(evs[i].item.di),
		    "00884521123451");
		if (i == 0 || i == NEV - 1)	/* the same unit twice */
			snprintf(evs[i].item.serial,
			    sizeof(evs[i].item.serial), "S1");
		memcpy(evs[i].item.raw, "]d2X", 4);
		evs[i].item.raw_len = 4;
		snprintf(evs[i].site, sizeof(evs[i].site), "main");
		snprintf(evs[i].source, sizeof(evs[i].source), "sim0");
	}
	return wire_batch_encode("e1", evs, NEV, NULL, NULL);
}

static int
setup(void **state)
{
	struct outbox *none[DEST_COUNT] = { NULL };
	struct fx *f = calloc(1, sizeof(*f));
	char conf[96];
	FILE *c;

	snprintf(f->dir, sizeof(f->dir), "/tmp/pou-ingest.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(conf, sizeof(conf), "%s/bridge.conf", f->dir);
	assert_non_null(c = fopen(conf, "w"));
	fprintf(c, "[store]\npath = %s/bridge.db\n", f->dir);
	fclose(c);
	assert_int_equal(bridge_conf_load(conf, &f->conf), 0);
	assert_int_equal(db_open(f->conf.db_path, 0, &f->d), 0);
	assert_non_null(f->ref = reference_new());
	assert_non_null(f->in = ingest_new(f->d, f->ref, &f->conf, none));
	assert_non_null(f->batch = make_batch());
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	ingest_free(f->in);
	reference_free(f->ref);
	db_close(f->d);
	free(f->batch);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Hands the batch in; the ack's upto, or -1 when nothing was acked. */
static int64_t
hand_in(struct fx *f, const char *topic)
{
	struct wire_ack a;
	char *ack = NULL, at[128], err[128];
	int rc;

	rc = ingest_batch(f->in, topic, f->batch, strlen(f->batch), &ack, at,
	    sizeof(at));
	if (rc != 0) {
		assert_null(ack);
		return -1;
	}
	assert_string_equal(at, "pou/v1/main/cart-1/ack");
	assert_int_equal(wire_ack_decode(ack, strlen(ack), &a, err,
	    sizeof(err)), 0);
	free(ack);
	return a.upto;
}

static void
count_rule(void *arg, const char *const *col, int n)
{
	(void)n;
	if (strcmp(col[2], "duplicate_serial") == 0)
		(*(int *)arg)++;
}

/* The duplicate_serial exceptions held. */
static int
dups(struct fx *f)
{
	int n = 0;

	assert_true(db_exceptions(f->d, 1, count_rule, &n) >= 0);
	return n;
}

static void
test_batch_stored_once(void **state)
{
	struct fx *f = *state;

	assert_int_equal(hand_in(f, TOPIC), NEV);
	assert_int_equal(dups(f), 1);
	assert_int_equal(db_contig(f->d, "cart-1", "e1"), NEV);
	assert_int_equal(hand_in(f, TOPIC), NEV);	/* a resend */
	assert_int_equal(ingest_stats(f->in)->events_new, NEV);
	assert_int_equal(ingest_stats(f->in)->events_dup, NEV);
}

static void
test_bad_topic_rejected(void **state)
{
	struct fx *f = *state;

	assert_int_equal(hand_in(f, "pou/v1/main/cart-1/status"), -1);
	assert_int_equal(hand_in(f, "elsewhere"), -1);
	assert_int_equal(ingest_stats(f->in)->rejects, 2);
	assert_int_equal(db_max_seq(f->d, "cart-1", "e1"), 0);
}

/* Each step failed in turn, on a new database each time: the batch whole
 * or not at all, and never acked past what is held. */
static void
test_batch_fails_whole(void **state)
{
	struct fx *f;
	int64_t upto, held;
	int n, refused = 0;

	(void)state;
	for (n = 1; n <= 120; n++) {
		assert_int_equal(setup((void **)&f), 0);
		db_fail_nth(f->d, n);
		upto = hand_in(f, TOPIC);
		db_fail_nth(f->d, 0);
		held = db_max_seq(f->d, "cart-1", "e1");
		assert_true(held == 0 || held == NEV);
		assert_true(upto <= db_contig(f->d, "cart-1", "e1"));
		/* A lookup that failed is no "not seen": no rule skipped. */
		assert_int_equal(dups(f), held == NEV);
		refused += held == 0;
		if (held == 0)	/* the device resends: all of it is taken */
			assert_int_equal(hand_in(f, TOPIC), NEV);
		assert_int_equal(teardown((void **)&f), 0);
	}
	assert_true(refused > NEV);	/* each event's insert, at least */
	assert_int_equal(upto, NEV);	/* 120 is past the last step */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batch_stored_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_topic_rejected, setup,
		    teardown),
		cmocka_unit_test(test_batch_fails_whole),
	};

	log_init("test_ingest", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
